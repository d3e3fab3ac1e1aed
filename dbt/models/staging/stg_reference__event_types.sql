-- One row per event type of the taxonomy, with its CAMEO and PLOVER crosswalk.
select * from {{ ref('ref_event_types') }}
