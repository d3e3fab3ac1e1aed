-- One row per person whose stated role names an agency ("spokesman for the National Police"):
-- the agency mentioned in the same sentence whose name the role contains, most often.
with roles as (
    select
        person_id,
        article_id,
        sentence_index,
        lower(person_role) as person_role
    from {{ ref('int_mentions_dated') }}
    where entity_type = 'person' and person_role is not null
),

agencies as (
    select
        article_id,
        sentence_index,
        agency_id,
        lower(surface_text) as surface_text,
        lower(agency_acronym) as acronym
    from {{ ref('int_mentions_dated') }}
    where entity_type = 'agency' and agency_id is not null
)

select
    r.person_id,
    mode(a.agency_id) as agency_id
from roles as r
inner join agencies as a
    on
        r.article_id = a.article_id
        and r.sentence_index = a.sentence_index
        and (
            contains(r.person_role, a.surface_text)
            or (a.acronym is not null and contains(r.person_role, a.acronym))
        )
group by r.person_id
