"""The records and trees that flow between stages (cells, ASTs, errors, codes): imports no stage."""
