"""`POST /api/v1/learning/records`: the training system records a finished classroom training.

Same key as every /api/v1 route (`X-API-Key`, integrations/api.py). The app's `external_id` makes
the call idempotent: a repeat answers 200 with the record made the first time, nothing doubled
(201 when it was created). An unknown NIP is 404; a bad body 422 with the field and reason. The
record is verified at once (the training system is HR's), audited, and the employee is told
through the outbox in the same transaction; the answer comes after the commit.
"""

# No `from __future__ import annotations`: FastAPI must see the local Annotated aliases.

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Response, status
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.clock import Clock
from core.storage.db import Database
from core.storage.models import Employee
from integrations.api import Clean, Label, api_key_app
from lessons import learning_records
from lessons.jp import JPSettings

Title = Annotated[str, Field(min_length=3, max_length=300), Clean]
Provider = Annotated[str, Field(max_length=120), Clean]


class LearningRecordIn(BaseModel):
    nip: str = Field(pattern=r"^\d{18}$", description="The employee who took part.")
    external_id: Annotated[Label, Field(description="Your id; a repeat is not doubled.")]
    title: Title
    provider: Provider = ""
    source: Literal["classroom", "external", "on_the_job"] = "classroom"
    type: Literal["teknis", "manajerial", "sosial_kultural"]
    hours: float = Field(gt=0, le=learning_records.MAX_HOURS, description="Hours of learning.")
    start_date: date
    end_date: date

    @model_validator(mode="after")
    def _dates_in_order(self) -> "LearningRecordIn":
        if self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class LearningRecordOut(BaseModel):
    id: int
    nip: str
    external_id: str
    source: str
    status: str
    type: str
    title: str
    hours: float
    jp: float
    start: str
    end: str


def learning_api(db: Database, clock: Clock, settings: JPSettings) -> APIRouter:
    routes = APIRouter(prefix="/api/v1", tags=["inbound API for municipal apps"])
    AppName = Annotated[str, Depends(api_key_app(db, clock))]

    @routes.post("/learning/records", status_code=201)
    async def add_record(
        body: LearningRecordIn, app: AppName, response: Response
    ) -> LearningRecordOut:
        """Record a finished training in the employee's JP ledger (verified)."""
        key = f"api:{app}:{body.external_id}"[:160]
        try:
            async with db.transaction() as session:
                found = await _existing(session, key, body.external_id)
                if found is not None:
                    response.status_code = status.HTTP_200_OK
                    return found
                person = (
                    await session.execute(select(Employee).where(Employee.nip == body.nip))
                ).scalar()
                if person is None or not person.active:
                    raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown employee")
                event = await learning_records.record_verified(
                    session,
                    person,
                    source=body.source,
                    competency=body.type,
                    title=body.title,
                    provider=body.provider or app,
                    start=body.start_date,
                    end=body.end_date,
                    hours=body.hours,
                    officer_id=None,
                    channel=f"api:{app}"[:20],
                    now=clock(),
                    settings=settings,
                    external_key=key,
                )
                # Returned from inside the block: the commit runs before FastAPI answers.
                return _out(learning_records.as_json(event, person.nip), body.external_id)
        except IntegrityError:
            # The same external_id sent twice at once: the other call made the record.
            async with db.sessions() as session:
                found = await _existing(session, key, body.external_id)
            if found is None:
                raise
            response.status_code = status.HTTP_200_OK
            return found

    async def _existing(session: Any, key: str, external_id: str) -> LearningRecordOut | None:
        event = await learning_records.find_by_key(session, key)
        if event is None:
            return None
        owner = await session.get(Employee, event.employee_id)
        return _out(learning_records.as_json(event, owner.nip if owner else ""), external_id)

    return routes


def _out(data: dict[str, Any], external_id: str) -> LearningRecordOut:
    return LearningRecordOut(**data, external_id=external_id)
