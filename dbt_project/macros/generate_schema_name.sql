{#- Models go to exactly the schema named in dbt_project.yml (staging, intermediate, marts),
    never to dbt's default "<target schema>_<custom schema>": the roles are granted per schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
