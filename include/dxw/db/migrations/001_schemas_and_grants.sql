-- Layered schemas and what each least-privilege role may do in them.
-- Runs as the warehouse owner; default privileges cover tables created later by the owner
-- (raw, audit) and by the transformer (dbt's staging, intermediate, marts).

create schema if not exists raw;
create schema if not exists staging;
create schema if not exists intermediate;
create schema if not exists marts;
create schema if not exists audit;

revoke all on schema public from public;

-- loader: appends submissions to raw and writes the audit trail; no deletes, no DDL.
grant usage on schema raw, audit to dxw_loader;
grant select, insert, update on all tables in schema raw, audit to dxw_loader;
grant usage, select on all sequences in schema raw, audit to dxw_loader;
alter default privileges in schema raw, audit grant select, insert, update on tables to dxw_loader;
alter default privileges in schema raw, audit grant usage, select on sequences to dxw_loader;

-- transformer: reads raw, owns what dbt builds in staging, intermediate and marts.
grant usage on schema raw to dxw_transformer;
grant select on all tables in schema raw to dxw_transformer;
alter default privileges in schema raw grant select on tables to dxw_transformer;
grant usage, create on schema staging, intermediate, marts to dxw_transformer;

-- bi: reads marts and nothing else.
grant usage on schema marts to dxw_bi;
grant select on all tables in schema marts to dxw_bi;
alter default privileges in schema marts grant select on tables to dxw_bi;
alter default privileges for role dxw_transformer in schema marts grant select on tables to dxw_bi;
alter role dxw_bi set default_transaction_read_only = on;
