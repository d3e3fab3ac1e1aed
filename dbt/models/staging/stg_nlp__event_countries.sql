-- One row per (event, country involved).
select distinct
    event_id,
    upper(country_code) as country_code
from {{ source('nlp', 'event_countries') }}
where country_code is not null
