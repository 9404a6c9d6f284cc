"""A fake WhatsApp Cloud (Graph) API on loopback that the real pywa client talks to over HTTP.

How to point pywa at it (pywa 4.5.0)
------------------------------------
pywa has no base-URL setting: ``GraphAPI.__init__`` (``pywa/api.py``) *overwrites*
``session.base_url`` with ``https://graph.facebook.com/v{api_version}`` and adds the
``Authorization`` header to the ``httpx`` client it is given. The supported hook is the
``session=`` argument, so give pywa an ``httpx`` client whose transport rewrites the origin
(scheme, host, port, optional path prefix) and then does a real HTTP request::

    session = httpx.AsyncClient(transport=GraphAPIRedirect(fake.url))  # AYO_WHATSAPP_API_URL
    wa = pywa_async.WhatsApp(phone_id=PHONE_ID, token=TOKEN, session=session)
    ...
    await session.aclose()  # pywa never closes a session it was given

``GraphAPIRedirect`` uses only public httpx API; production code should own a copy (e.g. in
``integrations/``) rather than import it from ``tests``.

(sync ``pywa.WhatsApp`` takes ``httpx.Client(transport=GraphAPIRedirect(...))``). Without a
``callback_url`` or ``server``, constructing ``WhatsApp`` makes no HTTP call. A session
serves one ``WhatsApp`` instance only (pywa raises ``ValueError`` if it already has an
``Authorization`` header).

``async with FakeWhatsApp(token=..., recipients=[...], templates=[...]) as fake:`` (or
``with``) starts it. Rejections are Graph-style ``{"error": {...}}`` with the codes pywa maps
to its exception classes (see ``_validate``). Webhook payload builders and ``sign`` are at
the bottom.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .loopback import LoopbackServer, SlidingWindow

__all__ = [
    "FakeWhatsApp",
    "GraphAPIRedirect",
    "GraphError",
    "bsuid",
    "sign",
    "wa_button_reply_update",
    "wa_list_reply_update",
    "wa_message_update",
    "wa_status_update",
    "wa_text_update",
]

DEFAULT_TOKEN = "EAAFakeAyoWhatsAppToken0123456789"
DEFAULT_PHONE_ID = "106540352242922"
DEFAULT_DISPLAY_PHONE = "6281100000000"
DEFAULT_WABA_ID = "102290129340398"


class GraphAPIRedirect(httpx.AsyncBaseTransport, httpx.BaseTransport):
    """httpx transport sending every request to ``api_url`` instead of graph.facebook.com.

    ``GraphAPIRedirect("http://127.0.0.1:8080/graph")`` turns
    ``https://graph.facebook.com/v22.0/123/messages`` into
    ``http://127.0.0.1:8080/graph/v22.0/123/messages``. Works for sync and async clients.
    """

    def __init__(self, api_url: str) -> None:
        target = httpx.URL(api_url)
        self._scheme, self._host, self._port = target.scheme, target.host, target.port
        self._prefix = target.path.rstrip("/")
        self._netloc = target.netloc.decode()
        self._async: httpx.AsyncHTTPTransport | None = None
        self._sync: httpx.HTTPTransport | None = None

    def _rewrite(self, request: httpx.Request) -> None:
        request.url = request.url.copy_with(
            scheme=self._scheme,
            host=self._host,
            port=self._port,
            raw_path=(self._prefix + request.url.raw_path.decode()).encode(),
        )
        request.headers["Host"] = self._netloc

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._rewrite(request)
        self._async = self._async or httpx.AsyncHTTPTransport()
        return await self._async.handle_async_request(request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._rewrite(request)
        self._sync = self._sync or httpx.HTTPTransport()
        return self._sync.handle_request(request)

    async def aclose(self) -> None:
        if self._async is not None:
            await self._async.aclose()

    def close(self) -> None:
        if self._sync is not None:
            self._sync.close()


class GraphError(Exception):
    def __init__(self, code: int, message: str, details: str | None = None, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.details, self.status = code, message, details, status

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "message": f"(#{self.code}) {self.message}" if self.code != 190 else self.message,
            "type": "OAuthException",
            "code": self.code,
            "fbtrace_id": "AyoFakeTrace" + str(self.code),
        }
        if self.details:
            error["error_data"] = {"messaging_product": "whatsapp", "details": self.details}
        return {"error": error}


def _invalid(details: str) -> GraphError:
    return GraphError(131009, "Parameter value is not valid", details)


def _missing(details: str) -> GraphError:
    return GraphError(131008, "Required parameter is missing", details)


@dataclass
class GraphCall:
    method: str
    path: str
    body: dict[str, Any]
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)


class FakeWhatsApp(LoopbackServer):
    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        phone_ids: tuple[str, ...] | list[str] = (DEFAULT_PHONE_ID,),
        recipients: tuple[str, ...] | list[str] = (),
        templates: tuple[str, ...] | list[str] = (),
        per_phone_per_sec: int | None = None,
        per_recipient_per_sec: int | None = None,
        latency: float = 0.0,
    ) -> None:
        super().__init__()
        self.token, self.latency = token, latency
        self.phone_ids = set(phone_ids)
        self.recipients = set(recipients)
        self.templates = set(templates)
        self.count_429 = 0
        self._lock = threading.Lock()
        self._calls: list[GraphCall] = []
        self._seq = itertools.count(1)
        # Uploaded media by id: {"filename", "mime", "content"}.
        self.media: dict[str, dict[str, Any]] = {}
        self.downloads = 0
        self._phone_window = SlidingWindow(per_phone_per_sec) if per_phone_per_sec else None
        self._pair_window = SlidingWindow(per_recipient_per_sec) if per_recipient_per_sec else None

    def redirect(self) -> GraphAPIRedirect:
        return GraphAPIRedirect(self.url)

    # -- test API ----------------------------------------------------------------------------
    def add_recipient(self, *wa_ids: str) -> None:
        with self._lock:
            self.recipients.update(wa_ids)

    def allow_templates(self, *names: str) -> None:
        with self._lock:
            self.templates.update(names)

    def requests(self) -> list[GraphCall]:
        """Every request (accepted or rejected), oldest first."""
        with self._lock:
            return list(self._calls)

    def sent(self, to: str | None = None) -> list[dict[str, Any]]:
        """JSON bodies of accepted outgoing messages (not read receipts), oldest first."""
        with self._lock:
            return [
                c.body
                for c in self._calls
                if c.status == 200 and "to" in c.body and to in (None, c.body["to"])
            ]

    def read_receipts(self) -> list[str]:
        """``message_id`` of every accepted mark-as-read (incl. typing indicators)."""
        with self._lock:
            return [
                c.body["message_id"]
                for c in self._calls
                if c.status == 200 and c.body.get("status") == "read"
            ]

    # -- server ------------------------------------------------------------------------------
    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/{version}/{phone_id}/messages", self._messages, methods=["POST"]),
                Route("/{version}/{phone_id}/media", self._upload, methods=["POST"]),
                Route("/media-download/{media_id}", self._download, methods=["GET"]),
                Route("/{version}/{media_id}", self._media_url, methods=["GET"]),
                Route("/{path:path}", self._unknown, methods=["GET", "POST", "DELETE"]),
            ]
        )

    async def _unknown(self, request: Request) -> JSONResponse:
        err = GraphError(2500, f"Unknown path components: /{request.path_params['path']}")
        return await self._respond(request, {}, err)

    def add_media(self, content: bytes, mime: str, filename: str | None = None) -> str:
        """A file a user sent (as WhatsApp keeps it): returns its media id for a webhook."""
        media_id = f"{next(self._seq):015d}"
        with self._lock:
            self.media[media_id] = {"filename": filename, "mime": mime, "content": content}
        return media_id

    def _authorised(self, request: Request) -> bool:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given, f"Bearer {self.token}")

    async def _media_url(self, request: Request) -> JSONResponse:
        """GET /{media_id}: the media's (short-lived) download URL, as the Cloud API answers."""
        media_id = request.path_params["media_id"]
        if not self._authorised(request):
            return await self._respond(request, {}, GraphError(190, "Invalid token", status=401))
        found = self.media.get(media_id)
        if found is None:
            err = GraphError(100, f"Object with ID '{media_id}' does not exist")
            return await self._respond(request, {}, err)
        info = {
            "messaging_product": "whatsapp",
            "url": f"{self.url}/media-download/{media_id}",
            "mime_type": found["mime"],
            "sha256": hashlib.sha256(found["content"]).hexdigest(),
            "file_size": len(found["content"]),
            "id": media_id,
        }
        return await self._respond(request, {"media": media_id}, info)

    async def _download(self, request: Request) -> Response:
        found = self.media.get(request.path_params["media_id"])
        if not self._authorised(request) or found is None:
            return Response(status_code=404)
        with self._lock:
            self.downloads += 1
        return Response(found["content"], media_type=found["mime"])

    async def _upload(self, request: Request) -> JSONResponse:
        """POST /{phone_id}/media (multipart): keeps the file, answers its media id."""
        auth = request.headers.get("authorization", "")
        if not hmac.compare_digest(auth, f"Bearer {self.token}"):
            err = GraphError(190, "Invalid OAuth access token", status=401)
            return await self._respond(request, {}, err)
        async with request.form() as form:
            upload = form.get("file")
            product = form.get("messaging_product")
            if product != "whatsapp" or upload is None or isinstance(upload, str):
                return await self._respond(request, {}, _missing("file is required"))
            content = await upload.read()
            mime = upload.content_type or str(form.get("type") or "")
            media_id = f"{next(self._seq):015d}"
            with self._lock:
                self.media[media_id] = {
                    "filename": upload.filename, "mime": mime, "content": content,
                }  # fmt: skip
        return await self._respond(request, {"upload": upload.filename}, {"id": media_id})

    async def _messages(self, request: Request) -> JSONResponse:
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            body = {}
        try:
            result: dict[str, Any] | GraphError = self._handle(request, body)
        except GraphError as err:
            result = err
        return await self._respond(request, body, result)

    async def _respond(
        self, request: Request, body: dict[str, Any], result: dict[str, Any] | GraphError
    ) -> JSONResponse:
        if self.latency:
            await asyncio.sleep(self.latency)
        status = result.status if isinstance(result, GraphError) else 200
        payload = result.body() if isinstance(result, GraphError) else result
        with self._lock:
            self._calls.append(GraphCall(request.method, request.url.path, body, status, payload))
            self.count_429 += status == 429
        return JSONResponse(payload, status_code=status)

    def _handle(self, request: Request, body: dict[str, Any]) -> dict[str, Any]:
        auth = request.headers.get("authorization", "")
        if not hmac.compare_digest(auth, f"Bearer {self.token}"):
            raise GraphError(
                190, "Invalid OAuth access token - Cannot parse access token", status=401
            )
        phone_id = request.path_params["phone_id"]
        if not request.path_params["version"].startswith("v") or phone_id not in self.phone_ids:
            raise GraphError(
                100,
                f"Unsupported post request. Object with ID '{phone_id}' does not exist, cannot "
                "be loaded due to missing permissions, or does not support this operation.",
            )
        if body.get("messaging_product") != "whatsapp":
            raise GraphError(100, "The parameter messaging_product is required.")
        if body.get("status") == "read":
            if not body.get("message_id"):
                raise GraphError(100, "The parameter message_id is required.")
            return {"success": True}
        with self._lock:
            _validate(body, self.recipients, self.templates)
            media_id = (body.get("document") or {}).get("id")
            if body.get("type") == "document" and media_id and media_id not in self.media:
                raise GraphError(131053, "Media upload error", f"unknown media id {media_id}")
            self._rate_limit(phone_id, body["to"])
            wamid = _wamid(body["to"], next(self._seq))
        message: dict[str, Any] = {"id": wamid}
        if body.get("type") == "template":
            message["message_status"] = "accepted"
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": body["to"], "wa_id": body["to"]}],
            "messages": [message],
        }

    def _rate_limit(self, phone_id: str, to: str) -> None:
        now = time.monotonic()
        if self._phone_window and self._phone_window.retry_after(phone_id, now):
            raise GraphError(
                130429, "Rate limit hit", "Cloud API message throughput has been reached.", 429
            )
        if self._pair_window and self._pair_window.retry_after((phone_id, to), now):
            raise GraphError(
                131056, "(Business Account, Consumer Account) pair rate limit hit", status=429
            )
        for window, key in ((self._phone_window, phone_id), (self._pair_window, (phone_id, to))):
            if window:
                window.hit(key, now)


def _wamid(to: str, seq: int) -> str:
    raw = f"\x08\x0b{to}\x15\x02\x00\x11\x18\x12AYOFAKE{seq:011d}\x00".encode()
    return "wamid." + base64.b64encode(raw).decode()


# -- what the Cloud API rejects ---------------------------------------------------------------
def _check_len(value: Any, limit: int, what: str, minimum: int = 1) -> None:
    if not isinstance(value, str) or len(value) < minimum:
        raise _missing(f"{what} is required") if minimum else _invalid(f"{what} must be text")
    if len(value) > limit:
        raise _invalid(f"{what} is too long. Max length: {limit}")


def _validate(body: dict[str, Any], recipients: set[str], templates: set[str]) -> None:
    to = body.get("to")
    if not to:
        raise GraphError(100, "The parameter to is required.")
    if to not in recipients:
        raise GraphError(
            131030,
            "Recipient phone number not in allowed list",
            "Recipient phone number not in allowed list: Add recipient phone number to "
            "recipient list and try again.",
        )
    kind = body.get("type", "text")
    content = body.get(kind)
    if not isinstance(content, dict):
        raise _missing(f"Parameter '{kind}' is required for type '{kind}'")
    if kind == "text":
        _check_len(content.get("body"), 4096, "text.body")
    elif kind == "document":
        if not content.get("id") and not content.get("link"):
            raise _missing("document.id or document.link is required")
    elif kind == "interactive":
        _validate_interactive(content)
    elif kind == "template":
        name = content.get("name")
        lang = (content.get("language") or {}).get("code")
        if not lang:
            raise _missing("template.language.code is required")
        if name not in templates:
            raise GraphError(
                132001,
                "Template name does not exist in the translation",
                f"template name ({name}) does not exist in {lang}",
            )


def _validate_interactive(msg: dict[str, Any]) -> None:
    kind, action = msg.get("type"), msg.get("action") or {}
    header, footer = msg.get("header"), msg.get("footer")
    if header and header.get("type") == "text":
        _check_len(header.get("text"), 60, "header.text")
    if footer:
        _check_len(footer.get("text"), 60, "footer.text")
    if kind in ("button", "list"):
        _check_len((msg.get("body") or {}).get("text"), 1024, "body.text")
    if kind == "button":
        buttons = action.get("buttons") or []
        if not 1 <= len(buttons) <= 3:
            raise _invalid(f"Buttons count is {len(buttons)} but should be between 1 and 3")
        ids, titles = set(), set()
        for button in buttons:
            reply = button.get("reply") or {}
            _check_len(reply.get("id"), 256, "Button id")
            _check_len(reply.get("title"), 20, "Button title")
            ids.add(reply["id"])
            titles.add(reply["title"])
        if len(ids) < len(buttons) or len(titles) < len(buttons):
            raise _invalid("Button id and title must be unique")
    elif kind == "list":
        _check_len(action.get("button"), 20, "action.button")
        sections = action.get("sections") or []
        if not 1 <= len(sections) <= 10:
            raise _invalid(f"Sections count is {len(sections)} but should be between 1 and 10")
        rows = [row for section in sections for row in section.get("rows") or []]
        if not 1 <= len(rows) <= 10:
            raise _invalid(f"Total row count exceed max allowed count: 10 (got {len(rows)})")
        for section in sections:
            if len(sections) > 1 or section.get("title"):
                _check_len(section.get("title"), 24, "Section title")
        for row in rows:
            _check_len(row.get("id"), 200, "Row id")
            _check_len(row.get("title"), 24, "Row title")
            if row.get("description") is not None:
                _check_len(row["description"], 72, "Row description", minimum=0)
        if len({row["id"] for row in rows}) < len(rows):
            raise _invalid("Row ids must be unique")
    elif kind not in ("cta_url", "flow", "location_request_message", "product", "product_list"):
        raise _invalid(f"Interactive type '{kind}' is not valid")


# -- webhook payloads (as Meta posts them) -----------------------------------------------------
def sign(body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` header value Meta sends with ``body``."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def _envelope(value: dict[str, Any], phone_id: str, waba_id: str) -> dict[str, Any]:
    metadata = {"display_phone_number": DEFAULT_DISPLAY_PHONE, "phone_number_id": phone_id}
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": waba_id,
                "changes": [
                    {
                        "value": {"messaging_product": "whatsapp", "metadata": metadata, **value},
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def bsuid(wa_id: str, country: str = "ID") -> str:
    """A stable business-scoped user ID (``CC.digits``) for a phone number."""
    return f"{country}.{int(hashlib.sha256(wa_id.encode()).hexdigest()[:16], 16)}"


def _contact(wa_id: str, name: str | None) -> dict[str, Any]:
    contact: dict[str, Any] = {"profile": {"name": name}} if name else {}
    return contact | {"wa_id": wa_id, "user_id": bsuid(wa_id)}


def wa_message_update(
    from_: str,
    message: dict[str, Any],
    *,
    name: str = "Budi Santoso",
    wamid: str = "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFDNBMDFGQTk4QkQ1MkM4QjE2NTJFAA==",
    timestamp: int = 1732766400,
    phone_id: str = DEFAULT_PHONE_ID,
    waba_id: str = DEFAULT_WABA_ID,
) -> dict[str, Any]:
    """An incoming-message webhook; ``message`` holds the type-specific keys."""
    value = {
        "contacts": [_contact(from_, name)],
        "messages": [{"from": from_, "id": wamid, "timestamp": str(timestamp), **message}],
    }
    return _envelope(value, phone_id, waba_id)


def wa_text_update(from_: str, text: str, **kw: Any) -> dict[str, Any]:
    return wa_message_update(from_, {"type": "text", "text": {"body": text}}, **kw)


def wa_button_reply_update(
    from_: str, button_id: str, title: str, *, context_id: str = "wamid.AYOFAKE.context", **kw: Any
) -> dict[str, Any]:
    """A tap on a reply button of our message ``context_id``."""
    message = {
        "context": {"from": DEFAULT_DISPLAY_PHONE, "id": context_id},
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": button_id, "title": title}},
    }
    return wa_message_update(from_, message, **kw)


def wa_list_reply_update(
    from_: str,
    row_id: str,
    title: str,
    description: str | None = None,
    *,
    context_id: str = "wamid.AYOFAKE.context",
    **kw: Any,
) -> dict[str, Any]:
    """A choice from a list message ``context_id``."""
    reply = {"id": row_id, "title": title} | ({"description": description} if description else {})
    message = {
        "context": {"from": DEFAULT_DISPLAY_PHONE, "id": context_id},
        "type": "interactive",
        "interactive": {"type": "list_reply", "list_reply": reply},
    }
    return wa_message_update(from_, message, **kw)


def wa_status_update(
    recipient: str,
    wamid: str,
    status: str,
    *,
    timestamp: int = 1732766400,
    error_code: int = 131026,
    contacts: bool | None = None,
    phone_id: str = DEFAULT_PHONE_ID,
    waba_id: str = DEFAULT_WABA_ID,
) -> dict[str, Any]:
    """A delivery status (``sent``/``delivered``/``read``/``failed``) for our message.

    Since the BSUID rollout (2026) Meta adds a ``contacts`` array and ``recipient_user_id``
    to sent/delivered/read statuses and omits ``contacts`` on ``failed`` ones (``contacts``
    overrides that). pywa 4.5.0 cannot build a ``MessageStatus`` without ``contacts``.
    """
    entry: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(timestamp),
        "recipient_id": recipient,
    }
    if status != "failed":
        entry["recipient_user_id"] = bsuid(recipient)
    if status in ("sent", "delivered"):
        entry["conversation"] = {"id": "ayo0conversation0id", "origin": {"type": "service"}}
        if status == "sent":
            entry["conversation"]["expiration_timestamp"] = str(timestamp + 86400)
        entry["pricing"] = {
            "billable": True,
            "pricing_model": "PMP",
            "category": "service",
            "type": "free_customer_service",
        }
    if status == "failed":
        entry["errors"] = [
            {
                "code": error_code,
                "title": "Message undeliverable",
                "message": "Message undeliverable",
                "error_data": {"details": "Message Undeliverable."},
                "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
            }
        ]
    value: dict[str, Any] = {"statuses": [entry]}
    with_contacts = status != "failed" if contacts is None else contacts
    if with_contacts:
        value = {"contacts": [_contact(recipient, None)], **value}
    return _envelope(value, phone_id, waba_id)


def wa_document_update(
    from_: str,
    media_id: str,
    *,
    mime_type: str = "application/pdf",
    filename: str = "surat-dokter.pdf",
    image: bool = False,
    **kw: Any,
) -> dict[str, Any]:
    """An incoming document (or, with ``image``, a photo) message naming its media id."""
    if image:
        body = {"type": "image", "image": {"id": media_id, "mime_type": mime_type, "sha256": "x"}}
    else:
        body = {
            "type": "document",
            "document": {
                "id": media_id, "mime_type": mime_type, "sha256": "x", "filename": filename,
            },
        }  # fmt: skip
    return wa_message_update(from_, body, **kw)
