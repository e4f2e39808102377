//! Linked tables: counts of the same population shown in several tables of
//! one release.

use std::collections::BTreeMap;

/// What has been decided so far, across the tables of one release, about each
/// linked population count ([`Table::link_count`](super::Table::link_count)).
///
/// Clear the tables of a release in order with
/// [`Policy::apply_linked`](super::Policy::apply_linked), passing the same
/// `LinkedCells`. A population whose count is suppressed in one table is then
/// suppressed in every later table, and a count already published is never
/// picked for secondary suppression in a later one, so a suppressed cell
/// cannot be recovered by subtracting counts published in two tables (the
/// cross-table "differencing" that within-table secondary suppression cannot
/// see). Linking is greedy and order-dependent, like the secondary
/// suppression it extends: clear the tables in the order they are published.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkedCells {
    keys: BTreeMap<String, LinkState>,
}

/// The decision for one population.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LinkState {
    /// The true count (every linked cell of the key must hold it).
    pub(crate) value: u64,
    /// Suppressed (in some table) or published.
    pub(crate) suppressed: bool,
    /// The first table that showed it.
    pub(crate) first_table: String,
}

impl LinkedCells {
    /// No populations yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the population `key` has been suppressed (`Some(true)`),
    /// published (`Some(false)`) or not yet seen (`None`).
    pub fn is_suppressed(&self, key: &str) -> Option<bool> {
        self.keys.get(key).map(|s| s.suppressed)
    }

    /// Number of populations seen.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True if no population has been seen.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Keys of the suppressed populations, in order.
    pub fn suppressed_keys(&self) -> impl Iterator<Item = &str> {
        self.keys
            .iter()
            .filter(|(_, s)| s.suppressed)
            .map(|(k, _)| k.as_str())
    }

    pub(crate) fn get(&self, key: &str) -> Option<&LinkState> {
        self.keys.get(key)
    }

    pub(crate) fn record(&mut self, key: &str, state: LinkState) {
        self.keys.insert(key.to_owned(), state);
    }
}
