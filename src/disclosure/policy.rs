//! Disclosure-control policies and their application to a [`Table`].

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::{Error, Location, Result};

use super::cleared::{ClearedTable, PublishedCell, SuppressionReason};
use super::linked::{LinkState, LinkedCells};
use super::secondary;
use super::table::{Basis, Cell, ColumnKind, Table};

/// Which published rule a [`Policy`] follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum PolicyKind {
    /// A minimum cell size `n`: counts 1..=n-1 suppressed, secondary
    /// suppression over margins, no rounding (the "threshold rule" of many
    /// output-checking regimes, e.g. the ONS "10 threshold rule").
    MinimumCellSize,
    /// NHS Digital secondary-care disclosure control from September 2018.
    NhsDigital2018,
    /// NHS Digital HES disclosure control before September 2018.
    NhsLegacy,
}

/// Whether suppressed cells are protected from recovery through totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SecondarySuppression {
    /// Complementary cells are suppressed over every declared margin (see
    /// the module docs of `disclosure` for the algorithm and its guarantee).
    Applied,
    /// Only primary suppression (and rounding, if any).
    NotApplied,
}

/// A disclosure-control policy: which counts are suppressed, whether
/// complementary cells are suppressed, whether counts are rounded, and the
/// symbol shown for suppressed cells.
///
/// | Preset | Counts suppressed | Statistics withheld when n is | Rounding | Secondary |
/// |---|---|---|---|---|
/// | [`minimum_cell_size(n)`](Policy::minimum_cell_size) (default n = 10) | 1..=n-1 | 1..=n-1 | none | applied |
/// | [`nhs_digital_2018`](Policy::nhs_digital_2018) | 1..=7 | 1..=7 | other counts to nearest 5 | not applied |
/// | [`nhs_legacy`](Policy::nhs_legacy) | 1..=5 | 1..=5 | none | applied |
///
/// Zeros are always shown. The default symbol is the GSS `c`
/// ("confidential"); NHS Digital's own outputs use `*`
/// ([`with_symbol`](Policy::with_symbol)). Sources are in
/// METHODS.md ("Disclosure control", §2) and the shared domain notes
/// (`../shared/reference/domain.md`), section 5.4.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    kind: PolicyKind,
    suppress_max: u64,
    rounding_base: Option<u64>,
    secondary: SecondarySuppression,
    symbol: String,
}

impl Default for Policy {
    /// [`Policy::minimum_cell_size`] with n = 10.
    fn default() -> Self {
        Policy {
            kind: PolicyKind::MinimumCellSize,
            suppress_max: 9,
            rounding_base: None,
            secondary: SecondarySuppression::Applied,
            symbol: "c".into(),
        }
    }
}

impl Policy {
    /// Minimum cell size `n`: counts 1..=n-1 are suppressed, statistics
    /// resting on 1..=n-1 people are withheld, complementary cells are
    /// suppressed over declared margins. The conventional default is 10.
    ///
    /// # Errors
    /// If `n < 2` (no count would be suppressed).
    pub fn minimum_cell_size(n: u64) -> Result<Policy> {
        if n < 2 {
            return Err(Error::invalid_parameter(
                "minimum_cell_size",
                n,
                "must be at least 2 (counts 1..n-1 are suppressed)",
            ));
        }
        Ok(Policy {
            suppress_max: n - 1,
            ..Policy::default()
        })
    }

    /// NHS Digital secondary care (HES/ECDS) rule from September 2018, also
    /// adopted for SRHAD and NCMP: 0 shown; 1–7 suppressed; other counts
    /// rounded to the nearest 5; means, medians, rates withheld when based on
    /// 1–7 people; rates with a declared numerator are recomputed from the
    /// rounded numerator and denominator. The rule uses rounding instead of
    /// secondary suppression; add it with
    /// [`with_secondary_suppression`](Policy::with_secondary_suppression).
    pub fn nhs_digital_2018() -> Policy {
        Policy {
            kind: PolicyKind::NhsDigital2018,
            suppress_max: 7,
            rounding_base: Some(5),
            secondary: SecondarySuppression::NotApplied,
            symbol: "c".into(),
        }
    }

    /// NHS Digital HES rule before September 2018: counts 1–5 suppressed,
    /// then secondary suppression so suppressed cells cannot be recalculated;
    /// statistics resting on 1–5 people withheld. No rounding.
    pub fn nhs_legacy() -> Policy {
        Policy {
            kind: PolicyKind::NhsLegacy,
            suppress_max: 5,
            rounding_base: None,
            secondary: SecondarySuppression::Applied,
            symbol: "c".into(),
        }
    }

    /// This policy with secondary suppression switched on or off. The
    /// choice is recorded in the policy description written with every table.
    pub fn with_secondary_suppression(mut self, secondary: SecondarySuppression) -> Policy {
        self.secondary = secondary;
        self
    }

    /// This policy showing suppressed cells as `symbol` (e.g. `*`).
    ///
    /// # Errors
    /// If `symbol` is empty, longer than 8 characters, parses as a number, or
    /// is `x` or `z` (reserved for "not available" and "not applicable").
    pub fn with_symbol(mut self, symbol: &str) -> Result<Policy> {
        let s = symbol.trim();
        if s.is_empty() || s.chars().count() > 8 || s.parse::<f64>().is_ok() || s == "x" || s == "z"
        {
            return Err(Error::invalid_parameter(
                "symbol",
                symbol,
                "must be 1 to 8 characters, not a number, and not the reserved `x` or `z`",
            ));
        }
        self.symbol = s.to_owned();
        Ok(self)
    }

    /// Which rule this is.
    pub fn kind(&self) -> PolicyKind {
        self.kind
    }

    /// Counts `1..=suppress_max()` are suppressed; statistics resting on that
    /// many people are withheld.
    pub fn suppress_max(&self) -> u64 {
        self.suppress_max
    }

    /// Published counts are rounded to the nearest multiple of this, if any.
    pub fn rounding_base(&self) -> Option<u64> {
        self.rounding_base
    }

    /// Whether secondary suppression is applied.
    pub fn secondary(&self) -> SecondarySuppression {
        self.secondary
    }

    /// The symbol shown for suppressed cells.
    pub fn symbol(&self) -> &str {
        &self.symbol
    }

    /// A short name, e.g. `"NHS Digital 2018"` or `"Minimum cell size 10"`.
    pub fn name(&self) -> String {
        match self.kind {
            PolicyKind::MinimumCellSize => format!("Minimum cell size {}", self.suppress_max + 1),
            PolicyKind::NhsDigital2018 => "NHS Digital 2018".into(),
            PolicyKind::NhsLegacy => "NHS Digital legacy (before September 2018)".into(),
        }
    }

    /// The policy and all its parameters in one sentence, as written into
    /// every output.
    pub fn description(&self) -> String {
        let k = self.suppress_max;
        let mut s = format!(
            "{}: counts of 1 to {k} are suppressed (shown as `{}`); zeros are shown; \
             means, medians, rates and amounts resting on 1 to {k} people are withheld",
            self.name(),
            self.symbol
        );
        match self.rounding_base {
            Some(b) => s.push_str(&format!(
                "; other counts are rounded to the nearest {b} (halves up), totals rounded independently; \
                 rates with a declared numerator are recomputed from rounded counts"
            )),
            None => s.push_str("; counts are not rounded"),
        }
        match self.secondary {
            SecondarySuppression::Applied => s.push_str(
                "; secondary suppression is applied over the declared totals so that no suppressed \
                 value can be derived from them",
            ),
            SecondarySuppression::NotApplied => s.push_str("; no secondary suppression"),
        }
        s.push('.');
        s
    }

    fn in_range(&self, n: u64) -> bool {
        (1..=self.suppress_max).contains(&n)
    }

    fn round(&self, x: u64) -> Option<u64> {
        match self.rounding_base {
            None => Some(x),
            Some(b) => {
                let x = u128::from(x);
                let b = u128::from(b);
                let down = x / b * b;
                let r = if (x - down) * 2 >= b { down + b } else { down };
                u64::try_from(r).ok()
            }
        }
    }

    /// Apply the policy, producing the only kind of table the writers accept.
    ///
    /// Steps: (1) primary suppression of counts in `1..=suppress_max`;
    /// (2) secondary suppression over declared margins, if applied;
    /// (3) statistics withheld by their `n` (and rates that would reveal a
    /// suppressed count); (4) rounding of the published counts (after all
    /// suppression decisions, which use the true counts); (5) statistics
    /// rounded to their column's decimals.
    ///
    /// # Errors
    /// If a declared margin does not add up, a statistic's basis count is 0,
    /// or a rounded count overflows `u64`.
    pub fn apply(&self, table: &Table) -> Result<ClearedTable> {
        self.apply_linked(table, &mut LinkedCells::new())
    }

    /// [`apply`](Policy::apply) to one table of a release whose tables share
    /// population counts ([`Table::link_count`]). Before secondary
    /// suppression, a linked cell whose population is already suppressed in
    /// an earlier table is suppressed here too (reason
    /// [`Linked`](SuppressionReason::Linked)), and one already published is
    /// locked: secondary suppression will not choose it. Afterwards `links`
    /// records each linked population as suppressed or published.
    ///
    /// # Errors
    /// As [`apply`](Policy::apply); also if a linked cell's count differs from
    /// the count of the same population in an earlier table (the tables do
    /// not describe the same people), or if a suppressed cell can only be
    /// protected by suppressing a count already published in a linked table.
    pub fn apply_linked(&self, table: &Table, links: &mut LinkedCells) -> Result<ClearedTable> {
        let nc = table.columns().len();
        let rows = table.rows();
        let lines = secondary::lines(table);
        let mut values = vec![0u64; rows.len() * nc];
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if let Cell::Count(v) = cell {
                    values[r * nc + c] = *v;
                }
            }
        }
        for line in &lines {
            let sum: u128 = line.parts.iter().map(|&p| u128::from(values[p])).sum();
            if sum != u128::from(values[line.total]) {
                return Err(Error::invalid_value(
                    Location::source(table.title().to_owned()),
                    values[line.total].to_string(),
                    "a declared total does not equal the sum of its parts",
                ));
            }
        }
        // (1) primary
        let mut reason: Vec<Option<SuppressionReason>> = vec![None; rows.len() * nc];
        let mut suppressed = vec![false; rows.len() * nc];
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if let Cell::Count(v) = cell {
                    if self.in_range(*v) {
                        suppressed[r * nc + c] = true;
                        reason[r * nc + c] = Some(SuppressionReason::SmallCount);
                    }
                }
            }
        }
        for at in table.confidential() {
            let id = at.row * nc + at.column;
            if let (Some(s), Some(why)) = (suppressed.get_mut(id), reason.get_mut(id)) {
                *s = true;
                *why = Some(SuppressionReason::Manual);
            }
        }
        for at in table.forced() {
            let id = at.row * nc + at.column;
            if let (Some(s), Some(why)) = (suppressed.get_mut(id), reason.get_mut(id)) {
                if !*s {
                    *s = true;
                    *why = Some(SuppressionReason::Release);
                }
            }
        }
        // Linked populations: suppressed elsewhere → suppressed here;
        // published elsewhere → locked. Every cell of one key must hold the
        // same count, here and in earlier tables.
        let mut locked = vec![false; rows.len() * nc];
        let mut by_key: BTreeMap<&str, (u64, Vec<usize>)> = BTreeMap::new();
        for (at, key) in table.links() {
            let id = at.row * nc + at.column;
            let v = values.get(id).copied().unwrap_or(0);
            let earlier = links.get(key).map(|p| (p.value, p.first_table.as_str()));
            let here = by_key.get(key.as_str()).map(|e| (e.0, table.title()));
            if let Some((want, first)) = earlier.or(here) {
                if want != v {
                    return Err(Error::invalid_value(
                        Location::source(table.title().to_owned())
                            .row(at.row as u64 + 1)
                            .column(table.columns()[at.column].name().to_owned()),
                        v.to_string(),
                        format!(
                            "linked population {key:?} has count {want} in table {first:?}: \
                             linked cells must count the same people"
                        ),
                    ));
                }
            }
            by_key.entry(key).or_insert((v, Vec::new())).1.push(id);
            match links.get(key).map(|p| p.suppressed) {
                Some(true) if !suppressed[id] => {
                    suppressed[id] = true;
                    reason[id] = Some(SuppressionReason::Linked);
                }
                Some(false) => locked[id] = true,
                _ => {}
            }
        }
        // (2) secondary, repeated until every key's cells in this table agree.
        loop {
            if self.secondary == SecondarySuppression::Applied {
                for id in secondary::complete(&values, &lines, &mut suppressed, &locked)? {
                    reason[id] = Some(SuppressionReason::Complementary);
                }
            }
            let mut changed = false;
            for (_, ids) in by_key.values() {
                if ids.iter().any(|&id| suppressed[id]) {
                    for &id in ids {
                        if !suppressed[id] {
                            suppressed[id] = true;
                            reason[id] = Some(SuppressionReason::Linked);
                            changed = true;
                        }
                    }
                }
            }
            if !changed {
                break;
            }
        }
        for (key, (v, ids)) in &by_key {
            let hidden = ids.iter().any(|&id| suppressed[id]);
            if let Some(&id) = ids.iter().find(|&&id| locked[id] && suppressed[id]) {
                return Err(Error::invalid_value(
                    Location::source(table.title().to_owned())
                        .row((id / nc) as u64 + 1)
                        .column(table.columns()[id % nc].name().to_owned()),
                    v.to_string(),
                    format!(
                        "linked population {key:?} is published in an earlier table but must be \
                         suppressed here; clear the tables in another order or mark it \
                         confidential in the first"
                    ),
                ));
            }
            let first_table = links
                .get(key)
                .map_or_else(|| table.title().to_owned(), |p| p.first_table.clone());
            links.record(
                key,
                LinkState {
                    value: *v,
                    suppressed: hidden,
                    first_table,
                },
            );
        }
        // (3)-(5) build published cells
        let mut out_rows = Vec::with_capacity(rows.len());
        for (r, row) in rows.iter().enumerate() {
            let mut cells = Vec::with_capacity(nc);
            for (c, cell) in row.iter().enumerate() {
                let id = r * nc + c;
                let published = match cell {
                    Cell::Text(s) => PublishedCell::Text(s.clone()),
                    Cell::NotAvailable => PublishedCell::NotAvailable,
                    Cell::NotApplicable => PublishedCell::NotApplicable,
                    Cell::Count(v) => match reason[id] {
                        Some(why) => PublishedCell::Suppressed(why),
                        None => PublishedCell::Count(self.round(*v).ok_or_else(|| {
                            Error::invalid_value(
                                Location::source(table.title().to_owned()).row(r as u64 + 1),
                                v.to_string(),
                                "count too large to round",
                            )
                        })?),
                    },
                    Cell::Statistic { .. } if reason[id].is_some() => {
                        PublishedCell::Suppressed(SuppressionReason::Manual)
                    }
                    Cell::Statistic { value, n } => {
                        self.statistic(table, &suppressed, r, c, *value, *n)?
                    }
                };
                cells.push(published);
            }
            out_rows.push(cells);
        }
        let total_rows: Vec<usize> = table.row_totals().iter().map(|m| m.total()).collect();
        Ok(ClearedTable::new(
            table.title().to_owned(),
            table.columns().to_vec(),
            out_rows,
            total_rows,
            table.row_totals().to_vec(),
            table.column_totals().to_vec(),
            self.clone(),
        ))
    }

    fn statistic(
        &self,
        table: &Table,
        suppressed: &[bool],
        r: usize,
        c: usize,
        value: f64,
        n: Option<u64>,
    ) -> Result<PublishedCell> {
        let nc = table.columns().len();
        let Some(col) = table.columns().get(c) else {
            return Ok(PublishedCell::Suppressed(SuppressionReason::UnknownBase));
        };
        let count_in = |name: &str| -> Option<(usize, u64)> {
            let j = table.column_index(name)?;
            match table.cell(r, j)? {
                Cell::Count(v) => Some((r * nc + j, *v)),
                _ => None,
            }
        };
        let (base_id, n) = match (col.kind().basis(), n) {
            (Some(Basis::PerCell), Some(n)) => (None, n),
            (Some(Basis::CountColumn(name)), None) => match count_in(name) {
                Some((id, v)) => (Some(id), v),
                None => return Ok(PublishedCell::Suppressed(SuppressionReason::UnknownBase)),
            },
            _ => return Ok(PublishedCell::Suppressed(SuppressionReason::UnknownBase)),
        };
        if n == 0 {
            return Err(Error::invalid_value(
                Location::source(table.title().to_owned())
                    .row(r as u64 + 1)
                    .column(col.name().to_owned()),
                value.to_string(),
                "a statistic is given but the count it rests on is 0",
            ));
        }
        if self.in_range(n) {
            return Ok(PublishedCell::Suppressed(SuppressionReason::SmallBase));
        }
        let mut value = value;
        if let ColumnKind::Rate { numerator, .. } = col.kind() {
            let num = numerator.as_deref().and_then(count_in);
            let base_hidden =
                base_id.is_some_and(|id| suppressed.get(id).copied().unwrap_or(false));
            let num_hidden =
                num.is_some_and(|(id, _)| suppressed.get(id).copied().unwrap_or(false));
            if base_hidden || num_hidden {
                return Ok(PublishedCell::Suppressed(
                    SuppressionReason::RevealsSuppressedCount,
                ));
            }
            if let (Some(_), Some((_, num))) = (self.rounding_base, num) {
                if num > 0 {
                    let (Some(rnum), Some(rden)) = (self.round(num), self.round(n)) else {
                        return Ok(PublishedCell::Suppressed(SuppressionReason::UnknownBase));
                    };
                    if rden == 0 {
                        return Ok(PublishedCell::Suppressed(SuppressionReason::SmallBase));
                    }
                    value = value * (rnum as f64 / num as f64) * (n as f64 / rden as f64);
                }
            }
        }
        let scale = 10f64.powi(i32::from(col.decimals()));
        let rounded = (value * scale).round() / scale;
        // A non-zero value that rounds to zero keeps its value, so that
        // writers show it as a bound (`<0.0001`) rather than a false zero.
        Ok(PublishedCell::Value(
            if rounded.is_finite() && !(rounded == 0.0 && value != 0.0) {
                rounded
            } else {
                value
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::Column;

    #[test]
    fn rounding_is_to_nearest_five_halves_up() {
        let p = Policy::nhs_digital_2018();
        let got: Vec<u64> = [0, 8, 9, 12, 13, 17, 18, 100, 102, 103]
            .iter()
            .map(|&x| p.round(x).unwrap())
            .collect();
        assert_eq!(got, vec![0, 10, 10, 10, 15, 15, 20, 100, 100, 105]);
        // u64::MAX is a multiple of 5, so rounding to 5 never overflows.
        assert_eq!(p.round(u64::MAX - 2), Some(u64::MAX));
        let q = Policy::minimum_cell_size(10).unwrap();
        assert_eq!(q.round(13), Some(13));
    }

    fn coverage(people: u64, kept: u64) -> Table {
        let mut t = Table::new(
            "coverage",
            vec![
                Column::label("Group"),
                Column::count("People"),
                Column::count("Kept"),
                Column::count("Left out"),
            ],
        )
        .unwrap();
        t.push_row(vec![
            Cell::text("Programme"),
            Cell::Count(people),
            Cell::Count(kept),
            Cell::Count(people - kept),
        ])
        .unwrap();
        t.declare_column_total("People", &["Kept", "Left out"])
            .unwrap();
        t.link_count(0, "People", "cohort").unwrap();
        t.link_count(0, "Kept", "kept").unwrap();
        t
    }

    /// An outcome table whose `n` column repeats the analysed population.
    fn outcome(kept: u64) -> Table {
        let mut t = Table::new(
            "outcome",
            vec![
                Column::label("Category"),
                Column::count("People"),
                Column::statistic("Mean", Basis::CountColumn("People".into())),
            ],
        )
        .unwrap();
        for cat in ["A&E", "Arrests"] {
            let r = t
                .push_row(vec![Cell::text(cat), Cell::Count(kept), Cell::value(0.5)])
                .unwrap();
            t.link_count(r, "People", "kept").unwrap();
        }
        t
    }

    fn hidden(t: &ClearedTable, r: usize, c: usize) -> Option<SuppressionReason> {
        match t.cell(r, c) {
            Some(PublishedCell::Suppressed(why)) => Some(*why),
            _ => None,
        }
    }

    /// 146 people, 141 analysed, 5 left out: the 5 is suppressed, and the
    /// 141 that would reveal it is suppressed in both tables, so 146 − 141
    /// cannot be worked out across them. The statistics still show.
    #[test]
    fn a_suppressed_cell_cannot_be_recovered_from_a_linked_table() {
        let p = Policy::default();
        let mut links = LinkedCells::new();
        let a = p.apply_linked(&coverage(146, 141), &mut links).unwrap();
        assert_eq!(hidden(&a, 0, 3), Some(SuppressionReason::SmallCount));
        assert_eq!(hidden(&a, 0, 2), Some(SuppressionReason::Complementary));
        assert_eq!(a.formatted(0, 1).as_deref(), Some("146"));
        let b = p.apply_linked(&outcome(141), &mut links).unwrap();
        for r in 0..2 {
            assert_eq!(hidden(&b, r, 1), Some(SuppressionReason::Linked));
            assert_eq!(b.formatted(r, 2).as_deref(), Some("0.5"));
        }
        assert_eq!(links.is_suppressed("kept"), Some(true));
        assert_eq!(links.is_suppressed("cohort"), Some(false));
        assert_eq!(b.summary().linked, 2);
        // Without linking, the second table would have shown 141.
        let alone = p.apply(&outcome(141)).unwrap();
        assert_eq!(alone.formatted(0, 1).as_deref(), Some("141"));
    }

    /// In the other order the analysed count is already public, so the
    /// coverage table protects the 5 by suppressing its total instead.
    #[test]
    fn a_published_linked_count_is_never_the_complementary_cell() {
        let p = Policy::default();
        let mut links = LinkedCells::new();
        let b = p.apply_linked(&outcome(141), &mut links).unwrap();
        assert_eq!(b.formatted(0, 1).as_deref(), Some("141"));
        let a = p.apply_linked(&coverage(146, 141), &mut links).unwrap();
        assert_eq!(a.formatted(0, 2).as_deref(), Some("141"));
        assert_eq!(hidden(&a, 0, 1), Some(SuppressionReason::Complementary));
        assert_eq!(hidden(&a, 0, 3), Some(SuppressionReason::SmallCount));
        assert_eq!(links.is_suppressed("cohort"), Some(true));
    }

    /// When both counts that would reveal the small one are already public,
    /// nothing can protect it: an error, not a disclosive table.
    #[test]
    fn an_unprotectable_linked_cell_is_an_error() {
        let p = Policy::default();
        let mut links = LinkedCells::new();
        let mut sizes = Table::new(
            "sizes",
            vec![Column::label("What"), Column::count("People")],
        )
        .unwrap();
        sizes
            .push_row(vec![Cell::text("cohort"), Cell::Count(146)])
            .unwrap();
        sizes
            .push_row(vec![Cell::text("kept"), Cell::Count(141)])
            .unwrap();
        sizes.link_count(0, "People", "cohort").unwrap();
        sizes.link_count(1, "People", "kept").unwrap();
        p.apply_linked(&sizes, &mut links).unwrap();
        let e = p
            .apply_linked(&coverage(146, 141), &mut links)
            .unwrap_err()
            .to_string();
        assert!(e.contains("linked table"), "{e}");
    }

    #[test]
    fn linked_cells_must_hold_the_same_count() {
        let p = Policy::default();
        let mut links = LinkedCells::new();
        p.apply_linked(&coverage(146, 141), &mut links).unwrap();
        let e = p
            .apply_linked(&outcome(140), &mut links)
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"kept\"") && e.contains("141"), "{e}");
        let mut t = outcome(141);
        t.push_row(vec![Cell::text("x"), Cell::Count(150), Cell::value(1.0)])
            .unwrap();
        t.link_count(2, "People", "kept").unwrap();
        assert!(p.apply_linked(&t, &mut LinkedCells::new()).is_err());
        assert!(t.link_count(0, "Mean", "k").is_err());
        assert!(t.link_count(0, "People", " ").is_err());
    }

    #[test]
    fn presets_and_validation() {
        assert_eq!(Policy::default(), Policy::minimum_cell_size(10).unwrap());
        assert!(Policy::minimum_cell_size(1).is_err());
        assert_eq!(Policy::minimum_cell_size(2).unwrap().suppress_max(), 1);
        assert_eq!(Policy::nhs_legacy().suppress_max(), 5);
        assert_eq!(Policy::nhs_digital_2018().rounding_base(), Some(5));
        assert!(Policy::nhs_legacy().with_symbol("x").is_err());
        assert!(Policy::nhs_legacy().with_symbol("5").is_err());
        assert!(Policy::nhs_legacy().with_symbol("").is_err());
        assert_eq!(Policy::nhs_legacy().with_symbol("*").unwrap().symbol(), "*");
        let d = Policy::nhs_digital_2018().description();
        assert!(
            d.contains("1 to 7") && d.contains("nearest 5") && d.contains("no secondary"),
            "{d}"
        );
    }
}
