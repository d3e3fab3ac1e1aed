"""The event pipeline components on small constructed sentences: cues, triggers, status."""

from __future__ import annotations

import pytest

from dagster_project.lib.event_components import EventTriggers
from dagster_project.lib.events import CUES_KEY, TRIGGERS_KEY
from dagster_project.lib.pipeline import load_pipeline
from dagster_project.lib.settings import SPACY_MODEL


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline(SPACY_MODEL.default)


def triggers(doc) -> list[tuple[str, str]]:
    return [(span.text, span.label_) for span in doc.spans[TRIGGERS_KEY]]


def test_components_follow_the_parse_and_status_follows_triggers(nlp):
    names = nlp.pipe_names
    assert names.index("parser") < names.index("event_cues") < names.index("event_triggers")
    assert names.index("event_triggers") < names.index("event_status")


TRIGGER_SPANS = [
    pytest.param(
        "Officers detained two men and confiscated their phones.",
        [("detained", "arrest"), ("confiscated", "seizure")],
        id="two_verbs",
    ),
    pytest.param(
        "The two ministries signed an agreement on Friday.",
        [("signed", "agreement")],
        id="object_noun_restates_its_verb",
    ),
    pytest.param(
        "Border guards completed three training courses in June.",
        [("courses", "training")],
        id="modifier_and_head_are_one_event",
    ),
    pytest.param(
        "The smuggler was put into detention at the airport.",
        [("put", "arrest")],
        id="custody_by_dependency_pattern",
    ),
    pytest.param(
        "Customs Officers Seize Ivory At Port",
        [("Seize", "seizure")],
        id="title_case_headline_verb",
    ),
    pytest.param(
        "The commissioner paid a visit to the customs director.",
        [("visit", "meeting")],
        id="visit_to_an_official",
    ),
    pytest.param("The singer paid a visit to France.", [], id="visit_to_a_country"),
    pytest.param(
        "The two agencies signed an amendment to the treaty.",
        [("signed", "agreement")],
        id="amendment_of_an_agreement",
    ),
    pytest.param(
        "The two agencies signed an amendment to the budget.", [], id="amendment_of_a_budget"
    ),
    pytest.param(
        "Narcotics officers found a hidden lab producing synthetic drugs near the river.",
        [("found", "seizure")],
        id="found_site_parsed_as_a_clause",
    ),
    pytest.param("Please sign up before the deadline.", [], id="particle_changes_the_sense"),
    pytest.param("The club held a training camp in Spain.", [], id="attribute_noun"),
]


@pytest.mark.parametrize(("text", "expected"), TRIGGER_SPANS)
def test_trigger_spans_are_labelled_by_event_type(nlp, text, expected):
    assert triggers(nlp(text)) == expected


def test_every_confirmed_trigger_word_is_typed_on_the_token(nlp):
    doc = nlp("The two ministries signed an agreement on Friday.")
    assert {t.text: t._.event_type for t in doc if t._.event_type} == {
        "signed": "agreement",
        "agreement": "agreement",
    }


STATUSES = [
    pytest.param("Investigators raided the warehouse last night.", "happened", id="past"),
    pytest.param("Investigators will raid the warehouse tomorrow.", "planned", id="future"),
    pytest.param("Investigators are raiding the warehouse now.", "ongoing", id="progressive"),
    pytest.param("Investigators did not raid the warehouse.", "negated", id="negated"),
    pytest.param("Investigators might raid the warehouse.", "irrealis", id="modal"),
    pytest.param("Investigators raid warehouses.", "generic", id="present"),
]


@pytest.mark.parametrize(("text", "status"), STATUSES)
def test_status_is_read_from_the_trigger_clause(nlp, text, status):
    (trigger,) = nlp(text).spans[TRIGGERS_KEY]
    assert trigger._.event_status == status
    assert trigger._.event_clause.anchor.trigger == trigger.root


def test_a_topic_has_no_clause_reading(nlp):
    doc = nlp("Officials held talks about the extradition of fugitives.")
    by_text = {span.text: span for span in doc.spans[TRIGGERS_KEY]}
    assert by_text["extradition"]._.event_status is None
    assert by_text["talks"]._.event_status == "happened"


def test_cues_mark_actors_and_crimes(nlp):
    doc = nlp("Prosecutors charged the gang with heroin smuggling.")
    cues = {(span.text, span.label_) for span in doc.spans[CUES_KEY]}
    assert ("Prosecutors", "actors") in cues
    assert ("heroin", "crimes") in cues


def test_cues_are_empty_in_a_sports_story(nlp):
    assert list(nlp("The striker scored twice in the second half.").spans[CUES_KEY]) == []


@pytest.mark.parametrize("missing", ["label", "sense", "attr", "words"])
def test_an_entry_without_a_field_is_refused(missing):
    entry = {"label": "arrest", "sense": "verb", "attr": "LEMMA", "words": ["nab"]}
    del entry[missing]
    with pytest.raises(ValueError, match=repr(missing)):
        EventTriggers._check(entry)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("attr", "SHAPE", "'SHAPE'"), ("token", {"ENT_TYPE": "ORG"}, "ENT_TYPE")],
)
def test_an_entry_the_component_cannot_match_is_refused(field, value, message):
    entry = {"label": "arrest", "sense": "verb", "attr": "LEMMA", "words": ["nab"], field: value}
    with pytest.raises(ValueError, match=message):
        EventTriggers._check(entry)
