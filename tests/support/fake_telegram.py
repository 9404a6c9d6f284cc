"""A fake Telegram Bot API on loopback that the real PTB ``Bot`` talks to over HTTP.

Start it, then point PTB at it::

    async with FakeTelegram(token=TOKEN, chats=[111]) as tg:
        async with Bot(TOKEN, base_url=tg.url + "/bot") as bot:   # or tg.base_url
            await bot.send_message(111, "Halo")
        assert tg.sent_messages(111)[0]["text"] == "Halo"

``with FakeTelegram() as tg:`` works the same from sync code. PTB builds every URL as
``f"{base_url}{token}/{method}"`` (``base_url`` may also contain ``{token}``), and posts the
parameters form-encoded (nested values as JSON strings); JSON and multipart bodies are accepted
too. Rejections use the Bot API's own status codes and descriptions. Set
``PTB_TIMEDELTA=true`` in tests: without it PTB 22 emits a PTBDeprecationWarning whenever it
builds a ``RetryAfter``, which ``filterwarnings=error`` turns into the exception you get.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .loopback import LoopbackServer, SlidingWindow, whole_seconds

__all__ = ["FakeTelegram", "TelegramLimits", "tg_callback_update", "tg_message_update"]

DEFAULT_TOKEN = "123456789:AAFakeTokenForAyoTests_0123456789ab"
_JSON_FIELDS = {
    "reply_markup", "entities", "caption_entities", "allowed_updates", "commands", "scope",
    "link_preview_options", "reply_parameters",
}  # fmt: skip
_INT_FIELDS = {"message_id", "offset", "limit", "timeout", "user_id", "cache_time"}
_COUNTED = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})


@dataclass(frozen=True)
class TelegramLimits:
    """Flood limits; the defaults are the Bot API's documented ones."""

    global_per_sec: int = 30
    per_chat_per_sec: int = 1
    per_group_per_min: int = 20
    methods: frozenset[str] = _COUNTED


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)


class FakeTelegram(LoopbackServer):
    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        chats: tuple[int, ...] | list[int] = (),
        limits: TelegramLimits | None = None,
        latency: float = 0.0,
        max_poll_wait: float = 0.25,
        bot_username: str = "ayo_test_bot",
    ) -> None:
        super().__init__()
        self.token, self.limits, self.latency = token, limits, latency
        self.max_poll_wait = max_poll_wait
        self.bot_user = {
            "id": int(token.split(":", 1)[0]), "is_bot": True, "first_name": "Ayo",
            "username": bot_username,
        }  # fmt: skip
        self.webhook: dict[str, Any] | None = None
        self.count_429 = 0
        self._lock = threading.Lock()
        self._calls: list[Call] = []
        self._chats: dict[int, dict[str, Any]] = {}
        self._blocked: set[int] = set()
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._next_message_id = 1
        self._updates: list[dict[str, Any]] = []
        # Files sent with sendDocument: {"chat_id", "filename", "content"}.
        self.documents: list[dict[str, Any]] = []
        self._files: dict[str, bytes] = {}
        self.downloads = 0
        self._waiters: set[asyncio.Future[None]] = set()
        self._poll_waiting = threading.Event()
        self._windows: dict[str, SlidingWindow] = {}
        for chat_id in chats:
            self.add_chat(chat_id)

    @property
    def base_url(self) -> str:
        """Value for PTB's ``Bot(base_url=...)``."""
        return f"{self.url}/bot"

    # -- test API ----------------------------------------------------------------------------
    def add_chat(self, chat_id: int, chat_type: str = "private", **fields: Any) -> None:
        chat = {"id": chat_id, "type": chat_type, **fields}
        if chat_type == "private":
            chat.setdefault("first_name", "Pegawai")
        else:
            chat.setdefault("title", "Grup Dinas")
        with self._lock:
            self._chats[chat_id] = chat

    def block_chat(self, chat_id: int) -> None:
        """The user blocked the bot: sends to this chat get 403 from now on."""
        if chat_id not in self._chats:
            self.add_chat(chat_id)
        with self._lock:
            self._blocked.add(chat_id)

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for ``getUpdates`` (and learn its chat); wakes a waiting long poll."""
        chat = chat_from_update(update)
        with self._lock:
            if chat and chat["id"] not in self._chats:
                self._chats[chat["id"]] = chat
            self._updates.append(update)
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self._wake)

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """Parameters of every call (accepted or rejected), oldest first."""
        with self._lock:
            return [c.params for c in self._calls if method in (None, c.method)]

    def requests(self, method: str | None = None) -> list[Call]:
        """Every call with its HTTP status and response body."""
        with self._lock:
            return [c for c in self._calls if method in (None, c.method)]

    def sent_messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Messages accepted by ``sendMessage`` (the returned Message dicts), oldest first."""
        with self._lock:
            return [
                c.response["result"]
                for c in self._calls
                if c.method == "sendMessage"
                and c.status == 200
                and chat_id in (None, c.response["result"]["chat"]["id"])
            ]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """Current state of a sent message (after edits)."""
        with self._lock:
            return self._messages.get((chat_id, message_id))

    @property
    def waiting_polls(self) -> int:
        """How many ``getUpdates`` long polls are waiting right now."""
        return len(self._waiters)

    async def wait_for_long_poll(self, within: float = 5.0) -> None:
        """Return once a ``getUpdates`` long poll is waiting on the fake."""
        if not await asyncio.to_thread(self._poll_waiting.wait, within):
            raise TimeoutError("no getUpdates long poll arrived")

    def on_stop(self) -> None:
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._wake)

    # -- server ------------------------------------------------------------------------------
    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/file/{bot}/{path:path}", self._file, methods=["GET"]),
                Route("/{bot}/{method}", self._endpoint, methods=["GET", "POST"]),
            ]
        )

    def _wake(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _endpoint(self, request: Request) -> JSONResponse:
        if self.latency:
            await asyncio.sleep(self.latency)
        method = request.path_params["method"]
        params = await _read_params(request)
        if request.path_params["bot"] != f"bot{self.token}":
            status, body = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        else:
            try:
                result = await self._dispatch(method, params)
                status, body = 200, {"ok": True, "result": result}
            except TgError as err:
                status, body = err.code, err.body()
        with self._lock:
            self._calls.append(Call(method, params, status, body))
            self.count_429 += status == 429
        return JSONResponse(body, status_code=status)

    async def _dispatch(self, method: str, p: dict[str, Any]) -> Any:
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            raise TgError(404, "Not Found")
        if method == "getUpdates":
            return await self._m_getUpdates(p)
        with self._lock:
            return handler(p, method)

    def _m_getMe(self, p: dict[str, Any], m: str) -> dict[str, Any]:
        return {**self.bot_user, "can_join_groups": True, "can_read_all_group_messages": False}

    def _m_sendMessage(self, p: dict[str, Any], m: str) -> dict[str, Any]:
        text, entities = check_text(p.get("text"), p.get("parse_mode"), p.get("entities"))
        markup = check_reply_markup(p.get("reply_markup"))
        chat = self._chat(p.get("chat_id"))
        self._flood(m, chat)
        msg = {
            "message_id": self._next_message_id, "from": self.bot_user, "chat": chat,
            "date": int(time.time()), "text": text,
        }  # fmt: skip
        self._next_message_id += 1
        msg |= {"entities": entities} if entities else {}
        msg |= {"reply_markup": markup} if markup else {}
        self._messages[(chat["id"], msg["message_id"])] = msg
        return msg

    def add_file(self, content: bytes) -> str:
        """A file a user sent (kept by Telegram): returns its file_id for an update."""
        with self._lock:
            file_id = f"AgAC{len(self._files) + 1:08d}"
            self._files[file_id] = content
        return file_id

    def _m_getFile(self, p: dict[str, Any], m: str) -> dict[str, Any]:
        content = self._files.get(str(p.get("file_id") or ""))
        if content is None:
            raise TgError(400, "Bad Request: invalid file_id")
        return {
            "file_id": p["file_id"], "file_unique_id": f"u{p['file_id']}",
            "file_size": len(content), "file_path": f"documents/{p['file_id']}",
        }  # fmt: skip

    async def _file(self, request: Request) -> Response:
        if request.path_params["bot"] != f"bot{self.token}":
            return Response(status_code=401)
        file_id = request.path_params["path"].rsplit("/", 1)[-1]
        content = self._files.get(file_id)
        if content is None:
            return Response(status_code=404)
        with self._lock:
            self.downloads += 1
        return Response(content, media_type="application/octet-stream")

    def _m_sendDocument(self, p: dict[str, Any], m: str) -> dict[str, Any]:
        upload = p.get("document")
        if not isinstance(upload, dict) or not upload.get("content"):
            raise TgError(400, "Bad Request: there is no document in the request")
        if len(upload["content"]) > 50 * 1024 * 1024:
            raise TgError(413, "Request Entity Too Large")
        chat = self._chat(p.get("chat_id"))
        self._flood(m, chat)
        document = {
            "file_id": f"doc{self._next_message_id}",
            "file_unique_id": f"u{self._next_message_id}",
            "file_name": upload["filename"], "file_size": len(upload["content"]),
        }  # fmt: skip
        msg = {
            "message_id": self._next_message_id, "from": self.bot_user, "chat": chat,
            "date": int(time.time()), "document": document,
        }  # fmt: skip
        if p.get("caption"):
            msg["caption"] = p["caption"]
        self._next_message_id += 1
        self._messages[(chat["id"], msg["message_id"])] = msg
        self.documents.append({"chat_id": chat["id"], **upload})
        return msg

    def _m_editMessageText(self, p: dict[str, Any], m: str) -> dict[str, Any]:
        text, entities = check_text(p.get("text"), p.get("parse_mode"), p.get("entities"))
        return self._edit(p, m, {"text": text, "entities": entities})

    def _m_editMessageReplyMarkup(self, p: dict[str, Any], m: str) -> dict[str, Any]:
        return self._edit(p, m, {})

    def _edit(self, p: dict[str, Any], m: str, change: dict[str, Any]) -> dict[str, Any]:
        change["reply_markup"] = check_reply_markup(p.get("reply_markup"))
        chat = self._chat(p.get("chat_id"))
        old = self._messages.get((chat["id"], p.get("message_id", 0)))
        if old is None:
            raise TgError(400, "Bad Request: message to edit not found")
        new = {k: v for k, v in ({**old, **change}).items() if v}
        if all(new.get(k) == old.get(k) for k in ("text", "entities", "reply_markup")):
            raise TgError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        self._flood(m, chat)
        new["edit_date"] = int(time.time())
        self._messages[(chat["id"], old["message_id"])] = new
        return new

    def _m_answerCallbackQuery(self, p: dict[str, Any], m: str) -> bool:
        if not p.get("callback_query_id"):
            raise TgError(
                400,
                "Bad Request: query is too old and response timeout expired "
                "or query ID is invalid",
            )
        if len(p.get("text") or "") > 200:
            raise TgError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _m_sendChatAction(self, p: dict[str, Any], m: str) -> bool:
        if p.get("action") not in CHAT_ACTIONS:
            raise TgError(400, "Bad Request: wrong parameter action in request")
        self._chat(p.get("chat_id"))
        return True

    def _m_setMyCommands(self, p: dict[str, Any], m: str) -> bool:
        check_commands(p.get("commands"))
        return True

    def _m_setWebhook(self, p: dict[str, Any], m: str) -> bool:
        if not p.get("url"):
            self.webhook = None
            return True
        check_webhook_url(p["url"])
        self.webhook = dict(p)
        return True

    def _m_deleteWebhook(self, p: dict[str, Any], m: str) -> bool:
        self.webhook = None
        if str(p.get("drop_pending_updates")).lower() == "true":
            self._updates.clear()
        return True

    async def _m_getUpdates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook:
            raise TgError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        deadline = time.monotonic() + min(float(p.get("timeout") or 0), self.max_poll_wait)
        while True:
            with self._lock:
                offset, limit = p.get("offset") or 0, p.get("limit") or 100
                if offset > 0:
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                if self._updates or time.monotonic() >= deadline or self._server is None:
                    return self._updates[:limit]
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.add(waiter)
            self._poll_waiting.set()
            try:
                await asyncio.wait({waiter}, timeout=max(0.0, deadline - time.monotonic()))
            finally:
                self._waiters.discard(waiter)
                if not self._waiters:
                    self._poll_waiting.clear()
            if self._server is None or self._server.should_exit:
                deadline = 0.0

    # -- checks needing state (caller holds the lock) -------------------------------------
    def _chat(self, chat_id: Any) -> dict[str, Any]:
        if chat_id in (None, ""):
            raise TgError(400, "Bad Request: chat_id is empty")
        try:
            chat = self._chats[int(chat_id)]
        except (KeyError, ValueError):
            raise TgError(400, "Bad Request: chat not found") from None
        if chat["id"] in self._blocked:
            raise TgError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _flood(self, method: str, chat: dict[str, Any]) -> None:
        lim = self.limits
        if lim is None or method not in lim.methods:
            return
        group = chat["type"] != "private"
        checks = [
            ("global", lim.global_per_sec, 1.0, "*"),
            ("chat", lim.per_chat_per_sec, 1.0, chat["id"]),
            *([("group", lim.per_group_per_min, 60.0, chat["id"])] if group else []),
        ]
        now = time.monotonic()
        for name, limit, window, key in checks:
            win = self._windows.setdefault(name, SlidingWindow(limit, window))
            delay = win.retry_after(key, now)
            if delay > 0:
                after = whole_seconds(delay)
                raise TgError(429, f"Too Many Requests: retry after {after}", retry_after=after)
        for name, _, _, key in checks:
            self._windows[name].hit(key, now)


async def _read_params(request: Request) -> dict[str, Any]:
    """Parameters as the Bot API reads them: query string, then JSON or form body."""
    params: dict[str, Any] = dict(request.query_params)
    ctype = request.headers.get("content-type", "")
    if "application/json" in ctype:
        body = await request.body()
        params.update(json.loads(body) if body else {})
    elif "form" in ctype:
        async with request.form() as form:
            for key, value in form.items():
                if isinstance(value, str):
                    params[key] = value
                else:  # an uploaded file: kept so that tests can read what was sent
                    params[key] = {"filename": value.filename, "content": await value.read()}
    for key in _JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                params[key] = {"__invalid_json__": params[key]}
    for key in _INT_FIELDS & params.keys():
        with contextlib.suppress(TypeError, ValueError):
            params[key] = int(params[key])
    if isinstance(params.get("chat_id"), str) and params["chat_id"].lstrip("-").isdigit():
        params["chat_id"] = int(params["chat_id"])
    return params


# -- what the Bot API rejects -----------------------------------------------------------------
class TgError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _bad(description: str) -> TgError:
    return TgError(400, f"Bad Request: {description}")


CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
})  # fmt: skip
_HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "a": "text_link", "code": "code", "pre": "pre",
    "tg-spoiler": "spoiler", "span": "spoiler", "blockquote": "blockquote",
}  # fmt: skip
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _len16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    """``&lt;`` ``&gt;`` ``&amp;`` ``&quot;`` and numeric ones; anything else stays literal."""
    end = text.find(";", i + 1, i + 12)
    if end == -1:
        return None
    name = text[i + 1 : end]
    if name in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[name], end + 1
    try:
        if name[:2] in ("#x", "#X"):
            return chr(int(name[2:], 16)), end + 1
        if name.startswith("#"):
            return chr(int(name[1:])), end + 1
    except (ValueError, OverflowError):
        return None
    return None


def _parse_attrs(text: str, j: int, name: str, at: int) -> tuple[dict[str, str], int]:
    attrs: dict[str, str] = {}
    n = len(text)
    while True:
        while j < n and text[j].isspace():
            j += 1
        if j >= n:
            raise _bad(f"can't parse entities: Unclosed start tag at byte offset {at}")
        if text[j] == ">":
            return attrs, j + 1
        k = j
        while k < n and (text[k].isalnum() or text[k] in "-_"):
            k += 1
        attr = text[j:k].lower()
        if k >= n or text[k] != "=" or not attr:
            raise _bad(
                "can't parse entities: Expected equal sign in declaration of an attribute of "
                f'the tag "{name}" at byte offset {at}'
            )
        k += 1
        if k < n and text[k] in "\"'":
            close = text.find(text[k], k + 1)
            if close == -1:
                raise _bad(f"can't parse entities: Unclosed start tag at byte offset {at}")
            value, j = text[k + 1 : close], close + 1
        else:
            j = k
            while j < n and not text[j].isspace() and text[j] != ">":
                j += 1
            value = text[k:j]
        attrs[attr] = value


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode (after tdlib's parser): visible text and its entities."""
    out: list[str] = []
    pos = 0  # UTF-16 offset into the visible text
    stack: list[tuple[str, dict[str, Any], int]] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "&" and (decoded := _decode_entity(text, i)):
            out.append(decoded[0])
            pos, i = pos + _len16(decoded[0]), decoded[1]
            continue
        if ch != "<":
            out.append(ch)
            pos, i = pos + _len16(ch), i + 1
            continue
        at = len(text[:i].encode())
        if text.startswith("</", i):
            close = text.find(">", i)
            if close == -1:
                raise _bad(f"can't parse entities: Unclosed end tag at byte offset {at}")
            name = text[i + 2 : close].strip().lower()
            if not stack:
                raise _bad(f"can't parse entities: Unexpected end tag at byte offset {at}")
            open_name, entity, start = stack.pop()
            if name and name != open_name:
                raise _bad(
                    f"can't parse entities: Unmatched end tag at byte offset {at}, "
                    f'expected "</{open_name}>", found "</{name}>"'
                )
            if entity["type"] == "text_link" and not entity.get("url"):
                entity["url"] = "".join(out)[-(pos - start) :] if pos > start else ""
            if pos > start and entity.get("type"):
                entities.append({**entity, "offset": start, "length": pos - start})
            i = close + 1
            continue
        j = i + 1
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        if j >= n:
            raise _bad(f"can't parse entities: Unclosed start tag at byte offset {at}")
        name = text[i + 1 : j].lower()
        if name not in _HTML_TAGS:
            raise _bad(
                f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {at}'
            )
        attrs, i = _parse_attrs(text, j, name, at)
        entity: dict[str, Any] = {"type": _HTML_TAGS[name]}
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise _bad(
                "can't parse entities: "
                f'Tag "span" must have class "tg-spoiler" at byte offset {at}'
            )
        if name == "a":
            entity["url"] = attrs.get("href", "")
        if name == "code" and stack and stack[-1][0] == "pre" and "class" in attrs:
            stack[-1][1]["language"] = attrs["class"].removeprefix("language-")
            entity = {}
        stack.append((name, entity, pos))
    if stack:
        raise _bad(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1][0]}"'
        )
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def check_text(
    text: Any, parse_mode: Any, entities: Any
) -> tuple[str, list[dict[str, Any]] | None]:
    """Validate a message text; return the visible text and its entities."""
    if not isinstance(text, str) or not text.strip():
        raise _bad("message text is empty")
    mode = (parse_mode or "").lower()
    if mode == "html":
        text, entities = parse_html(text)
    elif mode not in ("", "markdown", "markdownv2"):
        raise _bad(f"unsupported parse_mode {parse_mode}")
    visible = text.strip()
    if not visible:
        raise _bad("message text is empty")
    if _len16(visible) > 4096:
        raise _bad("message is too long")
    shift = _len16(text[: len(text) - len(text.lstrip())])
    fixed = [{**e, "offset": e["offset"] - shift} for e in entities or [] if e["offset"] >= shift]
    return visible, fixed or None


def check_reply_markup(markup: Any) -> dict[str, Any] | None:
    if markup in (None, "", {}):
        return None
    if not isinstance(markup, dict) or "__invalid_json__" in markup:
        raise _bad("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not str(button.get("text", "")).strip():
                raise _bad("BUTTON_TEXT_INVALID")
            if "callback_data" in button:
                size = len(str(button["callback_data"]).encode())
                if not 1 <= size <= 64:
                    raise _bad("BUTTON_DATA_INVALID")
            elif "url" in button:
                if not str(button["url"]).startswith(("https://", "http://", "tg://")):
                    raise _bad("BUTTON_URL_INVALID")
            elif len(button) == 1:
                raise _bad(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
    return markup


def check_commands(commands: Any) -> None:
    if not isinstance(commands, list):
        raise _bad("can't parse commands JSON object")
    for cmd in commands:
        name = str(cmd.get("command", ""))
        if not (
            1 <= len(name) <= 32 and all(c.islower() or c.isdigit() or c == "_" for c in name)
        ):
            raise _bad("BOT_COMMAND_INVALID")
        if not 1 <= len(str(cmd.get("description", ""))) <= 256:
            raise _bad("command description must be non-empty")  # wording approximated


def check_webhook_url(url: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme != "https":
        raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
    if (parts.port or 443) not in (80, 88, 443, 8443):
        raise _bad("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")


# -- builders for real-looking updates ---------------------------------------------------------
_BOT = "ayo_test_bot"
_USER = {"is_bot": False, "first_name": "Budi", "last_name": "Santoso", "language_code": "id"}


def _chat(chat_id: int, chat_type: str) -> dict[str, Any]:
    if chat_type == "private":
        return {"id": chat_id, "first_name": "Budi", "last_name": "Santoso", "type": "private"}
    return {"id": chat_id, "title": "Grup Dinas", "type": chat_type}


def tg_message_update(
    update_id: int,
    chat_id: int,
    user_id: int,
    text: str,
    chat_type: str = "private",
    *,
    message_id: int | None = None,
    date: int = 1732766400,
) -> dict[str, Any]:
    """A ``message`` update as Telegram posts it (``bot_command`` entity for ``/cmd``)."""
    message: dict[str, Any] = {
        "message_id": message_id if message_id is not None else update_id % 100000,
        "from": {"id": user_id, **_USER},
        "chat": _chat(chat_id, chat_type),
        "date": date,
        "text": text,
    }
    if text.startswith("/"):
        command = text.split()[0]
        message["entities"] = [{"offset": 0, "length": _len16(command), "type": "bot_command"}]
    return {"update_id": update_id, "message": message}


def tg_callback_update(
    update_id: int,
    chat_id: int,
    user_id: int,
    data: str,
    message_id: int,
    *,
    chat_type: str = "private",
    message_text: str = "Pilih salah satu:",
    bot_id: int = 123456789,
    date: int = 1732766400,
) -> dict[str, Any]:
    """A ``callback_query`` update for a press on an inline button of message ``message_id``."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": str(4382000000000000000 + update_id),
            "from": {"id": user_id, **_USER},
            "message": {
                "message_id": message_id,
                "from": {"id": bot_id, "is_bot": True, "first_name": "Ayo", "username": _BOT},
                "chat": _chat(chat_id, chat_type),
                "date": date,
                "text": message_text,
                "reply_markup": {"inline_keyboard": [[{"text": data, "callback_data": data}]]},
            },
            "chat_instance": str(-5000000000000000000 - chat_id),
            "data": data,
        },
    }


def chat_from_update(update: dict[str, Any]) -> dict[str, Any] | None:
    for key in ("message", "edited_message", "channel_post"):
        if key in update:
            return dict(update[key]["chat"])
    if "callback_query" in update and "message" in update["callback_query"]:
        return dict(update["callback_query"]["message"]["chat"])
    return None


def tg_document_update(
    update_id: int,
    chat_id: int,
    file_id: str,
    *,
    file_size: int,
    mime_type: str = "application/pdf",
    file_name: str = "surat-dokter.pdf",
    photo: bool = False,
    caption: str | None = None,
) -> dict[str, Any]:
    """A private ``message`` carrying a document (or, with ``photo``, a photo's sizes)."""
    message: dict[str, Any] = {
        "message_id": update_id % 100000,
        "from": {"id": chat_id, **_USER},
        "chat": _chat(chat_id, "private"),
        "date": 1732766400,
    }
    if photo:
        message["photo"] = [
            {"file_id": f"{file_id}s", "file_unique_id": "s", "width": 90, "height": 120,
             "file_size": 900},
            {"file_id": file_id, "file_unique_id": "m", "width": 960, "height": 1280,
             "file_size": file_size},
        ]  # fmt: skip
    else:
        message["document"] = {
            "file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": file_name,
            "mime_type": mime_type, "file_size": file_size,
        }  # fmt: skip
    if caption:
        message["caption"] = caption
    return {"update_id": update_id, "message": message}
