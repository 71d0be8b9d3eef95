-- Planner statistics of the raw tables, refreshed before every transform.
--
-- A new warehouse loads tens of thousands of rows in a minute; autovacuum analyses a table a
-- minute or more after it changed. A dbt build that starts before then plans its joins on
-- tables PostgreSQL believes empty: on 10,000 submissions a uniqueness test of the scorecard
-- took 446 s on unanalysed raw tables and 14 s once they were analysed (docs/reliability.md).
-- dbt calls this function first (on-run-start in dbt_project.yml).
-- Only the owner may ANALYZE a table, so the function runs as its owner; it takes no input
-- and touches only the raw tables that changed since they were last analysed.
create function raw.refresh_statistics()
returns text[]
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    stale text[];
    name text;
begin
    select coalesce(array_agg(s.relname::text order by s.relname), '{}')
    into stale
    from pg_stat_user_tables as s
    where s.schemaname = 'raw'
        and (s.n_mod_since_analyze > 0 or coalesce(s.last_analyze, s.last_autoanalyze) is null);
    foreach name in array stale loop
        execute format('analyze raw.%I', name);
    end loop;
    return stale;
end;
$$;
comment on function raw.refresh_statistics() is
    'ANALYZE the raw tables changed since their last analysis; returns their names.';
revoke all on function raw.refresh_statistics() from public;
grant execute on function raw.refresh_statistics() to dxw_transformer, dxw_loader;
