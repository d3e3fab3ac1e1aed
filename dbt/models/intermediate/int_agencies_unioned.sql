-- One row per agency: the reference list, plus agencies discovered in the text that the list
-- lacks (their attributes from the most confident mention).
with reference as (
    select
        agency_id,
        parent_agency_id,
        canonical_name,
        acronym,
        country_code,
        agency_type,
        true as is_reference
    from {{ ref('stg_reference__agencies') }}
),

discovered as (
    select
        agency_id,
        cast(null as varchar) as parent_agency_id,
        arg_max(agency_canonical_name, confidence) filter (
            where agency_canonical_name is not null
        ) as canonical_name,
        arg_max(agency_acronym, confidence) filter (
            where agency_acronym is not null
        ) as acronym,
        arg_max(agency_country_code, confidence) filter (
            where agency_country_code is not null
        ) as country_code,
        coalesce(
            arg_max(agency_type, confidence) filter (where agency_type is not null), 'other'
        ) as agency_type,
        false as is_reference
    from {{ ref('stg_nlp__mentions') }}
    where
        entity_type = 'agency'
        and agency_id is not null
        and agency_id not in (select r.agency_id from reference as r)
    group by agency_id
)

select * from reference
union all
select * from discovered
