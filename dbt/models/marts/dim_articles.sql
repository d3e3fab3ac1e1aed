-- One row per current article.
select
    article_id,
    content_hash,
    source_path,
    title,
    dek,
    publisher,
    author,
    url,
    encoding,
    extraction_method,
    extraction_version,
    extraction_reason,
    published_at_source,
    cast(word_count as integer) as word_count,
    cast(paragraph_count as integer) as paragraph_count,
    cast(duplicate_paragraph_count as integer) as duplicate_paragraph_count,
    cast(near_duplicate_paragraph_count as integer) as near_duplicate_paragraph_count,
    cast(boilerplate_paragraph_count as integer) as boilerplate_paragraph_count,
    cast(article_version as integer) as article_version,
    published_date,
    loaded_at
from {{ ref('int_articles_summarised') }}
{% if is_incremental() %}
    where article_id in ({{ changed_articles() }})
{% endif %}
