"""Documentation sites of a DXW_HOME: dbt docs and GX Data Docs, offline and served locally."""
