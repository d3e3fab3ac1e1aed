{#- A stable, readable key from a name: lowercase ASCII words joined by hyphens. -#}
{% macro slugify(expression) -%}
    trim(regexp_replace(lower(strip_accents({{ expression }})), '[^a-z0-9]+', '-', 'g'), '-')
{%- endmacro %}
