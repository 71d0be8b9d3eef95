"""BI: Apache Superset on the marts (`dxw bi`), with its dashboards kept as code in `bi/`."""
