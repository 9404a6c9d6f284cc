"""The organisation import: units and employees synced from the personnel system's CSV.

`csvfile` reads the file, `rows` checks each row, `chart` checks the rows against each other,
`plan` compares them with the database, `apply` writes the plan in bulk and `handover` moves
the pending approvals of the people who left. `run_import` ties them together for the CLI and,
later, the back office.
"""

from integrations.org.service import ImportOptions, ImportResult, run_import

__all__ = ["ImportOptions", "ImportResult", "run_import"]
