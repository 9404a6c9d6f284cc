"""Our Markdown subset, rendered for each place a message goes (pure, no I/O).

Lessons and replies are written in a small Markdown subset: **bold**, *italic* / _italic_,
~~strike~~, `code`, [links](https://...), <https://...>, and lists ("- " / "1. "). Headings,
quotes, tables, code blocks and raw HTML are not part of it: such text stays as typed.

markdown-it-py parses; each channel gets its own form from the same parse:
- Telegram: its HTML subset (<b>, <i>, <s>, <code>, <a href>), everything else escaped; lists
  become "• " / "1. " lines, because Telegram has no list tags.
- WhatsApp: its own markers (*bold*, _italic_, ~strike~, `code`), a link as "text (url)".
- The web chat: safe HTML (<p>, <strong>, <em>, <ul>/<ol>, <a rel=noopener>), for innerHTML.
- Plain text, for logs of what was sent and terminals.

Long messages are split on the visible text, so a part never cuts a tag or a marker in two:
each part re-opens what was open where it begins.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

# A mark is ("b",), ("i",), ("s",), ("code",) or ("a", href).
Mark = tuple[str, ...]
_SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:")
_TAGS = {"strong": "b", "em": "i", "s": "s"}


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of visible text and the marks on it, outermost first."""

    text: str
    marks: tuple[Mark, ...] = ()


def _safe_link(url: str) -> bool:
    # Only links people can open safely from a chat; javascript:, data:, file: stay text.
    return url.strip().lower().startswith(_SAFE_SCHEMES)


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("zero", {"html": False, "breaks": True, "linkify": False})
    md.enable(["list", "newline", "escape", "backticks", "strikethrough", "emphasis"])
    md.enable(["link", "autolink"])
    md.validateLink = _safe_link  # type: ignore[method-assign]
    return md


# -- parse into runs --------------------------------------------------------------------------


class _Runs:
    def __init__(self) -> None:
        self.runs: list[Run] = []

    def add(self, text: str, marks: tuple[Mark, ...] = ()) -> None:
        if text:
            self.runs.append(Run(text, marks))

    def trailing_newlines(self) -> int:
        n = 0
        for run in reversed(self.runs):
            stripped = run.text.rstrip("\n")
            n += len(run.text) - len(stripped)
            if stripped:
                break
        return n

    def newlines(self, want: int) -> None:
        """End the text so far with at least `want` line breaks (none at the very start)."""
        if self.runs:
            self.add("\n" * max(0, want - self.trailing_newlines()))


def parse(source: str) -> list[Run]:
    """The visible text of our Markdown as runs; list bullets and numbers become text."""
    out = _Runs()
    lists: list[list[Any]] = []  # [ordered, next number] per open list
    lines = source.split("\n")
    for token in _parser().parse(source):
        kind = token.type
        # A blank line before a block stays one; a list right under its lead-in line does not
        # get one it never had.
        first = token.map[0] if token.map else 0
        gap = 2 if 0 < first <= len(lines) and not lines[first - 1].strip() else 1
        if kind == "paragraph_open" and not token.hidden:
            out.newlines(gap)
        elif kind in ("bullet_list_open", "ordered_list_open"):
            out.newlines(gap)
            start = int(token.attrGet("start") or 1)
            lists.append([kind == "ordered_list_open", start])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            out.newlines(1)
            ordered, number = lists[-1]
            bullet = f"{number}. " if ordered else "• "
            lists[-1][1] = number + 1
            out.add("   " * (len(lists) - 1) + bullet)
        elif kind == "inline":
            _inline(token.children or [], out)
    text_runs = _merge(out.runs)
    # Leading and trailing blank space is never part of a message.
    while text_runs and not text_runs[-1].text.strip():
        text_runs.pop()
    if text_runs:
        last = text_runs[-1]
        text_runs[-1] = Run(last.text.rstrip(), last.marks)
    return text_runs


def _inline(children: Sequence[Token], out: _Runs) -> None:
    marks: list[Mark] = []
    for child in children:
        kind = child.type
        if kind == "text":
            out.add(child.content, tuple(marks))
        elif kind in ("softbreak", "hardbreak"):
            out.add("\n", tuple(marks))
        elif kind == "code_inline":
            out.add(child.content, (*marks, ("code",)))
        elif kind == "link_open":
            marks.append(("a", str(child.attrGet("href") or "")))
        elif kind.endswith("_open") and child.tag in _TAGS:
            marks.append((_TAGS[child.tag],))
        elif kind.endswith("_close") and marks:
            marks.pop()


def _merge(runs: Sequence[Run]) -> list[Run]:
    merged: list[Run] = []
    for run in runs:
        if merged and merged[-1].marks == run.marks:
            merged[-1] = Run(merged[-1].text + run.text, run.marks)
        else:
            merged.append(run)
    return merged


def plain_of(runs: Sequence[Run]) -> str:
    return "".join(r.text for r in runs)


# -- the forms --------------------------------------------------------------------------------


def telegram_html(runs: Sequence[Run]) -> str:
    """Telegram's HTML: only its tags, every text and attribute escaped."""
    parts = []
    for run in runs:
        text = html.escape(run.text, quote=False)
        for mark in reversed(run.marks):
            if mark[0] == "a":
                text = f'<a href="{html.escape(mark[1], quote=True)}">{text}</a>'
            else:
                text = f"<{mark[0]}>{text}</{mark[0]}>"
        parts.append(text)
    return "".join(parts)


_WA = {"b": "*", "i": "_", "s": "~", "code": "`"}


def whatsapp_text(runs: Sequence[Run]) -> str:
    """WhatsApp's markers; a marker must touch its text, so spaces and breaks stay outside."""
    parts = []
    for run in runs:
        pieces = []
        for line in run.text.split("\n"):
            core = line.strip()
            if not core:
                pieces.append(line)
                continue
            lead = line[: len(line) - len(line.lstrip())]
            tail = line[len(line.rstrip()) :]
            for mark in reversed(run.marks):
                if mark[0] == "a":
                    if mark[1] not in (core, "mailto:" + core, "tel:" + core):
                        core = f"{core} ({mark[1]})"
                else:
                    core = f"{_WA[mark[0]]}{core}{_WA[mark[0]]}"
            pieces.append(lead + core + tail)
        parts.append("\n".join(pieces))
    return "".join(parts)


def plain_text(runs: Sequence[Run]) -> str:
    """The words only; a link keeps its address ("text (url)")."""
    out = []
    for run in runs:
        link = next((m[1] for m in run.marks if m[0] == "a"), None)
        out.append(f"{run.text} ({link})" if link and link != run.text.strip() else run.text)
    return "".join(out)


def _web_link_open(renderer: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    # Links in the web chat open in a new tab and tell the target nothing about us.
    tokens[idx].attrSet("rel", "noopener noreferrer nofollow")
    tokens[idx].attrSet("target", "_blank")
    return renderer.renderToken(tokens, idx, options, env)


@cache
def _web_parser() -> MarkdownIt:
    md = MarkdownIt("zero", {"html": False, "breaks": True, "linkify": False})
    md.enable(["list", "newline", "escape", "backticks", "strikethrough", "emphasis"])
    md.enable(["link", "autolink"])
    md.validateLink = _safe_link  # type: ignore[method-assign]
    md.add_render_rule("link_open", _web_link_open)
    return md


def web_html(source: str) -> str:
    """Safe HTML for the web chat: raw HTML in the text is escaped, never passed through."""
    return _web_parser().render(source).strip()


# -- splitting --------------------------------------------------------------------------------


def slice_runs(runs: Sequence[Run], start: int, end: int) -> list[Run]:
    """The runs covering visible characters [start, end)."""
    out: list[Run] = []
    at = 0
    for run in runs:
        a, b = at, at + len(run.text)
        at = b
        lo, hi = max(a, start), min(b, end)
        if lo < hi:
            out.append(Run(run.text[lo - a : hi - a], run.marks))
    return out


def split_runs(
    runs: Sequence[Run], limit: int, measure: Callable[[Sequence[Run]], int]
) -> list[list[Run]]:
    """Parts of at most `limit` (as `measure` counts a part), cut at paragraph, line or word."""
    text = plain_of(runs)
    parts: list[list[Run]] = []
    start, n = 0, len(text)
    while True:
        while start < n and text[start].isspace():
            start += 1
        if start >= n:
            break
        if measure(slice_runs(runs, start, n)) <= limit:
            parts.append(slice_runs(runs, start, n))
            break
        lo, hi = 1, n - start  # the longest prefix that fits
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if measure(slice_runs(runs, start, start + mid)) <= limit:
                lo = mid
            else:
                hi = mid - 1
        cut = lo
        window = text[start : start + cut]
        for sep in ("\n\n", "\n", " "):
            found = window.rfind(sep)
            if found > cut // 2:
                cut = found
                break
        end = start + cut
        trimmed = end
        while trimmed > start and text[trimmed - 1].isspace():
            trimmed -= 1
        parts.append(slice_runs(runs, start, trimmed))
        start = end
    return parts or [[]]


def utf16_len(text: str) -> int:
    # Telegram counts UTF-16 code units, not code points (an emoji counts twice).
    return len(text.encode("utf-16-le")) // 2


def telegram_parts(source: str, limit: int) -> list[str]:
    """Telegram HTML messages; the limit is on visible text, as Telegram counts it."""
    runs = parse(source)
    parts = split_runs(runs, limit, lambda part: utf16_len(plain_of(part)))
    return [telegram_html(p) for p in parts]


def whatsapp_parts(source: str, limit: int) -> list[str]:
    """WhatsApp texts; the limit is on what is sent, markers included."""
    runs = parse(source)
    parts = split_runs(runs, limit, lambda part: len(whatsapp_text(part)))
    return [whatsapp_text(p) for p in parts]


def to_whatsapp(source: str) -> str:
    return whatsapp_text(parse(source))


def to_plain(source: str) -> str:
    return plain_text(parse(source))
