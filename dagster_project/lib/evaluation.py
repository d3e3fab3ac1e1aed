"""Score a built warehouse against gold annotations, and say what was missed and what was wrong.

The gold is a JSON list with one object per article file (the format of the shared gold
README, summarised in this project's README under "Measuring the extractor"). The warehouse is
read through the analyst contract of schema `marts` only: `dim_articles`, `fct_paragraphs`,
`dim_agencies`, `fct_mentions`, `fct_events`, `bridge_event_agencies` and, when present,
`bridge_article_crime_types`. Articles are matched on the file name that ends
`dim_articles.source_path`.

Matching rules (the reference scorer's, so that the figures agree):
- names are compared after normalisation (case, punctuation, a leading "the", a possessive) and
  with and without a leading national prefix ("US", "Cambodian", ...);
- a system agency matches a gold agency when any of its names (canonical, acronym, the surface
  texts of its mentions in that article) equals any gold name (canonical, acronym, aliases,
  surface forms), largest overlap first; borderline gold agencies are optional (a system
  agency matched to one is neither a hit nor a false hit); agency mentions count
  min(gold count, system count) per matched agency;
- people match on names the same way; places match one to one on the normalised place name or
  a surface form (with synonyms such as "U.S." = "United States");
- every copy after the first of a repeated paragraph should be flagged duplicate (a flagged
  near-duplicate is not held against the system); every boilerplate paragraph should be
  flagged (a flagged caption is not held against it);
- an event matches a gold event of a compatible type that shares an agency or its stating
  sentence; gold events typed `other` are optional.

Without gold it still counts the events per 1,000 articles, overall and per category (the
file-name prefix before the first "_"): on news that is not about law enforcement, the rate of
false events.

Run as `python -m dagster_project.lib.evaluation --warehouse W [--gold G] [--raw-dir R]`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath

import duckdb

MATCHING_RULES = (
    Path(__file__).resolve().parents[2] / "dbt" / "seeds" / "rules" / "eval_matching.json"
)
MARTS = (
    "dim_articles",
    "fct_paragraphs",
    "dim_agencies",
    "fct_mentions",
    "fct_events",
    "bridge_event_agencies",
    "bridge_article_crime_types",
)
SUMMARY_KINDS = (
    "agencies",
    "agency_mentions",
    "people",
    "places",
    "duplicate_paragraphs",
    "boilerplate_paragraphs",
    "events",
)


@dataclass(frozen=True)
class _Rules:
    national_prefixes: tuple[str, ...]
    compatible_event_types: tuple[frozenset[str], ...]
    place_synonyms: dict[str, str]
    abbreviations: frozenset[str]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    data = json.loads(MATCHING_RULES.read_text(encoding="utf-8"))
    return _Rules(
        tuple(data["national_prefixes"]),
        tuple(frozenset(group) for group in data["compatible_event_types"]),
        dict(data["place_synonyms"]),
        frozenset(data["abbreviations"]),
    )


# ---------------------------------------------------------------------------------------------
# Names


def norm(text: str | None) -> str:
    """Case-folded words of a name, without punctuation, a leading "the" or a possessive."""
    if not text:
        return ""
    t = unicodedata.normalize("NFKC", text).casefold()
    t = t.replace("\u2019", "'").replace("\u2018", "'")
    t = re.sub(r"'s\b", "", t)
    t = re.sub(r"[^\w]+", " ", t).strip()
    t = re.sub(r"^the ", "", t)
    return re.sub(r"\s+", " ", t)


def variants(text: str | None) -> set[str]:
    """The normalised name, and the name without a national prefix ("US DEA" -> "dea")."""
    base = norm(text)
    if not base:
        return set()
    out = {base}
    for prefix in _rules().national_prefixes:
        if base.startswith(prefix) and len(base) > len(prefix) + 2:
            out.add(base[len(prefix) :])
    return out


def place_keys(*texts: str | None) -> set[str]:
    synonyms = _rules().place_synonyms
    keys = (synonyms.get(n, n) for n in map(norm, texts))
    return {k for k in keys if k}


def _names(*texts: str | None) -> set[str]:
    return set().union(*(variants(t) for t in texts)) if texts else set()


def prf(tp: float, n_sys: float, n_gold: float) -> dict:
    p = tp / n_sys if n_sys else (1.0 if not n_gold else 0.0)
    r = tp / n_gold if n_gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "tp": tp,
        "system": n_sys,
        "gold": n_gold,
    }


def greedy_match(gold: list[set[str]], system: list[set[str]]) -> list[tuple[int, int]]:
    """(gold index, system index) pairs, largest name overlap first, each item used once."""
    candidates = [
        (len(g & s), gi, si) for gi, g in enumerate(gold) for si, s in enumerate(system) if g & s
    ]
    candidates.sort(key=lambda c: -c[0])
    used_gold, used_system, pairs = set(), set(), []
    for _, gi, si in candidates:
        if gi not in used_gold and si not in used_system:
            used_gold.add(gi)
            used_system.add(si)
            pairs.append((gi, si))
    return pairs


def bipartite_match(gold: list[set[str]], system: list[set[str]]) -> dict[int, int]:
    """A maximum one-to-one matching on shared keys: {system index: gold index}."""
    owner: dict[int, int] = {}

    def augment(gi: int, seen: set[int]) -> bool:
        for si, names in enumerate(system):
            if si in seen or not gold[gi] & names:
                continue
            seen.add(si)
            if si not in owner or augment(owner[si], seen):
                owner[si] = gi
                return True
        return False

    for gi in range(len(gold)):
        augment(gi, set())
    return owner


def starts_alike(text: str, prefix: str) -> bool:
    """A paragraph or sentence and a gold prefix begin with the same 60 normalised characters."""
    a, b = norm(text), norm(prefix)
    return bool(b) and (a.startswith(b[:60]) or b.startswith(a[:60]) and len(a) >= 10)


def _prefix_of(item) -> str:
    return item if isinstance(item, str) else (item.get("text") or item.get("text_prefix") or "")


# ---------------------------------------------------------------------------------------------
# What the system extracted


@dataclass
class Where:
    """Where a system item was first seen: enough to quote its sentence."""

    paragraph_id: str | None
    char_start: int | None
    surface: str


@dataclass
class SystemItem:
    """An agency, person or place of one article, with every normalised name it went by."""

    names: set[str]
    count: int = 0
    canonical: str | None = None
    key: str | None = None
    where: Where | None = None


@dataclass
class SystemParagraph:
    """A paragraph as the warehouse flagged it."""

    index: int
    text: str
    boiler: bool
    dup: bool
    paragraph_id: str | None = None
    char_start: int | None = None


@dataclass
class SystemEvent:
    """An event, with the normalised names of the agencies taking part."""

    type: str
    sentence: str
    agencies: set[str] = field(default_factory=set)


@dataclass
class SystemArticle:
    """What the warehouse holds for one article: agencies by id, people and places by name."""

    agencies: dict[str, SystemItem] = field(default_factory=dict)
    people: dict[str, SystemItem] = field(default_factory=dict)
    places: dict[str, SystemItem] = field(default_factory=dict)
    paragraphs: list[SystemParagraph] = field(default_factory=list)
    events: list[SystemEvent] = field(default_factory=list)
    crime_types: set[str] = field(default_factory=set)


@dataclass
class System:
    """What a warehouse extracted, per article file name."""

    files: set[str]
    articles: dict[str, SystemArticle]
    present: dict[str, bool]

    def article(self, name: str) -> SystemArticle:
        return self.articles.get(name) or SystemArticle()


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from information_schema.columns"
        " where table_schema = 'marts' and table_name = ?",
        [table],
    ).fetchall()
    return {r[0] for r in rows}


def read_warehouse(con: duckdb.DuckDBPyConnection) -> System:
    """Everything the scorer reads from schema `marts`; a missing table reads as empty, and a
    metric whose tables are missing is reported as not available."""
    columns = {name: _columns(con, name) for name in MARTS}
    present = {name: bool(cols) for name, cols in columns.items()}
    if not present["dim_articles"]:
        raise ValueError("the warehouse has no marts.dim_articles: it was not built")
    files = {
        article_id: PurePosixPath(str(path).replace("\\", "/")).name
        for article_id, path in con.execute(
            "select article_id, source_path from marts.dim_articles"
        ).fetchall()
    }
    per: dict[str, SystemArticle] = defaultdict(SystemArticle)
    if present["fct_mentions"] and present["dim_agencies"]:
        # offsets are optional extras of the contract: they only serve to quote sentences
        located = {"paragraph_id", "char_start"} <= columns["fct_mentions"]
        extra = ", m.paragraph_id, m.char_start" if located else ", null, null"
        rows = con.execute(
            "select m.article_id, m.entity_type, m.entity_name, m.surface_text, m.agency_id,"
            f" a.canonical_name, a.acronym{extra}"
            " from marts.fct_mentions m left join marts.dim_agencies a"
            " on a.agency_id = m.agency_id"
        ).fetchall()
        for article_id, etype, name, surface, agency_id, canon, acronym, pid, start in rows:
            if article_id not in files:
                continue
            doc = per[files[article_id]]
            where = Where(pid, start, surface or name or "")
            if etype == "agency" and agency_id is not None:
                item = doc.agencies.setdefault(
                    agency_id, SystemItem(set(), canonical=canon, key=agency_id, where=where)
                )
                item.names |= _names(canon, acronym, surface)
                item.count += 1
            elif etype == "person":
                item = doc.people.setdefault(name or surface, SystemItem(set(), where=where))
                item.names |= _names(name, surface)
                item.count += 1
            elif etype == "place":
                key = next(iter(place_keys(name or surface)), "")
                item = doc.places.setdefault(key, SystemItem(set(), canonical=name, where=where))
                item.names |= place_keys(name, surface)
                item.count += 1
    if present["fct_paragraphs"]:
        located = {"paragraph_id", "char_start"} <= columns["fct_paragraphs"]
        extra = ", paragraph_id, char_start" if located else ", null, null"
        for article_id, idx, text, boiler, dup, pid, start in con.execute(
            "select article_id, paragraph_index, paragraph_text, is_boilerplate, is_duplicate"
            f"{extra} from marts.fct_paragraphs order by article_id, paragraph_index"
        ).fetchall():
            if article_id in files:
                per[files[article_id]].paragraphs.append(
                    SystemParagraph(idx, text or "", bool(boiler), bool(dup), pid, start)
                )
    events: dict[str, tuple[str, SystemEvent]] = {}
    if present["fct_events"]:
        for event_id, article_id, etype, sentence in con.execute(
            "select event_id, article_id, event_type, sentence_text from marts.fct_events"
        ).fetchall():
            if article_id in files:
                events[event_id] = (files[article_id], SystemEvent(etype, sentence or ""))
    if present["bridge_event_agencies"] and present["dim_agencies"]:
        for event_id, canon, acronym in con.execute(
            "select b.event_id, a.canonical_name, a.acronym from marts.bridge_event_agencies b"
            " join marts.dim_agencies a on a.agency_id = b.agency_id"
        ).fetchall():
            if event_id in events:
                events[event_id][1].agencies |= _names(canon, acronym)
    for name, event in events.values():
        per[name].events.append(event)
    if present["bridge_article_crime_types"]:
        for article_id, crime in con.execute(
            "select article_id, crime_type from marts.bridge_article_crime_types"
        ).fetchall():
            if article_id in files:
                per[files[article_id]].crime_types.add(crime)
    return System(set(files.values()), dict(per), present)


def read_warehouse_file(path: str | Path) -> System:
    if not Path(path).exists():
        raise FileNotFoundError(f"warehouse {path} does not exist: build it first")
    with duckdb.connect(str(path), read_only=True) as con:
        return read_warehouse(con)


# ---------------------------------------------------------------------------------------------
# Quoting the evidence


_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’')\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
_LAST_WORD = re.compile(r"([A-Za-z]+)\.$")
_INITIALISM = re.compile(r"(?:^|\W)(?:[A-Z]\.)+$")


def _abbreviation(before: str) -> bool:
    """ "Lt. Gen. Sok", "U.S. Embassy": a title or an initialism, not the end of a sentence."""
    word = _LAST_WORD.search(before)
    return bool(_INITIALISM.search(before)) or bool(
        word and word.group(1).casefold() in _rules().abbreviations
    )


def _boundaries(text: str) -> list[re.Match[str]]:
    return [
        m
        for m in _SENTENCE_END.finditer(text)
        if not _abbreviation(text[max(0, m.start() - 8) : m.start()])
    ]


def sentence_around(text: str, start: int, end: int | None = None) -> str:
    """The sentence of `text` holding the characters start:end."""
    end = start if end is None else end
    bounds = _boundaries(text)
    left = max((m.end() for m in bounds if m.end() <= start), default=0)
    right = min((m.start() for m in bounds if m.start() >= max(end, left)), default=len(text))
    return text[left:right].strip()


def _quote_system(doc: SystemArticle, where: Where | None) -> str:
    if where is None:
        return ""
    for p in doc.paragraphs:
        if p.paragraph_id is not None and p.paragraph_id == where.paragraph_id:
            if p.char_start is not None and where.char_start is not None:
                offset = where.char_start - p.char_start
                return sentence_around(p.text, offset, offset + len(where.surface))
            return p.text
    return _quote_text(doc, [where.surface])


def _quote_text(doc: SystemArticle, forms: Iterable[str]) -> str:
    """The first sentence of the article that holds one of `forms` (as a word, any case)."""
    forms = [f for f in forms if f]
    for flags in (0, re.IGNORECASE):
        for p in doc.paragraphs:
            for form in forms:
                m = re.search(rf"(?<!\w){re.escape(form)}(?!\w)", p.text, flags)
                if m:
                    return sentence_around(p.text, m.start(), m.end())
    return ""


# ---------------------------------------------------------------------------------------------
# Scoring


@dataclass(frozen=True)
class Finding:
    """One miss (in the gold, not found), false hit (found, not in the gold) or shortfall."""

    kind: str
    file: str
    verdict: str
    item: str
    sentence: str


@dataclass
class Evaluation:
    metrics: dict
    findings: list[Finding]


def _score_agencies(doc: dict, sys_doc: SystemArticle, tot, identity, link, out) -> None:
    gold = doc.get("agencies", [])
    border = doc.get("borderline_agencies", [])
    gold_names = [
        _names(
            a.get("canonical"), a.get("acronym"), *a.get("aliases", []), *a.get("surface_forms", [])
        )
        for a in gold + border
    ]
    system = list(sys_doc.agencies.values())
    pairs = greedy_match(gold_names, [a.names for a in system])
    optional = {si for gi, si in pairs if gi >= len(gold)}
    real = [(gi, si) for gi, si in pairs if gi < len(gold)]
    tot["ag_tp"] += len(real)
    tot["ag_sys"] += len(system) - len(optional)
    tot["ag_gold"] += len(gold)
    name = doc["file"]
    for gi, si in real:
        gcount = gold[gi].get("count", 1)
        tot["men_tp"] += min(gcount, system[si].count)
        identity[norm(gold[gi]["canonical"])].add(system[si].key)
        link[0] += bool(variants(system[si].canonical) & gold_names[gi])
        link[1] += 1
        if system[si].count != gcount:
            out.append(
                Finding(
                    "agency_mentions",
                    name,
                    "fewer" if system[si].count < gcount else "more",
                    f"{gold[gi]['canonical']}: {system[si].count} found, {gcount} in gold",
                    _quote_text(sys_doc, gold[gi].get("surface_forms", [])),
                )
            )
    tot["men_sys"] += sum(a.count for i, a in enumerate(system) if i not in optional)
    tot["men_gold"] += sum(a.get("count", 1) for a in gold)
    matched_gold = {gi for gi, _ in real}
    matched_sys = {si for _, si in pairs}
    for gi, a in enumerate(gold):
        if gi not in matched_gold:
            forms = [*a.get("surface_forms", []), a.get("acronym") or "", a["canonical"]]
            out.append(
                Finding(
                    "agencies",
                    name,
                    "miss",
                    f"{a['canonical']} (x{a.get('count', 1)})",
                    _quote_text(sys_doc, forms),
                )
            )
    for si, a in enumerate(system):
        if si not in matched_sys:
            label = f"{a.canonical or a.where.surface} [{a.key}] (x{a.count})"
            if a.where and a.where.surface and norm(a.where.surface) != norm(a.canonical):
                label += f" as {a.where.surface!r}"
            out.append(
                Finding("agencies", name, "false hit", label, _quote_system(sys_doc, a.where))
            )


def _score_people(doc: dict, sys_doc: SystemArticle, tot, out) -> None:
    gold = doc.get("people", [])
    gold_names = [_names(p["name"], *p.get("surface_forms", [])) for p in gold]
    system = list(sys_doc.people.items())
    pairs = greedy_match(gold_names, [item.names for _, item in system])
    tot["pe_tp"] += len(pairs)
    tot["pe_sys"] += len(system)
    tot["pe_gold"] += len(gold)
    matched_gold = {gi for gi, _ in pairs}
    matched_sys = {si for _, si in pairs}
    for gi, p in enumerate(gold):
        if gi not in matched_gold:
            forms = [*p.get("surface_forms", []), p["name"]]
            out.append(
                Finding("people", doc["file"], "miss", p["name"], _quote_text(sys_doc, forms))
            )
    for si, (key, item) in enumerate(system):
        if si not in matched_sys:
            out.append(
                Finding("people", doc["file"], "false hit", key, _quote_system(sys_doc, item.where))
            )


def _score_places(doc: dict, sys_doc: SystemArticle, tot, out) -> None:
    gold_items: list[set[str]] = []
    labels: list[tuple[str, list[str]]] = []
    for p in doc.get("places", []):
        if isinstance(p, str):
            keys, label = place_keys(p), (p, [p])
        else:
            forms = p.get("surface_forms", [])
            keys, label = (
                place_keys(p.get("name"), *forms),
                (p.get("name"), [*forms, p.get("name")]),
            )
        # gold entries whose names normalise alike ("PHNOM PENH", "Phnom Penh") count once
        if keys and keys not in gold_items:
            gold_items.append(keys)
            labels.append(label)
    system = list(sys_doc.places.values())
    owner = bipartite_match(gold_items, [item.names for item in system])
    tot["pl_tp"] += len(owner)
    tot["pl_sys"] += len(system)
    tot["pl_gold"] += len(gold_items)
    matched_gold = set(owner.values())
    for gi, (label, forms) in enumerate(labels):
        if gi not in matched_gold:
            out.append(Finding("places", doc["file"], "miss", label, _quote_text(sys_doc, forms)))
    for si, item in enumerate(system):
        if si not in owner:
            label = item.canonical or item.where.surface
            if item.where.surface and item.where.surface != label:
                label += f" as {item.where.surface!r}"
            out.append(
                Finding(
                    "places", doc["file"], "false hit", label, _quote_system(sys_doc, item.where)
                )
            )


def _raw_paragraphs(raw_dir: str | Path | None, name: str) -> list[str]:
    if not raw_dir:
        return []
    path = Path(raw_dir) / name
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8", errors="replace")
    return [p.strip() for p in text.split("\n") if p.strip()]


def _short(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _score_duplicates(doc: dict, sys_doc: SystemArticle, raw_dir, tot, out) -> None:
    raws = _raw_paragraphs(raw_dir, doc["file"])
    expected: list[tuple[str, int]] = []
    for d in doc.get("duplicate_paragraphs", []):
        text = _prefix_of(d)
        n = d.get("occurrences") if isinstance(d, dict) else None
        if n is None:
            n = max(2, sum(1 for r in raws if norm(r) == norm(text)))
        expected.append((text, n - 1))
    near = [_prefix_of(d) for d in doc.get("near_duplicate_paragraphs", [])]
    left = {i: n for i, (_, n) in enumerate(expected)}
    for p in sys_doc.paragraphs:
        if not p.dup:
            continue
        hit = next(
            (i for i, (t, _) in enumerate(expected) if left[i] > 0 and starts_alike(p.text, t)),
            None,
        )
        if hit is not None:
            left[hit] -= 1
            tot["dup_tp"] += 1
            tot["dup_sys"] += 1
        elif not any(starts_alike(p.text, t) for t in near):
            tot["dup_sys"] += 1
            out.append(
                Finding(
                    "duplicates", doc["file"], "false hit", f"paragraph {p.index}", _short(p.text)
                )
            )
    tot["dup_gold"] += sum(n for _, n in expected)
    for i, (text, _) in enumerate(expected):
        if left[i] > 0:
            out.append(
                Finding(
                    "duplicates", doc["file"], "miss", f"{left[i]} copies unflagged", _short(text)
                )
            )


def _score_boilerplate(doc: dict, sys_doc: SystemArticle, tot, out) -> None:
    gold = [_prefix_of(b) for b in doc.get("boilerplate_paragraphs", [])]
    neutral = [_prefix_of(c) for c in doc.get("captions", []) + doc.get("caption_paragraphs", [])]
    found = set()
    for p in sys_doc.paragraphs:
        if not p.boiler:
            continue
        hit = next((i for i, t in enumerate(gold) if starts_alike(p.text, t)), None)
        if hit is not None:
            found.add(hit)
            tot["bp_tp"] += 1
            tot["bp_sys"] += 1
        elif not any(starts_alike(p.text, t) for t in neutral):
            tot["bp_sys"] += 1
            out.append(
                Finding(
                    "boilerplate", doc["file"], "false hit", f"paragraph {p.index}", _short(p.text)
                )
            )
    tot["bp_gold"] += len(gold)
    tot["bp_found"] += len(found)
    for i, text in enumerate(gold):
        if i not in found:
            index = next((p.index for p in sys_doc.paragraphs if starts_alike(p.text, text)), None)
            where = f"paragraph {index}" if index is not None else "paragraph"
            out.append(Finding("boilerplate", doc["file"], "miss", where, _short(text)))


def _score_events(doc: dict, sys_doc: SystemArticle, tot, out) -> None:
    gold_agencies = doc.get("agencies", []) + doc.get("borderline_agencies", [])
    names_of = {}
    for a in gold_agencies:
        names_of.setdefault(a["canonical"], set()).update(
            _names(
                a.get("canonical"),
                a.get("acronym"),
                *a.get("aliases", []),
                *a.get("surface_forms", []),
            )
        )
    gold = doc.get("events", [])
    system = sys_doc.events
    used: set[int] = set()
    optional_hits = 0
    for ge in sorted(gold, key=lambda e: e["type"] == "other"):
        types = {ge["type"], *ge.get("alt_types", [])}
        for group in _rules().compatible_event_types:
            if ge["type"] in group:
                types |= group
        g_names = set().union(*(names_of.get(c, set()) for c in ge.get("agencies", [])))
        hit = None
        for si, se in enumerate(system):
            if si in used or se.type not in types:
                continue
            prefix = ge.get("sentence_prefix")
            sentence_ok = bool(prefix) and starts_alike(se.sentence, prefix)
            agency_ok = bool(g_names & se.agencies) or (not g_names and not se.agencies)
            if sentence_ok or agency_ok:
                hit = si
                break
        if hit is not None:
            used.add(hit)
            if ge["type"] == "other":
                optional_hits += 1
            else:
                tot["ev_tp"] += 1
        elif ge["type"] != "other":
            label = ge["type"] + (f" ({', '.join(ge['agencies'])})" if ge.get("agencies") else "")
            out.append(
                Finding("events", doc["file"], "miss", label, ge.get("sentence_prefix") or "")
            )
    tot["ev_sys"] += len(system) - optional_hits
    tot["ev_gold"] += sum(1 for ge in gold if ge["type"] != "other")
    for si, se in enumerate(system):
        if si not in used:
            out.append(
                Finding("events", doc["file"], "false hit", se.type, _short(se.sentence, 160))
            )


def _score_crime_types(doc: dict, sys_doc: SystemArticle, tot, out) -> None:
    gold = set(doc["crime_types"])
    optional = {
        c["type"] if isinstance(c, dict) else c for c in doc.get("crime_types_borderline", [])
    }
    system = sys_doc.crime_types - optional
    tot["ct_tp"] += len(gold & system)
    tot["ct_sys"] += len(system)
    tot["ct_gold"] += len(gold)
    for crime in sorted(gold - system):
        out.append(Finding("crime_types", doc["file"], "miss", crime, ""))
    for crime in sorted(system - gold):
        out.append(Finding("crime_types", doc["file"], "false hit", crime, ""))


def score(system: System, gold: list[dict], raw_dir: str | Path | None = None) -> Evaluation:
    """Precision, recall and F1 per kind over every gold article, with the findings behind them.

    `raw_dir` is only read to count how often a repeated paragraph occurs when the gold does
    not say."""
    tot: defaultdict[str, float] = defaultdict(float)
    identity: dict[str, set] = defaultdict(set)
    link = [0, 0]
    findings: list[Finding] = []
    missing = []
    for doc in gold:
        name = doc["file"]
        if name not in system.files:
            missing.append(name)
        sys_doc = system.article(name)
        _score_agencies(doc, sys_doc, tot, identity, link, findings)
        _score_people(doc, sys_doc, tot, findings)
        _score_places(doc, sys_doc, tot, findings)
        _score_duplicates(doc, sys_doc, raw_dir, tot, findings)
        _score_boilerplate(doc, sys_doc, tot, findings)
        _score_events(doc, sys_doc, tot, findings)
        if system.present["bridge_article_crime_types"] and "crime_types" in doc:
            _score_crime_types(doc, sys_doc, tot, findings)
    consistent = sum(1 for ids in identity.values() if len(ids) == 1)
    metrics = {
        "articles_missing": missing,
        "agencies": prf(tot["ag_tp"], tot["ag_sys"], tot["ag_gold"]),
        "agency_mentions": prf(tot["men_tp"], tot["men_sys"], tot["men_gold"]),
        "agency_canonical_name_ok": round(link[0] / link[1], 4) if link[1] else None,
        "agency_identity_consistent": round(consistent / len(identity), 4) if identity else None,
        "people": prf(tot["pe_tp"], tot["pe_sys"], tot["pe_gold"]),
        "places": prf(tot["pl_tp"], tot["pl_sys"], tot["pl_gold"]),
        "duplicate_paragraphs": prf(tot["dup_tp"], tot["dup_sys"], tot["dup_gold"]),
        "boilerplate_paragraphs": {
            **prf(tot["bp_tp"], tot["bp_sys"], tot["bp_gold"]),
            # recall counts gold paragraphs found, so one paragraph flagged twice counts once
            "recall": round(tot["bp_found"] / tot["bp_gold"], 4) if tot["bp_gold"] else 1.0,
        },
        "events": prf(tot["ev_tp"], tot["ev_sys"], tot["ev_gold"]),
    }
    if system.present["bridge_article_crime_types"]:
        metrics["crime_types"] = prf(tot["ct_tp"], tot["ct_sys"], tot["ct_gold"])
    has = system.present
    entity_tables = has["fct_mentions"] and has["dim_agencies"]
    needs = {
        "agencies": entity_tables,
        "agency_mentions": entity_tables,
        "agency_canonical_name_ok": entity_tables,
        "agency_identity_consistent": entity_tables,
        "people": has["fct_mentions"],
        "places": has["fct_mentions"],
        "duplicate_paragraphs": has["fct_paragraphs"],
        "boilerplate_paragraphs": has["fct_paragraphs"],
        "events": has["fct_events"] and has["bridge_event_agencies"],
    }
    for key, available in needs.items():
        if not available:
            metrics[key] = None
    return Evaluation(metrics, findings)


def read_gold(path: str | Path) -> list[dict]:
    """A gold file: a JSON list of article objects, each with at least its `file` name."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"gold file {path} does not exist")
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"gold file {path} is not valid JSON: {exc}") from exc
    if not isinstance(gold, list) or not all(isinstance(d, dict) and "file" in d for d in gold):
        raise ValueError(f"gold file {path} must be a JSON list of objects with a 'file' field")
    return gold


# ---------------------------------------------------------------------------------------------
# Printing


def format_table(metrics: dict) -> str:
    lines = [f"{'kind':24s} {'P':>6s} {'R':>6s} {'F1':>6s}  {'tp':>5s} {'system':>6s} {'gold':>5s}"]
    for key, val in metrics.items():
        if key == "articles_missing":
            continue
        if val is None:
            lines.append(f"{key:24s} n/a (its tables are not in marts)")
        elif isinstance(val, dict):
            lines.append(
                f"{key:24s} {val['precision']:6.3f} {val['recall']:6.3f} {val['f1']:6.3f}"
                f"  {val['tp']:5g} {val['system']:6g} {val['gold']:5g}"
            )
        else:
            lines.append(f"{key:24s} {val}")
    lines.append(
        "summary "
        + " ".join(
            f"{k}_f1={metrics[k]['f1']:.3f}" if metrics[k] else f"{k}_f1=n/a" for k in SUMMARY_KINDS
        )
    )
    return "\n".join(lines)


FINDING_KINDS = (
    "agencies",
    "agency_mentions",
    "people",
    "places",
    "duplicates",
    "boilerplate",
    "events",
    "crime_types",
)


def format_findings(findings: list[Finding]) -> str:
    lines = []
    for kind in FINDING_KINDS:
        if not any(f.kind == kind for f in findings):
            continue
        lines.append(f"\n== {kind}")
        for f in findings:
            if f.kind == kind:
                quote = f"\n      {f.sentence}" if f.sentence else ""
                lines.append(f"  [{f.verdict}] {f.file}: {f.item}{quote}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Event rates: how many events a corpus yields, with or without gold. On news that is not about
# law enforcement every event is a false hit, so the rate per category is the measure there.


def category_of(file_name: str) -> str | None:
    """An article's category: its file name's prefix before the first "_" ("sport_042.txt" ->
    "sport"), None when the name has no "_"."""
    head, sep, _ = file_name.partition("_")
    return head if sep and head else None


def event_rates(system: System) -> dict[str, dict[str, float]]:
    """{category: {articles, events, per_1000}} over every article of the warehouse, with
    "all" for the whole corpus; an article whose file name has no category counts in "all"
    only."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name in system.files:
        events = len(system.article(name).events)
        for key in ("all", category_of(name)):
            if key is not None:
                counts[key][0] += 1
                counts[key][1] += events
    order = sorted(k for k in counts if k != "all") + (["all"] if counts else [])
    return {
        key: {
            "articles": counts[key][0],
            "events": counts[key][1],
            "per_1000": 1000 * counts[key][1] / counts[key][0],
        }
        for key in order
    }


def format_rates(rates: dict[str, dict[str, float]]) -> str:
    lines = [f"{'category':24s} {'articles':>8s} {'events':>7s} {'per 1,000':>10s}"]
    for key, row in rates.items():
        lines.append(f"{key:24s} {row['articles']:8d} {row['events']:7d} {row['per_1000']:10.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Score a built warehouse against gold annotations, and count its events "
        "per 1,000 articles of each category (the file-name prefix before the first '_')."
    )
    ap.add_argument("--warehouse", required=True, help="the built DuckDB file")
    ap.add_argument("--gold", help="gold JSON file; without it only the event rates are printed")
    ap.add_argument("--raw-dir", help="raw folder the articles came from")
    ap.add_argument("--json", action="store_true", help="print metrics and findings as JSON")
    ap.add_argument("--no-findings", action="store_true", help="print only the tables")
    args = ap.parse_args(argv)
    try:
        gold = read_gold(args.gold) if args.gold else None
        system = read_warehouse_file(args.warehouse)
    except (OSError, ValueError, duckdb.Error) as exc:
        print(f"cannot score: {exc}", file=sys.stderr)
        return 2
    rates = event_rates(system)
    result = score(system, gold, args.raw_dir) if gold is not None else None
    if args.json:
        payload = {"event_rates": rates}
        if result is not None:
            payload |= {
                "metrics": result.metrics,
                "findings": [f.__dict__ for f in result.findings],
            }
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0
    if result is not None:
        if result.metrics["articles_missing"]:
            print(
                "gold articles not in the warehouse:", ", ".join(result.metrics["articles_missing"])
            )
        if not args.no_findings:
            print(format_findings(result.findings).lstrip("\n"))
            print()
        print(format_table(result.metrics))
        print()
    print(format_rates(rates))
    return 0


if __name__ == "__main__":
    sys.exit(main())
