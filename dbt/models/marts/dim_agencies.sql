-- One row per real-world agency (reference or discovered), the same id in every article.
with usage as (
    select
        agency_id,
        count(distinct article_id) as article_count,
        count(*) as mention_count,
        min(article_date) as first_seen_date
    from {{ ref('int_mentions_dated') }}
    where entity_type = 'agency' and agency_id is not null
    group by agency_id
)

select
    a.agency_id,
    a.parent_agency_id,
    a.canonical_name,
    a.acronym,
    a.country_code,
    a.agency_type,
    cast(coalesce(u.article_count, 0) as integer) as article_count,
    cast(coalesce(u.mention_count, 0) as integer) as mention_count,
    a.is_reference,
    u.first_seen_date
from {{ ref('int_agencies_unioned') }} as a
left join usage as u on a.agency_id = u.agency_id
