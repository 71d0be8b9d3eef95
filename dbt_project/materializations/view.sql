{#-
    dbt's view materialization with its swap made one serialised transaction.

    dbt replaces a view by renaming the old one to a backup and dropping the backup with
    `cascade`, after its commit. The cascade drops every view built on the old one; two
    threads swapping two staging views that the same intermediate view reads both drop that
    view, in opposite lock orders, and PostgreSQL kills one: `deadlock detected ... waits for
    AccessExclusiveLock on object ... of class 2618` (pg_rewrite), a build failed at random.
    Here the swap, the drop of the backup included, runs in one transaction that first takes
    a transaction-scoped advisory lock: view swaps take turns (each is milliseconds), the lock
    goes with the commit or the rollback, and a failure leaves the old view in place.
    Tables still build in parallel. The rest is dbt 1.11's own view materialization.
-#}
{%- materialization view, adapter='postgres' -%}

  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='view') -%}
  {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
  {%- set preexisting_intermediate_relation = load_cached_relation(intermediate_relation) -%}
  {%- set backup_relation_type = 'view' if existing_relation is none else existing_relation.type -%}
  {%- set backup_relation = make_backup_relation(target_relation, backup_relation_type) -%}
  {%- set preexisting_backup_relation = load_cached_relation(backup_relation) -%}
  {%- set grant_config = config.get('grants') -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}

  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% call statement('view_swap_lock') -%}
    -- one key for every view swap of this warehouse ('dxw view swap')
    select pg_advisory_xact_lock(hashtext('dxw view swap'))
  {%- endcall %}

  {{ drop_relation_if_exists(preexisting_intermediate_relation) }}
  {{ drop_relation_if_exists(preexisting_backup_relation) }}

  {% call statement('main') -%}
    {{ get_create_view_as_sql(intermediate_relation, sql) }}
  {%- endcall %}

  {% if existing_relation is not none %}
    {% set existing_relation = load_cached_relation(existing_relation) %}
    {% if existing_relation is not none %}
      {{ adapter.rename_relation(existing_relation, backup_relation) }}
    {% endif %}
  {% endif %}
  {{ adapter.rename_relation(intermediate_relation, target_relation) }}

  {% set should_revoke = should_revoke(existing_relation, full_refresh_mode=True) %}
  {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke) %}

  {% do persist_docs(target_relation, model) %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}

  {{ drop_relation_if_exists(backup_relation) }}

  {{ adapter.commit() }}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}

{%- endmaterialization -%}
