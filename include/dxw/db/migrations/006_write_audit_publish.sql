-- Write, audit, publish (docs/warehouse.md, dxw.transform.publish): dbt builds the marts into
-- marts_build, which the BI role cannot read; the marts gate checks them there; only a build
-- that passed is published into marts, table by table, in one transaction, through
-- marts_previous (the publication moves the published table out, the built one in, and the
-- one it replaced back into marts_build, where the next build starts from it).
create schema if not exists marts_build;
create schema if not exists marts_previous;
grant usage, create on schema marts_build, marts_previous to dxw_transformer;
-- Nothing of them for BI: the BI role's default select on what the transformer creates is
-- granted in marts only (001), and the publication grants it on each table it publishes.

-- Every publication, written by the loader role once the transformer has published.
create table audit.publications (
    publication_id bigint generated always as identity primary key,
    run_id text not null,
    tables text[] not null,
    published_at timestamptz not null default now(),
    seconds numeric(10, 3)
);
comment on table audit.publications is
    'Each publication of the marts: the tables that a build which passed the marts gate moved '
    'from marts_build into marts, in one transaction.';
grant select, insert on audit.publications to dxw_loader;

-- When the marts BI reads were published, and what.
create view marts.publications as
select publication_id, published_at, tables
from audit.publications;
comment on view marts.publications is
    'When the marts were last published (tables that passed the marts gate), newest last.';
grant select on marts.publications to dxw_bi;
