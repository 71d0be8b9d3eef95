{#-
    In an incremental run, a `where` clause keeping the rows loaded since the newest submission
    already in this model, minus the `incremental_lookback` var (a load committed late is read
    again; the models' delete+insert on their unique key makes that harmless). Nothing in a
    full refresh or a first build.
-#}
{% macro loaded_since_last_run(loaded_at='loaded_at') %}
    {%- if is_incremental() %}
    where
        {{ loaded_at }} > (
            select
                coalesce(max(current_rows.submission_loaded_at), '-infinity'::timestamptz)
                - interval '{{ var("incremental_lookback") }}'
            from {{ this }} as current_rows
        )
    {%- endif %}
{% endmacro %}
