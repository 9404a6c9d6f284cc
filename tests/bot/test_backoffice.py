"""The back office over real HTTP (a real `ayo serve`): scopes, the inbox, CSRF, exports."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from bot.app import App
from tests.support.console import ayo_env
from tests.support.server import ayo_server

DIMAS = "199402172019031005"  # Diskominfo employee
WULAN = "198902142014032019"  # HR admin at BKPSDM, operator of the BKPSDM desk
RINA = "199510012020032021"  # operator of the BKPSDM desk
PUTRI = "199804112024062008"  # operator of the IT helpdesk
AGUS = "197911202005011003"  # head of Dimas's division (a supervisor)
SLAMET = "198203172007031031"  # a supervisor at the Health Office
AYU = "199508182020032032"  # Health Office employee


@pytest.fixture
def server(ayo: App, database_url: str, tmp_path: Path) -> Iterator[str]:
    with ayo_server(ayo_env(database_url, tmp_path)) as url:
        yield url


@contextmanager
def browser(url: str, nip: str | None) -> Iterator[httpx.Client]:
    """A client logged in (demo picker) as `nip`; its CSRF token in `client.csrf`."""
    with httpx.Client(base_url=url, timeout=30) as client:
        if nip is not None:
            assert client.post("/api/local/login/demo", json={"nip": nip}).status_code == 200
            client.csrf = client.get("/api/local/session").json()["csrf"]  # type: ignore[attr-defined]
        yield client


def say(client: httpx.Client, text: str) -> str:
    messages = client.post(
        "/api/local/me/messages",
        json={"text": text},
        headers={"X-CSRF-Token": client.csrf},  # type: ignore[attr-defined]
    ).json()["messages"]
    return "\n".join(m["text"] for m in messages)


def poll(client: httpx.Client) -> str:
    return "\n".join(m["text"] for m in client.get("/api/local/me/messages").json()["messages"])


def case_id(page: str) -> int:
    found = re.search(r'href="/admin/cases/(\d+)"', page)
    assert found, page
    return int(found.group(1))


def test_without_a_session_the_back_office_asks_to_log_in(server: str) -> None:
    with browser(server, None) as anonymous:
        page = anonymous.get("/admin/inbox", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"] == "/admin/login"
        login = anonymous.get("/admin/login").text
        assert "Masuk ke kantor belakang" in login
        # The demo lists the people who have a back office: operators, supervisors, HR.
        assert "Wulan Sari" in login and "Rizky Ramadhan" in login
        assert "Dimas Prasetyo" not in login


def test_an_employee_without_a_role_sees_nothing(server: str) -> None:
    with browser(server, DIMAS) as dimas:
        assert dimas.get("/admin/dashboard").status_code == 403
        assert dimas.get("/admin/inbox").status_code == 403


def test_an_operator_takes_replies_and_closes_a_case(server: str) -> None:
    with browser(server, DIMAS) as dimas, browser(server, WULAN) as wulan:
        assert "PTG-" in say(dimas, "mau bicara dengan petugas kepegawaian")
        say(dimas, "sk pangkat saya belum terbit")
        inbox = wulan.get("/admin/inbox").text
        assert "Dimas Prasetyo" in inbox
        number = case_id(inbox)
        page = wulan.get(f"/admin/cases/{number}").text
        assert "sk pangkat saya belum terbit" in page
        assert "Ambil kasus" in page

        # Without the session's CSRF token nothing changes.
        assert wulan.post(f"/admin/cases/{number}/take").status_code == 403
        assert (
            wulan.post(f"/admin/cases/{number}/take", data={"csrf_token": "x"}).status_code == 403
        )
        taken = wulan.post(
            f"/admin/cases/{number}/take",
            data={"csrf_token": wulan.csrf},
            follow_redirects=False,
        )
        assert taken.status_code == 303
        assert "Wulan dari Layanan Kepegawaian BKPSDM menangani kasus" in poll(dimas)

        wulan.post(
            f"/admin/cases/{number}/reply",
            data={"csrf_token": wulan.csrf, "text": "SK terbit Kamis, Pak."},
        )
        assert "👤 Wulan (PTG-" in (got := poll(dimas)) and "SK terbit Kamis, Pak." in got

        # Another operator of the same desk may look but not answer a case taken by Wulan.
        with browser(server, RINA) as rina:
            refused = rina.post(
                f"/admin/cases/{number}/reply", data={"csrf_token": rina.csrf, "text": "halo"}
            )
            assert refused.status_code == 400
            assert "ditangani petugas lain" in refused.text
        # A helpdesk operator does not even see it.
        with browser(server, PUTRI) as putri:
            assert putri.get(f"/admin/cases/{number}").status_code == 404
            assert "Dimas Prasetyo" not in putri.get("/admin/inbox").text

        empty = wulan.post(f"/admin/cases/{number}/close", data={"csrf_token": wulan.csrf})
        assert empty.status_code == 400
        assert "Tulis catatan penutup" in empty.text
        wulan.post(
            f"/admin/cases/{number}/close",
            data={"csrf_token": wulan.csrf, "note": "Dijelaskan jadwal SK"},
        )
        closed = poll(dimas)
        assert "selesai. Catatan petugas: Dijelaskan jadwal SK" in closed
        page = wulan.get(f"/admin/cases/{number}").text
        assert "selesai" in page and "Kirim balasan" not in page

        audit = wulan.get("/admin/audit", params={"entity": "handoff"}).text
        for action in ("opened", "taken", "message.operator", "refused.reply.not_taker", "closed"):
            assert action in audit
        exported = wulan.get("/admin/audit.csv", params={"entity": "handoff"})
        assert exported.headers["content-type"].startswith("text/csv")
        assert exported.text.lstrip("\ufeff").startswith("id,at,actor_nip,actor,channel,entity")
        assert "Dijelaskan" not in exported.text  # the note's text is not in the audit trail


def test_a_supervisor_sees_only_their_team(server: str) -> None:
    with browser(server, DIMAS) as dimas, browser(server, AYU) as ayu:
        say(dimas, "mau bicara dengan petugas kepegawaian")
        say(ayu, "mau bicara dengan petugas kepegawaian")
    with browser(server, AGUS) as agus:
        inbox = agus.get("/admin/inbox").text
        assert "Dimas Prasetyo" in inbox and "Ayu Wandira" not in inbox
        page = agus.get(f"/admin/cases/{case_id(inbox)}").text
        assert "Anda hanya dapat melihat kasus ini" in page
        assert "Kirim balasan" not in page
    with browser(server, SLAMET) as slamet:
        inbox = slamet.get("/admin/inbox").text
        assert "Ayu Wandira" in inbox and "Dimas Prasetyo" not in inbox


def test_the_dashboard_counts_today(server: str) -> None:
    with browser(server, DIMAS) as dimas:
        say(dimas, "mau bicara dengan petugas kepegawaian")
    with browser(server, WULAN) as wulan:
        page = wulan.get("/admin/dashboard").text
        assert "seluruh kota" in page
        assert re.search(r'id="n-messages">1<', page)
        assert re.search(r'id="n-cases">1<', page)
        english = wulan.get(
            "/admin/lang/en", params={"back": "/admin/dashboard"}, follow_redirects=True
        ).text
        assert "whole city" in english and "cases waiting" in english


def test_request_filters_validate_and_export(server: str) -> None:
    with browser(server, WULAN) as wulan:
        bad = wulan.get("/admin/requests", params={"start": "2026-13-01"})
        assert bad.status_code == 400
        assert "tidak valid" in bad.text
        backwards = wulan.get(
            "/admin/requests", params={"start": "2026-12-05", "end": "2026-12-01"}
        )
        assert "sebelum tanggal awal" in backwards.text
        exported = wulan.get("/admin/requests.csv")
        assert exported.text.lstrip("\ufeff").startswith("ref,service,status,nip,name,unit")


ROSTER = (
    "nip;nama;gelar_depan;gelar_belakang;jenis_kelamin;status;tmt;jabatan;kode_unit;nama_unit;"
    "kode_unit_induk;nip_atasan;peran;telepon;email;jumlah_anak;sisa_cuti_n1;sisa_cuti_n2\n"
    "197101181997032016;Siti Rahmawati;;;P;PNS;01-03-1997;Kepala Badan;BKPSDM;"
    "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia;;;supervisor;;;;;\n"
    "198902142014032019;Wulan Sari;;;P;PNS;01-03-2014;Analis SDM Aparatur;BKPSDM;"
    "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia;;197101181997032016;hr_admin;;;;;\n"
    "200001012025011001;Bima Sakti;;;L;PNS;01-01-2025;Analis Kepegawaian;BKPSDM;"
    "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia;;198902142014032019;;;;;;\n"
)


def cell(page: str, table: str, row: str) -> list[str]:
    """The cells of the row headed `row` in the table with id `table`."""
    body = page.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    found = re.search(rf"<tr><th>{row}</th>(.*?)</tr>", body, re.S)
    assert found, body
    return re.findall(r"<td>(.*?)</td>", found.group(1))


def test_city_hr_imports_the_roster_after_a_dry_run(server: str) -> None:
    with browser(server, WULAN) as wulan:
        upload = {"file": ("pegawai.csv", ROSTER.encode(), "text/csv")}
        checked = wulan.post("/admin/org/check", data={"csrf_token": wulan.csrf}, files=upload)
        assert checked.status_code == 200
        assert "Hasil uji coba" in checked.text
        # The demo has 44 employees; 2 are in the file, so 42 would be deactivated.
        added, _updated, gone, _same = cell(checked.text, "counts", "Pegawai")
        assert (added, gone) == ("1", "42")
        assert "Bima Sakti" in checked.text
        content = re.search(r'name="content" value="([^"]+)"', checked.text).group(1)
        # The dry run changed nothing.
        assert "Bima Sakti" not in wulan.get("/api/local/users").text

        applied = wulan.post(
            "/admin/org/apply",
            data={"csrf_token": wulan.csrf, "content": content, "name": "pegawai.csv"},
        )
        assert "Sudah diterapkan" in applied.text
        assert "Bima Sakti" in wulan.get("/api/local/users").text
        audit = wulan.get("/admin/audit", params={"entity": "organisation"}).text
        assert "org.checked" in audit and "org.applied" in audit


def test_a_bad_roster_shows_its_errors_and_cannot_be_applied(server: str) -> None:
    bad = ROSTER.replace("200001012025011001", "12345")
    with browser(server, WULAN) as wulan:
        upload = {"file": ("pegawai.csv", bad.encode(), "text/csv")}
        checked = wulan.post("/admin/org/check", data={"csrf_token": wulan.csrf}, files=upload)
        assert checked.status_code == 400
        assert 'id="errors"' in checked.text
        assert "<td>4</td>" in checked.text  # the file's line 4
        assert 'action="/admin/org/apply"' not in checked.text
        empty = wulan.post("/admin/org/check", data={"csrf_token": wulan.csrf})
        assert empty.status_code == 400 and "Pilih berkas CSV dulu" in empty.text
    with browser(server, AGUS) as agus:  # a supervisor, not the city's HR
        assert agus.get("/admin/org").status_code == 403


def test_city_hr_previews_and_sends_a_broadcast(server: str) -> None:
    message = {
        "title": "Apel pagi",
        "text_id": "Apel pagi Senin pukul 07.30 di halaman balai kota.",
        "text_en": "Morning assembly Monday 07:30 in the city hall yard.",
        "audience": "unit:DISKOMINFO-APTIKA",
    }
    with browser(server, WULAN) as wulan:
        missing = wulan.post(
            "/admin/broadcasts/preview",
            data={**message, "text_en": "", "csrf_token": wulan.csrf},
        )
        assert missing.status_code == 400 and "Pesan (English) wajib diisi" in missing.text
        preview = wulan.post(
            "/admin/broadcasts/preview", data={**message, "csrf_token": wulan.csrf}
        )
        # Agus, Sri, Dimas, Nurul, Fajar, Putri and Rizky work in Aplikasi Informatika.
        assert re.search(r"<b>7</b>", preview.text)
        sent = wulan.post(
            "/admin/broadcasts/send",
            data={**message, "csrf_token": wulan.csrf},
            follow_redirects=False,
        )
        assert sent.status_code == 303
        report = wulan.get(sent.headers["location"]).text
        assert re.search(r'id="n-total">7<', report)
        assert (
            "broadcast.created" in wulan.get("/admin/audit", params={"entity": "broadcast"}).text
        )
    with browser(server, DIMAS) as dimas:
        assert "Apel pagi Senin pukul 07.30" in poll(dimas)
    with browser(server, AGUS) as agus:
        assert agus.get("/admin/broadcasts").status_code == 403
