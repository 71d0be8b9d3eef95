{#-
    The figure a stock figure is compared with (DOMAIN.md: "tăng 11% so với cuối năm 2021").
    `rows` is a relation or CTE with the `partition_by` columns, `period`, `period_start`,
    `period_end` and `value`. compare_with_earlier returns every row of `rows` with a value, and
    beside it:

    - previous_period, previous_value, growth_pct: the latest row of the same partition with a
      value whose period ended before this period began, whatever its type (a year, a half, a
      quarter, a month); of several ending the same day, the longest (the year's report before
      the half's);
    - year_end_period, year_end_value, growth_vs_year_end_pct: the row of the same partition
      with a value whose period ended on 31 December of the year before this period began (the
      previous year-end), the longest first.

    Growth: 100 * (value - earlier) / earlier, one decimal; null without an earlier value or
    when it is 0.

    A join on the partition, not a lateral query per row: each partition holds a few dozen
    periods, so the work stays proportional to the rows.
-#}
{% macro compare_with_earlier(rows, partition_by, value) -%}
    select
        current_rows.*,
        previous.previous_period,
        previous.previous_value,
        year_end.year_end_period,
        year_end.year_end_value,
        {{ pct(
            'current_rows.' ~ value ~ ' - previous.previous_value', 'previous.previous_value'
        ) }} as growth_pct,
        {{ pct(
            'current_rows.' ~ value ~ ' - year_end.year_end_value', 'year_end.year_end_value'
        ) }} as growth_vs_year_end_pct

    from {{ rows }} as current_rows
    left join (
        {{ _stock_reference(rows, partition_by, value, 'previous') }}
    ) as previous
        on
            {% for column in partition_by -%}
            current_rows.{{ column }} = previous.{{ column }}
            and {% endfor -%}
            current_rows.period = previous.period
    left join (
        {{ _stock_reference(rows, partition_by, value, 'year_end') }}
    ) as year_end
        on
            {% for column in partition_by -%}
            current_rows.{{ column }} = year_end.{{ column }}
            and {% endfor -%}
            current_rows.period = year_end.period
    where current_rows.{{ value }} is not null
{%- endmacro %}

{% macro _stock_reference(rows, partition_by, value, kind) -%}
    select distinct on ({% for column in partition_by %}current_rows.{{ column }}, {% endfor %}current_rows.period)
        {% for column in partition_by -%}
        current_rows.{{ column }},
        {% endfor -%}
        current_rows.period,
        earlier.period as {{ kind }}_period,
        earlier.{{ value }} as {{ kind }}_value

    from {{ rows }} as current_rows
    inner join {{ rows }} as earlier
        on
            {% for column in partition_by -%}
            current_rows.{{ column }} = earlier.{{ column }}
            and {% endfor -%}
            {%- if kind == 'previous' -%}
            earlier.period_end < current_rows.period_start
            {%- else -%}
            earlier.period_end = (date_trunc('year', current_rows.period_start) - interval '1 day')::date
            {%- endif %}
    where
        current_rows.{{ value }} is not null
        and earlier.{{ value }} is not null
    order by
        {% for column in partition_by -%}
        current_rows.{{ column }},
        {% endfor -%}
        current_rows.period,
        earlier.period_end desc,
        earlier.period_start asc
{%- endmacro %}
