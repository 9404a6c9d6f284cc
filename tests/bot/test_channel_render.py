"""Rendering one Reply within each channel's limits (pure functions, no I/O)."""

from __future__ import annotations

import pytest

from bot.channels import render
from core.messages import Button, Reply
from core.text import T


def reply(n: int, label: str = "Pilihan {n}") -> Reply:
    buttons = tuple(Button(T(label.format(n=i), label.format(n=i)), f"t{i}") for i in range(n))
    return Reply(T("Pilih:", "Choose:"), buttons)


def test_callback_data_over_64_bytes_is_refused_before_it_reaches_telegram() -> None:
    assert render.callback_data("a" * 64) == "a" * 64
    with pytest.raises(ValueError):
        render.callback_data("ä" * 33)


def test_telegram_text_is_escaped_and_split_by_utf16_length() -> None:
    [message] = render.telegram(Reply(T("<b>Gaji</b> & tunjangan", "x")), "id")
    assert message.html == "&lt;b&gt;Gaji&lt;/b&gt; &amp; tunjangan"
    parts = render.telegram(Reply(T("😀" * 3000, "x"), reply(1).buttons), "id")
    assert [len(p.html) for p in parts] == [2048, 952]
    assert (parts[0].keyboard, parts[1].keyboard) == ((), ((("Pilihan 0", "t0"),),))


@pytest.mark.parametrize(("n", "kind"), [(1, "buttons"), (3, "buttons"), (4, "list"),
                                         (10, "list"), (11, "menu")])  # fmt: skip
def test_whatsapp_degrades_from_buttons_to_list_to_numbered_menu(n: int, kind: str) -> None:
    [message] = render.whatsapp(reply(n), "id")
    expected = {"buttons": render.WhatsAppButtons, "list": render.WhatsAppList, "menu": str}
    assert isinstance(message, expected[kind])


def test_long_labels_go_to_a_list_with_the_full_label_as_description() -> None:
    [message] = render.whatsapp(reply(2, "Pengajuan cuti tahunan nomor {n}"), "id")
    assert isinstance(message, render.WhatsAppList)
    title, token, description = message.rows[0]
    assert (title, token, description) == (
        "Pengajuan cuti tahunan…",
        "t0",
        "Pengajuan cuti tahunan nomor 0",
    )


def test_numbered_menu_says_how_to_answer_and_maps_numbers_to_tokens() -> None:
    menu = reply(12)
    [text] = render.whatsapp(menu, "id")
    assert text.endswith("Balas dengan angka: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 atau 12.")
    assert render.menu_choice("12", menu.buttons) == "t11"
    assert render.menu_choice("13", menu.buttons) is None
    assert render.menu_choice("2", reply(3).buttons) is None  # buttons, not a numbered menu


def test_template_text_has_no_newlines() -> None:
    text = render.template_text(Reply(T("Baris satu\n\nBaris dua\t ok", "x")), "id")
    assert text == "Baris satu | Baris dua ok"
