{#-
    dbt's seed materialization, loading a seed only when its file or column types changed.

    dbt reloads every seed on every build; the locality registry (14,000 rows) is most of the
    transform's time, though it changes only with a new `vietnamadminunits` release. Each load
    records a checksum of its rows and column types in `<schema>.dbt_seed_state`; a build
    that finds the same checksum and the table in place leaves it alone (`SKIP 0` in the log).
    `--full-refresh` always reloads. The rest is dbt 1.11's own seed materialization.
-#}
{% materialization seed, default %}

  {%- set identifier = model['alias'] -%}
  {%- set full_refresh_mode = (should_full_refresh()) -%}

  {%- set old_relation = adapter.get_relation(database=database, schema=schema, identifier=identifier) -%}

  {%- set exists_as_table = (old_relation is not none and old_relation.is_table) -%}
  {%- set exists_as_view = (old_relation is not none and old_relation.is_view) -%}

  {%- set grant_config = config.get('grants') -%}
  {%- set agate_table = load_agate_table() -%}
  {#- dbt checksums a seed over 1 MiB by its path only: hash what was read, with its types. -#}
  {%- set seed_checksum = local_md5(agate_table.column_names | string ~ agate_table.rows | map('list') | list | string
      ~ (config.get('column_types') or {}) | tojson) -%}
  {%- set state_relation = api.Relation.create(database=database, schema=schema, identifier='dbt_seed_state', type='table') -%}
  {%- call statement('seed_state', fetch_result=True) -%}
    -- Seeds load in parallel threads: the first to get here creates the table, the others
    -- may race it (`create table if not exists` is not atomic) and find it made.
    do $$ begin
        create table if not exists {{ state_relation }} (
            seed_name text primary key,
            checksum text not null,
            loaded_at timestamptz not null
        );
    exception when unique_violation or duplicate_table then null;
    end $$;
    select checksum from {{ state_relation }} where seed_name = {{ dbt.string_literal(identifier) }}
  {%- endcall -%}
  {%- set state_rows = load_result('seed_state')['data'] -%}
  {%- set unchanged = exists_as_table and not full_refresh_mode
      and state_rows | length > 0 and state_rows[0][0] == seed_checksum -%}

  {%- if unchanged -%}
    {%- do store_result('agate_table', response='OK', agate_table=agate_table) -%}
    {% call noop_statement('main', 'SKIP 0', 'SKIP', 0) %}
      -- {{ identifier }} unchanged since its last load (checksum {{ seed_checksum }})
    {% endcall %}
    {{ return({'relations': [this.incorporate(type='table')]}) }}
  {%- endif -%}

  -- grab current tables grants config for comparison later on

  {%- do store_result('agate_table', response='OK', agate_table=agate_table) -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}

  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  -- build model
  {% set create_table_sql = "" %}
  {% if exists_as_view %}
    {{ exceptions.raise_compiler_error("Cannot seed to '{}', it is a view".format(old_relation.render())) }}
  {% elif exists_as_table %}
    {% set create_table_sql = reset_csv_table(model, full_refresh_mode, old_relation, agate_table) %}
  {% else %}
    {% set create_table_sql = create_csv_table(model, agate_table) %}
  {% endif %}

  {% set code = 'CREATE' if full_refresh_mode else 'INSERT' %}
  {% set rows_affected = (agate_table.rows | length) %}
  {% set sql = "" %}
  {% if rows_affected > 0 %}
    {% set sql = load_csv_rows(model, agate_table) %}
  {% endif %}

  {% call noop_statement('main', code ~ ' ' ~ rows_affected, code, rows_affected) %}
    {{ get_csv_sql(create_table_sql, sql) }};
  {% endcall %}

  {% set target_relation = this.incorporate(type='table') %}

  {% set should_revoke = should_revoke(old_relation, full_refresh_mode) %}
  {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke) %}

  {% do persist_docs(target_relation, model) %}

  {% if full_refresh_mode or not exists_as_table %}
    {% do create_indexes(target_relation) %}
  {% endif %}

  {% call statement('record_seed_state') %}
    insert into {{ state_relation }} (seed_name, checksum, loaded_at)
    values ({{ dbt.string_literal(identifier) }}, {{ dbt.string_literal(seed_checksum) }}, now())
    on conflict (seed_name) do update set checksum = excluded.checksum, loaded_at = excluded.loaded_at
  {% endcall %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}

  -- `COMMIT` happens here
  {{ adapter.commit() }}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}

{% endmaterialization %}
