-- One row per place (country, province, city, region), normalised across spellings.
select
    place_id,
    min(entity_name) as place_name,
    mode(place_type) filter (where place_type is not null) as place_type,
    mode(country_code) filter (where country_code is not null) as country_code,
    cast(count(distinct article_id) as integer) as article_count,
    cast(count(*) as integer) as mention_count,
    min(article_date) as first_seen_date
from {{ ref('int_mentions_dated') }}
where entity_type = 'place'
group by place_id
