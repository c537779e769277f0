"""Typed Python UDFs: signatures, the type tables, the Scala translator, the inliner, the sandbox."""
