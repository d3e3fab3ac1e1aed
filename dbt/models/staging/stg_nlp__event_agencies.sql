-- One row per (event, agency) with the agency's role.
select distinct
    event_id,
    agency_id,
    role
from {{ source('nlp', 'event_agencies') }}
