//! Secondary (complementary) suppression over declared margins.
//!
//! A *line* is one additive equation of the table: a total cell and the cells
//! it sums (a row of a declared column total, or a count column of a declared
//! row total). The algorithm has two stages, repeated to a fixed point:
//!
//! 1. **Line stage.** While some line has exactly one suppressed cell, suppress
//!    the smallest non-zero unsuppressed *part* of that line (ties: the first
//!    in table order), or the line's total if no part qualifies, or failing
//!    both the first zero part (a line whose other cells are all zeros or
//!    already published elsewhere). At the fixed
//!    point every line has 0 or at least 2 suppressed cells, so no suppressed
//!    cell follows from one equation by subtraction.
//! 2. **Exact stage.** Lines with at least 2 suppressed cells can still be
//!    combined to isolate a cell (two protected blocks joined by one cell,
//!    e.g. the cell is a "bridge" in the row/column graph). The stage solves
//!    the system of all line equations in the suppressed unknowns (reduced row
//!    echelon form) and finds every suppressed cell whose value is uniquely
//!    determined. For the first one it suppresses the smallest non-zero cell
//!    sharing a line with it whose suppression removes that determination
//!    (or, if no single cell does, the smallest such neighbour; failing that
//!    the smallest non-zero unsuppressed cell of any line), then returns to
//!    stage 1.
//!
//! Every step suppresses one more cell, so the procedure ends. At the end no
//! suppressed non-zero cell's value is a linear consequence of the published
//! cells and the declared equations. It is greedy: it does not minimise the
//! cells or the total value suppressed, and it gives no protection *interval*
//! (see METHODS.md, "Disclosure control", §4).

use crate::error::{Error, Result};

use super::table::{ColumnKind, Table};

/// Pivot tolerance for the elimination; entries are small integers.
const TOL: f64 = 1e-9;

/// One additive equation: `total = sum(parts)`, over flat cell ids
/// (`row * n_columns + column`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub(crate) total: usize,
    pub(crate) parts: Vec<usize>,
}

impl Line {
    fn cells(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::once(self.total).chain(self.parts.iter().copied())
    }
}

/// Every line equation implied by the table's declared margins.
pub(crate) fn lines(table: &Table) -> Vec<Line> {
    let nc = table.columns().len();
    let mut out = Vec::new();
    for m in table.row_totals() {
        for (c, col) in table.columns().iter().enumerate() {
            if *col.kind() != ColumnKind::Count {
                continue;
            }
            out.push(Line {
                total: m.total() * nc + c,
                parts: m.parts().iter().map(|p| p * nc + c).collect(),
            });
        }
    }
    for m in table.column_totals() {
        for r in 0..table.n_rows() {
            out.push(Line {
                total: r * nc + m.total(),
                parts: m.parts().iter().map(|p| r * nc + p).collect(),
            });
        }
    }
    out
}

/// Run both stages from the primary pattern in `suppressed`; returns the
/// cells newly suppressed, in order. `values` holds the true counts by flat
/// id (0 where the cell is not a count).
///
/// # Errors
/// If a line with one suppressed cell has no non-zero cell left to suppress,
/// which only happens when the equations do not hold.
///
/// `locked` cells (published already, in a linked table) are never chosen:
/// suppressing them would protect nothing.
pub(crate) fn complete(
    values: &[u64],
    lines: &[Line],
    suppressed: &mut [bool],
    locked: &[bool],
) -> Result<Vec<usize>> {
    let mut added = Vec::new();
    loop {
        line_stage(values, lines, suppressed, locked, &mut added)?;
        let det = determined(values, lines, suppressed);
        let Some(&target) = det.first() else {
            return Ok(added);
        };
        let pick = breaker(values, lines, suppressed, locked, target).ok_or_else(|| {
            Error::numerical(
                "secondary suppression",
                "a suppressed cell can be derived from the totals but no cell is left to protect it",
            )
        })?;
        set(suppressed, pick)?;
        added.push(pick);
    }
}

fn set(suppressed: &mut [bool], id: usize) -> Result<()> {
    match suppressed.get_mut(id) {
        Some(s) => {
            *s = true;
            Ok(())
        }
        None => Err(Error::numerical(
            "secondary suppression",
            "a declared total refers to a cell outside the table",
        )),
    }
}

fn is_s(suppressed: &[bool], id: usize) -> bool {
    suppressed.get(id).copied().unwrap_or(false)
}

fn value(values: &[u64], id: usize) -> u64 {
    values.get(id).copied().unwrap_or(0)
}

fn line_stage(
    values: &[u64],
    lines: &[Line],
    suppressed: &mut [bool],
    locked: &[bool],
    added: &mut Vec<usize>,
) -> Result<()> {
    let free = |suppressed: &[bool], id: usize| {
        !is_s(suppressed, id) && !is_s(locked, id) && value(values, id) > 0
    };
    loop {
        let mut changed = false;
        for line in lines {
            let n = line.cells().filter(|&id| is_s(suppressed, id)).count();
            if n != 1 {
                continue;
            }
            let smallest_part = line
                .parts
                .iter()
                .copied()
                .filter(|&id| free(suppressed, id))
                .min_by_key(|&id| (value(values, id), id));
            // Failing a non-zero cell, a zero part: suppressing it hides
            // nothing by itself but leaves the line with two unknowns.
            let zero_part = || {
                line.parts.iter().copied().find(|&id| {
                    !is_s(suppressed, id) && !is_s(locked, id) && value(values, id) == 0
                })
            };
            let pick = smallest_part
                .or_else(|| free(suppressed, line.total).then_some(line.total))
                .or_else(zero_part);
            let Some(pick) = pick else {
                let why = if line.cells().any(|id| is_s(locked, id)) {
                    "a suppressed cell could be worked out from counts already published in a \
                     linked table, and no other cell of its line is left to protect it"
                } else {
                    "a line with one suppressed cell has no non-zero cell to suppress with it; \
                     the declared totals do not add up"
                };
                return Err(Error::numerical("secondary suppression", why));
            };
            set(suppressed, pick)?;
            added.push(pick);
            changed = true;
        }
        if !changed {
            return Ok(());
        }
    }
}

/// A cell to suppress so that `target` is no longer determined.
fn breaker(
    values: &[u64],
    lines: &[Line],
    suppressed: &[bool],
    locked: &[bool],
    target: usize,
) -> Option<usize> {
    let eligible = |id: usize| !is_s(suppressed, id) && !is_s(locked, id) && value(values, id) > 0;
    let mut near: Vec<usize> = lines
        .iter()
        .filter(|l| l.cells().any(|id| id == target))
        .flat_map(|l| l.cells())
        .filter(|&id| eligible(id))
        .collect();
    near.sort_by_key(|&id| (value(values, id), id));
    near.dedup();
    let mut trial = suppressed.to_vec();
    for &c in &near {
        if let Some(slot) = trial.get_mut(c) {
            *slot = true;
        }
        let still = determined(values, lines, &trial).contains(&target);
        if let Some(slot) = trial.get_mut(c) {
            *slot = false;
        }
        if !still {
            return Some(c);
        }
    }
    if let Some(&c) = near.first() {
        return Some(c);
    }
    let mut far: Vec<usize> = lines
        .iter()
        .flat_map(|l| l.cells())
        .filter(|&id| eligible(id))
        .collect();
    far.sort_by_key(|&id| (value(values, id), id));
    far.first().copied()
}

/// Suppressed non-zero cells whose value is uniquely determined by the
/// published cells and the line equations, in ascending id order.
pub(crate) fn determined(values: &[u64], lines: &[Line], suppressed: &[bool]) -> Vec<usize> {
    // Unknowns: suppressed cells appearing in at least one line.
    let mut unknowns: Vec<usize> = lines
        .iter()
        .flat_map(|l| l.cells())
        .filter(|&id| is_s(suppressed, id))
        .collect();
    unknowns.sort_unstable();
    unknowns.dedup();
    if unknowns.is_empty() {
        return Vec::new();
    }
    let col_of = |id: usize| unknowns.binary_search(&id).ok();
    let k = unknowns.len();
    let mut m: Vec<Vec<f64>> = Vec::new();
    for line in lines {
        let mut row = vec![0.0; k];
        let mut any = false;
        if let Some(j) = col_of(line.total) {
            row[j] += 1.0;
            any = true;
        }
        for &p in &line.parts {
            if let Some(j) = col_of(p) {
                row[j] -= 1.0;
                any = true;
            }
        }
        if any {
            m.push(row);
        }
    }
    let pivots = rref(&mut m, k);
    let is_pivot: Vec<bool> = {
        let mut v = vec![false; k];
        for &(_, c) in &pivots {
            v[c] = true;
        }
        v
    };
    let mut out = Vec::new();
    for &(r, c) in &pivots {
        let row = &m[r];
        let free_entries = (0..k).any(|f| !is_pivot[f] && row[f].abs() > TOL);
        if !free_entries && value(values, unknowns[c]) > 0 {
            out.push(unknowns[c]);
        }
    }
    out.sort_unstable();
    out
}

/// Reduce `m` (rows of length `k`) to reduced row echelon form in place;
/// returns (row, column) of each pivot.
fn rref(m: &mut [Vec<f64>], k: usize) -> Vec<(usize, usize)> {
    let mut pivots = Vec::new();
    let mut r = 0;
    for c in 0..k {
        if r >= m.len() {
            break;
        }
        let Some(best) = (r..m.len()).max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs()))
        else {
            break;
        };
        if m[best][c].abs() <= TOL {
            continue;
        }
        m.swap(r, best);
        let p = m[r][c];
        for x in m[r].iter_mut() {
            *x /= p;
        }
        let pivot_row = m[r].clone();
        for (i, row) in m.iter_mut().enumerate() {
            if i == r {
                continue;
            }
            let f = row[c];
            if f.abs() > TOL {
                for (x, y) in row.iter_mut().zip(&pivot_row) {
                    *x -= f * y;
                }
                row[c] = 0.0;
            }
        }
        pivots.push((r, c));
        r += 1;
    }
    pivots
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines of an `r` x `c` body with a total column and a total row, over a
    /// grid of `(r+1)` x `(c+1)` flat cells.
    fn grid_lines(r: usize, c: usize) -> Vec<Line> {
        let nc = c + 1;
        let mut out = Vec::new();
        for i in 0..=r {
            out.push(Line {
                total: i * nc + c,
                parts: (0..c).map(|j| i * nc + j).collect(),
            });
        }
        for j in 0..=c {
            out.push(Line {
                total: r * nc + j,
                parts: (0..r).map(|i| i * nc + j).collect(),
            });
        }
        out
    }

    #[test]
    fn two_by_two_cycle_is_not_determined() {
        let lines = grid_lines(3, 3);
        let values = vec![1u64; 16];
        let mut s = vec![false; 16];
        for id in [0, 1, 4, 5] {
            s[id] = true;
        }
        assert!(determined(&values, &lines, &s).is_empty());
    }

    #[test]
    fn lone_cell_is_determined() {
        let lines = grid_lines(2, 2);
        let values = vec![1u64; 9];
        let mut s = vec![false; 9];
        s[0] = true;
        assert_eq!(determined(&values, &lines, &s), vec![0]);
    }

    /// Two 2x2 blocks joined by one cell: every line has 0 or >= 2 suppressed
    /// cells, yet the joining cell (row 1, column 2) is determined.
    #[test]
    fn bridge_cell_is_determined_although_every_line_has_two() {
        let lines = grid_lines(4, 4);
        let nc = 5;
        let values = vec![5u64; 25];
        let mut s = vec![false; 25];
        for (i, j) in [
            (0, 0),
            (0, 1),
            (1, 0),
            (1, 1),
            (2, 2),
            (2, 3),
            (3, 2),
            (3, 3),
            (1, 2),
        ] {
            s[i * nc + j] = true;
        }
        for l in &lines {
            let k = l.cells().filter(|&id| s[id]).count();
            assert_ne!(k, 1);
        }
        assert_eq!(determined(&values, &lines, &s), vec![nc + 2]);
        let added = complete(&values, &lines, &mut s, &[]).unwrap();
        assert!(!added.is_empty());
        assert!(determined(&values, &lines, &s).is_empty());
    }

    #[test]
    fn line_stage_pairs_a_lone_cell() {
        // 2x2 body + margins: values
        // 3 12 | 15
        // 15 18| 33
        // 18 30| 48
        let values = vec![3, 12, 15, 15, 18, 33, 18, 30, 48];
        let lines = grid_lines(2, 2);
        let mut s = vec![false; 9];
        s[0] = true;
        let added = complete(&values, &lines, &mut s, &[]).unwrap();
        assert_eq!(added, vec![1, 3, 4]);
    }
}
