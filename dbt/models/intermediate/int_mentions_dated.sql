-- One row per entity mention, with the keys of its person or place and the date its article
-- speaks from (publication date, else the day it was landed).
select
    m.*,
    case when m.entity_type = 'person' then {{ slugify('m.entity_name') }} end as person_id,
    case when m.entity_type = 'place' then {{ slugify('m.entity_name') }} end as place_id,
    coalesce(a.published_date, cast(a.loaded_at as date)) as article_date
from {{ ref('stg_nlp__mentions') }} as m
inner join {{ ref('int_articles_summarised') }} as a on m.article_id = a.article_id
{% if is_incremental() %}
    where m.article_id in ({{ changed_articles() }})
{% endif %}
