"""Rule-based extraction of law-enforcement cooperation events from parsed sentences.

An event is a trigger (a verb such as "arrested", or an eventive noun such as "workshop")
that the dependency parse anchors in a clause stating that something specific happened, is
under way or is planned. Keywords alone are not enough: news about police cooperation is full
of generic statements ("UNODC provides training", "can complicate joint operations"), so a
trigger only becomes an event when its clause is past, perfect, progressive or future, or is
present tense but pinned to a specific time, and is neither negated, hypothetical, conditional,
a purpose, a wish, a time anchor ("since the 2001 attacks") nor the topic of something else
("talks about deportations").

Statements are then folded into events: restatements across the article (a headline, "the
raid", "the first course" of a stated series) join the event they restate, and a raid and the
arrests made in it, stated in one clause chain, are one event; a seizure stays its own.

The module is pure Python on top of spaCy objects: `lib.nlp` parses the article and resolves
entity mentions, then calls `extract_article_events`. Nothing here imports Dagster.
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

EXTRACTOR_VERSION = "events-rules-1.3.0"
# rule data shared with the reference tables: dbt/seeds/rules/<name>.json
SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt" / "seeds"
RULES_DIR = SEEDS_DIR / "rules"

EVENT_TYPES = (
    "training",
    "meeting",
    "agreement",
    "operation",
    "arrest",
    "seizure",
    "extradition",
    "deportation",
    "inspection",
    "conference",
    "office_opening",
    "ranking",
    "other",
)
STATUSES = ("happened", "ongoing", "planned")
ROLES = ("lead", "partner", "trainer", "trainee", "host", "requesting", "requested", "participant")


@dataclass(frozen=True)
class EntityRef:
    """An entity mention inside a sentence, with offsets into the article text."""

    entity_type: str
    name: str
    key: str | None
    char_start: int
    char_end: int
    # The agency's home country (agencies) or the place's country (places): lets an event
    # list the countries involved without a second lookup.
    country_code: str | None = None


@dataclass(frozen=True)
class SentenceInput:
    article_id: str
    paragraph_id: str
    sentence_index: int
    char_start: int
    char_end: int
    text: str
    span: Span
    entities: tuple[EntityRef, ...]


@dataclass(frozen=True)
class Event:
    """One event, deduplicated within its article: the columns of nlp.events plus its
    participants (agency_id, role) and the ISO codes of the countries involved.

    `sentence_text`/`char_start`/`char_end` are the representative stating sentence and its
    article offsets. `event_id` hashes article_id, event_type and the trigger word's article
    offset, so two events of one type stated in one sentence keep distinct ids.
    """

    event_id: str
    article_id: str
    paragraph_id: str
    event_type: str
    event_status: str
    date_text: str | None
    event_date: date | None
    event_date_end: date | None
    event_date_precision: str | None
    place_name: str | None
    country_code: str | None
    quantity_text: str | None
    quantity_value: float | None
    quantity_unit: str | None
    quantity_qualifier: str | None
    substance: str | None
    sentence_text: str
    char_start: int
    char_end: int
    confidence: float
    extractor_version: str
    participants: tuple[tuple[str, str], ...]
    countries: tuple[str, ...]


@dataclass(frozen=True)
class Quantity:
    """An amount as written ("over 1,500 kg of methamphetamine") and its parts.

    `start`/`end` are offsets into the text that was parsed.
    """

    text: str
    value: float
    unit: str
    qualifier: str | None
    substance: str | None
    start: int = 0
    end: int = 0


@lru_cache(maxsize=8)
def load_rules(name: str) -> dict:
    """A rule file of dbt/seeds/rules, read once per process."""
    path = RULES_DIR / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(f"event rule file {path} does not exist")
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _word_set(name: str) -> frozenset[str]:
    return frozenset(load_rules("event_lexicon")["word_sets"][name])


def _typed_words(name: str) -> dict[str, str]:
    """{event type: [word, ...]} -> {word: event type}."""
    table = load_rules("event_lexicon")["typed_words"][name]
    return {word: etype for etype, words in table.items() for word in words}


def _mapping(name: str) -> dict[str, str]:
    return dict(load_rules("event_lexicon")["mappings"][name])


def _pair_set(name: str) -> frozenset[tuple[str, str]]:
    return frozenset(tuple(pair) for pair in load_rules("event_lexicon")["pair_sets"][name])


# --- Trigger lexicon -------------------------------------------------------------------------

# the spans and extensions the pipeline components of lib/event_components.py set
TRIGGERS_KEY = "event_triggers"
CUES_KEY = "event_cues"


def _pattern_words(sense: str, attr: str) -> dict[str, str]:
    """{word: event type} of the trigger words of one sense in event_triggers.json matched on
    `attr`, for the rules that ask what a word could trigger ("the raid netted")."""
    return {
        word: entry["label"]
        for entry in load_rules("event_triggers")["words"]
        if entry["sense"] == sense and entry["attr"] == attr
        for word in entry["words"]
    }


NOUN_TRIGGERS = _pattern_words("noun", "LEMMA") | _pattern_words("noun", "LOWER")
VERB_TRIGGERS = _pattern_words("verb", "LEMMA")
HEADLINE_FORMS = _pattern_words("headline", "LOWER")

AGREEMENT_NOUNS = _word_set("agreement_nouns")
OFFICE_NOUNS = _word_set("office_nouns")
# what a search turns up besides counted goods ("discovered a drug lab")
ILLICIT_SITES = _word_set("illicit_sites")
LIST_MODIFIERS = _word_set("list_modifiers")
# Heads that turn a trigger used as a modifier ("training session") into an event noun;
# any other head ("training support", "operation costs") makes the trigger a mere attribute.
EVENT_HEAD_NOUNS = _word_set("event_head_nouns")
# "operation" also names what criminals run ("scam operations", "trafficking operation").
CRIMINAL_MODIFIERS = _word_set("criminal_modifiers")
NON_HUMAN_OBJECTS = _word_set("non_human_objects")
PROPOSAL_NOUNS = _word_set("proposal_nouns")
PROPOSING_NOUNS = _word_set("proposing_nouns")
MEET_NON_OBJECTS = _word_set("meet_non_objects")
TALK_VERBS = _word_set("talk_verbs")
PLATFORM_HEADS = _word_set("platform_heads")
PLATFORM_MODIFIERS = _word_set("platform_modifiers")
PERSON_NOUNS = _word_set("person_nouns")
# Who cooperation against crime is not with: a meeting of suspects or gang members is none
CRIMINAL_PEOPLE = _word_set("criminal_people")
CRIMINAL_BODIES = _word_set("criminal_bodies")

# Who can be handed over, blacklisted or held: people, not things ("handed over 30 test kits").
HANDOVER_PATIENTS = PERSON_NOUNS | _word_set("handover_patients")
# People a raid frees or a country takes back ("rescued 25 victims", "12 children"): human,
# though no suspect a search "finds".
HUMAN_NOUNS = HANDOVER_PATIENTS | _word_set("vulnerable_people") | {"people"}
# Who finds things in a raid ("police found 120 phones"), as against a study or a court.
LAW_ENFORCEMENT_NOUNS = _word_set("law_enforcement_nouns")
# An evaluation or assessment is an inspection only as a peer review of a country's regime
# ("its next mutual evaluation by the APG"), not a "risk assessment" or a review of a course.
EVALUATION_MODIFIERS = _word_set("evaluation_modifiers")
CUSTODY_NOUNS = _word_set("custody_nouns")
CRIMINAL_GROUPS = _word_set("criminal_groups")
LAW_ENFORCEMENT_ORGS = LAW_ENFORCEMENT_NOUNS | _word_set("law_enforcement_orgs")
# what a ranking verb's object or subject must be when no name says it is a country or body
RANKABLE_NOUNS = _word_set("rankable_nouns")

# Verbs whose object is an event noun the subject carries out, attends or receives.
LIGHT_VERBS = _word_set("light_verbs")
PLAN_VERBS = _word_set("plan_verbs")
# Verbs a event noun can be the subject of while the sentence still reports the event itself
# ("the raid netted...", "the conference ends Friday") rather than describing its effects
# ("the MoU will enhance...", "such operations showcase...").
OCCURRENCE_VERBS = _word_set("occurrence_verbs")
# What an event achieved ("the raid netted 300 grams"): said of a past event only; "the
# training will produce 50 officers" is an expected effect, not the training.
RESULT_VERBS = _word_set("result_verbs")
# Prepositional links between a verb and an event noun that assert the event
# ("took part in a training", "resulted in the seizure", "went through training").
LIGHT_PREPOSITIONS = _pair_set("light_prepositions")
# "the seizure was the result of a joint operation by ...": the operation is asserted
OUTCOME_NOUNS = _word_set("outcome_nouns")
INTRODUCING_PREPOSITIONS = _word_set("introducing_prepositions")
ANCHOR_PREPOSITIONS = _word_set("anchor_prepositions")
TOPIC_PREPOSITIONS = _word_set("topic_prepositions")
CONTAINER_NOUNS = _word_set("container_nouns")
GENERIC_DETERMINERS = _word_set("generic_determiners")
GENERIC_MODIFIERS = _word_set("generic_modifiers")
NONCOMMITTAL_VERBS = _word_set("noncommittal_verbs")
PLANNING_ADJECTIVES = _word_set("planning_adjectives")
# "a meeting is planned for June", "the course is scheduled for February": present passive
# of a planning verb puts its subject in the future
PASSIVE_PLAN_VERBS = _word_set("passive_plan_verbs")
PREPARING_VERBS = _word_set("preparing_verbs")
PLAN_NOUNS = _word_set("plan_nouns")
PROGRAMME_NOUNS = _word_set("programme_nouns")
NONCOMMITTAL_ADJECTIVES = _word_set("noncommittal_adjectives")
# Participles that, attached to an event noun, say it took place ("the meeting, held on ...").
ACL_OCCURRENCE = _word_set("acl_occurrence")
# Verbs of effort whose perfect asserts the complement ("have worked to dismantle").
EFFORT_VERBS = _word_set("effort_verbs")
IMPLICATIVE_VERBS = _word_set("implicative_verbs")
MOTION_VERBS = _word_set("motion_verbs")
REPORTING_VERBS = _word_set("reporting_verbs")
DENIAL_VERBS = _word_set("denial_verbs")
# Matrix verbs whose complement is not asserted ("hoped the US would send police").
WISH_VERBS = _word_set("wish_verbs")
HEARSAY_NOUNS = _word_set("hearsay_nouns")
CONDITIONAL_MARKERS = _word_set("conditional_markers")
FUTURE_MODALS = _word_set("future_modals")
PROGRESS_ADJECTIVES = _word_set("progress_adjectives")
CURRENT_ADVERBS = _word_set("current_adverbs")
# "has trained police for many years", "have worked for decades to ...": a record of a
# practice, not one event; a counted span ("for two years") stays a dated record
SPAN_NOUNS = _word_set("span_nouns")
STATE_VERBS = _word_set("state_verbs")
ATTRIBUTION_HEADS = _word_set("attribution_heads")
SPEAKER_TITLES = _word_set("speaker_titles")
DISTINCT_MARKERS = _word_set("distinct_markers")
DISTINCT_ADVERBS = _word_set("distinct_adverbs")
HEADLINE_MAX_WORDS = 20

# Demonyms name the countries of participants who are not named agencies ("Thai police",
# "Chinese nationals"); the entity module does not count them as places.
DEMONYMS = _mapping("demonyms")

# --- Small parse helpers ---------------------------------------------------------------------


def _lemma(tok: Token) -> str:
    return tok.lemma_.lower()


def _children(tok: Token, *deps: str) -> list[Token]:
    return [c for c in tok.children if c.dep_ in deps]


def _prep_objects(tok: Token, *preps: str) -> list[Token]:
    """The objects of the token's prepositions `preps` ("the handover of 23 fugitives":
    "fugitives" for "of")."""
    return [
        p
        for prep in _children(tok, "prep")
        if _lemma(prep) in preps
        for p in _children(prep, "pobj")
    ]


def _has_child_lemma(tok: Token, deps: Iterable[str], lemmas: Iterable[str]) -> bool:
    deps, lemmas = set(deps), set(lemmas)
    return any(c.dep_ in deps and _lemma(c) in lemmas for c in tok.children)


def _particle(tok: Token) -> str | None:
    prt = _children(tok, "prt")
    return _lemma(prt[0]) if prt else None


def _is_verb(tok: Token) -> bool:
    return tok.pos_ in ("VERB", "AUX")


def _in_subtree(tok: Token, root: Token) -> bool:
    return root.left_edge.i <= tok.i <= root.right_edge.i and (
        tok == root or any(a == root for a in tok.ancestors)
    )


def _object_nouns(verb: Token) -> list[Token]:
    """Direct objects, passive subjects and their conjuncts."""
    out: list[Token] = []
    for c in verb.children:
        if c.dep_ in ("dobj", "nsubjpass", "attr", "oprd"):
            out.append(c)
            out.extend(t for t in c.conjuncts if t.i > c.i)
    return out


def _is_headline(span: Span) -> bool:
    """A headline or subheading: no closing punctuation and short."""
    text = span.text.strip()
    if not text or text[-1] in '.!?"”’)':
        return False
    words = [t for t in span if t.is_alpha]
    return 0 < len(words) <= HEADLINE_MAX_WORDS


# --- Trigger classification ------------------------------------------------------------------


def confirm_trigger(token: Token, matched: dict[str, str]) -> str | None:
    """The event type a token matched by the trigger patterns triggers in its context, or None.

    `matched` maps each sense check a pattern asked for ('headline', 'custody', 'verb',
    'noun') to the pattern's event type. Only the word and its immediate syntax are checked
    here ("sign up" is not an agreement, "scam operations" is not a police operation); whether
    the clause states an event is decided by the status component.
    """
    if _in_title_of_work(token):
        return None
    if "headline" in matched and _headline_verb(token) is not None:
        return matched["headline"]
    if _is_verb(token):
        if "custody" in matched:
            return matched["custody"]
        etype = matched.get("verb")
        return etype if etype is not None and _verb_sense_ok(token, _lemma(token), etype) else None
    etype = matched.get("noun")
    if etype is None:
        return None
    key = "mou" if token.lower_ in ("mou", "mous", "mou.") else token.lower_
    key = key if key in ("talks", "mou") else _lemma(token)
    return etype if _noun_sense_ok(token, key, etype) else None


HEADLINE_REQUESTS = _word_set("request_nouns_headline")


def _headline_verb(token: Token) -> str | None:
    """The event type of a capitalised headline word tagged as a proper noun ("Thai Police
    Arrest Alleged Smuggler, Will Extradite to US"), whose sense needs no parse to be read."""
    if token.tag_ != "NNP" or not token.is_title or token.lower_ not in HEADLINE_FORMS:
        return None
    return HEADLINE_FORMS[token.lower_] if _is_headline(token.sent) else None


def _in_title_of_work(token: Token) -> bool:
    """A capitalised verb inside a running sentence ("Meet the Fockers topped the chart") is
    part of a title or a name, not a predicate; headlines capitalise every word."""
    sent = token.sent
    return (
        token.pos_ in ("VERB", "AUX")
        and token.is_title
        and token.i != sent.start
        and token.doc[token.i - 1].text not in ('"', "“", "‘", "'", ":", "-", "–")
        and not _is_headline(sent)
    )


def _into_custody(tok: Token) -> bool:
    """ "was taken into custody", "placed in detention": an arrest without an arrest verb."""
    return _lemma(tok) in ("take", "place", "put") and any(
        _lemma(prep) in ("into", "in") and _lemma(obj) in CUSTODY_NOUNS
        for prep in _children(tok, "prep")
        for obj in _children(prep, "pobj")
    )


def _patients(verb: Token) -> list[Token]:
    """What a verb acts on; a conjoined verb without its own shares its first conjunct's
    ("Choi was arrested ... and handed over")."""
    objects = _object_nouns(verb)
    if not objects and verb.dep_ == "conj" and _is_verb(verb.head):
        objects = _object_nouns(verb.head)
    return objects


def _is_human(tok: Token) -> bool:
    """People by their noun or name ("68 people", "the suspects", "Le Van Thanh")."""
    return _lemma(tok) in HUMAN_NOUNS or tok.ent_type_ in ("PERSON", "NORP")


def _is_person(tok: Token) -> bool:
    """Who can be handed over: people, or a name or pronoun that is not a place ("Choi was
    arrested ... and handed over"; the tagger often takes a surname for an organisation)."""
    return (
        _is_human(tok)
        or tok.pos_ == "PROPN"
        and tok.ent_type_ not in ("GPE", "LOC", "FAC")
        or tok.tag_ == "PRP"
        and tok.lower_ not in ("it", "its")
    )


MEETABLE_TITLES = _word_set("meetable_titles")


def _is_rankable(tok: Token) -> bool:
    """What a ranking ranks: a country or a body, by name or by noun ("the kingdom", "it")."""
    return (
        tok.ent_type_ in ("GPE", "ORG")
        or tok.pos_ == "PROPN"
        and tok.ent_type_ != "PERSON"
        or _lemma(tok) in RANKABLE_NOUNS
    )


def _is_criminal(tok: Token) -> bool:
    """Who is on the wrong side of the law: "the suspect", "gang leaders", "members of a
    drug trafficking network", "al-Qaida leaders"."""
    if _lemma(tok) in CRIMINAL_PEOPLE:
        return True
    words = [t for t in tok.subtree if t.dep_ not in ("relcl", "acl")]
    if any(_lemma(t) in CRIMINAL_BODIES for t in words):
        return True
    if any(
        _lemma(t) in CRIMINAL_GROUPS
        and any(
            _lemma(m) in CRIMINAL_MODIFIERS for m in t.children if m.dep_ in ("compound", "amod")
        )
        for t in words
    ):
        return True
    text = tok.doc[tok.left_edge.i : tok.right_edge.i + 1].text.lower()
    return _criminal_organisations().search(text) is not None


@lru_cache(maxsize=1)
def _criminal_organisations() -> re.Pattern[str]:
    names = sorted(_word_set("criminal_organisations"), key=len, reverse=True)
    return re.compile(r"\b(?:{})\b".format("|".join(re.escape(n) for n in names)))


def _is_party(tok: Token) -> bool:
    """A person, an official or a body that can be met, not a place."""
    if tok.ent_type_ in ("GPE", "LOC", "FAC"):
        return False
    return (
        _is_human(tok)
        or tok.ent_type_ == "ORG"
        or _lemma(tok) in LAW_ENFORCEMENT_ORGS | SPEAKER_TITLES | MEETABLE_TITLES
        or tok.pos_ == "PROPN"
        and tok.ent_type_ in ("PERSON", "")
    )


def _office_of_party(tok: Token) -> bool:
    """An office named after its body: "the FBI office", "the headquarters of the police"."""
    if _lemma(tok) not in OFFICE_NOUNS:
        return False
    return any(
        c.dep_ == "compound" and _is_party(c) and c.ent_type_ not in ("GPE", "LOC")
        for c in tok.children
    ) or any(_is_party(p) for p in _prep_objects(tok, "of"))


def _returned_someone(tok: Token) -> bool:
    passive = _children(tok, "nsubjpass")
    if passive:
        return any(_is_person(p) for p in passive)
    return any(_is_person(o) for o in _children(tok, "dobj")) and any(
        _lemma(p) == "to" for p in _children(tok, "prep")
    )


def _search_find(tok: Token, objects: list[Token]) -> bool:
    """ "police found about 120 mobile phones", "300 kg of heroin was found in a truck": what
    a search turned up, counted; not "the study found", "found guilty" or "found 3 bodies"."""
    if any(_lemma(o) in PERSON_NOUNS | {"body", "victim", "remains", "people"} for o in objects):
        return False
    if any(_lemma(o) in ILLICIT_SITES for o in objects):
        return True

    def goods(region: Token) -> bool:
        text = tok.doc[region.left_edge.i : region.right_edge.i + 1].text
        return any(q.unit != "people" for q in find_quantities(text))

    passive = _children(tok, "nsubjpass")
    if passive and not _children(tok, "agent"):
        return goods(passive[0])
    if objects and goods(objects[0]):
        # "they found 3.5 kg of cocaine and $20,000 in cash": drugs or money by the amount
        return True
    finders = _children(tok, "nsubj") + [
        p for agent in _children(tok, "agent") for p in _children(agent, "pobj")
    ]
    return (
        any(
            _lemma(f) in LAW_ENFORCEMENT_NOUNS
            or f.ent_type_ == "ORG"
            and any(_lemma(t) in LAW_ENFORCEMENT_ORGS for t in f.subtree)
            for f in finders
        )
        and bool(objects)
        and any(c.dep_ == "nummod" for c in objects[0].children)
    )


def _verb_sense_ok(tok: Token, lemma: str, etype: str) -> bool:
    prt = _particle(tok)
    objects = _object_nouns(tok)
    obj_lemmas = {_lemma(o) for o in objects}
    if lemma in ("hand", "turn"):
        # "handed over 23 nationals to Vietnamese police", "turned the suspects over to",
        # "handed them to Chinese police": a surrender of people
        patients = _patients(tok)
        to_someone = lemma == "hand" and any(_lemma(p) == "to" for p in _children(tok, "prep"))
        return (
            (prt == "over" or to_someone)
            and bool(patients)
            and all(_is_person(p) for p in patients)
        )
    if lemma == "round":
        # "rounded up 50 suspects", not "rounded up the figures"
        return prt == "up" and bool(objects) and all(_is_person(o) for o in objects)
    if lemma == "dismantle":
        # "dismantled eight trafficking rings": an operation against a group, not a policy
        return bool(obj_lemmas & CRIMINAL_GROUPS)
    if lemma in ("break", "smash"):
        # "broke (up) a local cell of the network", "smashed a drug ring": not "broke the
        # record" or "broke up the band"
        groups = objects + [p for o in objects for p in _prep_objects(o, "of")]
        return prt in (None, "up") and any(_lemma(g) in CRIMINAL_GROUPS for g in groups)
    if lemma in ("find", "discover"):
        # "found a lab producing meth": the parser makes the object the subject of a clause
        found = objects + [
            s for c in _children(tok, "ccomp") if c.tag_ == "VBG" for s in _children(c, "nsubj")
        ]
        if tok.dep_ == "acl" and tok.tag_ == "VBN":
            # "4 tons of chemicals found in two raids": the participle's noun, with its
            # measure, was found
            owner = tok.head
            if (
                owner.dep_ == "pobj"
                and _lemma(owner.head) == "of"
                and owner.head.head.pos_ == "NOUN"
            ):
                owner = owner.head.head
            found.append(owner)
        return _search_find(tok, found)
    if lemma == "return":
        # "was returned to the United States", "returned the fugitive to Korea": someone sent
        # back, not a traveller who "returned home"
        return _returned_someone(tok)
    if lemma == "order":
        # "ordered 47 foreigners out": an expulsion
        return any(c.lower_ == "out" for c in tok.children) and any(_is_person(o) for o in objects)
    if lemma == "visit":
        # an official's visit to another official or a body ("visited the FBI office"), or a
        # trip made for talks ("visited Phnom Penh to discuss ..."); not a tour of a country
        # or a site
        return any(_is_party(o) or _office_of_party(o) for o in objects) or any(
            _lemma(c) in TALK_VERBS and _has_child_lemma(c, ("aux",), ("to",))
            for c in _children(tok, "advcl", "xcomp")
        )
    if lemma == "call":
        # "called on the police chief": a courtesy call; "called on Thailand to act" is a plea
        return (
            prt is None
            and not _children(tok, "xcomp", "ccomp")
            and any(
                _lemma(prep) == "on" and any(_is_party(o) for o in _children(prep, "pobj"))
                for prep in _children(tok, "prep")
            )
        )
    following = [t.lower_ for t in tok.doc[tok.i + 1 : tok.i + 3]]
    if lemma == "hold" and (
        following == ["to", "account"]
        or following[:1] in (["accountable"], ["responsible"], ["liable"])
    ):
        # "will be held to account", "held responsible": answerable, not detained
        return False
    if etype == "ranking":
        # "ranked 140th": a place in the order, and the subject is what is ranked
        ranked = [
            p for p in _patients(tok) if p.ent_type_ not in ("ORDINAL", "CARDINAL")
        ] or _children(tok, "nsubj")
        # "all 68 people had been blacklisted from re-entering": an entry ban, not a ranking;
        # "protections were downgraded", "I upgraded to broadband": no country or body ranked
        return not any(_is_human(r) for r in ranked) and any(_is_rankable(r) for r in ranked)
    if lemma == "crack":
        return prt == "down" or any(c.lower_ == "down" for c in tok.children)
    if lemma == "set":
        return prt == "up" and bool(obj_lemmas & OFFICE_NOUNS) or _office_head(tok)
    if etype == "office_opening":
        return bool(obj_lemmas & OFFICE_NOUNS) or _office_head(tok)
    if lemma in ("sign", "ink"):
        if prt in ("up", "off", "in", "out"):
            return False
        return any(_agreement_object(tok, o) for o in objects) or _agreement_head(tok)
    if lemma in ("agree", "concur"):
        # "agreed to boost", "agreed on measures", "concurred with the proposal" - not the
        # opinion in "agreed that the problem is serious"
        if _children(tok, "dobj"):
            return True
        if _children(tok, "xcomp"):
            # "the two sides agreed to boost": an agreement needs two parties; "the judge
            # agreed to allow" or "the coalition agreed to suspend" is one party's consent
            return _several_parties(tok)
        return any(
            _lemma(prep) in ("on", "upon")
            or _lemma(prep) == "with"
            and any(_lemma(p) in PROPOSAL_NOUNS for p in _children(prep, "pobj"))
            for prep in _children(tok, "prep")
        )
    if lemma == "meet":
        # "met the deadline" is no meeting, and neither is a suspect's meeting with gang
        # leaders: cooperation needs officials on both sides
        parties = _children(tok, "nsubj") + _prep_objects(tok, "with")
        return not obj_lemmas & MEET_NON_OBJECTS and not any(
            _is_criminal(p) for p in parties + objects
        )
    if lemma in ("catch", "capture", "hold", "seize", "confiscate", "intercept") and (
        obj_lemmas & NON_HUMAN_OBJECTS
    ):
        return False
    if lemma in ("catch", "capture", "hold"):
        if lemma == "hold" and not obj_lemmas & PERSON_NOUNS:
            return False
        return bool(objects) or tok.tag_ == "VBN"
    if lemma == "check":
        return prt not in ("in", "out")
    if lemma == "recover":
        # "recovered evidence/drugs", not "recovered bodies" or "recovered from injuries"
        return bool(objects) and not obj_lemmas & (PERSON_NOUNS | {"body", "victim", "remains"})
    if lemma in ("escort", "send", "fly"):
        # "escorted back to China", "sent the suspects home": a repatriation of someone, not
        # any escort or flight ("decided to fly back home" is the travellers' own)
        returning = any(c.lower_ in ("back", "home") for c in tok.children)
        passive = bool(_children(tok, "auxpass", "nsubjpass"))
        objects_ok = any(_is_person(p) for p in _children(tok, "dobj"))
        return returning and etype == "deportation" and (passive or objects_ok)
    if lemma == "net":
        # "the raid netted 300 grams": only when a raid nets something measurable
        subjects = _children(tok, "nsubj")
        return any(NOUN_TRIGGERS.get(_lemma(x)) == "operation" for x in subjects) or any(
            any(c.like_num for c in o.subtree) for o in objects
        )
    if lemma in ("rank",):
        return tok.dep_ not in ("amod", "compound") and not tok.lower_.startswith("high")
    if lemma == "raid":
        return bool(objects) or tok.tag_ == "VBN"
    if lemma == "rescue":
        # "rescued 80 women from a hotel": a raid that freed people, not "rescued the talks"
        return any(_is_human(p) for p in _patients(tok))
    return True


PLURAL_PRONOUNS = _word_set("plural_pronouns")


def _several_parties(verb: Token) -> bool:
    """The verb's subject names more than one party ("Cambodia and Vietnam", "the two
    sides", "they"), or a partner follows "with" ("agreed to boost cooperation with Laos")."""
    tok = verb
    while tok.dep_ in ("conj", "xcomp") and _is_verb(tok.head) and tok.head != tok:
        tok = tok.head
    subjects = _children(tok, "nsubj")
    if any(t.dep_ == "prep" and _lemma(t) == "with" for t in verb.subtree):
        return True
    return any(
        s.tag_ in ("NNS", "NNPS") or _lemma(s) in PLURAL_PRONOUNS or s.conjuncts for s in subjects
    )


AMENDMENT_NOUNS = _word_set("amendment_nouns")


def _agreement_object(verb: Token, obj: Token) -> bool:
    """What is signed is an agreement: an agreement noun, an amendment or extension of one
    ("signed an amendment to the 2015 MoU"), or an agreement given through "of" ("signed the
    text of the treaty")."""
    if _lemma(obj) in AGREEMENT_NOUNS:
        return True
    holders = [obj, verb] if _lemma(obj) in AMENDMENT_NOUNS else [obj]
    return any(
        _lemma(p) in AGREEMENT_NOUNS
        for holder in holders
        for prep in _children(holder, "prep")
        if _lemma(prep) in ("of", "to") and (holder is obj or _lemma(prep) == "to")
        for p in _children(prep, "pobj")
    )


def _office_head(tok: Token) -> bool:
    return tok.dep_ in ("acl", "relcl") and _lemma(tok.head) in OFFICE_NOUNS


def _agreement_head(tok: Token) -> bool:
    return tok.dep_ in ("acl", "relcl") and _lemma(tok.head) in AGREEMENT_NOUNS


def _tier_number(tok: Token) -> bool:
    """ "Tier 2", "Tier-3": a tier with its number."""
    return any(c.like_num for c in tok.children) or any(
        t.like_num for t in tok.doc[tok.i + 1 : tok.i + 3]
    )


def _noun_sense_ok(tok: Token, key: str, etype: str) -> bool:
    mods = {_lemma(c) for c in tok.children if c.dep_ in ("compound", "amod", "nmod")}
    ranked = key == "tier" and _tier_number(tok)
    if (
        tok.dep_ in ("compound", "amod", "nmod")
        and _lemma(tok.head) not in EVENT_HEAD_NOUNS
        and not ranked
    ):
        # "training support" is an attribute; "a Tier 2 country" states a ranking
        return False
    if key == "operation":
        if mods & CRIMINAL_MODIFIERS:
            return False
        head = tok.head
        if tok.dep_ in ("dobj", "nsubjpass") and _lemma(head) in (
            "run",
            "oversee",
            "organise",
            "organize",
            "manage",
        ):
            return False
        if tok.dep_ == "pobj" and _lemma(head) == "into":
            return False
    if key == "course":
        # "took part in a course on ..." is a training; "of course", "in due course" and "in
        # the course of the investigation" are not
        idiom = tok.dep_ == "pobj" and (
            _lemma(tok.head) == "of"
            or _lemma(tok.head) == "in"
            and ("due" in mods or any(_lemma(p) == "of" for p in _children(tok, "prep")))
        )
        return (
            tok.dep_ in ("dobj", "nsubjpass", "pobj", "nsubj", "conj")
            and not idiom
            or bool(mods & {"training"})
        )
    if key == "check":
        return tok.tag_ == "NNS" or bool(mods)
    if key in ("opening", "inauguration", "establishment", "launch"):
        return any(_lemma(p) in OFFICE_NOUNS for p in _prep_objects(tok, "of"))
    if key == "signing":
        return (
            any(_lemma(p) in AGREEMENT_NOUNS for p in _prep_objects(tok, "of"))
            or _lemma(tok.head) == "ceremony"
        )
    if key == "list":
        return bool(mods & LIST_MODIFIERS) or any(
            c.lower_ in ("grey", "gray", "black", "watch") for c in tok.lefts
        )
    if key == "tier":
        return _tier_number(tok)
    if key in ("rank", "ranking"):
        return tok.dep_ not in ("compound", "amod") and not tok.lower_.startswith("high")
    if key == "negotiation":
        return True
    if key == "forum":
        # "provided a forum for buyers", "an online forum": a platform, not a gathering
        return not mods & PLATFORM_MODIFIERS and not (
            tok.dep_ in ("dobj", "attr", "pobj") and _lemma(tok.head) in PLATFORM_HEADS
        )
    if key == "call":
        # "paid a courtesy call on the minister": a meeting; any other call is not
        return "courtesy" in mods
    if key == "visit":
        # "paid a visit to the police chief": a meeting with an official or a body, not a
        # trip to a country or a site
        return any(
            _is_party(p)
            for prep in _children(tok, "prep")
            if _lemma(prep) in ("to", "with", "on")
            for p in _children(prep, "pobj")
        )
    if key == "handover":
        # "the handover of 23 fugitives", not "the handover of power" or "equipment handover"
        of_objects = _prep_objects(tok, "of")
        things = [c for c in tok.children if c.dep_ == "compound" and c.pos_ == "NOUN"]
        # people must be named: "the handover ceremony" of a warehouse hands over a building
        named = of_objects or [c for c in things if _is_human(c)]
        return (
            bool(named)
            and all(_is_person(p) for p in of_objects)
            and not any(not _is_human(c) for c in things)
        )
    if key in ("evaluation", "assessment"):
        return bool(mods & EVALUATION_MODIFIERS) or any(
            _lemma(prep) == "by" for prep in _children(tok, "prep")
        )
    if key == "haul":
        return tok.dep_ != "ROOT"
    return True


# --- Clause status ---------------------------------------------------------------------------

_HAPPENED, _ONGOING, _PLANNED = "happened", "ongoing", "planned"
_GENERIC, _IRREALIS, _NEGATED = "generic", "irrealis", "negated"
_EVENTIVE = (_HAPPENED, _ONGOING, _PLANNED)


def _own_tense(verb: Token) -> str | None:
    """Status from the verb's own tense and auxiliaries; None when it has no finite form."""
    auxes = _children(verb, "aux", "auxpass")
    aux_lemmas = [_lemma(a) for a in auxes]
    aux_lower = [a.lower_ for a in auxes]
    if any(a.tag_ == "MD" for a in auxes):
        if any(a in FUTURE_MODALS for a in aux_lower + aux_lemmas):
            return _PLANNED
        return _IRREALIS
    if any(a.lower_ == "going" for a in auxes) or (
        _lemma(verb) == "go" and verb.tag_ == "VBG" and _children(verb, "xcomp")
    ):
        return _PLANNED
    finite = [a for a in auxes if a.tag_ in ("VBD", "VBZ", "VBP")]
    if verb.tag_ in ("VBD", "VBZ", "VBP") and not auxes:
        return _HAPPENED if verb.tag_ == "VBD" else _GENERIC
    if not finite:
        return None
    past = any(a.tag_ == "VBD" for a in finite)
    perfect = "have" in aux_lemmas
    progressive = verb.tag_ == "VBG" and "be" in aux_lemmas
    if perfect and progressive:
        return _ONGOING
    if past:
        if progressive and _lemma(verb) in PLAN_VERBS:
            return _PLANNED
        return _HAPPENED
    if perfect:
        return _HAPPENED
    if progressive:
        return _PLANNED if _lemma(verb) in PLAN_VERBS else _ONGOING
    if (
        verb.tag_ == "VBN"
        and _children(verb, "auxpass")
        and _lemma(verb) in PASSIVE_PLAN_VERBS
        and _particle(verb) is None
    ):
        return _PLANNED
    return _GENERIC


def _perfect(verb: Token) -> bool:
    return verb.tag_ == "VBN" and any(_lemma(a) == "have" for a in _children(verb, "aux"))


def _uncounted_span(verb: Token) -> bool:
    """ "for many years", "for decades", "over the years": how long a practice has gone on,
    without a count."""
    return any(
        _lemma(prep) in ("for", "over")
        and _lemma(span) in SPAN_NOUNS
        and not any(c.like_num for c in span.subtree)
        for prep in _children(verb, "prep")
        for span in _children(prep, "pobj")
    )


def _such_as(as_token: Token) -> bool:
    """ "such as" or "as such": the example marker, not "as" of role or comparison."""
    before = as_token.doc[as_token.i - 1] if as_token.i > 0 else None
    return (before is not None and before.lower_ == "such") or any(
        c.lower_ == "such" for c in as_token.children
    )


def _marks(tok: Token) -> set[str]:
    return {_lemma(c) for c in tok.children if c.dep_ in ("mark", "advmod") and c.i < tok.i}


def _backshifted_future(verb: Token) -> bool:
    """ "said the committee would hold a meeting": reported speech shifts "will" to "would"
    after a past reporting verb; elsewhere "would" is hypothetical."""
    if not any(a.lower_ == "would" for a in _children(verb, "aux")):
        return False
    tok = verb
    while tok.dep_ == "conj" and _is_verb(tok.head) and tok.head != tok:
        tok = tok.head
    head = tok.head
    return (
        tok.dep_ in ("ccomp", "parataxis")
        and _is_verb(head)
        and _lemma(head) in REPORTING_VERBS
        and head.tag_ in ("VBD", "VBN", "VBG")
        and not _children(head, "neg")
        and not _conditional(tok)
    )


def _conditional(verb: Token) -> bool:
    """An if-clause itself, or a clause that depends on one ("If they flee, police will...")."""
    return bool(_marks(verb) & CONDITIONAL_MARKERS) or any(
        c.dep_ == "advcl" and _marks(c) & CONDITIONAL_MARKERS for c in verb.children
    )


def _status_of(verb: Token, headline: bool, depth: int = 0) -> str:
    """Eventive status of a verb's clause, following non-finite verbs up to their governor."""
    if _children(verb, "neg"):
        return _NEGATED
    if _conditional(verb):
        return _IRREALIS
    own = _own_tense(verb)
    if own is not None:
        if own == _GENERIC and headline:
            return _HAPPENED
        if own == _GENERIC and _has_child_lemma(
            verb, ("acomp", "advmod", "prep"), PROGRESS_ADJECTIVES
        ):
            return _ONGOING
        if own == _IRREALIS and _backshifted_future(verb):
            return _PLANNED
        if own == _HAPPENED and _perfect(verb) and _uncounted_span(verb):
            return _GENERIC
        return own
    head = verb.head
    has_to = any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
    if head == verb or depth > 6:
        if headline:
            return _PLANNED if has_to else _HAPPENED
        return _GENERIC
    dep = verb.dep_
    if headline and has_to and not _is_verb(head):
        return _PLANNED
    if headline and verb.tag_ == "VBN" and dep in ("acl", "ROOT", "relcl"):
        return _HAPPENED
    if dep == "pcomp" and head.lower_ == "as" and _such_as(head):
        # "tasks such as raiding casinos": an instance of what the outer clause states
        return _status_of_noun_clause(head.head, headline, depth + 1)
    if dep == "pcomp" and head.pos_ == "ADP":
        # "after cracking down ..., they confiscated" inherits; "responsible for checking"
        # or "efforts in tackling" names an activity, not an event.
        if _lemma(head) in ("without", "instead", "against"):
            return _NEGATED
        if _is_verb(head.head):
            return _status_of(head.head, headline, depth + 1)
        return _GENERIC
    if not _is_verb(head) and head.pos_ != "ADJ":
        if has_to:
            # "taking steps to deport" is planned; "a programme to provide training" shares
            # the programme's fate; "efforts to arrest" or "the objective to work" does not.
            if _lemma(head) in PLAN_NOUNS | PROPOSING_NOUNS:
                # "the proposal to hold a joint meeting"; a request is not yet a plan
                return _PLANNED
            arranger = head.head
            if (
                head.dep_ in ("dobj", "nsubjpass")
                and _is_verb(arranger)
                and _lemma(arranger) in PREPARING_VERBS
                and _status_of(arranger, headline, depth + 1) in _EVENTIVE
            ):
                # "is arranging a chartered flight to repatriate the suspects"
                return _PLANNED
            if _lemma(head) in PROGRAMME_NOUNS:
                outer = _status_of_noun_clause(head, headline, depth + 1)
                return _ONGOING if outer == _HAPPENED else outer
            return _IRREALIS
        if dep in ("acl", "relcl") and verb.tag_ == "VBN":
            own_date = _own_date_text(verb)
            if dep == "acl" and own_date is not None:
                # "37 suspects, arrested in Kampot last week, are ...": a reduced relative
                # with its own time states its own event, whatever the main clause says
                if _lemma(verb) in PASSIVE_PLAN_VERBS or _FUTURE_DATE.search(own_date):
                    return _PLANNED
                return _HAPPENED
            return _status_of_noun_clause(head, headline, depth + 1)
        return _GENERIC
    if head.pos_ == "ADJ":
        if _lemma(head) in PLANNING_ADJECTIVES:
            return _PLANNED
        if _lemma(head) in NONCOMMITTAL_ADJECTIVES:
            return _IRREALIS
        return _status_of(head.head, headline, depth + 1) if _is_verb(head.head) else _GENERIC
    head_lemma = _lemma(head)
    if dep == "conj" and verb.tag_ == "VB" and head.tag_ in ("VBD", "VBZ", "VBP"):
        # A bare infinitive cannot share a finite verb's tense: the parser attached an
        # infinitive list ("assigned to monitor, investigate and crack down") too high.
        return _IRREALIS
    head_status = _status_of(head, headline, depth + 1)
    if head_status in (_NEGATED, _IRREALIS):
        return head_status
    if dep == "xcomp" or (dep in ("advcl", "ccomp") and has_to):
        if head_lemma in PLAN_VERBS and head_lemma not in ("seek", "request"):
            return _PLANNED
        if any(_lemma(o) in PLAN_NOUNS | {"measure", "action"} for o in _children(head, "dobj")):
            # "taking steps to deport", "took measures to inspect"
            return _PLANNED
        if head_lemma in EFFORT_VERBS and _perfect(head):
            # "have worked to dismantle ...": a record of what was done
            return head_status
        if dep == "advcl":
            return head_status if head_lemma in MOTION_VERBS else _IRREALIS
        # Only implicative verbs assert their complement ("continued to object", "managed
        # to arrest"); "assigned to crack down" or "wants to inspect" does not.
        if head_lemma in IMPLICATIVE_VERBS or head_lemma in MOTION_VERBS:
            return head_status
        return _IRREALIS
    if dep == "pcomp":
        return head_status
    return head_status


_FUTURE_DATE = re.compile(r"\b(?:next|coming|upcoming|tomorrow|later|following)\b", re.I)


def _own_date_text(verb: Token) -> str | None:
    """The date phrase attached directly to a verb ("arrested ... last week", "signed ... in
    1993"), or None."""
    for child in verb.children:
        if child.dep_ == "npadvmod" and child.ent_type_ == "DATE":
            return " ".join(t.text for t in child.subtree)
        if child.dep_ == "prep" and _lemma(child) in ("in", "on", "during", "at"):
            for obj in _children(child, "pobj"):
                if obj.ent_type_ == "DATE" and _DATE_WORD.search(obj.text):
                    return " ".join(t.text for t in child.subtree)
    return None


def _status_of_noun_clause(noun: Token, headline: bool, depth: int) -> str:
    """Status of the clause a noun phrase belongs to (for participles modifying it)."""
    tok = noun
    while tok.head != tok and not _is_verb(tok):
        tok = tok.head
    if _is_verb(tok):
        return _status_of(tok, headline, depth)
    return _HAPPENED if headline else _GENERIC


def detect_status(
    span: Span, trigger: Token | None = None, published_at: date | datetime | None = None
) -> str | None:
    """Status of the event a sentence states: "happened", "ongoing" or "planned".

    `trigger` picks the event when the sentence states several (default: the first trigger
    the pipeline's `event_triggers` component found). None when the sentence states no event:
    generic, negated, hypothetical or conditional clauses, wishes, time anchors and topics.
    """
    if trigger is None:
        candidates = _trigger_candidates(span, [])
        if not candidates:
            return None
        trigger = candidates[0].root
    found = _assess(read_clause(trigger), _as_date(published_at))
    return found.status if found else None


@dataclass
class _Anchor:
    """How a trigger is tied to the clause that states it."""

    trigger: Token
    governor: Token | None  # the verb whose tense and modality decide the status
    relation: str  # 'verb', 'subj', 'obj', 'pp', 'plan', 'exist', 'acl', 'state'
    scope_root: Token  # the subtree holding participants, date and place


def _climb_transparent(noun: Token) -> Token:
    """Skip coordination, apposition and container nouns ("a series of meetings")."""
    tok = noun
    for _ in range(8):
        if tok.dep_ == "conj" and tok.head.pos_ in ("NOUN", "PROPN"):
            tok = tok.head
            continue
        if tok.dep_ == "appos":
            tok = tok.head
            continue
        if (
            tok.dep_ == "pobj"
            and _lemma(tok.head) == "of"
            and _lemma(tok.head.head) in CONTAINER_NOUNS
        ):
            tok = tok.head.head
            continue
        if tok.dep_ in ("compound", "amod", "nmod") and _lemma(tok.head) in EVENT_HEAD_NOUNS:
            tok = tok.head
            continue
        break
    return tok


def _anchor(trigger: Token) -> _Anchor | None:
    if _headline_verb(trigger) is not None:
        return _Anchor(trigger, trigger, "headline", trigger)
    if _is_verb(trigger):
        return _Anchor(trigger, trigger, "verb", trigger)
    return _noun_anchor(trigger) or _header_anchor(trigger)


def _header_anchor(trigger: Token) -> _Anchor | None:
    """A verbless header line names its occasion ("Regional Workshop on Border Control,
    12 March 2021", "Remarks at the Police Training"): the line itself is the statement, when
    it dates or places the occasion or names it as where remarks were made."""
    sent = trigger.sent
    if not _is_headline(sent) or any(_is_verb(t) and t.tag_ != "VBG" for t in sent):
        return None
    noun = _climb_transparent(trigger)
    occasion = noun.dep_ == "pobj" and _lemma(noun.head) in ("at", "during")
    placed = any(
        sent.start <= span.start and span.end <= sent.end
        for span in sent.doc.spans.get("place_names", ())
    )
    if not occasion and not placed and not any(t.ent_type_ in ("DATE", "GPE") for t in sent):
        # "Law Enforcement Training" over a section of a fact sheet is its topic
        return None
    return _Anchor(trigger, sent.root, "header", sent.root)


def _noun_anchor(trigger: Token) -> _Anchor | None:
    noun = _climb_transparent(trigger)
    if noun is trigger and trigger.dep_ in ("compound", "nmod", "amod"):
        # "Cambodia is a Tier 2 country", "remains a Tier 2 Watch List country": the clause of
        # the noun the modifiers rank
        ranked = trigger.head
        while ranked.dep_ in ("compound", "nmod", "amod") and ranked.head is not ranked:
            ranked = ranked.head
        if ranked.dep_ in ("attr", "oprd") and _is_verb(ranked.head):
            return _Anchor(trigger, ranked.head, "state", ranked.head)
    anchor = _clause_anchor(trigger, noun)
    if anchor is not None:
        return anchor
    in_anchor = noun.dep_ == "pobj" and _lemma(noun.head) in ANCHOR_PREPOSITIONS
    if in_anchor and _is_time_anchor(_lemma(noun.head), noun):
        # "during the ASEAN Summit hosted by Cambodia" times another statement
        return None
    for child in noun.children:
        # "The meeting, conducted on November 7, ..." / "The workshop, which took place ..."
        if child.dep_ in ("acl", "relcl") and _is_verb(child) and _lemma(child) in ACL_OCCURRENCE:
            subj_is_noun = child.dep_ == "acl" or any(
                c.dep_ in ("nsubj", "nsubjpass") and c.tag_ in ("WDT", "WP") for c in child.children
            )
            if subj_is_noun:
                return _Anchor(trigger, child, "acl", noun)
    return _stray_participle(trigger, noun)


def _stray_participle(trigger: Token, noun: Token) -> _Anchor | None:
    """ "the framework of the Mekong MOU, signed by ... in 1993": the parser hangs the
    participle on the outer noun, but only the event noun can be signed. A participle of the
    trigger's own type after an of-phrase belongs to the trigger."""
    if noun.dep_ != "pobj" or _lemma(noun.head) != "of":
        return None
    etype = NOUN_TRIGGERS.get(_lemma(noun)) or NOUN_TRIGGERS.get(_lemma(trigger))
    owner = noun.head.head
    for child in owner.children:
        if (
            child.dep_ == "acl"
            and child.tag_ == "VBN"
            and child.i > noun.right_edge.i
            and etype is not None
            and VERB_TRIGGERS.get(_lemma(child)) == etype
        ):
            return _Anchor(trigger, child, "stray", child)
    return None


def _clause_anchor(trigger: Token, noun: Token) -> _Anchor | None:
    dep, head = noun.dep_, noun.head
    if dep in ("nsubj", "nsubjpass") and _is_verb(head):
        lem = _lemma(head)
        if _children(head, "oprd", "acomp") and lem in ("make", "find", "keep", "render"):
            return None
        if lem in RESULT_VERBS:
            return _Anchor(trigger, head, "result", head)
        if lem in OCCURRENCE_VERBS or (dep == "nsubjpass" and lem in LIGHT_VERBS):
            return _Anchor(trigger, head, "subj", head)
        if lem == "be":
            if _has_child_lemma(head, ("acomp", "advmod", "prep"), PROGRESS_ADJECTIVES):
                return _Anchor(trigger, head, "state", head)
            if head.tag_ == "VBD" or any(a.tag_ == "VBD" for a in _children(head, "aux")):
                return _Anchor(trigger, head, "subj", head)
        return None
    if dep == "dobj" and head.dep_ == "ROOT" and not _is_verb(head) and _is_headline(head.sent):
        # title case misleads the tagger: "FBI Wraps Up Post Blast Training"
        return _Anchor(trigger, head, "obj", head)
    if dep in ("dobj", "attr", "oprd") and _is_verb(head):
        lem = _lemma(head)
        if dep == "attr" and lem == "be" and _children(head, "expl"):
            return _Anchor(trigger, head, "exist", head)
        if lem in LIGHT_VERBS or lem in VERB_TRIGGERS and lem not in ("hold",):
            if lem in ("take",) and _lemma(noun) not in ("course", "training", "part"):
                return None
            return _Anchor(trigger, head, "obj", head)
        return None
    if dep == "dobj" and head.lower_ == "following" and head.dep_ in ("prep", "advcl", "pcomp"):
        # the tagger reads the preposition "following the raid" as a participle
        dep, head = "pobj", head
    if dep == "pobj" and head.dep_ in ("prep", "agent", "dative", "advcl", "pcomp"):
        prep = head.lower_ if head.lower_ in ANCHOR_PREPOSITIONS else _lemma(head)
        governor = head.head
        if prep in ANCHOR_PREPOSITIONS and _is_time_anchor(prep, noun):
            return None
        if governor.pos_ in ("NOUN", "PROPN") and _lemma(governor) == "part":
            governor = governor.head
            prep = "in"
        cause = _causal_clause(governor)
        if cause is not None:
            # "have updated their skills thanks to a series of meetings": a cause is asserted
            return _Anchor(trigger, cause, "pp", cause)
        if (
            prep == "of"
            and _lemma(governor) in OUTCOME_NOUNS
            and governor.dep_ in ("attr", "nsubj")
            and _is_verb(governor.head)
        ):
            # "the seizure was the result of a joint operation by ..."
            return _Anchor(trigger, governor.head, "outcome", governor.head)
        if not _is_verb(governor):
            return None
        if prep in ANCHOR_PREPOSITIONS:
            return _Anchor(trigger, governor, "pp", governor)
        glem = _lemma(governor)
        if (glem, prep) in LIGHT_PREPOSITIONS:
            return _Anchor(trigger, governor, "pp", governor)
        if prep == "for" and (
            glem in PLAN_VERBS
            or any(
                _lemma(c) in ("plan", "preparation", "arrangement")
                for c in governor.children
                if c.dep_ in ("nsubj", "nsubjpass")
            )
        ):
            return _Anchor(trigger, governor, "plan", governor)
        if prep in ("in", "on", "to", "from", "off") and NOUN_TRIGGERS.get(_lemma(noun)) == (
            "ranking"
        ):
            return _Anchor(trigger, governor, "state" if glem == "be" else "verb", governor)
        if prep in ("in",) and VERB_TRIGGERS.get(glem) in ("arrest", "seizure"):
            return _Anchor(trigger, governor, "pp", governor)
        return None
    return None


CAUSAL_HEADS = _word_set("causal_heads")


def _causal_clause(governor: Token) -> Token | None:
    """The verb a causal phrase ("thanks to", "due to", "as a result of") hangs on."""
    if _is_verb(governor) or _lemma(governor) not in CAUSAL_HEADS:
        return None
    head = governor.head
    if head.pos_ == "ADP" and head.head != head:
        head = head.head
    return head if _is_verb(head) and head != governor else None


def _is_time_anchor(prep: str, noun: Token) -> bool:
    """ "after the meeting", "during the ASEAN Summit", "before an arrest" time another
    statement; "following a joint operation" or "following the opening of an FBI office in
    2008" introduces its event."""
    if prep not in INTRODUCING_PREPOSITIONS:
        return True
    # "following the joint operation" or "after the raid" introduces the event it names
    # (a restatement folds into the earlier statement); a named occasion ("after the ASEAN
    # Summit") only times another statement
    return noun.pos_ == "PROPN" or any(
        c.dep_ == "compound" and c.pos_ == "PROPN" for c in noun.children
    )


def _refine_status(anchor: _Anchor, status: str) -> str:
    """Planning predicates make their event planned ("preparing inspections")."""
    if status not in _EVENTIVE:
        return status
    if anchor.relation == "plan":
        return _PLANNED
    if anchor.relation == "obj" and _lemma(anchor.governor) in PREPARING_VERBS:
        return _PLANNED
    return status


# --- Context filters -------------------------------------------------------------------------


def _blocked_by_context(governor: Token) -> bool:
    """Denials, conditionals, negated or non-committal matrix clauses above the governor."""
    tok = governor
    for _ in range(12):
        if tok.head == tok:
            return False
        dep, head = tok.dep_, tok.head
        hl = _lemma(head)
        if _conditional(tok) or hl in DENIAL_VERBS and dep in ("ccomp", "xcomp", "pcomp", "advcl"):
            # "denied that ..." blocks its complement, not a verb coordinated with it or its
            # subject ("suspects, detained ..., were questioned ... and will be deported")
            return True
        if _is_verb(head) and hl in REPORTING_VERBS:
            # what a source reports is asserted, unless the source "did not say"
            return bool(_children(head, "neg"))
        if (
            dep in ("ccomp", "xcomp", "advcl")
            and _is_verb(head)
            and (_children(head, "neg") or hl in WISH_VERBS or _own_tense(head) == _IRREALIS)
        ):
            return True
        if head.pos_ in ("NOUN", "PROPN") and hl in HEARSAY_NOUNS:
            return True
        if dep in ("acl", "ccomp") and _has_child_lemma(head, ("det",), ("no",)):
            # "there has been no confirmation that he met ...": what no source confirms
            return True
        tok = head
    return False


def _is_generic_noun(trigger: Token) -> bool:
    noun = _climb_transparent(trigger)
    for tok in {trigger, noun}:
        for c in tok.children:
            if c.dep_ in ("det", "predet") and _lemma(c) in GENERIC_DETERMINERS:
                return True
            if c.dep_ == "amod" and _lemma(c) in GENERIC_MODIFIERS:
                return True
    return False


def _is_topic(trigger: Token) -> bool:
    """A trigger that is what something is about ("negotiation about deportations")."""
    noun = _climb_transparent(trigger)
    if noun.dep_ != "pobj":
        return False
    prep = noun.head
    if _lemma(prep) not in TOPIC_PREPOSITIONS:
        return False
    owner = prep.head
    if owner.pos_ not in ("NOUN", "PROPN"):
        return False
    if _lemma(prep) == "of":
        return _lemma(owner) not in CONTAINER_NOUNS | OUTCOME_NOUNS and owner._.event_type is None
    return True


def _inside(token: Token, spans: Iterable[tuple[int, int]]) -> bool:
    return any(s <= token.idx < e for s, e in spans)


# --- Scope: the clause a trigger belongs to ----------------------------------------------------


def _excluded_roots(root: Token, trigger: Token) -> list[Token]:
    """Subtrees inside the scope that belong to other clauses or to attribution."""
    out = []
    for tok in root.subtree:
        if tok == root or _in_subtree(trigger, tok):
            continue
        other_clause = tok.head == root and (
            tok.dep_ == "conj"
            and _is_verb(tok)
            or tok.dep_ in ("ccomp", "parataxis")
            or tok.dep_ == "advcl"
            and any(c.dep_ == "mark" for c in tok.children)
        )
        attribution = tok.dep_ in ("prep", "advcl") and tok.lower_ in ATTRIBUTION_HEADS
        reporting = _is_verb(tok) and _lemma(tok) in REPORTING_VERBS
        if other_clause or attribution or reporting:
            out.append(tok)
    return out


def _scope_tokens(root: Token, trigger: Token) -> tuple[list[Token], set[int]]:
    excluded = _excluded_roots(root, trigger)
    skip: set[int] = set()
    for ex in excluded:
        skip.update(t.i for t in ex.subtree)
    tokens = [t for t in root.subtree if t.i not in skip]
    anchors: set[int] = set()
    for tok in tokens:
        if (
            tok.dep_ == "prep"
            and _lemma(tok) in ANCHOR_PREPOSITIONS
            and not _in_subtree(trigger, tok)
        ):
            objects = _children(tok, "pobj")
            if objects and all(o.ent_type_ == "DATE" for o in objects):
                continue
            anchors.update(t.i for t in tok.subtree)
        elif tok.dep_ == "pcomp" and _lemma(tok.head) in ANCHOR_PREPOSITIONS:
            anchors.update(t.i for t in tok.subtree)
    return tokens, anchors


def _clause_root(root: Token) -> Token:
    """Widen a complement or participle to the clause it shares time and subject with.

    "is in the US this week to attend a conference", "detained 23,601 suspects during
    January-November, seizing 13.3 tons": the date and the agent sit on the outer verb.
    """
    for _ in range(4):
        head = root.head
        if head == root or not _is_verb(head):
            break
        participle = (
            root.dep_ == "advcl"
            and root.tag_ in ("VBG", "VBN")
            and not _children(root, "mark", "aux", "auxpass", "nsubj")
        )
        if root.dep_ == "xcomp" or participle:
            root = head
            continue
        break
    return root


def _reporting_speaker(governor: Token) -> Token | None:
    """The subject of the reporting verb whose complement holds the event clause."""
    tok = governor
    for _ in range(8):
        if tok.dep_ in ("ccomp", "parataxis", "xcomp", "conj") and _is_verb(tok.head):
            if _lemma(tok.head) in REPORTING_VERBS:
                subj = _children(tok.head, "nsubj")
                return subj[0] if subj else None
            tok = tok.head
            continue
        break
    for child in governor.children:
        if child.dep_ in ("parataxis", "ccomp", "advcl") and _lemma(child) in REPORTING_VERBS:
            subj = _children(child, "nsubj")
            return subj[0] if subj else None
    return None


# --- Dates -----------------------------------------------------------------------------------

_MONTHS = {
    name.lower(): i
    for i in range(1, 13)
    for name in (calendar.month_name[i], calendar.month_abbr[i])
}
_MONTHS.update({"sept": 9})
_MONTH_RE = r"(?:{})\.?".format("|".join(sorted(_MONTHS, key=len, reverse=True)))
_YEAR_RE = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_REJECT_PREFIX = re.compile(
    r"^(?:since|until|till|before|after|by|as of|prior to|up to|ahead of|from)\b", re.I
)
_LEAD_PREP = re.compile(r"^(?:in|on|at|during|of|the)\s+", re.I)
_PART_OF_DAY = re.compile(r"^(?:the\s+)?(?:night|morning|afternoon|evening|dawn)\s+of\s+", re.I)
_VAGUE = re.compile(
    r"\b(?:recent|recently|some time|sometime|time to time|past few|coming|several|many|"
    r"decades?|centur(?:y|ies)|era|years|months|weeks|days|at times|various)\b",
    re.I,
)
DATE_PREPOSITIONS = _word_set("date_prepositions")
_AGO = re.compile(r"\bago\b", re.I)
# The tagger sometimes labels "Tier 3" or "the 1,000" as a date: a date phrase names a unit.
_DATE_WORD = re.compile(
    rf"\b(?:1[89]\d\d|20\d\d)\b|\b{_MONTH_RE}|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day|"
    r"\b(?:day|week|month|year|decade|centur|today|yesterday|tomorrow|tonight|night|morning|"
    r"afternoon|evening|weekend|spring|summer|autumn|winter|season|quarter|period|recent|time)",
    re.I,
)
_DAY_RANGE = re.compile(
    rf"^(\d{{1,2}})(?:st|nd|rd|th)?\s*(?:and|-|–|to)\s*(\d{{1,2}})(?:st|nd|rd|th)?\s+"
    rf"({_MONTH_RE})(?:\s*,?\s*(\d{{4}}))?$",
    re.I,
)
_DAY_RANGE_MDY = re.compile(
    rf"^({_MONTH_RE})\s+(\d{{1,2}})\s*(?:-|–|to|and)\s*(\d{{1,2}})(?:\s*(?:-|–)\s*\d{{1,2}})*"
    rf"(?:\s*,?\s*(\d{{4}}))?$",
    re.I,
)
_MONTH_RANGE = re.compile(
    rf"^({_MONTH_RE})\s*(?:-|–|to)\s*({_MONTH_RE})(?:\s+period)?(?:\s+of)?\s*,?\s*(\d{{4}})$",
    re.I,
)
_DURATION = re.compile(
    r"^(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|many|few)"
    r"[\s-]+(?:day|week|month|year|hour)s?(?:[\s-]+(?:long|old))?$",
    re.I,
)


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_RE = re.compile(
    r"(mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?(?:\s+(?:morning|"
    r"afternoon|evening|night))?",
    re.I,
)
_YEAR_SUFFIX_RE = re.compile(r"\s*,?\s+(last|this|next)\s+year$", re.I)


def _as_date(value: date | datetime | None) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


@lru_cache(maxsize=8)
def _date_parser(base: datetime, prefer: str):
    """A parser anchored at the publication date (dateparser would otherwise use today)."""
    # imported here: loading dateparser's language data is slow and most sentences never
    # reach this point
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=["en"],
        settings={
            "RELATIVE_BASE": base,
            "PREFER_DATES_FROM": prefer,
            "RETURN_TIME_AS_PERIOD": True,
            "PREFER_DAY_OF_MONTH": "first",
        },
    )


def _period_range(day: date, period: str) -> tuple[date, date, str]:
    if period == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31), "year"
    if period == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return date(day.year, day.month, 1), date(day.year, day.month, last), "month"
    if period == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6), "day"
    return day, day, "day"


def _clean_date_text(text: str) -> str:
    t = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip(" ,.;:()")
    t = _PART_OF_DAY.sub("", t)
    for _ in range(2):
        t = _LEAD_PREP.sub("", t)
        t = _PART_OF_DAY.sub("", t)
    t = re.sub(
        r"^(?:early|late|mid|earlier|later|the end of|the start of)[\s-]+", "", t, flags=re.I
    )
    return t.strip()


def resolve_date(
    text: str, base: date | datetime | None, prefer: str = "past"
) -> tuple[date | None, date | None, str | None]:
    """Resolve a date phrase to (start, end, precision) with precision day, month or year.

    Relative phrases ("last week", "on Tuesday", "in October") are resolved against `base`
    (the article's publication time), never against today: without a base they stay
    unresolved. Vague phrases ("in recent years") and open ranges ("since 2019") never resolve.
    `prefer` ("past" or "future") picks the year of a month or weekday without one.
    """
    if not text or not text.strip():
        return None, None, None
    raw = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
    if _REJECT_PREFIX.match(raw):
        return None, None, None
    t = _clean_date_text(raw)
    if not t or _DURATION.match(t):
        return None, None, None
    if _VAGUE.search(t) and not _AGO.search(t):
        return None, None, None
    base_d = _as_date(base)
    has_year = bool(_YEAR_RE.search(t))
    m = _DAY_RANGE.match(t) or None
    if m:
        d1, d2, month, year = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
        return _explicit_days(d1, d2, _MONTHS[month.lower().rstrip(".")], year, base_d, prefer)
    m = _DAY_RANGE_MDY.match(t)
    if m:
        month, d1, d2, year = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
        return _explicit_days(d1, d2, _MONTHS[month.lower().rstrip(".")], year, base_d, prefer)
    m = _MONTH_RANGE.match(t)
    if m:
        m1, m2 = _MONTHS[m.group(1).lower().rstrip(".")], _MONTHS[m.group(2).lower().rstrip(".")]
        year = int(m.group(3))
        if m1 <= m2:
            last = calendar.monthrange(year, m2)[1]
            return date(year, m1, 1), date(year, m2, last), "month"
        return None, None, None
    if not has_year and base_d is None:
        return None, None, None
    weekday = _WEEKDAY_RE.fullmatch(t)
    if weekday and base_d is not None:
        target = _WEEKDAYS.index(weekday.group(1).lower()[:3])
        if prefer == "future":
            day = base_d + timedelta(days=(target - base_d.weekday()) % 7)
        else:
            day = base_d - timedelta(days=(base_d.weekday() - target) % 7)
        return day, day, "day"
    shifted = _YEAR_SUFFIX_RE.search(t)
    if shifted and base_d is not None and not has_year:
        offset = {"last": -1, "this": 0, "next": 1}[shifted.group(1).lower()]
        year = base_d.year + offset
        inner = resolve_date(t[: shifted.start()], date(year, 12, 31), "past")
        if inner[0] is not None and inner[0].year == year:
            return inner
        return None, None, None
    anchor = (
        datetime.combine(base_d, datetime.min.time())
        if base_d
        else datetime(int(_YEAR_RE.search(t).group(1)), 12, 31)
    )
    parsed = _date_parser(anchor, "future" if prefer == "future" else "past").get_date_data(t)
    if parsed is None or parsed.date_obj is None:
        return None, None, None
    day = parsed.date_obj.date()
    period = parsed.period or "day"
    if period in ("time", "part_of_day", "hour", "minute", "second"):
        period = "day"
    if has_year and day.year != int(_YEAR_RE.search(t).group(1)):
        return None, None, None
    return _period_range(day, period)


def _explicit_days(
    d1: int, d2: int, month: int, year: str | None, base: date | None, prefer: str
) -> tuple[date | None, date | None, str | None]:
    if year is None:
        if base is None:
            return None, None, None
        y = base.year
        if prefer == "past" and (month, d1) > (base.month, base.day):
            y -= 1
        elif prefer == "future" and (month, d1) < (base.month, base.day):
            y += 1
    else:
        y = int(year)
    try:
        return date(y, month, d1), date(y, month, max(d1, d2)), "day"
    except ValueError:
        return None, None, None


def _date_candidates(tokens: list[Token], skip: set[int]) -> list[Span]:
    doc = tokens[0].doc if tokens else None
    if doc is None:
        return []
    ids = {t.i for t in tokens}
    out = []
    for ent in doc.ents:
        if ent.label_ != "DATE" or ent.start not in ids or ent.start in skip:
            continue
        text = ent.text
        if _DURATION.match(_clean_date_text(text)) or re.fullmatch(r"\d{1,2}", text.strip()):
            continue
        if re.search(r"\b(?:aged?|years? old|-year-old)\b", text, re.I):
            continue
        if _is_dateline(ent) or not _DATE_WORD.search(text):
            continue
        if ent.root.dep_ in ("dobj", "nsubj", "nsubjpass"):
            # "followed months of surveillance": a period as a participant, not a time
            continue
        if (
            ent.root.dep_ == "pobj"
            and ent.root.head.lower_ == "for"
            and _lemma(ent.root.head.head) not in PASSIVE_PLAN_VERBS | PLANNING_ADJECTIVES
        ):
            # "for four months" is a duration; "scheduled for February 2025" a date
            continue
        out.append(ent)
    return out


def _is_dateline(ent: Span) -> bool:
    """ "PHNOM PENH, Dec. 3 (Xinhua) --" gives the publication date, not the event's."""
    sent = ent.sent
    if ent.start - sent.start > 8:
        return False
    i, depth = ent.end, 0
    while i < sent.end and i < ent.end + 6:
        tok = ent.doc[i]
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        elif depth == 0:
            return tok.text in ("-", "–", "—", "--", ":") or tok.text.startswith("--")
        i += 1
    return False


def _date_text(ent: Span) -> str:
    """The date phrase as written, with its preposition ("In October", "on November 7")."""
    start, end = ent.start_char, ent.end_char
    # "13 and 14 November": the tagger often leaves the first day outside the entity
    lead = re.search(
        r"(?:\d{1,2}(?:st|nd|rd|th)?\s*(?:and|-|–|to)\s*)?\d{1,2}(?:st|nd|rd|th)?\s+$"
        r"|\d{1,2}(?:st|nd|rd|th)?\s*(?:and|-|–|to)\s*$",
        ent.doc.text[:start][-16:],
    )
    if lead and not re.match(r"\s*" + _MONTH_RE, ent.text, re.I):
        lead = None
    if lead:
        start -= len(lead.group(0))
    # "the January-November period of 2024": the year often falls outside the entity
    tail = re.match(r"(?:\s+of)?\s+(?:1[89]|20)\d\d\b", ent.doc.text[end : end + 9])
    if tail:
        end += tail.end()
    first = ent.doc.char_span(start, end, alignment_mode="expand")
    prev = ent.doc[first.start - 1] if first is not None and first.start > 0 else None
    if prev is not None and prev.dep_ == "prep" and prev.lower_ in DATE_PREPOSITIONS:
        start = prev.idx
    return ent.doc.text[start:end]


def _tree_distance(a: Token, b: Token) -> int:
    path_a = [a, *a.ancestors]
    path_b = [b, *b.ancestors]
    index_b = {t.i: n for n, t in enumerate(path_b)}
    for n, t in enumerate(path_a):
        if t.i in index_b:
            return n + index_b[t.i]
    return 99


# --- Quantities ------------------------------------------------------------------------------

# Qualifiers of an amount; the pattern tries the longest first ("more than" before "over").
_QUALIFIERS = _word_set("qualifiers")
_WORD_NUMBERS = {k: int(v) for k, v in _mapping("word_numbers").items()}
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "mln": 1e6, "bn": 1e9}
# unit as written -> the unit stored (kg, g, t, pills, l, people, USD)
_UNITS = _typed_words("units")
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_UNIT_RE = "|".join(sorted(_UNITS, key=len, reverse=True))
_WORDNUM = "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True))
_QUAL_RE = "|".join(re.escape(q) for q in sorted(_QUALIFIERS, key=len, reverse=True))
_SCALE_RE = r"(?:\s*(?:thousand|million|billion|mln|bn))?"
_QTY_RE = re.compile(
    rf"(?:(?P<qual>{_QUAL_RE})\s+)?"
    rf"(?:(?P<cur>US\$|\$|USD\s?)(?P<cnum>{_NUM}){_SCALE_RE}"
    rf"|(?P<num>{_NUM}|\b(?:{_WORDNUM})\b)(?P<scale>{_SCALE_RE})"
    rf"(?:\s*-\s*|\s+)(?P<mid>(?:[A-Za-z][\w-]*\s+){{0,3}}?)"
    rf"(?P<unit>{_UNIT_RE})\b)"
    rf"(?:\s+of\s+(?P<sub>[A-Za-z][\w-]*(?:\s+(?!and\b|or\b|worth\b|from\b|in\b|at\b|"
    rf"with\b|which\b|that\b|to\b|for\b|on\b|by\b|during\b)[A-Za-z][\w-]*){{0,2}}))?",
    re.I,
)
_SUBSTANCE_WORDS = _word_set("substance_words")


_FUNCTION_WORDS = _word_set("function_words")
_DEMONYM_RE = "|".join(d.title() for d in sorted(DEMONYMS, key=len, reverse=True))
_DEMONYM_QTY_RE = re.compile(
    rf"(?:(?P<qual>{_QUAL_RE})\s+)?(?P<num>{_NUM})\s+(?P<dem>{_DEMONYM_RE})s?\b"
)


def _to_number(text: str) -> float | None:
    t = text.lower().replace(",", "")
    if t in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[t])
    try:
        return float(t)
    except ValueError:
        return None


def find_quantities(text: str) -> list[Quantity]:
    """Every amount in a text, in order."""
    out: list[Quantity] = []
    for m in _QTY_RE.finditer(text):
        qual = m.group("qual").lower() if m.group("qual") else None
        if m.group("cur"):
            value = _to_number(m.group("cnum"))
            unit, substance = "USD", None
            scale = re.search(r"(thousand|million|billion|mln|bn)\s*$", m.group(0), re.I)
        else:
            value = _to_number(m.group("num"))
            unit = _UNITS[m.group("unit").lower()]
            scale = re.search(r"(thousand|million|billion|mln|bn)", m.group("scale") or "", re.I)
            mid = (m.group("mid") or "").strip()
            substance = m.group("sub")
            if mid:
                mid_words = mid.lower().split()
                if unit in ("kg", "g", "t", "l", "USD") or set(mid_words) & _FUNCTION_WORDS:
                    continue
                if unit == "pills" and mid_words[-1] in _SUBSTANCE_WORDS:
                    substance = substance or mid
                elif unit != "people":
                    continue
            if (
                unit == "g"
                and m.group("unit").lower() == "g"
                and not re.match(
                    rf"{_NUM}\s*g\b", m.group(0)[len(m.group("qual") or "") :].strip(), re.I
                )
            ):
                continue
            if unit == "l" and m.group("unit").lower() == "l":
                continue
        if value is None:
            continue
        if scale:
            value *= _SCALES[scale.group(1).lower()]
        article_number = m.group("num") and m.group("num").lower() in ("a", "an")
        if qual is None and article_number and unit not in ("t", "kg"):
            # "a ton of", "a kilo of" are amounts; "a suspect" is not a count
            continue
        start, end = m.start(), m.end()
        if m.group("qual"):
            start = m.start("qual")
        out.append(
            Quantity(
                text=text[start:end].strip(),
                value=value,
                unit=unit,
                qualifier=qual,
                substance=substance.lower() if substance else None,
                start=start,
                end=end,
            )
        )
    taken = [(q.start, q.end) for q in out]
    for m in _DEMONYM_QTY_RE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        start = m.start("qual") if m.group("qual") else m.start("num")
        out.append(
            Quantity(
                text=text[start : m.end()],
                value=_to_number(m.group("num")) or 0.0,
                unit="people",
                qualifier=m.group("qual").lower() if m.group("qual") else None,
                substance=None,
                start=start,
                end=m.end(),
            )
        )
    return sorted(out, key=lambda q: q.start)


def parse_quantity(text: str) -> Quantity | None:
    """The first amount in a text ("over 1,500 kg of methamphetamine"), or None."""
    found = find_quantities(text)
    return found[0] if found else None


def _quantity_interval(q: Quantity) -> tuple[float, float]:
    v = q.value * {"t": 1000.0, "g": 0.001}.get(q.unit, 1.0)
    qual = q.qualifier or ""
    if qual in ("more than", "over", "at least", "in excess of", "upwards of", "just over"):
        return v, float("inf")
    if qual in (
        "nearly",
        "almost",
        "up to",
        "less than",
        "fewer than",
        "under",
        "close to",
        "just under",
        "as many as",
        "as much as",
    ):
        return v * 0.8, v
    if q.unit == "people" and qual in (None, "a total of"):
        # restatements count people differently (arrested 60, released 15, held 45)
        return v / 1.4, v * 1.4
    if qual in ("a total of",):
        return v, v
    return v * 0.8, v * 1.2


def _unit_family(unit: str) -> str:
    return "mass" if unit in ("kg", "g", "t") else unit


# --- Extraction ------------------------------------------------------------------------------


@dataclass
class _Mention:
    """One statement of an event, with what deduplication needs to compare statements."""

    event: Event
    is_headline: bool
    distinct: bool  # "in another case": never a restatement of an earlier event
    aggregate: bool  # "three major sweeps", "since its launch ... has arrested 140"
    anaphoric: bool  # "the meeting", "the deportations": refers back
    # The stated amount, or an implicit single person ("arrested a man") for comparison.
    quantity: Quantity | None
    # Agencies named in the event's own clause; a speaker's agency is not evidence enough to
    # keep two restatements apart.
    participant_ids: frozenset[str]
    order: int
    # Coordinated predicates of one sentence ("held talks, co-chaired a conference and
    # signed ...") state different events: (governor index, first conjunct index).
    predicate: tuple[int, int] = (-1, -1)
    # Every type merged into the event ("the meeting" restating a conference): a later
    # statement of any of them restates it. A raid and the arrests made in it stay two
    # events, an operation and an arrest, as the annotation guideline counts them.
    types: frozenset[str] = frozenset()
    # "the first course" after "four training courses": one member of a stated series.
    member: bool = False
    # "the raids" after "two raids": the whole of a stated series.
    series: bool = False
    # "a trilateral meeting": an indefinite noun introduces an event not yet stated.
    indefinite: bool = False
    # The event's own name ("customs mutual assistance agreement"): two names, two events.
    name: str | None = None


_EntityTokens = list[tuple[EntityRef, "Token", tuple[int, int]]]


def _entity_tokens(sentence: SentenceInput) -> _EntityTokens:
    """Each entity with its head token and its span in the parsed doc's offsets."""
    span = sentence.span
    shift = span.start_char - sentence.char_start
    out = []
    for ent in sentence.entities:
        start, end = ent.char_start + shift, ent.char_end + shift
        if start < span.start_char or end > span.end_char:
            continue
        doc_span = span.doc.char_span(start, end, alignment_mode="expand")
        if doc_span is None or len(doc_span) == 0:
            continue
        out.append((ent, doc_span.root, (start, end)))
    return out


HOST_VERBS = _word_set("host_verbs")
TRAINER_VERBS = _word_set("trainer_verbs")
TRAINEE_VERBS = _word_set("trainee_verbs")
# "training with officers from X": the agency the trained people come from
PEOPLE_NOUNS = PERSON_NOUNS | _word_set("people_nouns")
REQUEST_NOUNS = _word_set("request_nouns")


@dataclass
class _Path:
    """How an agency mention hangs off the event's clause."""

    dep: str = ""  # its relation to the governor or trigger ("nsubj", "dobj", "prep", ...)
    partner: bool = False  # with X, between X and Y, alongside X
    involving: bool = False  # involving/including X
    to: bool = False  # to X, for X
    source: bool = False  # from X
    agent: bool = False  # by X
    request: bool = False  # at the request of X
    people_of: bool = False  # officers from / with officers of X


def _path(ent_head: Token, anchor: _Anchor) -> _Path:
    path = _Path()
    tok = ent_head
    for _ in range(12):
        head = tok.head
        if tok.dep_ == "pobj":
            prep = _lemma(head)
            people = _lemma(head.head) in PEOPLE_NOUNS
            if prep in ("with", "alongside", "between", "among"):
                path.partner = True
                path.people_of |= people
            elif prep in ("to", "for"):
                path.to = True
            elif prep == "from":
                path.source = True
                path.people_of |= people
            elif prep == "by":
                path.agent = True
            elif prep == "of" and _lemma(head.head) in REQUEST_NOUNS:
                path.request = True
        path.agent |= tok.dep_ == "agent"
        path.involving |= tok.dep_ in ("dobj", "conj") and _lemma(head) in ("involve", "include")
        if head == anchor.governor or head == anchor.trigger or tok == anchor.trigger:
            path.dep = tok.dep_
            return path
        if head == tok:
            return path
        tok = head
    return path


def _role(etype: str, ent_head: Token, anchor: _Anchor) -> str:
    """Role of an agency from its syntactic tie to the trigger's clause."""
    glem = _lemma(anchor.governor)
    path = _path(ent_head, anchor)
    if etype == "extradition":
        # the requested state surrenders the person ("Thailand extradited X to Korea")
        if path.request or path.to:
            return "requesting"
        if path.source or path.dep == "nsubj":
            return "requested"
    if glem in HOST_VERBS and (path.dep == "nsubj" or path.agent):
        return "host"
    if etype == "training":
        return _training_role(glem, path)
    if path.involving or path.partner:
        return "partner"
    if etype == "agreement" and path.dep in ("nsubj", "nsubjpass"):
        return "partner"
    if path.dep == "nsubj" or path.agent:
        return "lead"
    return "participant"


def _training_role(glem: str, path: _Path) -> str:
    """Who teaches and who learns: "X trained officers from Y", "Y received training from X"."""
    receiving = glem in TRAINEE_VERBS
    if path.source:
        return "trainer" if receiving else "trainee"
    if path.people_of or (path.to and not path.partner):
        return "trainee"
    if path.dep == "nsubj" and glem in TRAINER_VERBS:
        return "trainer"
    if path.dep == "nsubj" and receiving:
        return "trainee"
    if path.dep in ("dobj", "nsubjpass") and glem == "train":
        return "trainee"
    if path.agent:
        return "trainer"
    if path.partner or path.involving:
        return "partner"
    return "participant"


_ROLE_RANK = {
    r: n
    for n, r in enumerate(
        ("participant", "partner", "host", "trainee", "trainer", "requested", "requesting", "lead")
    )
}


def _merge_roles(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    best: dict[str, str] = {}
    for agency_id, role in pairs:
        if agency_id not in best or _ROLE_RANK[role] > _ROLE_RANK[best[agency_id]]:
            best[agency_id] = role
    return tuple(best.items())


def stated_triggers(found: list[tuple[Token, str]]) -> list[tuple[Token, str]]:
    """Of the triggers of one doc (in token order), those that each name an event: a noun that
    is the object of a verb of the same type is that verb's event ("signed an MoU")."""
    verbs = [(t, e) for t, e in found if _is_verb(t)]
    keep = []
    for tok, etype in found:
        if not _is_verb(tok):
            noun = _climb_transparent(tok)
            if noun is not tok and any(other == noun and e == etype for other, e in found):
                # "four training courses": the modifier and its head name one event
                continue
            if any(
                e == etype
                and (
                    noun.head == v
                    or (noun.head.head == v and noun.head.dep_ in ("prep", "agent"))
                    # "signed an amendment to the treaty": what the verb's object belongs to
                    or (noun.head.dep_ == "prep" and noun.head.head in _object_nouns(v))
                )
                for v, e in verbs
            ):
                continue
            if any(
                e == etype
                and other is not tok
                and not _is_verb(other)
                and tok.dep_ == "pobj"
                and tok.head.head == other
                for other, e in found
            ):
                continue
        keep.append((tok, etype))
    return keep


def _trigger_candidates(span: Span, blocked: list[tuple[int, int]]) -> list[Span]:
    """The triggers the pipeline found in `span`, but for those inside `blocked` char spans
    (names: "Police Training Centre")."""
    return [
        trigger
        for trigger in span.doc.spans[TRIGGERS_KEY]
        if span.start <= trigger.start < span.end and not _inside(trigger.root, blocked)
    ]


@dataclass
class ClauseReading:
    """What a trigger's clause says of it, before the article's publication date is known:
    `status` is the grammar's ('happened', 'ongoing', 'planned', or 'generic', 'irrealis',
    'negated' for clauses that state no event unless a date pins them)."""

    anchor: _Anchor
    status: str
    scope: list[Token]  # tokens of the event's clause
    anchor_ids: set[int]  # tokens inside time anchors ("after the meeting")
    date_text: str | None


@dataclass
class _Assessment:
    """A trigger that states an event, with the clause it was read from."""

    anchor: _Anchor
    status: str
    scope: list[Token]
    anchor_ids: set[int]
    date_text: str | None
    date_range: tuple[date | None, date | None, str | None]


def read_clause(trigger: Token) -> ClauseReading | None:
    """Read a trigger's clause; None when it states nothing (a topic, a bare participle naming
    people by an arrest stated elsewhere, a rule over a class, a time anchor)."""
    span = trigger.sent
    headline = _is_headline(span)
    anchor = _anchor(trigger)
    if anchor is None or anchor.governor is None:
        return None
    if _is_verb(trigger):
        # "the suspects arrested", "105 Indians arrested in Cambodia" describe people by an
        # arrest stated elsewhere
        bare_participle = (
            trigger.dep_ in ("acl", "advcl")
            and trigger.tag_ == "VBN"
            and not _children(trigger, "aux", "auxpass", "nsubj", "nsubjpass", "mark")
        )
        if bare_participle and not (
            headline or _children(trigger, "agent") or _has_date_child(trigger)
        ):
            return None
        if _universal_object(trigger):
            return None
    elif _is_generic_noun(trigger) or _is_topic(trigger) and anchor.relation != "stray":
        return None
    if _blocked_by_context(anchor.governor):
        return None
    status = _status_of(anchor.governor, headline)
    if anchor.relation == "headline":
        # "..., Will Extradite to US": a headline states what happened or what will
        before = [t.lower_ for t in trigger.doc[max(trigger.sent.start, trigger.i - 2) : trigger.i]]
        if before[-1:] == ["to"] and before[:1] and before[0] in HEADLINE_REQUESTS:
            # "Rejects Thai Request to Extradite ...": what was asked, not what will be done
            return None
        status = _PLANNED if {"will", "to"} & set(before) else _HAPPENED
    if anchor.relation == "state":
        status = _state_status(anchor.governor, status)
    status = _refine_status(anchor, status)
    if anchor.relation == "outcome" and status == _GENERIC:
        # what something "is the result of" has happened, whatever the copula's tense
        status = _HAPPENED
    if anchor.relation in ("result", "outcome") and status != _HAPPENED:
        return None
    scope, anchor_ids = _scope_tokens(_clause_root(anchor.scope_root), trigger)
    if anchor.relation in ("subj", "acl", "state", "exist", "stray") and not _is_verb(trigger):
        noun_ids = {t.i for t in _climb_transparent(trigger).subtree}
        scope += [t for t in span if t.i in noun_ids and t not in scope]
    date_text = _pick_date(scope, anchor_ids, trigger, anchor.governor) or _shared_date(
        anchor.governor, anchor_ids
    )
    return ClauseReading(anchor, status, scope, anchor_ids, date_text)


def _assess(reading: ClauseReading | None, published: date | None) -> _Assessment | None:
    """A clause reading completed by the publication date; None when it states no specific
    event."""
    if reading is None:
        return None
    anchor, status, date_text = reading.anchor, reading.status, reading.date_text
    present_but_dated = (
        status == _GENERIC and date_text is not None and _is_specific_time(date_text, published)
    )
    if present_but_dated:
        status = _ONGOING
    if status not in _EVENTIVE:
        return None
    if status == _PLANNED and date_text is None and _under_terms(anchor.governor):
        return None
    start = end = precision = None
    if date_text:
        start, end, precision = resolve_date(
            date_text, published, "future" if status == _PLANNED else "past"
        )
    if anchor.relation == "header" and start is not None and published is not None:
        status = _PLANNED if start > published else _HAPPENED
    if present_but_dated and start is not None and published is not None:
        # a caption's or report's present tense over a dated event ("sign an agreement on
        # Monday", "the conference ends Friday"): the date says when it is
        if end < published:
            status = _HAPPENED
        elif start > published:
            status = _PLANNED
    return _Assessment(
        anchor, status, reading.scope, reading.anchor_ids, date_text, (start, end, precision)
    )


UNIVERSAL_DETERMINERS = _word_set("universal_determiners")
UNIVERSAL_PRONOUNS = _word_set("universal_pronouns")
# "under the agreement, the two sides will share ...": what an instrument provides for
TERMS_NOUNS = AGREEMENT_NOUNS | _word_set("terms_nouns")


def _universal_object(verb: Token) -> bool:
    """ "will inspect every building where ...", "arrest anyone who ...": a rule or a
    practice over a class, not a specific event."""
    for obj in _object_nouns(verb):
        if _lemma(obj) in UNIVERSAL_PRONOUNS:
            return True
        if any(c.dep_ == "det" and _lemma(c) in UNIVERSAL_DETERMINERS for c in obj.children):
            return True
    return False


def _under_terms(governor: Token) -> bool:
    """A future clause framed by "under the agreement/MoU/law" states the terms of an
    instrument ("Under the agreement, the two sides will coordinate the repatriation of
    victims"), not an event anyone has scheduled."""
    tok = governor
    for _ in range(6):
        for prep in _children(tok, "prep"):
            if _lemma(prep) == "under" and any(
                _lemma(o) in TERMS_NOUNS for o in _children(prep, "pobj")
            ):
                return True
        if tok.dep_ in ("conj", "xcomp") and _is_verb(tok.head) and tok.head != tok:
            tok = tok.head
            continue
        break
    return False


def _sentence_mentions(
    sentence: SentenceInput,
    published: date | None,
    article_country: str | None,
    antecedents: tuple[str, ...] = (),
) -> list[_Mention]:
    span = sentence.span
    shift = sentence.char_start - span.start_char
    entities = _entity_tokens(sentence)
    # trigger words inside names ("Police Training Centre") are not triggers
    names = [(s, e) for ent, _, (s, e) in entities if ent.entity_type in ("agency", "person")]
    headline = _is_headline(span)
    mentions: list[_Mention] = []
    for n, found_trigger in enumerate(_trigger_candidates(span, names)):
        trigger, etype = found_trigger.root, found_trigger.label_
        found = _assess(found_trigger._.event_clause, published)
        if found is None:
            continue
        participants, named = _participants(etype, trigger, found, entities, antecedents)
        place_name, place_country, countries = _places(trigger, found, entities)
        country_code = place_country or _lead_country(participants, entities) or article_country
        quantity, comparable = _pick_quantity(etype, trigger, found.anchor, found.scope, span)
        start, end, precision = found.date_range
        trigger_start = trigger.idx + shift
        event = Event(
            event_id=hashlib.sha256(
                f"{sentence.article_id}|{etype}|{trigger_start}".encode()
            ).hexdigest()[:16],
            article_id=sentence.article_id,
            paragraph_id=sentence.paragraph_id,
            event_type=etype,
            event_status=found.status,
            date_text=found.date_text,
            event_date=start,
            event_date_end=end,
            event_date_precision=precision,
            place_name=place_name,
            country_code=country_code,
            quantity_text=quantity.text if quantity else None,
            quantity_value=quantity.value if quantity else None,
            quantity_unit=quantity.unit if quantity else None,
            quantity_qualifier=quantity.qualifier if quantity else None,
            substance=quantity.substance if quantity else None,
            sentence_text=sentence.text,
            char_start=sentence.char_start,
            char_end=sentence.char_end,
            confidence=_confidence(trigger, found, participants, quantity, headline),
            extractor_version=EXTRACTOR_VERSION,
            participants=_merge_roles(participants),
            countries=tuple(countries),
        )
        governor = found.anchor.governor
        mentions.append(
            _Mention(
                event=event,
                is_headline=headline,
                distinct=_marked_distinct(trigger, governor),
                aggregate=_is_aggregate(trigger, governor, event),
                anaphoric=_is_anaphoric(trigger),
                quantity=comparable or _implicit_count(etype, trigger),
                participant_ids=named,
                order=sentence.sentence_index * 1000 + n,
                predicate=(governor.i, _first_conjunct(governor).i),
                types=frozenset({etype}),
                member=_is_member(trigger),
                series=_is_anaphoric(trigger) and trigger.tag_ in ("NNS", "NNPS"),
                indefinite=_is_indefinite(trigger),
                name=_event_name(trigger),
            )
        )
    return mentions


ORDINALS = _word_set("ordinals")


def _is_member(trigger: Token) -> bool:
    """ "the first course", "the final session": one of a series stated before."""
    if _is_verb(trigger):
        return False
    noun = _climb_transparent(trigger)
    dets = {_lemma(c) for c in noun.children if c.dep_ in ("det", "poss")}
    return bool(dets) and any(c.dep_ == "amod" and _lemma(c) in ORDINALS for c in noun.children)


def _event_name(trigger: Token) -> str | None:
    """The proper name an event noun carries ("the Comprehensive Partnership Agreement",
    "signed a Customs Mutual Assistance Agreement") or a ranking's ranker: its capitalised
    modifiers and itself, lower-cased; None for a common noun ("a joint operation")."""
    if not _is_verb(trigger):
        nouns = [trigger]
    elif VERB_TRIGGERS.get(_lemma(trigger)) == "ranking":
        # "the World Economic Forum ranked ...", "the Corruption Perceptions Index ranked ...":
        # a ranking is named by who ranks
        nouns = _children(trigger, "nsubj")
    elif trigger.dep_ == "acl" and NOUN_TRIGGERS.get(_lemma(trigger.head)):
        nouns = [trigger.head]
    else:
        nouns = [o for o in _object_nouns(trigger) if NOUN_TRIGGERS.get(_lemma(o))]
    for noun in nouns:
        modifiers = [
            t
            for t in noun.subtree
            if t.i < noun.i and t.dep_ in ("compound", "amod") and (t.is_title or t.is_upper)
        ]
        if modifiers and noun.is_title:
            return " ".join(t.lower_ for t in [*modifiers, noun])
    return None


def _is_indefinite(trigger: Token) -> bool:
    if _is_verb(trigger):
        return False
    noun = _climb_transparent(trigger)
    return any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in noun.children)


def _participants(
    etype: str,
    trigger: Token,
    found: _Assessment,
    entities: _EntityTokens,
    antecedents: tuple[str, ...] = (),
) -> tuple[list[tuple[str, str]], frozenset[str]]:
    """Agencies in the event's clause with their roles, and the ids named there."""
    ids = {t.i for t in found.scope}
    patients = _patient_ids(etype, trigger, found.anchor)
    participants = [
        (ent.key, _role(etype, head, found.anchor))
        for ent, head, _ in entities
        if ent.entity_type == "agency"
        and ent.key
        and head.i in ids
        and head.i not in found.anchor_ids
        and head.i not in patients
    ]
    named_forces = _national_forces(etype, found, entities, ids - patients)
    participants += [p for p in named_forces if p[0] not in {a for a, _ in participants}]
    subject = _subject_of(found.anchor.governor)
    if subject is not None:
        subj, verb = subject
        anchor = replace(found.anchor, governor=verb)
        if verb is not found.anchor.governor:
            # "The Thai police tracked the man for months and arrested him": the subject the
            # coordinated verbs share
            inside = {t.i for t in subj.subtree}
            participants += [
                (ent.key, _role(etype, head, anchor))
                for ent, head, _ in entities
                if ent.entity_type == "agency" and ent.key and head.i in inside
            ]
        if subj.lower_ in ANAPHORIC_SUBJECTS and antecedents:
            # "He arrested three suspects" after "Colonel X of the Anti-Drug Police led the
            # raid": the agency of the previous sentence's subject
            participants += [(key, _role(etype, subj, anchor)) for key in antecedents]
    participants = list(dict.fromkeys(participants))
    named = frozenset(a for a, _ in participants)
    return participants or _speaker_agencies(found.anchor.governor, entities), named


ANAPHORIC_SUBJECTS = _word_set("anaphoric_subjects")


def _subject_of(governor: Token) -> tuple[Token, Token] | None:
    """(subject, the verb it hangs on) of a clause: its own, or the one it shares with the
    verb it is coordinated with."""
    verb = governor
    for _ in range(4):
        subjects = _children(verb, "nsubj", "nsubjpass")
        if subjects:
            return subjects[0], verb
        if verb.dep_ != "conj" or not _is_verb(verb.head) or verb.head is verb:
            return None
        verb = verb.head
    return None


def subject_agencies(sentence: SentenceInput) -> tuple[str, ...]:
    """The agencies named in the subject of a sentence's main clause, which a pronoun subject
    of the next sentence refers to."""
    root = sentence.span.root
    inside = {
        t.i
        for verb in (root, *root.conjuncts)
        for subj in _children(verb, "nsubj", "nsubjpass")
        for t in subj.subtree
    }
    return tuple(
        dict.fromkeys(
            ent.key
            for ent, head, _ in _entity_tokens(sentence)
            if ent.entity_type == "agency" and ent.key and head.i in inside
        )
    )


@lru_cache(maxsize=1)
def _national_force_ids() -> dict[str, str]:
    """{demonym: agency id} for the countries whose police force the reference table names
    in one of the forms of `event_participants.json` ("Thai National Police")."""
    rules = load_rules("event_participants")
    names: dict[str, set[str]] = {}
    with (SEEDS_DIR / "ref_agencies.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for name in [row["canonical_name"], *(row["aliases"] or "").split("|")]:
                names.setdefault(name.strip().lower(), set()).add(row["agency_id"])
    out = {}
    for demonym in DEMONYMS:
        ids = set().union(
            *(names.get(f.format(demonym=demonym), set()) for f in rules["national_force_names"])
        )
        if len(ids) == 1:
            out[demonym] = ids.pop()
    return out


def _national_forces(
    etype: str, found: _Assessment, entities: _EntityTokens, ids: set[int]
) -> list[tuple[str, str]]:
    """ "Thai police", "a top Cambodian police official", "police in Thailand": a country's
    police force named by its nationality rather than its name."""
    forces = _national_force_ids()
    words = set(load_rules("event_participants")["force_words"])
    by_country = {DEMONYMS[d]: agency for d, agency in forces.items()}
    places = {head.i: ent.country_code for ent, head, _ in entities if ent.entity_type == "place"}
    inside_names = [span for ent, _, span in entities if ent.entity_type == "agency"]
    out = []
    for tok in found.scope:
        if tok.i not in ids or tok.i in found.anchor_ids or _lemma(tok) not in words:
            continue
        if _inside(tok, inside_names):
            continue
        phrase = list(tok.children)
        if tok.dep_ == "compound":
            phrase += list(tok.head.children)
        agency = next((forces[t.lower_] for t in phrase if t.lower_ in forces), None)
        if agency is None:
            agency = next(
                (
                    by_country.get(places.get(o.i))
                    for prep in _children(tok, "prep")
                    if _lemma(prep) == "in"
                    for o in _children(prep, "pobj")
                    if by_country.get(places.get(o.i))
                ),
                None,
            )
        if agency is not None:
            out.append((agency, _role(etype, tok, found.anchor)))
    return out


def _places(
    trigger: Token, found: _Assessment, entities: _EntityTokens
) -> tuple[str | None, str | None, list[str]]:
    """Where the event happened (an in/at place of its clause) and every country involved."""
    ids = {t.i for t in found.scope}
    countries: list[str] = []
    place_name = place_country = None
    for ent, head, _ in entities:
        if head.i not in ids:
            continue
        if ent.entity_type == "agency" and head.i not in found.anchor_ids:
            code = ent.country_code
        elif ent.entity_type == "place":
            code = ent.key or ent.country_code
            if place_name is None and _is_location_of(head, found.anchor, trigger):
                place_name, place_country = ent.name, code
        else:
            continue
        if code and len(code) == 2 and code not in countries:
            countries.append(code)
    for tok in found.scope:
        code = _demonym(tok)
        if code and code not in countries:
            countries.append(code)
    return place_name, place_country, countries


def _lead_country(participants: list[tuple[str, str]], entities: _EntityTokens) -> str | None:
    leads = {agency for agency, role in participants if role == "lead"}
    return next((e.country_code for e, _, _ in entities if e.key in leads and e.country_code), None)


# "in recent years", "over the past two months": a period holding many events
_PERIOD_PHRASE = re.compile(r"\b(?:recent|past|last)\s+(?:\w+\s+)?(?:years|months|decades)\b", re.I)
AGGREGATE_CONTAINERS = _word_set("aggregate_containers")
AGGREGATE_MODIFIERS = _word_set("aggregate_modifiers")


NATIONWIDE_WORDS = _word_set("nationwide_words")
NATIONWIDE_NOUNS = _word_set("nationwide_nouns")


def _nationwide(governor: Token) -> bool:
    """ "seized 950 million pills nationwide", "police across the country arrested 219": a
    national tally, not one operation."""
    holders = [governor, *_children(governor, "nsubj", "nsubjpass")]
    for tok in holders:
        for c in tok.children:
            if c.lower_ in NATIONWIDE_WORDS:
                return True
            if (
                c.dep_ == "prep"
                and c.lower_ == "across"
                and any(
                    o.ent_type_ == "GPE" or _lemma(o) in NATIONWIDE_NOUNS
                    for o in _children(c, "pobj")
                )
            ):
                return True
    return False


def _is_aggregate(trigger: Token, governor: Token, event: Event) -> bool:
    """A statement about many events or a period, which a single event never restates."""
    if not _is_verb(trigger):
        tok = trigger
        for _ in range(6):
            if any(
                _lemma(c) in AGGREGATE_MODIFIERS for c in tok.children if c.dep_ in ("amod", "det")
            ):
                return True
            if tok.tag_ == "NNS" and any(
                c.dep_ == "nummod" and (_to_number(c.text) or 0) > 1 for c in tok.children
            ):
                return True
            if (
                tok.dep_ == "pobj"
                and _lemma(tok.head) == "of"
                and _lemma(tok.head.head) in AGGREGATE_CONTAINERS
            ):
                return True
            if tok.dep_ not in ("compound", "conj", "appos"):
                break
            tok = tok.head
    if any(_lemma(p) == "since" for p in _children(governor, "prep")):
        return True
    if _nationwide(governor):
        return True
    if _has_child_lemma(governor, ("advmod", "npadvmod", "prep"), ("far", "date")) and any(
        t.lower_ in ("so", "to") for t in governor.subtree
    ):
        return True
    if event.date_text and (
        re.match(r"\s*(?:since|over|throughout)\b", event.date_text, re.I)
        or _PERIOD_PHRASE.search(event.date_text)
    ):
        return True
    return bool(
        event.event_date
        and event.event_date_precision != "year"
        and (event.event_date_end - event.event_date).days > 31
    )


def _is_anaphoric(trigger: Token) -> bool:
    """A definite mention without its own specification ("the meeting", "this workshop")."""
    if _is_verb(trigger):
        return False
    noun = _climb_transparent(trigger)
    dets = {_lemma(c) for c in noun.children if c.dep_ in ("det", "poss")}
    if not dets & {"the", "this", "that", "these", "those", "its", "their", "his", "her"}:
        return False
    if any(
        c.dep_ == "nummod" or (c.dep_ == "compound" and c.pos_ == "PROPN") for c in noun.children
    ):
        return False
    return not any(_lemma(p) == "of" for p in _children(noun, "prep"))


def _implicit_count(etype: str, trigger: Token) -> Quantity | None:
    """ "Arrested a senior member" is one person: enough to tell it from "arrested six"."""
    if etype not in ("arrest", "extradition", "deportation"):
        return None
    objects = _object_nouns(trigger) if _is_verb(trigger) else _prep_objects(trigger, "of")
    if len(objects) != 1:
        return None
    obj = objects[0]
    if obj.tag_ not in ("NN", "NNP") or any(c.dep_ in ("conj", "nummod") for c in obj.children):
        return None
    if obj.ent_type_ == "PERSON" or _lemma(obj) in PERSON_NOUNS and obj.lemma_ != "people":
        return Quantity(text=obj.text, value=1.0, unit="people", qualifier=None, substance=None)
    return None


def _first_conjunct(tok: Token) -> Token:
    while tok.dep_ == "conj" and tok.head != tok:
        tok = tok.head
    return tok


def _marked_distinct(trigger: Token, governor: Token) -> bool:
    """ "In another case, police arrested..." introduces a new event of an already seen type."""
    heads = [_climb_transparent(trigger)] if not _is_verb(trigger) else []
    heads.extend(_object_nouns(governor))
    # "Another group of 37 suspects ... is expected to be sent back": the subject of the
    # clause the event verb completes
    root = _clause_root(governor)
    heads.extend(_children(root, "nsubj", "nsubjpass"))
    for prep in _children(governor, "prep"):
        heads.extend(_children(prep, "pobj"))
    for head in heads:
        if any(_lemma(c) in DISTINCT_MARKERS for c in head.children if c.dep_ in ("det", "amod")):
            return True
    return _has_child_lemma(governor, ("advmod",), DISTINCT_ADVERBS)


PATIENT_TYPES = _word_set("patient_types")


def _patient_ids(etype: str, trigger: Token, anchor: _Anchor) -> set[int]:
    """Modifier tokens inside what is arrested, seized or sent away ("six Interpol red
    notice fugitives"): an agency named there is not a participant."""
    governor_type = VERB_TRIGGERS.get(_lemma(anchor.governor))
    if etype not in PATIENT_TYPES and governor_type not in PATIENT_TYPES:
        return set()
    objects = (
        _object_nouns(anchor.governor)
        if _is_verb(trigger) or (governor_type in PATIENT_TYPES)
        else _prep_objects(trigger, "of")
    )
    out: set[int] = set()
    for obj in objects:
        for tok in obj.subtree:
            if tok.dep_ in ("compound", "amod", "nmod") and tok.head.i != tok.i:
                out.add(tok.i)
    return out


def _has_date_child(tok: Token) -> bool:
    return any(t.ent_type_ == "DATE" for t in tok.subtree)


def _state_status(governor: Token, status: str) -> str:
    """Being on a list or under way is a current state: present tense counts as ongoing."""
    if status == _GENERIC and (
        _has_child_lemma(governor, ("advmod",), CURRENT_ADVERBS)
        or _lemma(governor) in STATE_VERBS | {"be"}
        or _has_child_lemma(governor, ("acomp", "advmod", "prep"), PROGRESS_ADJECTIVES)
    ):
        return _ONGOING
    return status


def _is_specific_time(date_text: str, published: date | None) -> bool:
    """A present-tense clause is an event when pinned to a concrete time ("this week")."""
    t = _clean_date_text(date_text).lower()
    if _VAGUE.search(t):
        return False
    if re.search(
        r"\b(?:this|next|last|ago|today|tonight|tomorrow|yesterday|monday|tuesday|wednesday|"
        r"thursday|friday|saturday|sunday)\b",
        t,
    ):
        return True
    start, _, _ = resolve_date(date_text, published)
    return start is not None or bool(_YEAR_RE.search(t)) or bool(re.search(_MONTH_RE, t, re.I))


def _pick_date(tokens: list[Token], skip: set[int], trigger: Token, governor: Token) -> str | None:
    """The date phrase of the event's clause nearest the trigger, as written."""
    candidates = _date_candidates(tokens, skip)
    owners = {trigger.i, _climb_transparent(trigger).i}
    # a date inside another noun phrase ("reviewed the cooperation in 2019") dates that noun;
    # "last week" and "on Friday" date the clause even when the parser attaches them low
    clean = [ent for ent in candidates if _dates_clause(ent.root, owners)] or [
        ent
        for ent in candidates
        if ent.root.dep_ == "npadvmod" or ent.root.dep_ == "pobj" and ent.root.head.lower_ == "on"
    ]
    if not clean:
        return None
    best = min(
        clean,
        key=lambda ent: (
            min(_tree_distance(ent.root, trigger), _tree_distance(ent.root, governor)),
            ent.start,
        ),
    )
    return _date_text(best)


def _shared_date(governor: Token, skip: set[int]) -> str | None:
    """ "Last year, 25 Japanese were deported ... and arrested ...": a time phrase before
    the first of coordinated verbs dates every one of them; a conjoined clause with its own
    subject ("and Australia has provided ...") is a statement of its own."""
    if governor.dep_ != "conj" or not _is_verb(governor.head):
        return None
    if _children(governor, "nsubj", "nsubjpass", "expl"):
        return None
    first = _first_conjunct(governor)
    before = [
        t
        for c in first.children
        if c.i < first.i and c.dep_ in ("npadvmod", "prep")
        for t in c.subtree
    ]
    found = _date_candidates(before, skip)
    return _date_text(found[-1]) if found else None


def _dates_clause(root: Token, owners: set[int]) -> bool:
    """The date modifies a verb or the event noun, not some other noun on the way up."""
    tok = root
    for _ in range(10):
        if tok.i in owners or tok != root and _is_verb(tok):
            return True
        head = tok.head
        if head == tok:
            return False
        foreign = (
            head.pos_ in ("NOUN", "PROPN", "PRON")
            and head.i not in owners
            and head.ent_type_ != "DATE"
            and tok.dep_ not in ("compound", "conj", "appos", "npadvmod")
        )
        if foreign:
            return False
        tok = head
    return False


def _is_location_of(head: Token, anchor: _Anchor, trigger: Token) -> bool:
    """A place in an in/at phrase of the event's clause (where it happened), not from/to."""
    governor = anchor.governor
    # the clause, the event noun and what it targets ("a raid on a compound in Poipet",
    # "raided the condominium in Boeng Keng Kang")
    targets = [_climb_transparent(trigger), *_object_nouns(governor)]
    owners = {governor.i, trigger.i, _clause_root(anchor.scope_root).i}
    owners.update(t.i for target in targets for t in target.subtree if t.pos_ in ("NOUN", "PROPN"))
    tok = head
    for _ in range(4):
        if tok.dep_ == "pobj":
            prep = tok.head
            return _lemma(prep) in ("in", "at", "within", "inside", "near", "across") and (
                prep.head.i in owners
            )
        if tok.dep_ in ("compound", "conj", "appos"):
            tok = tok.head
            continue
        return False
    return False


def _demonym(tok: Token) -> str | None:
    if tok.ent_type_ != "NORP":
        return None
    text = tok.text.lower()
    if tok.i > 0 and f"{tok.doc[tok.i - 1].lower_} {text}" in DEMONYMS:
        return DEMONYMS[f"{tok.doc[tok.i - 1].lower_} {text}"]
    return DEMONYMS.get(text)


def _speaker_agencies(
    governor: Token, entities: list[tuple[EntityRef, Token, tuple[int, int]]]
) -> list[tuple[str, str]]:
    """Agencies of the person reporting an event that names no agency itself.

    "National Police spokesperson X said plans were being drawn for inspections" ties the
    inspection to the National Police; "according to the British Embassy" names a source
    only, so it is not used.
    """
    speaker = _reporting_speaker(governor)
    if speaker is None:
        return []
    ids = {t.i for t in speaker.subtree}
    out = []
    titled = any(_lemma(t) in SPEAKER_TITLES for t in speaker.subtree)
    for ent, head, _ in entities:
        if (
            ent.entity_type == "agency"
            and ent.key
            and head.i in ids
            and (head == speaker or titled)
        ):
            out.append((ent.key, "participant"))
    return out


def _pick_quantity(
    etype: str, trigger: Token, anchor: _Anchor, scope: list[Token], span: Span
) -> tuple[Quantity | None, Quantity | None]:
    """The amount to report and the amount to compare restatements by.

    A list of seized items ("8 kg of meth, 1.13 kg of liquid meth, 4.18 kg of ecstasy")
    is compared by its total, which is what another sentence reports ("13.3 kg of drugs").
    """
    if etype not in ("seizure", "operation", "arrest", "deportation", "extradition"):
        return None, None
    people_only = etype in ("arrest", "deportation", "extradition")
    regions: list[tuple[int, int]] = []
    if not _is_verb(trigger):
        noun = _climb_transparent(trigger)
        regions.append((noun.left_edge.idx, noun.right_edge.idx + len(noun.right_edge)))
    else:
        for obj in _patients(trigger):
            regions.append((obj.left_edge.idx, obj.right_edge.idx + len(obj.right_edge)))
    if etype != "operation" and scope:
        ordered = sorted(scope, key=lambda t: t.i)
        regions.append((ordered[0].idx, ordered[-1].idx + len(ordered[-1])))
    doc_text = span.doc.text
    for start, end in regions:
        found = [
            q
            for q in find_quantities(doc_text[start:end])
            if (q.unit == "people") == people_only or etype == "operation"
        ]
        if not found:
            continue
        first = found[0]
        if (
            first.qualifier == "over"
            and _is_verb(trigger)
            and _particle_over(trigger, start, first)
        ):
            # "handed over 142 fugitives": the verb's particle, not "more than"
            first = Quantity(
                text=first.text[len("over") :].strip(),
                value=first.value,
                unit=first.unit,
                qualifier=None,
                substance=first.substance,
                start=first.start + len("over "),
                end=first.end,
            )
            found[0] = first
        same = [q for q in found if _unit_family(q.unit) == _unit_family(first.unit)]
        if len(same) < 2:
            return first, first
        scale = {"t": 1000.0, "g": 0.001}
        total = sum(q.value * scale.get(q.unit, 1.0) for q in same)
        unit = "kg" if _unit_family(first.unit) == "mass" else first.unit
        return first, Quantity(
            text=first.text, value=total, unit=unit, qualifier="about", substance=None
        )
    return None, None


def _particle_over(trigger: Token, region_start: int, quantity: Quantity) -> bool:
    """Whether the "over" before an amount follows a verb it belongs to ("handed over")."""
    over = trigger.doc.char_span(
        region_start + quantity.start, region_start + quantity.start + 4, alignment_mode="expand"
    )
    if over is None or len(over) != 1 or over[0].i == 0:
        return False
    before = trigger.doc[over[0].i - 1]
    return before == trigger and _lemma(trigger) in ("hand", "turn")


def _confidence(
    trigger: Token,
    found: _Assessment,
    participants: list[tuple[str, str]],
    quantity: Quantity | None,
    headline: bool,
) -> float:
    """A heuristic score: specifics (date, agencies, amount) make a misreading less likely."""
    score = 0.55
    if _is_verb(trigger) or found.anchor.relation in ("obj", "pp", "subj", "acl", "stray"):
        score += 0.1
    if found.date_text:
        score += 0.1
    if participants:
        score += 0.1
    if quantity:
        score += 0.05
    if found.status == _PLANNED:
        score -= 0.05
    if headline:
        score -= 0.15
    return round(max(0.3, min(0.95, score)), 2)


# --- Deduplication ---------------------------------------------------------------------------

# A handover of fugitives is reported as an extradition in one sentence and a deportation
# in another; a meeting held at a conference is one gathering.
_SAME_FAMILY = ({"meeting", "conference"}, {"deportation", "extradition"})
# A definite "the meeting" may refer back to a workshop or a conference.
GATHERING_TYPES = _word_set("gathering_types")


def _same_family(a: str, b: str) -> bool:
    return a == b or any(a in f and b in f for f in _SAME_FAMILY)


def _compatible_dates(a: Event, b: Event) -> bool:
    if a.event_date and b.event_date:
        return a.event_date <= b.event_date_end and b.event_date <= a.event_date_end
    if a.date_text and b.date_text and not (a.event_date and b.event_date):
        # Unresolved phrases conflict only when they name different months or years...
        for pattern, width in ((_MONTH_RE, 3), (_YEAR_RE.pattern, 4)):
            found_a = {
                m.lower().rstrip(".")[:width] for m in re.findall(pattern, a.date_text, re.I)
            }
            found_b = {
                m.lower().rstrip(".")[:width] for m in re.findall(pattern, b.date_text, re.I)
            }
            if found_a and found_b and not found_a & found_b:
                return False
        # ... or when one is "last year" and the other a day or month of no stated year,
        # which news reports mean in the current year
        rel_a, rel_b = _OTHER_YEAR.search(a.date_text), _OTHER_YEAR.search(b.date_text)
        if bool(rel_a) != bool(rel_b):
            other = b.date_text if rel_a else a.date_text
            if _DAY_OR_MONTH.search(other) and not _YEAR_RE.search(other):
                return False
    return True


_OTHER_YEAR = re.compile(r"\b(?:last|next|previous|past)\s+year\b|\ba\s+year\s+ago\b", re.I)
_DAY_OR_MONTH = re.compile(
    rf"\b{_MONTH_RE}(?!\w)|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b", re.I
)


def _compatible_quantities(a: Quantity | None, b: Quantity | None) -> bool:
    if a is None or b is None or _unit_family(a.unit) != _unit_family(b.unit):
        return True
    lo_a, hi_a = _quantity_interval(a)
    lo_b, hi_b = _quantity_interval(b)
    return lo_a <= hi_b and lo_b <= hi_a


def _compatible_status(a: str, b: str, event_type: str) -> bool:
    """Restatements may see one event as done, under way or coming; a ranking's change
    ("dropped to Tier 3") and its current state ("is on a watchlist") are two facts."""
    if event_type == "ranking":
        return a == b
    return a == b or _PLANNED not in (a, b) or {a, b} == {_ONGOING, _PLANNED}


def _normalise(text: str) -> str:
    t = text.lower().replace("\u2019", "'").replace("\u00a0", " ")
    return re.sub(r"[^\w]+", " ", t).strip()


def _same_event(a: _Mention, b: _Mention) -> bool:
    """Whether statement `b` restates the event `a` (possibly folded from several)."""
    ea, eb = a.event, b.event
    gathering = {ea.event_type, eb.event_type} <= GATHERING_TYPES and b.anaphoric
    types_a, types_b = a.types or {ea.event_type}, b.types or {eb.event_type}
    family = any(_same_family(x, y) for x in types_a for y in types_b)
    if not (family or gathering):
        return False
    if not _compatible_dates(ea, eb) or not _compatible_quantities(a.quantity, b.quantity):
        return False
    similar = fuzz.token_set_ratio(_normalise(ea.sentence_text), _normalise(eb.sentence_text))
    if similar >= 90 and ea.sentence_text != eb.sentence_text:
        return True
    if b.is_headline:
        # headlines compress the story; they rarely hold an event the body does not restate
        return True
    same_sentence = ea.char_start == eb.char_start
    if (
        same_sentence
        and a.predicate[0] != b.predicate[0]
        and a.predicate[1] == b.predicate[1]
        and not b.anaphoric
    ):
        return False
    if same_sentence and b.indefinite:
        # "officials will meet in Pakse, while a trilateral meeting is planned for June"
        return False
    # "the first course" of "four training courses"; "the course" a clause after "had been
    # going through training so far": a definite reference into a stated series
    member_of_series = (
        a.aggregate and not b.aggregate and (b.member or b.series or b.anaphoric and same_sentence)
    )
    if (a.aggregate != b.aggregate or a.aggregate and b.aggregate) and not member_of_series:
        return False
    if b.distinct or a.name and b.name and a.name != b.name:
        return False
    if not _compatible_status(ea.event_status, eb.event_status, ea.event_type):
        return False
    if (
        a.participant_ids
        and b.participant_ids
        and not a.participant_ids & b.participant_ids
        and not b.anaphoric
    ):
        # different named agencies make different events, unless the later mention refers
        # back ("the three-day training course" attended by the trainees of an earlier one)
        return False
    return not (ea.place_name and eb.place_name and ea.country_code != eb.country_code)


def _merge(keep: _Mention, drop: _Mention) -> _Mention:
    """Fold a restatement into the event; the first body sentence stays the representative."""
    if keep.is_headline and not drop.is_headline:
        keep, drop = drop, keep
    a, b = keep.event, drop.event
    precise = {"day": 3, "month": 2, "year": 1, None: 0}
    date_src = a if precise[a.event_date_precision] >= precise[b.event_date_precision] else b
    if keep.aggregate and drop.member:
        # the first course's date is not the date of the whole series
        date_src = a
    if date_src.date_text is None:
        date_src = a if a.date_text else b
    qty_src = a if a.quantity_text else b
    place_src = a if a.place_name else b
    etype = a.event_type
    if {a.event_type, b.event_type} == {"meeting", "conference"}:
        etype = "conference"
    if {a.event_type, b.event_type} == {"deportation", "extradition"}:
        # "will extradite" and "is sending back" one fugitive: the legal form names it
        etype = "extradition"
    merged = Event(
        event_id=a.event_id if etype == a.event_type else b.event_id,
        article_id=a.article_id,
        paragraph_id=a.paragraph_id,
        event_type=etype,
        event_status=a.event_status,
        date_text=date_src.date_text,
        event_date=date_src.event_date,
        event_date_end=date_src.event_date_end,
        event_date_precision=date_src.event_date_precision,
        place_name=place_src.place_name,
        country_code=place_src.country_code if place_src.place_name else a.country_code,
        quantity_text=qty_src.quantity_text,
        quantity_value=qty_src.quantity_value,
        quantity_unit=qty_src.quantity_unit,
        quantity_qualifier=qty_src.quantity_qualifier,
        substance=qty_src.substance,
        sentence_text=a.sentence_text,
        char_start=a.char_start,
        char_end=a.char_end,
        confidence=round(min(0.95, max(a.confidence, b.confidence) + 0.05), 2),
        extractor_version=a.extractor_version,
        participants=_merge_roles(a.participants + b.participants),
        countries=tuple(dict.fromkeys(a.countries + b.countries)),
    )
    return _Mention(
        event=merged,
        is_headline=keep.is_headline and drop.is_headline,
        distinct=keep.distinct,
        aggregate=keep.aggregate,
        anaphoric=keep.anaphoric,
        quantity=keep.quantity or drop.quantity,
        participant_ids=keep.participant_ids | drop.participant_ids,
        order=min(keep.order, drop.order),
        predicate=keep.predicate,
        types=keep.types | drop.types,
        member=keep.member,
        series=keep.series,
        indefinite=keep.indefinite,
        name=keep.name or drop.name,
    )


def _deduplicate(mentions: list[_Mention]) -> list[_Mention]:
    """Fold restatements into one event: headlines last, so body sentences represent."""
    clusters: list[_Mention] = []
    for mention in sorted(mentions, key=lambda m: (m.is_headline, m.order)):
        matches = [i for i, cluster in enumerate(clusters) if _same_event(cluster, mention)]
        if not matches:
            clusters.append(mention)
            continue
        # a definite reference ("the meeting") points to the latest candidate
        i = max(matches, key=lambda j: clusters[j].order) if mention.anaphoric else matches[0]
        clusters[i] = _merge(clusters[i], mention)
    return sorted(clusters, key=lambda m: (m.event.char_start, m.order))


def domain_cue_rules() -> dict[str, dict[str, list]]:
    """The actor and crime cues of `event_domain.json`: words (matched by lemma or by
    lower-cased text, so "drugs" and "Police" in a title both count), phrases (by lower-cased
    text) and token patterns, per label."""
    rules = load_rules("event_domain")
    return {
        label: {
            "words": sorted({w.lower() for w in rules[label]["words"]}),
            "phrases": [p.lower() for p in rules[label]["phrases"]],
            "patterns": rules[label].get("patterns", []),
        }
        for label in ("actors", "crimes")
    }


@dataclass(frozen=True)
class DomainCues:
    """Law-enforcement cues in one sentence."""

    agency: bool  # an agency mention
    actor: bool  # police, prosecutors, customs... or an agency mention
    crime: bool  # drugs, trafficking, suspects, fugitives, extradition...


def domain_cues(sentence: SentenceInput) -> DomainCues:
    span = sentence.span
    labels = {
        cue.label_
        for cue in span.doc.spans[CUES_KEY]
        if span.start <= cue.start and cue.end <= span.end
    }
    agency = any(ent.entity_type == "agency" for ent in sentence.entities)
    return DomainCues(agency=agency, actor=agency or "actors" in labels, crime="crimes" in labels)


class _Domain:
    """Whether law-enforcement cooperation is in play around each sentence of an article.

    Sport, business and culture news use the same trigger words ("training", "meeting",
    "agreement", "arrested after a brawl") without it; the policy is in `event_domain.json`.
    """

    def __init__(self, sentences: Sequence[SentenceInput]):
        rules = load_rules("event_domain")
        self.reach = int(rules["context_sentences"])
        self.enforcement = frozenset(rules["enforcement_types"])
        self.cues = [domain_cues(s) for s in sentences]

    def _near(self, i: int) -> list[DomainCues]:
        return self.cues[max(0, i - self.reach) : i + self.reach + 1]

    def possible(self, i: int) -> bool:
        """Any cue near sentence i: only then are its triggers worth reading."""
        return any(c.actor or c.crime for c in self._near(i))

    def admits(self, i: int, event_type: str) -> bool:
        own = self.cues[i]
        if event_type in self.enforcement:
            return own.actor or any(c.crime or c.agency for c in self._near(i))
        return own.crime or any(c.actor for c in self._near(i))


@lru_cache(maxsize=1)
def _dateline() -> re.Pattern[str]:
    return re.compile(load_rules("event_lexicon")["patterns"]["dateline"])


def _join_datelines(sentences: list[SentenceInput]) -> list[SentenceInput]:
    """Put a dateline the sentence splitter cut off ("WASHINGTON -") back on the sentence
    it opens, so that the stating sentence reads as written."""
    out: list[SentenceInput] = []
    for sentence in sentences:
        lead = out[-1] if out else None
        if (
            lead is not None
            and lead.paragraph_id == sentence.paragraph_id
            and lead.span.doc is sentence.span.doc
            and _dateline().match(lead.text)
        ):
            doc = sentence.span.doc
            start = lead.span.start_char + len(lead.span.text) - len(lead.span.text.lstrip())
            text = doc.text[start : sentence.span.end_char].rstrip()
            out[-1] = SentenceInput(
                article_id=lead.article_id,
                paragraph_id=lead.paragraph_id,
                sentence_index=lead.sentence_index,
                char_start=lead.char_start,
                char_end=lead.char_start + len(text),
                text=text,
                span=doc[lead.span.start : sentence.span.end],
                entities=lead.entities + sentence.entities,
            )
            continue
        out.append(sentence)
    return out


def extract_article_events(
    sentences: Sequence[SentenceInput],
    published_at: datetime | None,
    article_country: str | None = None,
) -> list[Event]:
    """Events stated in an article's content sentences, one per real-world event.

    `published_at` anchors relative dates ("last week"); without it they stay unresolved.
    `article_country` is the fallback country of events that name no place.
    """
    published = _as_date(published_at)
    ordered = _join_datelines(sorted(sentences, key=lambda s: s.sentence_index))
    domain = _Domain(ordered)
    mentions: list[_Mention] = []
    for i, sentence in enumerate(ordered):
        if domain.possible(i):
            antecedents = subject_agencies(ordered[i - 1]) if i > 0 else ()
            mentions.extend(
                m
                for m in _sentence_mentions(sentence, published, article_country, antecedents)
                if domain.admits(i, m.event.event_type)
            )
    return [m.event for m in _deduplicate(mentions)]
