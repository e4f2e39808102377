//! The triangular factor `R` of a tall matrix's QR decomposition, streamed.
//!
//! `R` of an `n × q` matrix `A` (`A = QR`, `Q` orthonormal) is found block by
//! block: the rows are cut into fixed segments, each segment is reduced by
//! Householder reflections a block of rows at a time (the segment's `R` so far
//! stacked on the next block), and the segments' factors are stacked and
//! reduced the same way, in order. Every step is an orthogonal transformation,
//! so the result is the `R` of Householder QR of the whole matrix (rows signed
//! as Householder signs them), with the same backward stability; what it saves
//! is the `n × q` working copy (a block is a few hundred kilobytes) and a pass
//! over memory per column. Segments are reduced in parallel; the segment
//! size is fixed, so the arithmetic, and the result to the last bit, do not
//! depend on the number of threads.
//!
//! Appending `√w z` as a last column to `√W X` gives, in `R`'s last column,
//! `Q'√W z` above the residual norm: one pass solves a weighted least-squares
//! problem (`β = R⁻¹ Q'√W z`, see METHODS.md, "Binomial GLM").

use rayon::prelude::*;

/// Rows reduced at a time (the block and the `R` above it stay in cache).
const BLOCK_ROWS: usize = 2048;
/// Rows per segment reduced independently (fixed, for thread-independent results).
const SEGMENT_ROWS: usize = 1 << 16;

/// An upper-triangular factor being accumulated: `rows` valid rows of a
/// `q × q` column-major matrix.
#[derive(Debug, Clone)]
struct Triangle {
    q: usize,
    rows: usize,
    r: Vec<f64>,
    work: Vec<f64>,
}

impl Triangle {
    fn new(q: usize) -> Self {
        Triangle {
            q,
            rows: 0,
            r: vec![0.0; q * q],
            work: Vec::new(),
        }
    }

    /// Stacks `b` new rows, given column by column by `fill(column, out)`,
    /// under the factor so far and reduces the stack to triangular form.
    fn absorb(&mut self, b: usize, mut fill: impl FnMut(usize, &mut [f64])) {
        if b == 0 {
            return;
        }
        let q = self.q;
        let k = self.rows;
        let m = k + b;
        self.work.clear();
        self.work.resize(m * q, 0.0);
        for c in 0..q {
            let col = &mut self.work[c * m..(c + 1) * m];
            col[..k].copy_from_slice(&self.r[c * q..c * q + k]);
            fill(c, &mut col[k..]);
        }
        householder_triangularise(&mut self.work, m, q);
        let rows = m.min(q);
        for c in 0..q {
            for i in 0..q {
                self.r[c * q + i] = if i <= c && i < rows {
                    self.work[c * m + i]
                } else {
                    0.0
                };
            }
        }
        self.rows = rows;
    }
}

/// Reduces the `m × q` column-major `a` in place by Householder reflections:
/// afterwards its upper triangle (first `min(m, q)` rows) is `R`. Below the
/// diagonal is left what the reflections leave; callers read only `R`.
fn householder_triangularise(a: &mut [f64], m: usize, q: usize) {
    for j in 0..q.min(m) {
        let (left, right) = a.split_at_mut((j + 1) * m);
        let v = &mut left[j * m + j..];
        let norm = scaled_norm(v);
        if norm == 0.0 {
            continue;
        }
        let x0 = v[0];
        let alpha = if x0 >= 0.0 { -norm } else { norm };
        // v = x - alpha e1; H = I - v v' / (norm (norm + |x0|)).
        v[0] = x0 - alpha;
        let tau = 1.0 / (norm * (norm + x0.abs()));
        for col in right.chunks_exact_mut(m) {
            let tail = &mut col[j..];
            let s = tau * dot(v, tail);
            for (t, vi) in tail.iter_mut().zip(v.iter()) {
                *t -= s * vi;
            }
        }
        v[0] = alpha;
    }
}

/// Dot product in four interleaved partial sums (vectorisable, and the
/// same order of operations on every run).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (ca, ra) = a.split_at(a.len() - a.len() % 4);
    let (cb, rb) = b.split_at(ca.len());
    for (x, y) in ca.chunks_exact(4).zip(cb.chunks_exact(4)) {
        for l in 0..4 {
            acc[l] += x[l] * y[l];
        }
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// Euclidean norm, scaled by the largest magnitude so that it cannot overflow.
fn scaled_norm(x: &[f64]) -> f64 {
    let scale = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if scale == 0.0 || !scale.is_finite() {
        return scale;
    }
    let inv = 1.0 / scale;
    let mut acc = [0.0f64; 4];
    let (c, r) = x.split_at(x.len() - x.len() % 4);
    for ch in c.chunks_exact(4) {
        for l in 0..4 {
            let v = ch[l] * inv;
            acc[l] += v * v;
        }
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for v in r {
        let v = v * inv;
        s += v * v;
    }
    scale * s.sqrt()
}

/// The `q × q` upper-triangular factor `R` (column-major, zeros below the
/// diagonal) of the `n × q` matrix whose column `c` is `columns[c]`, each
/// row multiplied by `weights[i]` when given. Rows beyond `min(n, q)` of `R`
/// are zero.
///
/// Every column (and `weights`) must have the same length.
pub(crate) fn r_factor(columns: &[&[f64]], weights: Option<&[f64]>) -> Vec<f64> {
    let q = columns.len();
    let n = columns.first().map_or(0, |c| c.len());
    debug_assert!(columns.iter().all(|c| c.len() == n));
    debug_assert!(weights.is_none_or(|w| w.len() == n));
    let segments: Vec<Triangle> = (0..n.div_ceil(SEGMENT_ROWS))
        .into_par_iter()
        .map(|s| {
            let mut t = Triangle::new(q);
            let end = ((s + 1) * SEGMENT_ROWS).min(n);
            let mut start = s * SEGMENT_ROWS;
            while start < end {
                let stop = (start + BLOCK_ROWS).min(end);
                t.absorb(stop - start, |c, out| {
                    let x = &columns[c][start..stop];
                    match weights {
                        Some(w) => {
                            for ((o, xi), wi) in out.iter_mut().zip(x).zip(&w[start..stop]) {
                                *o = xi * wi;
                            }
                        }
                        None => out.copy_from_slice(x),
                    }
                });
                start = stop;
            }
            t
        })
        .collect();
    let mut total = Triangle::new(q);
    for s in &segments {
        total.absorb(s.rows, |c, out| {
            out.copy_from_slice(&s.r[c * q..c * q + s.rows]);
        });
    }
    total.r
}

/// The first of the first `p` columns of the `q × q` factor `r` (from
/// [`r_factor`]) that is (numerically) a linear combination of the columns
/// before it: `|R_jj|`, the norm of what remains of column `j` after the
/// earlier columns, is NaN or at most `tolerance` × the column's own norm
/// (that of `R`'s column `j`, since `Q` is orthogonal). R's `dqrdc2` rule.
pub(crate) fn first_dependent(r: &[f64], q: usize, p: usize, tolerance: f64) -> Option<usize> {
    (0..p.min(q)).find(|&j| {
        let norm = r[j * q..=j * q + j]
            .iter()
            .map(|v| v * v)
            .sum::<f64>()
            .sqrt();
        let diag = r[j * q + j].abs();
        diag.is_nan() || diag <= tolerance * norm.max(f64::MIN_POSITIVE)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::DMatrix;

    /// A seeded, awkwardly scaled tall matrix.
    fn matrix(n: usize, q: usize) -> Vec<Vec<f64>> {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..q)
            .map(|c| {
                (0..n)
                    .map(|_| {
                        let u = next();
                        match c {
                            0 => 1.0,
                            1 => 1e4 * u,
                            2 => f64::from(u8::from(u < 0.3)),
                            _ => u - 0.5,
                        }
                    })
                    .collect()
            })
            .collect()
    }

    /// `R` agrees with nalgebra's Householder QR of the whole matrix, row
    /// by row up to sign, across block and segment boundaries.
    #[test]
    fn agrees_with_one_householder_qr() {
        for &(n, q) in &[
            (5usize, 3usize),
            (3, 5),
            (2049, 4),
            (70_000, 6),
            (131_073, 5),
        ] {
            let cols = matrix(n, q);
            let w: Vec<f64> = (0..n).map(|i| 0.5 + (i % 7) as f64 / 7.0).collect();
            let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
            let r = r_factor(&refs, Some(&w));
            let a = DMatrix::from_fn(n, q, |i, j| cols[j][i] * w[i]);
            let expect = a.qr().r();
            for i in 0..expect.nrows() {
                let sign = if (r[i * q + i] >= 0.0) == (expect[(i, i)] >= 0.0) {
                    1.0
                } else {
                    -1.0
                };
                for j in 0..q {
                    let want = expect[(i, j)];
                    let got = sign * r[j * q + i];
                    let scale = expect.column(j).norm();
                    assert!(
                        (got - want).abs() <= 1e-12 * scale,
                        "n {n}, q {q}, R[{i},{j}]: {got} vs {want}"
                    );
                }
            }
            for i in expect.nrows()..q {
                for j in 0..q {
                    assert_eq!(r[j * q + i], 0.0);
                }
            }
        }
    }

    #[test]
    fn zero_and_dependent_columns_leave_zero_diagonal() {
        let n = 5000;
        let x: Vec<f64> = (0..n).map(|i| (i % 13) as f64).collect();
        let twice: Vec<f64> = x.iter().map(|v| 2.0 * v).collect();
        let zero = vec![0.0; n];
        let ones = vec![1.0; n];
        let r = r_factor(&[&ones, &x, &twice, &zero], None);
        let q = 4;
        assert!(r[2 * q + 2].abs() < 1e-9 * twice.iter().map(|v| v * v).sum::<f64>().sqrt());
        assert_eq!(r[3 * q + 3], 0.0);
        assert_eq!(first_dependent(&r, q, 2, 1e-7), None);
        assert_eq!(first_dependent(&r, q, q, 1e-7), Some(2));
        assert!((r[0].abs() - (n as f64).sqrt()).abs() < 1e-9);
    }

    #[test]
    fn empty_input_is_zero() {
        let empty: [&[f64]; 2] = [&[], &[]];
        assert_eq!(r_factor(&empty, None), vec![0.0; 4]);
    }
}
