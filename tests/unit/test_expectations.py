"""The GE suites name their expectations by class; GX builds them only when a suite runs.
Row-level expectations look only at the rows not validated before; whole-column ones (unique,
mean) at every row."""

import pytest

from dagster_project.lib.quality import UNSEEN, expect
from expectations import SUITES

CHECKS = [(suite.name, check) for suite in SUITES for check in suite.checks]


@pytest.mark.parametrize("check", [c for _, c in CHECKS], ids=[f"{s}.{c.name}" for s, c in CHECKS])
def test_every_expectation_is_a_gx_expectation_with_its_arguments(check):
    built = check.expectation.build()
    assert type(built).__name__ == check.expectation.kind
    for name, value in check.expectation.arguments.items():
        assert getattr(built, name) == value
    condition = str(built.row_condition or "")
    assert (check.expectation.only_where or "") in condition
    assert (UNSEEN in condition) == check.expectation.per_row
    assert check.expectation.per_row == (
        check.expectation.kind
        not in {"ExpectColumnValuesToBeUnique", "ExpectColumnMeanToBeBetween"}
    )


def test_a_misspelt_expectation_fails_when_built():
    with pytest.raises(AttributeError):
        expect("ExpectColumnValuesToBeInSett", column="x", value_set=[True]).build()
