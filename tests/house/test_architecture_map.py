"""The map "Where each article lives" in docs/architecture.md cannot rot.

Every backticked reference in the table is checked against the tree:

- a path (``domain/ladder.py``) exists;
- ``path::Name`` (``domain/ladder.py::judge_sanction``, ``domain/staff.py::StaffMember.decide_removal``)
  exists and defines that function, class, method or module-level name;
- an endpoint (``POST /api/v1/staff/{staff_id}/suspensions``) is a key of the access table
  (``service/api/access.py``), which every route of the API must be, and a route module named in
  the same cell (``service/api/routes/staff/decisions.py``) declares it;
- a test module in the last column tags a scenario with the row's rule, or with a sub-rule of
  it (``@pytest.mark.rules``), so a row never points at tests of something else.

Paths the section's text names outside the table are checked too. And every article of the
regulation (ART1 … ART11) has its row.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from domain.rules import REGULATION_RULE_IDS
from tests.rules.test_rule_coverage import tagged_rules

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
SECTION = "## Where each article lives"
ACCESS = ROOT / "service" / "api" / "access.py"
ENDPOINT = re.compile(r"^(GET|POST|PUT|PATCH|DELETE) /\S*$")
RULE = re.compile(r"^ART\d+(\.\d+)*$")


def table(text: str) -> list[list[str]]:
    """The rows (cells, stripped) of the first table after the section heading."""
    assert SECTION in text, f"docs/architecture.md has no section {SECTION!r}"
    lines = text.split(SECTION, 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows: list[list[str]] = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows[2:]  # below the header and its rule line


def ticks(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def _names(node: ast.stmt) -> list[str]:
    """The names a statement of a module or class body defines."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def defines(path: Path, dotted: str) -> bool:
    """Whether ``path`` defines ``dotted`` (a function, class, ``Class.member`` or module-level name)."""
    body: list[ast.stmt] = ast.parse(path.read_text(encoding="utf-8")).body
    for part in dotted.split("."):
        found = next((node for node in body if part in _names(node)), None)
        if found is None:
            return False
        body = found.body if isinstance(found, ast.ClassDef) else []
    return True


def routes_in(path: Path) -> set[tuple[str, str]]:
    """``(METHOD, path)`` of every route a module of ``service/api/routes`` declares, with its
    router's own prefix (``APIRouter(prefix=...)``; the prefixes it is included under are not
    known here, so an endpoint matches a route its path ends with)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    prefixes: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Name) and func.id == "APIRouter":
                prefix = next((k.value for k in node.value.keywords if k.arg == "prefix"), None)
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        prefixes[target.id] = prefix.value if isinstance(prefix, ast.Constant) else ""
    found: set[tuple[str, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for d in node.decorator_list:
                if (
                    isinstance(d, ast.Call)
                    and isinstance(d.func, ast.Attribute)
                    and isinstance(d.func.value, ast.Name)
                    and d.func.value.id in prefixes
                ):
                    sub = d.args[0].value if d.args and isinstance(d.args[0], ast.Constant) else ""
                    found.add((d.func.attr.upper(), prefixes[d.func.value.id] + sub))
    return found


def broken_references(rows: list[list[str]], root: Path, access_text: str) -> list[str]:
    broken: list[str] = []
    for row in rows:
        for cell in row[1:]:
            refs = ticks(cell)
            routes = {
                route
                for ref in refs
                if ref.startswith("service/api/routes/") and (root / ref).is_file()
                for route in routes_in(root / ref)
            }
            for ref in refs:
                if ENDPOINT.match(ref):
                    method, _, url = ref.partition(" ")
                    if f'"{ref}"' not in access_text:
                        broken.append(f"{row[0]}: {ref} is no endpoint of service/api/access.py")
                    elif not any(m == method and url.endswith(p) for m, p in routes):
                        broken.append(f"{row[0]}: no route module named beside {ref} serves it")
                    continue
                path, _, name = ref.partition("::")
                if "/" not in path and "." not in path:
                    broken.append(f"{row[0]}: `{ref}` is neither a path, a path::name nor an endpoint")
                elif not (root / path).exists():
                    broken.append(f"{row[0]}: {path} does not exist")
                elif name and not defines(root / path, name):
                    broken.append(f"{row[0]}: {path} defines no {name}")
    return broken


def prose(text: str) -> list[list[str]]:
    """The paths the section's text names outside the table, as one row to check."""
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    words = [line for line in section.splitlines() if not line.startswith("|")]
    refs = [ref for ref in ticks("\n".join(words)) if "/" in ref and " " not in ref]
    return [["(text)", "<br>".join(f"`{ref}`" for ref in refs)]]


def rules_of(row: list[str]) -> list[str]:
    return [r for r in ticks(row[0]) if RULE.match(r)]


# ── the checker can fail ──────────────────────────────────────────────────────


def test_the_checker_finds_a_missing_path_name_endpoint_or_route(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text("class A:\n    def go(self): ...\n\nX = 1\n", encoding="utf-8")
    routes = tmp_path / "service" / "api" / "routes"
    routes.mkdir(parents=True)
    (routes / "things.py").write_text(
        'router = APIRouter(prefix="/things")\n\n@router.post("/{thing_id}/go")\ndef go(): ...\n', encoding="utf-8"
    )
    access = '"POST /api/v1/things/{thing_id}/go" "GET /api/v1/things"'
    rows = [
        [
            "`ART1`",
            "`pkg/mod.py::A.go`<br>`pkg/mod.py::X`",
            "`service/api/routes/things.py`<br>`POST /api/v1/things/{thing_id}/go`",
        ],
        ["`ART2`", "`pkg/gone.py`", "`pkg/mod.py::A.stop`", "`POST /api/v1/nothing`", "`judge`"],
        ["`ART3`", "`service/api/routes/things.py`<br>`GET /api/v1/things`", "`POST /api/v1/things/{thing_id}/go`"],
    ]
    assert broken_references(rows, tmp_path, access) == [
        "`ART2`: pkg/gone.py does not exist",
        "`ART2`: pkg/mod.py defines no A.stop",
        "`ART2`: POST /api/v1/nothing is no endpoint of service/api/access.py",
        "`ART2`: `judge` is neither a path, a path::name nor an endpoint",
        "`ART3`: no route module named beside GET /api/v1/things serves it",
        "`ART3`: no route module named beside POST /api/v1/things/{thing_id}/go serves it",
    ]


# ── the map ───────────────────────────────────────────────────────────────────


def test_every_reference_of_the_map_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    broken = broken_references(table(text) + prose(text), ROOT, ACCESS.read_text(encoding="utf-8"))
    assert not broken, "docs/architecture.md, " + SECTION + ":\n  " + "\n  ".join(broken)


def test_every_article_has_a_row_and_every_row_names_rules_of_the_regulation() -> None:
    rows = table(DOC.read_text(encoding="utf-8"))
    named = [rule for row in rows for rule in rules_of(row)]
    assert all(rules_of(row) for row in rows), "every row starts with the rule id(s) it maps"
    unknown = sorted(set(named) - set(REGULATION_RULE_IDS) - {f"ART{n}" for n in range(1, 12)})
    assert not unknown, f"not rules of the regulation: {unknown}"
    missing = [f"ART{n}" for n in range(1, 12) if f"ART{n}" not in named]
    assert not missing, f"articles without a row: {missing}"


def test_the_tests_of_a_row_exercise_its_rule() -> None:
    tagged = tagged_rules()
    by_module: dict[str, set[str]] = {}
    for rule, modules in tagged.items():
        for module in modules:
            by_module.setdefault(f"tests/{module}", set()).add(rule)
    wrong: list[str] = []
    for row in table(DOC.read_text(encoding="utf-8")):
        rules = rules_of(row)
        tests = [ref for ref in ticks(row[-1]) if ref.startswith("tests/")]
        if not tests:
            wrong.append(f"{row[0]}: no test named")
        for test in tests:
            path = test.partition("::")[0]
            tags = by_module.get(path, set())
            if not any(tag == rule or tag.startswith(f"{rule}.") for rule in rules for tag in tags):
                wrong.append(f"{row[0]}: {path} tags none of {', '.join(rules)} (it tags {sorted(tags)})")
    assert not wrong, "\n  ".join(["tests named in the map that do not exercise the row's rule:", *wrong])
