"""Fixtures of the HTTP tests: the app on the test's ledger (SQLite and PostgreSQL), one
token per role, a TestClient, and a real uvicorn server for what needs sockets (SSE,
concurrent retries, schemathesis)."""

from __future__ import annotations

import socket
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from domain import ids
from service.api import create_app
from service.api.tokens import TokenStore
from service.application import HallLedger
from service.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note about httpx2
    from fastapi.testclient import TestClient

#: one identity per role; the names match tests.givens' actors (MANAGER = mgr-zhang …)
IDENTITIES = {
    "hall_manager": "mgr-zhang",
    "inspector": "insp-li",
    "committee": "cmte-zhao",
    "appeal_reviewer": "rev-sun",
    "window_lead": "lead-qian",
    "dashboard": "dash-board",
    "auditor": "audit-ext",
    "staff": "wang-fang",
}
#: the staff member behind the staff token (tests.givens.given_staff's default staff number)
STAFF_NO = "S001"


@dataclass
class Tokens:
    by_role: dict[str, str]
    extra: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, role_or_name: str) -> str:
        return self.by_role.get(role_or_name) or self.extra[role_or_name]

    def headers(self, who: str, **more: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self[who]}", **{k.replace("_", "-"): v for k, v in more.items()}}


def api_settings(settings: Settings, **overrides: Any) -> Settings:
    """The test store's settings with quick event-stream timings (same database)."""
    values: dict[str, Any] = {"api_sse_heartbeat_seconds": 0.2, "api_sse_poll_seconds": 0.05}
    values.update(overrides)
    return settings.model_copy(update=values)


@pytest.fixture
def app(settings: Settings, ledger: HallLedger) -> FastAPI:
    return create_app(api_settings(settings), ledger)


def make_tokens(app: FastAPI) -> Tokens:
    store: TokenStore = app.state.services.tokens
    hall = app.state.services.settings.hall_id
    by_role = {}
    for role, name in IDENTITIES.items():
        staff_id = ids.staff_id(hall, STAFF_NO) if role == "staff" else None
        # the tests record the person after the tokens are made
        by_role[role] = store.create(name=name, role=role, staff_id=staff_id, require_person=False)[0]
    extra = {"insp-wu": store.create(name="insp-wu", role="inspector")[0]}
    return Tokens(by_role, extra)


@pytest.fixture
def tokens(app: FastAPI) -> Tokens:
    return make_tokens(app)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


class LiveServer:
    """uvicorn serving an app on a free port in a thread of this process."""

    def __init__(self, app: FastAPI) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30  # a safety net against a server that never starts
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.socket.close()


@pytest.fixture
def live(app: FastAPI) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server


def problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert an RFC 9457 problem with ``status`` (and ``code``) and return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["type"].endswith("/" + body["code"]) and body["title"]
    if code is not None:
        assert body["code"] == code, body
    return body


def send(client: Any, tokens: Tokens, who: str, path: str, body: dict[str, Any], **headers: str) -> Any:
    """POST a command under /api/v1 as ``who`` (a role, or a named token)."""
    return client.post(f"/api/v1{path}", json=body, headers=tokens.headers(who, **headers))


def done(response: Any, status: int = 200) -> dict[str, Any]:
    """Assert a command's Outcome with ``status``, its ETag matching its version; return it."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"id", "version", "positions", "extra"}
    assert response.headers["etag"] == f'"{body["version"]}"'
    return body


def staff_token(app: FastAPI, tokens: Tokens, name: str, staff_id: Any) -> None:
    """A staff token for another member of staff (its name doubles as the key in ``tokens``)."""
    tokens.extra[name] = app.state.services.tokens.create(name=name, role="staff", staff_id=staff_id)[0]
