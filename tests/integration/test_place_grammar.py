"""Places by grammar, with the real spaCy model: a country used as a modifier, inside a
hyphenated compound or coordinated with a modifier is no place mention; a name written before
its country is one. Sentences written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.lib.entities import Gazetteer, modifier_place_spans, named_before_country
from dagster_project.lib.nlp import DEFAULT_MODEL, load_model

PLACES_CSV = Path(__file__).resolve().parents[2] / "dbt" / "seeds" / "ref_places.csv"


@pytest.fixture(scope="module")
def nlp():
    return load_model(DEFAULT_MODEL)


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.from_csv(PLACES_CSV)


def place_spans(doc, gazetteer, *names):
    spans = []
    for name in names:
        start = doc.text.index(name)
        span = doc.char_span(start, start + len(name))
        spans.append((span, gazetteer.lookup(name) is not None))
    return spans


@pytest.mark.parametrize(
    ("text", "names", "modifiers", "headline"),
    [
        ("Thai officers met US agents in Laos last week.", ["US", "Laos"], {"US"}, False),
        ("The Laos government said it would act.", ["Laos"], {"Laos"}, False),
        ("Officers flew to the Philippines on Monday.", ["Philippines"], set(), False),
        (
            "The Vietnam-Laos talks ended on Friday.",
            ["Vietnam", "Laos"],
            {"Vietnam", "Laos"},
            False,
        ),
        ("A Thailand-based company was fined.", ["Thailand"], set(), False),
        ("Timor-Leste sent two officers.", ["Timor-Leste"], set(), False),
        ("Laos, Vietnam Officers Meet on Drugs", ["Laos", "Vietnam"], {"Laos", "Vietnam"}, True),
        ("Laos Arrests Two Suspects", ["Laos"], set(), True),
        ("Police in Houaphan Province seized opium.", ["Houaphan"], set(), False),
        (
            "Cambodia's police chief met them in Phnom Penh.",
            ["Cambodia", "Phnom Penh"],
            set(),
            False,
        ),
    ],
)
def test_modifier_uses_are_not_place_mentions(nlp, gazetteer, text, names, modifiers, headline):
    doc = nlp(text)
    spans = place_spans(doc, gazetteer, *names)
    found = modifier_place_spans(spans, headline)
    assert {s.text for s, _ in spans if (s.start, s.end) in found} == modifiers


def test_a_place_before_an_agency_name_in_a_headline_is_a_modifier(nlp, gazetteer):
    doc = nlp("US Homeland Security Investigations Opens Office")
    spans = place_spans(doc, gazetteer, "US")
    names = set(range(1, 4))
    assert modifier_place_spans(spans, True, names) == {(0, 1)}
    assert modifier_place_spans(spans, True, set()) == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The course was held in Ban Phe, Thailand, last month.", ["Ban Phe"]),
        ("Officers trained at the Police Academy Kingsford, Australia.", ["Kingsford"]),
        ("They met at Ban Na (Laos) on Monday.", ["Ban Na"]),
        ("Separately, Australia sent a team.", []),
        ("The Ministry of Planning, the U.S. Embassy and others signed.", []),
        ("Cambodia and Laos, Thailand, and Vietnam attended.", []),
    ],
)
def test_names_written_before_their_country(nlp, gazetteer, text, expected):
    assert [s.text for s in named_before_country(nlp(text), gazetteer)] == expected
