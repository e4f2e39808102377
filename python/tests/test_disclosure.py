"""The disclosure gate cannot be bypassed from Python: a table leaves the
library only as a ClearedTable, which nothing but a Policy makes, and which
holds the published cells only."""

from __future__ import annotations

import copy
import pickle

import polars as pl
import pytest

import outcomes as oc

SMALL = 3  # a count the policy must suppress


@pytest.fixture()
def raw() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "Area": ["North", "South", "Total"],
            "Female": [SMALL, 15, SMALL + 15],
            "Male": [12, 18, 30],
            "Total": [SMALL + 12, 33, SMALL + 12 + 33],
            "Mean cost": [812.5, 990.25, 925.0],
        }
    )


def table(raw: pl.DataFrame) -> oc.Table:
    t = oc.Table(
        "Clients by area and sex",
        raw,
        kinds={"Mean cost": {"kind": "money", "basis": "Female", "decimals": 2}},
    )
    t.declare_column_total("Total", ["Female", "Male"])
    t.declare_row_total(2, [0, 1])
    return t


def every_output(c: oc.ClearedTable, tmp_path) -> str:
    path = tmp_path / "t.xlsx"
    oc.write_xlsx([c], path)
    parts = [
        c.to_csv(),
        c.to_json(),
        c.to_markdown(),
        c.to_html(),
        repr(c),
        repr(c.to_dict()),
        c.to_polars().write_csv(),
        c.to_polars(formatted=True).write_csv(),
        c.suppressed_cells().write_csv(),
        repr(c.suppression),
    ]
    return "\n".join(parts)


def test_small_cells_are_suppressed_with_their_partners(raw, tmp_path):
    c = oc.Policy.minimum_cell_size(10).apply(table(raw))
    typed = c.to_polars()
    # The 3, its row and column partners (secondary suppression) and the
    # mean resting on 3 people are withheld.
    assert typed["Female"][0] is None
    assert typed["Male"][0] is None
    assert typed["Female"][1] is None
    assert typed["Mean cost"][0] is None
    shown = c.to_polars(formatted=True)
    assert shown["Female"][0] == "c"
    assert set(c.suppressed_cells()["reason"]) >= {"small count"}
    # A withheld value is nowhere in any output.
    out = every_output(c, tmp_path)
    for secret in ("812.5", "812.50"):
        assert secret not in out
    cells = [v for row in typed.rows() for v in row]
    assert SMALL not in cells


def test_a_cleared_table_cannot_be_made_or_changed_from_python(raw):
    with pytest.raises(TypeError):
        oc.ClearedTable()
    with pytest.raises(TypeError):
        oc.ClearedTable.__new__(oc.ClearedTable)
    with pytest.raises(TypeError):

        class Forged(oc.ClearedTable):  # type: ignore[misc]
            pass

    c = oc.Policy.minimum_cell_size(10).apply(table(raw))
    with pytest.raises(AttributeError):
        c.title = "other"  # type: ignore[misc]
    with pytest.raises((TypeError, AttributeError)):
        c.inner = None  # type: ignore[attr-defined]
    # A frame taken out is a copy: changing it changes nothing published.
    f = c.to_polars().with_columns(pl.lit(SMALL).alias("Female"))
    assert f["Female"][0] == SMALL
    assert c.to_polars()["Female"][0] is None
    # No pickling or copying round the constructor.
    with pytest.raises(TypeError):
        pickle.dumps(c)
    with pytest.raises(TypeError):
        copy.copy(c)


def test_an_uncleared_table_has_no_way_out(raw):
    t = table(raw)
    public = {n for n in dir(t) if not n.startswith("_")}
    assert public == {"declare_column_total", "declare_row_total", "mark_confidential", "title"}
    with pytest.raises(TypeError):
        pickle.dumps(t)
    # The writers take cleared tables only.
    for wrong in (t, raw, raw.to_dict(as_series=False)):
        with pytest.raises(TypeError):
            oc.write_xlsx([wrong], "never.xlsx")  # type: ignore[list-item]
    with pytest.raises(TypeError):
        oc.Policy.minimum_cell_size(10).apply(raw)  # type: ignore[arg-type]


def test_marked_cells_and_release(raw):
    t = table(raw)
    t.mark_confidential(1, "Male")
    r = oc.Release(oc.Policy.minimum_cell_size(10))
    c = r.clear(t)
    assert c.to_polars()["Male"][1] is None
    assert "marked confidential" in set(c.suppressed_cells()["reason"])
    assert len(r) == 1


def test_policies_and_errors(raw):
    p = oc.Policy.nhs_digital_2018()
    assert "NHS" in p.name and p.description
    c = p.apply(oc.Table("t", raw.select("Area", "Female", "Male")))
    assert c.policy.name == p.name
    # A float column needs its kind stated; the error names the key.
    with pytest.raises(oc.errors.InvalidParameterError) as e:
        oc.Table("t", raw)
    assert e.value.key == "kinds.Mean cost"
    with pytest.raises(oc.errors.InvalidParameterError):
        oc.Policy.minimum_cell_size(0)


def test_the_report_tables_are_cleared(tmp_path):
    rep = oc.evaluate(out=tmp_path / "report")
    assert rep.tables and all(isinstance(t, oc.ClearedTable) for t in rep.tables.values())
    # The tables handed to Python are the ones written.
    for stem, t in rep.tables.items():
        assert (tmp_path / "report" / "tables" / f"{stem}.csv").read_text() == t.to_csv()
