"""nbclient runs notebooks/annual-evaluation.ipynb on the kernel end to end; its tables must hold
the counts the command line computes from the store's base tables, and its charts must be SVG."""

import html.parser
import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import KERNEL_NAME, ROOT, cli_json

NOTEBOOK = ROOT / "notebooks" / "annual-evaluation.ipynb"
LEVEL = {"high": "高", "medium": "中", "low": "低"}


class TableParser(html.parser.HTMLParser):
    """Collects the header and the rows of the first HTML table."""

    def __init__(self) -> None:
        super().__init__()
        self.header: list = []
        self.rows: list = []
        self._cell = None
        self._row = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._row is not None:
            self._row.append(self._cell or "")
            self._cell = None
        elif tag == "tr" and self._row is not None:
            (self.rows if self.header else self.header).extend(
                [self._row] if self.header else self._row
            )
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def table(output: dict) -> tuple:
    parser = TableParser()
    parser.feed(output["data"]["text/html"])
    return parser.header, parser.rows


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> nbformat.NotebookNode:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    work = tmp_path_factory.mktemp("notebook")
    client = NotebookClient(
        nb,
        kernel_name=KERNEL_NAME,
        timeout=120,
        resources={"metadata": {"path": str(work)}},
    )
    client.execute()
    return nb


def outputs_of(nb, starts_with: str) -> list:
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.lstrip().startswith(starts_with)]
    assert len(cells) == 1, f"one cell starting with {starts_with!r}"
    return cells[0].outputs


def test_every_cell_ran_without_error(executed):
    for cell in executed.cells:
        if cell.cell_type == "code":
            assert cell.outputs, f"no output for {cell.source!r}"
            assert all(o.output_type != "error" for o in cell.outputs), cell.outputs


def test_level_counts_per_department_match_the_store(executed, sunlight_bin, store):
    [result] = [o for o in outputs_of(executed, "SELECT department_name,\n       CASE") if o.output_type == "execute_result"]
    header, rows = table(result)
    assert header == ["department_name", "level", "risk_points"]
    shown = {(d, lvl): int(n) for d, lvl, n in rows}
    # Independently: count the risk points themselves, not the level_counts view.
    expected_rows = cli_json(
        sunlight_bin,
        store,
        "SELECT department_name, severity, COUNT(*) AS n FROM risk_points "
        "WHERE table_kind = 'department' AND year = (SELECT MAX(year) FROM risk_points) "
        "GROUP BY department_name, severity",
    )
    expected = {(r["department_name"], LEVEL[r["severity"]]): r["n"] for r in expected_rows}
    assert len(expected) > 20, "the demo store has many departments"
    assert shown == expected
    assert "more row" not in result["data"]["text/plain"], "%limit 200 shows them all"


def test_heat_map_table_and_svg(executed, sunlight_bin, store):
    outs = outputs_of(executed, "SELECT department_name, risk_type_name")
    [result] = [o for o in outs if o.output_type == "execute_result"]
    _, rows = table(result)
    expected_rows = cli_json(
        sunlight_bin,
        store,
        "SELECT department_name, risk_type_name, COUNT(*) AS n FROM risk_points "
        "WHERE table_kind = 'department' AND year = (SELECT MAX(year) FROM risk_points) "
        "GROUP BY department_name, risk_type_name",
    )
    assert {(d, t): int(n) for d, t, n in rows} == {
        (r["department_name"], r["risk_type_name"]): r["n"] for r in expected_rows
    }
    [chart] = [o for o in outputs_of(executed, "%chart heatmap") if o.output_type == "display_data"]
    svg = chart["data"]["image/svg+xml"]
    assert svg.lstrip().startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "风险类型 × 部门" in svg
    some_department = rows[0][0]
    assert some_department in svg


def test_year_over_year_and_the_other_charts(executed, sunlight_bin, store):
    [result] = [o for o in outputs_of(executed, "SELECT year, change") if o.output_type == "execute_result"]
    _, rows = table(result)
    expected = cli_json(
        sunlight_bin, store, "SELECT year, change, COUNT(*) AS n FROM yoy_changes GROUP BY year, change"
    )
    assert {(int(y), c): int(n) for y, c, n in rows} == {(r["year"], r["change"]): r["n"] for r in expected}
    assert {c for _, c, _ in rows} <= {"added", "removed", "upgraded", "downgraded", "regraded"}
    for magic in ("%chart stacked", "%chart bar"):
        [chart] = [o for o in outputs_of(executed, magic) if o.output_type == "display_data"]
        assert chart["data"]["image/svg+xml"].lstrip().startswith("<svg")
