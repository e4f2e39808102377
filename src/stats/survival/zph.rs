//! The test of proportional hazards from Schoenfeld residuals: R's
//! `cox.zph(fit, transform = ..., terms = TRUE, global = TRUE)` (survival
//! 3.x), a score test of adding `xⱼ·g(t)` to the fitted model (METHODS.md,
//! "Time to event").

use serde::Serialize;

use super::cox::CoxFit;
use crate::error::{Error, Result};
use crate::stats::common::{chi2_sf, rank};

const WHAT: &str = "proportional hazards test";

/// The function of time `g(t)` the residuals are tested against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum ZphTransform {
    /// `1 − Ŝ(t−)`, the left-continuous Kaplan–Meier curve of all the data
    /// (`transform = "km"`, R's default).
    #[default]
    Km,
    /// `t` itself (`"identity"`).
    Identity,
    /// The mid-rank of `t` among all follow-up times (`"rank"`).
    Rank,
    /// `log t` (`"log"`); every time must be positive.
    Log,
}

/// One row of the `cox.zph` table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZphTerm {
    /// Term name, or `"GLOBAL"` for the joint test.
    pub term: String,
    /// The score statistic.
    pub chi_square: f64,
    /// Degrees of freedom (1 per term; `p` for the global test).
    pub df: usize,
    /// Upper chi-square tail.
    pub p_value: f64,
}

/// The `cox.zph` table: one row per term, then the global test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZphTest {
    /// The transform used.
    pub transform: ZphTransform,
    /// One row per term, in model order.
    pub terms: Vec<ZphTerm>,
    /// The joint test of all terms.
    pub global: ZphTerm,
}

/// Test proportional hazards for each term of `fit` and jointly.
///
/// With `g` the transformed event times centred on their mean over the
/// events, the score of the augmented model `x'β + (x g(t))'γ` at `(β̂, 0)` is
/// `(0, U_γ)`, `U_γ = Σ_t g_t s_t` (`s_t` the time's sum of Schoenfeld
/// residuals), and its information is `[[Σ V_t, Σ g_t V_t], [Σ g_t V_t, Σ g_t² V_t]]`
/// (`V_t` the time's information contribution, with the fit's tie
/// handling). The term `j` statistic is `u' I⁻¹ u` over the rows of `β` and
/// `γⱼ`; the global one over all rows.
///
/// # Errors
/// * `Log` with a follow-up time of 0;
/// * the augmented information is singular (e.g. `g` constant).
pub fn cox_zph(fit: &CoxFit, transform: ZphTransform) -> Result<ZphTest> {
    let p = fit.coefficients().len();
    let n = fit.n();
    // transformed time of each sorted position
    let g_all: Vec<f64> = match transform {
        ZphTransform::Identity => fit.time.clone(),
        ZphTransform::Log => {
            if fit.time.iter().any(|t| *t <= 0.0) {
                return Err(Error::invalid_parameter(
                    "transform",
                    "log",
                    "the log transform needs every follow-up time to be positive",
                ));
            }
            fit.time.iter().map(|t| t.ln()).collect()
        }
        ZphTransform::Rank => rank(&fit.time).ranks,
        ZphTransform::Km => {
            // 1 − S(t−): the curve of all the data (strata ignored, as R's
            // survfitKM over everyone) over the times strictly before t
            let mut idx: Vec<usize> = (0..n).collect();
            idx.sort_by(|&a, &b| fit.time[a].total_cmp(&fit.time[b]));
            let mut out = vec![0.0; n];
            let mut s = 1.0;
            let mut at_risk = n as f64;
            let mut i = 0;
            while i < n {
                let t = fit.time[idx[i]];
                let mut j = i;
                let mut d = 0.0;
                while j < n && fit.time[idx[j]] == t {
                    if fit.event[idx[j]] {
                        d += 1.0;
                    }
                    j += 1;
                }
                for &k in &idx[i..j] {
                    out[k] = 1.0 - s;
                }
                s *= 1.0 - d / at_risk;
                at_risk -= (j - i) as f64;
                i = j;
            }
            out
        }
    };
    let deaths: Vec<f64> = (0..n).filter(|&i| fit.event[i]).map(|i| g_all[i]).collect();
    let gbar = crate::stats::common::mean(&deaths);
    let terms = fit.time_terms()?;
    let q = 2 * p;
    let mut imat = vec![0.0; q * q];
    let mut ug = vec![0.0; p];
    for tt in &terms {
        let g = g_all[tt.start] - gbar;
        for j in 0..p {
            ug[j] += g * tt.score[j];
            for k in 0..p {
                let v = tt.info[j * p + k];
                imat[j * q + k] += v;
                imat[j * q + p + k] += g * v;
                imat[(p + j) * q + k] += g * v;
                imat[(p + j) * q + p + k] += g * g * v;
            }
        }
    }
    let test = |rows: &[usize]| -> Result<f64> {
        let m = rows.len();
        let sub = nalgebra::DMatrix::from_fn(m, m, |a, b| imat[rows[a] * q + rows[b]]);
        let u =
            nalgebra::DVector::from_fn(m, |a, _| if rows[a] >= p { ug[rows[a] - p] } else { 0.0 });
        // singular to within coxph's `toler.chol` (ε^0.75) relative to the
        // diagonal: refuse, as R's `solve` does for a singular matrix
        let max_diag = (0..m).map(|a| sub[(a, a)].abs()).fold(0.0, f64::max);
        let chol = nalgebra::linalg::Cholesky::new(sub).filter(|c| {
            let l = c.l_dirty();
            (0..m).all(|a| l[(a, a)] * l[(a, a)] > f64::EPSILON.powf(0.75) * max_diag)
        });
        let x = chol.map(|c| c.solve(&u)).ok_or_else(|| {
            Error::numerical(WHAT, "the information of the augmented model is singular")
        })?;
        let stat = x.dot(&u);
        if stat.is_finite() {
            Ok(stat)
        } else {
            Err(Error::numerical(WHAT, "the statistic is not finite"))
        }
    };
    let mut rows_out = Vec::with_capacity(p);
    for j in 0..p {
        let mut rows: Vec<usize> = (0..p).collect();
        rows.push(p + j);
        let stat = test(&rows)?;
        rows_out.push(ZphTerm {
            term: fit.names()[j].clone(),
            chi_square: stat,
            df: 1,
            p_value: chi2_sf(WHAT, stat.max(0.0), 1.0)?,
        });
    }
    let all: Vec<usize> = (0..q).collect();
    let stat = test(&all)?;
    Ok(ZphTest {
        transform,
        terms: rows_out,
        global: ZphTerm {
            term: "GLOBAL".to_string(),
            chi_square: stat,
            df: p,
            p_value: chi2_sf(WHAT, stat.max(0.0), p as f64)?,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::super::{fit_cox, EventStatus, SurvivalData, Ties};
    use super::*;
    use crate::stats::ols::Term;
    use proptest::prelude::*;

    #[test]
    fn log_transform_needs_positive_times() {
        let t = [0.0, 1.0, 2.0, 3.0, 4.0];
        let s = [EventStatus::Event; 5];
        let x = [0.0, 1.0, 0.0, 1.0, 0.5];
        let d = SurvivalData::new(&t, &s).unwrap();
        let fit = fit_cox(&d, &[Term::new("x", &x)], Ties::Efron).unwrap();
        assert!(cox_zph(&fit, ZphTransform::Log).is_err());
        let z = cox_zph(&fit, ZphTransform::Km).unwrap();
        assert_eq!(z.terms.len(), 1);
        // one term: its test is the global test
        assert!((z.terms[0].chi_square - z.global.chi_square).abs() < 1e-12);
    }

    proptest! {
        #[test]
        fn statistics_are_non_negative(
            people in proptest::collection::vec((1u8..12, any::<bool>(), -3.0f64..3.0), 4..40),
        ) {
            let t: Vec<f64> = people.iter().map(|p| p.0 as f64).collect();
            let s: Vec<_> = people.iter().map(|p| EventStatus::from_event(p.1)).collect();
            let x: Vec<f64> = people.iter().map(|p| p.2).collect();
            let d = SurvivalData::new(&t, &s).unwrap();
            if let Ok(fit) = fit_cox(&d, &[Term::new("x", &x)], Ties::Efron) {
                for tr in [ZphTransform::Km, ZphTransform::Identity, ZphTransform::Rank, ZphTransform::Log] {
                    if let Ok(z) = cox_zph(&fit, tr) {
                        // with (near) separation, β runs off and the information
                        // is rounding error: only the p-value's range is checked
                        if fit.coefficients()[0].abs() < 10.0 {
                            prop_assert!(z.global.chi_square >= -1e-9, "{z:?}");
                        }
                        prop_assert!((0.0..=1.0).contains(&z.global.p_value));
                    }
                }
            }
        }
    }
}
