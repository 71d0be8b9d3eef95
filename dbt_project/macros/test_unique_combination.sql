{#- Generic test: no two rows share the values of `columns` (the grain of a model without a
    single key column), like dbt_utils.unique_combination_of_columns, without the package. -#}
{% test unique_combination(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as rows_with_these_values

from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
