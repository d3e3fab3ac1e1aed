{#- DuckLake keeps no indexes, so it refuses primary key, unique, foreign key and check
    constraints. On a DuckLake relation a contracted mart keeps its column names, types and
    not-null constraints; the dropped constraints stay asserted by the models' dbt tests
    (unique, relationships, accepted values), which run on both backends. -#}
{% macro duckdb__get_table_columns_and_constraints() -%}
  {%- if not adapter.is_ducklake(this) -%}
    {{ return(table_columns_and_constraints()) }}
  {%- endif -%}
  {%- set columns = {} -%}
  {%- for name, column in model['columns'].items() -%}
    {%- set kept = column['constraints'] | selectattr('type', 'equalto', 'not_null') | list -%}
    {%- do columns.update({name: dict(column, constraints=kept)}) -%}
  {%- endfor -%}
  {%- set rendered = adapter.render_raw_columns_constraints(raw_columns=columns) -%}
  ({{ rendered | join(', ') }})
{%- endmacro %}
