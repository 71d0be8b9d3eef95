"""Data-quality gates: Great Expectations checkpoints on the raw submissions and the marts."""
