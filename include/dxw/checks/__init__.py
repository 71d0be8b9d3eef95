"""Operational checks of the warehouse."""
