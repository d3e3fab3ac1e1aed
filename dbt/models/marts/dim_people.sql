-- One row per person named in the articles (short forms resolved to the full name).
select
    person_id,
    min(entity_name) as person_name,
    mode(person_role) filter (where person_role is not null) as role,
    cast(count(distinct article_id) as integer) as article_count,
    cast(count(*) as integer) as mention_count,
    min(article_date) as first_seen_date
from {{ ref('int_mentions_dated') }}
where entity_type = 'person'
group by person_id
