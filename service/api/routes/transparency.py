"""The transparency log over HTTP, under the public URLs ``/ledger/…`` (docs/ledger-format.md §7), and receipts.

Open to anyone, no token — what an outside verifier needs and nothing personal:

- ``GET /ledger/checkpoint``: the latest signed checkpoint, ``text/plain``;
- ``GET /ledger/key``: the hall's verifier key, ``text/plain`` (informational: verifiers
  take the key from the hall's notice board, not from the server they check);
- ``GET /ledger/proof/inclusion?index=I&tree_size=N`` and
  ``GET /ledger/proof/consistency?first=M&second=N``: RFC 9162 proofs from the stored tree.

For the feed's readers (access table): ``GET /ledger/entries?start=S&end=E``, the leaf
inputs re-derived from the stored events (personal fields only as commitments), at most
:data:`service.transparency.ENTRIES_PAGE` per page. Under ``/api/v1``: ``hall-ledger-receipt/1``
documents for a violation and for a decision on a staff member.

Hashes and leaf inputs are base64. A malformed or out-of-range parameter is a 400 problem.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from domain.roles import Role
from projections.transparency.keys import SigningKey, b64encode
from service import transparency
from service.api.deps import CurrentPrincipal, ServicesDep
from service.api.problems import ApiProblem
from service.keys import load_signing_key

router = APIRouter(prefix="/ledger", tags=["verifiable ledger"])
receipts = APIRouter(tags=["verifiable ledger"])

_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")
MAX_INDEX = 2**63 - 1

Param = Annotated[str | None, Query(description="a non-negative decimal integer")]


class BadParameter(ApiProblem):
    def __init__(self, field: str, detail: str, *, code: str = "malformed-parameter") -> None:
        super().__init__(400, code, detail, field=field)


def _integer(value: str | None, name: str) -> int:
    if value is None:
        raise BadParameter(name, f"the query parameter {name} is required")
    if not _DECIMAL.fullmatch(value) or int(value) > MAX_INDEX:
        raise BadParameter(name, f"{name} must be a decimal integer between 0 and 2**63 − 1, not {value[:40]!r}")
    return int(value)


def tree_of(request: Request) -> transparency.TransparencyLog:
    """The process's :class:`~service.transparency.TransparencyLog` (made on first use)."""
    state = request.app.state
    found: transparency.TransparencyLog | None = getattr(state, "ledger_tree", None)
    if found is None:
        found = transparency.TransparencyLog(state.services.ledger)
        state.ledger_tree = found
    return found


def key_of(request: Request) -> SigningKey:
    state = request.app.state
    found: SigningKey | None = getattr(state, "ledger_key", None)
    if found is None:
        try:
            found = load_signing_key(state.services.settings)
        except (OSError, ValueError) as e:
            raise ApiProblem(503, "no-signing-key", f"the ledger has no checkpoint signing key: {e}") from None
        state.ledger_key = found
    return found


def _query(run: Any) -> Any:
    try:
        return run()
    except transparency.TransparencyQueryError as e:
        raise BadParameter(e.field, e.message, code=e.code) from None


@router.get(
    "/checkpoint",
    response_class=PlainTextResponse,
    summary="The latest signed checkpoint (C2SP tlog-checkpoint, text/plain)",
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def checkpoint(request: Request) -> PlainTextResponse:
    latest = tree_of(request).latest_checkpoint()
    if latest is None:
        raise ApiProblem(404, "no-checkpoint", "the ledger has not signed a checkpoint yet")
    return PlainTextResponse(latest.note, headers={"Cache-Control": "no-cache"})


@router.get(
    "/key",
    response_class=PlainTextResponse,
    summary="The hall's verifier key (informational: obtain it from the hall itself)",
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def verifier_key(request: Request) -> PlainTextResponse:
    return PlainTextResponse(key_of(request).verifier_key + "\n")


@router.get("/proof/inclusion", summary="RFC 9162 inclusion proof of leaf I in the tree of size N")
def inclusion(request: Request, index: Param = None, tree_size: Param = None) -> JSONResponse:
    i, n = _integer(index, "index"), _integer(tree_size, "tree_size")
    answer = _query(lambda: tree_of(request).inclusion(i, n))
    return JSONResponse(
        {
            "leaf_index": answer.leaf_index,
            "tree_size": answer.tree_size,
            "leaf_hash": b64encode(answer.leaf_hash),
            "inclusion_path": [b64encode(h) for h in answer.inclusion_path],
        }
    )


@router.get("/proof/consistency", summary="RFC 9162 consistency proof from tree size M to tree size N")
def consistency(request: Request, first: Param = None, second: Param = None) -> JSONResponse:
    m, n = _integer(first, "first"), _integer(second, "second")
    answer = _query(lambda: tree_of(request).consistency(m, n))
    return JSONResponse(
        {
            "first": answer.first,
            "second": answer.second,
            "consistency_path": [b64encode(h) for h in answer.consistency_path],
        }
    )


@router.get("/entries", summary="Leaf inputs S ≤ index < E (a bounded page; ask again from the next index)")
def entries(principal: CurrentPrincipal, request: Request, start: Param = None, end: Param = None) -> JSONResponse:
    s, e = _integer(start, "start"), _integer(end, "end")
    page = _query(lambda: tree_of(request).entries(s, e))
    return JSONResponse({"entries": [{"index": i, "leaf_input": b64encode(data)} for i, data in page]})


# --------------------------------------------------------------------------- receipts (/api/v1)


def _receipt(request: Request, make: Any, filename: str) -> JSONResponse:
    try:
        receipt = make(tree_of(request), key_of(request))
    except transparency.ReceiptUnavailable as e:
        if e.retry:
            raise ApiProblem(503, "receipt-not-yet", str(e), headers={"Retry-After": "1"}) from None
        raise ApiProblem(409, "ledger-disagrees", str(e)) from None
    return JSONResponse(
        receipt.to_json(),
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _own_only(principal: Any, staff_id: UUID | None, what: str) -> None:
    if principal.role == Role.STAFF and (staff_id is None or principal.staff_id != staff_id):
        raise ApiProblem(403, "not-your-record", f"a staff token may fetch receipts only for its own {what}")


@receipts.get(
    "/violations/{violation_id}/receipt",
    summary="An offline-verifiable receipt (hall-ledger-receipt/1) for every event of a violation's record",
)
def violation_receipt(violation_id: UUID, principal: CurrentPrincipal, request: Request) -> JSONResponse:
    store = tree_of(request)
    ledger = store.app
    positions = transparency.violation_positions(ledger, violation_id, transparency_log=store)
    if principal.role == Role.STAFF:
        with store.reading() as tx:
            first = transparency.read_stream(tx, ledger, violation_id)[0][1]
        _own_only(principal, getattr(first, "staff_id", None), "violations")
    return _receipt(
        request,
        lambda s, k: transparency.receipt_for_positions(ledger, positions, key=k, transparency_log=s),
        f"receipt-violation-{violation_id}.json",
    )


@receipts.get(
    "/staff/{staff_id}/sanctions/{decision_id}/receipt",
    summary="An offline-verifiable receipt for the events behind a decision on a staff member",
)
def sanction_receipt(
    staff_id: UUID, decision_id: UUID, principal: CurrentPrincipal, services: ServicesDep, request: Request
) -> JSONResponse:
    _own_only(principal, staff_id, "decisions")
    store = tree_of(request)
    positions = transparency.sanction_positions(services.ledger, staff_id, decision_id, transparency_log=store)
    return _receipt(
        request,
        lambda s, k: transparency.receipt_for_positions(services.ledger, positions, key=k, transparency_log=s),
        f"receipt-decision-{decision_id}.json",
    )
