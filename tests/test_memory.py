"""graphkit.memory: a step run in a forked process."""

from __future__ import annotations

import os

import pytest

from graphkit.memory import release_freed, run_forked

_STATE = {"touched": False}


def _pid_and_sum(values: list[int]) -> tuple[int, int]:
    _STATE["touched"] = True  # in the child only
    return os.getpid(), sum(values)


def _fails(message: str) -> None:
    raise ValueError(message)


def _dies() -> None:
    os._exit(3)  # a process killed without a result (as the OOM killer does)


class _Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("no pickling")


def _fails_unpicklable() -> None:
    raise _Unpicklable("lost")


def test_run_forked_returns_the_result_from_another_process() -> None:
    pid, total = run_forked(_pid_and_sum, list(range(1000)))
    assert total == 499500
    assert pid != os.getpid()
    assert _STATE["touched"] is False  # what the child changes stays in the child


def test_run_forked_raises_the_childs_error() -> None:
    with pytest.raises(ValueError, match="bad row 7"):
        run_forked(_fails, "bad row 7")


def test_run_forked_reports_a_child_that_died() -> None:
    with pytest.raises(RuntimeError, match=r"_dies ended in its process without a result \(exit code 3"):
        run_forked(_dies)


def test_run_forked_error_that_does_not_pickle_comes_back_as_text() -> None:
    with pytest.raises(RuntimeError, match="lost"):
        run_forked(_fails_unpicklable)


def test_release_freed_is_safe_to_call() -> None:
    assert release_freed() in (True, False)


def test_run_forked_runs_here_where_fork_is_not_safe(monkeypatch) -> None:
    import graphkit.memory as memory

    monkeypatch.setattr(memory, "CAN_FORK", False)
    pid, total = run_forked(_pid_and_sum, [1, 2])
    assert (pid, total) == (os.getpid(), 3)
    _STATE["touched"] = False
