"""An employee can unlink a chat from inside the chat, after confirming."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.types import ChatRef, Inbound
from core.storage.models import ChatAccount, Employee, OutboxItem

DIMAS = "199402172019031005"


async def _last_reply(ayo: App, account_id: int) -> dict:
    async with ayo.db.sessions() as s:
        rows = (
            await s.execute(
                select(OutboxItem)
                .where(OutboxItem.chat_account_id == account_id)
                .order_by(OutboxItem.id)
            )
        ).scalars()
        return list(rows)[-1].payload


async def test_putuskan_akun_asks_then_unlinks_the_chat(ayo: App) -> None:
    async with ayo.db.transaction() as s:
        dimas = (await s.execute(select(Employee).where(Employee.nip == DIMAS))).scalar_one()
        account = ChatAccount(
            channel="telegram",
            external_id="555",
            employee_id=dimas.id,
            created_at=ayo.deps.clock(),
        )
        s.add(account)
    chat = ChatRef("telegram", "555")
    await ayo.engine.handle(Inbound(chat=chat, key="1", text="putuskan akun saya"))
    ask = await _last_reply(ayo, account.id)
    [yes] = [b["token"] for b in ask["buttons"] if b["label"]["en"].startswith("Yes")]
    await ayo.engine.handle(Inbound(chat=chat, key="2", button=yes))
    async with ayo.db.sessions() as s:
        assert (await s.get(ChatAccount, account.id)).employee_id is None
    # The next message is treated as coming from a stranger: only how to link.
    await ayo.engine.handle(Inbound(chat=chat, key="3", text="slip gaji nov"))
    assert "belum terhubung" in (await _last_reply(ayo, account.id))["text"]["id"]
