"""The notebook's side of verification: ibis on DuckDB, result comparison, edge values."""
