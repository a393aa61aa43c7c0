"""The ledger's HTTP endpoints on both stores: shapes of docs/ledger-format.md §7, public
checkpoint/key/proofs, entries for the feed's readers, receipts under /api/v1, and a 400
problem — never a 500 — for every malformed or out-of-range parameter."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from uuid import uuid4

import pytest
from fastapi import FastAPI

from projections.transparency.bundle import Receipt
from projections.transparency.leaf import leaf_hash, leaf_input
from projections.transparency.merkle import MemoryTree, root_hash, verify_consistency, verify_inclusion
from projections.transparency.note import open_checkpoint
from service import transparency
from service.api import create_app
from service.application import HallLedger
from service.eventlog import iter_events
from service.keys import ensure_signing_key, load_signing_key
from service.settings import Settings
from tests.api.conftest import TestClient, Tokens, api_settings, make_tokens, problem
from tests.givens import MANAGER
from tests.transparency.building import Suspension, given_suspension


@pytest.fixture
def app(settings: Settings, ledger: HallLedger) -> FastAPI:
    return create_app(api_settings(settings), ledger)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def tokens(app: FastAPI) -> Tokens:
    return make_tokens(app)


@pytest.fixture
def case(ledger: HallLedger, settings: Settings) -> Suspension:
    """A suspension, its tree and a checkpoint of size 19."""
    ensure_signing_key(settings)
    case = given_suspension(ledger)
    transparency.checkpoint_now(ledger)
    return case


def b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def test_before_any_checkpoint(client: TestClient, settings: Settings) -> None:
    problem(client.get("/ledger/checkpoint"), 404, "no-checkpoint")
    problem(client.get("/ledger/key"), 503, "no-signing-key")
    problem(client.get("/ledger/proof/inclusion?index=0&tree_size=1"), 400, "out-of-range")


def test_checkpoint_and_key_are_public_plain_text(client: TestClient, case: Suspension, settings: Settings) -> None:
    key = load_signing_key(settings)
    answer = client.get("/ledger/checkpoint")
    assert answer.status_code == 200 and answer.headers["content-type"] == "text/plain; charset=utf-8"
    checkpoint = open_checkpoint(answer.text, key.verifier, origin=settings.ledger_origin)
    assert checkpoint.size == 19
    served = client.get("/ledger/key")
    assert served.status_code == 200 and served.headers["content-type"] == "text/plain; charset=utf-8"
    assert served.text == key.verifier_key + "\n"


def test_proofs_verify_against_the_signed_checkpoint(
    client: TestClient, case: Suspension, ledger: HallLedger, settings: Settings
) -> None:
    key = load_signing_key(settings)
    checkpoint = open_checkpoint(client.get("/ledger/checkpoint").text, key.verifier)
    events = dict(iter_events(ledger))
    for index in (0, 9, 18):
        answer = client.get(f"/ledger/proof/inclusion?index={index}&tree_size=19")
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert sorted(body) == ["inclusion_path", "leaf_hash", "leaf_index", "tree_size"]
        assert (body["leaf_index"], body["tree_size"]) == (index, 19)
        leaf = b64(body["leaf_hash"])
        assert leaf == leaf_hash(leaf_input(events[index + 1], index + 1))
        verify_inclusion(index, 19, leaf, [b64(h) for h in body["inclusion_path"]], checkpoint.root)
    tree = MemoryTree.of(leaf_hash(leaf_input(events[p], p)) for p in range(1, 20))
    answer = client.get("/ledger/proof/consistency?first=7&second=19")
    body = answer.json()
    assert answer.status_code == 200 and sorted(body) == ["consistency_path", "first", "second"]
    assert (body["first"], body["second"]) == (7, 19)
    path = [b64(h) for h in body["consistency_path"]]
    verify_consistency(7, 19, root_hash(tree, 7), checkpoint.root, path)
    same = client.get("/ledger/proof/consistency?first=19&second=19").json()
    assert same == {"first": 19, "second": 19, "consistency_path": []}


def test_entries_follow_the_feed_access_and_are_the_leaf_inputs(
    client: TestClient, tokens: Tokens, case: Suspension, ledger: HallLedger
) -> None:
    problem(client.get("/ledger/entries?start=0&end=5"), 401, "unauthenticated")
    problem(client.get("/ledger/entries?start=0&end=5", headers=tokens.headers("inspector")), 403, "role-not-allowed")
    events = dict(iter_events(ledger))
    for role in ("auditor", "dashboard", "hall_manager", "committee"):
        answer = client.get("/ledger/entries?start=15&end=100", headers=tokens.headers(role))
        assert answer.status_code == 200, answer.text
        entries = answer.json()["entries"]
        assert [e["index"] for e in entries] == [15, 16, 17, 18], "never past the tree"
        assert [b64(e["leaf_input"]) for e in entries] == [leaf_input(events[i + 1], i + 1) for i in range(15, 19)]


MALFORMED = ["", "abc", "-1", "01", "1.5", "1e3", " 1", "0x10", "١٢", "99999999999999999999", "9223372036854775808"]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/ledger/proof/inclusion?index={v}&tree_size=19", "index"),
        ("/ledger/proof/inclusion?index=0&tree_size={v}", "tree_size"),
        ("/ledger/proof/consistency?first={v}&second=19", "first"),
        ("/ledger/proof/consistency?first=1&second={v}", "second"),
        ("/ledger/entries?start={v}&end=19", "start"),
        ("/ledger/entries?start=0&end={v}", "end"),
    ],
)
def test_malformed_parameters_are_400_problems(
    client: TestClient, tokens: Tokens, case: Suspension, path: str, field: str
) -> None:
    headers = tokens.headers("auditor")
    for value in MALFORMED:
        body = problem(client.get(path.format(v=value), headers=headers), 400, "malformed-parameter")
        assert body["field"] == field, (value, body)
    missing = path.split("?")[0] + "?" + "&".join(p for p in path.split("?")[1].split("&") if "{v}" not in p)
    assert problem(client.get(missing, headers=headers), 400)["field"] == field


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("/ledger/proof/inclusion?index=19&tree_size=19", "index"),
        ("/ledger/proof/inclusion?index=0&tree_size=20", "tree_size"),
        ("/ledger/proof/inclusion?index=0&tree_size=0", "tree_size"),
        ("/ledger/proof/inclusion?index=9223372036854775807&tree_size=9223372036854775807", "tree_size"),
        ("/ledger/proof/consistency?first=0&second=19", "first"),
        ("/ledger/proof/consistency?first=20&second=19", "first"),
        ("/ledger/proof/consistency?first=1&second=20", "second"),
        ("/ledger/entries?start=19&end=20", "start"),
        ("/ledger/entries?start=5&end=5", "end"),
        ("/ledger/entries?start=5&end=2", "end"),
    ],
)
def test_out_of_range_parameters_are_400_problems(
    client: TestClient, tokens: Tokens, case: Suspension, query: str, field: str
) -> None:
    body = problem(client.get(query, headers=tokens.headers("auditor")), 400, "out-of-range")
    assert body["field"] == field


def test_receipts_under_the_api(client: TestClient, tokens: Tokens, case: Suspension, settings: Settings) -> None:
    key = load_signing_key(settings).verifier
    answer = client.get(
        f"/api/v1/staff/{case.staff}/sanctions/{case.decision}/receipt", headers=tokens.headers("staff")
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    receipt = Receipt.parse(answer.content)
    assert [e.position for e in receipt.entries] == case.positions
    receipt.verify(key)
    for role in ("appeal_reviewer", "hall_manager", "committee", "auditor"):
        answer = client.get(f"/api/v1/violations/{case.first}/receipt", headers=tokens.headers(role))
        assert answer.status_code == 200, answer.text
        assert [c.size for c in Receipt.parse(answer.content).verify(key)] == [19, 19]
    # a staff token sees only its own records (the appellant's)
    mine = client.get(f"/api/v1/violations/{case.repeat}/receipt", headers=tokens.headers("staff"))
    assert mine.status_code == 200
    others = Receipt.parse(
        client.get(f"/api/v1/violations/{case.repeat}/receipt", headers=tokens.headers("auditor")).content
    )
    assert others.entries
    someone_else = client.get("/api/v1/staff/" + str(uuid4()) + f"/sanctions/{case.decision}/receipt",
                              headers=tokens.headers("staff"))  # fmt: skip
    problem(someone_else, 403, "not-your-record")
    problem(client.get(f"/api/v1/violations/{uuid4()}/receipt", headers=tokens.headers("auditor")), 404, "not-found")
    problem(client.get(f"/api/v1/violations/{case.first}/receipt", headers=tokens.headers("dashboard")), 403)


def test_a_staff_token_gets_no_receipt_for_a_colleague(
    client: TestClient, tokens: Tokens, case: Suspension, ledger: HallLedger
) -> None:
    colleague = next(e for _, e in iter_events(ledger) if type(e).__qualname__ == "Violation.Recorded"
                     and e.staff_id != case.staff)  # fmt: skip
    problem(
        client.get(f"/api/v1/violations/{colleague.originator_id}/receipt", headers=tokens.headers("staff")),
        403,
        "not-your-record",
    )


def test_a_receipt_signs_a_fresh_checkpoint_when_none_covers(
    client: TestClient, tokens: Tokens, case: Suspension, ledger: HallLedger, settings: Settings
) -> None:
    ledger.reinstate(
        MANAGER,
        staff_id=case.staff,
        decision_id=case.decision,
        note="retraining passed",
    )
    answer = client.get(
        f"/api/v1/staff/{case.staff}/sanctions/{case.decision}/receipt", headers=tokens.headers("auditor")
    )
    assert answer.status_code == 200, answer.text
    checkpoints = Receipt.parse(answer.content).verify(load_signing_key(settings).verifier)
    assert {c.size for c in checkpoints} == {20}
    assert client.get("/ledger/checkpoint").text.split("\n")[1] == "20"


def test_the_openapi_document_lists_the_ledger(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/ledger/checkpoint", "/ledger/key", "/ledger/proof/inclusion", "/ledger/proof/consistency",
                 "/ledger/entries", "/api/v1/violations/{violation_id}/receipt",
                 "/api/v1/staff/{staff_id}/sanctions/{decision_id}/receipt"):  # fmt: skip
        assert path in paths
