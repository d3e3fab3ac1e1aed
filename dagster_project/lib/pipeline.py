"""The NLP stage's spaCy pipeline: the statistical model named by NEWS_SPACY_MODEL, then the
project's registered components, assembled from `dbt/seeds/rules/pipeline.cfg`.

Each component reads one paragraph's Doc and writes what it finds to `doc.spans[...]` (and to
`Doc`/`Span` extensions); nothing here decides across paragraphs. The decisions that need the
whole article (which country an ambiguous name belongs to, short names of people and bodies
named earlier, merging) are made in one place, `entities.extract_entities`, which reads the
spans these components wrote.

To add a component: register a factory here (or in a module imported below) with
`@Language.factory("news_<name>", default_config={...})`, add a `[components.<name>]` section
with `factory = "news_<name>"` and its settings to the config file, and put `<name>` in
`[pipeline] components` where it should run.
"""

from __future__ import annotations

import itertools
import json
import re
from functools import lru_cache
from pathlib import Path

import numpy
import spacy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from thinc.api import Config

# registers the event components named in the config
import dagster_project.lib.event_components  # noqa: F401
from dagster_project.lib.entities import (
    AGENCY_ACRONYMS,
    AGENCY_NAMES,
    CRIME_CUES,
    ORGANISATION_NAMES,
    PLACE_NAMES,
    RULES_DIR,
    AgencyReference,
    Gazetteer,
)
from dagster_project.lib.nlp_tables import SEEDS_DIR
from dagster_project.lib.settings import SPACY_MODEL

PIPELINE_CONFIG = RULES_DIR / "pipeline.cfg"
REFERENCE_AGENCIES = SEEDS_DIR / "ref_agencies.csv"
REFERENCE_PLACES = SEEDS_DIR / "ref_places.csv"


@lru_cache(maxsize=4)
def _reference(agencies_csv: str, places_csv: str, stamps: tuple[float, float]) -> AgencyReference:
    # `stamps` (the files' mtimes) is only part of the cache key: an edited seed is re-read
    return AgencyReference.from_csv(agencies_csv, Gazetteer.from_csv(places_csv))


def reference_tables(agencies_csv: str | Path, places_csv: str | Path) -> AgencyReference:
    """The reference agencies (with the gazetteer of places they use), read once per process
    and again when either file changes."""
    agencies_csv, places_csv = Path(agencies_csv), Path(places_csv)
    for path in (agencies_csv, places_csv):
        if not path.exists():
            raise FileNotFoundError(f"reference table {path} does not exist")
    stamps = (agencies_csv.stat().st_mtime, places_csv.stat().st_mtime)
    return _reference(str(agencies_csv), str(places_csv), stamps)


def _phrase_matcher(nlp: Language, label: str, attr: str, phrases: list[str]) -> PhraseMatcher:
    matcher = PhraseMatcher(nlp.vocab, attr=attr)
    matcher.add(label, list(nlp.tokenizer.pipe(phrases)))
    return matcher


class PhraseRuler:
    """Writes every match of lists of fixed phrases to `doc.spans[key]` with the list's
    label, each list matched on its own token attribute (NORM folds case, ORTH keeps it for
    codes and acronyms)."""

    def __init__(
        self,
        nlp: Language,
        rules: list[tuple[str, str, str, list[str]]],
        *,
        capitalised_only: bool = False,
    ):
        self.matchers = [
            (key, _phrase_matcher(nlp, label, attr, phrases)) for key, label, attr, phrases in rules
        ]
        # a gazetteer hit written in lower case is a common word ("china" the material)
        self.capitalised_only = capitalised_only

    def __call__(self, doc: Doc) -> Doc:
        found: dict[str, list[Span]] = {key: [] for key, _ in self.matchers}
        for key, matcher in self.matchers:
            for label, start, end in matcher(doc):
                if self.capitalised_only and not doc[start].text[:1].isupper():
                    continue
                found[key].append(Span(doc, start, end, label=label))
        for key, spans in found.items():
            doc.spans[key] = sorted(spans)
        return doc


@Language.factory("news_agency_ruler", default_config={})
def make_agency_ruler(nlp: Language, name: str, agencies_csv: str, places_csv: str) -> PhraseRuler:
    """Every name, alias (case-folded) and acronym (exact) of the reference agencies."""
    reference = reference_tables(agencies_csv, places_csv)
    return PhraseRuler(
        nlp,
        [
            (AGENCY_NAMES, "AGENCY", "NORM", reference.name_forms()),
            (AGENCY_ACRONYMS, "AGENCY", "ORTH", reference.acronym_forms()),
        ],
    )


@Language.factory("news_place_ruler", default_config={})
def make_place_ruler(nlp: Language, name: str, agencies_csv: str, places_csv: str) -> PhraseRuler:
    """Every name and alias of the gazetteer written with a capital; codes ("U.S.", "PRC")
    matched exactly, names case-folded."""
    gazetteer = reference_tables(agencies_csv, places_csv).gazetteer
    names, codes = [], []
    for surface, _ in gazetteer.surface_forms():
        (codes if surface.isupper() or "." in surface else names).append(surface)
    return PhraseRuler(
        nlp,
        [(PLACE_NAMES, "PLACE", "NORM", names), (PLACE_NAMES, "PLACE", "ORTH", codes)],
        capitalised_only=True,
    )


def read_rules(file_name: str) -> dict:
    """A rule data file of dbt/seeds/rules/ (JSON), with its name in the error when it is
    missing or malformed."""
    path = RULES_DIR / file_name
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"rule file {path} cannot be read: {exc}") from exc


def _phrases(pattern: list[dict]) -> list[tuple[str, ...]] | None:
    """The word sequences a token pattern of fixed words (LOWER/ORTH values or IN lists, "?"
    optional tokens) matches, or None when it needs a Matcher (gaps, other attributes)."""
    choices: list[list[str | None]] = []
    for token in pattern:
        op = token.get("OP")
        values = [v for k, v in token.items() if k != "OP"]
        if set(token) - {"LOWER", "ORTH", "OP"} or len(values) != 1 or op not in (None, "?"):
            return None
        value = values[0]
        if isinstance(value, dict):
            if set(value) != {"IN"}:
                return None
            value = value["IN"]
        words: list[str | None] = [value] if isinstance(value, str) else list(value)
        choices.append(words + [None] if op == "?" else words)
    return [
        tuple(w for w in combo if w is not None)
        for combo in itertools.product(*choices)
        if any(w is not None for w in combo)
    ]


def _first_word_spread(pattern: list[dict]) -> list[list[dict]]:
    """A pattern whose first token is a word list, as one pattern per word: the Matcher
    compares a plain LOWER value in C but calls Python for an IN list, at every token."""
    value = pattern[0].get("LOWER") if set(pattern[0]) == {"LOWER"} else None
    if not (isinstance(value, dict) and set(value) == {"IN"}):
        return [pattern]
    return [[{"LOWER": word}, *pattern[1:]] for word in value["IN"]]


class CrimeMatcher:
    """Writes every match of the crime-type token patterns (spaCy Matcher format) to
    `doc.spans[CRIME_CUES]`, each labelled with its crime type.

    The patterns are run by the cheapest machinery that gives the same matches: patterns of
    fixed words by a PhraseMatcher on LOWER, one-word regular expressions (word families such
    as "^smuggl") once per distinct word of the vocabulary, and only the rest (gaps between
    words) by a Matcher, which checks every pattern at every token of the text."""

    def __init__(self, nlp: Language, patterns: dict[str, list[list[dict]]]):
        # every pattern goes through the Matcher's validation, whichever machinery runs it
        check = Matcher(nlp.vocab, validate=True)
        self.words = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher = Matcher(nlp.vocab)
        self.families: list[tuple[re.Pattern, str]] = []
        self._family_of: dict[int, tuple[str, ...]] = {}
        for crime_type, token_patterns in patterns.items():
            check.add(crime_type, token_patterns)
            for pattern in token_patterns:
                phrases = _phrases(pattern)
                regex = pattern[0].get("LOWER") if len(pattern) == 1 else None
                if phrases:
                    self.words.add(crime_type, [Doc(nlp.vocab, words=list(p)) for p in phrases])
                elif (
                    isinstance(regex, dict)
                    and set(regex) == {"REGEX"}
                    and set(pattern[0]) == {"LOWER"}
                ):
                    self.families.append((re.compile(regex["REGEX"]), crime_type))
                else:
                    self.matcher.add(crime_type, _first_word_spread(pattern))

    def _families(self, key: int, vocab) -> tuple[str, ...]:
        found = self._family_of.get(key)
        if found is None:
            word = vocab.strings[key]
            found = tuple(crime for regex, crime in self.families if regex.search(word))
            self._family_of[key] = found
        return found

    def __call__(self, doc: Doc) -> Doc:
        spans = list(self.words(doc, as_spans=True))
        if len(self.matcher):
            spans += self.matcher(doc, as_spans=True)
        if self.families and len(doc):
            lowers = doc.to_array(LOWER)
            for key in numpy.unique(lowers).tolist():
                for crime in self._families(key, doc.vocab):
                    spans += [
                        Span(doc, i, i + 1, label=crime)
                        for i in numpy.flatnonzero(lowers == key).tolist()
                    ]
        doc.spans[CRIME_CUES] = sorted(spans)
        return doc


@Language.factory("news_crime_matcher", default_config={"patterns": "crime_patterns.json"})
def make_crime_matcher(nlp: Language, name: str, patterns: str) -> CrimeMatcher:
    """Crime-type cues from the token patterns of the rule file `patterns`."""
    return CrimeMatcher(nlp, read_rules(patterns)["crime_types"])


def _fill_word_list(pattern: list[dict], name: str, words: list[str]) -> list[dict]:
    """The token pattern with every `{"IN": name}` replaced by the word list itself."""
    return [
        {
            attr: {**value, "IN": words}
            if isinstance(value, dict) and value.get("IN") == name
            else value
            for attr, value in token.items()
        }
        for token in pattern
    ]


class OrganisationCues:
    """Writes the capitalised names that the text says are organisations ("<Name>, a
    Texas-based company", "telecoms giant <Name>") to `doc.spans[ORGANISATION_NAMES]`: the
    name alone, not the noun that shows it."""

    def __init__(self, nlp: Language, rules: dict):
        self.matcher = Matcher(nlp.vocab, validate=True)
        nouns = rules["organisation_nouns"]
        for label, patterns in rules["patterns"].items():
            if label not in ("NAME_AFTER", "NAME_BEFORE"):
                raise ValueError(
                    f"organisation cue label {label!r} is neither NAME_AFTER nor NAME_BEFORE"
                )
            filled = [_fill_word_list(p, "organisation_nouns", nouns) for p in patterns]
            self.matcher.add(label, filled, greedy="LONGEST")
        self.after = nlp.vocab.strings["NAME_AFTER"]

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for label, start, end in self.matcher(doc):
            if label == self.after:
                name_start = end
                while name_start > start and doc[name_start - 1].is_title:
                    name_start -= 1
                spans.append(Span(doc, name_start, end, label="ORG"))
            else:
                name_end = start
                while name_end < end and doc[name_end].is_title:
                    name_end += 1
                spans.append(Span(doc, start, name_end, label="ORG"))
        doc.spans[ORGANISATION_NAMES] = sorted(set(spans))
        return doc


@Language.factory("news_organisation_cues", default_config={"rules": "organisation_cues.json"})
def make_organisation_cues(nlp: Language, name: str, rules: str) -> OrganisationCues:
    """Names shown to be organisations, from the patterns of the rule file `rules`."""
    return OrganisationCues(nlp, read_rules(rules))


def pipeline_config(
    agencies_csv: str | Path, places_csv: str | Path, config_path: str | Path = PIPELINE_CONFIG
) -> Config:
    """The pipeline config with the run's reference tables filled in."""
    return Config().from_disk(
        config_path,
        overrides={"paths.agencies": str(agencies_csv), "paths.places": str(places_csv)},
    )


@lru_cache(maxsize=4)
def load_model(model_name: str) -> Language:
    """The installed statistical model `model_name` alone, loaded once per process."""
    return _statistical_model(model_name)


def _statistical_model(model_name: str) -> Language:
    try:
        return spacy.load(model_name)
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model {model_name!r} is not installed: install that package or set "
            f"{SPACY_MODEL.name} to an installed model (default {SPACY_MODEL.default!r})"
        ) from exc


def build_pipeline(
    model_name: str,
    agencies_csv: str | Path = REFERENCE_AGENCIES,
    places_csv: str | Path = REFERENCE_PLACES,
    config_path: str | Path = PIPELINE_CONFIG,
) -> Language:
    """A fresh pipeline: the statistical model `model_name` with the configured components."""
    config = pipeline_config(agencies_csv, places_csv, config_path)
    nlp = _statistical_model(model_name)
    for name in config["pipeline"]["components"]:
        settings = dict(config["components"][name])
        nlp.add_pipe(settings.pop("factory"), name=name, config=settings)
    return nlp


@lru_cache(maxsize=4)
def _pipeline(
    model_name: str, agencies_csv: str, places_csv: str, stamps: tuple[float, ...]
) -> Language:
    return build_pipeline(model_name, agencies_csv, places_csv)


def load_pipeline(
    model_name: str,
    agencies_csv: str | Path = REFERENCE_AGENCIES,
    places_csv: str | Path = REFERENCE_PLACES,
) -> Language:
    """The assembled pipeline, built once per process and again when the config or a
    reference table changes."""
    files = [Path(agencies_csv), Path(places_csv), PIPELINE_CONFIG]
    for path in files:
        if not path.exists():
            raise FileNotFoundError(f"{path} does not exist")
    stamps = tuple(path.stat().st_mtime for path in files)
    return _pipeline(model_name, str(agencies_csv), str(places_csv), stamps)
