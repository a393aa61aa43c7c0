"""The hall, its departments (seconding agencies, ART8.4 leader in charge) and windows."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field

from domain.organisation import WINDOW_KINDS
from service.api.deps import Command, EditCommand, Ledger
from service.api.models import Code, Name, OutcomeOut, Text, TimedBody, Title

router = APIRouter(tags=["organisation"])


class EstablishHall(TimedBody):
    name_zh: Name
    name_en: Name


class RegisterDepartment(TimedBody):
    code: Code
    name_zh: Name
    name_en: Name
    uniformed: bool = Field(default=False, description="ART3.1: its staff wear uniform at the window")


class DesignateLeader(TimedBody):
    leader_name: Name
    leader_title: Title = ""


class OpenWindow(TimedBody):
    code: Code
    name_zh: Name
    name_en: Name
    department_id: UUID
    kind: Literal[WINDOW_KINDS] = "department"  # type: ignore[valid-type]


class CloseWindow(TimedBody):
    reason: Text


@router.post("/hall", status_code=201, response_model=OutcomeOut, summary="中心设立 · Establish the hall")
def establish_hall(body: EstablishHall, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.establish_hall(command.actor, **body.model_dump()),
        created=True,
        location="/api/v1/hall",
    )


@router.post("/departments", status_code=201, response_model=OutcomeOut, summary="派驻部门进驻 · Register a department")
def register_department(body: RegisterDepartment, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.register_department(command.actor, **body.model_dump()),
        created=True,
        location="/api/v1/departments/{id}",
    )


@router.post(
    "/departments/{department_id}/leader-in-charge",
    response_model=OutcomeOut,
    summary="确定分管领导 · Designate the leader in charge (ART8.4)",
)
def designate_leader_in_charge(
    department_id: UUID, body: DesignateLeader, command: EditCommand, ledger: Ledger
) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.designate_leader_in_charge(
            command.actor, department_id=department_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )


@router.post("/windows", status_code=201, response_model=OutcomeOut, summary="窗口设立 · Open a window")
def open_window(body: OpenWindow, command: Command, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.open_window(command.actor, **body.model_dump()),
        created=True,
        location="/api/v1/windows/{id}",
    )


@router.post("/windows/{window_id}/closure", response_model=OutcomeOut, summary="窗口撤销 · Close a window")
def close_window(window_id: UUID, body: CloseWindow, command: EditCommand, ledger: Ledger) -> JSONResponse:
    return command.run(
        body,
        lambda: ledger.close_window(
            command.actor, window_id=window_id, expected_version=command.expected_version, **body.model_dump()
        ),
    )
