-- One row per (article, crime type) with its evidence sentence.
select
    article_id,
    crime_type,
    evidence_text,
    cast(char_start as integer) as char_start,
    cast(char_end as integer) as char_end
from {{ source('nlp', 'crime_types') }}
