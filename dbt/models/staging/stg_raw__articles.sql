-- One row per current article version: the live text of every present source.
select
    article_id,
    content_hash,
    source_path,
    record_key,
    encoding,
    text as article_text,
    nullif(trim(title), '') as metadata_title,
    nullif(trim(url), '') as url,
    nullif(trim(publisher), '') as publisher,
    nullif(trim(author), '') as author,
    published_at_source,
    extraction_method,
    extraction_version,
    extraction_reason,
    size_bytes,
    version as article_version,
    cast(published_at as date) as published_date,
    published_at,
    loaded_at,
    load_id
from {{ source('raw', 'articles') }}
where is_current
