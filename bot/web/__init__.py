"""The HTTP side: the web chat and its API, logins and sessions, webhooks, operations."""
