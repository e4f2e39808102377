//! The log-rank test of equal survival across groups, optionally stratified:
//! R's `survdiff(Surv(time, status) ~ group [+ strata(s)])` with `rho = 0`
//! (METHODS.md, "Time to event").

use serde::Serialize;

use super::{levels, order_by_time, SurvivalData};
use crate::error::{Error, Result};
use crate::stats::common::chi2_sf;
use crate::stats::{Alternative, TestResult};

/// One group's row of the log-rank table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogRankGroup {
    /// The group label.
    pub label: String,
    /// Number of people.
    pub n: usize,
    /// Observed events `O`.
    pub observed: f64,
    /// Expected events `E` under equal hazards (summed over strata).
    pub expected: f64,
}

/// The log-rank test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogRank {
    /// One row per group, in sorted label order (R's factor levels).
    pub groups: Vec<LogRankGroup>,
    /// The `g × g` variance matrix of `O − E` (survdiff's `var`), row-major.
    pub variance: Vec<f64>,
    /// The chi-square test on `g' − 1` df (`g'` groups with `E > 0`);
    /// statistic 0 and p-value 1 when fewer than two groups have `E > 0`.
    pub test: TestResult,
    /// Number of strata (1 when unstratified).
    pub strata: usize,
}

/// The log-rank test of `groups` (one label per person), stratified by
/// `strata` when given (sums of `O`, `E` and the variance over strata).
///
/// # Errors
/// * `groups` or `strata` does not have one label per person;
/// * fewer than two distinct groups;
/// * the variance matrix of the groups with `E > 0` is singular.
pub fn log_rank<G: Ord + Clone + std::fmt::Display, S: Ord + Clone>(
    data: &SurvivalData,
    groups: &[G],
    strata: Option<&[S]>,
) -> Result<LogRank> {
    const WHAT: &str = "log-rank test";
    let n = data.len();
    if groups.len() != n {
        return Err(Error::invalid_parameter(
            "groups",
            format!("{} labels", groups.len()),
            format!("need one group label per person ({n})"),
        ));
    }
    let (gcode, glevels) = levels(groups);
    let ng = glevels.len();
    if ng < 2 {
        return Err(Error::insufficient_data(WHAT, "need at least two groups"));
    }
    let (scode, nstrata) = match strata {
        Some(s) => {
            if s.len() != n {
                return Err(Error::invalid_parameter(
                    "strata",
                    format!("{} labels", s.len()),
                    format!("need one stratum label per person ({n})"),
                ));
            }
            let (c, l) = levels(s);
            (c, l.len())
        }
        None => (vec![0; n], 1),
    };
    let order = order_by_time(data);
    // stable re-sort by stratum keeps time order within each stratum
    let mut order = order;
    order.sort_by_key(|&i| scode[i]);

    let mut obs = vec![0.0; ng];
    let mut exp = vec![0.0; ng];
    let mut var = vec![0.0; ng * ng];
    let mut counts = vec![0usize; ng];
    for &g in &gcode {
        counts[g] += 1;
    }
    let mut start = 0;
    while start < n {
        let s = scode[order[start]];
        let mut end = start;
        while end < n && scode[order[end]] == s {
            end += 1;
        }
        let block = &order[start..end];
        // at risk per group, decremented as the walk passes each time
        let mut risk = vec![0.0; ng];
        for &i in block {
            risk[gcode[i]] += 1.0;
        }
        let mut total: f64 = block.len() as f64;
        let mut deaths = vec![0.0; ng];
        let mut i = 0;
        while i < block.len() {
            let t = data.time[block[i]];
            let mut j = i;
            deaths.iter_mut().for_each(|d| *d = 0.0);
            let mut d_tot = 0.0;
            while j < block.len() && data.time[block[j]] == t {
                let p = block[j];
                if data.status[p].is_event() {
                    deaths[gcode[p]] += 1.0;
                    d_tot += 1.0;
                }
                j += 1;
            }
            if d_tot > 0.0 {
                for g in 0..ng {
                    obs[g] += deaths[g];
                    exp[g] += d_tot * risk[g] / total;
                }
                if total > 1.0 {
                    let f = d_tot * (total - d_tot) / (total - 1.0) / (total * total);
                    for a in 0..ng {
                        for b in 0..ng {
                            let delta = if a == b { total } else { 0.0 };
                            var[a * ng + b] += f * risk[a] * (delta - risk[b]);
                        }
                    }
                }
            }
            for &p in &block[i..j] {
                risk[gcode[p]] -= 1.0;
            }
            total -= (j - i) as f64;
            i = j;
        }
        start = end;
    }

    let used: Vec<usize> = (0..ng).filter(|&g| exp[g] > 0.0).collect();
    let (statistic, df) = if used.len() < 2 {
        (0.0, 0usize)
    } else {
        let k = used.len() - 1;
        let idx = &used[1..];
        let u: Vec<f64> = idx.iter().map(|&g| obs[g] - exp[g]).collect();
        let v = nalgebra::DMatrix::from_fn(k, k, |a, b| var[idx[a] * ng + idx[b]]);
        let chol = nalgebra::linalg::Cholesky::new(v)
            .ok_or_else(|| Error::numerical(WHAT, "the variance matrix of O − E is singular"))?;
        let x = chol.solve(&nalgebra::DVector::from_vec(u.clone()));
        let stat: f64 = u.iter().zip(x.iter()).map(|(a, b)| a * b).sum();
        (stat, k)
    };
    let p_value = if df == 0 {
        1.0
    } else {
        chi2_sf(WHAT, statistic, df as f64)?
    };
    Ok(LogRank {
        groups: (0..ng)
            .map(|g| LogRankGroup {
                label: glevels[g].to_string(),
                n: counts[g],
                observed: obs[g],
                expected: exp[g],
            })
            .collect(),
        variance: var,
        test: TestResult {
            test: if nstrata > 1 {
                "stratified log-rank test"
            } else {
                "log-rank test"
            },
            statistic,
            df: Some(df as f64),
            p_value,
            alternative: Alternative::TwoSided,
            n,
        },
        strata: nstrata,
    })
}

#[cfg(test)]
mod tests {
    use super::super::EventStatus;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn two_groups_by_hand() {
        // group a dies at 1 and 3, b at 2 and censored at 4
        let d = SurvivalData::new(
            &[1.0, 2.0, 3.0, 4.0],
            &[
                EventStatus::Event,
                EventStatus::Event,
                EventStatus::Event,
                EventStatus::Censored,
            ],
        )
        .unwrap();
        let lr = log_rank(&d, &["a", "b", "a", "b"], None::<&[u8]>).unwrap();
        // E_a = 2/4 + 1/3 + 1/2; V = 1/4 + 2/9 + 1/4
        let e_a = 0.5 + 1.0 / 3.0 + 0.5;
        let v = 0.25 + 2.0 / 9.0 + 0.25;
        assert!((lr.groups[0].expected - e_a).abs() < 1e-15);
        assert!((lr.test.statistic - (2.0 - e_a).powi(2) / v).abs() < 1e-14);
        assert!(log_rank(&d, &["a"; 4], None::<&[u8]>).is_err());
        assert!(log_rank(&d, &["a", "b"], None::<&[u8]>).is_err());
    }

    proptest! {
        #[test]
        fn statistic_is_invariant_to_swapping_labels(
            people in proptest::collection::vec((0u8..15, any::<bool>(), any::<bool>(), 0u8..3), 2..50),
        ) {
            let t: Vec<f64> = people.iter().map(|p| p.0 as f64).collect();
            let s: Vec<_> = people.iter().map(|p| EventStatus::from_event(p.1)).collect();
            let d = SurvivalData::new(&t, &s).unwrap();
            let g: Vec<u8> = people.iter().map(|p| p.2 as u8).collect();
            let swapped: Vec<u8> = g.iter().map(|x| 1 - x).collect();
            let strata: Vec<u8> = people.iter().map(|p| p.3).collect();
            for st in [None, Some(strata.as_slice())] {
                match (log_rank(&d, &g, st), log_rank(&d, &swapped, st)) {
                    (Ok(a), Ok(b)) => {
                        let tol = 1e-9 * a.test.statistic.abs().max(1.0);
                        prop_assert!((a.test.statistic - b.test.statistic).abs() <= tol);
                        prop_assert!((0.0..=1.0).contains(&a.test.p_value));
                    }
                    (Err(_), Err(_)) => {}
                    (a, b) => prop_assert!(false, "{a:?} vs {b:?}"),
                }
            }
        }
    }
}
