"""A photo or PDF the employee sends: kept as the document an open form is asking for."""

from __future__ import annotations

import logging
from typing import Any

from bot.context import Context
from core.messages import Reply
from core.storage.models import StoredDocument
from core.text import T

log = logging.getLogger(__name__)

NOT_WAITING = T(
    "Terima kasih, tetapi saat ini tidak ada permohonan yang menunggu dokumen, jadi berkasnya "
    "tidak saya simpan. Kirim lagi saat saya memintanya.",
    "Thank you, but no request is waiting for a document now, so I did not keep the file. "
    "Send it again when I ask for it.",
)
FETCH_FAILED = T(
    "Maaf, berkasnya gagal saya ambil. Silakan kirim sekali lagi.",
    "Sorry, I could not fetch the file. Please send it once more.",
)


async def received(ctx: Context, file: dict[str, Any]) -> list[Reply]:
    """Check, fetch and keep a file; then the form goes on as if it had been answered."""
    from bot.handlers.learning_records import accept_certificate, asking_certificate
    from bot.handlers.services import accept_document, asking_document

    store = ctx.deps.documents
    # A form's attachment question, or a learning record's certificate.
    accept = accept_certificate if asking_certificate(ctx) else accept_document
    if accept is accept_document and not asking_document(ctx):
        return [Reply(NOT_WAITING)]
    refused = store.refusal(file.get("size"), file.get("mime"))
    if refused is not None:
        return [Reply(refused)]
    if file.get("stored"):  # the web chat uploads straight into the store
        doc = await ctx.session.get(StoredDocument, int(file["stored"]))
        if doc is None or doc.owner_id != ctx.me.id:
            return [Reply(FETCH_FAILED)]
        return await accept(ctx, doc)
    channel = (ctx.deps.channels or {}).get(ctx.account.channel)
    if channel is None:
        return [Reply(FETCH_FAILED)]
    try:
        content = await channel.download(file, store.max_bytes)
    except ValueError:
        return [Reply(store.refusal(store.max_bytes + 1, None) or FETCH_FAILED)]
    except Exception as exc:  # the channel's API is down or the file expired
        log.warning("file fetch failed on %s: %s", ctx.account.channel, type(exc).__name__)
        return [Reply(FETCH_FAILED)]
    saved = await store.save(
        ctx.session,
        content,
        kind="attachment",
        owner_id=ctx.me.id,
        source=ctx.account.channel,
        now=ctx.now,
    )
    if isinstance(saved, T):
        return [Reply(saved)]
    log.info("document %s kept (%s bytes)", saved.id, saved.size)
    return await accept(ctx, saved)
