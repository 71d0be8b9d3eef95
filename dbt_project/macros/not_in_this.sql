{#-
    In an incremental run, the condition that a row's `key` (a submission id) is not in this
    model yet; `true` in a full refresh or a first build. Exact, unlike a watermark on a load
    timestamp: a submission committed late, or one that starts to count again after a hold is
    released, is never missed, and nothing is read twice.
-#}
{% macro not_in_this(alias, key='submission_id') -%}
    {%- if is_incremental() -%}
        not exists (
            select 1
            from {{ this }} as current_rows
            where current_rows.{{ key }} = {{ alias }}.{{ key }}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
