"""Notebook to ibis: extract, read, parse (lark grammars), bind inputs, interpret cells safely."""
