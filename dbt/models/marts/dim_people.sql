-- One row per person named in the articles (short forms resolved to the full name).
with people as (
    select
        person_id,
        min(entity_name) as person_name,
        mode(person_role) filter (where person_role is not null) as person_role,
        count(distinct article_id) as article_count,
        count(*) as mention_count,
        min(article_date) as first_seen_date
    from {{ ref('int_mentions_dated') }}
    where entity_type = 'person'
    group by person_id
)

select
    p.person_id,
    a.agency_id,
    p.person_name,
    p.person_role,
    cast(p.article_count as integer) as article_count,
    cast(p.mention_count as integer) as mention_count,
    p.first_seen_date
from people as p
left join {{ ref('int_people_agencies') }} as a on p.person_id = a.person_id
