"""Great Expectations suites as code, one module per guarded table.

`SUITES` is what the Dagster quality checks iterate over; each suite is plain data
(`dagster_project.lib.quality.Suite`), so tests can run any suite against any warehouse.
"""

from expectations.paragraphs import SUITE as PARAGRAPHS_SUITE

SUITES = (PARAGRAPHS_SUITE,)

__all__ = ["PARAGRAPHS_SUITE", "SUITES"]
