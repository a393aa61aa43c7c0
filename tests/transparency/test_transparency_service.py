"""service.transparency and the CLI on both stores: checkpoints on demand, receipts for the events
behind a violation and a suspension, proofs and entries over the store, verify on a clean
ledger, and `hall-ledger verify | receipt | checkpoint | key | project`."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from types import SimpleNamespace
from uuid import uuid4

import pytest
from typer.testing import CliRunner

from domain.errors import NotFound
from projections.runner import ProjectionRunner
from projections.transparency.bundle import Receipt
from projections.transparency.leaf import leaf_hash, leaf_input
from projections.transparency.merkle import MemoryTree, consistency_proof, inclusion_proof, verify_inclusion
from projections.transparency.note import open_checkpoint
from projections.transparency.tree import PER_BATCH, CheckpointPolicy
from service import transparency
from service.application import HallLedger, open_ledger
from service.cli import app as cli
from service.eventlog import iter_events
from service.keys import ensure_signing_key, load_signing_key
from service.settings import Settings
from tests.givens import MANAGER, given_confirmed_violation, given_hall, given_staff
from tests.transparency.building import given_suspension

runner = CliRunner()


@pytest.fixture
def keyed(ledger: HallLedger, settings: Settings) -> HallLedger:
    ensure_signing_key(settings)
    return ledger


def memory_tree(ledger: HallLedger) -> MemoryTree:
    return MemoryTree.of(leaf_hash(leaf_input(e, p)) for p, e in iter_events(ledger))


def test_checkpoint_now_brings_the_tree_up_to_date_and_signs_once(keyed: HallLedger, settings: Settings) -> None:
    assert transparency.checkpoint_now(keyed) is None, "an empty log: nothing to sign"
    given_hall(keyed)
    first = transparency.checkpoint_now(keyed)
    assert first is not None and first.size == 7
    opened = open_checkpoint(first.note, load_signing_key(settings).verifier, origin=settings.ledger_origin)
    assert opened.root == memory_tree(keyed).root
    assert transparency.checkpoint_now(keyed) == first, "no new leaves: the same checkpoint"
    assert transparency.TransparencyLog(keyed).latest_checkpoint() == first


def test_proofs_and_entries_over_the_store(keyed: HallLedger) -> None:
    given_confirmed_violation(keyed, given_staff(keyed, given_hall(keyed)))
    transparency.checkpoint_now(keyed)
    store = transparency.TransparencyLog(keyed)
    expected = memory_tree(keyed)
    answer = store.inclusion(4, 9)
    assert answer.leaf_hash == expected.nodes[(0, 4)]
    assert answer.inclusion_path == inclusion_proof(expected, 4, 9)
    verify_inclusion(4, 9, answer.leaf_hash, answer.inclusion_path, MemoryTree.of(
        expected.nodes[(0, i)] for i in range(9)).root)  # fmt: skip
    assert store.consistency(3, 11).consistency_path == consistency_proof(expected, 3, 11)
    assert store.consistency(11, 11).consistency_path == []
    page = store.entries(2, 100, page=4)
    assert [i for i, _ in page] == [2, 3, 4, 5]
    events = dict(iter_events(keyed))
    assert [data for _, data in page] == [leaf_input(events[i + 1], i + 1) for i in range(2, 6)]
    for call, field in [
        (lambda: store.inclusion(0, 12), "tree_size"),
        (lambda: store.inclusion(9, 9), "index"),
        (lambda: store.inclusion(0, 0), "tree_size"),
        (lambda: store.consistency(0, 5), "first"),
        (lambda: store.consistency(6, 5), "first"),
        (lambda: store.consistency(1, 12), "second"),
        (lambda: store.entries(11, 12), "start"),
        (lambda: store.entries(3, 3), "end"),
    ]:
        with pytest.raises(transparency.TransparencyQueryError) as refused:
            call()
        assert refused.value.field == field


def test_a_receipt_for_a_violation_holds_every_event_of_its_record(keyed: HallLedger, settings: Settings) -> None:
    staff = given_staff(keyed, given_hall(keyed))
    violation = given_confirmed_violation(keyed, staff)
    receipt = transparency.receipt_for_violation(keyed, violation)
    assert [e.position for e in receipt.entries] == [10, 11]
    assert [e.event["type"] for e in receipt.entries] == ["Violation.Recorded", "Violation.Confirmed"]
    checkpoints = Receipt.parse(receipt.text).verify(load_signing_key(settings).verifier)
    assert {c.size for c in checkpoints} == {11}, "a fresh checkpoint was signed to cover them"
    with pytest.raises(NotFound) as missing:
        transparency.receipt_for_violation(keyed, uuid4())
    assert missing.value.field == "violation_id"
    with pytest.raises(NotFound):
        transparency.receipt_for_violation(keyed, staff)  # a staff member is no violation


def test_a_receipt_for_a_suspension_holds_the_events_behind_it(keyed: HallLedger, settings: Settings) -> None:
    case = given_suspension(keyed)
    transparency.checkpoint_now(keyed)
    receipt = transparency.receipt_for_sanction(keyed, case.staff, case.decision)
    assert [e.position for e in receipt.entries] == case.positions
    assert [e.event["type"] for e in receipt.entries] == [
        "Violation.Recorded",  # the first breach …
        "Violation.Confirmed",
        "StaffMember.AdmonishmentIssued",  # … the warning …
        "Violation.Recorded",  # … the repeat after it …
        "Violation.Confirmed",
        "StaffMember.SuspensionDecided",  # … and the decision resting on both
    ]
    receipt.verify(load_signing_key(settings).verifier)
    # the admonishment is a decision too: its receipt is its basis and itself
    admonishment = transparency.receipt_for_sanction(keyed, case.staff, case.admonishment)
    assert [e.position for e in admonishment.entries] == [10, 11, 12]
    # what became of the decision later belongs to it
    keyed.reinstate(MANAGER, staff_id=case.staff, decision_id=case.decision, note="retraining passed")
    later = transparency.receipt_for_sanction(keyed, case.staff, case.decision)
    assert [e.position for e in later.entries] == [*case.positions, 20]
    assert later.entries[-1].event["type"] == "StaffMember.Reinstated"
    for staff_id, decision_id, field in [(uuid4(), case.decision, "staff_id"), (case.staff, uuid4(), "decision_id")]:
        with pytest.raises(NotFound) as missing:
            transparency.receipt_for_sanction(keyed, staff_id, decision_id)
        assert missing.value.field == field


def test_verify_a_clean_ledger(keyed: HallLedger, settings: Settings) -> None:
    case = given_suspension(keyed)
    model = transparency.tree_model(settings, policy=PER_BATCH)
    tree = ProjectionRunner(keyed, [model], batch_size=5)
    tree.prepare()
    tree.catch_up()
    keyed.reinstate(MANAGER, staff_id=case.staff, decision_id=case.decision, note="done")
    seen: list[tuple[int, int]] = []
    report = transparency.verify(keyed, progress=lambda done, total: seen.append((done, total)), chunk=8)
    assert report.ok, report.disagreements
    assert (report.head, report.events, report.tree_size, report.tracked) == (20, 20, 19, 19)
    assert report.pending == 1, "the last event is not in the tree yet: that is lag, not a disagreement"
    assert (report.checkpoints, report.checkpoints_verified, report.signed_size) == (4, 4, 19)
    assert seen == [(8, 20), (16, 20), (20, 20)]


# --------------------------------------------------------------------------- the command line


def test_the_ledger_commands(env: Settings) -> None:
    assert runner.invoke(cli, ["key"]).exit_code == 2, "no key before `hall-ledger init`"
    assert runner.invoke(cli, ["project", "--once", "ledger_tree"]).exit_code == 2
    others = runner.invoke(cli, ["project", "--once"], env={"COLUMNS": "200"})
    assert others.exit_code == 0 and "ledger_tree skipped: no checkpoint signing key" in others.output
    ensure_signing_key(env)
    key = runner.invoke(cli, ["key"])
    assert key.exit_code == 0 and key.stdout.strip() == load_signing_key(env).verifier_key
    ledger = open_ledger(env)
    try:
        case = given_suspension(ledger)
    finally:
        ledger.close()
    projected = runner.invoke(cli, ["project", "--once", "ledger_tree"], env={"COLUMNS": "200"})
    assert projected.exit_code == 0, projected.output
    assert "read models ledger_tree at position 19" in projected.output

    signed = runner.invoke(cli, ["checkpoint"])
    assert signed.exit_code == 0, signed.output
    assert signed.stdout.startswith(f"{env.ledger_origin}\n19\n")
    rebuilt = runner.invoke(cli, ["rebuild", "ledger_tree"], env={"COLUMNS": "200"})
    assert rebuilt.exit_code == 0 and "rebuilt ledger_tree: 19 events" in rebuilt.output, rebuilt.output
    assert runner.invoke(cli, ["checkpoint"]).stdout == signed.stdout, "kept through the rebuild, not re-signed"

    written = runner.invoke(cli, ["receipt", "--sanction", str(case.decision), "--staff", "S001", "-o", "r.json"])
    assert written.exit_code == 0, written.output
    receipt = Receipt.parse((env.key_dir.parent / "r.json").read_text(encoding="utf-8"))
    assert [e.position for e in receipt.entries] == case.positions
    printed = runner.invoke(cli, ["receipt", "--violation", str(case.first)])
    assert printed.exit_code == 0 and json.loads(printed.stdout)["entries"][0]["position"] == 10
    assert runner.invoke(cli, ["receipt", "--sanction", str(case.decision)]).exit_code == 2, "--staff is needed"
    missing = runner.invoke(cli, ["receipt", "--violation", str(uuid4())], env={"COLUMNS": "200"})
    assert missing.exit_code == 1 and "no violation with id" in missing.output

    verified = runner.invoke(cli, ["verify"], env={"COLUMNS": "200"})
    assert verified.exit_code == 0, verified.output
    assert "the ledger verifies" in verified.output and "checkpoints 1 of 1 verified" in verified.output
    assert "note" not in verified.output

    ledger = open_ledger(env)
    try:
        ledger.reinstate(MANAGER, staff_id=case.staff, decision_id=case.decision, note="retraining passed")
    finally:
        ledger.close()
    lagging = runner.invoke(cli, ["verify"], env={"COLUMNS": "200"})
    assert lagging.exit_code == 0 and "1 events are not in the tree yet" in lagging.output, lagging.output


def test_follow_tree_keeps_up_and_signs_a_due_checkpoint_while_the_log_is_idle(
    keyed: HallLedger, settings: Settings
) -> None:
    """What `hall-ledger serve` runs in a thread: the runner, plus an idle tick that signs the
    tail once the policy's interval has passed (here 0.5 s, so the test waits that long)."""
    model = transparency.tree_model(settings, policy=CheckpointPolicy(every_leaves=1000, every_seconds=0.5))
    stop = threading.Event()
    ready = threading.Event()
    store = transparency.TransparencyLog(keyed)
    follower = threading.Thread(
        target=transparency.follow_tree, args=(keyed, settings, stop), kwargs={"model": model, "on_ready": ready.set}
    )
    follower.start()
    try:
        assert ready.wait(30)
        hall = given_hall(keyed)
        assert wait_for(lambda: (store.latest_checkpoint() or NOTHING).size == 7), "the first leaves at once"
        given_staff(keyed, hall)
        assert wait_for(lambda: store.size() == 9), "the runner follows the log"
        assert wait_for(lambda: (store.latest_checkpoint() or NOTHING).size == 9), "the idle tail gets signed"
    finally:
        stop.set()
        follower.join(30)
    assert not follower.is_alive()
    assert transparency.verify(keyed).ok


NOTHING = SimpleNamespace(size=None)


def wait_for(condition: Callable[[], bool], deadline: float = 30.0) -> bool:
    """Poll until ``condition`` holds (the deadline only stops a hung test; nothing is timed)."""
    give_up = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > give_up:
            return False
        time.sleep(0.05)
    return True
