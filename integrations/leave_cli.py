"""`ayo leave letter` (an issued Surat Izin Cuti, again) and `ayo leave authority load`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from integrations.cli import _with_db

leave_app = typer.Typer(help="Leave: letters and who grants leave.", no_args_is_help=True)
authority_app = typer.Typer(
    help="Who grants leave per OPD (the PPK's delegation decree).", no_args_is_help=True
)
leave_app.add_typer(authority_app, name="authority")
err = Console(stderr=True)


@leave_app.command("letter")
def letter(
    request: Annotated[str, typer.Argument(help="The request's reference (CUTI-…) or id.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the PDF.")],
) -> None:
    """Write the Surat Izin Cuti of an approved leave request to a PDF file."""
    from sqlalchemy import select

    from core.storage.models import ServiceRequest
    from integrations import leave_letter

    async def _find(session):
        where = (
            ServiceRequest.id == int(request)
            if request.isdigit()
            else ServiceRequest.ref == request.strip().upper()
        )
        found = (await session.execute(select(ServiceRequest).where(where))).scalar()
        if found is None:
            return None, None
        issued = await leave_letter.for_request(session, found.id)
        return found, issued

    found, issued = asyncio.run(_with_db(_find))
    if found is None:
        err.print(f"[red]Permohonan tidak ditemukan / request not found: {request}[/red]")
        raise typer.Exit(1)
    if issued is None:
        err.print(
            f"[red]{found.ref} belum punya surat izin cuti (status: {found.status}) / "
            f"has no leave letter yet[/red]"
        )
        raise typer.Exit(1)
    out.write_bytes(leave_letter.render(issued))
    err.print(f"[green]{issued.number} → {out}[/green]")


@authority_app.command("load")
def authority_load(
    file: Annotated[Path, typer.Argument(help="The decree as YAML (see bot/demo/).")],
) -> None:
    """Load who grants leave for the OPDs in FILE (replaces those OPDs' rows)."""
    from integrations import leave_authority

    try:
        specs = leave_authority.read_file(file)
    except (OSError, ValueError, AttributeError, KeyError) as exc:
        err.print(f"[red]{file}: {exc}[/red]")
        raise typer.Exit(1) from exc
    count = asyncio.run(_with_db(lambda s: leave_authority.load(s, specs)))
    err.print(f"[green]{count} rule(s) for {len({s.opd for s in specs})} OPD(s) loaded[/green]")
