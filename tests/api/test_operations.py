"""/healthz, /readyz and Prometheus /metrics."""

from __future__ import annotations

from fastapi import FastAPI

from projections.registry import all_models
from service.api import create_app
from service.application import HallLedger
from service.settings import Settings
from tests.api.conftest import TestClient, Tokens, problem
from tests.givens import given_hall, given_staff


def test_health_and_readiness(client: TestClient, ledger: HallLedger) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    given_hall(ledger)
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["head"] == 7
    # every registered read model reports its lag (nobody runs them here: all 7 behind)
    assert ready.json()["projections"] == {m.name: 7 for m in all_models()}


def test_not_ready_when_a_read_model_lags_beyond_the_bound(settings: Settings, ledger: HallLedger) -> None:
    bounded = settings.model_copy(update={"api_ready_max_lag": 100})
    app = create_app(bounded, ledger, projection_lag=lambda: {"escalation": 101, "kpis": 3})
    with TestClient(app) as client:
        body = problem(client.get("/readyz"), 503, "projections-lagging")
        assert "escalation (101 behind)" in body["detail"] and "kpis" not in body["detail"]
        metrics = client.get("/metrics").text
        assert 'hall_ledger_projection_lag_events{model="escalation"} 101.0' in metrics
    app = create_app(bounded, ledger, projection_lag=lambda: {"escalation": 100})
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 200


def test_metrics_count_requests_by_route_latency_and_events(
    client: TestClient, tokens: Tokens, ledger: HallLedger, app: FastAPI
) -> None:
    staff = given_staff(ledger, given_hall(ledger))
    for _ in range(2):
        client.post(
            "/api/v1/violations",
            json={"rule": "ART4.1", "staff_id": str(staff), "evidence": "desk untidy"},
            headers=tokens.headers("inspector"),
        )
    client.get(f"/api/v1/appeals/{staff}", headers=tokens.headers("hall_manager"))
    client.get("/no/such/page")
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'hall_ledger_http_requests_total{method="POST",route="/api/v1/violations",status="201"} 2.0' in text
    assert 'route="/api/v1/appeals/{appeal_id}",status="404"' in text, "labels are route templates"
    assert 'route="<unmatched>",status="404"' in text
    assert 'hall_ledger_http_request_duration_seconds_count{method="POST",route="/api/v1/violations"} 2.0' in text
    assert "hall_ledger_events_appended_total 2.0" in text
    assert "hall_ledger_log_head_position 11.0" in text
