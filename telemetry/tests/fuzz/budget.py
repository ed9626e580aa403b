"""The fuzz suite's shared budget: Hypothesis settings and a time bound per input.

Every parser that reads bytes from the network or from users must, for any input, either
return or raise its own error type, and do so quickly. ``FUZZ`` bounds the examples per
test (the whole suite, telemetry and the CSV import together, runs in well under a
minute) and Hypothesis' ``deadline`` fails an input that takes longer than ``PER_INPUT``.
Seeds are derandomised so that CI runs the same inputs each time; a failure prints the
input to turn into a regression test.
"""

from datetime import timedelta

from hypothesis import HealthCheck, settings

PER_INPUT = timedelta(milliseconds=500)
FUZZ = settings(
    max_examples=150,
    deadline=PER_INPUT,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
