//! Small helpers for building disclosure tables and reading cleared ones.

use crate::disclosure::{Basis, Cell, ClearedTable, Column, PublishedCell};

/// A cleared table and the file stem its CSV/JSON are written under.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedTable {
    /// File stem, e.g. `ndt_items` (written as `tables/ndt_items.csv`).
    pub stem: String,
    /// The table, cleared by the evaluation's policy.
    pub table: ClearedTable,
}

/// A count column whose cells are people (or rows, incidents...).
pub(crate) fn count(name: &str) -> Column {
    Column::count(name)
}

/// A statistic resting on the people in count column `basis`.
pub(crate) fn stat_of(name: &str, basis: &str, decimals: u8) -> Column {
    Column::statistic(name, Basis::CountColumn(basis.into())).with_decimals(decimals)
}

/// A statistic whose `n` is given per cell.
pub(crate) fn stat_per_cell(name: &str, decimals: u8) -> Column {
    Column::statistic(name, Basis::PerCell).with_decimals(decimals)
}

/// Money resting on the people in count column `basis`.
pub(crate) fn money_of(name: &str, basis: &str, decimals: u8) -> Column {
    Column::money(name, Basis::CountColumn(basis.into())).with_decimals(decimals)
}

/// A percentage (or rate) over the people in `basis`, revealing the count in
/// `numerator` (so it is withheld when that count is).
pub(crate) fn rate_of(name: &str, basis: &str, numerator: &str, decimals: u8) -> Column {
    Column::rate(name, Basis::CountColumn(basis.into()), Some(numerator)).with_decimals(decimals)
}

/// A rate with a per-cell denominator and a numerator count column.
pub(crate) fn rate_per_cell(name: &str, numerator: &str, decimals: u8) -> Column {
    Column::rate(name, Basis::PerCell, Some(numerator)).with_decimals(decimals)
}

/// A statistic cell whose `n` comes from the basis column: not available
/// when the value is missing or not finite, or the basis is zero.
pub(crate) fn val(v: Option<f64>, n: usize) -> Cell {
    match v {
        Some(x) if x.is_finite() && n > 0 => Cell::value(x),
        _ => Cell::NotAvailable,
    }
}

/// A statistic cell resting on `n` people.
pub(crate) fn stat(v: Option<f64>, n: usize) -> Cell {
    match v {
        Some(x) if x.is_finite() && n > 0 => Cell::statistic(x, n as u64),
        _ => Cell::NotAvailable,
    }
}

/// A count cell.
pub(crate) fn cnt(n: usize) -> Cell {
    Cell::Count(n as u64)
}

/// The published number at row `r`, column `name`: counts and statistics;
/// `None` for suppressed, not available or label cells.
pub fn published(t: &ClearedTable, r: usize, name: &str) -> Option<f64> {
    let c = t.columns().iter().position(|c| c.name() == name)?;
    match t.cell(r, c)? {
        PublishedCell::Count(v) => Some(*v as f64),
        PublishedCell::Value(v) => Some(*v),
        _ => None,
    }
}

/// The label at row `r`, column `name`.
pub fn label(t: &ClearedTable, r: usize, name: &str) -> Option<String> {
    let c = t.columns().iter().position(|c| c.name() == name)?;
    match t.cell(r, c)? {
        PublishedCell::Text(s) => Some(s.clone()),
        _ => None,
    }
}
