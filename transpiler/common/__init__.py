"""Helpers every layer may use: escaping per output target, nb2jvm's own files and cache, the version."""
