//! Loading evaluation data from CSV and Parquet, with validation.
//!
//! This module is the crate's boundary with polars: files are read and
//! validated column-wise here, and what leaves the module is the crate's own
//! types ([`Cohort`], [`ServiceEvents`], [`NdtAssessments`]...). Every load is
//! total: the result holds the accepted rows, a [`Rejection`] for every row
//! turned away (source row, column, value, reason) and a
//! [`ValidationSummary`] with `accepted + rejected == rows_read`.
//!
//! Column names are the crate's canonical names (`person_id`, `date`,
//! `category`, ...) unless a [`ColumnMap`] maps them to the user's own.

mod aggregate;
pub mod attendance;
mod kernels;
mod loaders;
mod preflight;
pub(crate) mod rules;
mod summary;
pub(crate) mod validate;

pub use aggregate::{
    add_period_counts, calendar_counts, empty_window_counts, first_events, window_costs,
    window_costs_with_counts, window_counts, CategoryAgencyTotal, CountKind, FirstEvents,
    WindowCosts, WindowCounts,
};
pub use loaders::{
    csv_to_parquet, load_cohort, load_cohort_numeric, load_ndt, load_ndt_wide, load_period_counts,
    load_service_events, validate_service_events, Cohort, Loaded, NdtAssessments, RawServiceEvent,
    ServiceEvents, Source,
};
pub use rules::{parse_date, parse_int};
pub use summary::{
    ndt_item_measure, MeasureKind, NdtWindowRule, PersonSummary, SummaryBuilder, SummaryRecord,
    ASB_INCIDENTS, ASB_PARTIAL_MONTH_INCIDENTS, COST_TOTAL, NDT_TOTAL,
};
pub use validate::{redact_identifiers, Rejection, ValidationSummary, REDACTED};

use std::collections::BTreeMap;

/// Maps the crate's canonical column names to the names in a user's file.
///
/// ```
/// use outcomes::io::ColumnMap;
/// let map = ColumnMap::new().map("person_id", "Client ID").map("date", "Attendance date");
/// assert_eq!(map.source_name("person_id"), "Client ID");
/// assert_eq!(map.source_name("category"), "category");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap {
    map: BTreeMap<String, String>,
}

impl ColumnMap {
    /// The identity mapping.
    pub fn new() -> Self {
        ColumnMap::default()
    }

    /// Map a canonical column to the name in the file.
    pub fn map(mut self, canonical: &str, in_file: &str) -> Self {
        self.map.insert(canonical.to_string(), in_file.to_string());
        self
    }

    /// The file's name for a canonical column.
    pub fn source_name<'a>(&'a self, canonical: &'a str) -> &'a str {
        self.map.get(canonical).map_or(canonical, String::as_str)
    }

    /// Each mapping, as (canonical, name in the file).
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The canonical name for a file column, if it is mapped or canonical.
    pub(crate) fn canonical_of(&self, in_file: &str) -> Option<&str> {
        self.map
            .iter()
            .find(|(_, v)| v.as_str() == in_file)
            .map(|(k, _)| k.as_str())
    }
}
