//! Built without the `plot` feature, the report has no charts: every table
//! is still written, and each chart function says there is nothing to draw.
//! The signatures are those of `charts.rs`, which the feature compiles in
//! this module's place.

use super::pipeline::NamedChart;
use crate::disclosure::ClearedTable;
use crate::error::Result;
use crate::stats::ConfidenceLevel;

pub(crate) fn ndt_over_time(_: &ClearedTable, _: ConfidenceLevel) -> Result<Option<NamedChart>> {
    Ok(None)
}

pub(crate) fn service_use(_: &ClearedTable, _: ConfidenceLevel) -> Result<Option<NamedChart>> {
    Ok(None)
}

pub(crate) fn cost_by_agency(_: &ClearedTable, _: &str) -> Result<Option<NamedChart>> {
    Ok(None)
}

pub(crate) fn balance(_: &ClearedTable) -> Result<Option<NamedChart>> {
    Ok(None)
}

pub(crate) fn overlap(_: &ClearedTable, _: usize) -> Result<Option<NamedChart>> {
    Ok(None)
}

pub(crate) fn persistent_absence(
    _: &ClearedTable,
    _: ConfidenceLevel,
) -> Result<Option<NamedChart>> {
    Ok(None)
}

pub(crate) fn asb_by_period(_: &ClearedTable, _: &str, _: usize) -> Result<Option<NamedChart>> {
    Ok(None)
}

pub(crate) fn survival_curves(
    _: &ClearedTable,
    _: ConfidenceLevel,
    _: &str,
    _: u32,
) -> Result<Option<NamedChart>> {
    Ok(None)
}
