"""The leaf input of a stored event: canonical, deterministic, documented, and free of
personal data (sealed fields appear only as their commitments)."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from projections.envelope import envelope
from projections.transparency.jcs import canonicalize
from projections.transparency.leaf import LEAF_FORMAT, leaf_hash, leaf_index, leaf_input, leaf_object, leaf_position
from service.application import HallLedger, open_ledger
from service.eventlog import iter_events
from service.settings import Settings
from tests.conftest import FakeClock
from tests.transparency.building import CLIENT_CONTACT, CLIENT_NAME, record_small_history
from tests.transparency.worked_example import first_events

LEAF_MEMBERS = [
    "actor", "data", "format", "hall_id", "occurred_at", "position", "recorded_at", "rule", "stream", "type", "version",
]  # fmt: skip

# docs/ledger-format.md §Worked example: the hall's first event, recorded at position 1
WORKED_EXAMPLE = (
    '{"actor":{"id":"mgr-zhang","role":"hall_manager"},'
    '"data":{"code":"beihai","name_en":"Beihai Approval Center","name_zh":"北海行政审批中心"},'
    '"format":"hall-ledger-leaf/1","hall_id":"beihai","occurred_at":"2025-01-05T01:00:00.000000Z",'
    '"position":1,"recorded_at":"2025-01-05T01:00:00.000000Z","rule":null,'
    '"stream":"8fca87a1-ee82-5f4c-9104-de07a75f2c65","type":"Hall.Established","version":1}'
)


def first_event() -> object:
    return first_events()[0]


def test_the_worked_example_of_the_format_document_byte_for_byte() -> None:
    # a change here changes every leaf already in a tree: that needs a new LEAF_FORMAT
    data = leaf_input(first_event(), 1)
    assert data == WORKED_EXAMPLE.encode("utf-8")
    assert leaf_hash(data) == hashlib.sha256(b"\x00" + data).digest()
    assert leaf_hash(data).hex() == "a22201e869968869eb23f6c3838c348f507db8e36aebdbbf3d0d3c0599a501b7"


def test_leaf_input_is_the_canonical_envelope_with_its_format(ledger: HallLedger) -> None:
    events = record_small_history(ledger)
    for position, event in events:
        data = leaf_input(event, position)
        obj = json.loads(data)
        assert obj == {"format": LEAF_FORMAT, **envelope(event, position)}
        assert sorted(obj) == LEAF_MEMBERS and list(obj) == LEAF_MEMBERS, "members in JCS order"
        assert canonicalize(obj) == data
        assert obj["position"] == position and leaf_index(position) == position - 1


def test_the_same_event_gives_the_same_bytes_after_reopening_the_store(
    ledger: HallLedger, settings: Settings, clock: FakeClock
) -> None:
    events = record_small_history(ledger)
    first = [leaf_input(event, position) for position, event in events]
    assert first == [leaf_input(event, position) for position, event in events]
    again = open_ledger(settings, clock=clock)
    try:
        assert [leaf_input(event, position) for position, event in iter_events(again)] == first
    finally:
        again.close()


def test_personal_fields_appear_only_as_subject_and_commitment(ledger: HallLedger) -> None:
    events = record_small_history(ledger)
    position, consultation = events[-1]
    data = leaf_input(consultation, position)
    text = data.decode("utf-8")
    assert CLIENT_NAME not in text and CLIENT_CONTACT not in text
    sealed = consultation.client_name
    assert sealed.ciphertext not in text, "not even the ciphertext: erasure must not matter"
    assert json.loads(data)["data"]["client_name"] == {"subject": sealed.subject, "commitment": sealed.commitment}
    # the commitment is the hex SHA-256 of the ciphertext bytes (nonce ‖ ciphertext ‖ tag)
    assert hashlib.sha256(base64.b64decode(sealed.ciphertext)).hexdigest() == sealed.commitment


def test_positions_and_indexes() -> None:
    assert (leaf_index(1), leaf_position(0)) == (0, 1)
    with pytest.raises(ValueError):
        leaf_index(0)
    with pytest.raises(ValueError):
        leaf_position(-1)
    with pytest.raises(ValueError, match="start at 1"):
        leaf_object(first_event(), 0)
