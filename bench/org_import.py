"""Organisation import benchmark: 20,000 employees in 600 units, first load and a 2 % re-sync.

    .venv/bin/python bench/org_import.py                      # SQLite and PostgreSQL, baseline
    .venv/bin/python bench/org_import.py --employees 2000     # a quick iteration
    .venv/bin/python bench/org_import.py --backends sqlite --json

A generated personnel file (valid NIPs, 40 OPDs of 15 units each, a head per unit reporting
to the head of the parent unit, staff reporting to their unit head, phones, opening balances)
is imported with `integrations.org.run_import` into a fresh database: the first load, a
re-sync of a file with 2 % of rows changed (1 % updated, 0.5 % gone, 0.5 % new), and the
same file again (nothing to do). The baseline, in the same run on another fresh database,
loads the same rows with plain row-by-row ORM inserts (`session.add` and a flush per row, so
each supervisor's id is known before their team), the way the demo loader works.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.storage import migrate
from core.storage.db import Database
from core.storage.models import Employee, OrgUnit
from core.workdays import WorkCalendar
from integrations.org import ImportOptions, run_import
from integrations.org.csvfile import COLUMNS
from tests.support.databases import create_postgres_database, drop_postgres_database

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def generate(employees: int, units: int, seed: int = 7) -> list[dict[str, str]]:
    """Rows of a personnel file, heads first within each unit."""
    rng = random.Random(seed)
    opds = max(1, units // 15)
    unit_rows: list[tuple[str, str, str]] = []  # code, name, parent
    for o in range(opds):
        unit_rows.append((f"OPD{o:02d}", f"Dinas {o:02d}", ""))
    while len(unit_rows) < units:
        n = len(unit_rows)
        parent = f"OPD{n % opds:02d}"
        unit_rows.append((f"{parent}-B{n:03d}", f"Bidang {n:03d}", parent))
    nips: set[str] = set()
    rows: list[dict[str, str]] = []
    heads: dict[str, str] = {}

    def person(unit: tuple[str, str, str], boss: str, position: str) -> dict[str, str]:
        while True:
            born = date(rng.randint(1965, 2000), rng.randint(1, 12), rng.randint(1, 28))
            tmt = date(max(born.year + 20, 1990) + rng.randint(0, 5), rng.randint(1, 12), 1)
            sex = rng.choice("LP")
            nip = f"{born:%Y%m%d}{tmt:%Y%m}{'1' if sex == 'L' else '2'}{rng.randint(1, 999):03d}"
            if nip not in nips:
                nips.add(nip)
                break
        return {
            "nip": nip,
            "nama": f"Pegawai {len(rows):05d}",
            "gelar_depan": "",
            "gelar_belakang": rng.choice(["", "S.Kom.", "S.E.", "M.Si."]),
            "jenis_kelamin": sex,
            "status": "PNS",
            "tmt": tmt.isoformat(),
            "jabatan": position,
            "kode_unit": unit[0],
            "nama_unit": unit[1],
            "kode_unit_induk": unit[2],
            "nip_atasan": boss,
            "peran": "",
            "telepon": f"0812{len(rows):08d}",
            "email": "",
            "jumlah_anak": str(rng.randint(0, 3)),
            "sisa_cuti_n1": str(rng.randint(0, 6)),
            "sisa_cuti_n2": "0",
        }

    for unit in unit_rows:  # OPDs come first, so every parent's head exists
        row = person(unit, heads.get(unit[2], ""), "Kepala")
        heads[unit[0]] = row["nip"]
        rows.append(row)
    per_unit = (employees - len(rows)) / len(unit_rows)
    for i in range(employees - len(rows)):
        unit = unit_rows[int(i / per_unit) % len(unit_rows)]
        rows.append(person(unit, heads[unit[0]], "Pelaksana"))
    return rows


def changed(rows: list[dict[str, str]], share: float, seed: int = 11) -> list[dict[str, str]]:
    """The next month's file: `share` of rows changed (half updated, a quarter gone, new)."""
    rng = random.Random(seed)
    n = int(len(rows) * share)
    heads = {r["nip"] for r in rows if r["jabatan"] == "Kepala"}
    staff = [i for i, r in enumerate(rows) if r["nip"] not in heads]
    picked = rng.sample(staff, n // 2 + n // 4)
    out = [dict(r) for r in rows]
    for i in picked[: n // 2]:
        out[i]["jabatan"] = "Pelaksana Utama"
        out[i]["sisa_cuti_n1"] = "1"
    gone = set(picked[n // 2 :])
    out = [r for i, r in enumerate(out) if i not in gone]
    for k in range(n // 4):
        new = dict(rows[staff[k]])
        new["nip"] = new["nip"][:8] + "2030" + new["nip"][12:]  # a different appointment year
        new["nip"] = new["nip"][:14] + new["nip"][14] + f"{k % 1000:03d}"
        new["telepon"] = f"0813{k:08d}"
        new["nama"] = f"Pegawai baru {k:04d}"
        out.append(new)
    return out


def write_csv(rows: list[dict[str, str]], path: Path) -> None:
    lines = [";".join(COLUMNS)]
    lines += [";".join(r[c] for c in COLUMNS) for r in rows]
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")


async def baseline(db: Database, rows: list[dict[str, str]]) -> float:
    """Row-by-row ORM inserts: what a loader without bulk statements does."""
    start = time.perf_counter()
    async with db.transaction() as session:
        units: dict[str, OrgUnit] = {}
        for r in rows:
            if r["kode_unit"] not in units:
                unit = OrgUnit(code=r["kode_unit"], name=r["nama_unit"], kind="opd")
                unit.parent = units.get(r["kode_unit_induk"])
                session.add(unit)
                await session.flush()
                units[r["kode_unit"]] = unit
        ids: dict[str, int] = {}
        for r in rows:
            person = Employee(
                nip=r["nip"],
                name=r["nama"],
                title_back=r["gelar_belakang"],
                gender=r["jenis_kelamin"],
                employment=r["status"],
                service_start=date.fromisoformat(r["tmt"]),
                position=r["jabatan"],
                unit_id=units[r["kode_unit"]].id,
                supervisor_id=ids.get(r["nip_atasan"]),
                phone="+62" + r["telepon"][1:],
                children=int(r["jumlah_anak"]),
                roles=["employee"],
                created_at=NOW,
            )
            session.add(person)
            await session.flush()
            ids[r["nip"]] = person.id
    return time.perf_counter() - start


async def fresh(backend: str, folder: Path) -> tuple[str, Any]:
    if backend == "sqlite":
        path = folder / f"bench-{time.monotonic_ns()}.db"
        url = f"sqlite+aiosqlite:///{path}"
        cleanup = None
    else:
        url = await create_postgres_database()
        cleanup = url
    db = Database(url)
    await migrate.upgrade(db)
    await db.dispose()
    return url, cleanup


async def timed_import(url: str, path: Path) -> tuple[float, dict[str, Any]]:
    db = Database(url)
    try:
        start = time.perf_counter()
        result = await run_import(db, path, ImportOptions(), now=NOW, calendar=WorkCalendar(None))
        elapsed = time.perf_counter() - start
    finally:
        await db.dispose()
    assert result.applied, result.as_json()["errors"][:3]
    return elapsed, result.as_json()["employees"]


async def run_backend(backend: str, first: Path, second: Path, rows: list, folder: Path) -> dict:
    url, cleanup = await fresh(backend, folder)
    try:
        load, load_counts = await timed_import(url, first)
        resync, resync_counts = await timed_import(url, second)
        again, again_counts = await timed_import(url, second)
    finally:
        if cleanup:
            await drop_postgres_database(cleanup)
    url, cleanup = await fresh(backend, folder)
    db = Database(url)
    try:
        base = await baseline(db, rows)
    finally:
        await db.dispose()
        if cleanup:
            await drop_postgres_database(cleanup)
    return {
        "first_load_s": round(load, 2),
        "first_load": load_counts,
        "resync_s": round(resync, 2),
        "resync": resync_counts,
        "unchanged_resync_s": round(again, 2),
        "unchanged_resync": again_counts,
        "baseline_row_by_row_orm_s": round(base, 2),
        "speedup_first_load": round(base / load, 1),
    }


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employees", type=int, default=20_000)
    parser.add_argument("--units", type=int, default=600)
    parser.add_argument("--change", type=float, default=0.02)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = generate(args.employees, args.units)
    report: dict[str, Any] = {
        "employees": len(rows),
        "units": len({r["kode_unit"] for r in rows}),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        first, second = folder / "pegawai.csv", folder / "pegawai-bulan-depan.csv"
        write_csv(rows, first)
        write_csv(changed(rows, args.change), second)
        for backend in args.backends.split(","):
            report[backend] = await run_backend(backend, first, second, rows, folder)
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        print(json.dumps(report))
        return
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
