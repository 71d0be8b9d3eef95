"""The dbt layer: seeds, `dxw build`, and what the `dxw_transform` DAG needs from Cosmos."""
