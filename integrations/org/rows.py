"""One CSV row on its own: NIP, gender, status, dates, phone, numbers, roles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from core.storage.models.org import ROLES
from core.text import T
from integrations.org.problems import Problem

EMPLOYMENT = ("PNS", "CPNS", "PPPK")
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ROLE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass
class Person:
    """A valid row, normalised; `None` in an optional field means its column was absent."""

    line: int
    nip: str
    name: str
    gender: str
    employment: str
    service_start: date
    position: str
    unit_code: str
    unit_name: str
    parent_code: str | None
    supervisor_nip: str | None
    title_front: str | None = None
    title_back: str | None = None
    roles: tuple[str, ...] | None = None
    phone: str | None = None
    email: str | None = None
    children: int | None = None
    # The post denies cuti bersama (`tanpa_cuti_bersama`): those days go to cuti tahunan.
    cuti_bersama_denied: bool = False
    balance_n1: float | None = None
    balance_n2: float | None = None
    # Which optional columns the file had (an absent column leaves the field alone).
    has: frozenset[str] = frozenset()


class RowError(Exception):
    def __init__(self, column: str, code: str, reason: T) -> None:
        super().__init__(reason.en)
        self.column, self.code, self.reason = column, code, reason


def clean_nip(raw: str) -> str:
    """The NIP as typed: spaces (19720314 199803 1 001) and Excel's leading apostrophe dropped."""
    return re.sub(r"\s", "", raw).lstrip("'")


def check_nip(nip: str, employment: str, gender: str | None, column: str = "nip") -> None:
    if re.fullmatch(r"\d+(\.\d+)?[eE]\+?\d+", nip):
        raise RowError(
            column,
            "nip_excel",
            T(
                f"NIP {nip} dirusak Excel (angka ilmiah); format kolom NIP sebagai Teks.",
                f"NIP {nip} was mangled by Excel (scientific notation); format the NIP column "
                "as Text.",
            ),
        )
    if not re.fullmatch(r"\d{18}", nip):
        raise RowError(
            column,
            "nip_length",
            T(
                f"NIP harus 18 angka, tertulis {nip!r} ({len(nip)} karakter).",
                f"A NIP has 18 digits; this one is {nip!r} ({len(nip)} characters).",
            ),
        )
    try:
        born = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        born = None
    if born is None or born.year < 1900:
        raise RowError(
            column,
            "nip_birth_date",
            T(
                f"Tanggal lahir dalam NIP ({nip[0:8]}, angka 1–8) tidak mungkin.",
                f"The birth date in the NIP ({nip[0:8]}, digits 1–8) is impossible.",
            ),
        )
    # A PPPK's NI holds the appointment year and the number of work agreements here.
    if employment != "PPPK" and not 1 <= int(nip[12:14]) <= 12:
        raise RowError(
            column,
            "nip_appointment",
            T(
                f"Bulan pengangkatan dalam NIP ({nip[8:14]}, angka 9–14) tidak mungkin.",
                f"The appointment month in the NIP ({nip[8:14]}, digits 9–14) is impossible.",
            ),
        )
    if nip[14] not in "12":
        raise RowError(
            column,
            "nip_gender",
            T(
                f"Angka ke-15 NIP ({nip[14]}) harus 1 (laki-laki) atau 2 (perempuan).",
                f"Digit 15 of the NIP ({nip[14]}) must be 1 (male) or 2 (female).",
            ),
        )
    if gender is not None and {"1": "L", "2": "P"}[nip[14]] != gender:
        raise RowError(
            "jenis_kelamin",
            "gender_mismatch",
            T(
                f"Jenis kelamin {gender} tidak sesuai dengan NIP (angka ke-15 = {nip[14]}).",
                f"Gender {gender} disagrees with the NIP (digit 15 = {nip[14]}).",
            ),
        )


def birth_date(nip: str) -> date:
    return date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))


def phone_e164(raw: str) -> str:
    """An Indonesian mobile number (08…, 628…, +628…) in E.164: +628…; RowError otherwise."""
    digits = re.sub(r"[\s\-().]", "", raw)
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("0"):
        digits = "62" + digits[1:]
    # 8 and 9 to 12 more digits: 0812-345-678 (10 digits) up to 0812-3456-78901 (13).
    if not re.fullmatch(r"628\d{8,11}", digits):
        raise RowError(
            "telepon",
            "phone",
            T(
                f"Telepon {raw!r} bukan nomor ponsel Indonesia (08…, 628… atau +628…).",
                f"Phone {raw!r} is not an Indonesian mobile number (08…, 628… or +628…).",
            ),
        )
    return "+" + digits


def _date(raw: str, column: str) -> date:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise RowError(
        column,
        "date",
        T(
            f"Tanggal {column} {raw!r} tidak dikenali (pakai TTTT-BB-HH atau HH-BB-TTTT).",
            f"Date {column} {raw!r} is not understood (use YYYY-MM-DD or DD-MM-YYYY).",
        ),
    )


def _number(raw: str, column: str, *, whole: bool, most: float) -> float | None:
    if raw == "":
        return None
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        value = -1.0
    if value < 0 or value > most or (whole and value != int(value)):
        kind = T("bilangan bulat", "a whole number") if whole else T("angka", "a number")
        raise RowError(
            column,
            "number",
            T(
                f"{column} {raw!r} harus {kind.id} 0–{most:g}.",
                f"{column} {raw!r} must be {kind.en} from 0 to {most:g}.",
            ),
        )
    return value


YES = frozenset({"ya", "y", "1", "yes", "true"})
NO = frozenset({"tidak", "t", "0", "no", "false", ""})  # an empty cell: the usual case


def _yes_no(raw: str, column: str) -> bool:
    folded = raw.strip().casefold()
    if folded in YES or folded in NO:
        return folded in YES
    raise RowError(
        column,
        "yes_no",
        T(
            f"{column} {raw!r} harus ya atau tidak.",
            f"{column} {raw!r} must be ya (yes) or tidak (no).",
        ),
    )


def _required(values: dict[str, str], column: str) -> str:
    value = values.get(column, "")
    if not value:
        raise RowError(
            column, "required", T(f"Kolom {column} kosong.", f"Column {column} is empty.")
        )
    return value


def roles_of(raw: str) -> tuple[tuple[str, ...], list[str]]:
    """The roles listed, and those Ayo does not know yet (kept, but worth a warning)."""
    roles = tuple(dict.fromkeys(r.strip().lower() for r in re.split(r"[,;|]", raw) if r.strip()))
    for role in roles:
        if not _ROLE.match(role):
            raise RowError(
                "peran",
                "role",
                T(
                    f"Peran {role!r} tidak sah (huruf kecil, angka dan _ saja).",
                    f"Role {role!r} is not valid (lower-case letters, digits and _ only).",
                ),
            )
    return roles, [r for r in roles if r not in ROLES]


def read_person(line: int, values: dict[str, str], columns: tuple[str, ...]) -> Person:
    """The row as a Person, or RowError with the column and the reason."""
    nip = clean_nip(_required(values, "nip"))
    name = _required(values, "nama")
    gender = _required(values, "jenis_kelamin").upper()
    if gender not in ("L", "P"):
        raise RowError(
            "jenis_kelamin",
            "gender",
            T(
                f"Jenis kelamin {gender!r} harus L atau P.",
                f"Gender {gender!r} must be L or P.",
            ),
        )
    employment = _required(values, "status").upper()
    if employment not in EMPLOYMENT:
        raise RowError(
            "status",
            "status",
            T(
                f"Status {employment!r} harus PNS, CPNS atau PPPK.",
                f"Status {employment!r} must be PNS, CPNS or PPPK.",
            ),
        )
    check_nip(nip, employment, gender)
    tmt = _date(_required(values, "tmt"), "tmt")
    if tmt <= birth_date(nip):
        raise RowError(
            "tmt",
            "tmt_before_birth",
            T(
                f"TMT {tmt:%Y-%m-%d} tidak mungkin sebelum tanggal lahir di NIP.",
                f"TMT {tmt:%Y-%m-%d} cannot be before the birth date in the NIP.",
            ),
        )
    supervisor = clean_nip(values.get("nip_atasan", "")) or None
    if supervisor is not None:
        check_nip(supervisor, "PPPK", None, column="nip_atasan")
    has = frozenset(c for c in columns if c in values)
    person = Person(
        line=line,
        nip=nip,
        name=name,
        gender=gender,
        employment=employment,
        service_start=tmt,
        position=values.get("jabatan", ""),
        unit_code=_required(values, "kode_unit").upper(),
        unit_name=_required(values, "nama_unit"),
        parent_code=values.get("kode_unit_induk", "").upper() or None,
        supervisor_nip=supervisor,
        title_front=values.get("gelar_depan"),
        title_back=values.get("gelar_belakang"),
        has=has,
    )
    if "peran" in has:
        person.roles = roles_of(values["peran"])[0]
    if values.get("telepon"):
        person.phone = phone_e164(values["telepon"])
    if values.get("email"):
        if not _EMAIL.match(values["email"]):
            raise RowError(
                "email",
                "email",
                T(
                    f"Email {values['email']!r} tidak sah.",
                    f"Email {values['email']!r} is not valid.",
                ),
            )
        person.email = values["email"].lower()
    denied = values.get("tanpa_cuti_bersama", "")
    person.cuti_bersama_denied = _yes_no(denied, "tanpa_cuti_bersama")
    children = _number(values.get("jumlah_anak", ""), "jumlah_anak", whole=True, most=30)
    person.children = int(children) if children is not None else None
    person.balance_n1 = _number(
        values.get("sisa_cuti_n1", ""), "sisa_cuti_n1", whole=False, most=24
    )
    person.balance_n2 = _number(
        values.get("sisa_cuti_n2", ""), "sisa_cuti_n2", whole=False, most=24
    )
    return person


def check_row(line: int, values: dict[str, str], columns: tuple[str, ...]) -> Person | Problem:
    try:
        return read_person(line, values, columns)
    except RowError as exc:
        return Problem(line, exc.code, exc.reason, exc.column, clean_nip(values.get("nip", "")))
