{#- Models go to exactly the schema named in dbt_project.yml (staging, intermediate,
    marts_build), never to dbt's default "<target schema>_<custom schema>": the roles are
    granted per schema.

    The marts are built into marts_build and published into marts by `dxw.transform.publish`
    once the marts gate passed. The dbt docs describe what BI reads: `dxw build` and the
    transform generate them with DXW_MARTS_SCHEMA=marts. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif custom_schema_name | trim == 'marts_build' -%}
        {{ env_var('DXW_MARTS_SCHEMA', 'marts_build') }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
