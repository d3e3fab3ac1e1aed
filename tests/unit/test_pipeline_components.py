"""The pipeline's components on a blank English tokenizer with phrase lists and patterns
written for these tests: each ruler list's matches land in `doc.spans` under its key, matched
on its own token attribute; the crime matcher labels its cues with their crime type; the
organisation cues keep the names that the text calls organisations."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from dagster_project.lib.entities import CRIME_CUES, ORGANISATION_NAMES
from dagster_project.lib.pipeline import CrimeMatcher, OrganisationCues, PhraseRuler


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


@pytest.mark.parametrize(
    ("text", "key", "found"),
    [
        ("Officers of the ministry of justice met.", "names", ["ministry of justice"]),
        ("The MINISTRY OF JUSTICE said so.", "names", ["MINISTRY OF JUSTICE"]),
        ("The ABC and the abc met.", "codes", ["ABC"]),
        ("Nobody was named here.", "names", []),
    ],
)
def test_each_list_matches_on_its_own_attribute(nlp, text, key, found):
    ruler = PhraseRuler(
        nlp,
        [("names", "BODY", "NORM", ["Ministry of Justice"]), ("codes", "BODY", "ORTH", ["ABC"])],
    )
    doc = ruler(nlp(text))
    assert [span.text for span in doc.spans[key]] == found
    assert all(span.label_ == "BODY" for span in doc.spans[key])


def test_lists_sharing_a_key_are_merged_in_text_order(nlp):
    ruler = PhraseRuler(
        nlp,
        [("places", "PLACE", "NORM", ["Ruritania"]), ("places", "PLACE", "ORTH", ["R.U."])],
    )
    doc = ruler(nlp("From R.U. to Ruritania and back to R.U."))
    assert [(span.text, span.start) for span in doc.spans["places"]] == [
        ("R.U.", 1),
        ("Ruritania", 3),
        ("R.U.", 7),
    ]


def test_capitalised_only_skips_lower_case_hits(nlp):
    ruler = PhraseRuler(nlp, [("places", "PLACE", "NORM", ["Turkey"])], capitalised_only=True)
    doc = ruler(nlp("They ate turkey in Turkey."))
    assert [span.start for span in doc.spans["places"]] == [4]


def test_crime_matcher_labels_each_cue_with_its_crime_type(nlp):
    matcher = CrimeMatcher(
        nlp,
        {
            "smuggling": [[{"LOWER": {"IN": ["smuggled", "smuggling"]}}]],
            "scams": [[{"LOWER": "online"}, {"LOWER": {"IN": ["fraud", "scam"]}}]],
        },
    )
    doc = matcher(nlp("Goods were Smuggled after an online scam, not an online meeting."))
    assert [(s.label_, s.text) for s in doc.spans[CRIME_CUES]] == [
        ("smuggling", "Smuggled"),
        ("scams", "online scam"),
    ]


def test_a_malformed_crime_pattern_is_refused(nlp):
    with pytest.raises(ValueError):
        CrimeMatcher(nlp, {"scams": [[{"LOWERCASE": "scam"}]]})


def test_crime_matcher_runs_optional_tokens_gaps_and_word_families(nlp):
    matcher = CrimeMatcher(
        nlp,
        {
            "human_trafficking": [
                [{"LOWER": "forced"}, {"ORTH": "-", "OP": "?"}, {"LOWER": "labour"}],
                [
                    {"LOWER": {"IN": ["workers", "women"]}},
                    {"LOWER": {"NOT_IN": ["."]}, "OP": "{0,3}"},
                    {"LOWER": "trafficked"},
                ],
            ],
            "smuggling": [[{"LOWER": {"REGEX": "^smuggl"}}]],
        },
    )
    doc = matcher(
        nlp(
            "Forced labour and forced-labour camps. Workers were later trafficked. "
            "Women left. Then trafficked goods. Smugglers smuggled."
        )
    )
    assert [(s.label_, s.text) for s in doc.spans[CRIME_CUES]] == [
        ("human_trafficking", "Forced labour"),
        ("human_trafficking", "forced-labour"),
        ("human_trafficking", "Workers were later trafficked"),
        ("smuggling", "Smugglers"),
        ("smuggling", "smuggled"),
    ]


ORGANISATION_RULES = {
    "organisation_nouns": ["company", "firm", "giant"],
    "patterns": {
        "NAME_AFTER": [
            [
                {"LOWER": {"IN": "organisation_nouns"}, "IS_LOWER": True},
                {"IS_TITLE": True, "POS": "PROPN", "OP": "+"},
            ]
        ],
        "NAME_BEFORE": [
            [
                {"IS_TITLE": True, "POS": "PROPN", "OP": "+"},
                {"ORTH": ","},
                {"LOWER": {"IN": ["a", "the"]}},
                {"POS": {"NOT_IN": ["ADP"]}, "OP": "{0,3}"},
                {"LOWER": {"IN": "organisation_nouns"}, "IS_LOWER": True},
                {"ORTH": {"IN": [",", "."]}},
            ]
        ],
    },
}


def _tagged(nlp, tagged: str):
    """A Doc from `word/POS` pairs, so that the patterns' POS constraints can be met without a
    statistical model."""
    words, pos = zip(*(pair.rsplit("/", 1) for pair in tagged.split()), strict=True)
    return Doc(nlp.vocab, words=list(words), pos=list(pos))


@pytest.mark.parametrize(
    ("tagged", "names"),
    [
        ("the/DET steel/NOUN giant/NOUN Varnoz/PROPN Holt/PROPN sued/VERB", ["Varnoz Holt"]),
        ("Kelvane/PROPN ,/PUNCT a/DET mining/NOUN company/NOUN ,/PUNCT paid/VERB", ["Kelvane"]),
        ("Sok/PROPN Dara/PROPN ,/PUNCT the/DET head/NOUN of/ADP the/DET firm/NOUN", []),
        ("the/DET Giant/PROPN Varnoz/PROPN won/VERB", []),
        ("at/ADP Varnoz/PROPN ,/PUNCT the/DET company/NOUN said/VERB", []),
    ],
)
def test_organisation_cues_keep_the_name_alone(nlp, tagged, names):
    cues = OrganisationCues(nlp, ORGANISATION_RULES)
    doc = cues(_tagged(nlp, tagged))
    assert [span.text for span in doc.spans[ORGANISATION_NAMES]] == names


def test_organisation_cues_refuse_an_unknown_label(nlp):
    with pytest.raises(ValueError, match="NAME_SOMEWHERE"):
        OrganisationCues(nlp, {**ORGANISATION_RULES, "patterns": {"NAME_SOMEWHERE": []}})
