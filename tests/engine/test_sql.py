"""graphkit.engine.sql: what the Spark engine tells the user when Spark fails."""

from __future__ import annotations


def test_a_spark_error_is_one_line_with_its_cause_and_the_remedy_for_the_result_cap() -> None:
    """A Java error from Spark reaches the user as its cause on one line (no Java stack); the driver's
    result cap names the variable that lifts it. (No Spark needed: the message is built from the text.)"""
    from graphkit.engine.sql import _spark_message

    java = ("An error occurred while calling o1072.getResult.\n"
            ": org.apache.spark.SparkException: Exception thrown in awaitResult: \n"
            "\tat org.apache.spark.util.SparkThreadUtils$.awaitResult(SparkThreadUtils.scala:56)\n"
            "Caused by: org.apache.spark.SparkException: Job aborted due to stage failure: Total size of "
            "serialized results of 6 tasks (1121.2 MiB) is bigger than spark.driver.maxResultSize (1024.0 MiB)\n"
            "\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:2898)\n")
    msg = _spark_message(RuntimeError(java))
    assert msg.startswith("org.apache.spark.SparkException: Job aborted") and "\n" not in msg
    assert "GRAPHKIT_SPARK_MAX_RESULT" in msg and " at org." not in msg
    assert _spark_message(ValueError("plain\n  message")) == "plain message"
