"""`ayo org import`: a sync of the personnel file — idempotent, atomic, every bad row named."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import App, build_app
from core.clock import FixedClock
from core.settings import Settings
from core.storage.models import (
    Employee,
    LeaveOpeningBalance,
    OrgUnit,
    OutboxItem,
)
from integrations.leave import annual_balance
from integrations.org import ImportOptions, ImportResult, run_import
from tests.support.console import ayo_env, run_ayo
from tests.support.requests_kit import leave, steps

HEADER = (
    "nip,nama,gelar_depan,gelar_belakang,jenis_kelamin,status,tmt,jabatan,kode_unit,nama_unit,"
    "kode_unit_induk,nip_atasan,peran,telepon,email,jumlah_anak,sisa_cuti_n1,sisa_cuti_n2"
)
BUDI = "197203141998031001"
AGUS = "197911202005011002"
SRI = "198405092009032003"
DIMAS = "199402172019031004"
WULAN = "198902142014032001"
ROWS = {
    BUDI: f"{BUDI},Budi Santoso,Dr.,M.Si.,L,PNS,1998-03-01,Kepala Dinas,DINAS,Dinas Kominfo,,,"
    ",081210000001,budi@kota.go.id,2,6,0",
    AGUS: f"{AGUS},Agus Setiawan,,S.Kom.,L,PNS,2005-01-01,Kepala Bidang,APTIKA,Bidang Aptika,"
    f"DINAS,{BUDI},,+62 812-1000-0002,,3,4,2",
    SRI: f"{SRI},Sri Wahyuni,,,P,PNS,2009-03-01,Subkoordinator,APTIKA,Bidang Aptika,DINAS,"
    f"{AGUS},,6281210000003,,1,,",
    DIMAS: f"{DIMAS},Dimas Prasetyo,,S.Kom.,L,PNS,01-03-2019,Pranata Komputer,APTIKA,"
    f"Bidang Aptika,DINAS,{SRI},operator,081210000004,,0,3,0",
    WULAN: f"{WULAN},Wulan Sari,,S.Psi.,P,PNS,2014-03-01,Analis SDM,DINAS,Dinas Kominfo,,"
    f'{BUDI},"hr_admin,operator",081210000005,,1,,',
}


def csv_of(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


BASE = csv_of(*ROWS.values())


@pytest.fixture
async def ayo(database_url: str, tmp_path: Path, clock: FixedClock) -> AsyncIterator[App]:
    """Ayo on an empty organisation (no demo): the organisation comes from the file."""
    settings = Settings(_env_file=None, database_url=database_url, data_dir=tmp_path, demo=False)
    app = await build_app(settings, clock=clock)
    yield app
    await app.close()


async def sync(ayo: App, data: bytes, **options: bool) -> ImportResult:
    return await run_import(
        ayo.db,
        data,
        ImportOptions(**options),
        now=ayo.deps.clock(),
        calendar=ayo.deps.calendar,
        rules=ayo.deps.leave_rules,
    )


def counts(result: ImportResult) -> dict[str, int]:
    return result.as_json()["employees"]


async def people(ayo: App) -> dict[str, Employee]:
    async with ayo.db.sessions() as session:
        return {e.nip: e for e in (await session.execute(select(Employee))).scalars()}


async def test_first_import_adds_everyone_and_a_second_run_changes_nothing(ayo: App) -> None:
    first = await sync(ayo, BASE)
    assert counts(first) == {"added": 5, "updated": 0, "deactivated": 0, "unchanged": 0}
    assert first.as_json()["units"] == {
        "added": 2,
        "updated": 0,
        "deactivated": 0,
        "unchanged": 0,
    }
    second = await sync(ayo, BASE)
    assert counts(second) == {"added": 0, "updated": 0, "deactivated": 0, "unchanged": 5}
    assert second.as_json()["changes"] == []

    staff = await people(ayo)
    agus, dimas, budi = staff[AGUS], staff[DIMAS], staff[BUDI]
    assert (agus.phone, agus.title_back, agus.children) == ("+6281210000002", "S.Kom.", 3)
    assert agus.roles == ["employee", "supervisor"]
    assert staff[WULAN].roles == ["employee", "hr_admin", "operator"]
    assert dimas.roles == ["employee", "operator"]
    assert (dimas.service_start, dimas.supervisor_id) == (date(2019, 3, 1), staff[SRI].id)
    assert budi.full_name == "Dr. Budi Santoso, M.Si."
    async with ayo.db.sessions() as session:
        units = {u.code: u for u in (await session.execute(select(OrgUnit))).scalars()}
        balances = {
            b.employee_id: (b.year, b.remaining_n1, b.remaining_n2)
            for b in (await session.execute(select(LeaveOpeningBalance))).scalars()
        }
    assert units["APTIKA"].parent_id == units["DINAS"].id
    assert (units["DINAS"].kind, units["APTIKA"].kind) == ("opd", "bidang")
    # Sri's and Wulan's cells are empty: no balance is invented for them.
    assert balances == {
        budi.id: (2026, 6.0, 0.0),
        agus.id: (2026, 4.0, 2.0),
        dimas.id: (2026, 3.0, 0.0),
    }


async def test_a_changed_row_is_updated_and_nothing_else(ayo: App) -> None:
    await sync(ayo, BASE)
    moved = (
        ROWS[DIMAS]
        .replace("Pranata Komputer", "Analis Sistem")
        .replace("081210000004", "081299990004")
    )
    result = await sync(ayo, csv_of(*(moved if n == DIMAS else r for n, r in ROWS.items())))
    assert counts(result) == {"added": 0, "updated": 1, "deactivated": 0, "unchanged": 4}
    assert result.as_json()["changes"] == [
        {
            "action": "updated",
            "nip": DIMAS,
            "name": "Dimas Prasetyo",
            "fields": ["position", "phone"],
            "line": 5,
        }
    ]
    dimas = (await people(ayo))[DIMAS]
    assert (dimas.position, dimas.phone) == ("Analis Sistem", "+6281299990004")


async def test_someone_missing_is_deactivated_and_their_pending_approval_moves_up(
    ayo: App, clock: FixedClock
) -> None:
    await sync(ayo, BASE)
    request = await leave(
        ayo, clock, "Dimas Prasetyo", date(2026, 12, 7), date(2026, 12, 8), days=2
    )
    staff = await people(ayo)
    [asked] = await steps(ayo, request.id)
    assert (asked.approver_id, asked.status) == (staff[SRI].id, "waiting")

    # Sri left; Dimas now reports to Agus.
    without_sri = [
        r.replace(f",{SRI},operator", f",{AGUS},operator") for n, r in ROWS.items() if n != SRI
    ]
    result = await sync(ayo, csv_of(*without_sri))
    assert counts(result) == {"added": 0, "updated": 1, "deactivated": 1, "unchanged": 3}
    assert result.approvals_moved == 1

    staff = await people(ayo)
    sri = staff[SRI]
    assert (sri.active, sri.deactivated_at) == (False, clock())
    old, new = await steps(ayo, request.id)
    assert (old.approver_id, old.status) == (sri.id, "reassigned")
    assert (new.approver_id, new.status) == (staff[AGUS].id, "waiting")
    async with ayo.db.sessions() as session:
        to_agus = await session.scalar(
            select(func.count(OutboxItem.id)).where(OutboxItem.employee_id == staff[AGUS].id)
        )
        total = await session.scalar(select(func.count(Employee.id)))
    assert to_agus == 1  # the approval prompt, with its buttons
    assert total == 5  # never deleted
    again = await sync(ayo, csv_of(*without_sri))
    assert counts(again) == {"added": 0, "updated": 0, "deactivated": 0, "unchanged": 5}


async def test_one_bad_row_means_nothing_is_written(ayo: App) -> None:
    await sync(ayo, BASE)
    renamed = ROWS[DIMAS].replace("Dimas Prasetyo", "Dimas P.")
    bad = ROWS[WULAN].replace("081210000005", "021555123")
    result = await sync(ayo, csv_of(ROWS[BUDI], ROWS[AGUS], ROWS[SRI], renamed, bad))
    assert not result.ok and not result.applied
    assert [(e.line, e.code) for e in result.errors] == [(6, "phone")]
    staff = await people(ayo)
    assert staff[DIMAS].name == "Dimas Prasetyo"
    assert staff[WULAN].phone == "+6281210000005"


@pytest.mark.parametrize(
    ("row", "code", "says"),
    [
        (ROWS[DIMAS].replace(DIMAS, DIMAS[:-1], 1), "nip_length", "NIP harus 18 angka"),
        (
            ROWS[DIMAS].replace(DIMAS, "199402302019031004", 1),
            "nip_birth_date",
            "Tanggal lahir dalam NIP (19940230, angka 1–8) tidak mungkin",
        ),
        (
            ROWS[DIMAS].replace(DIMAS, "199402172019033004", 1),
            "nip_gender",
            "Angka ke-15 NIP (3) harus 1 (laki-laki) atau 2 (perempuan)",
        ),
        (
            ROWS[DIMAS].replace(",L,PNS,", ",P,PNS,"),
            "gender_mismatch",
            "Jenis kelamin P tidak sesuai dengan NIP",
        ),
        (
            ROWS[DIMAS].replace(SRI, "198001012005011009"),
            "supervisor_not_found",
            "Atasan dengan NIP 198001012005011009 tidak ada di berkas",
        ),
        (
            ROWS[DIMAS].replace("081210000004", "+6591234567"),
            "phone",
            "bukan nomor ponsel Indonesia",
        ),
        (
            ROWS[DIMAS].replace(DIMAS, "199402172019131004", 1),
            "nip_appointment",
            "Bulan pengangkatan dalam NIP (201913, angka 9–14) tidak mungkin",
        ),
        (
            ROWS[DIMAS].replace("APTIKA,Bidang Aptika,DINAS", "SEKSI,Seksi Data,ENTAHLAH"),
            "unit_parent_not_found",
            "Unit induk ENTAHLAH tidak ada di berkas maupun di data Ayo",
        ),
        (
            ROWS[DIMAS].replace("Bidang Aptika", "Bidang Lain"),
            "unit_conflict",
            "Unit APTIKA di baris 3 bernama 'Bidang Aptika'",
        ),
    ],
    ids=[
        "nip-17-digits",
        "birth-date",
        "gender-digit",
        "gender-mismatch",
        "no-boss",
        "phone",
        "appointment-month",
        "no-parent-unit",
        "unit-named-twice",
    ],
)
async def test_each_bad_row_is_named_by_line_with_a_reason(
    ayo: App, row: str, code: str, says: str
) -> None:
    result = await sync(ayo, csv_of(ROWS[BUDI], ROWS[AGUS], ROWS[SRI], row, ROWS[WULAN]))
    [error] = result.errors
    assert (error.line, error.code) == (5, code)
    assert says in error.reason.id and error.reason.en
    assert await people(ayo) == {}


async def test_a_cycle_in_the_supervisor_chain_and_a_duplicate_nip_are_named(ayo: App) -> None:
    boss_loop = ROWS[BUDI].replace(",DINAS,Dinas Kominfo,,,", f",DINAS,Dinas Kominfo,,{DIMAS},")
    result = await sync(ayo, csv_of(boss_loop, ROWS[AGUS], ROWS[SRI], ROWS[DIMAS], ROWS[DIMAS]))
    found = [(e.line, e.code) for e in result.errors]
    assert (5, "duplicate_nip") in found and (6, "duplicate_nip") in found
    assert "NIP ganda" in result.errors[found.index((5, "duplicate_nip"))].reason.id
    # With both Dimas rows out, Budi's supervisor is gone; without the duplicate, a loop:
    loop = await sync(ayo, csv_of(boss_loop, ROWS[AGUS], ROWS[SRI], ROWS[DIMAS]))
    assert sorted((e.line, e.code) for e in loop.errors) == [
        (2, "supervisor_cycle"),
        (3, "supervisor_cycle"),
        (4, "supervisor_cycle"),
        (5, "supervisor_cycle"),
    ]
    assert "Rantai atasan berputar" in loop.errors[0].reason.id


async def test_skip_bad_imports_the_rest_and_leaves_their_team_out_too(ayo: App) -> None:
    bad_sri = ROWS[SRI].replace("6281210000003", "12345")
    result = await sync(
        ayo, csv_of(ROWS[BUDI], ROWS[AGUS], bad_sri, ROWS[DIMAS], ROWS[WULAN]), skip_bad=True
    )
    assert result.ok and result.applied
    # Dimas reports to Sri, whose row is bad: he is left out rather than left without a boss.
    assert [(e.line, e.code) for e in result.errors] == [(4, "phone"), (5, "supervisor_not_found")]
    assert result.as_json()["skipped_lines"] == [4, 5]
    assert sorted(await people(ayo)) == sorted([BUDI, AGUS, WULAN])


async def test_dry_run_shows_the_changes_and_writes_nothing(ayo: App) -> None:
    result = await sync(ayo, BASE, dry_run=True)
    assert counts(result) == {"added": 5, "updated": 0, "deactivated": 0, "unchanged": 0}
    assert not result.applied
    assert await people(ayo) == {}
    async with ayo.db.sessions() as session:
        assert await session.scalar(select(func.count(OrgUnit.id))) == 0


async def test_an_excel_file_with_bom_and_semicolons_and_a_pppk_ni(ayo: App) -> None:
    pppk = "199612032021211006"  # a PPPK's NI: digits 13–14 are not a month
    rows = [
        "nip;nama;jenis_kelamin;status;tmt;jabatan;kode_unit;nama_unit;kode_unit_induk;"
        "nip_atasan;golongan",
        f"'{BUDI[:8]} {BUDI[8:14]} {BUDI[14]} {BUDI[15:]};Budi Santoso;L;PNS;01/03/1998;"
        "Kepala Dinas;DINAS;Dinas Kominfo;;;IV/c",
        f"{pppk};Fajar Nugroho;L;PPPK;01-07-2021;Analis;DINAS;Dinas Kominfo;;{BUDI};III/a",
    ]
    data = "\ufeff" + "\r\n".join(rows) + "\r\n"
    result = await sync(ayo, data.encode("utf-8"))
    assert result.ok, result.errors
    assert (result.encoding, result.delimiter) == ("utf-8-sig", ";")
    assert [(w.code, w.column) for w in result.warnings] == [("unknown_column", "golongan")]
    staff = await people(ayo)
    assert sorted(staff) == [BUDI, pppk]
    assert staff[pppk].employment == "PPPK"


async def test_a_missing_required_column_stops_the_file(ayo: App) -> None:
    result = await sync(ayo, csv_of(header=HEADER.replace("nip_atasan,", "")))
    assert [(e.line, e.code, e.column) for e in result.errors] == [
        (1, "missing_column", "nip_atasan")
    ]
    assert result.errors[0].reason.id == "Kolom wajib tidak ada: nip_atasan."


def test_the_cli_imports_with_json_and_refuses_a_bad_file(
    database_url: str, tmp_path: Path
) -> None:
    env = ayo_env(database_url, tmp_path)
    env["AYO_DEMO"] = "0"
    good = tmp_path / "pegawai.csv"
    good.write_bytes(BASE)
    dry = run_ayo(["org", "import", str(good), "--dry-run", "--json"], env)
    assert dry.returncode == 0, dry.stderr[-2000:]
    assert json.loads(dry.stdout)["employees"]["added"] == 5
    done = run_ayo(["org", "import", str(good), "--json"], env)
    report = json.loads(done.stdout)
    assert (report["applied"], report["employees"]["added"]) == (True, 5)
    human = run_ayo(["org", "import", str(good)], env)
    assert human.returncode == 0 and "Ringkasan / summary" in human.stdout
    bad = tmp_path / "rusak.csv"
    bad.write_bytes(csv_of(ROWS[BUDI], ROWS[AGUS].replace(AGUS, "1979112020050110")))
    refused = run_ayo(["org", "import", str(bad), "--json"], env)
    assert refused.returncode == 1
    [error] = json.loads(refused.stdout)["errors"]
    assert (error["line"], error["code"]) == (3, "nip_length")


async def test_with_nobody_left_above_the_approval_goes_to_an_hr_admin(
    ayo: App, clock: FixedClock
) -> None:
    await sync(ayo, BASE)
    request = await leave(
        ayo, clock, "Agus Setiawan", date(2026, 12, 7), date(2026, 12, 8), days=2
    )
    # Budi, the head of the OPD and Agus's approver, left; Agus and Wulan have no boss now.
    top = [
        r.replace(f",DINAS,{BUDI},", ",DINAS,,").replace(f",,{BUDI},", ",,,")
        for n, r in ROWS.items()
        if n != BUDI
    ]
    result = await sync(ayo, csv_of(*top))
    assert counts(result)["deactivated"] == 1 and result.approvals_moved == 1
    staff = await people(ayo)
    old, new = await steps(ayo, request.id)
    assert (old.approver_id, old.status) == (staff[BUDI].id, "reassigned")
    assert (new.approver_id, new.status) == (staff[WULAN].id, "waiting")


async def test_a_phone_of_someone_who_left_can_go_to_a_newcomer(ayo: App) -> None:
    await sync(ayo, BASE)
    rina = "199510012020032005"
    newcomer = (
        f"{rina},Rina Oktaviani,,,P,PNS,2020-03-01,Analis,APTIKA,Bidang Aptika,DINAS,{AGUS},,"
        "081210000003,,0,,"
    )
    rows = [
        r.replace(f",{SRI},operator", f",{AGUS},operator") for n, r in ROWS.items() if n != SRI
    ]
    result = await sync(ayo, csv_of(*rows, newcomer))
    assert result.ok and counts(result)["added"] == 1
    staff = await people(ayo)
    assert (staff[SRI].active, staff[SRI].phone) == (False, None)
    assert staff[rina].phone == "+6281210000003"


async def test_the_same_phone_on_two_rows_names_both_lines(ayo: App) -> None:
    twin = ROWS[DIMAS].replace("081210000004", "081210000003")
    result = await sync(ayo, csv_of(ROWS[BUDI], ROWS[AGUS], ROWS[SRI], twin, ROWS[WULAN]))
    assert [(e.line, e.code) for e in result.errors] == [
        (4, "duplicate_phone"),
        (5, "duplicate_phone"),
    ]
    assert "juga dipakai di baris 5" in result.errors[0].reason.id


async def test_a_post_without_cuti_bersama_is_set_by_the_file_and_adds_those_days(
    ayo: App,
) -> None:
    # PP 11/2017 Ps. 333 ayat (3): the 8 cuti bersama of 2026 (Keppres 42/2025) are added to
    # the cuti tahunan of someone whose post keeps them at work.
    header = HEADER + ",tanpa_cuti_bersama"
    marked = {n: r + (",ya" if n == SRI else ",") for n, r in ROWS.items()}
    assert (await sync(ayo, csv_of(*marked.values(), header=header))).ok

    async def entitled(nip: str) -> tuple[bool, float]:
        async with ayo.db.sessions() as session:
            who = await session.scalar(select(Employee).where(Employee.nip == nip))
            got = await annual_balance(
                session, who, 2026, rules=ayo.deps.leave_rules, calendar=ayo.deps.calendar
            )
        return who.cuti_bersama_denied, got.annual.entitled

    assert await entitled(SRI) == (True, 20.0)
    assert await entitled(WULAN) == (False, 12.0)
    # Without the column the flag stays as it is; "tidak" takes it away again.
    assert counts(await sync(ayo, BASE))["updated"] == 0
    assert await entitled(SRI) == (True, 20.0)
    marked[SRI] = ROWS[SRI] + ",tidak"
    again = await sync(ayo, csv_of(*marked.values(), header=header))
    assert [(c["nip"], c["fields"]) for c in again.as_json()["changes"]] == [
        (SRI, ["cuti_bersama_denied"])
    ]
    assert await entitled(SRI) == (False, 12.0)
    # Anything but ya / tidak is a bad row, named by its line.
    marked[SRI] = ROWS[SRI] + ",kadang"
    bad = await sync(ayo, csv_of(*marked.values(), header=header))
    # Her row is refused, so the row naming her as supervisor is refused too.
    assert [(e.line, e.code, e.column) for e in bad.errors] == [
        (4, "yes_no", "tanpa_cuti_bersama"),
        (5, "supervisor_not_found", "nip_atasan"),
    ]
