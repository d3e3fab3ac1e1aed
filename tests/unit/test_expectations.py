"""The GE suites name their expectations by class; GX builds them only when a suite runs."""

import pytest

from dagster_project.lib.quality import expect
from expectations import SUITES

CHECKS = [(suite.name, check) for suite in SUITES for check in suite.checks]


@pytest.mark.parametrize("check", [c for _, c in CHECKS], ids=[f"{s}.{c.name}" for s, c in CHECKS])
def test_every_expectation_is_a_gx_expectation_with_its_arguments(check):
    built = check.expectation.build()
    assert type(built).__name__ == check.expectation.kind
    for name, value in check.expectation.arguments.items():
        assert getattr(built, name) == value
    assert (built.row_condition is not None) == bool(check.expectation.only_where)


def test_a_misspelt_expectation_fails_when_built():
    with pytest.raises(AttributeError):
        expect("ExpectColumnValuesToBeInSett", column="x", value_set=[True]).build()
