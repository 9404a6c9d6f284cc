"""The learning page, `/admin/learning`: JP per employee, unit and competency type against the
target with the projection to year end, learning days and streaks per week, and the CSV.

HR admins see their OPD (the city's HR: everyone), supervisors their team; nobody else.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from datetime import date
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from bot.app import App
from bot.backoffice import charts
from bot.backoffice.access import Scope
from bot.backoffice.kit import Pages, csv_response, lang_of, require
from bot.backoffice.learning_data import COMPETENCIES, LearningView, learning_view, scoped_units
from lessons.report import COLUMNS

PER_PAGE = 25  # people per page of the table; the tiles and the CSV count everyone
CHART_LIMIT = 30  # people drawn, the furthest behind first
CSV_EXTRA = ("jp_projected", "on_track", "streak", "best_streak")
COMPETENCY_NAMES = {
    "teknis": ("Teknis", "Technical"),
    "manajerial": ("Manajerial", "Managerial"),
    "sosial_kultural": ("Sosial kultural", "Socio-cultural"),
}


def _reads_learning(scope: Scope) -> bool:
    return scope.hr or bool(scope.employees)


def learning_routes(app: App) -> APIRouter:
    routes = APIRouter(prefix="/admin", include_in_schema=False)
    pages = Pages(app)

    def today() -> date:
        return app.deps.clock().astimezone(ZoneInfo(app.settings.timezone)).date()

    def checked(year: int | None, unit: str) -> tuple[int, list[str]]:
        now = today()
        chosen = year or now.year
        errors = []
        if not 2000 <= chosen <= now.year:
            errors.append(
                f"Tahun {chosen} tidak dapat dilaporkan (2000–{now.year}) / "
                f"year {chosen} cannot be reported"
            )
        return chosen, errors

    async def view_for(scope: Scope, year: int, unit: str) -> LearningView:
        async with app.db.sessions() as session:
            return await learning_view(
                session, scope, year=year, unit=unit or None, today=today(),
                settings=app.settings, calendar=app.deps.calendar,
            )  # fmt: skip

    @routes.get("/learning")
    async def learning_page(
        request: Request, year: int | None = None, unit: str = "", page: int = 1
    ) -> Response:
        scope = require(_reads_learning, await pages.page_scope(request))
        chosen, errors = checked(year, unit)
        async with app.db.sessions() as session:
            units = await scoped_units(session, scope)
        if unit and unit not in {u.code for u in units}:
            errors.append(f"Unit {unit[:40]} tidak ada dalam lingkup Anda / not in your scope")
        view = None if errors else await view_for(scope, chosen, unit)
        lang = lang_of(request)
        return pages.render(
            request, "learning.html", scope, code=400 if errors else 200, view=view,
            errors=errors, units=units, f={"year": chosen, "unit": unit},
            chart=_charts(view, app.settings.jp_target_pns, lang) if view else {},
            competencies=[(c, COMPETENCY_NAMES[c]) for c in COMPETENCIES],
            paging=paging(len(view.people) if view else 0, page),
        )  # fmt: skip

    @routes.get("/learning.csv")
    async def learning_csv(request: Request, year: int | None = None, unit: str = "") -> Response:
        scope = require(_reads_learning, await pages.page_scope(request))
        chosen, errors = checked(year, unit)
        async with app.db.sessions() as session:
            units = {u.code for u in await scoped_units(session, scope)}
        if errors or (unit and unit not in units):
            raise HTTPException(400, "bad filter / saringan tidak valid")
        view = await view_for(scope, chosen, unit)
        async with app.db.transaction() as session:
            pages.audit(
                session, scope, entity="export", action="exported.learning",
                detail={"rows": len(view.people), "year": chosen, "unit": unit},
            )  # fmt: skip
        name = f"jp-{chosen}{'-' + unit if unit else ''}.csv"
        return csv_response(to_csv(view), name)

    return routes


@dataclass(frozen=True, slots=True)
class Paging:
    """One page of the people table: which rows, and the real total they are part of."""

    page: int
    pages: int
    total: int
    first: int  # index of the first row shown (0-based)
    last: int  # index after the last row shown

    @property
    def previous(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


def paging(total: int, page: int, per_page: int = PER_PAGE) -> Paging:
    """Page `page` of `total` rows; a page past either end shows the nearest one."""
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    first = (page - 1) * per_page
    return Paging(page, pages, total, first, min(first + per_page, total))


def to_csv(view: LearningView) -> str:
    """The columns of `ayo lessons report` (lessons/report.py), then the projection and streak."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=(*COLUMNS, *CSV_EXTRA), lineterminator="\n")
    writer.writeheader()
    for p in sorted(view.people, key=lambda p: p.row.nip):
        data = asdict(p.row)
        data["target_met"] = "ya" if p.row.target_met else "tidak"
        data["accuracy_pct"] = "" if p.row.accuracy_pct is None else p.row.accuracy_pct
        data["jp_projected"] = round(p.projection.projected, 2)
        data["on_track"] = "ya" if p.projection.on_track else "tidak"
        data["streak"], data["best_streak"] = p.streak.current, p.streak.best
        writer.writerow(data)
    return out.getvalue()


def _charts(view: LearningView, target: float, lang: str) -> dict[str, object]:
    def t(id_text: str, en_text: str) -> str:
        return en_text if lang == "en" else id_text

    target_label = t(f"target PNS {target:.0f} JP", f"PNS target {target:.0f} JP")
    people = [
        charts.Bar(
            p.row.name,
            p.row.jp_total,
            f"{p.row.jp_total:.1f} → {p.projection.projected:.1f}",
            "ceiling" if p.projection.ceiling else ("" if p.projection.on_track else "behind"),
        )
        for p in view.people[:CHART_LIMIT]
    ]
    units = [
        charts.Bar(u.code, u.jp_avg, f"{u.jp_avg:.1f} → {u.projected_avg:.1f}") for u in view.units
    ]
    kinds = [
        charts.Bar(COMPETENCY_NAMES[c][lang == "en"], v, f"{v:.1f}")
        for c, v in view.competency_avg.items()
    ]
    kinds.append(charts.Bar(t("Jumlah", "Total"), view.jp_avg, f"{view.jp_avg:.1f}", "total"))
    weeks = view.weeks
    return {
        "people": charts.hbars(
            people,
            title=t("JP per pegawai (sekarang → proyeksi)", "JP per employee (now → projected)"),
            target=target,
            target_label=target_label,
        ),
        "units": charts.hbars(
            units,
            title=t("Rata-rata JP per unit", "Average JP per unit"),
            target=target,
            target_label=target_label,
        ),
        "kinds": charts.hbars(
            kinds,
            title=t("Rata-rata JP per jenis kompetensi", "Average JP per competency type"),
            target=target,
            target_label=target_label,
        ),
        "weeks": charts.columns_with_line(
            [w.start.strftime("%d/%m") for w in weeks],
            [w.days_done for w in weeks],
            [w.streaking for w in weeks],
            title=t("Hari belajar selesai dan runtun per minggu", "Learning days and streaks"),
            column_name=t("hari belajar selesai", "learning days done"),
            line_name=t("orang dengan runtun aktif", "people with a live streak"),
        ),
    }
