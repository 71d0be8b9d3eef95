"""The benchmark scenarios: each runs in its own warehouse and returns a report section."""
