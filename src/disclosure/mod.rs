//! Statistical disclosure control for published aggregate tables.
//!
//! Build a [`Table`] (columns, rows of [`Cell`]s, declared margins), choose a
//! [`Policy`] and call [`Policy::apply`]. The result, a [`ClearedTable`], is
//! the only thing the writers in [`crate::report`] accept, so an uncleared
//! table cannot be written out by this crate, and every output names the
//! policy that cleared it.
//!
//! What a policy does, in order:
//!
//! 1. **Primary suppression**: counts in `1..=k` become the policy's symbol
//!    (GSS `c` by default), as do cells marked with
//!    [`Table::mark_confidential`]. Zeros are shown.
//! 2. **Secondary suppression** (if the policy applies it) over every
//!    declared margin: at the end no line (a total and its parts) has exactly
//!    one suppressed cell, and no suppressed cell's value is a linear
//!    consequence of the published cells and the declared totals. The
//!    algorithm is greedy, not optimal; see METHODS.md, "Disclosure control",
//!    §4 (secondary suppression).
//! 3. **Statistics** (means, medians, rates, amounts) are withheld when the
//!    number of people they rest on is in `1..=k`; rates also when their
//!    numerator or denominator count is suppressed.
//! 4. **Rounding** (if the policy rounds) of the published counts, after all
//!    suppression decisions.
//!
//! Tables of one release that show the same population's count (a cohort
//! size, the number analysed) are *linked*: declare those cells with
//! [`Table::link_count`] and clear the tables in order with
//! [`Policy::apply_linked`] and one [`LinkedCells`]. A count suppressed in
//! one table is then suppressed wherever it appears, and a count already
//! published is never used as a complementary cell, so no suppressed cell
//! can be worked out by subtracting counts from two tables.
//!
//! A whole report is cleared as one [`Release`]: besides linking, it audits
//! every table cleared so far as a reader would, with the relations declared
//! between tables ([`Table::relate`], [`Table::declare_at_most`],
//! [`Table::declare_population_total`]: sums across tables, subsets at most
//! their whole, design facts), and suppresses more of the table being cleared
//! until no suppressed count is pinned to one value (METHODS.md, "Disclosure
//! control", §4b).
//!
//! ```
//! use outcomes::disclosure::{Cell, Column, Policy, PublishedCell, Table};
//!
//! let mut t = Table::new(
//!     "Clients by area and sex",
//!     vec![Column::label("Area"), Column::count("Female"), Column::count("Male"), Column::count("Total")],
//! )?;
//! t.push_row(vec![Cell::text("North"), Cell::Count(3), Cell::Count(12), Cell::Count(15)])?;
//! t.push_row(vec![Cell::text("South"), Cell::Count(15), Cell::Count(18), Cell::Count(33)])?;
//! t.push_row(vec![Cell::text("Total"), Cell::Count(18), Cell::Count(30), Cell::Count(48)])?;
//! t.declare_column_total("Total", &["Female", "Male"])?;
//! t.declare_row_total(2, &[0, 1])?;
//!
//! let cleared = Policy::default().apply(&t)?; // minimum cell size 10
//! assert!(matches!(cleared.cell(0, 1), Some(PublishedCell::Suppressed(_)))); // the 3
//! assert!(matches!(cleared.cell(0, 2), Some(PublishedCell::Suppressed(_)))); // its row partner
//! assert!(matches!(cleared.cell(1, 1), Some(PublishedCell::Suppressed(_)))); // its column partner
//! assert_eq!(cleared.formatted(0, 3).as_deref(), Some("15"));
//! # Ok::<(), outcomes::Error>(())
//! ```

mod cleared;
mod linked;
mod policy;
mod release;
mod secondary;
mod table;

pub use cleared::{
    format_value, ClearedTable, PublishedCell, SuppressionReason, SuppressionSummary,
    NOT_APPLICABLE, NOT_AVAILABLE,
};
pub use linked::LinkedCells;
pub use policy::{Policy, PolicyKind, SecondarySuppression};
pub use release::{Exposure, Release};
pub use table::{
    Basis, Cell, CellRef, Column, ColumnKind, Margin, RelationKind, RelationTerm, Table,
    MAX_DECIMALS,
};
