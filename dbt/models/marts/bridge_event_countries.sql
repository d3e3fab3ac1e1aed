-- One row per country involved in an event.
select
    event_id,
    country_code
from {{ ref('stg_nlp__event_countries') }}
