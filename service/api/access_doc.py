"""The access table (:mod:`service.api.access`) rendered as Markdown for the docs.

``docs/due-process.md`` shows who may decide what: the rows of THE table that change a person's
standing (violations, the ladder of ART2.1.3, appeals, postings under ART8, assessments). The
document holds the rendering between two markers, and a test compares it with this function's
output, so the page can never say something the server does not do. Regenerate it with
``python -m service.api.access_doc docs/due-process.md``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from domain.roles import Role
from service.api.access import ACCESS, ROLES

BEGIN = "<!-- access-table -->"
END = "<!-- /access-table -->"

#: the endpoints whose decisions a person may have to answer for, or appeal against
DUE_PROCESS_PREFIXES: tuple[str, ...] = (
    "POST /api/v1/violations",
    "POST /api/v1/staff/{staff_id}/admonishments",
    "POST /api/v1/staff/{staff_id}/suspensions",
    "POST /api/v1/staff/{staff_id}/removals",
    "POST /api/v1/staff/{staff_id}/sanctions",
    "POST /api/v1/staff/{staff_id}/committee-consents",
    "POST /api/v1/staff/{staff_id}/replacement",
    "POST /api/v1/staff/{staff_id}/posting-end",
    "POST /api/v1/appeals",
    "POST /api/v1/assessments",
    "POST /api/v1/commendations",
    "POST /api/v1/applications/{case_id}/extension",
    "POST /api/v1/applications/{case_id}/suspension",
    "POST /api/v1/disclosure-requests/{request_id}/extension",
    "GET /api/v1/assessments",
    "GET /api/v1/staff/{staff_id}/escalation",
)

#: column order: from the person up to the committee, then the readers
ROLE_ORDER: tuple[Role, ...] = (
    Role.STAFF,
    Role.WINDOW_LEAD,
    Role.INSPECTOR,
    Role.APPEAL_REVIEWER,
    Role.HALL_MANAGER,
    Role.COMMITTEE,
    Role.DASHBOARD,
    Role.AUDITOR,
)


def due_process_endpoints() -> list[str]:
    return [key for key in ACCESS if key.startswith(DUE_PROCESS_PREFIXES)]


def render(endpoints: Iterable[str] | None = None) -> str:
    """A Markdown table: one row per endpoint, one column per role, ✓ where the table allows it."""
    assert set(ROLE_ORDER) == set(ROLES), "every role has a column"
    keys = list(due_process_endpoints() if endpoints is None else endpoints)
    lines = [
        "| endpoint | " + " | ".join(f"`{r.value}`" for r in ROLE_ORDER) + " |",
        "|---|" + "|".join(":-:" for _ in ROLE_ORDER) + "|",
    ]
    for key in keys:
        allowed = ACCESS[key]
        cells = ["✓" if role in allowed else "" for role in ROLE_ORDER]
        lines.append(f"| `{key}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def rendered_section(text: str) -> str | None:
    """What a document holds between the markers (None without them)."""
    if BEGIN not in text or END not in text:
        return None
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n") + "\n"


def write_into(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if rendered_section(text) is None:
        raise SystemExit(f"{path}: no {BEGIN} … {END} markers")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{BEGIN}\n{render()}{END}{tail}", encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    for name in sys.argv[1:] or ["docs/due-process.md"]:
        write_into(Path(name))
