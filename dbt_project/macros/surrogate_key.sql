{#- A stable text key for a composite grain: md5 of the columns joined by '|' (nulls as ''),
    like dbt_utils.generate_surrogate_key, without the package. -#}
{% macro surrogate_key(columns) -%}
    md5(concat_ws('|', {% for column in columns -%}
        coalesce(cast({{ column }} as text), '')
        {%- if not loop.last %}, {% endif -%}
    {%- endfor %}))
{%- endmacro %}
