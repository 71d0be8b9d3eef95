{#- 100 * numerator / denominator rounded to one decimal; null when the denominator is 0 or null. -#}
{% macro pct(numerator, denominator) -%}
    round(100.0 * ({{ numerator }}) / nullif({{ denominator }}, 0), 1)
{%- endmacro %}
