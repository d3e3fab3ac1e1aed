-- One row per (agency, crime type): in how many articles the agency appears while the article
-- discusses that crime type.
select
    m.agency_id,
    g.canonical_name as agency_name,
    c.crime_type,
    cast(count(distinct m.article_id) as integer) as article_count,
    min(m.article_date) as first_seen_date
from {{ ref('int_mentions_dated') }} as m
inner join {{ ref('bridge_article_crime_types') }} as c on m.article_id = c.article_id
inner join {{ ref('dim_agencies') }} as g on m.agency_id = g.agency_id
where m.entity_type = 'agency'
group by all
