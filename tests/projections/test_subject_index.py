"""Subject index: which streams concern which person — both stores."""

from __future__ import annotations

from datetime import date

from projections.runner import rebuild
from projections.timetravel import events_concerning
from service.application import HallLedger
from tests.conftest import FakeClock
from tests.givens import (
    CLERK,
    COMMITTEE,
    MANAGER,
    at,
    given_case,
    given_confirmed_violation,
    given_hall,
    given_inquiry,
    given_staff,
)
from tests.projections.support import models, positions_of, project, rows, snapshot


def test_a_stream_concerns_the_people_its_events_name_from_then_on(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    wang = given_staff(ledger, hall)
    li = given_staff(ledger, hall, staff_no="S002", name="李娜", window=hall.market_window, department=hall.market)
    clock.set(at(10, 9, 12))
    violation = given_confirmed_violation(ledger, wang, when=at(10, 9, 9))
    case = given_case(ledger, hall, wang, when=at(10, 9, 10))
    inquiry = given_inquiry(ledger, wang, when=at(10, 9, 11))
    handed = ledger.hand_over_inquiry(CLERK, inquiry_id=inquiry, contact_method="phone", contacted="李娜已接听",
                                      to_window_id=hall.market_window, to_staff_id=li)  # fmt: skip
    praise = ledger.record_praise(MANAGER, kind="letter", staff_ids=[wang, li], note="表扬信").id
    project(ledger, "subject_index")

    links = {(r["staff_id"], r["stream_id"]): (r["kind"], r["first_position"]) for r in rows(ledger, "subject_streams")}
    assert links[(str(wang), str(wang))] == ("StaffMember", positions_of(ledger, wang)[0])
    assert links[(str(wang), str(violation))] == ("Violation", positions_of(ledger, violation)[0])
    assert links[(str(wang), str(case))] == ("ServiceCase", positions_of(ledger, case)[0])
    assert links[(str(wang), str(inquiry))][1] == positions_of(ledger, inquiry)[0]
    assert links[(str(li), str(inquiry))] == ("Inquiry", handed.positions[0]), "from the hand-over on"
    assert {(str(wang), str(praise)), (str(li), str(praise))} <= set(links)

    # the whole stream concerns them, including events before the one that named them
    concerning = {n for n, _ in events_concerning(ledger, li)}
    assert set(positions_of(ledger, inquiry)) <= concerning
    assert not set(positions_of(ledger, violation)) & concerning

    # replayed from 0 (rows written once, in key order) the index is the same
    before = snapshot(ledger, ["subject_index"])
    rebuild(ledger, models("subject_index"))
    assert snapshot(ledger, ["subject_index"]) == before


def test_a_person_s_own_stream_never_links_a_colleague_it_names(ledger: HallLedger, clock: FakeClock) -> None:
    hall = given_hall(ledger)
    outgoing = given_staff(ledger, hall, posted_on=date(2024, 3, 1))
    successor = given_staff(ledger, hall, staff_no="S002", name="李娜", posted=False)
    clock.set(at(10, 9, 12))
    consent = ledger.record_committee_consent(  # ART8.2: prior consent, whatever the tenure
        COMMITTEE, staff_id=outgoing, kind="replacement", decision_ref="管委会〔2026〕15号"
    ).extra["consent_id"]
    ledger.replace_staff(
        MANAGER, outgoing_id=outgoing, successor_id=successor, start=date(2026, 10, 9), consent_id=consent
    )
    project(ledger, "subject_index")
    streams = {(r["staff_id"], r["stream_id"]) for r in rows(ledger, "subject_streams")}
    assert streams == {(str(outgoing), str(outgoing)), (str(successor), str(successor))}
