{#- Every row's char_start/char_end must slice its article's text back to the row's own text
    (offsets are 0-based code points, end exclusive).
    DuckDB's substring walks a text from its start on every call, so slicing each row out of
    the whole text costs rows x text length: hours for a page of 100,000 short lines. So the
    text is cut once into 65,536-character blocks where rows start, those blocks into
    1,024-character ones, and each row is sliced out of its small block.
    With `rebuilt_only`, on an incremental model (macros/incremental_articles.sql), only the
    rows of the articles it rebuilt in this dbt invocation are read: the others, and their
    articles' texts, have not changed since they passed. -#}
{% test offsets_slice_text(model, text_model, text_column, span_text_column,
                           key_column='article_id', start_column='char_start',
                           end_column='char_end', rebuilt_only=false) %}
with spans as (
    select
        s.*,
        s.{{ key_column }} as _key,
        s.{{ start_column }} as _start,
        s.{{ end_column }} as _end,
        s.{{ start_column }} // 65536 as _outer,
        s.{{ start_column }} // 1024 as _inner
    from {{ model }} as s
    {% if rebuilt_only %}
        where s.{{ key_column }} in ({{ rebuilt_articles(model) }})
    {% endif %}
),
texts as (
    select
        {{ key_column }} as _key,
        {{ text_column }} as _text,
        length({{ text_column }}) as _length
    from {{ text_model }}
),
outer_blocks as (
    select
        b._key,
        b._outer,
        substring(t._text, b._outer * 65536 + 1, b._stop - b._outer * 65536) as _block
    from (
        select _key, _outer, max(_end) as _stop from spans where _start >= 0 group by _key, _outer
    ) as b
    join texts as t on t._key = b._key
),
inner_blocks as (
    select
        b._key,
        b._inner,
        substring(o._block, b._inner * 1024 - o._outer * 65536 + 1, b._stop - b._inner * 1024)
            as _block
    from (
        select _key, _outer, _inner, max(_end) as _stop
        from spans where _start >= 0 group by _key, _outer, _inner
    ) as b
    join outer_blocks as o on o._key = b._key and o._outer = b._outer
)
select s.* exclude (_key, _start, _end, _outer, _inner)
from spans as s
left join texts as t on t._key = s._key
left join inner_blocks as i on i._key = s._key and i._inner = s._inner
where t._key is null
   or s._start < 0
   or s._end > t._length
   or substring(i._block, s._start - s._inner * 1024 + 1, s._end - s._start)
      != s.{{ span_text_column }}
{% endtest %}
