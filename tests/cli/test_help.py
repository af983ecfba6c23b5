"""Every command explains itself with --help, and the README documents every command."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from graphkit.cli import main
from conftest import ROOT

COMMANDS = sorted(main.commands)


def test_main_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_command_help(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output
    # a real explanation, not just the option list
    description = result.output.split("Options:")[0]
    assert len(description.split()) >= 12, description


@pytest.mark.parametrize("name", COMMANDS)
def test_readme_documents_command(name):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"graphkit {name}" in readme
