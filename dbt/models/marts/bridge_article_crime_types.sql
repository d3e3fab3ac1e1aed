-- One row per crime type an article discusses, with the sentence that shows it.
select
    article_id,
    crime_type,
    evidence_text,
    char_start,
    char_end
from {{ ref('stg_nlp__crime_types') }}
{% if is_incremental() %}
    where article_id in ({{ changed_articles() }})
{% endif %}
