"""The feature handlers, a module each; `bot.handlers.tables` merges their routing tables.

Importing one handler module (or `registry`) loads only that module: the engine loads the
tables when it first routes a message, so a starting server does not import every feature.
"""
