"""Issue 10 point 7 — tokens for nobody.

A token is bound to a staff member who is on the ledger (refused otherwise, with a clear error
and a non-zero exit); it may expire (``--expires-in``), the API refusing it afterwards (401
problem+json) and ``token list`` showing when; a token of any role may be bound to a person
(``--staff-id``), and separation of duties — four eyes (who confirms a violation did not record
it), an appeal reviewer never reviewing what they recorded — compares the people behind tokens,
not the tokens' names (``domain.envelope.Actor.same_person``).
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from domain import ids
from service.api.tokens import TokenStore
from service.application import HallLedger, open_ledger
from service.cli import app as cli
from service.settings import Settings
from tests.api.conftest import TestClient, Tokens, done, problem, send
from tests.conftest import FakeClock
from tests.givens import given_hall, given_staff, positions

runner = CliRunner()


def test_a_token_for_nobody_is_refused(env: None, settings: Settings) -> None:
    """The reported hole: ``token create --role staff --staff-id S999`` (no such person) succeeded."""
    ledger = open_ledger(settings)
    try:
        given_staff(ledger, given_hall(ledger))  # S001 only
        nobody = runner.invoke(cli, ["token", "create", "--role", "staff", "--name", "ghost", "--staff-id", "S999"])
        assert nobody.exit_code != 0
        assert "no staff member S999" in nobody.output and "staff_id" in nobody.output
        also = runner.invoke(
            cli, ["token", "create", "--role", "inspector", "--name", "ghost-2", "--staff-id", str(UUID(int=7))]
        )
        assert also.exit_code != 0, "a token of any role is bound only to a person on the ledger"
        assert TokenStore(ledger).list() == [], "nothing is stored"
        made = runner.invoke(cli, ["token", "create", "--role", "staff", "--name", "wang-fang", "--staff-id", "S001"])
        assert made.exit_code == 0, made.output
    finally:
        ledger.close()


def test_tokens_expire_and_token_list_shows_when(env: None, settings: Settings) -> None:
    ledger = open_ledger(settings)
    try:
        given_staff(ledger, given_hall(ledger))
        made = runner.invoke(
            cli, ["token", "create", "--role", "inspector", "--name", "insp-li", "--staff-id", "S001",
                  "--expires-in", "30d"],
        )  # fmt: skip
        assert made.exit_code == 0, made.output
        assert "expires" in made.output
        bad = runner.invoke(cli, ["token", "create", "--role", "auditor", "--name", "audit-x", "--expires-in", "soon"])
        assert bad.exit_code != 0 and "expires_in" in bad.output
        (record,) = TokenStore(ledger).list()
        assert record.staff_id == ids.staff_id(settings.hall_id, "S001"), "an inspector's token bound to a person"
        assert record.expires_at is not None
        assert timedelta(days=29, hours=23) < record.expires_at - record.created_at <= timedelta(days=30)
        listed = runner.invoke(cli, ["token", "list"], env={"COLUMNS": "200"})
        assert listed.exit_code == 0, listed.output
        assert "expires" in listed.output and "active" in listed.output
        assert str(record.staff_id) in listed.output
    finally:
        ledger.close()


def test_an_expired_token_is_refused_by_the_api(
    client: TestClient, app: FastAPI, ledger: HallLedger, clock: FakeClock
) -> None:
    store: TokenStore = app.state.services.tokens
    token, _ = store.create(name="dash-temp", role="dashboard", expires_in=timedelta(hours=12))
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/kpis", headers=headers).status_code == 200
    clock.advance(hours=12, minutes=1)
    body = problem(client.get("/api/v1/kpis", headers=headers), 401, "unauthenticated")
    assert "expired" in body["detail"]
    assert store.active("dash-temp") is None


@pytest.fixture
def li_jian(ledger: HallLedger) -> UUID:
    """李检 (S090), the hall's inspector, also on the roster as hall staff."""
    hall = given_hall(ledger)
    given_staff(ledger, hall)  # 王芳, S001: the staff token
    return given_staff(ledger, hall, staff_no="S090", name="李检", employment="hall", posted=False)


@pytest.mark.rules("ART6.5")
def test_four_eyes_compares_people_not_token_names(
    client: TestClient, app: FastAPI, tokens: Tokens, ledger: HallLedger, li_jian: UUID
) -> None:
    """李检 records a violation with one token and confirms it with another: still one pair of eyes."""
    store: TokenStore = app.state.services.tokens
    tokens.extra["li-a"] = store.create(name="li-jian-a", role="inspector", staff_id=li_jian)[0]
    tokens.extra["li-b"] = store.create(name="li-jian-b", role="inspector", staff_id=li_jian)[0]
    wang = ids.staff_id(app.state.services.settings.hall_id, "S001")
    recorded = done(send(client, tokens, "li-a", "/violations",
                         {"rule": "ART6.5", "evidence": "09:12 未在岗", "staff_id": str(wang)}), 201)["id"]  # fmt: skip
    events = list(ledger.events.get(UUID(recorded)))
    assert events[0].actor.person == li_jian, "the event names the person behind the token"
    before = positions(ledger)
    body = problem(send(client, tokens, "li-b", f"/violations/{recorded}/confirmation", {}), 403, "not-permitted")
    assert "four eyes" in body["detail"] and positions(ledger) == before
    done(send(client, tokens, "insp-wu", f"/violations/{recorded}/confirmation", {}))


@pytest.mark.rules("ART6.5")
def test_an_appeal_reviewer_never_reviews_what_the_same_person_recorded(
    client: TestClient, app: FastAPI, tokens: Tokens, ledger: HallLedger, li_jian: UUID
) -> None:
    store: TokenStore = app.state.services.tokens
    tokens.extra["li-a"] = store.create(name="li-jian-a", role="inspector", staff_id=li_jian)[0]
    store.create(name="li-jian-rev", role="appeal_reviewer", staff_id=li_jian)
    wang = ids.staff_id(app.state.services.settings.hall_id, "S001")
    recorded = done(send(client, tokens, "li-a", "/violations",
                         {"rule": "ART6.5", "evidence": "09:12 未在岗", "staff_id": str(wang)}), 201)["id"]  # fmt: skip
    done(send(client, tokens, "insp-wu", f"/violations/{recorded}/confirmation", {}))
    appeal = done(send(client, tokens, "staff", "/appeals",
                       {"target": {"kind": "violation", "id": recorded}, "grounds": "我在窗口后台整理材料"}),
                  201)["id"]  # fmt: skip
    before = positions(ledger)
    body = problem(
        send(client, tokens, "hall_manager", f"/appeals/{appeal}/reviewer", {"reviewer": "li-jian-rev"}),
        403, "reviewer-conflict",
    )  # fmt: skip
    assert body["field"] == "reviewer" and positions(ledger) == before
    done(send(client, tokens, "hall_manager", f"/appeals/{appeal}/reviewer", {"reviewer": "rev-sun"}))
