"""Ingest: find submission files, validate them, load them idempotently, quarantine the bad."""
