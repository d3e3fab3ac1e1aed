-- One row per pair of agencies that appear together, in one event or in one article: how
-- often, and since when. Each pair once (agency_id_a < agency_id_b).
with article_agencies as (
    select distinct
        article_id,
        agency_id,
        article_date
    from {{ ref('int_mentions_dated') }}
    where entity_type = 'agency' and agency_id is not null
),

article_pairs as (
    select
        a.agency_id as agency_id_a,
        b.agency_id as agency_id_b,
        count(distinct a.article_id) as shared_article_count,
        min(a.article_date) as first_seen_date,
        max(a.article_date) as last_seen_date
    from article_agencies as a
    inner join article_agencies as b
        on a.article_id = b.article_id and a.agency_id < b.agency_id
    group by all
),

event_pairs as (
    select
        a.agency_id as agency_id_a,
        b.agency_id as agency_id_b,
        count(distinct a.event_id) as shared_event_count
    from {{ ref('bridge_event_agencies') }} as a
    inner join {{ ref('bridge_event_agencies') }} as b
        on a.event_id = b.event_id and a.agency_id < b.agency_id
    group by all
)

select
    p.agency_id_a,
    p.agency_id_b,
    da.canonical_name as agency_name_a,
    db.canonical_name as agency_name_b,
    cast(coalesce(e.shared_event_count, 0) as integer) as shared_event_count,
    cast(p.shared_article_count as integer) as shared_article_count,
    p.first_seen_date,
    p.last_seen_date
from article_pairs as p
left join event_pairs as e
    on p.agency_id_a = e.agency_id_a and p.agency_id_b = e.agency_id_b
inner join {{ ref('dim_agencies') }} as da on p.agency_id_a = da.agency_id
inner join {{ ref('dim_agencies') }} as db on p.agency_id_b = db.agency_id
