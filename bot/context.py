"""What a handler gets: the step's session, clock reading, who is talking and their state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.state import ConversationState
from bot.types import Inbound
from core import tokens
from core.messages import Button
from core.storage.models import ChatAccount, Employee
from core.text import T

if TYPE_CHECKING:
    from bot.deps import Deps
    from intents import MatchResult


@dataclass
class Context:
    session: AsyncSession
    now: datetime
    account: ChatAccount
    employee: Employee | None
    inbound: Inbound
    state: ConversationState
    deps: Deps
    inbox_id: int | None = None
    match: MatchResult | None = None
    # The intent being served, set by the dispatcher before it runs the intent's handler.
    intent: str | None = None
    _group: str | None = field(default=None, repr=False)

    @property
    def me(self) -> Employee:
        """The employee talking; handlers only run for linked chats, so this is set."""
        if self.employee is None:
            raise LookupError("this chat is not linked to an employee")
        return self.employee

    @property
    def tz(self) -> ZoneInfo:
        name = self.employee.timezone if self.employee else self.deps.settings.timezone
        return ZoneInfo(name or self.deps.settings.timezone)

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.tz)

    def new_button_group(self) -> str:
        """Buttons of one message share a group, so pressing one retires the others."""
        self._group = tokens.secrets.token_hex(6)
        return self._group

    async def button(
        self,
        label: T,
        action: str,
        payload: dict[str, Any] | None = None,
        *,
        group: str | None = None,
        ttl: timedelta = tokens.DEFAULT_TTL,
        for_employee: int | None = None,
    ) -> Button:
        """A button only `for_employee` (default: the one talking) may press."""
        token = await tokens.issue(
            self.session,
            employee_id=for_employee if for_employee is not None else self.me.id,
            action=action,
            payload=payload,
            now=self.now,
            ttl=ttl,
            group=group,
        )
        return Button(label, token)
