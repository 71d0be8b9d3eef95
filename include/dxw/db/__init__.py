"""Warehouse connections, the embedded server, schemas and roles."""
