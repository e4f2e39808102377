//! Restricted mean survival time: the area under the Kaplan–Meier curve up
//! to a horizon `τ`, its standard error as R's `print(survfit(...), rmean =
//! τ)` computes it, and the difference between two groups (METHODS.md,
//! "Time to event").

use serde::Serialize;

use super::km::{kaplan_meier, ConfidenceTransform, KaplanMeier};
use super::{levels, SurvivalData};
use crate::error::{Error, Result};
use crate::stats::common::z_estimate;
use crate::stats::{ConfidenceLevel, Estimate};

/// The restricted mean survival time of one curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rmst {
    /// The horizon `τ`.
    pub tau: f64,
    /// `∫₀^τ S(t) dt` with its standard error and normal interval
    /// (`rmean`, `se(rmean)`).
    pub estimate: Estimate,
}

/// The difference in restricted mean survival time between two groups.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RmstDifference {
    /// The horizon `τ`.
    pub tau: f64,
    /// The two group labels, in sorted order (R's factor levels).
    pub labels: [String; 2],
    /// Each group's RMST, in the order of `labels`.
    pub groups: [Rmst; 2],
    /// `RMST(second) − RMST(first)`, standard error `sqrt(se₁² + se₂²)`
    /// (independent groups), normal interval.
    pub difference: Estimate,
}

impl KaplanMeier {
    /// The restricted mean survival time up to `tau`, with a normal interval
    /// at `level`.
    ///
    /// The area is the sum of the rectangles under the step function from 0
    /// to `tau`; its variance is `Σ_j A_j² d_j / (n_j (n_j − d_j))` over the
    /// event times `t_j <= tau`, where `A_j` is the area from `t_j` to `tau`
    /// (terms with `n_j = d_j` are 0), as survival's `survmean`.
    ///
    /// # Errors
    /// If `tau` is not finite and positive.
    pub fn rmst(&self, tau: f64, level: ConfidenceLevel) -> Result<Rmst> {
        if !tau.is_finite() || tau <= 0.0 {
            return Err(Error::invalid_parameter(
                "tau",
                tau,
                "the RMST horizon must be finite and positive",
            ));
        }
        // Steps at or before tau, then tau itself (survmean's `temptime`).
        let kept: Vec<_> = self.steps.iter().take_while(|s| s.time <= tau).collect();
        let mut rect = Vec::with_capacity(kept.len() + 1);
        let mut hh = Vec::with_capacity(kept.len() + 1);
        let mut prev_t = 0.0;
        let mut prev_s = 1.0;
        for s in &kept {
            rect.push((s.time - prev_t) * prev_s);
            let (n, d) = (s.n_risk as f64, s.n_event as f64);
            hh.push(if s.n_risk == s.n_event {
                0.0
            } else {
                d / (n * (n - d))
            });
            prev_t = s.time;
            prev_s = s.survival;
        }
        rect.push((tau - prev_t) * prev_s);
        let mean: f64 = rect.iter().sum();
        // variance: Σ_j hh_j (area after step j)²
        let mut after = 0.0;
        let mut var = 0.0;
        for j in (0..hh.len()).rev() {
            after += rect[j + 1];
            var += after * after * hh[j];
        }
        Ok(Rmst {
            tau,
            estimate: z_estimate(mean, var.sqrt(), level, self.n),
        })
    }
}

/// The RMST of each of two groups up to `tau` and their difference (second
/// level minus first, in sorted label order).
///
/// # Errors
/// * `groups` does not have one label per person, or has other than two
///   distinct labels;
/// * `tau` is not finite and positive.
pub fn rmst_difference<G: Ord + Clone + std::fmt::Display>(
    data: &SurvivalData,
    groups: &[G],
    tau: f64,
    level: ConfidenceLevel,
) -> Result<RmstDifference> {
    if groups.len() != data.len() {
        return Err(Error::invalid_parameter(
            "groups",
            format!("{} labels", groups.len()),
            format!("need one group label per person ({})", data.len()),
        ));
    }
    let (codes, lv) = levels(groups);
    if lv.len() != 2 {
        return Err(Error::invalid_parameter(
            "groups",
            format!("{} distinct labels", lv.len()),
            "the RMST difference needs exactly two groups",
        ));
    }
    let fit = |g: usize| -> Result<Rmst> {
        let sub = data
            .subset(|i| codes[i] == g)
            .ok_or_else(|| Error::insufficient_data("RMST difference", "a group is empty"))?;
        kaplan_meier(&sub, level, ConfidenceTransform::Log)?.rmst(tau, level)
    };
    let (first, second) = (fit(0)?, fit(1)?);
    let (a, b) = (&first.estimate, &second.estimate);
    let se = (a.std_error.unwrap_or(0.0).powi(2) + b.std_error.unwrap_or(0.0).powi(2)).sqrt();
    let difference = z_estimate(b.value - a.value, se, level, data.len());
    Ok(RmstDifference {
        tau,
        labels: [lv[0].to_string(), lv[1].to_string()],
        groups: [first, second],
        difference,
    })
}

#[cfg(test)]
mod tests {
    use super::super::EventStatus::{Censored, Event};
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn area_under_steps_and_difference() {
        let d = SurvivalData::new(&[1.0, 3.0], &[Event, Censored]).unwrap();
        let km = kaplan_meier(&d, ConfidenceLevel::NINETY_FIVE, ConfidenceTransform::Log).unwrap();
        // S = 1 on [0,1), 1/2 after: area to 4 is 1 + 3/2
        let r = km.rmst(4.0, ConfidenceLevel::NINETY_FIVE).unwrap();
        assert!((r.estimate.value - 2.5).abs() < 1e-15);
        assert!(km.rmst(0.0, ConfidenceLevel::NINETY_FIVE).is_err());
        assert!(km.rmst(f64::NAN, ConfidenceLevel::NINETY_FIVE).is_err());
        let d = SurvivalData::new(&[1.0, 2.0, 3.0, 4.0], &[Event; 4]).unwrap();
        let r = rmst_difference(&d, &[0, 0, 1, 1], 4.0, ConfidenceLevel::NINETY_FIVE).unwrap();
        assert!((r.difference.value - 2.0).abs() < 1e-15);
        assert!(rmst_difference(&d, &[0, 1, 2, 0], 4.0, ConfidenceLevel::NINETY_FIVE).is_err());
        assert!(rmst_difference(&d, &[0, 1], 4.0, ConfidenceLevel::NINETY_FIVE).is_err());
    }

    proptest! {
        #[test]
        fn difference_is_antisymmetric_and_never_panics(
            people in proptest::collection::vec((0u8..15, any::<bool>(), any::<bool>()), 1..40),
            tau in -1.0f64..20.0,
        ) {
            let t: Vec<f64> = people.iter().map(|p| p.0 as f64).collect();
            let s: Vec<_> = people.iter().map(|p| super::super::EventStatus::from_event(p.1)).collect();
            let d = SurvivalData::new(&t, &s).unwrap();
            let g: Vec<u8> = people.iter().map(|p| p.2 as u8).collect();
            let h: Vec<u8> = g.iter().map(|x| 1 - x).collect();
            let lv = ConfidenceLevel::NINETY_FIVE;
            if let (Ok(a), Ok(b)) = (rmst_difference(&d, &g, tau, lv), rmst_difference(&d, &h, tau, lv)) {
                prop_assert!((a.difference.value + b.difference.value).abs() < 1e-9);
                prop_assert!(a.difference.std_error.unwrap() >= 0.0);
            }
        }
    }
}
