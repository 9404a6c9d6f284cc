"""Texts about progress: the employee's own, a team's, and a leaderboard."""

from __future__ import annotations

import math
from datetime import date

from core.text import T, join
from lessons.jp import JPSettings, Projection
from lessons.leaderboard import Board
from lessons.progress import YearProgress
from lessons.streaks import Streak
from lessons.team import Standing

COMPETENCY_NAMES = {
    "teknis": T("Teknis", "Technical"),
    "manajerial": T("Manajerial", "Managerial"),
    "sosial_kultural": T("Sosial kultural", "Socio-cultural"),
}


SOURCE_NAMES = {
    "ayo": T("Ayo", "Ayo"),
    "external": T("kursus/MOOC", "courses/MOOCs"),
    "classroom": T("pelatihan klasikal", "classroom training"),
    "on_the_job": T("belajar di tempat kerja", "on-the-job learning"),
}


def fmt_jp(value: float) -> str:
    return f"{value:.1f}"


def progress_text(
    year: int, progress: YearProgress, projection: Projection, streak: Streak, settings: JPSettings
) -> T:
    jp, target = projection.jp, projection.target
    if projection.ceiling:
        of_target = T(
            f"JP tahun ini: {fmt_jp(jp)} (hak pengembangan PPPK paling banyak "
            f"{fmt_jp(target)} JP)",
            f"JP this year: {fmt_jp(jp)} (a PPPK's development allowance is at most "
            f"{fmt_jp(target)} JP)",
        )
    else:
        of_target = T(
            f"JP tahun ini: {fmt_jp(jp)} dari target {fmt_jp(target)} JP",
            f"JP this year: {fmt_jp(jp)} of the {fmt_jp(target)} JP target",
        )
    lines = [T(f"📊 Progres belajar {year}", f"📊 Learning progress {year}"), of_target]
    for code, value in progress.jp_by_competency(settings).items():
        name = COMPETENCY_NAMES.get(code, T(code, code))
        lines.append(T("• ", "• ") + name + T(f": {fmt_jp(value)} JP", f": {fmt_jp(value)} JP"))
    by_source = progress.jp_by_source(settings)
    if any(v for k, v in by_source.items() if k != "ayo"):
        parts = [
            SOURCE_NAMES[k] + T(f" {fmt_jp(v)}", f" {fmt_jp(v)}")
            for k, v in by_source.items()
            if v
        ]
        lines.append(T("Sumber: ", "Sources: ") + join(parts, sep=" · ") + T(" JP", " JP"))
    lines.append(
        T(f"Pelajaran selesai: {progress.lessons}", f"Lessons completed: {progress.lessons}")
    )
    if progress.accuracy is not None:
        pct = round(progress.accuracy * 100)
        lines.append(
            T(
                f"Akurasi kuis: {pct}% ({progress.correct}/{progress.answered})",
                f"Quiz accuracy: {pct}% ({progress.correct}/{progress.answered})",
            )
        )
    lines.append(
        T(
            f"🔥 Runtun: {streak.current} hari kerja (terbaik {streak.best}), pembeku runtun: "
            f"{streak.freezes}",
            f"🔥 Streak: {streak.current} working days (best {streak.best}), streak freezes: "
            f"{streak.freezes}",
        )
    )
    lines.append(projection_text(projection, settings))
    return join(lines)


# More than this a day is not a habit one keeps next to a job: point to other training instead.
MAX_DAILY_MINUTES = 15
# A one-day training (bimtek, workshop) as the advice counts it; HR may say otherwise.
TRAINING_JP = 8.0


def projection_text(p: Projection, settings: JPSettings) -> T:
    """Where the year is heading, and what would still reach the target, in plain terms."""
    projected = fmt_jp(p.projected)
    if p.ceiling:
        left = max(0.0, p.target - p.jp)
        return T(
            f"ℹ️ Sisa kesempatan pengembangan kompetensi tahun ini: {fmt_jp(left)} JP "
            "(PP 49/2018 Ps. 39). Bicarakan rencananya dengan atasan Anda.",
            f"ℹ️ Development allowance left this year: {fmt_jp(left)} JP (PP 49/2018 Art. 39). "
            "Agree the plan with your supervisor.",
        )
    if p.jp >= p.target:
        return T(
            "✅ Target JP tahun ini sudah tercapai. Hebat!",
            "✅ This year's JP target is reached. Well done!",
        )
    if p.on_track:
        return T(
            f"✅ Sesuai jalur: dengan laju sekarang Anda akan mencapai sekitar {projected} JP "
            "di akhir tahun.",
            f"✅ On track: at this pace you will reach about {projected} JP by year end.",
        )
    missing = p.target - p.jp
    minutes = missing * settings.minutes_per_jp
    behind = T(
        f"⚠️ Belum sesuai jalur: proyeksi akhir tahun {projected} JP, kurang {fmt_jp(missing)} JP.",
        f"⚠️ Not on track: projected {projected} JP by year end, {fmt_jp(missing)} JP short.",
    )
    per_day = math.ceil(minutes / p.days_left) if p.days_left else None
    if per_day is not None and per_day <= MAX_DAILY_MINUTES:
        trainings = math.ceil(missing / TRAINING_JP - 1e-9)
        advice = T(
            f"Cukup sekitar {per_day} menit belajar per hari kerja sampai akhir tahun "
            f"({p.days_left} hari kerja lagi), atau {trainings} pelatihan lagi "
            f"(±{TRAINING_JP:g} JP).",
            f"About {per_day} minutes of learning per working day until year end is enough "
            f"({p.days_left} working days left), or {trainings} more training "
            f"(±{TRAINING_JP:g} JP).",
        )
    else:
        hours = fmt_jp(minutes / 60)
        # What 15 minutes a day still brings; the rest in trainings of about a day each.
        daily = MAX_DAILY_MINUTES * p.days_left / settings.minutes_per_jp
        trainings = max(1, math.ceil((missing - daily) / TRAINING_JP - 1e-9))
        mix_id = f"{trainings} pelatihan lagi (±{TRAINING_JP:g} JP)"
        mix_en = f"{trainings} more training{'s' if trainings > 1 else ''} (±{TRAINING_JP:g} JP)"
        if p.days_left:
            mix_id += f" dan {MAX_DAILY_MINUTES} menit sehari"
            mix_en += f" and {MAX_DAILY_MINUTES} minutes a day"
        advice = T(
            f"Pelajaran harian saja tidak cukup: ikuti pelatihan, bimtek atau kursus lain "
            f"sekitar {hours} jam ({fmt_jp(missing)} JP), misalnya {mix_id}, dan bicarakan "
            'dengan atasan Anda. Catat yang sudah diikuti dengan "catat pelatihan".',
            f"Daily lessons alone will not do: take training, a workshop or another course of "
            f"about {hours} hours ({fmt_jp(missing)} JP), e.g. {mix_en}, and talk to your "
            'supervisor. Record what you attended with "record a training".',
        )
    return join([behind, advice])


def board_text(board: Board, today: date) -> T:
    lines = [
        T(
            f"🏆 Papan peringkat minggu ini — {board.group_name}",
            f"🏆 This week's leaderboard — {board.group_name}",
        )
    ]
    if not board.entries:
        lines.append(
            T(
                "Belum ada poin minggu ini. Ayo jadi yang pertama!",
                "No points yet this week. Be the first!",
            )
        )
    for entry in board.entries:
        lines.append(
            T(
                f"{entry.rank}. {entry.name} — {entry.points} poin",
                f"{entry.rank}. {entry.name} — {entry.points} points",
            )
        )
    if board.my_rank is None:
        lines.append(
            T(
                f"Poin Anda: {board.mine} (nama Anda disembunyikan).",
                f"Your points: {board.mine} (your name is hidden).",
            )
        )
    else:
        lines.append(
            T(
                f"Poin Anda: {board.mine}, peringkat {board.my_rank}.",
                f"Your points: {board.mine}, rank {board.my_rank}.",
            )
        )
    return join(lines)


def team_line(standing: Standing, via: str | None) -> T:
    """One member's line: on track or not, JP so far of the target, the projection."""
    p, name = standing.projection, standing.employee.name
    team = T(f" · tim {via}", f" · {via}'s team") if via else T("", "")
    if p.ceiling:
        return (
            T(
                f"ℹ️ {name}: {fmt_jp(p.jp)} JP (PPPK, paling banyak {p.target:.0f} JP)",
                f"ℹ️ {name}: {fmt_jp(p.jp)} JP (PPPK, at most {p.target:.0f} JP)",
            )
            + team
        )
    mark = "✅" if p.on_track else "⚠️"
    return (
        T(
            f"{mark} {name}: {fmt_jp(p.jp)}/{p.target:.0f} JP, proyeksi {fmt_jp(p.projected)}",
            f"{mark} {name}: {fmt_jp(p.jp)}/{p.target:.0f} JP, projected {fmt_jp(p.projected)}",
        )
        + team
    )
