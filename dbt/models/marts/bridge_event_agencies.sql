-- One row per agency taking part in an event, with its role.
select
    event_id,
    agency_id,
    role
from {{ ref('stg_nlp__event_agencies') }}
