"""The Maven artifact: packaging, the typed facade, golden rows, publish, diff, up-to-date checks."""
