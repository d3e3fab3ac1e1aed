{#- Every row's char_start/char_end must slice its article's text back to the row's own text
    (offsets are 0-based code points, end exclusive). -#}
{% test offsets_slice_text(model, text_model, text_column, span_text_column,
                           key_column='article_id', start_column='char_start',
                           end_column='char_end') %}
select s.*
from {{ model }} as s
left join {{ text_model }} as t on s.{{ key_column }} = t.{{ key_column }}
where t.{{ key_column }} is null
   or s.{{ start_column }} < 0
   or s.{{ end_column }} > length(t.{{ text_column }})
   or substring(t.{{ text_column }}, s.{{ start_column }} + 1,
                s.{{ end_column }} - s.{{ start_column }}) != s.{{ span_text_column }}
{% endtest %}
