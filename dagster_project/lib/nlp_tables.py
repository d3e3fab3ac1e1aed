"""The columns of the nlp.* tables the NLP stage writes, and where its reference data lives.

Kept apart from `lib/nlp.py` so that what only needs the tables' shape (the driver planning
a run, the landing asset deciding whether there is work) does not import spaCy.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

# reference data shared with dbt, which loads the same files as seeds
SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt" / "seeds"

SENTENCE_COLUMNS = {
    "article_id": "string",
    "paragraph_id": "string",
    "sentence_index": "Int64",
    "char_start": "Int64",
    "char_end": "Int64",
    "sentence_text": "string",
}
MENTION_COLUMNS = {
    "mention_id": "string",
    "article_id": "string",
    "paragraph_id": "string",
    "sentence_index": "Int64",
    "entity_type": "string",
    "entity_name": "string",
    "agency_id": "string",
    "agency_canonical_name": "string",
    "agency_acronym": "string",
    "agency_country_code": "string",
    "agency_type": "string",
    "agency_is_reference": "boolean",
    "person_role": "string",
    "place_type": "string",
    "country_code": "string",
    "surface_text": "string",
    "char_start": "Int64",
    "char_end": "Int64",
    "method": "string",
    "confidence": "Float64",
    "model_name": "string",
    "model_version": "string",
}
CRIME_TYPE_COLUMNS = {
    "article_id": "string",
    "crime_type": "string",
    "evidence_text": "string",
    "char_start": "Int64",
    "char_end": "Int64",
}
# dates travel as midnight timestamps: without pyarrow pandas has no typed date column, and
# an untyped empty column would reach DuckDB as INTEGER
EVENT_COLUMNS = {
    "event_id": "string",
    "article_id": "string",
    "paragraph_id": "string",
    "event_type": "string",
    "event_status": "string",
    "date_text": "string",
    "event_date": "datetime64[us]",
    "event_date_end": "datetime64[us]",
    "event_date_precision": "string",
    "place_name": "string",
    "country_code": "string",
    "quantity_text": "string",
    "quantity_value": "Float64",
    "quantity_unit": "string",
    "quantity_qualifier": "string",
    "substance": "string",
    "sentence_text": "string",
    "char_start": "Int64",
    "char_end": "Int64",
    "confidence": "Float64",
    "extractor_version": "string",
}
EVENT_AGENCY_COLUMNS = {"event_id": "string", "agency_id": "string", "role": "string"}
EVENT_COUNTRY_COLUMNS = {"event_id": "string", "country_code": "string"}


def frame(rows: list[dict], columns: dict[str, str]) -> pd.DataFrame:
    """Rows as a frame typed by `columns` (name -> pandas dtype), typed even when empty."""
    out = pd.DataFrame(rows, columns=list(columns))
    for name, dtype in columns.items():
        if dtype.startswith("datetime64"):
            out[name] = pd.to_datetime(out[name]).astype(dtype)
        else:
            out[name] = out[name].astype(dtype)
    return out
