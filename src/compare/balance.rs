//! Covariate balance tables, as MatchIt 4.5.1's `summary.matchit()` (estimand
//! ATT, `standardize = TRUE`), with cobalt's pooled-SD standardised mean
//! difference alongside.
//!
//! For each variable (the distance first, then each covariate; a categorical
//! covariate contributes one 0/1 row per level):
//! * means of the treated and control groups, weighted by the matching weights;
//! * `smd_treated_sd` (MatchIt): `(mean_t - mean_c) / s_t`, where `s_t` is the SD
//!   of the **treated group in the full sample** (`n - 1`; `sqrt(p(1 - p))` for a
//!   0/1 variable), the same denominator before and after matching;
//! * `smd_pooled_sd` (cobalt `s.d.denom = "pooled"`): the same difference over
//!   `sqrt((s_t² + s_c²) / 2)` with full-sample group SDs;
//! * variance ratio `var_t / var_c` (weighted, reliability weights), non-binary only;
//! * eCDF mean and max: the mean and max of `|F_t(x) - F_c(x)|` over every
//!   distinct value of the full sample (unmatched units weight 0); `|p_t - p_c|`
//!   for a 0/1 variable;
//! * after matching, MatchIt's standardised pair distance: the mean over matched
//!   pairs of `|x_t - x_c|`, divided by `s_t`.

use std::borrow::Cow;

use rayon::prelude::*;

use super::design::{distinct_sorted, level_codes, Covariate, CovariateValues};
use super::matching::{from_order_key, order_key, Matching};
use crate::error::{Error, Result};

/// Which sample a balance table describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sample {
    /// All units, unweighted (`summary()`'s "All Data").
    All,
    /// The matched sample, with matching weights ("Matched Data").
    Matched,
}

/// What kind of variable a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableKind {
    /// The matching distance (propensity score).
    Distance,
    /// A 0/1 variable (including a level of a categorical covariate).
    Binary,
    /// Any other numeric variable.
    Continuous,
}

/// One row of a balance table.
#[derive(Debug, Clone, PartialEq)]
pub struct BalanceRow {
    /// `distance`, the covariate name, or covariate name + level (`racehispan`).
    pub name: String,
    /// Kind of variable.
    pub kind: VariableKind,
    /// Mean in the treated group.
    pub mean_treated: f64,
    /// Mean in the control group.
    pub mean_control: f64,
    /// MatchIt's SMD (treated-group SD of the full sample). `None` if both groups
    /// have fewer than two units with weight. When the mean difference is below
    /// `sqrt(machine epsilon)` this is the raw difference, as MatchIt reports it.
    pub smd_treated_sd: Option<f64>,
    /// cobalt's SMD with the pooled SD `sqrt((s_t² + s_c²)/2)` of the full sample;
    /// `None` if that SD is 0.
    pub smd_pooled_sd: Option<f64>,
    /// `var_t / var_c`; `None` for binary variables or when undefined.
    pub variance_ratio: Option<f64>,
    /// Mean absolute eCDF difference.
    pub ecdf_mean: Option<f64>,
    /// Maximum absolute eCDF difference.
    pub ecdf_max: Option<f64>,
    /// MatchIt's "Std. Pair Dist." (matched sample only).
    pub std_pair_distance: Option<f64>,
}

/// A balance table.
#[derive(Debug, Clone, PartialEq)]
pub struct BalanceTable {
    /// Which sample.
    pub sample: Sample,
    /// Rows: the distance (if given) then covariates.
    pub rows: Vec<BalanceRow>,
}

impl BalanceTable {
    /// The row of a variable by name.
    pub fn row(&self, name: &str) -> Option<&BalanceRow> {
        self.rows.iter().find(|r| r.name == name)
    }
}

/// Balance before and after matching.
#[derive(Debug, Clone, PartialEq)]
pub struct BalanceReport {
    /// All data, unweighted.
    pub before: BalanceTable,
    /// Matched data (absent if no matching was given).
    pub after: Option<BalanceTable>,
}

/// One group's weighted moments of a variable, as MatchIt's `wm` and `wvar`
/// compute them: each sum runs over the group's rows in row order, as
/// `Iterator::sum` would (from `-0.0`).
#[derive(Debug, Clone, Copy)]
struct Moments {
    /// Sum of the weights.
    sw: f64,
    /// Rows with a non-zero weight.
    nonzero: usize,
    /// `wm`: `sum(x w) / sum(w)`.
    mean: f64,
    /// `wvar` of a 0/1 variable: `p (1 - p)` with `p = sum(x w / sum(w))`.
    var_binary: f64,
    /// `wvar` otherwise: `sum(b (x - p)^2) / (1 - sum(b^2))`, `b = w / sum(w)`.
    var: f64,
}

/// Both groups' [`Moments`] (control first) under the weights `w` (1 where
/// none are given), in three passes over the rows.
fn moments(x: &[f64], treated: &[bool], w: Option<&[f64]>) -> [Moments; 2] {
    let weight = |i: usize| w.map_or(1.0, |w| w[i]);
    let (mut sw, mut sxw, mut nonzero) = ([-0.0f64; 2], [-0.0f64; 2], [0usize; 2]);
    for (i, (&xi, &t)) in x.iter().zip(treated).enumerate() {
        let (g, wi) = (usize::from(t), weight(i));
        sw[g] += wi;
        sxw[g] += xi * wi;
        nonzero[g] += usize::from(wi != 0.0);
    }
    let (mut mx, mut sb2) = ([-0.0f64; 2], [-0.0f64; 2]);
    for (i, (&xi, &t)) in x.iter().zip(treated).enumerate() {
        let g = usize::from(t);
        let b = weight(i) / sw[g];
        mx[g] += xi * b;
        sb2[g] += b * b;
    }
    let mut ss = [-0.0f64; 2];
    for (i, (&xi, &t)) in x.iter().zip(treated).enumerate() {
        let g = usize::from(t);
        let b = weight(i) / sw[g];
        ss[g] += b * (xi - mx[g]) * (xi - mx[g]);
    }
    [0, 1].map(|g| Moments {
        sw: sw[g],
        nonzero: nonzero[g],
        mean: sxw[g] / sw[g],
        var_binary: mx[g] * (1.0 - mx[g]),
        var: ss[g] / (1.0 - sb2[g]),
    })
}

impl Moments {
    fn wvar(&self, binary: bool) -> f64 {
        if binary {
            self.var_binary
        } else {
            self.var
        }
    }
}

/// MatchIt's `pooled_sd` with unit sampling weights (proportional contribution),
/// the fallback when the treated SD is 0.
fn pooled_sd_fallback(x: &[f64], treated: &[bool], binary: bool) -> f64 {
    let n = x.len() as f64;
    let mut v = 0.0;
    if binary {
        for g in [true, false] {
            let (sx, ni) = x
                .iter()
                .zip(treated)
                .filter(|(_, &t)| t == g)
                .fold((0.0, 0.0), |(s, k), (a, _)| (s + a, k + 1.0));
            if ni > 0.0 {
                v += sx * (1.0 - sx / ni) / n;
            }
        }
    } else {
        let mut ss = 0.0;
        for g in [true, false] {
            let xs: Vec<f64> = x
                .iter()
                .zip(treated)
                .filter(|(_, &t)| t == g)
                .map(|(a, _)| *a)
                .collect();
            if xs.is_empty() {
                continue;
            }
            let m = xs.iter().sum::<f64>() / xs.len() as f64;
            ss += xs.iter().map(|a| (a - m) * (a - m)).sum::<f64>();
        }
        v = ss / n / (1.0 - 1.0 / n);
    }
    v.sqrt()
}

/// The rows of `x` in eCDF order, ties in row order (the order of a stable
/// sort of the rows by value), as keys that sort as `(value, row)` do: the
/// value's bits mapped to an order-preserving integer in the high half and
/// the row in the low half. Sorting the keys (distinct, so the order is
/// unique) keeps each value beside its row, without chasing rows.
fn ecdf_order(x: &[f64]) -> Vec<u128> {
    let mut keys: Vec<u128> = x
        .iter()
        .zip(0u64..)
        .map(|(v, i)| (u128::from(order_key(*v)) << 64) | u128::from(i))
        .collect();
    keys.sort_unstable();
    keys
}

/// The value and row of an [`ecdf_order`] key.
fn key_parts(key: u128) -> (f64, usize) {
    (from_order_key((key >> 64) as u64), key as u64 as usize)
}

/// MatchIt's `qqsum(standardize = TRUE)`: eCDF differences over the
/// full-sample grid, reading the rows in `order` (from [`ecdf_order`]).
/// `totals` are the treated and control groups' sums of weights.
fn ecdf_stats(
    order: &[u128],
    treated: &[bool],
    w: Option<&[f64]>,
    (s1, s0): (f64, f64),
) -> (f64, f64) {
    let weight = |i: usize| w.map_or(1.0, |w| w[i]);
    let Some(&k0) = order.first() else {
        return (f64::NAN, 0.0);
    };
    let first = treated[key_parts(k0).1];
    let mut cum = 0.0;
    let (mut sum, mut runs, mut max) = (0.0, 0usize, 0.0f64);
    for (k, &key) in order.iter().enumerate() {
        let (xi, i) = key_parts(key);
        let wi = if treated[i] {
            weight(i) / s1
        } else {
            weight(i) / s0
        };
        cum += if treated[i] == first { -wi } else { wi };
        let last_of_run = order.get(k + 1).is_none_or(|&next| key_parts(next).0 != xi);
        if last_of_run {
            let d: f64 = cum.abs();
            sum += d;
            runs += 1;
            max = max.max(d);
        }
    }
    (sum / runs as f64, max)
}

fn some_finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// The pairs (treated row, control row) of a matching.
fn pairs(m: &Matching) -> Vec<(usize, usize)> {
    m.sets
        .iter()
        .flat_map(|s| s.controls.iter().map(move |&c| (s.treated, c)))
        .collect()
}

/// What both tables' rows of one variable share.
struct Variable<'a> {
    name: &'a str,
    kind: VariableKind,
    x: &'a [f64],
    treated: &'a [bool],
    /// The variable's [`ecdf_order`]; `None` for a 0/1 variable.
    order: Option<Vec<u128>>,
    /// The groups' unweighted moments (the full-sample SDs).
    unit: [Moments; 2],
}

/// One variable's row in one table, with the `weighted` moments of that
/// table's sample.
fn row(v: &Variable<'_>, matching: Option<&Matching>, weighted: &[Moments; 2]) -> BalanceRow {
    let Variable {
        name,
        kind,
        x,
        treated,
        ref order,
        ref unit,
    } = *v;
    let order = order.as_deref();
    let name = name.to_string();
    let binary = order.is_none();
    let w: Option<&[f64]> = matching.map(|m| m.weights.as_slice());
    let [c, t] = *weighted;
    let too_small = t.nonzero < 2 && c.nonzero < 2;
    let mdiff = t.mean - c.mean;
    // Full-sample (unweighted) SDs for the denominators.
    let s_t = unit[1].wvar(binary).sqrt();
    let s_c = unit[0].wvar(binary).sqrt();
    let std = if s_t.is_finite() && s_t >= f64::EPSILON.sqrt() {
        s_t
    } else {
        pooled_sd_fallback(x, treated, binary)
    };
    let pair_mean = matching.and_then(|m| {
        let p = pairs(m);
        some_finite(p.iter().map(|&(t, c)| (x[t] - x[c]).abs()).sum::<f64>() / p.len() as f64)
    });
    let (smd_treated_sd, std_pair_distance) = if mdiff.abs() > f64::EPSILON.sqrt() {
        if too_small {
            (None, None)
        } else {
            let pd = pair_mean.map(|pm| if pm.abs() > 1e-8 { pm / std } else { pm });
            (some_finite(mdiff / std), pd.and_then(some_finite))
        }
    } else {
        (Some(mdiff), pair_mean)
    };
    let pooled = ((s_t * s_t + s_c * s_c) / 2.0).sqrt();
    let smd_pooled_sd = if pooled > 0.0 {
        some_finite(mdiff / pooled)
    } else {
        None
    };
    let (variance_ratio, ecdf_mean, ecdf_max) = match order {
        None => (None, Some(mdiff.abs()), Some(mdiff.abs())),
        Some(_) if too_small => (None, None, None),
        Some(order) => {
            let vr = t.var / c.var;
            let (em, ex) = ecdf_stats(order, treated, w, (t.sw, c.sw));
            (some_finite(vr), some_finite(em), some_finite(ex))
        }
    };
    BalanceRow {
        name,
        kind: if kind == VariableKind::Distance {
            kind
        } else if binary {
            VariableKind::Binary
        } else {
            VariableKind::Continuous
        },
        mean_treated: t.mean,
        mean_control: c.mean,
        smd_treated_sd,
        smd_pooled_sd,
        variance_ratio,
        ecdf_mean,
        ecdf_max,
        std_pair_distance,
    }
}

/// A variable's values: a column, or one level of a categorical covariate
/// (1 where the row's level code is `level`).
#[derive(Clone, Copy)]
enum Values<'a> {
    Column(&'a [f64]),
    Level { codes: &'a [u32], level: u32 },
}

/// Both tables' rows of one variable: before matching and, given a
/// matching, after. A non-binary variable is sorted once, for both.
fn variable_rows(
    name: &str,
    kind: VariableKind,
    x: &[f64],
    treated: &[bool],
    matching: Option<&Matching>,
) -> (BalanceRow, Option<BalanceRow>) {
    let binary = x.iter().all(|&v| v == 0.0 || v == 1.0);
    let v = Variable {
        name,
        kind,
        x,
        treated,
        order: (!binary).then(|| ecdf_order(x)),
        unit: moments(x, treated, None),
    };
    let before = row(&v, None, &v.unit);
    let after = matching.map(|m| row(&v, Some(m), &moments(x, treated, Some(&m.weights))));
    (before, after)
}

/// The balance tables, the variables' rows computed in parallel (each
/// row's arithmetic is its own, so the result does not depend on threads).
fn tables(
    covariates: &[Covariate],
    treated: &[bool],
    distance: Option<&[f64]>,
    matching: Option<&Matching>,
) -> (BalanceTable, Option<BalanceTable>) {
    // A categorical covariate's rows are its levels' 0/1 columns, each made
    // from the rows' level codes when its rows are computed (not all at once).
    let coded: Vec<Option<(Vec<String>, Vec<u32>)>> = covariates
        .iter()
        .map(|c| match c.values() {
            CovariateValues::Numeric(_) => None,
            CovariateValues::Categorical { values, .. } => {
                let levels = distinct_sorted(values);
                let codes = level_codes(values, &levels);
                Some((levels, codes))
            }
        })
        .collect();
    let mut variables: Vec<(String, VariableKind, Values<'_>)> = Vec::new();
    if let Some(d) = distance {
        variables.push((
            "distance".to_string(),
            VariableKind::Distance,
            Values::Column(d),
        ));
    }
    for (c, coded) in covariates.iter().zip(&coded) {
        match (c.values(), coded) {
            (CovariateValues::Numeric(v), _) => {
                variables.push((
                    c.name().to_string(),
                    VariableKind::Continuous,
                    Values::Column(v),
                ));
            }
            (_, Some((levels, codes))) => {
                for (k, lev) in levels.iter().enumerate() {
                    variables.push((
                        format!("{}{}", c.name(), lev),
                        VariableKind::Continuous,
                        Values::Level {
                            codes,
                            level: k as u32,
                        },
                    ));
                }
            }
            (_, None) => {}
        }
    }
    let rows: Vec<(BalanceRow, Option<BalanceRow>)> = variables
        .par_iter()
        .map(|(name, kind, values)| {
            let x: Cow<'_, [f64]> = match *values {
                Values::Column(x) => Cow::Borrowed(x),
                Values::Level { codes, level } => Cow::Owned(
                    codes
                        .iter()
                        .map(|&c| if c == level { 1.0 } else { 0.0 })
                        .collect(),
                ),
            };
            variable_rows(name, *kind, &x, treated, matching)
        })
        .collect();
    let (before, after): (Vec<BalanceRow>, Vec<Option<BalanceRow>>) = rows.into_iter().unzip();
    (
        BalanceTable {
            sample: Sample::All,
            rows: before,
        },
        matching.map(|_| BalanceTable {
            sample: Sample::Matched,
            rows: after.into_iter().flatten().collect(),
        }),
    )
}

/// Balance of `covariates` (and optionally the `distance`) between the groups,
/// before matching and, if `matching` is given, after.
///
/// # Errors
/// * [`Error::invalid_parameter`] if lengths differ;
/// * [`Error::insufficient_data`] if either group is empty, or the matching has
///   no matched units in a group;
/// * [`Error::invalid_value`] for a non-finite covariate or distance value.
pub fn balance(
    covariates: &[Covariate],
    treated: &[bool],
    distance: Option<&[f64]>,
    matching: Option<&Matching>,
) -> Result<BalanceReport> {
    let n = treated.len();
    let n1 = treated.iter().filter(|&&t| t).count();
    if n1 == 0 || n1 == n {
        return Err(Error::insufficient_data(
            "balance table",
            "both a treated and a control group are needed",
        ));
    }
    for c in covariates {
        if c.len() != n {
            return Err(Error::invalid_parameter(
                format!("covariate `{}`", c.name()),
                format!("{} rows", c.len()),
                format!("must have {n} rows, as the treatment"),
            ));
        }
        c.check_finite("balance table")?;
        if let CovariateValues::Categorical { .. } = c.values() {
            // all levels shown; nothing to check
        }
    }
    if let Some(d) = distance {
        Covariate::numeric("distance", d.to_vec()).check_finite("balance table")?;
        if d.len() != n {
            return Err(Error::invalid_parameter(
                "distance",
                format!("{} rows", d.len()),
                format!("must have {n} rows"),
            ));
        }
    }
    if let Some(m) = matching {
        if m.weights.len() != n {
            return Err(Error::invalid_parameter(
                "matching",
                format!("{} rows", m.weights.len()),
                format!("must have {n} rows"),
            ));
        }
        if m.counts.treated.matched == 0 || m.counts.control.matched == 0 {
            return Err(Error::insufficient_data(
                "balance table",
                "the matching has no matched units in a group",
            ));
        }
    }
    let (before, after) = tables(covariates, treated, distance, matching);
    Ok(BalanceReport { before, after })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdf_on_small_example() {
        // Treated {1, 2}, control {2, 3}: grid 1,2,3: F_t = .5,1,1; F_c = 0,.5,1.
        let x = [1.0, 2.0, 2.0, 3.0];
        let t = [true, true, false, false];
        let (mean, max) = ecdf_stats(&ecdf_order(&x), &t, None, (2.0, 2.0));
        assert!((mean - (0.5 + 0.5 + 0.0) / 3.0).abs() < 1e-15);
        assert!((max - 0.5).abs() < 1e-15);
    }

    /// The keys sort as `f64::total_cmp` then row, and give back value and row.
    #[test]
    fn ecdf_keys_keep_value_and_row_order() {
        let x = [2.5, -0.0, 0.0, -3.0, 2.5, f64::MIN_POSITIVE, -1e300, 1e300];
        let mut expect: Vec<(f64, usize)> = x.iter().copied().zip(0..).collect();
        expect.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let got: Vec<(f64, usize)> = ecdf_order(&x).into_iter().map(key_parts).collect();
        assert_eq!(got.len(), expect.len());
        for (g, e) in got.iter().zip(&expect) {
            assert_eq!(g.0.to_bits(), e.0.to_bits());
            assert_eq!(g.1, e.1);
        }
    }

    #[test]
    fn binary_row_uses_p_one_minus_p() {
        let x = [1.0, 0.0, 1.0, 0.0, 0.0];
        let t = [true, true, true, false, false];
        let (r, after) = variable_rows("b", VariableKind::Continuous, &x, &t, None);
        assert!(after.is_none());
        let p: f64 = 2.0 / 3.0;
        assert!((r.smd_treated_sd.unwrap() - p / (p * (1.0 - p)).sqrt()).abs() < 1e-12);
        assert_eq!(r.variance_ratio, None);
        assert_eq!(r.kind, VariableKind::Binary);
        assert!((r.ecdf_max.unwrap() - p).abs() < 1e-12);
    }

    #[test]
    fn errors() {
        assert!(balance(&[], &[true, true], None, None).is_err());
        let c = Covariate::numeric("x", vec![1.0]);
        assert!(balance(&[c], &[true, false], None, None).is_err());
    }
}
