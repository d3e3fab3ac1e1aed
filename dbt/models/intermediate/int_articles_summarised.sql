-- One row per current article: its metadata joined to counts over its classified paragraphs.
with paragraph_counts as (
    select
        article_id,
        count(*) as paragraph_count,
        count(*) filter (where is_duplicate) as duplicate_paragraph_count,
        count(*) filter (where is_boilerplate) as boilerplate_paragraph_count,
        count(*) filter (where near_duplicate_of_paragraph_id is not null)
            as near_duplicate_paragraph_count,
        -- words an analyst reads: content paragraphs, each repeated copy counted once
        coalesce(
            sum(len(regexp_extract_all(paragraph_text, '\S+'))) filter (where is_content), 0
        ) as word_count,
        min(paragraph_text) filter (where zone = 'title') as title_from_text,
        min(paragraph_text) filter (where zone = 'dek') as dek
    from {{ ref('stg_nlp__paragraphs') }}
    {% if is_incremental() %}
        where article_id in ({{ changed_articles() }})
    {% endif %}
    group by article_id
)

select
    a.article_id,
    a.content_hash,
    a.source_path,
    a.record_key,
    coalesce(a.metadata_title, p.title_from_text) as title,
    p.dek,
    a.publisher,
    a.author,
    a.url,
    a.encoding,
    a.extraction_method,
    a.extraction_version,
    a.extraction_reason,
    a.published_at_source,
    a.size_bytes,
    a.article_version,
    coalesce(p.word_count, 0) as word_count,
    coalesce(p.paragraph_count, 0) as paragraph_count,
    coalesce(p.duplicate_paragraph_count, 0) as duplicate_paragraph_count,
    coalesce(p.near_duplicate_paragraph_count, 0) as near_duplicate_paragraph_count,
    coalesce(p.boilerplate_paragraph_count, 0) as boilerplate_paragraph_count,
    a.published_date,
    a.loaded_at
from {{ ref('stg_raw__articles') }} as a
left join paragraph_counts as p on a.article_id = p.article_id
{% if is_incremental() %}
    where a.article_id in ({{ changed_articles() }})
{% endif %}
