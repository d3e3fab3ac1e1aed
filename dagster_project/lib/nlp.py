"""The NLP stage: parse content paragraphs with spaCy, find and link entities, tag crime types,
extract events, and return the nlp.* tables.

Only paragraphs with `is_content` (not boilerplate, not a repeated copy) are read, with one
exception: a boilerplate line that credits the article's people (a byline, a media contact) is
read for the people it names, and for nothing else (no sentences, agencies, places, crime types
or events come from it). Every char offset is into the article text: the paragraph's
`char_start` plus the offset in the paragraph.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from dagster_project.lib import events as event_extraction
from dagster_project.lib.entities import (
    AgencyReference,
    Mention,
    ParsedParagraph,
    crime_cues,
    detect_crime_types,
    doc_text,
    extract_entities,
    is_attribution_line,
    reads_as_headline,
)
from dagster_project.lib.nlp_tables import (
    CRIME_TYPE_COLUMNS,
    EVENT_AGENCY_COLUMNS,
    EVENT_COLUMNS,
    EVENT_COUNTRY_COLUMNS,
    MENTION_COLUMNS,
    SENTENCE_COLUMNS,
)
from dagster_project.lib.nlp_tables import frame as _frame

# re-exported: the driver and the tests reach the reference tables and the bare model here
from dagster_project.lib.paragraphs import is_file_photo
from dagster_project.lib.pipeline import REFERENCE_AGENCIES as REFERENCE_AGENCIES
from dagster_project.lib.pipeline import REFERENCE_PLACES as REFERENCE_PLACES
from dagster_project.lib.pipeline import SEEDS_DIR as SEEDS_DIR
from dagster_project.lib.pipeline import load_model as load_model
from dagster_project.lib.pipeline import load_pipeline, reference_tables
from dagster_project.lib.settings import SPACY_MODEL

DEFAULT_MODEL = SPACY_MODEL.default
BATCH_SIZE = 64
# spaCy's memory grows with the length of a text; a "paragraph" longer than this (a page
# scraped without line breaks) is parsed in pieces cut at sentence ends or spaces
MAX_PARSE_CHARS = 10_000
_SENTENCE_BREAK = re.compile(r"[.!?…][\"'”’)\]]*\s+")
_SPACE_BREAK = re.compile(r"\s+")


def _mention_id(article_id: str, mention: Mention) -> str:
    key = f"{article_id}:{mention.entity_type}:{mention.char_start}:{mention.char_end}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass
class _Sentence:
    paragraph_id: str
    index: int
    char_start: int
    char_end: int
    text: str
    span: spacy.tokens.Span


def _sentences(paragraphs: list[ParsedParagraph]) -> list[_Sentence]:
    out: list[_Sentence] = []
    for para in paragraphs:
        if para.attribution:
            continue
        whole = doc_text(para.doc)
        for sent in para.doc.sents:
            text = whole[sent.start_char : sent.end_char]
            lead = len(text) - len(text.lstrip())
            text = text.strip()
            if not text:
                continue
            start = para.char_start + sent.start_char + lead
            out.append(_Sentence(para.paragraph_id, len(out), start, start + len(text), text, sent))
    return out


class _Annotator:
    """Accumulates the rows of every table, one article at a time."""

    def __init__(self, nlp: Language, reference: AgencyReference, articles: pd.DataFrame):
        self.nlp = nlp
        self.reference = reference
        self.model_name = f"{nlp.meta.get('lang', '')}_{nlp.meta.get('name', '')}"
        self.model_version = nlp.meta.get("version")
        self.articles = articles.drop_duplicates("article_id").set_index("article_id")
        self.rows: dict[str, list[dict]] = {
            "sentences": [],
            "mentions": [],
            "crime_types": [],
            "events": [],
            "event_agencies": [],
            "event_countries": [],
        }

    def add_article(self, article_id: str, paragraphs: list[ParsedParagraph]) -> None:
        text = self.articles.at[article_id, "text"] if article_id in self.articles.index else None
        sentences = _sentences(paragraphs)
        starts = [s.char_start for s in sentences]
        found = extract_entities(paragraphs, self.reference)
        for sent in sentences:
            self.rows["sentences"].append(
                {
                    "article_id": article_id,
                    "paragraph_id": sent.paragraph_id,
                    "sentence_index": sent.index,
                    "char_start": sent.char_start,
                    "char_end": sent.char_end,
                    "sentence_text": sent.text,
                }
            )
        attribution = {p.paragraph_id for p in paragraphs if p.attribution}
        for mention in found.mentions:
            sliced = None if text is None else text[mention.char_start : mention.char_end]
            if sliced is not None and sliced != mention.surface_text:
                raise ValueError(
                    f"article {article_id}: mention {mention.surface_text!r} does not slice back "
                    f"at {mention.char_start}:{mention.char_end}; paragraph offsets are wrong"
                )
            in_sentence = mention.paragraph_id not in attribution
            self.rows["mentions"].append(
                self._mention_row(article_id, mention, starts if in_sentence else [])
            )
        agency_spans = [
            (m.char_start, m.char_end) for m in found.mentions if m.entity_type == "agency"
        ]
        for evidence in detect_crime_types(
            [(s.text, s.char_start, s.char_end) for s in sentences],
            crime_cues(paragraphs),
            agency_spans,
        ):
            self.rows["crime_types"].append(
                {
                    "article_id": article_id,
                    "crime_type": evidence.crime_type,
                    "evidence_text": evidence.evidence_text,
                    "char_start": evidence.char_start,
                    "char_end": evidence.char_end,
                }
            )
        silent = {p.paragraph_id for p in paragraphs if not p.states_events}
        self._add_events(
            article_id,
            [s for s in sentences if s.paragraph_id not in silent],
            found.mentions,
            found.country_rank,
        )

    def _mention_row(self, article_id: str, mention: Mention, starts: list[int]) -> dict:
        agency = mention.agency
        index = bisect_right(starts, mention.char_start) - 1
        return {
            "mention_id": _mention_id(article_id, mention),
            "article_id": article_id,
            "paragraph_id": mention.paragraph_id,
            "sentence_index": index if index >= 0 else None,
            "entity_type": mention.entity_type,
            "entity_name": mention.entity_name,
            "agency_id": agency.agency_id if agency else None,
            "agency_canonical_name": agency.canonical_name if agency else None,
            "agency_acronym": agency.acronym if agency else None,
            "agency_country_code": agency.country_code if agency else None,
            "agency_type": agency.agency_type if agency else None,
            "agency_is_reference": agency.is_reference if agency else None,
            "person_role": mention.person_role,
            "place_type": mention.place_type,
            "country_code": mention.country_code,
            "surface_text": mention.surface_text,
            "char_start": mention.char_start,
            "char_end": mention.char_end,
            "method": mention.method,
            "confidence": mention.confidence,
            "model_name": self.model_name,
            "model_version": self.model_version,
        }

    def _add_events(
        self,
        article_id: str,
        sentences: list[_Sentence],
        mentions: list[Mention],
        country_rank: list[str],
    ) -> None:
        inputs = []
        # mentions by start, so that each sentence looks only at its own (linear, not
        # sentences x mentions, on a page of many thousand lines)
        order = sorted(range(len(mentions)), key=lambda i: mentions[i].char_start)
        starts = [mentions[i].char_start for i in order]
        for sent in sentences:
            lo = bisect_left(starts, sent.char_start)
            hi = bisect_right(starts, sent.char_end)
            refs = tuple(
                event_extraction.EntityRef(
                    entity_type=m.entity_type,
                    name=m.entity_name,
                    key=m.agency.agency_id if m.agency else m.country_code,
                    char_start=m.char_start,
                    char_end=m.char_end,
                    country_code=m.country_code,
                )
                for m in (mentions[i] for i in sorted(order[lo:hi]))
                if m.char_end <= sent.char_end
            )
            inputs.append(
                event_extraction.SentenceInput(
                    article_id=article_id,
                    paragraph_id=sent.paragraph_id,
                    sentence_index=sent.index,
                    char_start=sent.char_start,
                    char_end=sent.char_end,
                    text=sent.text,
                    span=sent.span,
                    entities=refs,
                )
            )
        published_at = None
        if article_id in self.articles.index and "published_at" in self.articles.columns:
            value = self.articles.at[article_id, "published_at"]
            published_at = None if pd.isna(value) else pd.Timestamp(value).to_pydatetime()
        events = event_extraction.extract_article_events(
            inputs, published_at, country_rank[0] if country_rank else None
        )
        pairs = set()
        for event in events:
            self.rows["events"].append({col: getattr(event, col) for col in EVENT_COLUMNS})
            for agency_id, role in event.participants:
                if (event.event_id, agency_id, role) not in pairs:
                    pairs.add((event.event_id, agency_id, role))
                    self.rows["event_agencies"].append(
                        {"event_id": event.event_id, "agency_id": agency_id, "role": role}
                    )
            for country_code in dict.fromkeys(event.countries):
                self.rows["event_countries"].append(
                    {"event_id": event.event_id, "country_code": country_code}
                )

    def frames(self) -> dict[str, pd.DataFrame]:
        return {
            "sentences": _frame(self.rows["sentences"], SENTENCE_COLUMNS),
            "mentions": _frame(self.rows["mentions"], MENTION_COLUMNS),
            "crime_types": _frame(self.rows["crime_types"], CRIME_TYPE_COLUMNS),
            "events": _frame(self.rows["events"], EVENT_COLUMNS),
            "event_agencies": _frame(self.rows["event_agencies"], EVENT_AGENCY_COLUMNS),
            "event_countries": _frame(self.rows["event_countries"], EVENT_COUNTRY_COLUMNS),
        }


def parse_pieces(text: str, limit: int = MAX_PARSE_CHARS) -> list[tuple[int, int]]:
    """(start, end) pieces that cover `text` exactly, each at most `limit` characters, cut
    after a sentence end when there is one, else after a space, else anywhere."""
    pieces, start = [], 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = 0
        for pattern in (_SENTENCE_BREAK, _SPACE_BREAK):
            ends = [m.end() for m in pattern.finditer(window) if m.end() < len(window)]
            if ends and ends[-1] > limit // 2:
                cut = ends[-1]
                break
        cut = cut or limit
        pieces.append((start, start + cut))
        start += cut
    pieces.append((start, len(text)))
    return pieces


def read_rows(
    paragraphs: pd.DataFrame,
) -> Iterator[tuple[str, tuple[str, str, int, str, bool]]]:
    """Content paragraphs, and the attribution lines of page furniture (read for people only),
    in article order; a paragraph over MAX_PARSE_CHARS comes in pieces, each with its own
    offset in the article."""
    content = paragraphs["is_content"].fillna(False).astype(bool)
    furniture = ~content & ~paragraphs["is_duplicate"].fillna(False).astype(bool)
    attribution = furniture & paragraphs["paragraph_text"].map(
        lambda t: isinstance(t, str) and is_attribution_line(t)
    )
    read = paragraphs[content | attribution].assign(attribution=attribution[content | attribution])
    read = read.sort_values(["article_id", "paragraph_index"])
    for row in read.itertuples(index=False):
        zone = row.zone if isinstance(row.zone, str) else "body"
        text = row.paragraph_text
        for start, end in parse_pieces(text) if len(text) > MAX_PARSE_CHARS else [(0, len(text))]:
            yield (
                text[start:end],
                (
                    row.article_id,
                    row.paragraph_id,
                    int(row.char_start) + start,
                    zone,
                    bool(row.attribution),
                ),
            )


def parse_texts(paragraphs: pd.DataFrame) -> list[str]:
    """The texts `annotate` hands spaCy for these paragraphs, in its order (what a benchmark
    of the bare parse must read to be comparable)."""
    return [text for text, _ in read_rows(paragraphs)]


def annotate(
    paragraphs: pd.DataFrame,
    articles: pd.DataFrame,
    model_name: str,
    reference_agencies_csv: Path,
    reference_places_csv: Path | None = None,
) -> dict[str, pd.DataFrame]:
    """Sentences, entity mentions, crime types and events of the content paragraphs.

    `reference_places_csv` defaults to `ref_places.csv` beside the agencies table.
    Returns frames for `sentences`, `mentions`, `crime_types`, `events`, `event_agencies` and
    `event_countries`
    with the columns of docs/architecture.md, typed even when empty.
    """
    places_csv = reference_places_csv or Path(reference_agencies_csv).with_name("ref_places.csv")
    nlp = load_pipeline(model_name, reference_agencies_csv, places_csv)
    parsed = nlp.pipe(read_rows(paragraphs), as_tuples=True, batch_size=BATCH_SIZE)
    return annotate_parsed(
        parsed, articles, nlp, reference_tables(reference_agencies_csv, places_csv)
    )


def annotate_parsed(
    parsed: Iterable[tuple[Doc, tuple[str, str, int, str, bool]]],
    articles: pd.DataFrame,
    nlp: Language,
    reference: AgencyReference,
) -> dict[str, pd.DataFrame]:
    """The frames of `annotate` from its parse (`nlp.pipe` of `read_rows`, as tuples): the
    article-level steps alone, which a benchmark times apart from the parse."""
    annotator = _Annotator(nlp, reference, articles)
    current: str | None = None
    batch: list[ParsedParagraph] = []
    for doc, (article_id, paragraph_id, char_start, zone, attribution) in parsed:
        if article_id != current and batch:
            annotator.add_article(current, batch)
            batch = []
        current = article_id
        text = doc_text(doc)
        headline = reads_as_headline(zone, text)
        batch.append(
            ParsedParagraph(
                paragraph_id,
                char_start,
                doc,
                headline,
                attribution,
                states_events=not is_file_photo(zone, text),
            )
        )
    if batch:
        annotator.add_article(current, batch)
    return annotator.frames()
