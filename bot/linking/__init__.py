"""Linking a chat to an employee: one-time codes, the letters that carry them, their CLI."""
