//! Disclosure across a release: the tables of one report cleared together,
//! and audited as an attacker would read them.
//!
//! Clearing each table on its own (primary and secondary suppression over its
//! declared totals) leaves three ways to work out a suppressed cell from the
//! other published numbers of the same release:
//!
//! - **totals across tables**: a population counted in two tables (the
//!   comparison group's size in the matching table and in the overlap table),
//!   so that a suppressed difference is the difference of two published
//!   counts;
//! - **orderings**: a count of a subset never exceeds the count of the whole
//!   (matched people in a score bin are at most all people in it), so that
//!   bounds from one column pin a cell of another;
//! - **sums across tables**: the rejected rows of a file by reason add up to
//!   the file's rejected rows in the validation table.
//!
//! A [`Release`] clears the tables in publication order. Each table is first
//! cleared under the policy as before (linked counts suppressed together,
//! [`Policy::apply_linked`]); then the **audit** sets up what a reader knows
//! as a linear programme: one unknown per suppressed count (one per linked
//! population), every declared total and every declared
//! relation of every table cleared so far, all
//! published counts as constants (intervals, if the policy rounds), and every
//! unknown at least 0. For each suppressed non-zero count it finds the least
//! and greatest value the programme allows. A count is **exposed** when only
//! one whole number lies between them. While some count is exposed, the table
//! being cleared suppresses one more of its own published counts (reason
//! [`Release`](super::SuppressionReason::Release)), chosen as the secondary
//! stage chooses (a cell sharing a total or relation with the exposed one
//! whose suppression removes the exposure; non-zero cells before zeros, cells
//! not linked to other tables first, then the smallest, then the first in
//! table order), and is cleared and audited again. Tables already published are never changed.
//!
//! The bounds are those of the linear relaxation (an attacker who also uses
//! integrality can sometimes do better, as with τ-ARGUS's audit); the audit
//! covers the relations declared, so a fact a reader knows but nobody
//! declared is not covered. See METHODS.md, "Disclosure control", §4b.

use std::collections::BTreeMap;

use microlp::{ComparisonOp, OptimizationDirection, Problem};

use crate::error::{Error, Location, Result};

use super::cleared::{ClearedTable, PublishedCell};
use super::linked::LinkedCells;
use super::policy::{Policy, SecondarySuppression};
use super::secondary;
use super::table::{Cell, CellRef, Operand, RelationKind, Table};

/// Slack for comparing LP bounds with whole numbers.
const EPS: f64 = 1e-6;

/// The tables of one release, cleared in publication order under one
/// policy so that no suppressed count can be derived from the rest.
///
/// ```
/// use outcomes::disclosure::{Cell, Column, Policy, PublishedCell, Release, Table};
///
/// // The validation table publishes a file's rejected rows (24) ...
/// let mut v = Table::new("Validation", vec![Column::label("File"), Column::count("Rejected")])?;
/// v.push_row(vec![Cell::text("the cohort file"), Cell::Count(24)])?;
/// v.link_count(0, "Rejected", "rejected: the cohort file")?;
/// // ... and the reasons table shows them by reason: 17 + 7.
/// let mut r = Table::new("Reasons", vec![Column::label("Reason"), Column::count("Rows")])?;
/// r.push_row(vec![Cell::text("bad date"), Cell::Count(17)])?;
/// r.push_row(vec![Cell::text("bad code"), Cell::Count(7)])?;
/// r.declare_population_total("rejected: the cohort file", "Rows", &[0, 1])?;
///
/// let mut release = Release::new(Policy::default());
/// release.clear(&v)?;
/// let reasons = release.clear(&r)?;
/// // 7 is suppressed, and so is 17: otherwise 24 - 17 would give it away.
/// assert!(matches!(reasons.cell(0, 1), Some(PublishedCell::Suppressed(_))));
/// assert!(matches!(reasons.cell(1, 1), Some(PublishedCell::Suppressed(_))));
/// assert!(release.exposures()?.is_empty());
/// # Ok::<(), outcomes::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Release {
    policy: Policy,
    links: LinkedCells,
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    table: Table,
    cleared: ClearedTable,
}

/// A suppressed count that the published numbers of the release pin to a
/// single value. The value itself is not given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposure {
    /// Title of the table holding the cell.
    pub table: String,
    /// Row (0-based).
    pub row: usize,
    /// Column name.
    pub column: String,
}

/// Where a cell's value comes from in the attacker's programme.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Slot {
    Known(f64),
    Var(usize),
}

#[derive(Debug, Clone)]
struct Var {
    lo: f64,
    hi: f64,
    /// The cells it stands for, (entry, flat id); the least is the cell it
    /// is known by. Empty for a population no table shows.
    cells: Vec<(usize, usize)>,
    /// A suppressed count with a non-zero true value: must stay protected.
    guarded: bool,
}

/// One constraint: `sum(coef * var) (=|<=) rhs`.
#[derive(Debug, Clone)]
struct Row {
    terms: Vec<(usize, f64)>,
    equal: bool,
    rhs: f64,
    /// Cells of the constraint (entry, flat id), for choosing a breaker.
    cells: Vec<(usize, usize)>,
}

#[derive(Debug, Default)]
struct Model {
    vars: Vec<Var>,
    rows: Vec<Row>,
}

impl Release {
    /// An empty release under `policy`.
    pub fn new(policy: Policy) -> Release {
        Release {
            policy,
            links: LinkedCells::new(),
            entries: Vec::new(),
        }
    }

    /// The policy every table is cleared with.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The linked populations decided so far.
    pub fn links(&self) -> &LinkedCells {
        &self.links
    }

    /// Number of tables cleared.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if no table has been cleared.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Clear the next table of the release (see the module docs). Under a
    /// policy without secondary suppression the audit is not run (such a
    /// policy relies on rounding, not on complementary cells).
    ///
    /// # Errors
    /// As [`Policy::apply_linked`]; also if a declared relation does not hold
    /// for the true counts, or a suppressed cell is exposed and no published
    /// count of this table can protect it (clear the tables in another order,
    /// or mark a cell of an earlier table confidential).
    pub fn clear(&mut self, table: &Table) -> Result<ClearedTable> {
        let mut t = table.clone();
        let audited = self.policy.secondary() == SecondarySuppression::Applied;
        let mut checked = false;
        loop {
            let mut links = self.links.clone();
            let cleared = self.policy.apply_linked(&t, &mut links)?;
            if !audited {
                return Ok(self.commit(t, cleared, links));
            }
            let candidate = Entry {
                table: t.clone(),
                cleared: cleared.clone(),
            };
            let model = self.model(Some(&candidate))?;
            if !checked {
                check_truth(self, &candidate)?;
                checked = true;
            }
            let new = self.entries.len();
            let exposed = model.exposed(Some(new))?;
            let Some(&target) = exposed.first() else {
                return Ok(self.commit(t, cleared, links));
            };
            let pick = self.breaker(&t, &candidate, &model, target)?;
            t.force(pick);
        }
    }

    /// Every suppressed count of the tables cleared so far that the release
    /// pins to one value (empty when the release is safe).
    ///
    /// # Errors
    /// If the linear programme cannot be solved.
    pub fn exposures(&self) -> Result<Vec<Exposure>> {
        let model = self.model(None)?;
        let mut out = Vec::new();
        for v in model.exposed(None)? {
            if let Some(&(e, id)) = model.vars[v].cells.iter().min() {
                let entry = &self.entries[e];
                let nc = entry.table.columns().len();
                out.push(Exposure {
                    table: entry.table.title().to_owned(),
                    row: id / nc,
                    column: entry.table.columns()[id % nc].name().to_owned(),
                });
            }
        }
        Ok(out)
    }

    fn commit(&mut self, table: Table, cleared: ClearedTable, links: LinkedCells) -> ClearedTable {
        self.links = links;
        self.entries.push(Entry {
            table,
            cleared: cleared.clone(),
        });
        cleared
    }

    fn entry<'a>(&'a self, extra: Option<&'a Entry>, e: usize) -> Option<&'a Entry> {
        self.entries
            .get(e)
            .or_else(|| extra.filter(|_| e == self.entries.len()))
    }

    /// The attacker's programme over the release, with `extra` (the table
    /// being cleared) as its last table.
    fn model(&self, extra: Option<&Entry>) -> Result<Model> {
        let n = self.entries.len() + usize::from(extra.is_some());
        let entries: Vec<&Entry> = (0..n).filter_map(|e| self.entry(extra, e)).collect();
        let mut b = Builder {
            entries: &entries,
            half: self.policy.rounding_base().map(|b| (b / 2) as f64),
            m: Model::default(),
            slot_of: BTreeMap::new(),
            key_var: BTreeMap::new(),
            key_of: BTreeMap::new(),
            first_cell_of_key: BTreeMap::new(),
        };
        for (e, entry) in entries.iter().enumerate() {
            let nc = entry.table.columns().len();
            for (at, key) in entry.table.links() {
                let id = at.row * nc + at.column;
                b.key_of.insert((e, id), key.clone());
                b.first_cell_of_key.entry(key.clone()).or_insert((e, id));
            }
        }
        for (e, entry) in entries.iter().enumerate() {
            let nc = entry.table.columns().len();
            for line in secondary::lines(&entry.table) {
                let mut row = Row::new(true);
                b.add(&mut row, e, line.total, -1.0);
                for &p in &line.parts {
                    b.add(&mut row, e, p, 1.0);
                }
                b.m.push(row);
            }
            for rel in entry.table.relations() {
                let mut row = Row::new(rel.comparison() == RelationKind::Equal);
                for (coef, term) in rel.terms() {
                    let coef = *coef as f64;
                    match term {
                        Operand::Cell(CellRef { row: r, column: c }) => {
                            b.add(&mut row, e, r * nc + c, coef);
                        }
                        Operand::Population(key) => match b.first_cell_of_key.get(key).copied() {
                            Some((e2, id2)) => b.add(&mut row, e2, id2, coef),
                            None => {
                                let v = b.var(Some(key.as_str()), 0.0, f64::INFINITY, false);
                                row.terms.push((v, coef));
                            }
                        },
                    }
                }
                b.m.push(row);
            }
        }
        Ok(b.m)
    }

    /// A published count of the table being cleared whose suppression
    /// protects `target` (see the module docs for the order of preference).
    fn breaker(
        &self,
        t: &Table,
        candidate: &Entry,
        model: &Model,
        target: usize,
    ) -> Result<CellRef> {
        let new = self.entries.len();
        let nc = t.columns().len();
        let linked: BTreeMap<usize, &str> = t
            .links()
            .iter()
            .map(|(at, k)| (at.row * nc + at.column, k.as_str()))
            .collect();
        let eligible = |id: usize| -> Option<(bool, bool, u64, usize)> {
            let (r, c) = (id / nc, id % nc);
            let Some(PublishedCell::Count(_)) = candidate.cleared.cell(r, c) else {
                return None;
            };
            let Some(Cell::Count(v)) = t.cell(r, c) else {
                return None;
            };
            let key = linked.get(&id);
            // Published in an earlier table: suppressing it here protects nothing.
            if key.is_some_and(|k| self.links.is_suppressed(k) == Some(false)) {
                return None;
            }
            Some((*v == 0, key.is_some(), *v, id))
        };
        let component = model.component(target);
        let mut near: Vec<(bool, bool, u64, usize)> = Vec::new();
        let mut far: Vec<(bool, bool, u64, usize)> = Vec::new();
        for row in &model.rows {
            let touches = row.terms.iter().any(|(v, _)| *v == target);
            let inside = row.terms.iter().any(|(v, _)| component.contains(v));
            if !inside {
                continue;
            }
            for &(e, id) in &row.cells {
                if e != new {
                    continue;
                }
                if let Some(k) = eligible(id) {
                    if touches {
                        near.push(k);
                    } else {
                        far.push(k);
                    }
                }
            }
        }
        near.sort_unstable();
        near.dedup();
        far.sort_unstable();
        far.dedup();
        let at = |id: usize| CellRef {
            row: id / nc,
            column: id % nc,
        };
        let target_cell = model.vars[target].cells.iter().min().copied();
        for &(_, _, _, id) in &near {
            let mut trial = t.clone();
            trial.force(at(id));
            let mut links = self.links.clone();
            let cleared = self.policy.apply_linked(&trial, &mut links)?;
            let entry = Entry {
                table: trial,
                cleared,
            };
            let m2 = self.model(Some(&entry))?;
            let still = m2
                .exposed(Some(new))?
                .iter()
                .any(|&v| m2.vars[v].cells.iter().min().copied() == target_cell);
            if !still {
                return Ok(at(id));
            }
        }
        if let Some(&(_, _, _, id)) = near.first().or(far.first()) {
            return Ok(at(id));
        }
        let (table, column, row) =
            match target_cell.and_then(|(e, id)| Some((self.entry(Some(candidate), e)?, id))) {
                Some((entry, id)) => {
                    let nc = entry.table.columns().len();
                    (
                        entry.table.title().to_owned(),
                        entry.table.columns()[id % nc].name().to_owned(),
                        id / nc,
                    )
                }
                None => (t.title().to_owned(), String::new(), 0),
            };
        Err(Error::invalid_value(
            Location::source(table).row(row as u64 + 1).column(column),
            "<suppressed>",
            format!(
                "this suppressed count could be worked out from the numbers published in the \
                 release, and no published count of the table {:?} can protect it; clear the \
                 tables in another order or mark a cell of an earlier table confidential",
                t.title()
            ),
        ))
    }
}

/// Builds the attacker's programme.
struct Builder<'a> {
    entries: &'a [&'a Entry],
    /// Half the rounding base, if the policy rounds.
    half: Option<f64>,
    m: Model,
    slot_of: BTreeMap<(usize, usize), Slot>,
    key_var: BTreeMap<String, usize>,
    key_of: BTreeMap<(usize, usize), String>,
    first_cell_of_key: BTreeMap<String, (usize, usize)>,
}

impl Builder<'_> {
    /// Add `coef * cell` to `row`.
    fn add(&mut self, row: &mut Row, e: usize, id: usize, coef: f64) {
        row.cells.push((e, id));
        match self.slot(e, id) {
            Slot::Known(x) => row.rhs -= coef * x,
            Slot::Var(v) => row.terms.push((v, coef)),
        }
    }

    /// The slot of one count cell.
    fn slot(&mut self, e: usize, id: usize) -> Slot {
        if let Some(s) = self.slot_of.get(&(e, id)) {
            return *s;
        }
        let Some(entry) = self.entries.get(e) else {
            return Slot::Known(0.0);
        };
        let nc = entry.table.columns().len();
        let (r, c) = (id / nc, id % nc);
        let truth = match entry.table.cell(r, c) {
            Some(Cell::Count(v)) => *v,
            _ => 0,
        };
        let key = self.key_of.get(&(e, id)).cloned();
        let s = match (entry.cleared.cell(r, c), self.half) {
            (Some(PublishedCell::Count(_)), None) => Slot::Known(truth as f64),
            (Some(PublishedCell::Count(p)), Some(h)) => {
                let p = *p as f64;
                Slot::Var(self.var(key.as_deref(), (p - h).max(0.0), p + h, false))
            }
            _ => Slot::Var(self.var(key.as_deref(), 0.0, f64::INFINITY, truth > 0)),
        };
        if let Slot::Var(v) = s {
            self.m.vars[v].cells.push((e, id));
        }
        self.slot_of.insert((e, id), s);
        s
    }

    /// A fresh variable, or the one already standing for `key`.
    fn var(&mut self, key: Option<&str>, lo: f64, hi: f64, guarded: bool) -> usize {
        if let Some(k) = key {
            if let Some(&v) = self.key_var.get(k) {
                let var = &mut self.m.vars[v];
                var.lo = var.lo.max(lo);
                var.hi = var.hi.min(hi);
                var.guarded |= guarded;
                return v;
            }
        }
        self.m.vars.push(Var {
            lo,
            hi,
            cells: Vec::new(),
            guarded,
        });
        let v = self.m.vars.len() - 1;
        if let Some(k) = key {
            self.key_var.insert(k.to_owned(), v);
        }
        v
    }
}

impl Row {
    fn new(equal: bool) -> Row {
        Row {
            terms: Vec::new(),
            equal,
            rhs: 0.0,
            cells: Vec::new(),
        }
    }
}

impl Model {
    fn push(&mut self, row: Row) {
        if !row.terms.is_empty() {
            self.rows.push(row);
        }
    }

    /// The variables connected to `v` through the constraints.
    fn component(&self, v: usize) -> Vec<usize> {
        let mut parent: Vec<usize> = (0..self.vars.len()).collect();
        fn find(p: &mut [usize], mut x: usize) -> usize {
            while p[x] != x {
                p[x] = p[p[x]];
                x = p[x];
            }
            x
        }
        for row in &self.rows {
            if let Some(&(first, _)) = row.terms.first() {
                for &(other, _) in &row.terms[1..] {
                    let (a, b) = (find(&mut parent, first), find(&mut parent, other));
                    parent[a] = b;
                }
            }
        }
        let root = find(&mut parent, v);
        (0..self.vars.len())
            .filter(|&x| find(&mut parent, x) == root)
            .collect()
    }

    /// Guarded variables pinned to one whole number, in release order of
    /// their first cell; only those whose component reaches entry `only`,
    /// if given.
    fn exposed(&self, only: Option<usize>) -> Result<Vec<usize>> {
        let mut out = Vec::new();
        let mut done = vec![false; self.vars.len()];
        for v in 0..self.vars.len() {
            if done[v] {
                continue;
            }
            let comp = self.component(v);
            for &x in &comp {
                done[x] = true;
            }
            if let Some(e) = only {
                let reaches = comp
                    .iter()
                    .any(|&x| self.vars[x].cells.iter().any(|&(ee, _)| ee == e))
                    || self.rows.iter().any(|r| {
                        r.terms.iter().any(|(x, _)| comp.contains(x))
                            && r.cells.iter().any(|&(ee, _)| ee == e)
                    });
                if !reaches {
                    continue;
                }
            }
            if !comp.iter().any(|&x| self.vars[x].guarded) {
                continue;
            }
            let rows: Vec<&Row> = self
                .rows
                .iter()
                .filter(|r| r.terms.iter().any(|(x, _)| comp.contains(x)))
                .collect();
            for &x in &comp {
                if !self.vars[x].guarded {
                    continue;
                }
                let lo = self.bound(&comp, &rows, x, OptimizationDirection::Minimize)?;
                let hi = self.bound(&comp, &rows, x, OptimizationDirection::Maximize)?;
                if (hi + EPS).floor() - (lo - EPS).ceil() < 1.0 {
                    out.push(x);
                }
            }
        }
        out.sort_by_key(|&v| self.vars[v].cells.iter().min().copied());
        Ok(out)
    }

    /// The least or greatest value of `x` over the component's programme.
    fn bound(
        &self,
        comp: &[usize],
        rows: &[&Row],
        x: usize,
        dir: OptimizationDirection,
    ) -> Result<f64> {
        let mut p = Problem::new(dir);
        let mut local = BTreeMap::new();
        for &v in comp {
            let var = &self.vars[v];
            let obj = if v == x { 1.0 } else { 0.0 };
            local.insert(v, p.add_var(obj, (var.lo, var.hi)));
        }
        for r in rows {
            let expr: Vec<_> = r
                .terms
                .iter()
                .filter_map(|(v, c)| local.get(v).map(|lv| (*lv, *c)))
                .collect();
            let op = if r.equal {
                ComparisonOp::Eq
            } else {
                ComparisonOp::Le
            };
            p.add_constraint(expr.as_slice(), op, r.rhs);
        }
        match p.solve() {
            Ok(sol) => Ok(sol.objective()),
            Err(microlp::Error::Unbounded) => Ok(match dir {
                OptimizationDirection::Maximize => f64::INFINITY,
                OptimizationDirection::Minimize => f64::NEG_INFINITY,
            }),
            Err(e) => Err(Error::numerical(
                "release audit",
                format!("the published numbers and declared relations have no solution ({e})"),
            )),
        }
    }
}

/// The declared relations of `entry` hold for the true counts.
fn check_truth(release: &Release, entry: &Entry) -> Result<()> {
    let truth_of_key = |key: &str| -> Option<u64> {
        let here =
            entry
                .table
                .links()
                .iter()
                .find(|(_, k)| k == key)
                .and_then(|(at, _)| match entry.table.cell(at.row, at.column) {
                    Some(Cell::Count(v)) => Some(*v),
                    _ => None,
                });
        here.or_else(|| release.links.get(key).map(|s| s.value))
    };
    for rel in entry.table.relations() {
        let mut sum: i128 = 0;
        let mut known = true;
        for (coef, term) in rel.terms() {
            let v = match term {
                Operand::Cell(at) => match entry.table.cell(at.row, at.column) {
                    Some(Cell::Count(v)) => Some(*v),
                    _ => None,
                },
                Operand::Population(key) => truth_of_key(key),
            };
            match v {
                Some(v) => sum += i128::from(*coef) * i128::from(v),
                None => known = false,
            }
        }
        let holds = match rel.comparison() {
            RelationKind::Equal => sum == 0,
            RelationKind::AtMost => sum <= 0,
        };
        if known && !holds {
            let first = rel.terms().iter().find_map(|(_, t)| match t {
                Operand::Cell(at) => Some(*at),
                Operand::Population(_) => None,
            });
            let mut loc = Location::source(entry.table.title().to_owned());
            if let Some(at) = first {
                loc = loc
                    .row(at.row as u64 + 1)
                    .column(entry.table.columns()[at.column].name().to_owned());
            }
            return Err(Error::invalid_value(
                loc,
                "<relation>",
                "a declared relation between counts does not hold for the true counts",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::{Column, RelationTerm, SuppressionReason};

    fn hidden(t: &ClearedTable, r: usize, c: usize) -> Option<SuppressionReason> {
        match t.cell(r, c) {
            Some(PublishedCell::Suppressed(why)) => Some(*why),
            _ => None,
        }
    }

    /// Rejected rows by reason (17 + 7) and the file's total (24).
    fn validation() -> (Table, Table) {
        let mut v = Table::new(
            "Validation",
            vec![Column::label("File"), Column::count("Rejected")],
        )
        .unwrap();
        v.push_row(vec![Cell::text("f"), Cell::Count(24)]).unwrap();
        v.link_count(0, "Rejected", "rejected: f").unwrap();
        let mut r = Table::new(
            "Reasons",
            vec![Column::label("Reason"), Column::count("Rows")],
        )
        .unwrap();
        r.push_row(vec![Cell::text("bad date"), Cell::Count(17)])
            .unwrap();
        r.push_row(vec![Cell::text("bad code"), Cell::Count(7)])
            .unwrap();
        r.declare_population_total("rejected: f", "Rows", &[0, 1])
            .unwrap();
        (v, r)
    }

    #[test]
    fn a_sum_across_tables_is_protected_and_the_reason_recorded() {
        let (v, r) = validation();
        let mut rel = Release::new(Policy::default());
        let a = rel.clear(&v).unwrap();
        assert_eq!(a.formatted(0, 1).as_deref(), Some("24"));
        let b = rel.clear(&r).unwrap();
        assert_eq!(hidden(&b, 1, 1), Some(SuppressionReason::SmallCount));
        assert_eq!(hidden(&b, 0, 1), Some(SuppressionReason::Release));
        assert_eq!(b.summary().release, 1);
        assert!(rel.exposures().unwrap().is_empty());
        assert_eq!(rel.len(), 2);
    }

    /// Without secondary suppression the audit does not run, and
    /// `exposures` names the cell a reader can work out.
    #[test]
    fn exposures_name_the_cell_a_reader_can_work_out() {
        let (v, r) = validation();
        let p = Policy::default().with_secondary_suppression(SecondarySuppression::NotApplied);
        let mut rel = Release::new(p);
        rel.clear(&v).unwrap();
        let b = rel.clear(&r).unwrap();
        assert_eq!(b.formatted(0, 1).as_deref(), Some("17"));
        assert_eq!(
            rel.exposures().unwrap(),
            vec![Exposure {
                table: "Reasons".into(),
                row: 1,
                column: "Rows".into()
            }]
        );
    }

    /// 1:1 matching without replacement: the two groups' matched counts are
    /// equal, so two suppressed 7s beside a published total of 14 are each
    /// 14 / 2. The total is suppressed too.
    #[test]
    fn design_relations_pin_counts_and_are_audited() {
        let mut t = Table::new(
            "Matched",
            vec![Column::label("Group"), Column::count("Matched")],
        )
        .unwrap();
        for (g, n) in [("Programme", 7), ("Comparison", 7), ("Total", 14)] {
            t.push_row(vec![Cell::text(g), Cell::Count(n)]).unwrap();
        }
        t.declare_row_total(2, &[0, 1]).unwrap();
        for (a, b) in [(0, 1), (1, 0)] {
            t.relate(
                vec![
                    (1, RelationTerm::Cell(a, "Matched")),
                    (-1, RelationTerm::Cell(b, "Matched")),
                ],
                RelationKind::AtMost,
            )
            .unwrap();
        }
        let mut rel = Release::new(Policy::default());
        let c = rel.clear(&t).unwrap();
        assert_eq!(hidden(&c, 2, 1), Some(SuppressionReason::Release));
        assert!(rel.exposures().unwrap().is_empty());
        // The plain table, cleared alone, publishes the 14.
        assert_eq!(
            Policy::default()
                .apply(&t)
                .unwrap()
                .formatted(2, 1)
                .as_deref(),
            Some("14")
        );
    }

    /// A subset is at most the whole: every person is matched (15 + 12 =
    /// 27 in both columns), so once a matched bin is withheld the bounds
    /// `matched ≤ all` and the matched total pin both matched bins to the
    /// published all.
    #[test]
    fn an_ordering_bound_pins_a_count() {
        let mut t = Table::new(
            "Bins",
            vec![
                Column::label("Bin"),
                Column::count("All"),
                Column::count("Matched"),
            ],
        )
        .unwrap();
        for (b, a, m) in [("low", 15, 15), ("high", 12, 12), ("Total", 27, 27)] {
            t.push_row(vec![Cell::text(b), Cell::Count(a), Cell::Count(m)])
                .unwrap();
        }
        t.declare_row_total(2, &[0, 1]).unwrap();
        t.mark_confidential(1, 2).unwrap();
        // Alone, the line stage withholds the other matched bin, which the
        // subtraction 27 − 12 would give away, and stops there.
        let alone = Policy::default().apply(&t).unwrap();
        assert_eq!(hidden(&alone, 0, 2), Some(SuppressionReason::Complementary));
        assert_eq!(alone.formatted(2, 2).as_deref(), Some("27"));
        for b in 0..3 {
            t.declare_at_most((b, "Matched"), (b, "All")).unwrap();
        }
        let mut rel = Release::new(Policy::default());
        let c = rel.clear(&t).unwrap();
        assert!(rel.exposures().unwrap().is_empty());
        let extra = (0..3)
            .flat_map(|r| (1..3).map(move |col| (r, col)))
            .filter(|&(r, col)| hidden(&c, r, col) == Some(SuppressionReason::Release))
            .count();
        assert!(extra >= 1, "the audit withheld nothing more");
    }

    #[test]
    fn a_relation_that_does_not_hold_is_an_error() {
        let mut t = Table::new(
            "T",
            vec![Column::label("G"), Column::count("A"), Column::count("B")],
        )
        .unwrap();
        t.push_row(vec![Cell::text("g"), Cell::Count(30), Cell::Count(20)])
            .unwrap();
        t.declare_at_most((0, "A"), (0, "B")).unwrap();
        let e = Release::new(Policy::default())
            .clear(&t)
            .unwrap_err()
            .to_string();
        assert!(e.contains("relation"), "{e}");
    }
}
