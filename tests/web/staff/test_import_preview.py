"""A report shaped for its page: problems under their file, rows a page at a time."""

from __future__ import annotations

from web.staff.import_preview import PROBLEMS_SHOWN, preview_page


def _report(rows: int, problems: dict[str, int]) -> dict[str, object]:
    return {
        "files": [
            {"name": "a.csv", "kind": "resources", "counts": {"created": rows}},
            {"name": "b.csv", "kind": "events", "counts": {}},
        ],
        "problems": [
            {"file": name, "message": f"{name}:{line}: -: : bad"}
            for name, count in problems.items()
            for line in range(2, count + 2)
        ],
        "rows": [{"file": "a.csv", "line": n + 2, "key": f"r{n}"} for n in range(rows)],
    }


def test_problems_are_grouped_under_their_file_and_capped() -> None:
    shown = preview_page(_report(3, {"a.csv": 2, "b.csv": PROBLEMS_SHOWN + 5, "x.json": 1}), page=1)
    a, b = shown.files
    assert a.problems == ["a.csv:2: -: : bad", "a.csv:3: -: : bad"]
    assert b.problem_count == PROBLEMS_SHOWN + 5
    assert len(b.problems) == PROBLEMS_SHOWN
    assert shown.other_problems == ["x.json:2: -: : bad"]


def test_rows_are_paged_and_the_page_is_clamped() -> None:
    report = _report(1000, {})
    first = preview_page(report, page=1, per_page=50)
    assert [row["key"] for row in first.rows][:2] == ["r0", "r1"]
    assert len(first.rows) == 50
    assert (first.pages, first.row_count) == (20, 1000)
    assert first.links == [1, 2, 3, 4, 20]
    middle = preview_page(report, page=10, per_page=50)
    assert middle.rows[0]["key"] == "r450"
    assert middle.links == [1, 7, 8, 9, 10, 11, 12, 13, 20]
    assert preview_page(report, page=0).page == 1
    assert preview_page(report, page=99, per_page=50).rows[-1]["key"] == "r999"
    empty = preview_page(_report(0, {}), page=3)
    assert (empty.page, empty.pages, empty.rows) == (1, 1, [])
