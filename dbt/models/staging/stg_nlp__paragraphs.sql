-- One row per paragraph of a current article version.
select
    paragraph_id,
    article_id,
    content_hash,
    paragraph_text,
    zone,
    boilerplate_rule,
    duplicate_of_paragraph_id,
    near_duplicate_of_paragraph_id,
    cast(paragraph_index as integer) as paragraph_index,
    cast(char_start as integer) as char_start,
    cast(char_end as integer) as char_end,
    cast(similarity as double) as similarity,
    is_boilerplate,
    is_duplicate,
    is_content
from {{ source('nlp', 'paragraphs') }}
