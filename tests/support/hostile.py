"""Hostile and odd request bodies for the webhooks and the inbound API (hypothesis strategies).

Shared by the CI fuzz test (tests/bot/test_fuzz_inputs.py, a fixed budget) and the longer run
(bench/fuzz_webhooks.py). Bodies are bytes: most are JSON shaped like the real payloads with a
wrong value somewhere; some are not JSON at all, not UTF-8, nested deeply or non-finite.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

# Any code point, lone surrogates and NUL included.
ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=30),
    st.sampled_from(["", "\x00", "\ud800", "a\udfffb", "/start", "/start 123456", "🙂" * 3]),
    st.text(max_size=5).map(lambda s: s * 400),  # longer than any column
)
INTS = st.one_of(
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, -1, 2**63, -(2**63) - 1, 10**30, 5550001]),
)
SCALAR = st.one_of(st.none(), st.booleans(), INTS, st.floats(allow_nan=True), TEXT)
JSON_VALUE = st.recursive(
    SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=12,
)


def maybe(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the right shape, sometimes any JSON value at all."""
    return st.one_of(good, good, JSON_VALUE)


def fields(required: dict[str, Any], optional: dict[str, Any]) -> st.SearchStrategy[Any]:
    return maybe(st.fixed_dictionaries(required, optional=optional))


CHAT = fields(
    {"id": maybe(INTS)}, {"type": maybe(st.sampled_from(["private", "group", "supergroup"]))}
)
USER = fields({"id": maybe(INTS)}, {"first_name": maybe(TEXT), "is_bot": maybe(st.booleans())})
MESSAGE = fields(
    {"chat": CHAT},
    {"from": USER, "text": maybe(TEXT), "message_id": maybe(INTS), "date": maybe(INTS)},
)
CALLBACK = fields(
    {"id": maybe(TEXT), "from": USER},
    {"message": MESSAGE, "data": maybe(TEXT), "chat_instance": maybe(TEXT)},
)
TELEGRAM_UPDATE = st.one_of(
    fields({"update_id": maybe(INTS)}, {"message": MESSAGE}),
    fields({"update_id": maybe(INTS)}, {"callback_query": CALLBACK}),
    fields({"update_id": maybe(INTS)}, {"edited_message": MESSAGE, "poll": JSON_VALUE}),
)

WA_MESSAGE = fields(
    {
        "from": maybe(TEXT),
        "id": maybe(TEXT),
        "type": maybe(st.sampled_from(["text", "interactive", "button", "image"])),
    },
    {
        "text": fields({"body": maybe(TEXT)}, {}),
        "interactive": fields(
            {}, {"button_reply": fields({"id": maybe(TEXT)}, {}), "list_reply": JSON_VALUE}
        ),
        "context": fields({"id": maybe(TEXT)}, {}),
    },
)
WA_STATUS = fields(
    {"id": maybe(TEXT), "status": maybe(st.sampled_from(["sent", "failed", "read"]))},
    {"errors": maybe(st.lists(fields({"code": maybe(INTS)}, {}), max_size=2))},
)
WA_VALUE = fields(
    {},
    {
        "contacts": maybe(
            st.lists(fields({"wa_id": maybe(TEXT)}, {"profile": JSON_VALUE}), max_size=2)
        ),
        "messages": maybe(st.lists(WA_MESSAGE, max_size=2)),
        "statuses": maybe(st.lists(WA_STATUS, max_size=2)),
    },
)
WHATSAPP_PAYLOAD = fields(
    {
        "entry": maybe(
            st.lists(
                fields(
                    {"changes": maybe(st.lists(fields({"value": WA_VALUE}, {}), max_size=2))}, {}
                ),
                max_size=2,
            )
        )
    },
    {"object": maybe(TEXT)},
)

NIP = st.one_of(st.just("199402172019031005"), st.from_regex(r"\A\d{18}\Z"), TEXT)
BILINGUAL = fields({"id": maybe(TEXT)}, {"en": maybe(TEXT)})
NOTIFICATION = fields({"nip": maybe(NIP), "text": BILINGUAL, "key": maybe(TEXT)}, {})
APPROVAL = fields(
    {
        "nip": maybe(NIP),
        "title": BILINGUAL,
        "callback_url": maybe(st.sampled_from(["http://127.0.0.1:9/cb", "ftp://x", ""])),
        "external_id": maybe(TEXT),
    },
    {
        "details": maybe(st.dictionaries(TEXT, TEXT, max_size=3)),
        "start_date": maybe(st.sampled_from(["2026-12-07", "2026-13-40", "x"])),
        "end_date": JSON_VALUE,
    },
)
STATUS = fields(
    {"status": maybe(st.sampled_from(["sent", "completed", "rejected", "failed", "x"]))},
    {"note": maybe(TEXT), "backend_ref": maybe(TEXT)},
)
REF = st.one_of(
    st.sampled_from(["TIK-2612-000001", "APP-2612-000001"]),
    st.text(ANY_CHAR.filter(lambda c: c not in "/?#%"), min_size=1, max_size=40),
)

RAW = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [
            b"",
            b"[" * 60_000,
            b"{" * 1000,
            b'{"update_id": Infinity}',
            b'{"update_id": NaN}',
            b'{"update_id": -Infinity, "message": {}}',
            b'{"update_id": 1e999}',
            b'{"update_id": ' + b"9" * 5000 + b"}",
            b'{"update_id": 5, "message": {"chat": {"id": 1}, "text": "\xff\xfe"}}',
            b'{"update_id": 6, "message": {"chat": {"id": 1}, "text": "\\ud800\\u0000"}}',
            b"\xef\xbb\xbf{}",
            b"null",
            b"[]",
            b'"text"',
        ]
    ),
)


def encode(value: Any) -> bytes:
    """JSON as a sloppy sender writes it (non-finite numbers as Infinity/NaN)."""
    return json.dumps(value, allow_nan=True).encode()


def bodies(shaped: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    """Shaped JSON most of the time, raw hostile bytes otherwise."""
    return st.one_of(shaped.map(encode), shaped.map(encode), shaped.map(encode), RAW)
