-- One row per sentence of a content paragraph.
select
    article_id,
    paragraph_id,
    sentence_text,
    cast(sentence_index as integer) as sentence_index,
    cast(char_start as integer) as char_start,
    cast(char_end as integer) as char_end
from {{ source('nlp', 'sentences') }}
