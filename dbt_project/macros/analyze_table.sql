{#- Post-hook of every model: ANALYZE what was just built as a table or incrementally, so
    that the models built on it are planned on its real row counts. A fresh table has no
    statistics until autovacuum gets to it (a minute or more), and a plan made on "empty"
    made one scorecard query run for minutes instead of seconds. Views have nothing to
    analyse: the hook renders empty and dbt skips it. -#}
{% macro analyze_table() -%}
    {%- if model.config.materialized in ('table', 'incremental') -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
