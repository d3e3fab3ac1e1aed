"""The assembled pipeline with the real spaCy model and the real reference tables: the
statistical model's components come first, then the configured ones in config order, and
one call writes every ruler's spans. Sentences written for these tests."""

from __future__ import annotations

import re

import pytest

from dagster_project.lib.entities import AGENCY_ACRONYMS, AGENCY_NAMES, CRIME_CUES, PLACE_NAMES
from dagster_project.lib.nlp import DEFAULT_MODEL
from dagster_project.lib.pipeline import (
    PIPELINE_CONFIG,
    REFERENCE_AGENCIES,
    REFERENCE_PLACES,
    build_pipeline,
    load_model,
    load_pipeline,
    pipeline_config,
)


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline(DEFAULT_MODEL, REFERENCE_AGENCIES, REFERENCE_PLACES)


def test_configured_components_run_after_the_statistical_model(nlp):
    bare = load_model(DEFAULT_MODEL).pipe_names
    configured = pipeline_config(REFERENCE_AGENCIES, REFERENCE_PLACES)["pipeline"]["components"]
    assert nlp.pipe_names == [*bare, *configured]
    assert bare == load_model(DEFAULT_MODEL).pipe_names, "the bare model was changed"


def test_rulers_write_reference_names_acronyms_and_places(nlp):
    doc = nlp("The ministry of interior and the FBI met officers in Phnom Penh and Hanoi.")
    assert [s.text for s in doc.spans[AGENCY_NAMES]] == ["ministry of interior"]
    assert [s.text for s in doc.spans[AGENCY_ACRONYMS]] == ["FBI"]
    assert [s.text for s in doc.spans[PLACE_NAMES]] == ["Phnom Penh", "Hanoi"]


def test_pipe_gives_the_same_spans_as_one_call(nlp):
    texts = ["Interpol met in Bangkok.", "Nothing to see here.", "The DEA left Laos."]

    def spans(doc):
        return [
            (key, s.start, s.end) for key in (AGENCY_ACRONYMS, PLACE_NAMES) for s in doc.spans[key]
        ]

    piped = [spans(doc) for doc in nlp.pipe(texts, batch_size=2)]
    single = [spans(nlp(text)) for text in texts]
    assert piped == single
    assert piped[1] == []


def test_the_config_decides_which_components_run(tmp_path):
    config = re.sub(
        r"^components = .*$",
        'components = ["place_ruler"]',
        PIPELINE_CONFIG.read_text(),
        flags=re.MULTILINE,
    )
    assert config != PIPELINE_CONFIG.read_text()
    path = tmp_path / "pipeline.cfg"
    path.write_text(config)
    nlp = build_pipeline(DEFAULT_MODEL, REFERENCE_AGENCIES, REFERENCE_PLACES, path)
    assert "place_ruler" in nlp.pipe_names
    assert "agency_ruler" not in nlp.pipe_names
    assert "crime_matcher" not in nlp.pipe_names
    doc = nlp("Officers in Hanoi met the FBI.")
    assert [s.text for s in doc.spans[PLACE_NAMES]] == ["Hanoi"]
    assert AGENCY_ACRONYMS not in doc.spans


def test_a_missing_reference_table_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such_table.csv"):
        load_pipeline(DEFAULT_MODEL, tmp_path / "no_such_table.csv", REFERENCE_PLACES)


def test_a_missing_model_names_the_setting():
    with pytest.raises(RuntimeError, match="NEWS_SPACY_MODEL"):
        build_pipeline("no_such_spacy_model_installed")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The unit cracked down on human trafficking.", {"human_trafficking"}),
        ("Workers were trafficked to scam compounds.", {"human_trafficking", "scams"}),
        ("Police seized 1,500 kg of methamphetamine.", {"drug_trafficking"}),
        ("It dismantled drug trafficking networks.", {"drug_trafficking", "organized_crime"}),
        ("Officials discussed money laundering and terrorism.", {"money_laundering", "terrorism"}),
        ("The Secret Service works to stop counterfeiting.", {"counterfeiting"}),
        ("It funds anti-pedophilia efforts.", {"child_sexual_exploitation"}),
        ("Goods were smuggled across the border.", {"smuggling"}),
        ("Corrupt practices undermine trust.", {"corruption"}),
        ("He was extradited on an Interpol red notice.", {"fugitives"}),
        ("Victims lured with promises of well-paid jobs abroad.", {"human_trafficking"}),
        (
            "The counter-terrorism unit met the anti-money laundering office.",
            {"terrorism", "money_laundering"},
        ),
        ("The virus corrupted files on the server.", set()),
        ("The minister met the ambassador.", set()),
    ],
)
def test_crime_cues_of_the_configured_patterns(nlp, sentence, expected):
    doc = nlp(sentence)
    assert {span.label_ for span in doc.spans[CRIME_CUES]} == expected
