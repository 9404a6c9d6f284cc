"""Connectors to backend apps: the built-in sandbox HR backend and a generic HTTP one."""
