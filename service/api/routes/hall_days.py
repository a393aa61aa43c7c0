"""The hall's business days (营业日): opened and closed (日终). Detection judges each day's
time-based rules at its close; the hall's scheduler or a hall manager records them."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from service.api.deps import Command, Ledger
from service.api.models import HallDate, OutcomeOut, TimedBody

router = APIRouter(prefix="/hall-days", tags=["hall days"])


class OpenDay(TimedBody):
    day: HallDate


class CloseDay(TimedBody):
    pass


@router.post("", status_code=201, response_model=OutcomeOut, summary="开门营业 · Open a business day")
def open_hall_day(body: OpenDay, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.open_hall_day(command.actor, **body.model_dump()),
        created=True,
        location=f"/api/v1/hall-days/{body.day.isoformat()}",
    )


@router.post("/{day}/closure", response_model=OutcomeOut, summary="日终 · Close the business day")
def close_hall_day(day: HallDate, body: CloseDay, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(body, lambda: ledger.close_hall_day(command.actor, day=day, **body.model_dump()))
