"""Great Expectations suites as code, one module per layer, one suite per guarded table.

`SUITES` is what the Dagster quality checks iterate over; each suite is plain data
(`dagster_project.lib.quality.Suite`), so tests can run any suite against any warehouse.
"""

from expectations.marts import ARTICLES_SUITE as MARTS_ARTICLES_SUITE
from expectations.marts import EVENTS_SUITE as MARTS_EVENTS_SUITE
from expectations.marts import MENTIONS_SUITE as MARTS_MENTIONS_SUITE
from expectations.nlp import MENTIONS_SUITE as NLP_MENTIONS_SUITE
from expectations.nlp import SENTENCES_SUITE as NLP_SENTENCES_SUITE
from expectations.paragraphs import SUITE as PARAGRAPHS_SUITE
from expectations.raw import ARTICLES_SUITE as RAW_ARTICLES_SUITE
from expectations.raw import FILES_SUITE as RAW_FILES_SUITE

SUITES = (
    RAW_ARTICLES_SUITE,
    RAW_FILES_SUITE,
    PARAGRAPHS_SUITE,
    NLP_SENTENCES_SUITE,
    NLP_MENTIONS_SUITE,
    MARTS_ARTICLES_SUITE,
    MARTS_MENTIONS_SUITE,
    MARTS_EVENTS_SUITE,
)

__all__ = [
    "MARTS_ARTICLES_SUITE",
    "MARTS_EVENTS_SUITE",
    "MARTS_MENTIONS_SUITE",
    "NLP_MENTIONS_SUITE",
    "NLP_SENTENCES_SUITE",
    "PARAGRAPHS_SUITE",
    "RAW_ARTICLES_SUITE",
    "RAW_FILES_SUITE",
    "SUITES",
]
