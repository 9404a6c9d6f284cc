"""Our Markdown subset in each channel's form, escaped, and split without cutting a tag."""

from __future__ import annotations

import pytest

from core import markdown
from tests.support.fake_telegram import parse_html

LESSON = """**Standar pelayanan** adalah _janji_ instansi.

Komponen:
- **Persyaratan**: dokumen.
- Lihat [SP4N-LAPOR!](https://www.lapor.go.id)
1. Terima.
2. *Tunjukkan empati.*"""


def test_telegram_gets_its_html_tags_and_lists_as_lines() -> None:
    assert markdown.telegram_parts(LESSON, 4096) == [
        "<b>Standar pelayanan</b> adalah <i>janji</i> instansi.\n\n"
        "Komponen:\n"
        "• <b>Persyaratan</b>: dokumen.\n"
        '• Lihat <a href="https://www.lapor.go.id">SP4N-LAPOR!</a>\n'
        "1. Terima.\n"
        "2. <i>Tunjukkan empati.</i>"
    ]


def test_whatsapp_gets_its_own_markers_and_links_as_text_with_the_address() -> None:
    assert markdown.to_whatsapp(LESSON) == (
        "*Standar pelayanan* adalah _janji_ instansi.\n\n"
        "Komponen:\n"
        "• *Persyaratan*: dokumen.\n"
        "• Lihat SP4N-LAPOR! (https://www.lapor.go.id)\n"
        "1. Terima.\n"
        "2. _Tunjukkan empati._"
    )


def test_the_web_chat_gets_safe_html_with_real_lists() -> None:
    assert markdown.web_html(LESSON) == (
        "<p><strong>Standar pelayanan</strong> adalah <em>janji</em> instansi.</p>\n"
        "<p>Komponen:</p>\n"
        "<ul>\n<li><strong>Persyaratan</strong>: dokumen.</li>\n"
        '<li>Lihat <a href="https://www.lapor.go.id" rel="noopener noreferrer nofollow"'
        ' target="_blank">SP4N-LAPOR!</a></li>\n</ul>\n'
        "<ol>\n<li>Terima.</li>\n<li><em>Tunjukkan empati.</em></li>\n</ol>"
    )


@pytest.mark.parametrize(
    "hostile",
    [
        '<script>alert(1)</script> <img src=x onerror="alert(1)">',
        "[klik](javascript:alert(1))",
        "[klik](data:text/html;base64,PHNjcmlwdD4=)",
        '[x](https://a.id/" onmouseover="alert(1))',
    ],
)
def test_what_a_user_typed_never_becomes_markup(hostile: str) -> None:
    web = markdown.web_html(hostile)
    assert "<script" not in web and "<img" not in web
    assert 'href="javascript' not in web and 'href="data' not in web
    assert 'onmouseover="' not in web
    tg = markdown.telegram_parts(hostile, 4096)[0]
    assert "<script" not in tg and "<img" not in tg and 'href="javascript' not in tg
    parse_html(tg)  # Telegram accepts it


def test_markers_never_touch_a_space_on_whatsapp() -> None:
    # "** spaced **" is not bold in Markdown; "**a **b" neither; a bold line break splits.
    assert markdown.to_whatsapp("**tebal\nlagi** dan __miring__") == "*tebal*\n*lagi* dan *miring*"


def test_text_with_no_markup_stays_as_written_and_user_underscores_are_not_italic() -> None:
    text = "Keperluan: surat_izin_cuti.pdf, NIP 199402172019031005\nbaris dua & <tiga>"
    assert markdown.to_whatsapp(text) == text
    assert markdown.telegram_parts(text, 4096) == [
        "Keperluan: surat_izin_cuti.pdf, NIP 199402172019031005\nbaris dua &amp; &lt;tiga&gt;"
    ]


def test_a_long_bold_text_splits_at_4096_visible_characters_with_tags_balanced() -> None:
    words = " ".join(f"kata{i}" for i in range(1000))  # 7,889 characters
    parts = markdown.telegram_parts(f"Awal **{words}** akhir ✅", 4096)
    assert len(parts) == 2
    visible = []
    for part in parts:
        text, entities = parse_html(part)  # raises on an unbalanced tag, as Telegram would
        assert len(text.encode("utf-16-le")) // 2 <= 4096
        assert entities and entities[0]["type"] == "bold"
        visible.append(text)
    assert " ".join(visible) == f"Awal {words} akhir ✅"


def test_whatsapp_parts_count_the_markers_against_the_limit() -> None:
    words = " ".join(f"**k{i}**" for i in range(1000))  # 1000 bold words, 2 markers each
    parts = markdown.whatsapp_parts(words, 1024)
    assert all(len(p) <= 1024 for p in parts)
    assert " ".join(parts) == " ".join(f"*k{i}*" for i in range(1000))
