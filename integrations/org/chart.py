"""The rows against each other: duplicate NIPs and phones, units, the supervisor chain.

A row that fails here is bad like a row that failed on its own; with `--skip-bad` a row whose
supervisor (or unit parent) was left out is left out too, so what is written stays whole.
"""

from __future__ import annotations

from collections import defaultdict

from core.text import T
from integrations.org.problems import Problem
from integrations.org.rows import Person


def _lines(lines: list[int]) -> str:
    return ", ".join(str(n) for n in lines)


def duplicates(people: list[Person]) -> list[Problem]:
    problems: list[Problem] = []
    by_nip: dict[str, list[Person]] = defaultdict(list)
    by_phone: dict[str, list[Person]] = defaultdict(list)
    for p in people:
        by_nip[p.nip].append(p)
        if p.phone:
            by_phone[p.phone].append(p)
    for nip, same in by_nip.items():
        if len(same) > 1:
            for p in same:
                others = _lines([o.line for o in same if o is not p])
                problems.append(
                    Problem(
                        p.line,
                        "duplicate_nip",
                        T(
                            f"NIP ganda: NIP yang sama juga ada di baris {others}.",
                            f"Duplicate NIP: the same NIP is also on line {others}.",
                        ),
                        "nip",
                        nip,
                    )
                )
    for phone, same in by_phone.items():
        if len(same) > 1:
            for p in same:
                others = _lines([o.line for o in same if o is not p])
                problems.append(
                    Problem(
                        p.line,
                        "duplicate_phone",
                        T(
                            f"Nomor telepon {phone} juga dipakai di baris {others}.",
                            f"Phone {phone} is also used on line {others}.",
                        ),
                        "telepon",
                        p.nip,
                    )
                )
    return problems


def unit_conflicts(people: list[Person]) -> list[Problem]:
    """A unit code must have one name and one parent throughout the file."""
    first: dict[str, Person] = {}
    problems: list[Problem] = []
    for p in people:
        seen = first.setdefault(p.unit_code, p)
        if seen is p:
            continue
        if (seen.unit_name, seen.parent_code) != (p.unit_name, p.parent_code):
            problems.append(
                Problem(
                    p.line,
                    "unit_conflict",
                    T(
                        f"Unit {p.unit_code} di baris {seen.line} bernama {seen.unit_name!r} "
                        f"dengan induk {seen.parent_code or '-'}; di sini berbeda.",
                        f"Unit {p.unit_code} on line {seen.line} is named {seen.unit_name!r} "
                        f"with parent {seen.parent_code or '-'}; this row differs.",
                    ),
                    "kode_unit",
                    p.nip,
                )
            )
    return problems


def hierarchy(people: list[Person], known_units: set[str]) -> list[Problem]:
    """Unit parents and supervisors must exist among the good rows and never loop.

    Runs to a fixed point: leaving a row out can leave its subordinates without a supervisor.
    """
    problems: list[Problem] = []
    good = list(people)
    while True:
        found = _unit_parents(good, known_units) + _supervisors(good)
        if not found:
            return problems
        problems += found
        bad = {id(p) for p in good if p.line in {f.line for f in found}}
        good = [p for p in good if id(p) not in bad]


def _unit_parents(people: list[Person], known_units: set[str]) -> list[Problem]:
    parents = {p.unit_code: p.parent_code for p in people}
    problems: list[Problem] = []
    for p in people:
        parent = p.parent_code
        if parent is None:
            continue
        if parent not in parents and parent not in known_units:
            problems.append(
                Problem(
                    p.line,
                    "unit_parent_not_found",
                    T(
                        f"Unit induk {parent} tidak ada di berkas maupun di data Ayo.",
                        f"Parent unit {parent} is neither in the file nor in Ayo.",
                    ),
                    "kode_unit_induk",
                    p.nip,
                )
            )
            continue
        seen = [p.unit_code]
        code: str | None = parent
        while code is not None and code in parents and code not in seen:
            seen.append(code)
            code = parents[code]
        if code is not None and code in seen:
            problems.append(
                Problem(
                    p.line,
                    "unit_cycle",
                    T(
                        f"Rantai unit induk berputar: {' → '.join([*seen, code])}.",
                        f"The parent-unit chain loops: {' → '.join([*seen, code])}.",
                    ),
                    "kode_unit_induk",
                    p.nip,
                )
            )
    return problems


def _supervisors(people: list[Person]) -> list[Problem]:
    by_nip = {p.nip: p for p in people}
    problems: list[Problem] = []
    for p in people:
        boss = p.supervisor_nip
        if boss is None:
            continue
        if boss not in by_nip:
            problems.append(
                Problem(
                    p.line,
                    "supervisor_not_found",
                    T(
                        f"Atasan dengan NIP {boss} tidak ada di berkas (atau barisnya ditolak).",
                        f"Supervisor NIP {boss} is not in the file (or their row was rejected).",
                    ),
                    "nip_atasan",
                    p.nip,
                )
            )
            continue
        chain = [p.nip]
        nip: str | None = boss
        while nip is not None and nip in by_nip and nip not in chain:
            chain.append(nip)
            nip = by_nip[nip].supervisor_nip
        if nip is not None and nip == p.nip:
            lines = " → ".join(str(by_nip[n].line) for n in [*chain, nip])
            problems.append(
                Problem(
                    p.line,
                    "supervisor_cycle",
                    T(
                        f"Rantai atasan berputar kembali ke pegawai ini (baris {lines}).",
                        f"The supervisor chain loops back to this employee (lines {lines}).",
                    ),
                    "nip_atasan",
                    p.nip,
                )
            )
    return problems
