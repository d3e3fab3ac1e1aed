-- One row per paragraph of a current article, none dropped.
select
    paragraph_id,
    article_id,
    duplicate_of_paragraph_id,
    near_duplicate_of_paragraph_id,
    paragraph_text,
    zone,
    boilerplate_rule,
    paragraph_index,
    char_start,
    char_end,
    similarity,
    is_boilerplate,
    is_duplicate,
    is_content
from {{ ref('stg_nlp__paragraphs') }}
{% if is_incremental() %}
    where article_id in ({{ changed_articles() }})
{% endif %}
