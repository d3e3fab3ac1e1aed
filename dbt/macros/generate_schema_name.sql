{#- Schemas are the layer names themselves (staging, intermediate, marts), not
    "<target>_<layer>": analysts and BI tools address marts.dim_articles directly. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
