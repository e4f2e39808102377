//! The cleared (publishable) table.

use serde::Serialize;

use super::policy::Policy;
use super::table::{Column, ColumnKind, Margin};

/// GSS symbol for "not available".
pub const NOT_AVAILABLE: &str = "x";
/// GSS symbol for "not applicable".
pub const NOT_APPLICABLE: &str = "z";

/// Why a cell was withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum SuppressionReason {
    /// Primary suppression: the count is in the policy's suppression range.
    SmallCount,
    /// Marked confidential by the analyst ([`Table::mark_confidential`](super::Table::mark_confidential)).
    Manual,
    /// Secondary (complementary) suppression: withheld so that another
    /// suppressed cell cannot be derived from the totals.
    Complementary,
    /// A statistic resting on a number of people in the suppression range.
    SmallBase,
    /// A statistic whose number of people is not known (its basis count is
    /// not available), withheld to be safe.
    UnknownBase,
    /// A rate whose numerator or denominator count is suppressed in the same
    /// row: showing it would reveal that count.
    RevealsSuppressedCount,
    /// A count of a population that is suppressed in a linked table of the
    /// same release ([`Table::link_count`](super::Table::link_count)).
    Linked,
    /// Suppressed so that a suppressed cell of this or another table of the
    /// release cannot be worked out from the release's published numbers and
    /// declared relations ([`Release`](super::Release)).
    Release,
}

impl SuppressionReason {
    /// The reason in words.
    pub fn describe(self) -> &'static str {
        match self {
            SuppressionReason::SmallCount => "small count",
            SuppressionReason::Manual => "marked confidential",
            SuppressionReason::Complementary => {
                "suppressed to protect another cell (secondary suppression)"
            }
            SuppressionReason::SmallBase => "rests on too few people",
            SuppressionReason::UnknownBase => "number of people it rests on not known",
            SuppressionReason::RevealsSuppressedCount => "would reveal a suppressed count",
            SuppressionReason::Linked => "suppressed in a linked table of this release",
            SuppressionReason::Release => {
                "suppressed to protect a cell elsewhere in this release (release audit)"
            }
        }
    }
}

/// One published cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum PublishedCell {
    /// A label.
    Text(String),
    /// A count, rounded if the policy rounds.
    Count(u64),
    /// A statistic, rounded to its column's decimals.
    Value(f64),
    /// Withheld; shown as the policy's symbol.
    Suppressed(SuppressionReason),
    /// Not available (`x`).
    NotAvailable,
    /// Not applicable (`z`).
    NotApplicable,
}

/// How many cells were withheld for each reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SuppressionSummary {
    /// Primary suppressions.
    pub small_count: usize,
    /// Cells marked confidential by the analyst.
    pub manual: usize,
    /// Secondary suppressions.
    pub complementary: usize,
    /// Statistics on too few people.
    pub small_base: usize,
    /// Statistics with an unknown base.
    pub unknown_base: usize,
    /// Rates that would reveal a suppressed count.
    pub reveals_suppressed_count: usize,
    /// Counts suppressed because the same population's count is suppressed
    /// in a linked table.
    pub linked: usize,
    /// Counts suppressed because, with the release's other tables, they
    /// would be derivable exactly ([`Release`](super::Release)).
    pub release: usize,
}

/// A table that has passed a disclosure-control [`Policy`]. Its only
/// constructor is [`Policy::apply`]; its fields are private; it records the
/// policy, which every writer in [`crate::report`] writes into its output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClearedTable {
    title: String,
    columns: Vec<Column>,
    rows: Vec<Vec<PublishedCell>>,
    total_rows: Vec<usize>,
    row_totals: Vec<Margin>,
    column_totals: Vec<Margin>,
    policy: Policy,
}

impl ClearedTable {
    pub(crate) fn new(
        title: String,
        columns: Vec<Column>,
        rows: Vec<Vec<PublishedCell>>,
        total_rows: Vec<usize>,
        row_totals: Vec<Margin>,
        column_totals: Vec<Margin>,
        policy: Policy,
    ) -> ClearedTable {
        ClearedTable {
            title,
            columns,
            rows,
            total_rows,
            row_totals,
            column_totals,
            policy,
        }
    }

    /// The title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The column definitions.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.rows.len()
    }

    /// The published cells of row `r`, if it exists.
    pub fn row(&self, r: usize) -> Option<&[PublishedCell]> {
        self.rows.get(r).map(Vec::as_slice)
    }

    /// The published cell at `r`, `c`, if it exists.
    pub fn cell(&self, r: usize, c: usize) -> Option<&PublishedCell> {
        self.rows.get(r).and_then(|row| row.get(c))
    }

    /// True if row `r` is the total of a declared row margin.
    pub fn is_total_row(&self, r: usize) -> bool {
        self.total_rows.contains(&r)
    }

    /// Declared row margins, as on the source table.
    pub fn row_totals(&self) -> &[Margin] {
        &self.row_totals
    }

    /// Declared column margins, as on the source table.
    pub fn column_totals(&self) -> &[Margin] {
        &self.column_totals
    }

    /// The policy applied.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The symbol shown for suppressed cells.
    pub fn symbol(&self) -> &str {
        self.policy.symbol()
    }

    /// Text of the cell at `r`, `c` as every writer shows it: counts as
    /// integers, statistics to their column's decimals, suppressed cells as
    /// the policy's symbol, `x` / `z` for not available / not applicable.
    pub fn formatted(&self, r: usize, c: usize) -> Option<String> {
        let cell = self.cell(r, c)?;
        let decimals = self.columns.get(c).map_or(0, Column::decimals);
        Some(match cell {
            PublishedCell::Text(s) => s.clone(),
            PublishedCell::Count(v) => v.to_string(),
            PublishedCell::Value(v) => format_value(*v, decimals),
            PublishedCell::Suppressed(_) => self.policy.symbol().to_owned(),
            PublishedCell::NotAvailable => NOT_AVAILABLE.to_owned(),
            PublishedCell::NotApplicable => NOT_APPLICABLE.to_owned(),
        })
    }

    /// True if column `c` holds numbers (counts or statistics).
    pub fn is_numeric_column(&self, c: usize) -> bool {
        self.columns
            .get(c)
            .is_some_and(|col| *col.kind() != ColumnKind::Label)
    }

    /// How many cells were withheld, by reason.
    pub fn summary(&self) -> SuppressionSummary {
        let mut s = SuppressionSummary::default();
        for cell in self.rows.iter().flatten() {
            if let PublishedCell::Suppressed(why) = cell {
                match why {
                    SuppressionReason::SmallCount => s.small_count += 1,
                    SuppressionReason::Manual => s.manual += 1,
                    SuppressionReason::Complementary => s.complementary += 1,
                    SuppressionReason::SmallBase => s.small_base += 1,
                    SuppressionReason::UnknownBase => s.unknown_base += 1,
                    SuppressionReason::RevealsSuppressedCount => s.reveals_suppressed_count += 1,
                    SuppressionReason::Linked => s.linked += 1,
                    SuppressionReason::Release => s.release += 1,
                }
            }
        }
        s
    }

    /// The key to the symbols, in one sentence.
    pub fn symbol_key(&self) -> String {
        format!(
            "`{}` = confidential (suppressed for disclosure control); `{NOT_AVAILABLE}` = not available; \
             `{NOT_APPLICABLE}` = not applicable.",
            self.policy.symbol()
        )
    }
}

/// A value to `decimals` places, as every writer of the crate shows it. A
/// non-zero value too small to show at that precision is written as a bound
/// (`<0.0001`, `>-0.0001`) rather than as a misleading zero: a p-value of
/// 3e-9 is not 0.
///
/// ```
/// use outcomes::disclosure::format_value;
/// assert_eq!(format_value(3e-9, 4), "<0.0001");
/// assert_eq!(format_value(0.04321, 4), "0.0432");
/// ```
pub fn format_value(v: f64, decimals: u8) -> String {
    let d = usize::from(decimals);
    let shown = format!("{v:.d$}");
    let smallest = 10f64.powi(-i32::from(decimals));
    if v != 0.0 && v.is_finite() && v.abs() < smallest / 2.0 {
        let bound = format!("{smallest:.d$}");
        if v > 0.0 {
            format!("<{bound}")
        } else {
            format!(">-{bound}")
        }
    } else {
        shown
    }
}

#[cfg(test)]
mod format_tests {
    #[test]
    fn tiny_values_are_shown_as_bounds_not_zero() {
        assert_eq!(super::format_value(3e-9, 4), "<0.0001");
        assert_eq!(super::format_value(-3e-9, 4), ">-0.0001");
        assert_eq!(super::format_value(0.0, 4), "0.0000");
        assert_eq!(super::format_value(0.00006, 4), "0.0001");
        assert_eq!(super::format_value(0.1234, 4), "0.1234");
        assert_eq!(super::format_value(2e-3, 0), "<1");
    }
}
