"""The scorer's matching rules, on gold and system output built here by hand."""

from __future__ import annotations

import pytest

from dagster_project.lib.evaluation import (
    MARTS,
    System,
    SystemArticle,
    SystemEvent,
    SystemItem,
    SystemParagraph,
    Where,
    bipartite_match,
    category_of,
    event_rates,
    format_rates,
    greedy_match,
    norm,
    place_keys,
    prf,
    score,
    sentence_around,
    starts_alike,
    variants,
)

FILE = "a.txt"


def system(article: SystemArticle, *, crime_types: bool = True) -> System:
    present = dict.fromkeys(MARTS, True)
    present["bridge_article_crime_types"] = crime_types
    return System({FILE}, {FILE: article}, present)


def agency(key: str, *names: str, count: int = 1, canonical: str | None = None) -> SystemItem:
    found = set().union(*(variants(n) for n in names))
    return SystemItem(found, count, canonical or names[0], key, Where(None, None, names[0]))


def person(name: str) -> SystemItem:
    return SystemItem(variants(name), 1, None, None, Where(None, None, name))


def place(name: str, surface: str | None = None) -> SystemItem:
    return SystemItem(place_keys(name, surface or name), 1, name, None, Where(None, None, name))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Ministry of Interior's", "ministry of interior"),
        ("U.S. Embassy", "u s embassy"),
        ("  Anti\u2011Drug   Police ", "anti drug police"),
        ("", ""),
        (None, ""),
    ],
)
def test_norm_drops_case_punctuation_article_and_possessive(text, expected):
    assert norm(text) == expected


def test_variants_add_the_name_without_its_national_prefix():
    assert variants("US Drug Squad") == {"us drug squad", "drug squad"}
    assert variants("Thai Police") == {"thai police", "police"}
    # too short a remainder is not a name of its own
    assert variants("US FB") == {"us fb"}


def test_place_keys_fold_synonyms():
    assert place_keys("U.S.") == {"us"}
    assert place_keys("United States of America", "Lao PDR") == {"us", "laos"}
    assert place_keys("", None) == set()


def test_prf_conventions_for_empty_sides():
    assert prf(0, 0, 0)["f1"] == 1.0
    assert prf(0, 0, 3) == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "tp": 0,
        "system": 0,
        "gold": 3,
    }
    assert prf(2, 4, 2)["f1"] == pytest.approx(0.6667)


def test_greedy_match_prefers_the_largest_overlap_and_uses_each_item_once():
    gold = [{"a", "b"}, {"a"}]
    found = [{"a"}, {"a", "b"}]
    assert sorted(greedy_match(gold, found)) == [(0, 1), (1, 0)]


def test_bipartite_match_reassigns_to_fit_everyone():
    gold = [{"x", "y"}, {"x"}]
    found = [{"x"}, {"y"}]
    owner = bipartite_match(gold, found)
    assert sorted(owner.items()) == [(0, 1), (1, 0)]


@pytest.mark.parametrize(
    ("text", "prefix", "expected"),
    [
        ("Share this story on social media", "Share this story", True),
        ("Share", "Share this story on social media", False),
        ("A longer line of text", "A longer line of text that goes on", True),
        ("Something else entirely", "Share this", False),
    ],
)
def test_starts_alike(text, prefix, expected):
    assert starts_alike(text, prefix) is expected


def test_sentence_around_keeps_titles_and_initialisms_inside_the_sentence():
    text = "A man spoke. Then Lt. Gen. Dara Vong met the U.S. Embassy staff in town. He left."
    start = text.index("Dara")
    assert sentence_around(text, start, start + 9) == (
        "Then Lt. Gen. Dara Vong met the U.S. Embassy staff in town."
    )
    assert sentence_around(text, 0, 1) == "A man spoke."


def test_agencies_borderline_gold_is_neither_reward_nor_penalty():
    gold = [
        {
            "file": FILE,
            "agencies": [
                {"canonical": "Federal Bureau of Investigation", "acronym": "FBI", "count": 3}
            ],
            "borderline_agencies": [{"canonical": "Royal Government of Cambodia", "count": 1}],
        }
    ]
    article = SystemArticle(
        agencies={
            "us-fbi": agency("us-fbi", "Federal Bureau of Investigation", "FBI", count=2),
            "kh-gov": agency("kh-gov", "Royal Government of Cambodia"),
            "disc-x": agency("disc-x", "Anti Fraud Club"),
        }
    )
    result = score(system(article), gold)
    assert result.metrics["agencies"]["tp"] == 1
    assert result.metrics["agencies"]["system"] == 2  # FBI and the false hit, not the borderline
    assert result.metrics["agency_mentions"]["tp"] == 2
    assert result.metrics["agency_mentions"]["system"] == 3
    assert result.metrics["agency_mentions"]["gold"] == 3
    verdicts = {(f.kind, f.verdict) for f in result.findings}
    assert ("agencies", "false hit") in verdicts
    assert ("agency_mentions", "fewer") in verdicts
    assert ("agencies", "miss") not in verdicts


def test_a_national_prefix_does_not_stop_an_agency_match():
    gold = [
        {
            "file": FILE,
            "agencies": [
                {
                    "canonical": "Drug Enforcement Administration",
                    "acronym": "DEA",
                    "surface_forms": ["US DEA"],
                }
            ],
        }
    ]
    article = SystemArticle(agencies={"us-dea": agency("us-dea", "Thai DEA", canonical="DEA")})
    assert score(system(article), gold).metrics["agencies"]["f1"] == 1.0


def test_people_and_places_report_misses_and_false_hits_with_their_sentence():
    gold = [
        {
            "file": FILE,
            "people": [{"name": "Dara Vong", "surface_forms": ["Vong"]}, {"name": "Sok Lin"}],
            "places": [
                {"name": "United States", "surface_forms": ["U.S."]},
                "Phnom Penh",
                "PHNOM PENH",
            ],
        }
    ]
    article = SystemArticle(
        people={"Vong": person("Vong"), "Blue River": person("Blue River")},
        places={"us": place("United States", "U.S."), "asia": place("Asia")},
        paragraphs=[
            SystemParagraph(
                0, "Officials met. Sok Lin came from Phnom Penh on Monday.", False, False
            )
        ],
    )
    result = score(system(article), gold)
    assert result.metrics["people"]["tp"] == 1 and result.metrics["people"]["system"] == 2
    # the two spellings of one place count once
    assert result.metrics["places"]["gold"] == 2 and result.metrics["places"]["tp"] == 1
    misses = {f.item: f.sentence for f in result.findings if f.verdict == "miss"}
    assert misses["Sok Lin"] == "Sok Lin came from Phnom Penh on Monday."
    assert misses["Phnom Penh"] == "Sok Lin came from Phnom Penh on Monday."


def test_boilerplate_captions_are_neutral_and_recall_counts_gold_paragraphs():
    gold = [
        {
            "file": FILE,
            "boilerplate_paragraphs": ["Skip to main content", "Share this page"],
            "caption_paragraphs": ["Officers at the border post, in a photo"],
        }
    ]
    paragraphs = [
        SystemParagraph(0, "Skip to main content", True, False),
        SystemParagraph(1, "Officers at the border post, in a photo", True, False),
        SystemParagraph(2, "Police said the raid took place on Monday.", True, False),
        SystemParagraph(3, "Share this page", False, False),
    ]
    result = score(system(SystemArticle(paragraphs=paragraphs)), gold)
    metric = result.metrics["boilerplate_paragraphs"]
    assert (metric["tp"], metric["system"], metric["gold"]) == (1, 2, 2)
    assert metric["recall"] == 0.5
    assert {(f.verdict, f.item) for f in result.findings if f.kind == "boilerplate"} == {
        ("false hit", "paragraph 2"),
        ("miss", "paragraph 3"),
    }


def test_duplicates_count_every_copy_after_the_first_and_spare_near_duplicates():
    text = "The same paragraph, printed again and again."
    gold = [
        {
            "file": FILE,
            "duplicate_paragraphs": [{"text": text, "occurrences": 3}],
            "near_duplicate_paragraphs": [{"text": "A dek that the body repeats in part"}],
        }
    ]
    paragraphs = [
        SystemParagraph(0, text, False, False),
        SystemParagraph(1, text, False, True),
        SystemParagraph(2, "A dek that the body repeats in part, more or less", False, True),
        SystemParagraph(3, text, False, False),
    ]
    result = score(system(SystemArticle(paragraphs=paragraphs)), gold)
    metric = result.metrics["duplicate_paragraphs"]
    assert (metric["tp"], metric["system"], metric["gold"]) == (1, 1, 2)
    assert [f.item for f in result.findings if f.kind == "duplicates"] == ["1 copies unflagged"]


def test_events_match_on_compatible_type_and_agency_and_other_is_optional():
    gold = [
        {
            "file": FILE,
            "agencies": [{"canonical": "Federal Bureau of Investigation", "acronym": "FBI"}],
            "events": [
                {
                    "type": "arrest",
                    "agencies": ["Federal Bureau of Investigation"],
                    "sentence_prefix": "Agents detained two men",
                },
                {"type": "other", "agencies": [], "sentence_prefix": "A ceremony was held"},
                {"type": "training", "agencies": [], "sentence_prefix": "Officers learned"},
            ],
        }
    ]
    events = [
        SystemEvent("seizure", "Agents seized a car.", variants("FBI")),
        SystemEvent("other", "A ceremony was held at the academy.", set()),
        SystemEvent("meeting", "The chiefs met.", set()),
    ]
    result = score(system(SystemArticle(events=events)), gold)
    metric = result.metrics["events"]
    # the seizure matches the arrest through the FBI; the optional "other" is neither counted
    # as a hit nor as a false hit; the meeting is a false hit and the training a miss
    assert (metric["tp"], metric["system"], metric["gold"]) == (1, 2, 2)
    assert {(f.verdict, f.item) for f in result.findings if f.kind == "events"} == {
        ("false hit", "meeting"),
        ("miss", "training"),
    }


def test_crime_types_skip_borderline_and_need_their_table():
    gold = [
        {
            "file": FILE,
            "crime_types": ["drug_trafficking"],
            "crime_types_borderline": [{"type": "smuggling"}],
        }
    ]
    article = SystemArticle(crime_types={"drug_trafficking", "smuggling", "scams"})
    metrics = score(system(article), gold).metrics
    assert (metrics["crime_types"]["tp"], metrics["crime_types"]["system"]) == (1, 2)
    assert "crime_types" not in score(system(article, crime_types=False), gold).metrics


def test_an_article_missing_from_the_warehouse_is_named_and_scores_as_empty():
    gold = [{"file": "elsewhere.txt", "people": [{"name": "Dara Vong"}]}]
    result = score(system(SystemArticle()), gold)
    assert result.metrics["articles_missing"] == ["elsewhere.txt"]
    assert result.metrics["people"]["recall"] == 0.0


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("sport_012.txt", "sport"),
        ("tech_news_3.html", "tech"),
        ("article.txt", None),
        ("_hidden.txt", None),
    ],
)
def test_category_is_the_file_name_prefix(name, category):
    assert category_of(name) == category


def test_event_rates_count_per_1000_articles_of_each_category():
    one = SystemEvent("meeting", "The chiefs met.", set())
    articles = {
        "sport_1.txt": SystemArticle(events=[one]),
        "sport_2.txt": SystemArticle(),
        "politics_1.txt": SystemArticle(events=[one, one, one]),
        "loose.txt": SystemArticle(events=[one]),
    }
    # an article without events may have no entry at all
    files = set(articles) | {"sport_3.txt", "sport_4.txt"}
    rates = event_rates(System(files, articles, {}))
    assert list(rates) == ["politics", "sport", "all"]
    assert rates["sport"] == {"articles": 4, "events": 1, "per_1000": 250.0}
    assert rates["politics"]["per_1000"] == 3000.0
    assert rates["all"] == {"articles": 6, "events": 5, "per_1000": 5000 / 6}
    table = format_rates(rates)
    assert table.splitlines()[1].split() == ["politics", "1", "3", "3000.0"]


def test_event_rates_of_an_empty_warehouse_are_empty():
    assert event_rates(System(set(), {}, {})) == {}
