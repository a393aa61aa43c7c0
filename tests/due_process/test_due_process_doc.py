"""docs/due-process.md says who may decide what exactly as the server's access table does."""

from __future__ import annotations

from pathlib import Path

from domain.roles import Role
from service.api.access import ACCESS
from service.api.access_doc import due_process_endpoints, render, rendered_section

DOC = Path(__file__).resolve().parents[2] / "docs" / "due-process.md"


def test_the_access_table_in_the_document_is_the_one_the_server_enforces() -> None:
    shown = rendered_section(DOC.read_text(encoding="utf-8"))
    assert shown is not None, "docs/due-process.md has the access-table markers"
    assert shown == render(), "regenerate with: python -m service.api.access_doc docs/due-process.md"


def test_the_rendering_follows_the_table_row_by_row() -> None:
    rows = render().splitlines()[2:]
    assert len(rows) == len(due_process_endpoints())
    suspension = next(r for r in rows if "/suspensions`" in r)
    cells = [c.strip() for c in suspension.strip("|").split("|")][1:]
    allowed = ACCESS["POST /api/v1/staff/{staff_id}/suspensions"]
    order = [Role.STAFF, Role.WINDOW_LEAD, Role.INSPECTOR, Role.APPEAL_REVIEWER, Role.HALL_MANAGER,
             Role.COMMITTEE, Role.DASHBOARD, Role.AUDITOR]  # fmt: skip
    assert [role for role, cell in zip(order, cells, strict=True) if cell == "✓"] == [r for r in order if r in allowed]
