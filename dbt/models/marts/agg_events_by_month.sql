-- One row per (month, event type, agency): the event timeline analysts chart. Events without
-- an agency count under agency_id null; events without a resolved date use the article's date.
with events as (
    select
        e.event_id,
        e.article_id,
        e.event_type,
        date_trunc(
            'month', coalesce(e.event_date, a.published_date, cast(a.loaded_at as date))
        ) as event_month
    from {{ ref('fct_events') }} as e
    inner join {{ ref('int_articles_summarised') }} as a on e.article_id = a.article_id
)

select
    b.agency_id,
    g.canonical_name as agency_name,
    e.event_type,
    cast(count(distinct e.event_id) as integer) as event_count,
    cast(count(distinct e.article_id) as integer) as article_count,
    cast(e.event_month as date) as event_month
from events as e
left join {{ ref('bridge_event_agencies') }} as b on e.event_id = b.event_id
left join {{ ref('dim_agencies') }} as g on b.agency_id = g.agency_id
group by all
