-- One row per current article: a hash of what the marts read about it (its version and
-- landing, the paragraph and NLP results the driver recorded, its quarantine). An incremental
-- model re-selects an article when this changes (macros/incremental_articles.sql).
{{ config(materialized='view') }}

with quarantine as (
    select
        article_id,
        content_hash,
        string_agg(
            concat_ws('/', stage, extractor_version, quarantined_at), ','
            order by stage, extractor_version, quarantined_at
        ) as quarantine
    from {{ source('nlp', 'quarantine') }}
    group by article_id, content_hash
)

select
    a.article_id,
    md5(concat_ws(
        '|',
        coalesce(cast(a.version as varchar), '-'),
        coalesce(cast(a.content_hash as varchar), '-'),
        coalesce(cast(a.loaded_at as varchar), '-'),
        coalesce(cast(s.paragraphs_version as varchar), '-'),
        coalesce(cast(s.paragraphs_hash as varchar), '-'),
        coalesce(cast(s.nlp_version as varchar), '-'),
        coalesce(cast(s.nlp_input_hash as varchar), '-'),
        coalesce(cast(q.quarantine as varchar), '-')
    )) as fingerprint
from {{ source('raw', 'articles') }} as a
left join {{ source('nlp', 'article_state') }} as s
    on a.article_id = s.article_id and a.content_hash = s.content_hash
left join quarantine as q
    on a.article_id = q.article_id and a.content_hash = q.content_hash
where a.is_current
