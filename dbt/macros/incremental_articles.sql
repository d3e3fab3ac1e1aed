{#- Marts that follow the articles: an incremental model re-selects the rows of the articles
    whose fingerprint (int_article_fingerprints: version, paragraphs, NLP results, quarantine)
    changed since that model last took them in, and drops the rows of the articles that left
    (deleted, superseded, quarantined). `intermediate.article_builds` remembers, per model, the
    fingerprint each article had when the model took it in, written in the model's own
    transaction, so a failed or partial dbt run leaves the next run to redo what it missed.
    The model's code and its parents' (their file checksums) are part of the fingerprint: a
    changed model re-selects every article.

    Use in a model:
        config(materialized='incremental', incremental_strategy='delete+insert',
               unique_key='article_id', on_schema_change='append_new_columns',
               pre_hook="{{ forget_changed_articles() }}",
               post_hook="{{ record_article_builds() }}")
        ... where article_id in ({{ changed_articles() }}) under is_incremental() -#}

{% macro article_builds(relation=none) -%}
    {{ return(api.Relation.create(
        database=(relation or this).database, schema='intermediate', identifier='article_builds'
    )) }}
{%- endmacro %}

{#- Ids of the articles whose rows `relation` (an incremental model) took in anew in this dbt
    invocation: what a dbt test of those rows alone has to read (make rebuild: all). -#}
{% macro rebuilt_articles(relation) -%}
    select b.article_id
    from {{ article_builds(relation) }} as b
    where b.model_name = '{{ relation.identifier }}' and b.invocation_id = '{{ invocation_id }}'
{%- endmacro %}

{% macro create_article_builds() -%}
    create schema if not exists {{ article_builds().without_identifier() }};
    create table if not exists {{ article_builds() }} (
        model_name varchar, article_id varchar, fingerprint varchar, invocation_id varchar
    )
{%- endmacro %}

{#- The model's code: its own file checksum and its parents'. -#}
{% macro code_checksum() -%}
    {%- set parts = [model.checksum.checksum] -%}
    {%- if execute -%}
        {%- for node_id in model.depends_on.nodes | sort -%}
            {%- set node = graph.nodes.get(node_id) or graph.sources.get(node_id) -%}
            {%- if node and node.checksum is defined -%}
                {%- do parts.append(node.checksum.checksum) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(local_md5(parts | join(':'))) }}
{%- endmacro %}

{#- The fingerprint this model stores for an article: the article's and the model's code. -#}
{% macro build_fingerprint(column) -%}
    {{ column }} || ':{{ code_checksum() }}'
{%- endmacro %}

{#- Ids of the articles whose rows this model must replace: current articles with another
    fingerprint than the one recorded, and recorded articles that are no longer current. -#}
{% macro changed_articles() -%}
    select f.article_id
    from {{ ref('int_article_fingerprints') }} as f
    left join {{ article_builds() }} as b
        on b.model_name = '{{ this.identifier }}' and b.article_id = f.article_id
    where b.fingerprint is distinct from {{ build_fingerprint('f.fingerprint') }}
    union all
    select b.article_id
    from {{ article_builds() }} as b
    where
        b.model_name = '{{ this.identifier }}'
        and b.article_id not in (select g.article_id from {{ ref('int_article_fingerprints') }} as g)
{%- endmacro %}

{#- Pre-hook: delete the rows of the changed articles, those that left included (delete+insert
    only replaces the articles the new rows name). A model with nothing recorded (built before
    this bookkeeping existed) is emptied and filled anew. -#}
{% macro forget_changed_articles() -%}
    {%- if is_incremental() -%}
        {{ create_article_builds() }};
        delete from {{ this }}
        where
            article_id in ({{ changed_articles() }})
            or not exists (
                select 1 from {{ article_builds() }} where model_name = '{{ this.identifier }}'
            )
    {%- endif -%}
{%- endmacro %}

{#- Post-hook: what the model holds now, per article (the changed ones, all of them on a full
    refresh, stamped with this dbt invocation, which is what the dbt tests read back). -#}
{% macro record_article_builds() -%}
    {{ create_article_builds() }};
    create or replace temporary table _article_builds_new as
    select
        '{{ this.identifier }}' as model_name,
        f.article_id,
        {{ build_fingerprint('f.fingerprint') }} as fingerprint,
        {% if should_full_refresh() %}
            '{{ invocation_id }}'
        {% else %}
            case
                when b.fingerprint is not distinct from {{ build_fingerprint('f.fingerprint') }}
                    then b.invocation_id
                else '{{ invocation_id }}'
            end
        {% endif %} as invocation_id
    from {{ ref('int_article_fingerprints') }} as f
    left join {{ article_builds() }} as b
        on b.model_name = '{{ this.identifier }}' and b.article_id = f.article_id;
    delete from {{ article_builds() }} where model_name = '{{ this.identifier }}';
    insert into {{ article_builds() }} select * from _article_builds_new;
    drop table _article_builds_new
{%- endmacro %}
