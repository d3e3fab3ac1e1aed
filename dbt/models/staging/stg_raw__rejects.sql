-- One row per rejected file or JSONL line.
select
    source_path,
    record_key,
    reason,
    detail,
    content_hash,
    size_bytes,
    rejected_at,
    load_id
from {{ source('raw', 'rejects') }}
