//! Disclosure control as a type, from Python too.
//!
//! A [`Table`] holds an unpublished table: it is built from a frame and has
//! no way out (no getter, no writer). A [`Policy`] clears it into a
//! [`ClearedTable`], the only thing the writers accept. `ClearedTable` has no
//! constructor, cannot be subclassed, pickled or changed, and holds only the
//! published cells (suppressed ones are the policy's symbol, with their
//! reason), so no uncleared small cell can be got out of it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use polars::prelude::*;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use outcomes::disclosure::{
    self as dc, Basis, Cell, Column as DcColumn, ColumnKind, PublishedCell, SecondarySuppression,
};
use outcomes::{report, Error};

use crate::errors::{to_py, IntoPy};
use crate::frames::{data_frame, frame, to_py_frame};

/// A disclosure-control policy.
#[pyclass(module = "outcomes._outcomes", frozen, skip_from_py_object)]
#[derive(Clone)]
pub struct Policy {
    pub inner: dc::Policy,
}

#[pymethods]
impl Policy {
    /// Counts of 1 to `n - 1` suppressed (GSS symbol `c`), zeros shown,
    /// statistics on fewer than `n` people withheld, secondary suppression
    /// over the declared totals.
    #[staticmethod]
    #[pyo3(signature = (n=10))]
    fn minimum_cell_size(n: u64) -> PyResult<Self> {
        Ok(Policy {
            inner: dc::Policy::minimum_cell_size(n).py_err()?,
        })
    }

    /// NHS Digital's 2018 rule (suppress 1–7, round the rest to 5).
    #[staticmethod]
    fn nhs_digital_2018() -> Self {
        Policy {
            inner: dc::Policy::nhs_digital_2018(),
        }
    }

    /// The NHS legacy rule (suppress 1–5).
    #[staticmethod]
    fn nhs_legacy() -> Self {
        Policy {
            inner: dc::Policy::nhs_legacy(),
        }
    }

    /// This policy with another symbol for suppressed cells.
    fn with_symbol(&self, symbol: &str) -> PyResult<Self> {
        Ok(Policy {
            inner: self.inner.clone().with_symbol(symbol).py_err()?,
        })
    }

    /// This policy with secondary suppression on or off.
    fn with_secondary_suppression(&self, applied: bool) -> Self {
        Policy {
            inner: self.inner.clone().with_secondary_suppression(if applied {
                SecondarySuppression::Applied
            } else {
                SecondarySuppression::NotApplied
            }),
        }
    }

    /// The policy's name.
    #[getter]
    fn name(&self) -> String {
        self.inner.name()
    }

    /// What the policy does, in words (written into every output).
    #[getter]
    fn description(&self) -> String {
        self.inner.description()
    }

    /// Clear one table.
    fn apply(&self, table: &Table) -> PyResult<ClearedTable> {
        Ok(ClearedTable {
            inner: self.inner.apply(&table.inner).py_err()?,
        })
    }

    fn __repr__(&self) -> String {
        format!("Policy({})", self.inner.name())
    }
}

/// Several tables cleared as one release: each table is audited with the
/// tables cleared before it, so that no suppressed count follows from the
/// release's published numbers.
#[pyclass(module = "outcomes._outcomes")]
pub struct Release {
    inner: dc::Release,
}

#[pymethods]
impl Release {
    #[new]
    fn new(policy: &Policy) -> Self {
        Release {
            inner: dc::Release::new(policy.inner.clone()),
        }
    }

    /// Clear the next table of the release.
    fn clear(&mut self, table: &Table) -> PyResult<ClearedTable> {
        Ok(ClearedTable {
            inner: self.inner.clear(&table.inner).py_err()?,
        })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }
}

/// An unpublished table. Built from a frame; nothing of it can be read
/// back or written: clear it with a [`Policy`].
#[pyclass(module = "outcomes._outcomes")]
pub struct Table {
    inner: dc::Table,
}

fn kind_error(column: &str, detail: &str) -> PyErr {
    to_py(Error::invalid_parameter(
        format!("kinds.{column}"),
        "",
        detail.to_string(),
    ))
}

/// A column definition from its kind: `"label"`, `"count"`, or a dict
/// `{"kind": "statistic" | "rate" | "money", "basis": COUNT_COLUMN}` (or
/// `"n": COLUMN` for a per-cell number of people), with `"numerator"` for a
/// rate and `"decimals"`.
fn column_def(
    name: &str,
    kind: Option<&Bound<'_, PyAny>>,
    df: &DataFrame,
) -> PyResult<(DcColumn, Option<String>)> {
    let Some(kind) = kind else {
        let s = df
            .column(name)
            .map_err(|_| kind_error(name, "not a column of the frame"))?;
        return match s.dtype() {
            DataType::String => Ok((DcColumn::label(name), None)),
            dt if dt.is_integer() => Ok((DcColumn::count(name), None)),
            _ => Err(kind_error(
                name,
                "say what this column holds: kinds={name: {\"kind\": \"statistic\", \"basis\": \"<count column>\"}}",
            )),
        };
    };
    if let Ok(k) = kind.extract::<String>() {
        return match k.as_str() {
            "label" => Ok((DcColumn::label(name), None)),
            "count" => Ok((DcColumn::count(name), None)),
            _ => Err(kind_error(
                name,
                "a kind is \"label\", \"count\" or a dict with \"kind\" statistic, rate or money",
            )),
        };
    }
    let d = kind.cast::<PyDict>()?;
    let get = |k: &str| -> PyResult<Option<String>> {
        d.get_item(k)?.map(|v| v.extract::<String>()).transpose()
    };
    let k = get("kind")?.ok_or_else(|| kind_error(name, "the dict needs a \"kind\""))?;
    let (basis, n_col) = match (get("basis")?, get("n")?) {
        (Some(b), None) => (Basis::CountColumn(b), None),
        (None, Some(n)) => (Basis::PerCell, Some(n)),
        _ => return Err(kind_error(
            name,
            "a statistic needs \"basis\" (a count column) or \"n\" (a column of people per cell)",
        )),
    };
    let mut c = match k.as_str() {
        "statistic" => DcColumn::statistic(name, basis),
        "money" => DcColumn::money(name, basis),
        "rate" => DcColumn::rate(name, basis, get("numerator")?.as_deref()),
        _ => return Err(kind_error(name, "kind must be statistic, rate or money")),
    };
    if let Some(dec) = d.get_item("decimals")? {
        c = c.with_decimals(dec.extract()?);
    }
    Ok((c, n_col))
}

fn cell(
    kind: &ColumnKind,
    s: &Series,
    n: Option<&Series>,
    row: usize,
    name: &str,
) -> PyResult<Cell> {
    let bad = |rule: &str| {
        to_py(Error::invalid_value(
            outcomes::Location::source("table")
                .row(row as u64 + 1)
                .column(name),
            "",
            rule.to_string(),
        ))
    };
    let v = s
        .get(row)
        .map_err(|e| to_py(Error::frame("reading the table", e)))?;
    if v.is_null() {
        return Ok(Cell::NotAvailable);
    }
    Ok(match kind {
        ColumnKind::Label => Cell::text(v.str_value().to_string()),
        ColumnKind::Count => {
            let x = v
                .extract::<i64>()
                .ok_or_else(|| bad("a count must be a whole number"))?;
            Cell::Count(u64::try_from(x).map_err(|_| bad("a count must not be negative"))?)
        }
        _ => {
            let x = v
                .extract::<f64>()
                .ok_or_else(|| bad("a statistic must be a number"))?;
            if !x.is_finite() {
                return Ok(Cell::NotAvailable);
            }
            match n {
                Some(ns) => {
                    let nv = ns
                        .get(row)
                        .map_err(|e| to_py(Error::frame("reading the table", e)))?;
                    match nv.extract::<i64>() {
                        Some(k) if k >= 0 => Cell::statistic(x, k as u64),
                        _ => Cell::NotAvailable,
                    }
                }
                None => Cell::value(x),
            }
        }
    })
}

#[pymethods]
impl Table {
    /// A table of the frame's columns (or those named in `columns`, in
    /// that order). Text columns are labels and integer columns counts
    /// unless `kinds` says otherwise; a float column needs its kind.
    #[new]
    #[pyo3(signature = (title, data, kinds=None, columns=None))]
    fn new(
        title: &str,
        data: &Bound<'_, PyAny>,
        kinds: Option<&Bound<'_, PyDict>>,
        columns: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let df = data_frame(data)?;
        let names: Vec<String> = columns.unwrap_or_else(|| {
            df.get_column_names()
                .iter()
                .map(|c| c.to_string())
                .collect()
        });
        let mut defs = Vec::with_capacity(names.len());
        let mut n_cols: BTreeMap<usize, String> = BTreeMap::new();
        let mut skip: Vec<String> = Vec::new();
        for (i, n) in names.iter().enumerate() {
            let k = match kinds {
                Some(d) => d.get_item(n)?,
                None => None,
            };
            let (c, ncol) = column_def(n, k.as_ref(), &df)?;
            if let Some(nc) = ncol {
                skip.push(nc.clone());
                n_cols.insert(i, nc);
            }
            defs.push(c);
        }
        let mut t = dc::Table::new(title, defs.clone()).py_err()?;
        let series: Vec<Series> = names
            .iter()
            .map(|n| {
                df.column(n)
                    .map(|c| c.as_materialized_series().clone())
                    .map_err(|_| kind_error(n, "not a column of the frame"))
            })
            .collect::<PyResult<_>>()?;
        let n_series: BTreeMap<usize, Series> = n_cols
            .iter()
            .map(|(i, n)| {
                df.column(n)
                    .map(|c| (*i, c.as_materialized_series().clone()))
                    .map_err(|_| kind_error(n, "the per-cell n column is not in the frame"))
            })
            .collect::<PyResult<_>>()?;
        for r in 0..df.height() {
            let mut cells = Vec::with_capacity(defs.len());
            for (j, d) in defs.iter().enumerate() {
                cells.push(cell(d.kind(), &series[j], n_series.get(&j), r, d.name())?);
            }
            t.push_row(cells).py_err()?;
        }
        Ok(Table { inner: t })
    }

    /// Declare row `total` (0-based) the sum of rows `parts` in every count
    /// column.
    fn declare_row_total(&mut self, total: usize, parts: Vec<usize>) -> PyResult<()> {
        self.inner.declare_row_total(total, &parts).py_err()
    }

    /// Declare column `total` the sum of columns `parts` in every row.
    fn declare_column_total(&mut self, total: &str, parts: Vec<String>) -> PyResult<()> {
        let p: Vec<&str> = parts.iter().map(String::as_str).collect();
        self.inner.declare_column_total(total, &p).py_err()
    }

    /// Mark one cell confidential whatever its value (row 0-based, column
    /// by name).
    fn mark_confidential(&mut self, row: usize, column: &str) -> PyResult<()> {
        let c = self.inner.column_index(column).ok_or_else(|| {
            to_py(Error::invalid_parameter(
                "column",
                column,
                "not a column of the table",
            ))
        })?;
        self.inner.mark_confidential(row, c).py_err()
    }

    /// The title.
    #[getter]
    fn title(&self) -> String {
        self.inner.title().to_string()
    }

    fn __len__(&self) -> usize {
        self.inner.n_rows()
    }

    fn __repr__(&self) -> String {
        format!(
            "Table({:?}, {} rows, unpublished: clear it with a Policy)",
            self.inner.title(),
            self.inner.n_rows()
        )
    }
}

/// A table that has passed a disclosure policy: the only thing the
/// writers accept. It holds the published cells only.
#[pyclass(module = "outcomes._outcomes", frozen)]
pub struct ClearedTable {
    pub inner: dc::ClearedTable,
}

#[pymethods]
impl ClearedTable {
    /// The title.
    #[getter]
    fn title(&self) -> String {
        self.inner.title().to_string()
    }

    /// The column names.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.inner
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect()
    }

    /// The policy that cleared it.
    #[getter]
    fn policy(&self) -> Policy {
        Policy {
            inner: self.inner.policy().clone(),
        }
    }

    /// How many cells were withheld, by reason.
    #[getter]
    fn suppression<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(pythonize::pythonize(py, &self.inner.summary())?)
    }

    fn __len__(&self) -> usize {
        self.inner.n_rows()
    }

    /// The published table as a frame. Typed by default: labels as text,
    /// counts as integers, statistics as floats, with a withheld cell (and
    /// `x`/`z`) as null. With `formatted=True`, every cell as published text
    /// (the policy's symbol where withheld), as the CSV writer writes it.
    #[pyo3(signature = (formatted=false))]
    fn to_polars(&self, py: Python<'_>, formatted: bool) -> PyResult<Py<PyAny>> {
        let t = &self.inner;
        let mut cols = Vec::with_capacity(t.columns().len());
        for (j, c) in t.columns().iter().enumerate() {
            let name = c.name();
            let cells = (0..t.n_rows()).map(|r| t.cell(r, j));
            let col = if formatted {
                Column::new(
                    name.into(),
                    (0..t.n_rows())
                        .map(|r| t.formatted(r, j))
                        .collect::<Vec<Option<String>>>(),
                )
            } else {
                match c.kind() {
                    ColumnKind::Label => Column::new(
                        name.into(),
                        cells
                            .map(|x| match x {
                                Some(PublishedCell::Text(s)) => Some(s.clone()),
                                _ => None,
                            })
                            .collect::<Vec<_>>(),
                    ),
                    ColumnKind::Count => Column::new(
                        name.into(),
                        cells
                            .map(|x| match x {
                                Some(PublishedCell::Count(n)) => Some(*n),
                                _ => None,
                            })
                            .collect::<Vec<_>>(),
                    ),
                    _ => Column::new(
                        name.into(),
                        cells
                            .map(|x| match x {
                                Some(PublishedCell::Value(v)) => Some(*v),
                                _ => None,
                            })
                            .collect::<Vec<_>>(),
                    ),
                }
            };
            cols.push(col);
        }
        to_py_frame(py, frame(cols)?)
    }

    /// Why each withheld cell was withheld: `row`, `column`, `reason`.
    fn suppressed_cells(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let t = &self.inner;
        let (mut rows, mut cols, mut why) = (Vec::new(), Vec::new(), Vec::new());
        for r in 0..t.n_rows() {
            for (j, c) in t.columns().iter().enumerate() {
                if let Some(PublishedCell::Suppressed(reason)) = t.cell(r, j) {
                    rows.push(r as u64);
                    cols.push(c.name().to_string());
                    why.push(reason.describe());
                }
            }
        }
        to_py_frame(
            py,
            frame(vec![
                Column::new("row".into(), rows),
                Column::new("column".into(), cols),
                Column::new("reason".into(), why),
            ])?,
        )
    }

    /// The table as CSV text (with the policy's note), written to `path`
    /// too if given.
    #[pyo3(signature = (path=None))]
    fn to_csv(&self, path: Option<PathBuf>) -> PyResult<String> {
        let mut out = Vec::new();
        report::write_csv(&self.inner, &mut out).py_err()?;
        finish(out, path)
    }

    /// The table as JSON text (cells, columns and the policy).
    #[pyo3(signature = (path=None))]
    fn to_json(&self, path: Option<PathBuf>) -> PyResult<String> {
        let mut out = Vec::new();
        report::write_json(&self.inner, &mut out).py_err()?;
        finish(out, path)
    }

    /// The table as Markdown.
    fn to_markdown(&self) -> String {
        report::to_markdown(&self.inner)
    }

    /// The table as an HTML fragment.
    fn to_html(&self) -> String {
        report::to_html(&self.inner)
    }

    /// The published table as a dict (the JSON writer's form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = report::to_json(&self.inner);
        Ok(pythonize::pythonize(py, &v)?)
    }

    fn __repr__(&self) -> String {
        format!(
            "ClearedTable({:?}, {} rows, {})",
            self.inner.title(),
            self.inner.n_rows(),
            self.inner.policy().name()
        )
    }
}

fn finish(bytes: Vec<u8>, path: Option<PathBuf>) -> PyResult<String> {
    if let Some(p) = path {
        std::fs::write(&p, &bytes).map_err(|e| to_py(Error::io(&p, e)))?;
    }
    String::from_utf8(bytes).map_err(|_| to_py(Error::frame("writing a table", "not UTF-8")))
}

/// Write cleared tables to one Excel workbook (a sheet each).
#[pyfunction]
pub fn write_xlsx(tables: Vec<PyRef<'_, ClearedTable>>, path: PathBuf) -> PyResult<()> {
    let t: Vec<&dc::ClearedTable> = tables.iter().map(|t| &t.inner).collect();
    report::write_xlsx(&t, path).py_err()
}
