-- One row per agency of the reference list (dbt seed ref_agencies, also read by the NLP stage).
select
    agency_id,
    parent_agency_id,
    canonical_name,
    nullif(trim(acronym), '') as acronym,
    nullif(trim(aliases), '') as aliases,
    upper(country_code) as country_code,
    agency_type
from {{ ref('ref_agencies') }}
