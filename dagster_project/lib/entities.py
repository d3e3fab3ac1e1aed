"""The entity layer: reference agencies and places, and the rules that find agencies, people
and places in parsed paragraphs, link them to one canonical name, and tag crime types.

Everything here is a general rule or reference data about real agencies and places (head
words of agency names, national prefixes, acronym definitions, title words, gazetteers);
nothing quotes a sample article, because the layer is judged on articles it never saw.

The name-level rules are pure functions (unit-tested without a model); `extract_entities`
applies them to paragraphs already parsed by spaCy.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process
from spacy.attrs import LOWER, ORTH
from spacy.strings import hash_string
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from dagster_project.lib.nlp_tables import SEEDS_DIR

# The warehouse is about Cambodia: an ambiguous name ("Ministry of Interior") with no national
# prefix and no other country in the article is the Cambodian body.
# names every country gives one of its bodies ("Supreme Court", "Ministry of Finance"): linked
# only when the article's own countries say whose
RULES_DIR = SEEDS_DIR / "rules"
GENERIC_NAMES_FILE = RULES_DIR / "generic_agency_names.json"
# the word lists and small tables the rules below read, one file read once per process
ENTITY_LEXICON_FILE = RULES_DIR / "entity_lexicon.json"

AGENCY_TYPES = (
    "police",
    "ministry",
    "intergovernmental",
    "task_force",
    "embassy",
    "customs",
    "immigration",
    "judiciary",
    "drug_control",
    "financial_intelligence",
    "security_service",
    "legislature",
    "other",
)

# confidence of a mention by how it was found and linked
CONFIDENCE = {
    "reference": 0.95,
    "acronym_definition": 0.9,
    "coreference": 0.75,
    "discovered": 0.6,
    "model": 0.5,
}
FUZZY_THRESHOLD = 90.0
# distinct name signatures whose fuzzy search is remembered (a few MB at most)
FUZZY_CACHE_SIZE = 20_000
# the `doc.spans` keys the pipeline's rulers (dagster_project/lib/pipeline.py) write and the
# article-level step reads
AGENCY_NAMES = "agency_names"
AGENCY_ACRONYMS = "agency_acronyms"
PLACE_NAMES = "place_names"
CRIME_CUES = "crime_cues"
ORGANISATION_NAMES = "organisation_names"

# ---------------------------------------------------------------------------------------------
# Name normalisation


@lru_cache(maxsize=1)
def _lexicon() -> dict:
    with open(ENTITY_LEXICON_FILE, encoding="utf-8") as fh:
        return json.load(fh)


def _lexicon_entry(part: str, name: str):
    try:
        return _lexicon()[part][name]
    except KeyError:
        raise KeyError(f"{ENTITY_LEXICON_FILE}: no entry {part}.{name}") from None


def _words(name: str) -> frozenset[str]:
    """A word list of the entity lexicon."""
    return frozenset(_lexicon_entry("words", name))


def _table(name: str):
    """A table (mapping or list of tuples) of the entity lexicon."""
    return _lexicon_entry("tables", name)


_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_POSSESSIVE_TOKENS = {"'s", "’s", "'", "’", "s'", "s’"}
CONNECTORS = _words("connectors")
# "ministries" of "the ministries of Interior and Justice": the head each name shares
_SHARED_HEADS = _table("shared_heads")
_DETERMINERS = _words("determiners")


@lru_cache(maxsize=65536)
def normalise_name(text: str | None) -> str:
    """Comparable form of a name: case, quotes, possessives, punctuation, dotted initials
    ("U.S." = "US") and a leading "the"."""
    if not text:
        return ""
    t = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    t = re.sub(r"\b(?:[A-Za-z]\.){2,}", lambda m: m.group(0).replace(".", ""), t).casefold()
    t = re.sub(r"'s\b", "", t)
    t = re.sub(r"[^\w]+", " ", t).strip()
    t = re.sub(r"^the ", "", t)
    return re.sub(r"\s+", " ", t)


def slugify(text: str) -> str:
    return normalise_name(text).replace("_", " ").replace(" ", "-")


def discovered_agency_id(canonical_name: str) -> str:
    return "disc-" + slugify(canonical_name)


def is_acronym_like(text: str) -> bool:
    """One word with at least two capitals ("FBI", "MoI", "FinCEN", "JIATF-West")."""
    return (
        " " not in text
        and bool(re.fullmatch(r"[A-Z][A-Za-z0-9/\-.&]*", text))
        and sum(ch.isupper() for ch in text) >= 2
    )


# ---------------------------------------------------------------------------------------------
# Places and nationalities


@dataclass(frozen=True)
class Place:
    name: str
    place_type: str
    country_code: str | None
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()


def _split_list(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split("|") if v.strip())


class Gazetteer:
    """Countries, provinces, cities and regions, plus the nationality words of countries.

    Demonyms are never places; they only tell which country a national prefix names.
    """

    def __init__(self, places: Iterable[Place]):
        self.places = tuple(places)
        self._by_name: dict[str, Place] = {}
        self._nationality: dict[str, str] = {}
        self._demonyms: set[str] = set()
        # token_indices' memos of the two tests below, by string-store key
        self.demonym_memo: dict[int, bool] = {}
        self.nationality_memo: dict[int, bool] = {}
        for place in self.places:
            for name in (place.name, *place.aliases):
                self._by_name.setdefault(normalise_name(name), place)
            if place.place_type == "country" and place.country_code:
                for name in (place.name, *place.aliases, *place.demonyms):
                    self._nationality.setdefault(normalise_name(name), place.country_code)
                self._demonyms.update(normalise_name(d) for d in place.demonyms)

    @classmethod
    def from_csv(cls, path: str | Path) -> Gazetteer:
        with open(path, encoding="utf-8", newline="") as fh:
            return cls(
                Place(
                    name=row["place_name"].strip(),
                    place_type=row["place_type"].strip(),
                    country_code=row["country_code"].strip() or None,
                    aliases=_split_list(row.get("aliases")),
                    demonyms=_split_list(row.get("demonyms")),
                )
                for row in csv.DictReader(fh)
            )

    def lookup(self, text: str) -> Place | None:
        """The place a surface form names ("U.S." -> United States); demonyms give None."""
        key = normalise_name(text)
        if key in self._demonyms:
            return None
        return self._by_name.get(key)

    def closest(self, text: str) -> Place | None:
        """The place a misspelt name most likely means ("Phnom Pehn" -> Phnom Penh): a name of
        two or more words, or of 8 letters or more, within FUZZY_THRESHOLD of a known name that
        starts with the same letter."""
        key = normalise_name(text)
        if len(key) < 8 and " " not in key:
            return None
        choices = [k for k in self._by_name if k[:1] == key[:1]]
        best = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD)
        return self._by_name[best[0]] if best else None

    def nationality(self, text: str) -> str | None:
        """ISO code of a country name or demonym used as a prefix ("US", "Thai", "British")."""
        return self._nationality.get(normalise_name(text))

    def split_national_suffix(self, name: str) -> tuple[str | None, str]:
        """("Federal Police of Australia") -> ("AU", "Federal Police")."""
        found = re.match(r"^(.+?)\s+of\s+(?:the\s+)?(.+)$", name)
        if found:
            place = self.lookup(found.group(2))
            if place and place.place_type == "country":
                return place.country_code, found.group(1)
        return None, name

    def country_name(self, code: str | None) -> str | None:
        for place in self.places:
            if place.place_type == "country" and place.country_code == code:
                return place.name
        return None

    def is_demonym(self, text: str) -> bool:
        return normalise_name(text) in self._demonyms

    def capitalised_demonym(self, word: str) -> bool:
        return word[:1].isupper() and self.is_demonym(word)

    def capitalised_nationality(self, word: str) -> bool:
        return word[:1].isupper() and bool(self.nationality(word))

    def surface_forms(self) -> Iterable[tuple[str, Place]]:
        for place in self.places:
            for name in (place.name, *place.aliases):
                yield name, place

    def split_national_prefix(self, name: str) -> tuple[str | None, str]:
        """("US Drug Enforcement Agency") -> ("US", "Drug Enforcement Agency")."""
        words = name.split()
        for k in range(min(3, len(words) - 1), 0, -1):
            code = self.nationality(" ".join(words[:k]))
            if code and not words[k - 1].endswith(("'s", "’s", "'", "’")):
                return code, " ".join(words[k:])
        return None, name


# ---------------------------------------------------------------------------------------------
# Agencies


@dataclass(frozen=True)
class Agency:
    agency_id: str
    canonical_name: str
    acronym: str | None
    country_code: str | None
    agency_type: str
    aliases: tuple[str, ...] = ()
    parent_agency_id: str | None = None
    is_reference: bool = True


# Head words of agency names. The intrinsic ones name a law-enforcement, justice or diplomatic
# body on their own; the others ("Office", "Unit", "Ministry") need a keyword saying what the
# body does, so that a "Ministry of Tourism" or an "Office of Statistics" is not an agency.
INTRINSIC_HEADS = _words("intrinsic_heads")
GENERAL_HEADS = _words("general_heads")
AGENCY_HEADS = INTRINSIC_HEADS | GENERAL_HEADS
LAW_ENFORCEMENT_KEYWORDS = _words("law_enforcement_keywords")
# Titles that name an office of state ("Office of the Prosecutor General").
_TITLE_OFFICES = frozenset(tuple(pair) for pair in _table("title_offices"))
# Words that make a name something other than an agency: news outlets, schools, civil society,
# companies, criminal groups, events and legal texts.
NON_AGENCY_WORDS = _words("non_agency_words")
# Modifiers that do not make a name specific: "International Police", "Provincial Police".
GENERIC_MODIFIERS = _words("generic_modifiers")
_HEAD_TYPE = _table("head_type")

_SIG_SYNONYMS = _table("sig_synonyms")
_SIG_STOP = CONNECTORS - {"against"}
_PREPOSITIONS = _words("prepositions")


def _sig_word(word: str) -> str:
    word = _SIG_SYNONYMS.get(word, word)
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return _SIG_SYNONYMS.get(word, word)


def name_signature(name: str) -> tuple[str, ...]:
    """Order-free content words of a name with synonyms folded, for inexact matching.

    "National Anti-Drug Authority" and "National Authority for Combating Drugs" share one.
    """
    words = [w for w in normalise_name(name).split() if w not in _SIG_STOP]
    return tuple(sorted(_sig_word(w) for w in words))


def head_word(name: str) -> str | None:
    """The noun a name is headed by: the last word before a complement ("of ...", "for ...")."""
    words = normalise_name(name).split()
    for i, w in enumerate(words):
        if w in _PREPOSITIONS and i > 0:
            return words[i - 1]
    return words[-1] if words else None


def head_class(name: str) -> str | None:
    head = head_word(name)
    return _sig_word(head) if head else None


def reference_problems(agencies: Sequence[Agency]) -> list[str]:
    """What is wrong with a reference table: duplicate or malformed ids, unknown types,
    country codes that are neither ISO alpha-2 nor INT, parents that do not exist."""
    problems = []
    ids = Counter(a.agency_id for a in agencies)
    problems += [f"duplicate agency_id {i}" for i, n in ids.items() if n > 1]
    for a in agencies:
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", a.agency_id):
            problems.append(f"{a.agency_id}: agency_id is not a slug")
        if a.agency_type not in AGENCY_TYPES:
            problems.append(f"{a.agency_id}: unknown agency_type {a.agency_type!r}")
        if not a.country_code or not re.fullmatch(r"[A-Z]{2}|INT", a.country_code):
            problems.append(f"{a.agency_id}: bad country_code {a.country_code!r}")
        if a.parent_agency_id and a.parent_agency_id not in ids:
            problems.append(f"{a.agency_id}: unknown parent {a.parent_agency_id}")
    return problems


class AgencyReference:
    """The reference agencies, indexed by name, alias, acronym and inexact signature."""

    def __init__(self, agencies: Iterable[Agency], gazetteer: Gazetteer):
        self.gazetteer = gazetteer
        self.agencies = tuple(agencies)
        self.by_id = {a.agency_id: a for a in self.agencies}
        self._order = {a.agency_id: i for i, a in enumerate(self.agencies)}
        self._names: dict[str, list[Agency]] = defaultdict(list)
        self._acronyms: dict[str, list[Agency]] = defaultdict(list)
        self._signatures: list[tuple[str, str | None, Agency]] = []
        for agency in self.agencies:
            forms = [agency.canonical_name, *agency.aliases]
            if agency.acronym:
                forms.append(agency.acronym)
            for form in forms:
                if is_acronym_like(form):
                    self._add(self._acronyms, form, agency)
                else:
                    self._add(self._names, normalise_name(form), agency)
                    _, rest = gazetteer.split_national_prefix(form)
                    sig = " ".join(name_signature(rest))
                    if len(sig.split()) >= 2:
                        self._signatures.append((sig, head_class(rest), agency))
        self._sig_strings = [s for s, _, _ in self._signatures]
        # fuzzy's search by signature: names recur within and across articles
        self._fuzzy_found: dict[str, list[tuple[str, float, int]]] = {}
        # an embassy belongs to its sender but stands in its host: the host decides which
        # of a country's embassies a bare "US Embassy" is
        self._host = {
            a.agency_id: host
            for a in self.agencies
            if a.agency_type == "embassy" and (host := self._host_country(a.canonical_name))
        }
        self._generic = generic_agency_names()

    def _host_country(self, canonical: str) -> str | None:
        found = re.search(r"\b(?:in|to)\s+(?:the\s+)?([A-Z][^,()]*)$", canonical)
        place = self.gazetteer.lookup(found.group(1)) if found else None
        return place.country_code if place else None

    def where(self, agency: Agency) -> str | None:
        """The country an agency works in: its host for an embassy, else its own."""
        return self._host.get(agency.agency_id, agency.country_code)

    def embassy(self, sender: str | None, host: str) -> Agency | None:
        """The reference embassy of `sender` in `host`, if the table has it."""
        return next(
            (
                a
                for a in self.agencies
                if a.agency_type == "embassy"
                and a.country_code == sender
                and self._host.get(a.agency_id) == host
            ),
            None,
        )

    def is_generic(self, name: str | None) -> bool:
        return bool(name) and normalise_name(name) in self._generic

    @staticmethod
    def _add(index: dict[str, list[Agency]], key: str, agency: Agency) -> None:
        if key and agency not in index[key]:
            index[key].append(agency)

    @classmethod
    def from_csv(cls, path: str | Path, gazetteer: Gazetteer) -> AgencyReference:
        with open(path, encoding="utf-8", newline="") as fh:
            agencies = [
                Agency(
                    agency_id=row["agency_id"].strip(),
                    canonical_name=row["canonical_name"].strip(),
                    acronym=row["acronym"].strip() or None,
                    country_code=row["country_code"].strip() or None,
                    agency_type=row["agency_type"].strip(),
                    aliases=_split_list(row.get("aliases")),
                    parent_agency_id=(row.get("parent_agency_id") or "").strip() or None,
                )
                for row in csv.DictReader(fh)
            ]
        problems = reference_problems(agencies)
        if problems:
            raise ValueError(f"{path}: " + "; ".join(problems))
        return cls(agencies, gazetteer)

    def name_forms(self) -> list[str]:
        forms = []
        for agency in self.agencies:
            for form in (agency.canonical_name, *agency.aliases):
                if not is_acronym_like(form):
                    forms.append(form)
        return forms

    def acronym_forms(self) -> list[str]:
        return list(self._acronyms)

    def by_name(self, text: str) -> list[Agency]:
        return list(self._names.get(normalise_name(text), ()))

    def by_acronym(self, text: str) -> list[Agency]:
        return list(self._acronyms.get(text, ()))

    def knows_name(self, text: str) -> bool:
        return normalise_name(text) in self._names or text in self._acronyms

    def pick(
        self,
        candidates: Sequence[Agency],
        prefix_country: str | None = None,
        country_rank: Sequence[str] = (),
        name: str | None = None,
    ) -> Agency | None:
        """One agency among those sharing a name: the national prefix decides, then the
        countries the article talks about most. A name several bodies share, or one every
        country uses (`name` generic: "Supreme Court"), needs the article's countries to say
        whose; without them it stays unlinked rather than guessed."""
        if not candidates:
            return None
        if prefix_country:
            same = [a for a in candidates if a.country_code == prefix_country]
            if same:
                candidates = same
            else:
                candidates = [a for a in candidates if a.country_code == "INT"]
                if not candidates:
                    return None
        rank: dict[str, int] = {}
        for code in (*country_rank, "INT"):
            rank.setdefault(code, len(rank))
        unique = len(candidates) == 1 and (
            not self.is_generic(name)
            or (prefix_country is not None and self.where(candidates[0]) == prefix_country)
        )
        if unique and candidates[0].agency_id not in self._host:
            return candidates[0]
        in_context = [a for a in candidates if self.where(a) in rank]
        if not in_context:
            return candidates[0] if unique else None
        return min(
            in_context,
            key=lambda a: (rank[self.where(a) or ""], self._order[a.agency_id]),
        )

    def fuzzy(
        self,
        name: str,
        prefix_country: str | None = None,
        country_rank: Sequence[str] = (),
    ) -> tuple[Agency, float] | None:
        """The reference agency an inexact name means, if its signature is close enough, its
        head word agrees and its country does not contradict the national prefix."""
        sig = " ".join(name_signature(name))
        if len(sig.split()) < 2:
            return None
        head = head_class(name)
        found = self._fuzzy_found.get(sig)
        if found is None:
            if len(self._fuzzy_found) >= FUZZY_CACHE_SIZE:
                self._fuzzy_found.clear()
            found = self._fuzzy_found[sig] = process.extract(
                sig,
                self._sig_strings,
                scorer=fuzz.token_sort_ratio,
                score_cutoff=FUZZY_THRESHOLD,
                limit=20,
            )
        best: dict[str, tuple[float, Agency]] = {}
        for _, score, index in found:
            _, ref_head, agency = self._signatures[index]
            if ref_head != head:
                continue
            if prefix_country and agency.country_code not in (prefix_country, "INT"):
                continue
            if not prefix_country and self.where(agency) not in ("INT", *country_rank):
                continue
            if score > best.get(agency.agency_id, (0.0, agency))[0]:
                best[agency.agency_id] = (score, agency)
        if not best:
            return None
        top = max(score for score, _ in best.values())
        tied = [agency for score, agency in best.values() if score == top]
        chosen = self.pick(tied, prefix_country, country_rank, name)
        return (chosen, top / 100.0) if chosen else None


@lru_cache(maxsize=1)
def generic_agency_names() -> frozenset[str]:
    """Normalised names that many countries give one of their bodies."""
    data = json.loads(GENERIC_NAMES_FILE.read_text(encoding="utf-8"))
    return frozenset(normalise_name(n) for n in data["names"])


def agency_words(name: str) -> list[str]:
    return normalise_name(name).split()


_LEGAL_TEXT_OPENERS = _words("legal_text_openers")


_LEGAL_TEXT_CLOSERS = _words("legal_text_closers")


def _titles_a_law(doc: Doc, start: int, end: int) -> bool:
    """Whether a name is the title of a law ("the National Police Act", "the Serious Crime
    and Police Bill"): it ends with, or is followed by, a capitalised law word that no further
    name word follows ("Police Law Enforcement" is no law)."""
    for i in (end - 1, end):
        if (
            start < i < len(doc)
            and doc[i].is_title
            and doc[i].lower_ in _LEGAL_TEXT_CLOSERS
            and not (i + 1 < len(doc) and doc[i + 1].is_title)
        ):
            return True
    return False


def is_non_agency_name(name: str) -> bool:
    """Outlets, schools, NGOs, companies, criminal groups, events and laws."""
    words = agency_words(name)
    if not words:
        return True
    return any(w in NON_AGENCY_WORDS for w in words) or words[0] in _LEGAL_TEXT_OPENERS


def _head_index(words: list[str]) -> int | None:
    """Index of the agency head word: the last word, or a head followed by a complement."""
    if words and words[-1] in AGENCY_HEADS:
        return len(words) - 1
    for i in range(len(words) - 2, -1, -1):
        if words[i] in AGENCY_HEADS and words[i + 1] in _PREPOSITIONS:
            return i
    return None


def is_agency_like(name: str, gazetteer: Gazetteer) -> bool:
    """Whether an unlisted title-case name reads as a law-enforcement body by general rules:
    an agency head word, a keyword saying what the body does (unless the head says it), a
    specific modifier, and no outlet, school, NGO or company word."""
    if is_non_agency_name(name):
        return False
    words = agency_words(name)
    head = _head_index(words)
    if head is None:
        return False
    # "Certificates of Completion to Police": a head after "to" is where something goes, not
    # the body named ("Mission to Vietnam", "Office to Monitor ..." have theirs before it)
    if "to" in words[:head]:
        return False
    content = [w for w in words if w not in CONNECTORS]
    if len(content) < 2:
        return False
    if words[head] not in INTRINSIC_HEADS and not any(
        w in LAW_ENFORCEMENT_KEYWORDS or w in INTRINSIC_HEADS for w in content
    ):
        return False
    specific = [
        w
        for w in content
        if w not in AGENCY_HEADS
        and w not in GENERIC_MODIFIERS
        and not gazetteer.nationality(w)
        and not gazetteer.is_demonym(w)
    ]
    return bool(specific) or _names_title_office(words)


def _names_title_office(words: Sequence[str]) -> bool:
    """Whether words hold a title that names an office of state ("Attorney General")."""
    return any(pair in _TITLE_OFFICES for pair in zip(words, words[1:], strict=False))


_JUSTICE_WORDS = _words("justice_words")
_DRUG_WORDS = _words("drug_words")


def discovered_agency_type(name: str) -> str:
    words = agency_words(name)
    head = _head_index(words)
    if any(w in _JUSTICE_WORDS for w in words):
        return "judiciary"
    if head is not None and words[head] == "force" and head > 0 and words[head - 1] == "task":
        return "task_force"
    if any(w in _DRUG_WORDS for w in words):
        return "drug_control"
    if head is not None and words[head] in _HEAD_TYPE:
        return _HEAD_TYPE[words[head]]
    if "police" in words:
        return "police"
    return "other"


# How a country styles the police of one of its provinces in English; others read
# "<Province> Provincial Police".
PROVINCIAL_POLICE_STYLE = _table("provincial_police_style")
_PROVINCIAL_POLICE = re.compile(
    r"^(?P<place>.+?)\s+(?:Province\s+|Provincial\s+)?Police"
    r"(?:\s+(?:Department|Commissariat|Force|Headquarters))?$"
)


def provincial_police_name(name: str, gazetteer: Gazetteer) -> tuple[str, str | None] | None:
    """One canonical name for the police of a province however it is written ("Tay Ninh
    Police", "Tay Ninh Province Police", "Tay Ninh Provincial Police Department"), with the
    province's country; None when the name is not "<province> ... Police"."""
    found = _PROVINCIAL_POLICE.match(name)
    place = gazetteer.lookup(found.group("place")) if found else None
    if place is None or place.place_type != "province":
        return None
    style = PROVINCIAL_POLICE_STYLE.get(place.country_code or "", "{} Provincial Police")
    return style.format(place.name), place.country_code


def discovered_agency(name: str, country: str | None, reference: AgencyReference) -> Agency:
    """An agency found by rule, not in the reference list. A name the reference list uses
    for another country's body ("Ministry of Foreign Affairs") is qualified with its country
    so that two countries' ministries never share an id."""
    canonical = re.sub(r"\s+", " ", name).strip().translate(_APOSTROPHES)
    provincial = provincial_police_name(canonical, reference.gazetteer)
    if provincial is not None:
        canonical, country = provincial
    country_name = reference.gazetteer.country_name(country)
    if reference.by_name(canonical) and country_name:
        canonical = f"{canonical} ({country_name})"
    return Agency(
        agency_id=discovered_agency_id(canonical),
        canonical_name=canonical,
        acronym=None,
        country_code=country,
        agency_type=discovered_agency_type(name),
        is_reference=False,
    )


def is_unit_name(name: str, gazetteer: Gazetteer, min_words: int = 2) -> bool:
    """Whether a capitalised name reads as a unit of a body once its owner is known: headed by
    an agency head word ("Bureau", "Office", "Division"), with a word saying which unit ("Field",
    "International Cooperation"), and no outlet, school, NGO or company word."""
    if is_non_agency_name(name):
        return False
    words = agency_words(name)
    head = _head_index(words)
    if head is None:
        return False
    # "Certificates of Completion to Police": a head after "to" is where something goes, not
    # the body named ("Mission to Vietnam", "Office to Monitor ..." have theirs before it)
    if "to" in words[:head]:
        return False
    content = [w for w in words if w not in CONNECTORS]
    specific = [
        w
        for w in content
        if w not in AGENCY_HEADS and not gazetteer.nationality(w) and not gazetteer.is_demonym(w)
    ]
    return len(content) >= min_words + 1 and bool(specific)


def unit_agency(canonical: str, unit: str, parent: Agency) -> Agency:
    """A discovered unit of `parent`: its country, and its type unless the unit's own head
    word says more (a ministry's bureau is not a ministry)."""
    kind = discovered_agency_type(unit)
    if kind == "other" and parent.agency_type not in ("ministry", "embassy"):
        kind = parent.agency_type
    return Agency(
        agency_id=discovered_agency_id(canonical),
        canonical_name=canonical,
        acronym=None,
        country_code=parent.country_code,
        agency_type=kind,
        parent_agency_id=parent.agency_id,
        is_reference=False,
    )


@dataclass(frozen=True)
class Link:
    agency: Agency
    method: str
    confidence: float


def link_agency_name(
    name: str,
    reference: AgencyReference,
    country_rank: Sequence[str] = (),
    *,
    allow_fuzzy: bool = True,
    allow_discovery: bool = True,
    fallback_country: str | None = None,
) -> Link | None:
    """Link one cleaned agency name (no leading "the", no possessive) to a canonical agency.

    Exact names and aliases first, then the name without its national prefix (which must
    agree with the agency's country), then an inexact match, then a discovered agency.
    """
    gazetteer = reference.gazetteer
    prefix, rest = gazetteer.split_national_prefix(name)
    if prefix is None:
        prefix, rest = gazetteer.split_national_suffix(name)
    exact = reference.pick(reference.by_name(name), prefix, country_rank, name)
    if exact is None and prefix:
        exact = reference.pick(reference.by_name(rest), prefix, country_rank, rest)
    if exact is not None:
        return Link(exact, "reference", CONFIDENCE["reference"])
    country = prefix or fallback_country
    if country and (reference.by_name(name) or reference.by_name(rest)):
        # a name the table gives other countries' bodies: this country's body of that name
        agency = discovered_agency(rest, country, reference)
        return Link(agency, "discovered", CONFIDENCE["discovered"])
    if allow_fuzzy:
        found = reference.fuzzy(rest, prefix, country_rank)
        if found:
            agency, score = found
            return Link(agency, "fuzzy", round(min(score, 0.9), 3))
    if allow_discovery and prefix and agency_words(rest) in (["embassy"], ["consulate"]):
        return Link(
            discovered_agency(name, prefix, reference), "discovered", CONFIDENCE["discovered"]
        )
    if allow_discovery and is_agency_like(rest, gazetteer):
        agency = discovered_agency(rest, prefix or fallback_country, reference)
        return Link(agency, "discovered", CONFIDENCE["discovered"])
    return None


def find_acronym_definition(text_after: str, text_before: str = "") -> str | None:
    """The acronym defined right after a name ("Name (ACR)") or right before it ("ACR (Name")."""
    after = re.match(r"\s*\(\s*([A-Z][A-Za-z0-9\-&./]{1,14})\s*\)", text_after)
    if after and is_acronym_like(after.group(1)):
        return after.group(1)
    before = re.search(r"\b([A-Z][A-Za-z0-9\-&./]{1,14})\s*\(\s*$", text_before)
    if before and is_acronym_like(before.group(1)) and re.match(r"\s*\)", text_after):
        return before.group(1)
    return None


def corefers(short: str, full: str, gazetteer: Gazetteer) -> bool:
    """Whether a shorter agency name is a follow-up of a longer one in the same article:
    the same words as its end ("Customs Service" after "US Customs Service"), at least two
    of them, headed by the same word."""
    s = agency_words(gazetteer.split_national_prefix(short)[1])
    f = agency_words(gazetteer.split_national_prefix(full)[1])
    return 2 <= len(s) <= len(f) and f[-len(s) :] == s and s[-1] in AGENCY_HEADS


# ---------------------------------------------------------------------------------------------
# People

TITLE_WORDS = _words("title_words")
# Title words that stand right before a person's name ("Minister", "Gen", "Judge"), unlike
# those that also start agency names or modify other titles ("Police", "National", "Deputy").
NAME_TITLES = TITLE_WORDS - _words("not_name_titles")
_HONORIFICS = _words("honorifics")
ROLE_WORDS = (TITLE_WORDS - _HONORIFICS - _words("not_role_titles")) | _words("role_words_extra")
RANK_WORDS = _words("rank_words")
# "General" is part of these titles, not a rank: "Attorney General", "Secretary General"
_GENERAL_TITLES = _words("general_titles")
# Nouns that follow a place name ("the Trapeang Kriel checkpoint"): a name before one of them
# is a place even when the model calls it a person.
PLACE_NOUNS = _words("place_nouns")
# Lowercase nouns that say the capitalised name before them is a place of that kind ("Buon
# commune", "Nam Yuen district", "the Vangtao–Chong Mek border crossing").
PLACE_KIND_NOUNS = _table("place_kind_nouns")
# Words that never make a place name on their own ("the Kingdom", "East and Southeast Asia",
# "the Southern District of Florida"): compass words, ranks of territory, generic nouns.
GENERIC_PLACE_WORDS = _words("generic_place_words")
# plural nouns that do end place names ("the Cardamom Mountains"); any other plural ends a
# capitalised common phrase ("Key Sectors"), not a place (one-word names such as "Leeds" are
# left alone: the tagger takes many of them for plurals)
PLURAL_PLACE_HEADS = _words("plural_place_heads")
_NAME_PARTICLES = _words("name_particles")
_CALENDAR_WORDS = _words("calendar_words")


def _singular(word: str) -> str:
    """Singular of a plural head word ("offices" -> "office", "ministries" -> "ministry")."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


# short forms of police ranks that are also given names ("Pol Pot", "Pol Saroeun"): a rank
# only when written with its full stop or followed by another rank
_RANK_OR_NAME = _words("rank_or_name")


def is_title_word(word: str, following: str | None = None) -> bool:
    """A title or rank word ("Gen.", "Minister"), read with the word that follows it."""
    low = word.lower()
    if low in _RANK_OR_NAME:
        return following is not None and (
            following == "." or following.lower().rstrip(".") in TITLE_WORDS
        )
    return low.rstrip(".") in TITLE_WORDS


_LOWER_CASE_WORD = re.compile(r"\b[a-z]+\b")
# "(Cambodia)" right after a name, however the tokenizer cut it
_BRACKETED = re.compile(r"\s*\(([^()]{2,60})\)")


def _is_title_at(doc: Doc, i: int) -> bool:
    return is_title_word(doc[i].text, doc[i + 1].text if i + 1 < len(doc) else None)


_ROLE_NOUNS = _words("role_words_extra")


def _opens_with_role(word: str) -> bool:
    """A capitalised role noun that opens a sentence before a name ("Lawyer Sam Sokong said"):
    the role, not part of the name."""
    return word[:1].isupper() and word.lower() in _ROLE_NOUNS


def clean_person_name(text: str, gazetteer: Gazetteer | None = None) -> str | None:
    """The bare name in a PERSON span ("General Khieu Sopheak" -> "Khieu Sopheak"), or None
    when the span is not a person's name (an agency, a place, a title, lowercase words)."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).strip(" ,.;:\"'()[]")
    text = re.sub(r"'s?$", "", text).strip()
    words = text.split()
    while words and (
        is_title_word(words[0], words[1] if len(words) > 1 else None)
        or (len(words) > 1 and _opens_with_role(words[0]))
        or (gazetteer is not None and gazetteer.nationality(words[0]))
    ):
        words = words[1:]
    if not words or len(words) > 5:
        return None
    lowered = [w.lower() for w in words]
    if any(re.search(r"\d", w) for w in words):
        return None
    if any(not w[0].isupper() and w.lower() not in _NAME_PARTICLES for w in words):
        return None
    if any(
        w in AGENCY_HEADS
        or _singular(w) in AGENCY_HEADS
        or w in NON_AGENCY_WORDS
        or w.rstrip(".") in _CALENDAR_WORDS
        or w in PLACE_NOUNS
        for w in lowered
    ):
        return None
    if len(words) == 1 and is_acronym_like(words[0]):
        return None
    name = " ".join(words)
    if gazetteer is not None and (gazetteer.lookup(name) or gazetteer.nationality(name)):
        return None
    return name


_BYLINE_LEAD = re.compile(
    r"^\s*(?:(?:written|words|story|reported|reporting|text)\s+)?by\b\s*:?\s*"
    r"|^\s*(?:writer|author|reporter|byline)s?\s*:\s*",
    re.IGNORECASE,
)
_BYLINE_WORD = re.compile(r"[A-Z][A-Za-z'’.]*(?:-[A-Za-z][A-Za-z'’.]*)*")
# Words that end a byline's name or say it names no person ("By Staff Reporter").
_BYLINE_STOP = _words("byline_stop")
MAX_BYLINE_CHARS = 120


def _byline_names_at(text: str, pos: int) -> list[tuple[int, int]]:
    """Names written from `pos` on, joined by "and", "&" or commas: 2-4 capitalised words
    each, separated by single spaces."""
    spans: list[tuple[int, int]] = []
    while True:
        words: list[tuple[int, int]] = []
        i = pos
        while len(words) < 5:
            word = _BYLINE_WORD.match(text, i)
            if not word:
                break
            lowered = word.group(0).lower().rstrip(".")
            if lowered in _CALENDAR_WORDS or lowered in _BYLINE_STOP:
                break
            words.append((word.start(), word.end()))
            gap = text[word.end() : word.end() + 2]
            if gap[:1] != " " or gap[1:] in (" ", ""):
                break  # a name's words are one space apart
            i = word.end() + 1
        if not 2 <= len(words) <= 4:
            break
        spans.append((words[0][0], words[-1][1]))
        joiner = re.match(r"\s*(?:,|and\b|&)\s*", text[words[-1][1] :])
        if not joiner:
            break
        pos = words[-1][1] + joiner.end()
    return spans


def byline_name_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the people a byline paragraph names: "By Kang Min-seo", "WRITER:
    Sompong Thanakit", "By A B and C D", "Sen Sophorn | Publication date ...". A paragraph
    longer than a byline, or a name not followed by the end, a separator or a date, gives none."""
    if len(text.strip()) > MAX_BYLINE_CHARS:
        return []
    lead = _BYLINE_LEAD.match(text)
    if lead:
        spans = _byline_names_at(text, lead.end())
    else:
        spans = _byline_names_at(text, len(text) - len(text.lstrip()))
        if spans and not re.match(r"\s*\|", text[spans[-1][1] :]):
            return []
    if not spans:
        return []
    rest = text[spans[-1][1] :]
    if not re.match(r"\s*(?:$|[|,;–—/-]|\s{2,}|\(|\d)", rest) and not re.match(
        r"\s*(?:" + "|".join(sorted(_CALENDAR_WORDS)) + r")\b", rest, re.IGNORECASE
    ):
        return []
    return spans


MAX_ATTRIBUTION_CHARS = 200
_CONTACT_LINE = re.compile(r"^\s*[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){1,3}, +(?P<role>[^,;|]+)")


def is_attribution_line(text: str) -> bool:
    """Whether a line of page furniture credits people of the article: a byline ("By Kang
    Min-seo", "Sen Sophorn | Publication date ...") or a contact line ("Siriporn Chaiwat,
    Communications Officer, ..."). Such lines are read for the people they name only."""
    if len(text.strip()) > MAX_ATTRIBUTION_CHARS:
        return False
    if byline_name_spans(text):
        return True
    contact = _CONTACT_LINE.match(text)
    words = re.findall(r"[a-z]+", contact.group("role").lower())[:3] if contact else []
    return any(w in ROLE_WORDS for w in words)


def short_form_index(full_names: Iterable[Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """Single words that stand for one full name in an article ("Kheng" -> "Sar Kheng");
    a word shared by two names stands for neither. Names are sequences of words."""
    owners: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for full in full_names:
        for word in full:
            if len(word) >= 3 and word[0].isupper() and word.isalpha():
                owners[word].add(tuple(full))
    return {word: next(iter(names)) for word, names in owners.items() if len(names) == 1}


def _is_subsequence(short: Sequence[str], long: Sequence[str]) -> bool:
    words = iter(long)
    return all(any(w == x for x in words) for w in short)


def merge_person_names(names: Iterable[Sequence[str]]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Map each name to the longest name in the set that contains it as whole words
    ("Patrick Murphy" -> "W Patrick Murphy"). Names are sequences of words."""
    ordered = sorted({tuple(n) for n in names}, key=lambda n: (-len(n), n))
    out: dict[tuple[str, ...], tuple[str, ...]] = {}
    for name in ordered:
        owner = name
        for longer in ordered:
            if len(longer) <= len(name):
                break
            contiguous = any(
                longer[i : i + len(name)] == name for i in range(len(longer) - len(name) + 1)
            )
            # "Jane Doe" for "Jane Mary Doe": the first and last names, the middle one left out
            ends = len(name) >= 2 and name[0] == longer[0] and name[-1] == longer[-1]
            if contiguous or (ends and _is_subsequence(name, longer)):
                owner = out.get(longer, longer)
                break
        out[name] = owner
    return out


# ---------------------------------------------------------------------------------------------
# Crime types

CRIME_TYPES = (
    "human_trafficking",
    "drug_trafficking",
    "money_laundering",
    "terrorism",
    "cybercrime",
    "counterfeiting",
    "child_sexual_exploitation",
    "scams",
    "smuggling",
    "organized_crime",
    "corruption",
    "fugitives",
)


@dataclass(frozen=True)
class CrimeEvidence:
    crime_type: str
    evidence_text: str
    char_start: int
    char_end: int


def crime_cues(paragraphs: Sequence[ParsedParagraph]) -> list[tuple[str, int, int]]:
    """(crime type, char_start, char_end) of the crime matcher's cues in an article's
    paragraphs (attribution lines excluded), with offsets into the article text."""
    return [
        (span.label_, para.char_start + span.start_char, para.char_start + span.end_char)
        for para in paragraphs
        if not para.attribution
        for span in para.doc.spans[CRIME_CUES]
    ]


def detect_crime_types(
    sentences: Sequence[tuple[str, int, int]],
    cues: Sequence[tuple[str, int, int]],
    masked: Sequence[tuple[int, int]] = (),
) -> list[CrimeEvidence]:
    """Crime types an article discusses, each with its first evidence sentence.

    `sentences` are (text, char_start, char_end) of content sentences in text order, `cues`
    (crime type, char_start, char_end) of the crime matcher's matches; a cue overlapping a
    `masked` span (an agency name such as "Anti-Corruption Unit") is not evidence.
    """
    starts = [start for _, start, _ in sentences]
    first: dict[str, int] = {}
    for crime, start, end in cues:
        if any(start < m_end and m_start < end for m_start, m_end in masked):
            continue
        i = bisect_right(starts, start) - 1
        if i < 0 or end > sentences[i][2]:
            continue
        if crime not in first or i < first[crime]:
            first[crime] = i
    return [
        CrimeEvidence(crime, *sentences[first[crime]]) for crime in CRIME_TYPES if crime in first
    ]


# ---------------------------------------------------------------------------------------------
# Headline detection

_TERMINAL = (".", "!", "?", ":", '"', "”", "’", ")", ";")


HEADLINE_ZONES = frozenset({"title", "subheading"})


def reads_as_headline(zone: str, text: str) -> bool:
    """Whether a paragraph is read like a headline (names only from the reference tables, no
    guessing from capitalisation): a title or subheading, or a caption written like one. The
    paragraph's zone decides, so a line of hard-wrapped text is read as the prose it is."""
    return zone in HEADLINE_ZONES or (zone == "caption" and is_headline_like(text))


def is_headline_like(text: str) -> bool:
    """A short title-case line with no final punctuation: a headline or a subheading, where a
    run of capitalised words says nothing about being a name."""
    stripped = text.strip()
    if not stripped or stripped.endswith(_TERMINAL):
        return False
    words = re.findall(r"[A-Za-z][\w'’-]*", stripped)
    if not words or len(words) > 20:
        return False
    long_words = [w for w in words if len(w) > 3]
    if not long_words:
        return True
    return sum(w[0].isupper() for w in long_words) / len(long_words) >= 0.7


# ---------------------------------------------------------------------------------------------
# Detection in parsed paragraphs


_TEXT_KEY = "news_doc_text"


def doc_text(doc: Doc) -> str:
    """The text of a Doc, joined once: `Doc.text` joins every token again on each call, and
    the rules read it often."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text


def word_keys(words: Iterable[str]) -> frozenset[int]:
    """The string-store keys of `words`, for `word_indices`."""
    return frozenset(hash_string(w) for w in words)


_SHARED_HEAD_KEYS = word_keys(_SHARED_HEADS)


def word_indices(doc: Doc, keys: frozenset[int], attr: int = ORTH) -> list[int]:
    """Indices of the tokens whose text (`attr` ORTH) or lower-case text (LOWER) is one of
    the words of `keys` (`word_keys`), in order: a walk over a Doc makes a Token object of
    every token, and most rules look only at a few words."""
    if not len(doc):
        return []
    return [i for i, key in enumerate(doc.to_array(attr).tolist()) if key in keys]


def token_indices(
    doc: Doc, keep: Callable[[str], bool], memo: dict[int, bool], attr: int = ORTH
) -> list[int]:
    """Like `word_indices`, for the words that pass `keep`, tested once per distinct word
    and remembered in `memo` (one per test, kept as long as the vocabulary)."""
    if not len(doc):
        return []
    out = []
    for i, key in enumerate(doc.to_array(attr).tolist()):
        passes = memo.get(key)
        if passes is None:
            passes = memo[key] = bool(keep(doc.vocab.strings[key]))
        if passes:
            out.append(i)
    return out


@dataclass(frozen=True)
class ParsedParagraph:
    """A parsed paragraph of an article. An attribution line (a byline or a media contact
    that page furniture carries) is read only for the people it names; a paragraph that
    does not state events (an archive photo's caption) is read for names alone."""

    paragraph_id: str
    char_start: int
    doc: Doc
    headline_like: bool = False
    attribution: bool = False
    states_events: bool = True


@dataclass
class Mention:
    entity_type: str
    entity_name: str
    paragraph_id: str
    char_start: int
    char_end: int
    surface_text: str
    method: str
    confidence: float
    agency: Agency | None = None
    person_role: str | None = None
    place_type: str | None = None
    country_code: str | None = None

    @classmethod
    def of_span(cls, para: ParsedParagraph, span: Span, entity_type: str, **fields) -> Mention:
        """The mention a span of a paragraph's parse makes, with offsets into the article."""
        return cls(
            entity_type=entity_type,
            paragraph_id=para.paragraph_id,
            char_start=para.char_start + span.start_char,
            char_end=para.char_start + span.end_char,
            surface_text=span.text,
            **fields,
        )


@dataclass
class ArticleEntities:
    mentions: list[Mention]
    country_rank: list[str]


@dataclass(frozen=True)
class _PersonHit:
    para: int
    start: int
    end: int
    name: str
    method: str
    role: str | None


@dataclass
class _Candidate:
    para: int
    start: int
    end: int
    link: Link
    priority: int
    from_model: bool = False

    @property
    def length(self) -> int:
        return self.end - self.start


# words after an acronym that make it a credit line ("AFP photo")
_CREDIT_LINE_WORDS = _words("credit_line_words")
_PRIORITY = {"reference": 0, "acronym_definition": 0, "fuzzy": 1, "coreference": 1}


def _is_possessive(token: Token) -> bool:
    return token.text in _POSSESSIVE_TOKENS or token.tag_ == "POS"


def _strip_bounds(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Drop a leading determiner, punctuation, bullets and spaces, and a trailing possessive
    or punctuation, from a token range."""
    while start < end and (
        doc[start].is_space
        or doc[start].is_punct
        or doc[start].lower_ in _DETERMINERS
        or doc[start].lower_ in CONNECTORS
        # a capitalised preposition opening a sentence ("At the Court of Appeal ...")
        or doc[start].pos_ == "ADP"
        or not doc[start].text.strip("•·-–—*")
    ):
        start += 1
    while end > start and (
        doc[end - 1].is_space
        or doc[end - 1].is_punct
        or _is_possessive(doc[end - 1])
        or doc[end - 1].lower_ in CONNECTORS
    ):
        end -= 1
    return start, end


_BRACKETS = {"(", ")", "[", "]"}


def _split_at_possessives(doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
    """The names inside a span, cut at possessives and brackets ("USFWS) Office of Law
    Enforcement" -> "USFWS", "Office of Law Enforcement")."""
    pieces, piece_start = [], start
    for i in range(start, end):
        if _is_possessive(doc[i]) or doc[i].text in _BRACKETS:
            pieces.append((piece_start, i))
            piece_start = i + 1
    pieces.append((piece_start, end))
    return [p for p in (_strip_bounds(doc, s, e) for s, e in pieces) if p[1] > p[0]]


def _capitalised(doc: Doc, start: int, end: int) -> bool:
    """Every content word of a name starts with a capital: "national police forces" is a
    generic phrase, "National Police" a name."""
    words = [t for t in doc[start:end] if t.is_alpha]
    return bool(words) and all(t.text[0].isupper() for t in words if t.lower_ not in CONNECTORS)


def _is_name_word(text: str) -> bool:
    return (
        bool(text)
        and text[0].isupper()
        and any(ch.isalpha() for ch in text)
        and text.lower().rstrip(".") not in _CALENDAR_WORDS
    )


def _is_name_token(token: Token) -> bool:
    return _is_name_word(token.text)


_NAME_WORD_MEMO: dict[int, bool] = {}


def _name_runs(doc: Doc, gazetteer: Gazetteer | None = None) -> list[tuple[int, int]]:
    """Maximal runs of capitalised words, joined by hyphens and lowercase connectors, inside
    one sentence ("Anti-Human Trafficking and Sexual Exploitation Unit"); a head word's
    complement may go on with "the" ("Court for the Southern District of Florida", "Regional
    Office for Southeast Asia and the Pacific" when the last name is a place)."""
    runs: list[tuple[int, int]] = []
    n = len(doc)
    starts = token_indices(doc, _is_name_word, _NAME_WORD_MEMO)
    names = set(starts)
    i = 0
    for start in starts:
        if start < i:
            continue
        j = start
        while j < n:
            tok = doc[j]
            if j > start and tok.is_sent_start:
                break
            if j in names:
                j += 1
                continue
            if (
                tok.text in {"-", "–", "/"}
                and j + 1 < n
                and not doc[j - 1].whitespace_
                and not tok.whitespace_
                and doc[j + 1].is_alpha
            ):
                j += 2
                continue
            if tok.lower_ in CONNECTORS and j + 1 < n and j + 1 in names:
                j += 1
                continue
            if (
                tok.lower_ in _PREPOSITIONS
                and doc[j - 1].lower_ in AGENCY_HEADS
                and j + 2 < n
                and doc[j + 1].lower_ == "the"
                and j + 2 in names
            ):
                # a complement of a head word: "Court for the Southern District of Florida"
                j += 2
                continue
            if (
                gazetteer is not None
                and tok.lower_ == "and"
                and j + 2 < n
                and doc[j + 1].lower_ == "the"
                and _in_complement(doc, start, j)
                and _place_at(doc, j + 2, gazetteer)
            ):
                j += 2
                continue
            break
        runs.append((start, j))
        i = max(j, start + 1)
    return runs


def _in_complement(doc: Doc, start: int, end: int) -> bool:
    """Whether a run has reached the complement of a head word ("Office for ...")."""
    return any(
        doc[k].lower_ in _PREPOSITIONS and doc[k - 1].lower_ in AGENCY_HEADS
        for k in range(start + 1, end)
    )


def _place_at(doc: Doc, i: int, gazetteer: Gazetteer) -> bool:
    """Whether the capitalised words from token i on are exactly a gazetteer place."""
    end = i
    while end < len(doc) and _is_name_token(doc[end]):
        end += 1
    return end > i and gazetteer.lookup(doc[i:end].text) is not None


def _agency_pieces(doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
    """Agency-name candidates inside a run of capitalised words: the run cut after its head
    word, split where "and" joins two headed names."""
    words = [t.lower_ for t in doc[start:end]]
    bounds, cut = [], 0
    for k, w in enumerate(words):
        if (
            w == "and"
            and k - cut >= 2
            and words[k - 1] in AGENCY_HEADS
            and any(x in AGENCY_HEADS for x in words[k + 1 :])
        ):
            bounds.append((cut, k))
            cut = k + 1
    bounds.append((cut, len(words)))
    out = []
    for s, e in bounds:
        piece = words[s:e]
        if _head_index(piece) is None:
            last = max((k for k, w in enumerate(piece) if w in AGENCY_HEADS), default=None)
            if last is None:
                continue
            e = s + last + 1
        out.append((start + s, start + e))
    return out


def _nationality_before(doc: Doc, start: int, gazetteer: Gazetteer) -> tuple[str, int] | None:
    """A national prefix written just before a name ("US", "U.S.", "South Korean"): its
    country code and first token index."""
    for k in (3, 2, 1):
        s = start - k
        if s < 0:
            continue
        span = doc[s:start]
        if any(t.is_punct and t.text != "." for t in span) or any(_is_possessive(t) for t in span):
            continue
        if not span[0].text[:1].isupper():
            continue
        code = gazetteer.nationality(span.text)
        if code:
            return code, s
    return None


# Country names written with "the" in running text ("Embassy of the United States").
_COUNTRIES_WITH_ARTICLE = _words("countries_with_article")


def _with_article(country: str | None) -> str | None:
    return f"the {country}" if country in _COUNTRIES_WITH_ARTICLE else country


_PLACE_PAIR_DASHES = {"-", "–", "—"}
_BORDER_WORDS = _words("border_words")
_BORDER_NOUNS = _words("border_nouns")
# Parts of speech a capitalised sentence opener has when it is an ordinary word ("Several").
_NOT_NAMES = {"DET", "NUM", "ADJ", "PRON", "ADV", "ADP", "CCONJ", "SCONJ", "AUX", "PART"}


def _is_place_token(token: Token) -> bool:
    return (
        token.is_alpha
        and token.text[:1].isupper()
        and token.lower_ not in _DETERMINERS
        and token.lower_ not in CONNECTORS
        and token.lower_ not in _CALENDAR_WORDS
    )


def _name_start_before(doc: Doc, end: int) -> int:
    """Start of the capitalised words ending at `end`, inside one sentence; a sentence's first
    word only when it reads as a proper noun ("Several districts" names no place)."""
    floor = doc[end - 1].sent.start if end > 0 else 0
    start = end
    while start > floor and _is_place_token(doc[start - 1]):
        start -= 1
    first = doc[start] if start < end else None
    if first is not None and first.is_sent_start and (first.is_stop or first.pos_ in _NOT_NAMES):
        start += 1
    return start


_PLACE_KIND_KEYS = word_keys(PLACE_KIND_NOUNS)


def kind_noun_places(doc: Doc, gazetteer: Gazetteer) -> list[tuple[Span, str]]:
    """Places named by a capitalised name before a lowercase noun of place kind: "Buon
    commune", "Nam Yuen district", "Stung Treng and Champasak provinces", and both ends of a
    border crossing ("the Xa Mat - Trapeang Phlong border gate"). Returns (span, place type)."""
    out: list[tuple[Span, str]] = []
    for i in word_indices(doc, _PLACE_KIND_KEYS):
        tok = doc[i]
        kind = PLACE_KIND_NOUNS[tok.text]
        end = tok.i
        while end > 0 and doc[end - 1].text in _BORDER_WORDS:
            end -= 1
        border = end < tok.i
        if tok.text in _BORDER_NOUNS and not border:
            continue
        if border:
            separators = _PLACE_PAIR_DASHES
        elif tok.text.endswith("s"):
            separators = {",", "and", "&"}
        else:
            separators = set()
        groups = []
        start = _name_start_before(doc, end)
        while start < end:
            groups.append((start, end))
            if start < 2 or doc[start - 1].text not in separators:
                break
            end = start - 1
            start = _name_start_before(doc, end)
        for s, e in groups:
            while s < e and (doc[s].lower_ in TITLE_WORDS or gazetteer.nationality(doc[s].text)):
                s += 1
            words = [t.lower_ for t in doc[s:e]]
            if not words or len(words) > 4:
                continue
            if any(w in AGENCY_HEADS or w in NON_AGENCY_WORDS or w in PLACE_NOUNS for w in words):
                continue
            if all(w in GENERIC_PLACE_WORDS for w in words) or gazetteer.is_demonym(doc[s:e].text):
                continue
            out.append((doc[s:e], kind))
    return sorted(out, key=lambda f: f[0].start)


_MODIFIER_DEPS = {"compound", "amod", "nmod"}
_HYPHENS = "-‐‑–"
_COORDINATORS = {",", "and", "&", "or"}


def _modifies_a_noun(span: Span, headline: bool, names: set[int]) -> bool:
    """The place's name modifies a noun to its right: "US agents", "the Koh Kong Resort",
    "U.S. Immigration and Customs Enforcement". A kind noun ("Houaphan Province") keeps it a
    place, and so does the opening word of a headline, which the parser takes for a modifier
    of the verb that follows ("Cambodia Arrests 3 Suspects") unless what follows is a name
    (`names`: tokens of agency names)."""
    last = span[-1]
    head = last.head
    if last.dep_ not in _MODIFIER_DEPS or head.i < span.end:
        return False
    if head.lower_ in PLACE_KIND_NOUNS:
        return False
    return head.i in names or not (headline and span.start == span.sent.start)


_LOCATING_SUFFIX = re.compile(
    rf"^[{_HYPHENS}](?:{'|'.join(sorted(_words('locating_suffixes')))})\b", re.I
)


def _hyphenated(span: Span, known: bool) -> bool:
    """ "U.S.-Malaysia relationship", "Cambodia-Vietnam talks": a part of a compound word. A
    name that is itself hyphenated ("Timor-Leste") is whole; "Cambodia-based" says where
    something is, so it stays a place."""
    text = doc_text(span.doc)
    before = text[span.start_char - 1] if span.start_char > 0 else " "
    after = text[span.end_char] if span.end_char < len(text) else " "
    if _LOCATING_SUFFIX.match(text[span.end_char : span.end_char + 20]):
        return False
    inner = not known and bool(re.search(rf"\w[{_HYPHENS}]\w", span.text))
    return before in _HYPHENS or after in _HYPHENS or inner


def modifier_place_spans(
    spans: Sequence[tuple[Span, bool]], headline: bool = False, names: set[int] | None = None
) -> set[tuple[int, int]]:
    """(start, end) of the place names in `spans` (one parsed paragraph) that are not place
    mentions: a name used as a modifier or inside a hyphenated compound, and a name
    coordinated with one ("Cambodia, Vietnam Officials"). `spans` pairs each name with
    whether the gazetteer knows it."""
    ordered = sorted(spans, key=lambda s: s[0].start)
    out = {
        (s.start, s.end)
        for s, known in ordered
        if _hyphenated(s, known) or _modifies_a_noun(s, headline, names or set())
    }
    ordered = [s for s, _ in ordered]
    # right to left, so a chain "A, B and C officials" is settled from its modifier end
    for a, b in reversed(list(zip(ordered, ordered[1:], strict=False))):
        between = [t.lower_ for t in a.doc[a.end : b.start]]
        if (b.start, b.end) in out and between and set(between) <= _COORDINATORS:
            out.add((a.start, a.end))
    return out


_LOCATING_PREPOSITIONS = _words("locating_prepositions")


def _locates(span: Span) -> bool:
    """ "the U.S. Embassy in the Philippines", "HSI Manila": the place is where the body sits,
    a noun use, even inside the body's name; "Ministry of Interior of Cambodia" names the
    country as part of the name."""
    last = span[-1]
    if last.dep_ == "pobj" and last.head.lower_ in _LOCATING_PREPOSITIONS:
        return True
    # "HSI Manila", "ILEA Bangkok": a city after an acronym is where the office is
    before = span.doc[span.start - 1] if span.start > 0 else None
    return before is not None and before.is_upper and before.is_alpha and len(before) >= 2


_ORG_TAILS = _words("organisation_tails")


def _name_piece(doc: Doc, i: int) -> bool:
    """A word of a place's name, hyphenated pieces included ("Cha-am")."""
    tok = doc[i]
    if _is_place_token(tok):
        return True
    glued = tok.whitespace_ == "" and i + 1 < len(doc)
    if tok.text in _HYPHENS and glued and i > 0 and doc[i - 1].whitespace_ == "":
        return True
    return tok.is_alpha and i > 0 and doc[i - 1].text in _HYPHENS and doc[i - 2].whitespace_ == ""


_COMMA_KEYS = word_keys([","])
_COMMA_BRACKET_KEYS = word_keys([",", "("])


def named_before_country(doc: Doc, gazetteer: Gazetteer) -> list[Span]:
    """A proper name written before its country, "<Name>, <Country>" or "<Name> (<Country>)",
    where the country closes the phrase: "Cha-am, Thailand", "Ban Na (Lao PDR)". The name
    stops after an organisation word ("Training Center Brunswick, Georgia" gives Brunswick)
    and is no part of an "of" phrase ("Ministry of Finance, the U.S. Embassy")."""
    out = []
    for i in word_indices(doc, _COMMA_BRACKET_KEYS):
        if i == 0:
            continue
        tok = doc[i]
        country = None
        for k in (4, 3, 2, 1):
            window = doc[tok.i + 1 : tok.i + 1 + k]
            if window.end - window.start < k or window.end >= len(doc):
                continue
            place = gazetteer.lookup(window.text)
            closes = doc[window.end].is_punct and doc[window.end].text not in _HYPHENS
            if place is not None and place.place_type == "country" and closes:
                country = place
                break
        if country is None:
            continue
        end = tok.i
        start = end
        floor = doc[end - 1].sent.start
        while start > floor and _name_piece(doc, start - 1):
            start -= 1
        for i in range(end - 1, start - 1, -1):
            if doc[i].lower_ in AGENCY_HEADS or doc[i].lower_ in _ORG_TAILS:
                start = i + 1
                break
        if start >= end or end - start > 5 or doc[start].pos_ != "PROPN":
            continue
        if start > 0 and doc[start - 1].lower_ in CONNECTORS - {"in", "the"}:
            continue
        span = doc[start:end]
        words = [t.lower_ for t in span]
        if gazetteer.lookup(span.text) or gazetteer.is_demonym(span[0].text):
            continue
        if any(w in TITLE_WORDS or w in NON_AGENCY_WORDS for w in words):
            continue
        out.append(span)
    return out


def _heads_named_body(doc: Doc, start: int) -> bool:
    """ "the deputy chief of national police": a reference name written in lower case is still
    the body's name after a title and "of"."""
    return start >= 2 and doc[start - 1].lower_ == "of" and doc[start - 2].lower_ in TITLE_WORDS


def _possessive_owner(doc: Doc, start: int) -> tuple[int, int] | None:
    """Token range of the owner in "<owner>’s <name>"."""
    if start < 2 or not _is_possessive(doc[start - 1]):
        return None
    end = s = start - 1
    while s > 0 and (
        _is_name_token(doc[s - 1])
        or doc[s - 1].lower_ in CONNECTORS - {"the"}
        or (s > 1 and _hyphen_joins(doc, s - 1) and _is_name_token(doc[s - 2]))
    ):
        s -= 1
    s, end = _strip_bounds(doc, s, end)
    return (s, end) if s < end else None


class _ArticleExtractor:
    def __init__(self, paragraphs: Sequence[ParsedParagraph], reference: AgencyReference):
        self.paragraphs = paragraphs
        self.ref = reference
        self.gaz = reference.gazetteer
        self.taken: list[set[int]] = [set() for _ in paragraphs]
        self.agencies: list[_Candidate] = []
        self.extra_places: list[tuple[int, Span]] = []
        self.rule_places: set[tuple[int, int, int]] = set()
        self.countries_named: set[str] = set()
        self.bylines: set[tuple[int, int, int]] = set()
        self.name_matches = [
            [] if para.attribution else [(s.start, s.end) for s in para.doc.spans[AGENCY_NAMES]]
            for para in paragraphs
        ]

    # places ------------------------------------------------------------------------------
    def _place_spans(self) -> list[list[tuple[Span, Place | None]]]:
        """Places of each paragraph: gazetteer names, names followed by a lowercase kind noun
        ("Buon commune"), then GPE/LOC spans of the model (without a trailing kind noun)."""
        out: list[list[tuple[Span, Place | None]]] = []
        for p, para in enumerate(self.paragraphs):
            if para.attribution:
                out.append([])
                continue
            doc = para.doc
            gaz_spans = filter_spans(doc.spans[PLACE_NAMES])
            covered = {i for span in gaz_spans for i in range(span.start, span.end)}
            found = [(span, self.gaz.lookup(span.text)) for span in gaz_spans]
            for span, kind in kind_noun_places(doc, self.gaz):
                tokens = set(range(span.start, span.end))
                if tokens & covered:
                    continue
                covered |= tokens
                self.rule_places.add((p, span.start, span.end))
                found.append((span, Place(span.text.translate(_APOSTROPHES), kind, None)))
            for ent in doc.ents:
                if ent.label_ not in ("GPE", "LOC") or covered & set(range(ent.start, ent.end)):
                    continue
                s, e = _strip_bounds(doc, ent.start, ent.end)
                while e - s > 1 and doc[e - 1].lower_ in PLACE_KIND_NOUNS:
                    e -= 1
                if e <= s:
                    continue
                span = doc[s:e]
                if self._plausible_model_place(span):
                    found.append((span, self.gaz.closest(span.text)))
            for span in named_before_country(doc, self.gaz):
                tokens = set(range(span.start, span.end))
                if not tokens & covered and not any(
                    tokens & set(range(f.start, f.end)) for f, _ in found
                ):
                    self.rule_places.add((p, span.start, span.end))
                    found.append((span, None))
            out.append(sorted(found, key=lambda f: f[0].start))
        return out

    def _plausible_model_place(self, span: Span) -> bool:
        text = span.text
        words = [w.lower() for w in re.findall(r"[A-Za-z]+", text)]
        return (
            text[:1].isupper()
            and len(span) <= 4
            and not re.search(r"\d", text)
            and bool(words)
            and not (len(span) == 1 and span[0].is_stop)
            and not self.gaz.is_demonym(text)
            # "Philippine Republic Act": a demonym opens a name of something else
            and not self.gaz.is_demonym(span[0].text)
            # "LMI": an acronym the gazetteer does not know names a programme or a body
            and not (len(span) == 1 and text.isupper())
            and not any(w in TITLE_WORDS or w in AGENCY_HEADS for w in words)
            and not all(w in GENERIC_PLACE_WORDS or w in CONNECTORS for w in words)
            and not self._common_words(words)
            and not self.ref.knows_name(text)
            and not (
                len(span) > 1
                and span[-1].tag_ in ("NNS", "NNPS")
                and span[-1].lower_.endswith("s")
                and span[-1].lower_ not in PLURAL_PLACE_HEADS
            )
        )

    def _country_rank(self, places, org_tokens: list[set[int]]) -> list[str]:
        counts: Counter[str] = Counter()
        first: dict[str, int] = {}
        order = 0
        for p, spans in enumerate(places):
            for span, place in spans:
                order += 1
                if place is None or not place.country_code:
                    continue
                if set(range(span.start, span.end)) & org_tokens[p]:
                    continue
                counts[place.country_code] += 1
                first.setdefault(place.country_code, order)
            if self.paragraphs[p].attribution:
                continue
            doc = self.paragraphs[p].doc
            for i in token_indices(doc, self.gaz.capitalised_demonym, self.gaz.demonym_memo):
                if i in org_tokens[p]:
                    continue
                code = self.gaz.nationality(doc[i].text)
                if code:
                    counts[code] += 1
                    first.setdefault(code, 10**6 + i)
        return sorted(counts, key=lambda c: (-counts[c], first[c]))

    # agencies ----------------------------------------------------------------------------
    def _link_span(
        self, p: int, start: int, end: int, rank: Sequence[str], *, exact_only: bool, model: bool
    ) -> _Candidate | None:
        doc = self.paragraphs[p].doc
        if end - start == 1 and is_acronym_like(doc[start].text):
            return None
        if not _capitalised(doc, start, end) and not (exact_only and _heads_named_body(doc, start)):
            return None
        text = doc[start:end].text
        fallback = self._fallback_country(p, start, end, rank)
        link = link_agency_name(
            text,
            self.ref,
            rank,
            allow_fuzzy=not exact_only,
            allow_discovery=not exact_only,
            fallback_country=fallback,
        )
        if not exact_only and (link is None or link.method == "fuzzy"):
            # a unit of a named owner beats an inexact match with another country's body
            unit = self._unit_link(p, start, end, rank)
            if unit is not None and (
                link is None or unit[0].agency.country_code != link.agency.country_code
            ):
                link, start = unit
        if link is None:
            return None
        if not link.agency.is_reference and _names_a_person(doc, start, end):
            return None
        if link.method == "discovered" and self._cut_location(doc, start, end, shortest=1)[1] == (
            start + 1
        ):
            # "Police in Poipet" is the police of a place, written in lower case but for the
            # sentence's first letter: no name of a body
            return None
        if link.method == "reference":
            outside = _nationality_before(doc, start, self.gaz)
            owner = self._owner_country(p, start)
            if owner is None and self.ref.is_generic(text):
                # "the Supreme Court in Bangkok": a name every country uses is the body of
                # the country it is said to be in
                owner = self._located_country(doc, end)
            if outside and link.agency.country_code not in (outside[0], "INT"):
                alternative = self.ref.pick(self.ref.by_name(text), outside[0], rank, text)
                if alternative is None:
                    return None
                link = Link(alternative, link.method, link.confidence)
            elif owner and link.agency.country_code not in (owner, "INT"):
                alternative = self.ref.pick(self.ref.by_name(text), owner, rank, text)
                if alternative is not None:
                    link = Link(alternative, link.method, link.confidence)
                elif not exact_only or not self.paragraphs[p].headline_like:
                    agency = discovered_agency(text, owner, self.ref)
                    link = Link(agency, "discovered", CONFIDENCE["discovered"])
        if link.method == "discovered" and model:
            link = Link(link.agency, "model", CONFIDENCE["model"])
        return _Candidate(p, start, end, link, _PRIORITY.get(link.method, 2), model)

    def _unit_link(
        self, p: int, start: int, end: int, rank: Sequence[str]
    ) -> tuple[Link, int] | None:
        """A named unit of an agency whose name alone says nothing about law enforcement, and
        where its mention starts: "the KNPA's International Cooperation Bureau" (a unit of its
        owner, named after it so that two agencies' bureaus never share an id), "FBI Miami Field
        Office" (a unit written after its agency's acronym: named as written, its mention the
        words after the acronym, which stays a mention of the FBI) and "the Attorney General's
        Office" (an office named after the title of the official who heads it)."""
        doc = self.paragraphs[p].doc
        owner = _possessive_owner(doc, start)
        if owner is not None:
            owner_text = doc[owner[0] : owner[1]].text
            parent = self._owner_agency(doc, owner, rank)
            if parent is not None and is_unit_name(doc[start:end].text, self.gaz):
                unit = re.sub(r"\s+", " ", doc[start:end].text).translate(_APOSTROPHES)
                agency = unit_agency(f"{unit} of the {parent.canonical_name}", unit, parent)
                return Link(agency, "discovered", CONFIDENCE["discovered"]), start
            unit_words = [w for w in agency_words(doc[start:end].text) if w not in CONNECTORS]
            if (
                _names_title_office(agency_words(owner_text))
                and unit_words
                and unit_words[0] in AGENCY_HEADS
                and all(w in AGENCY_HEADS or self.gaz.nationality(w) for w in unit_words)
            ):
                prefix, whole = self.gaz.split_national_prefix(doc[owner[0] : end].text)
                country = prefix or self._fallback_country(p, owner[0], end, rank)
                agency = discovered_agency(whole, country, self.ref)
                return Link(agency, "discovered", CONFIDENCE["discovered"]), owner[0]
        first = doc[start].text
        if end - start >= 2 and is_acronym_like(first):
            parent = self.ref.pick(self.ref.by_acronym(first), None, rank)
            if (
                parent is not None
                and parent.country_code in ("INT", *self.countries_named)
                and is_unit_name(doc[start + 1 : end].text, self.gaz, min_words=1)
            ):
                name = re.sub(r"\s+", " ", doc[start:end].text).translate(_APOSTROPHES)
                agency = unit_agency(name, doc[start + 1 : end].text, parent)
                # the acronym stays a mention of the parent; the unit is the rest
                return Link(agency, "discovered", CONFIDENCE["discovered"]), start + 1
        return None

    def _owner_agency(self, doc: Doc, owner: tuple[int, int], rank: Sequence[str]) -> Agency | None:
        """The agency an owner in "<owner>’s <unit>" names: the longest end of it that is a
        reference name or acronym ("Interpol" in "the FBI and Interpol’s"), else the whole owner
        when it reads as an agency on its own."""
        start, end = owner
        for k in range(start, end):
            text = doc[k:end].text
            if not _is_name_token(doc[k]) or self.gaz.lookup(text) or self.gaz.nationality(text):
                continue
            if is_acronym_like(text):
                found = self.ref.pick(self.ref.by_acronym(text), None, rank)
            else:
                link = link_agency_name(
                    text, self.ref, rank, allow_fuzzy=False, allow_discovery=False
                )
                found = link.agency if link else None
            if found is not None:
                return found
        text = doc[start:end].text
        if "and" in agency_words(text) or self.gaz.lookup(text) or self.gaz.nationality(text):
            return None
        link = link_agency_name(text, self.ref, rank, fallback_country=rank[0] if rank else None)
        return link.agency if link else None

    def _owner_country(self, p: int, start: int) -> str | None:
        """The country in "<country>’s <name>" ("South Korea’s Ministry of Justice")."""
        doc = self.paragraphs[p].doc
        owner = _possessive_owner(doc, start)
        if owner is None:
            return None
        text = doc[owner[0] : owner[1]].text
        place = self.gaz.lookup(text)
        if place and place.place_type == "country":
            return place.country_code
        return self.gaz.nationality(text)

    def _located_country(self, doc: Doc, end: int) -> str | None:
        """The country of the place in "<name> in <place>"."""
        if end + 1 >= len(doc) or doc[end].lower_ != "in":
            return None
        s = end + 1 + (doc[end + 1].lower_ == "the")
        for e in range(min(len(doc), s + 4), s, -1):
            place = self.gaz.lookup(doc[s:e].text)
            if place and place.country_code:
                return place.country_code
        return None

    def _fallback_country(self, p: int, start: int, end: int, rank: Sequence[str]) -> str | None:
        """Country of a discovered agency without a national prefix: a place in its name, the
        owner in "<owner>’s <name>", else the article's main country."""
        doc = self.paragraphs[p].doc
        for tok in doc[start:end]:
            place = self.gaz.lookup(tok.text)
            if place and place.country_code:
                return place.country_code
        owner = _possessive_owner(doc, start)
        if owner:
            owner_text = doc[owner[0] : owner[1]].text
            found = self.ref.pick(self.ref.by_name(owner_text), None, rank, owner_text)
            if found:
                return found.country_code
            for tok in doc[owner[0] : owner[1]]:
                code = self.gaz.nationality(tok.text)
                if code:
                    return code
        return rank[0] if rank else None

    def _candidates(
        self, rank: Sequence[str]
    ) -> tuple[list[_Candidate], list[tuple[int, int, int]]]:
        cands: list[_Candidate] = []
        pending: list[tuple[int, int, int]] = []
        for p, para in enumerate(self.paragraphs):
            if para.attribution:
                continue
            doc = para.doc
            raw: list[tuple[int, int, bool, bool]] = []
            for s, e in self.name_matches[p]:
                raw.append((s, e, True, False))
            if not para.headline_like:
                for s, e in _name_runs(doc, self.gaz):
                    for ps, pe in _agency_pieces(doc, s, e):
                        raw.append((ps, pe, False, False))
            for ent in doc.ents:
                if ent.label_ == "ORG":
                    raw.append((ent.start, ent.end, False, True))
            seen = set()
            for s, e, exact, model in raw:
                if not para.headline_like and _titles_a_law(doc, s, e):
                    continue
                pieces = (
                    [(s, e)]
                    if exact
                    else [
                        self._cut_location(doc, a, b) for a, b in _split_at_possessives(doc, s, e)
                    ]
                )
                for ps, pe in pieces:
                    if (ps, pe) in seen:
                        continue
                    seen.add((ps, pe))
                    if doc[ps:pe].text in self._organisation_names and not exact:
                        # "the <Name> think tank", "<Name>, an independent charity,"
                        continue
                    cand = self._link_span(
                        p, ps, pe, rank, exact_only=exact or para.headline_like, model=model
                    )
                    if cand is not None:
                        cands.append(cand)
                    elif (
                        pe - ps >= 2
                        and doc[pe - 1].lower_ in AGENCY_HEADS
                        and _capitalised(doc, ps, pe)
                    ):
                        pending.append((p, ps, pe))
            cands.extend(self._shared_head_names(p, rank))
        return self._merge_model_agreement(cands), pending

    def _shared_head_names(self, p: int, rank: Sequence[str]) -> list[_Candidate]:
        """ "the ministries of Interior and Justice": one head for several bodies, each a
        mention of its own ("Ministry of Interior", "Ministry of Justice") when the reference
        knows it; the first mention spans the head, the others their own words."""
        doc = self.paragraphs[p].doc
        found: list[_Candidate] = []
        for i in word_indices(doc, _SHARED_HEAD_KEYS, LOWER):
            if i + 2 >= len(doc) or doc[i + 1].lower_ != "of":
                continue
            names: list[tuple[int, int]] = []
            start = i + 2
            for j in range(i + 2, min(len(doc), i + 14) + 1):
                if j < len(doc) and (doc[j].is_title or doc[j].lower_ in CONNECTORS - {"and"}):
                    continue
                if j > start and doc[start].is_title:
                    names.append((start, j))
                if j >= len(doc) or doc[j].lower_ not in (",", "and"):
                    break
                start = j + 1
            if len(names) < 2:
                continue
            head = _SHARED_HEADS[doc[i].lower_]
            for k, (s, e) in enumerate(names):
                link = link_agency_name(
                    f"{head} of {doc[s:e].text}", self.ref, rank, allow_discovery=False
                )
                if link is not None and link.method == "reference":
                    span = (i, e) if k == 0 else (s, e)
                    found.append(_Candidate(p, *span, link, _PRIORITY.get(link.method, 2)))
        return found

    def _cut_location(
        self, doc: Doc, start: int, end: int, *, shortest: int = 2
    ) -> tuple[int, int]:
        """A name without the place it is said to be in: "District Court ... in Miami"."""
        for i in range(start + shortest, end - 1):
            if doc[i].lower_ != "in" or _head_index(agency_words(doc[start:i].text)) is None:
                continue
            s = i + 1 + (doc[i + 1].lower_ == "the")
            if s < end and (
                self.gaz.lookup(doc[s:end].text)
                or all(t.ent_type_ in ("GPE", "LOC") for t in doc[s:end])
            ):
                return start, i
        return start, end

    @staticmethod
    def _merge_model_agreement(cands: list[_Candidate]) -> list[_Candidate]:
        """The rule-found and the model-found copy of one discovered span become one, with
        the model's agreement raising its confidence."""
        by_span: dict[tuple[int, int, int], _Candidate] = {}
        for cand in cands:
            key = (cand.para, cand.start, cand.end)
            prev = by_span.get(key)
            if prev is None:
                by_span[key] = cand
            elif {prev.link.method, cand.link.method} == {"discovered", "model"}:
                rule = prev if prev.link.method == "discovered" else cand
                agreed = Link(rule.link.agency, "discovered", CONFIDENCE["discovered"] + 0.1)
                by_span[key] = replace(rule, link=agreed, from_model=True)
            elif cand.priority < prev.priority:
                by_span[key] = cand
        return list(by_span.values())

    def _free(self, p: int, start: int, end: int) -> bool:
        return not (set(range(start, end)) & self.taken[p])

    def _take(self, cand: _Candidate) -> None:
        self.taken[cand.para].update(range(cand.start, cand.end))
        self.agencies.append(cand)

    def _select(self, cands: list[_Candidate], rank: Sequence[str]) -> None:
        cands = self._drop_truncated_model_matches(self._drop_modifier_matches(cands))
        for cand in sorted(cands, key=lambda c: (c.priority, -c.length, c.para, c.start)):
            if self._free(cand.para, cand.start, cand.end):
                self._take(cand)
                continue
            doc = self.paragraphs[cand.para].doc
            free = [i for i in range(cand.start, cand.end) if i not in self.taken[cand.para]]
            for s, e in _contiguous(free):
                s, e = _strip_bounds(doc, s, e)
                if e - s < 2:
                    continue
                piece = self._link_span(
                    cand.para,
                    s,
                    e,
                    rank,
                    exact_only=self.paragraphs[cand.para].headline_like,
                    model=cand.from_model,
                )
                if piece is not None and self._free(piece.para, piece.start, piece.end):
                    self._take(piece)

    @staticmethod
    def _drop_truncated_model_matches(cands: list[_Candidate]) -> list[_Candidate]:
        """An inexact match on a model span cut short inside a longer rule-found name gives way
        to that name: the model's "Office of the Attorney" inside "Office of the Attorney
        General" is not a United States Attorney's Office."""
        rule = [c for c in cands if not c.from_model]
        return [
            c
            for c in cands
            if not (
                c.from_model
                and c.link.method == "fuzzy"
                and any(
                    r.para == c.para
                    and r.start <= c.start
                    and c.end <= r.end
                    and r.length > c.length
                    for r in rule
                )
            )
        ]

    def _drop_modifier_matches(self, cands: list[_Candidate]) -> list[_Candidate]:
        """A listed name followed by a head word inside a longer name only modifies it:
        "Tokyo Metropolitan Police Department" is not the "Metropolitan Police"."""
        longer = [c for c in cands if not c.link.agency.is_reference]
        kept = []
        for cand in cands:
            doc = self.paragraphs[cand.para].doc
            modifier = cand.link.agency.is_reference and any(
                other.para == cand.para
                and other.start <= cand.start
                and cand.end < other.end
                and doc[cand.end].lower_ in AGENCY_HEADS
                for other in longer
            )
            if not modifier:
                kept.append(cand)
        return kept

    def _surface(self, cand: _Candidate) -> str:
        return self.paragraphs[cand.para].doc[cand.start : cand.end].text

    def _coreference(self, pending: list[tuple[int, int, int]]) -> None:
        """Shorter names that repeat the end of a longer name in the article take its agency
        ("the Customs Service" after "the US Customs Service")."""
        references = [c for c in self.agencies if c.link.agency.is_reference]
        for i, cand in enumerate(self.agencies):
            if cand.link.agency.is_reference:
                continue
            target = self._coreferent(self._surface(cand), references, cand)
            if target is not None:
                self.agencies[i] = replace(
                    cand, link=Link(target.link.agency, "coreference", CONFIDENCE["coreference"])
                )
        for p, s, e in pending:
            if not self._free(p, s, e):
                continue
            text = self.paragraphs[p].doc[s:e].text
            target = self._coreferent(text, references, None)
            if target is not None:
                self._take(
                    _Candidate(
                        p,
                        s,
                        e,
                        Link(target.link.agency, "coreference", CONFIDENCE["coreference"]),
                        1,
                    )
                )

    def _coreferent(
        self, text: str, references: list[_Candidate], own: _Candidate | None
    ) -> _Candidate | None:
        best = None
        for ref in references:
            if ref is own:
                continue
            names = (self._surface(ref), ref.link.agency.canonical_name)
            if any(corefers(text, name, self.gaz) for name in names) and (
                best is None or (ref.para, ref.start) < (best.para, best.start)
            ):
                best = ref
        return best

    def _acronyms(self, rank: Sequence[str], evidence: set[str]) -> None:
        defined: dict[str, Agency] = {}
        for cand in list(self.agencies):
            para = self.paragraphs[cand.para]
            span = para.doc[cand.start : cand.end]
            text = doc_text(para.doc)
            acronym = find_acronym_definition(text[span.end_char :], text[: span.start_char])
            if acronym:
                defined.setdefault(acronym, cand.link.agency)
        defined_keys = word_keys(defined)
        for p, para in enumerate(self.paragraphs):
            if para.attribution:
                continue
            doc = para.doc
            spans = list(doc.spans[AGENCY_ACRONYMS])
            spans += [doc[i : i + 1] for i in word_indices(doc, defined_keys)]
            for span in filter_spans(spans):
                if not self._free(p, span.start, span.end):
                    continue
                text = span.text
                if text in defined:
                    agency = defined[text]
                    method = "reference" if agency.acronym == text else "acronym_definition"
                else:
                    outside = _nationality_before(doc, span.start, self.gaz)
                    context = outside[0] if outside else self._owner_country(p, span.start)
                    agency = self.ref.pick(self.ref.by_acronym(text), context, rank)
                    if agency is None:
                        continue
                    if not self._acronym_supported(doc, span, agency, evidence):
                        continue
                    method = "reference"
                self._take(
                    _Candidate(p, span.start, span.end, Link(agency, method, CONFIDENCE[method]), 0)
                )

    @staticmethod
    def _acronym_supported(doc: Doc, span: Span, agency: Agency, evidence: set[str]) -> bool:
        """Whether a bare acronym of a national agency means that agency: its country comes
        up in the article, or the acronym is used as a noun ("the FBI") rather than as a
        credit line ("(AFP)", "told AFP")."""
        if agency.country_code in ("INT", *evidence):
            return True
        before = doc[span.start - 1].lower_ if span.start > 0 else ""
        after = doc[span.end].lower_ if span.end < len(doc) else ""
        return before == "the" and after not in NON_AGENCY_WORDS | _CREDIT_LINE_WORDS

    def _embassies_abroad(self, places: list[list[tuple[Span, Place | None]]]) -> None:
        """An embassy said to be in another country than the one the warehouse covers ("the
        Embassy of Japan in the Lao PDR") is that country's embassy there, not the one in
        Phnom Penh: "Embassy of Japan in Laos", with the place kept in its name."""
        for i, cand in enumerate(self.agencies):
            agency = cand.link.agency
            if agency.agency_type != "embassy" or not agency.country_code:
                continue
            doc = self.paragraphs[cand.para].doc
            j = cand.end
            if j + 1 >= len(doc) or doc[j].lower_ != "in":
                continue
            j += 1 + (doc[j + 1].lower_ == "the")
            where = next(
                (
                    (span, place)
                    for span, place in places[cand.para]
                    if span.start == j and place is not None and place.country_code
                ),
                None,
            )
            if where is None:
                continue
            span, place = where
            host = place.country_code
            if host in (self.ref.where(agency), agency.country_code):
                continue
            if any(k in self.taken[cand.para] for k in range(cand.end, span.end)):
                continue
            there = self.ref.embassy(agency.country_code, host)
            if there is not None:
                self.taken[cand.para].update(range(cand.end, span.end))
                self.agencies[i] = replace(
                    cand, end=span.end, link=replace(cand.link, agency=there)
                )
                continue
            sender = self.gaz.country_name(agency.country_code)
            if "consulate" in agency_words(doc[cand.start : cand.end].text):
                canonical = f"Consulate of {_with_article(sender)} in {place.name}"
            else:
                where_name = self.gaz.country_name(host) or place.name
                canonical = f"Embassy of {_with_article(sender)} in {_with_article(where_name)}"
            abroad = Agency(
                agency_id=discovered_agency_id(canonical),
                canonical_name=canonical,
                acronym=None,
                country_code=agency.country_code,
                agency_type="embassy",
                parent_agency_id=agency.parent_agency_id if agency.is_reference else None,
                is_reference=False,
            )
            self.taken[cand.para].update(range(cand.end, span.end))
            self.agencies[i] = replace(
                cand, end=span.end, link=Link(abroad, "discovered", CONFIDENCE["discovered"])
            )

    def _named_parent(self, span: Span, agency: Agency) -> Agency | None:
        """ "FBI Internet Crime Complaint Center": a unit whose written name opens with its
        parent's acronym names the parent too (a longer span, so both mentions stay)."""
        parent = self.ref.by_id.get(agency.parent_agency_id or "")
        if parent is None or len(span) < 2 or not parent.acronym:
            return None
        return parent if span[0].text == parent.acronym else None

    def _city_units(self, places: list[list[tuple[Span, Place | None]]]) -> None:
        """ "HSI Manila", "FBI Bangkok": an agency's acronym followed by a city is its office
        there, a unit named as written; the acronym stays a mention of the agency and the city
        stays a place (the office is in it)."""
        for cand in list(self.agencies):
            agency = cand.link.agency
            doc = self.paragraphs[cand.para].doc
            if cand.length != 1 or not agency.is_reference or not doc[cand.start].is_upper:
                continue
            city = next(
                (
                    span
                    for span, place in places[cand.para]
                    if span.start == cand.end and place is not None and place.place_type == "city"
                ),
                None,
            )
            if city is None or (city.end < len(doc) and doc[city.end].text[:1].isupper()):
                continue
            if city.end < len(doc) and doc[city.end].pos_ in ("NOUN", "PROPN"):
                continue  # "the HSI Manila office": the city names the office, no unit
            if any(c.para == cand.para and c.start == city.start for c in self.agencies):
                continue
            name = f"{doc[cand.start].text} {city.text}"
            unit = unit_agency(name, city.text, agency)
            self.agencies.append(
                _Candidate(
                    cand.para,
                    city.start,
                    city.end,
                    Link(unit, "discovered", CONFIDENCE["discovered"]),
                    _PRIORITY.get("discovered", 2),
                )
            )

    def _extend_prefixes(self) -> None:
        """Keep a national prefix written as part of the name in the surface ("US DEA")."""
        for i, cand in enumerate(self.agencies):
            doc = self.paragraphs[cand.para].doc
            found = _nationality_before(doc, cand.start, self.gaz)
            if not found:
                continue
            code, s = found
            if code != cand.link.agency.country_code:
                continue
            if any(j in self.taken[cand.para] for j in range(s, cand.start)):
                continue
            self.taken[cand.para].update(range(s, cand.start))
            self.agencies[i] = replace(cand, start=s)

    # people ------------------------------------------------------------------------------
    def _people(self, place_tokens: list[set[int]]) -> list[_PersonHit]:
        """Person mentions: full names the model tags, every later use of a full name or of
        a word that stands for exactly one full name ("Kheng" for "Sar Kheng")."""
        names: dict[tuple[str, ...], str] = {}
        singles: Counter[str] = Counter()
        model_spans = set()
        rule_spans = set()
        for p, para in enumerate(self.paragraphs):
            if para.headline_like or para.attribution:
                continue
            doc = para.doc
            for ent in doc.ents:
                if ent.label_ != "PERSON":
                    continue
                s, e = self._person_bounds(doc, ent.start, ent.end)
                text = doc[s:e].text
                if e <= s or not self._free(p, s, e) or self.ref.knows_name(text):
                    continue
                if _names_an_organisation(doc, s, e):
                    continue
                if e < len(doc) and doc[e].lower_ in PLACE_NOUNS:
                    self.extra_places.append((p, doc[s:e]))
                    continue
                if e - s >= 2 and doc[e - 1].lower_ in PLACE_NOUNS:
                    self.extra_places.append((p, doc[s : e - 1]))
                    continue
                if not clean_person_name(text, self.gaz):
                    continue
                model_spans.add((p, s, e))
                words = tuple(t.text for t in doc[s:e])
                if len(words) >= 2:
                    names.setdefault(words, text.translate(_APOSTROPHES))
                else:
                    singles[words[0]] += 1
        for p, s, e in self._rule_person_spans(place_tokens):
            doc = self.paragraphs[p].doc
            rule_spans.add((p, s, e))
            names.setdefault(tuple(t.text for t in doc[s:e]), doc[s:e].text.translate(_APOSTROPHES))
        for word, count in singles.items():
            if any(word in full for full in names):
                continue
            expanded = self._expand_single(word, place_tokens)
            if expanded:
                names.setdefault(*expanded)
            elif count >= 2:
                names.setdefault((word,), word)
        merged = merge_person_names(names)
        fulls = sorted(set(merged.values()), key=lambda w: -len(w))
        by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for words in fulls:
            by_first[words[0]].append(words)
        short = short_form_index(fulls)
        found: list[tuple[_PersonHit, tuple[str, ...]]] = []
        # names some use in the article shows to be a group or a place: no person anywhere
        not_people: dict[tuple[str, ...], str] = {}
        # only tokens that open a known name or are a short form are looked at
        wanted = word_keys((*by_first, *short))
        for p, para in enumerate(self.paragraphs):
            doc = para.doc
            after = 0
            for i in word_indices(doc, wanted):
                if i < after:
                    continue
                hit = None
                for words in by_first.get(doc[i].text, ()):
                    if tuple(t.text for t in doc[i : i + len(words)]) == words:
                        hit = (i, i + len(words), words)
                        break
                if (
                    hit is None
                    and doc[i].text in short
                    and (doc[i].pos_ in ("PROPN", "NOUN") or doc[i].ent_type_ == "PERSON")
                    and not (i + 1 < len(doc) and _is_cap_word(doc[i + 1]))
                ):
                    # a short form stands alone: "Sar" in "Sar Sokha" is another person
                    hit = (i, i + 1, short[doc[i].text])
                if hit is None:
                    continue
                s, e, words = hit
                if self._free(p, s, e) and not (e - s == 1 and s in place_tokens[p]):
                    if (p, s, e) in model_spans:
                        method = "model"
                    elif (p, s, e) in rule_spans:
                        method = "discovered"
                    else:
                        method = "coreference"
                    role = "author" if (p, s, e) in self.bylines else _person_role(doc, s, e)
                    found.append((_PersonHit(p, s, e, names[words], method, role), words))
                    if words not in not_people:
                        reading = self._reads_as_no_person(p, s, e, words)
                        if " ".join(words) in self._organisation_names:
                            reading = "group"
                        if reading:
                            not_people[words] = reading
                after = e
        for hit, words in found:
            if not_people.get(words) == "place" and hit.end - hit.start == len(words):
                self.extra_places.append(
                    (hit.para, self.paragraphs[hit.para].doc[hit.start : hit.end])
                )
        return [
            hit
            for hit, words in found
            if words not in not_people and not self._common_words(w.lower() for w in words)
        ]

    @cached_property
    def _organisation_names(self) -> set[str]:
        """Names that some sentence of the article says are organisations ("<Name>, a
        Texas-based company"): a model's place or person reading of them is wrong anywhere."""
        return {
            span.text
            for para in self.paragraphs
            if not para.attribution
            for span in para.doc.spans.get(ORGANISATION_NAMES, ())
        }

    def _common_words(self, words: Iterable[str]) -> bool:
        """Whether the article writes every one of these words in lower case somewhere: a
        "name" made only of them is a heading's common words ("Corrupt Activities"), neither
        a person nor a place."""
        return all(w in self._lower_case_words for w in words)

    @cached_property
    def _lower_case_words(self) -> set[str]:
        return {
            word
            for para in self.paragraphs
            if not para.attribution
            for word in _LOWER_CASE_WORD.findall(doc_text(para.doc))
        }

    def _reads_as_no_person(
        self, p: int, start: int, end: int, words: tuple[str, ...]
    ) -> str | None:
        """What this use of a name shows it names instead of a person ("group", "place"):
        right after a group noun ("the network Jemaah Islamiyah"), a lone word modifying a
        plural noun (an ethnic or religious group: "<Name> students"), or followed by its
        country in brackets (a dateline place: "<Village> (<Country>)")."""
        doc = self.paragraphs[p].doc
        before = start - 1 if start > 0 and doc[start - 1].text != "," else start - 2
        if before >= 0 and _singular(doc[before].lower_) in GROUP_NOUNS:
            return "group"
        if len(words) == 1 and end < len(doc) and doc[end].tag_ == "NNS" and doc[end].is_lower:
            return "group"
        bracket = _BRACKETED.match(doc_text(doc), doc[end - 1].idx + len(doc[end - 1]))
        place = self.gaz.lookup(bracket.group(1)) if bracket else None
        if place is not None and place.place_type == "country":
            return "place"
        return None

    def _rule_person_spans(self, place_tokens: list[set[int]]) -> list[tuple[int, int, int]]:
        """Names the model does not tag as people, found by how news writes about people:
        bylines, "Name, <role>," appositions ("Kenji Tanabe, Counsellor at ..."), ages ("Le
        Van Thanh, 38,") and "surnamed Choi". Returns (paragraph, start, end) token ranges."""
        out = []
        for p, para in enumerate(self.paragraphs):
            doc = para.doc
            bylines = [
                (span.start, span.end)
                for span in (
                    doc.char_span(a, b, alignment_mode="expand")
                    for a, b in byline_name_spans(doc_text(doc))
                )
                if span is not None
            ]
            if para.attribution:
                first = next((t.i for t in doc if not t.is_space), 0)
                spans = bylines + [a for a in appositive_name_spans(doc) if a[0] == first]
            else:
                spans = [] if para.headline_like else titled_name_spans(doc)
                spans += bylines + appositive_name_spans(doc) + surnamed_spans(doc)
            for s, e in spans:
                byline = (s, e) in bylines
                s, e = self._person_bounds(doc, s, e)
                # a name follows its last title word: "Chief Executive Officer Kim Sok"
                s = max([s] + [i + 1 for i in range(s, e) if _is_title_at(doc, i)])
                if e <= s or not self._free(p, s, e) or set(range(s, e)) & place_tokens[p]:
                    continue
                text = doc[s:e].text
                if self.ref.knows_name(text) or _names_an_organisation(doc, s, e):
                    continue
                if clean_person_name(text, self.gaz) == text.strip():
                    out.append((p, s, e))
                    if byline:
                        self.bylines.add((p, s, e))
        return out

    def _expand_single(
        self, word: str, place_tokens: list[set[int]]
    ) -> tuple[tuple[str, ...], str] | None:
        """The longest run of capitalised proper nouns ending in a one-word person name
        anywhere in the article ("W Patrick Murphy" for "Murphy"), stopping at titles,
        places, nationalities and agency names."""
        best: tuple[tuple[str, ...], str] | None = None
        for p, para in enumerate(self.paragraphs):
            doc = para.doc
            for tok in (doc[i] for i in word_indices(doc, word_keys([word]))):
                j = tok.i
                while (
                    j > tok.sent.start
                    and doc[j - 1].pos_ == "PROPN"
                    and doc[j - 1].text[:1].isupper()
                    and doc[j - 1].lower_.rstrip(".") not in TITLE_WORDS
                    and not self.gaz.nationality(doc[j - 1].text)
                    and j - 1 not in place_tokens[p]
                    and j - 1 not in self.taken[p]
                ):
                    j -= 1
                if j == tok.i:
                    continue
                text = doc[j : tok.i + 1].text
                if clean_person_name(text, self.gaz) and (
                    best is None or tok.i + 1 - j > len(best[0])
                ):
                    best = (tuple(t.text for t in doc[j : tok.i + 1]), text.translate(_APOSTROPHES))
        return best

    def _person_bounds(self, doc: Doc, start: int, end: int) -> tuple[int, int]:
        while (
            start < end
            and (
                _is_title_at(doc, start)
                or (end - start > 1 and _opens_with_role(doc[start].text))
                # "But Tony Banks, Labour MP for ...": a sentence's opening conjunction
                or doc[start].pos_ == "CCONJ"
                or not doc[start].text[:1].isalpha()
                or self.gaz.nationality(doc[start].text)
            )
        ):
            start += 1
        # "Lib Dem MP Lembit Opik", "Rights Group Director Am Sam Ath": the name starts after
        # a title inside the span when at least two words follow it
        for k in range(end - 3, start, -1):
            if _is_title_at(doc, k):
                start = k + 1
                break
        while end > start and (_is_possessive(doc[end - 1]) or doc[end - 1].is_punct):
            end -= 1
        return start, end

    # all ---------------------------------------------------------------------------------
    def run(self) -> ArticleEntities:
        places = self._place_spans()
        org_tokens = [
            {i for ent in para.doc.ents if ent.label_ == "ORG" for i in range(ent.start, ent.end)}
            | {i for s, e in matches for i in range(s, e)}
            for para, matches in zip(self.paragraphs, self.name_matches, strict=True)
        ]
        rank = self._country_rank(places, org_tokens)
        self.countries_named = set(rank) | {
            self.gaz.nationality(para.doc[i].text)
            for para in self.paragraphs
            if not para.attribution
            for i in token_indices(
                para.doc, self.gaz.capitalised_nationality, self.gaz.nationality_memo
            )
        }
        cands, pending = self._candidates(rank)
        self._select(cands, rank)
        self._coreference(pending)
        evidence = self.countries_named | {
            c.link.agency.country_code for c in self.agencies if c.link.agency.country_code
        }
        self._acronyms(rank, evidence)
        self._embassies_abroad(places)
        self._city_units(places)
        self._extend_prefixes()

        mentions: list[Mention] = []
        for cand in sorted(self.agencies, key=lambda c: (c.para, c.start)):
            para = self.paragraphs[cand.para]
            span = para.doc[cand.start : cand.end]
            agency = cand.link.agency
            mentions.append(
                Mention.of_span(
                    para,
                    span,
                    "agency",
                    entity_name=agency.canonical_name,
                    method=cand.link.method,
                    confidence=cand.link.confidence,
                    agency=agency,
                    country_code=agency.country_code,
                )
            )
            parent = self._named_parent(span, agency)
            if parent is not None:
                mentions.append(
                    Mention.of_span(
                        para,
                        span[:1],
                        "agency",
                        entity_name=parent.canonical_name,
                        method="reference",
                        confidence=CONFIDENCE["reference"],
                        agency=parent,
                        country_code=parent.country_code,
                    )
                )
        person_hits = self._people(
            [{i for s, place in ps if place for i in range(s.start, s.end)} for ps in places]
        )
        person_tokens: list[set[int]] = [set() for _ in self.paragraphs]
        roles: dict[str, str] = {}
        for hit in person_hits:
            if hit.role and hit.name not in roles:
                roles[hit.name] = hit.role
        for hit in person_hits:
            para = self.paragraphs[hit.para]
            span = para.doc[hit.start : hit.end]
            person_tokens[hit.para].update(range(hit.start, hit.end))
            mentions.append(
                Mention.of_span(
                    para,
                    span,
                    "person",
                    entity_name=hit.name,
                    method=hit.method,
                    confidence=0.8 if hit.method == "model" else CONFIDENCE["coreference"],
                    person_role=roles.get(hit.name),
                )
            )
        for p, span in self.extra_places:
            known = {i for s, _ in places[p] for i in range(s.start, s.end)}
            if not known & set(range(span.start, span.end)):
                places[p].append((span, None))
        for p, spans in enumerate(places):
            para = self.paragraphs[p]
            modifiers = modifier_place_spans(
                [(span, place is not None) for span, place in spans],
                para.headline_like,
                self.taken[p],
            )
            for span, place in spans:
                tokens = set(range(span.start, span.end))
                if tokens & person_tokens[p] or (span.start, span.end) in modifiers:
                    continue
                by_rule = (p, span.start, span.end) in self.rule_places
                if place is None and not by_rule and span.text in self._organisation_names:
                    continue
                if tokens & self.taken[p] and not _locates(span):
                    continue
                name = place.name if place else re.sub(r"^(?i:the)\s+", "", span.text)
                method = "discovered" if by_rule else ("reference" if place else "model")
                mentions.append(
                    Mention.of_span(
                        para,
                        span,
                        "place",
                        entity_name=name,
                        method=method,
                        confidence=CONFIDENCE[method],
                        place_type=place.place_type
                        if place
                        else ("region" if _is_loc(span) else None),
                        country_code=place.country_code if place else None,
                    )
                )
        # a span can reach the place list twice (gazetteer and model); keep its best reading
        best: dict[tuple[str, int, int], Mention] = {}
        for m in mentions:
            key = (m.entity_type, m.char_start, m.char_end)
            if key not in best or m.confidence > best[key].confidence:
                best[key] = m
        mentions = sorted(best.values(), key=lambda m: (m.char_start, m.char_end, m.entity_type))
        return ArticleEntities(mentions, rank)


def _is_loc(span: Span) -> bool:
    return any(ent.label_ == "LOC" for ent in span.doc.ents if ent.start <= span.start < ent.end)


# a name right after one of these nouns names a group, not a person
GROUP_NOUNS = _words("group_nouns")


def _names_an_organisation(doc: Doc, start: int, end: int) -> bool:
    """Whether capitalised words are part of an organisation's name rather than a person's:
    followed by an organisation word ("the Sam Gor syndicate") or continuing a name headed by
    one ("Ministry of Labour and Vocational Training") or by an acronym, which people do not
    have ("Action Pour Les Enfants (APLE)")."""
    if end < len(doc) and (doc[end].lower_ in NON_AGENCY_WORDS or doc[end].lower_ in AGENCY_HEADS):
        return True
    # "the terrorist group Jemaah Islamiyah", "The organization, Om Al-Qura,"
    before = start - 1 if start > 0 and doc[start - 1].text != "," else start - 2
    if before >= 0 and _singular(doc[before].lower_) in GROUP_NOUNS:
        return True
    after = doc[end - 1].idx + len(doc[end - 1])
    if find_acronym_definition(doc_text(doc)[after : after + 40]):
        return True
    i = start
    while i > 0 and (doc[i - 1].lower_ in CONNECTORS or _is_name_token(doc[i - 1])):
        i -= 1
        if doc[i].lower_ in AGENCY_HEADS or doc[i].lower_ in NON_AGENCY_WORDS:
            return i < start - 1 and doc[start - 1].lower_ in CONNECTORS
    return False


_RELATIVE_WORDS = _words("relative_words")
_AGE_FOLLOWERS = {",", ")", ".", "of", "from", "who", "and", "was", "is"}
_SURNAME_CUES = _words("surname_cues")
_SURNAME_CUE_KEYS = word_keys(_SURNAME_CUES)
_NAME_TITLE_MEMO: dict[int, bool] = {}


def _names_title(lower: str) -> bool:
    return lower.rstrip(".") in NAME_TITLES


def _is_cap_word(token: Token) -> bool:
    return token.is_alpha and token.text[0].isupper() and token.lower_ not in _CALENDAR_WORDS


def _hyphen_joins(doc: Doc, i: int) -> bool:
    """Whether token i is a hyphen inside one word ("Min-seo")."""
    return (
        doc[i].text in {"-", "‐"}
        and 0 < i < len(doc) - 1
        and not doc[i - 1].whitespace_
        and not doc[i].whitespace_
        and doc[i + 1].is_alpha
    )


def _name_run_before(doc: Doc, end: int) -> int:
    """Start of the run of capitalised words (hyphenated parts included) ending at `end`."""
    floor = doc[end - 1].sent.start if end > 0 else 0
    start = end
    while start > floor:
        tok = doc[start - 1]
        if _is_cap_word(tok):
            start -= 1
        elif start - 2 > floor and _hyphen_joins(doc, start - 2) and tok.is_alpha:
            start -= 2
        else:
            break
    return start


def _name_run_after(doc: Doc, start: int, limit: int = 4) -> int:
    end = start
    while end < len(doc) and end - start < limit * 2:
        if _is_cap_word(doc[end]):
            end += 1
        elif end > start and _hyphen_joins(doc, end):
            end += 2
        else:
            break
    return end


def _word_count(doc: Doc, start: int, end: int) -> int:
    return sum(1 for i in range(start, end) if doc[i].is_alpha and not _hyphen_joins(doc, i - 1))


def appositive_name_spans(doc: Doc) -> list[tuple[int, int]]:
    """Two to four capitalised words followed by a comma and a role ("Kenji Tanabe,
    Counsellor at the Embassy", "Siriporn Chaiwat, Communications Officer") or an age
    ("Chan Virak, 47, of Phnom Penh")."""
    out = []
    for i in word_indices(doc, _COMMA_KEYS):
        comma = doc[i]
        if comma.i < 2 or comma.i + 1 >= len(doc):
            continue
        start = _name_run_before(doc, comma.i)
        if not 2 <= _word_count(doc, start, comma.i) <= 4:
            continue
        after = [t for t in doc[comma.i + 1 : comma.i + 6] if not t.is_space]
        if not after or after[0].lower_ in _RELATIVE_WORDS:
            continue
        age = after[0].like_num and after[0].text.isdigit() and 0 < int(after[0].text) <= 110
        if age and len(after) > 1 and after[1].lower_ in _AGE_FOLLOWERS:
            out.append((start, comma.i))
            continue
        words = [t.lower_ for t in after if t.is_alpha and t.lower_ not in _DETERMINERS][:3]
        if any(w in ROLE_WORDS for w in words):
            out.append((start, comma.i))
    return out


def titled_name_spans(doc: Doc) -> list[tuple[int, int]]:
    """Two to four capitalised words right after a title or rank ("Pol Sub Lt Somchai Jaidee",
    "Interior Minister Sar Sokha", "Judge Sam Rithy")."""
    out = []
    for i in token_indices(doc, _names_title, _NAME_TITLE_MEMO, LOWER):
        tok = doc[i]
        title = tok.lower_.rstrip(".")
        if tok.i + 1 >= len(doc):
            continue
        if title in _AGENCY_OPENING_TITLES and not (
            tok.i > 0 and doc[tok.i - 1].lower_.rstrip(".") in TITLE_WORDS
        ):
            continue  # "General Assembly Hall"; "Lt Gen Kittipong ..." still counts
        start = tok.i + 1
        while start < len(doc) and (
            is_title_word(doc[start].text, doc[start + 1].text if start + 1 < len(doc) else None)
            or doc[start].text == "."
        ):
            start += 1
        if start > tok.i + 1 and doc[start - 1].lower_.rstrip(".") not in NAME_TITLES:
            continue
        end = _name_run_after(doc, start)
        words = _word_count(doc, start, end)
        # "President Obama", "Secretary Bersin": one name after a title is a surname
        single = words == 1 and doc[start].pos_ == "PROPN" and not doc[start].is_upper
        if (2 <= words <= 4 or single) and (start, end) not in out:
            out.append((start, end))
    return out


def surnamed_spans(doc: Doc) -> list[tuple[int, int]]:
    """The name after "surnamed" ("a man surnamed Choi")."""
    out = []
    for tok in (doc[i] for i in word_indices(doc, _SURNAME_CUE_KEYS, LOWER)):
        if tok.i + 1 < len(doc):
            end = _name_run_after(doc, tok.i + 1, limit=3)
            if end > tok.i + 1:
                out.append((tok.i + 1, end))
    return out


# Rank words that also open agency names ("General Department of ...", "Major Crimes Unit").
_AGENCY_OPENING_TITLES = _words("agency_opening_titles")


def _names_a_person(doc: Doc, start: int, end: int) -> bool:
    """Whether a run of capitalised words is a titled person rather than an agency: it opens
    with a person's title ("Minister of Interior Sar Sokha and Police", "Chief Justice Chiv
    Keng and Deputy Prosecutor") or holds a name the model tags as a person."""
    first = doc[start].lower_.rstrip(".")
    if _names_title_office([t.lower_ for t in doc[start : start + 2]]):
        return False
    if first in NAME_TITLES and first not in _AGENCY_OPENING_TITLES:
        return True
    return any(tok.ent_type_ == "PERSON" for tok in doc[start:end])


def _contiguous(indices: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for i in indices:
        if out and out[-1][1] == i:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out


def _person_role(doc: Doc, start: int, end: int) -> str | None:
    """A role stated next to a name: an appositive ("X, spokesman for the Ministry of
    Interior,") or a preceding title ("Interior Minister X"); ranks alone are not roles."""
    sent = doc[start].sent
    if end < sent.end and doc[end].text == ",":
        j = end + 1
        while j < sent.end and doc[j].text not in {",", ".", ";", "“", "”", '"', "(", ")"}:
            j += 1
        phrase = doc[end + 1 : j]
        words = [t.lower_ for t in phrase if t.is_alpha]
        if phrase and len(phrase) <= 15 and any(w in ROLE_WORDS for w in words[:3]):
            return re.sub(r"^(?:a|an|the)\s+", "", phrase.text, flags=re.IGNORECASE).strip()
    i = start
    while i > sent.start:
        tok = doc[i - 1]
        title_word = tok.is_alpha and (
            tok.text[0].isupper() or tok.lower_ in ROLE_WORDS or tok.pos_ == "ADJ"
        )
        connector = tok.lower_ in {"of", "for", "to", "the"} and i < start
        hyphen = (
            tok.text in {"-", "–"}
            and i - 1 > sent.start
            and not tok.whitespace_
            and not doc[i - 2].whitespace_
        )
        if not (title_word or connector or hyphen):
            break
        i -= 1
    end_role = start
    while (
        end_role - 1 > i
        and doc[end_role - 1].lower_.rstrip(".") in RANK_WORDS
        and doc[end_role - 2].whitespace_
        and doc[end_role - 2].lower_ not in _GENERAL_TITLES
    ):
        end_role -= 1
    while i < end_role and (doc[i].lower_ in CONNECTORS or not doc[i].is_alpha):
        i += 1
    if i < end_role and any(t.lower_ in ROLE_WORDS - RANK_WORDS for t in doc[i:end_role]):
        return doc[i:end_role].text
    return None


def extract_entities(
    paragraphs: Sequence[ParsedParagraph], reference: AgencyReference
) -> ArticleEntities:
    """Agency, person and place mentions of one article, in text order, with offsets into the
    article text: the article-level step over the spans the pipeline's components wrote on
    each paragraph's Doc."""
    return _ArticleExtractor(paragraphs, reference).run()
