//! The Kaplan–Meier estimator with Greenwood standard errors, pointwise
//! intervals on the plain, log or log-log scale, the median and its
//! interval, and survival at chosen horizons: R's `survfit(Surv(time,
//! status) ~ 1, conf.type = ...)`, `print(fit)` and `summary(fit, times =
//! ...)` (METHODS.md, "Time to event").

use serde::Serialize;

use super::{order_by_time, SurvivalData};
use crate::error::Result;
use crate::stats::common::z_crit;
use crate::stats::{ConfidenceLevel, Interval};

/// The scale on which the pointwise interval of the survival curve is
/// symmetric (R's `conf.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum ConfidenceTransform {
    /// `S ± z·se(S)`, clipped to `[0, 1]` (`conf.type = "plain"`).
    Plain,
    /// `exp(log S ± z·σ)` with the upper end capped at 1, where `σ` is
    /// Greenwood's standard error of `log S` (`conf.type = "log"`, R's
    /// default).
    #[default]
    Log,
    /// `exp(−exp(log(−log S) ± z·σ / log S))` (`conf.type = "log-log"`);
    /// undefined where `S` is 0 or 1.
    LogLog,
}

/// The Kaplan–Meier curve at one distinct observed time (event or
/// censoring), as a row of R's `summary(survfit(...), censored = TRUE)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurvivalStep {
    /// The time.
    pub time: f64,
    /// People at risk just before the time (follow-up `>= time`).
    pub n_risk: usize,
    /// Events at the time.
    pub n_event: usize,
    /// People censored at the time.
    pub n_censor: usize,
    /// The estimate of `S(time)`.
    pub survival: f64,
    /// Greenwood's standard error of `−log S` (survfit's `std.err`):
    /// `sqrt(Σ d / (n (n − d)))`; `None` once everyone at risk has had the
    /// event (the sum is infinite).
    pub log_std_error: Option<f64>,
    /// Standard error of `S` (`summary(fit)$std.err`): `S · log_std_error`.
    pub std_error: Option<f64>,
    /// The pointwise interval; `None` where the transform is undefined
    /// (`S = 0` for log, `S ∈ {0, 1}` for log-log), as R gives `NA`.
    pub ci: Option<Interval>,
}

/// Survival at a chosen horizon: the curve at the last step at or before it
/// (R's `summary(fit, times = horizon)`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurvivalAt {
    /// The horizon asked for.
    pub time: f64,
    /// People with follow-up `>= time`.
    pub n_risk: usize,
    /// The estimate of `S(time)`.
    pub survival: f64,
    /// Its standard error (`None` as in [`SurvivalStep::std_error`]).
    pub std_error: Option<f64>,
    /// Its pointwise interval (`None` as in [`SurvivalStep::ci`]).
    pub ci: Option<Interval>,
}

/// The median survival time and its interval, as `print(survfit(...))`
/// reports them. Each is `None` when the curve (or the interval's bound
/// curve) never falls to one half.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MedianSurvival {
    /// The median: the first time `S <= 1/2`; if `S` equals 1/2 (within
    /// `sqrt(ε)`) over an interval, the midpoint of that step and the next.
    pub median: Option<f64>,
    /// The same rule applied to the lower interval curve.
    pub lower: Option<f64>,
    /// The same rule applied to the upper interval curve.
    pub upper: Option<f64>,
}

/// A fitted Kaplan–Meier curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KaplanMeier {
    /// One step per distinct observed time, ascending.
    pub steps: Vec<SurvivalStep>,
    /// Number of people.
    pub n: usize,
    /// Number of events.
    pub events: usize,
    /// Confidence level of the intervals.
    pub level: f64,
    /// The interval transform.
    pub transform: ConfidenceTransform,
}

/// Fit the Kaplan–Meier curve (R `survfit(Surv(time, status) ~ 1,
/// conf.int = level, conf.type = transform)`).
///
/// # Errors
/// None for valid [`SurvivalData`] (the `Result` is kept for symmetry with
/// the other estimators and future options).
pub fn kaplan_meier(
    data: &SurvivalData,
    level: ConfidenceLevel,
    transform: ConfidenceTransform,
) -> Result<KaplanMeier> {
    let order = order_by_time(data);
    let z = z_crit(level);
    let n = data.len();
    let mut steps = Vec::new();
    let mut at_risk = n;
    let mut surv = 1.0_f64;
    let mut greenwood = 0.0_f64;
    let mut i = 0;
    while i < n {
        let t = data.time[order[i]];
        let mut d = 0;
        let mut c = 0;
        while i < n && data.time[order[i]] == t {
            if data.status[order[i]].is_event() {
                d += 1;
            } else {
                c += 1;
            }
            i += 1;
        }
        if d > 0 {
            surv *= 1.0 - d as f64 / at_risk as f64;
            if at_risk > d {
                greenwood += d as f64 / (at_risk as f64 * (at_risk - d) as f64);
            } else {
                greenwood = f64::INFINITY;
            }
        }
        let log_se = greenwood.is_finite().then(|| greenwood.sqrt());
        steps.push(SurvivalStep {
            time: t,
            n_risk: at_risk,
            n_event: d,
            n_censor: c,
            survival: surv,
            log_std_error: log_se,
            std_error: log_se.map(|s| s * surv),
            ci: log_se.and_then(|s| interval(surv, s, z, transform)),
        });
        at_risk -= d + c;
    }
    Ok(KaplanMeier {
        steps,
        n,
        events: data.events(),
        level: level.get(),
        transform,
    })
}

/// The pointwise interval of `S = p` with `σ = se(−log S)` (survival's
/// `survfit_confint` with `logse = TRUE`, `ulimit = TRUE`).
pub(crate) fn interval(
    p: f64,
    se: f64,
    z: f64,
    transform: ConfidenceTransform,
) -> Option<Interval> {
    let iv = match transform {
        ConfidenceTransform::Plain => {
            let h = se * p * z;
            Interval::new((p - h).max(0.0), (p + h).min(1.0))
        }
        ConfidenceTransform::Log => {
            if p == 0.0 {
                return None;
            }
            let h = z * se;
            Interval::new((p.ln() - h).exp(), (p.ln() + h).exp().min(1.0))
        }
        ConfidenceTransform::LogLog => {
            if p == 0.0 || p == 1.0 {
                return None;
            }
            let h = z * se / p.ln();
            let ll = (-p.ln()).ln();
            Interval::new((-(ll - h).exp()).exp(), (-(ll + h).exp()).exp())
        }
    };
    (iv.lower.is_finite() && iv.upper.is_finite()).then_some(iv)
}

/// survival's `minmin`: the first `x` whose `y < 1/2 + sqrt(ε)` (missing
/// `y` skipped); when that `y` is 1/2 within `sqrt(ε)` and the curve later
/// drops below it, the midpoint of that `x` and the first `x` where it does.
fn first_below_half(points: &[(f64, Option<f64>)]) -> Option<f64> {
    let tol = f64::EPSILON.sqrt();
    let kept: Vec<(f64, f64)> = points
        .iter()
        .filter_map(|&(x, y)| y.filter(|y| *y < 0.5 + tol).map(|y| (x, y)))
        .collect();
    let &(x0, y0) = kept.first()?;
    if (y0 - 0.5).abs() < tol {
        if let Some(&(x1, _)) = kept.iter().find(|(_, y)| *y < y0) {
            return Some((x0 + x1) / 2.0);
        }
    }
    Some(x0)
}

impl KaplanMeier {
    /// The median survival time and its interval (`print(fit)`'s `median`,
    /// `0.95LCL`, `0.95UCL`).
    pub fn median(&self) -> MedianSurvival {
        let pts = |f: &dyn Fn(&SurvivalStep) -> Option<f64>| -> Vec<(f64, Option<f64>)> {
            self.steps.iter().map(|s| (s.time, f(s))).collect()
        };
        MedianSurvival {
            median: first_below_half(&pts(&|s| Some(s.survival))),
            lower: first_below_half(&pts(&|s| s.ci.map(|c| c.lower))),
            upper: first_below_half(&pts(&|s| s.ci.map(|c| c.upper))),
        }
    }

    /// The curve at `horizon`: the last step at or before it, or `S = 1`
    /// before the first step. `None` for a horizon after the last observed
    /// time or not finite (R's `summary(fit, times = horizon)` drops it).
    pub fn survival_at(&self, horizon: f64) -> Option<SurvivalAt> {
        let last = self.steps.last()?;
        if !horizon.is_finite() || horizon > last.time {
            return None;
        }
        let k = self.steps.partition_point(|s| s.time <= horizon);
        let n_risk = if k > 0 && self.steps[k - 1].time == horizon {
            self.steps[k - 1].n_risk
        } else {
            self.steps.get(k).map_or(0, |next| next.n_risk)
        };
        if k == 0 {
            return Some(SurvivalAt {
                time: horizon,
                n_risk: self.n,
                survival: 1.0,
                std_error: Some(0.0),
                ci: (self.transform != ConfidenceTransform::LogLog)
                    .then_some(Interval::new(1.0, 1.0)),
            });
        }
        let s = &self.steps[k - 1];
        Some(SurvivalAt {
            time: horizon,
            n_risk,
            survival: s.survival,
            std_error: s.std_error,
            ci: s.ci,
        })
    }

    /// The curve at each horizon, in order (see [`KaplanMeier::survival_at`]).
    pub fn survival_at_each(&self, horizons: &[f64]) -> Vec<Option<SurvivalAt>> {
        horizons.iter().map(|&h| self.survival_at(h)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::EventStatus::{Censored, Event};
    use super::*;
    use proptest::prelude::*;

    fn data(t: &[f64], s: &[super::super::EventStatus]) -> SurvivalData {
        SurvivalData::new(t, s).unwrap()
    }

    #[test]
    fn hand_computed_curve_and_greenwood() {
        // 4 at risk: event at 1, censored at 2, event at 3, event at 4
        let d = data(&[1.0, 2.0, 3.0, 4.0], &[Event, Censored, Event, Event]);
        let km = kaplan_meier(&d, ConfidenceLevel::NINETY_FIVE, ConfidenceTransform::Log).unwrap();
        let s: Vec<f64> = km.steps.iter().map(|s| s.survival).collect();
        assert_eq!(s, vec![0.75, 0.75, 0.375, 0.0]);
        let gw = (1.0f64 / 12.0 + 1.0 / 2.0).sqrt();
        assert!((km.steps[2].log_std_error.unwrap() - gw).abs() < 1e-15);
        assert!(km.steps[3].log_std_error.is_none());
        assert!(km.steps[3].ci.is_none());
        assert_eq!(km.steps[1].n_risk, 3);
        assert_eq!(km.median().median, Some(3.0));
    }

    #[test]
    fn median_at_exactly_one_half_is_a_midpoint() {
        let d = data(&[1.0, 2.0, 3.0, 4.0], &[Event; 4]);
        let km =
            kaplan_meier(&d, ConfidenceLevel::NINETY_FIVE, ConfidenceTransform::Plain).unwrap();
        assert_eq!(km.median().median, Some(2.5));
        // never below one half: no median
        let d = data(&[1.0, 2.0, 3.0], &[Event, Censored, Censored]);
        let km = kaplan_meier(&d, ConfidenceLevel::NINETY_FIVE, ConfidenceTransform::Log).unwrap();
        assert_eq!(km.median().median, None);
    }

    #[test]
    fn horizons_before_between_and_after() {
        let d = data(&[2.0, 4.0, 6.0], &[Event, Event, Censored]);
        let km = kaplan_meier(
            &d,
            ConfidenceLevel::NINETY_FIVE,
            ConfidenceTransform::LogLog,
        )
        .unwrap();
        let a = km.survival_at(1.0).unwrap();
        assert_eq!((a.survival, a.n_risk, a.ci), (1.0, 3, None));
        let b = km.survival_at(3.0).unwrap();
        assert!((b.survival - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(b.n_risk, 2);
        assert_eq!(km.survival_at(4.0).unwrap().n_risk, 2);
        assert!(km.survival_at(6.0).is_some());
        assert!(km.survival_at(6.5).is_none());
        assert!(km.survival_at(f64::NAN).is_none());
    }

    proptest! {
        #[test]
        fn curve_is_non_increasing_within_unit_interval(
            people in proptest::collection::vec((0u8..20, any::<bool>()), 1..60),
            tr in 0usize..3,
        ) {
            let t: Vec<f64> = people.iter().map(|p| p.0 as f64).collect();
            let s: Vec<_> = people.iter().map(|p| super::super::EventStatus::from_event(p.1)).collect();
            let d = SurvivalData::new(&t, &s).unwrap();
            let tr = [ConfidenceTransform::Plain, ConfidenceTransform::Log, ConfidenceTransform::LogLog][tr];
            let km = kaplan_meier(&d, ConfidenceLevel::NINETY_FIVE, tr).unwrap();
            let mut prev = 1.0;
            for st in &km.steps {
                prop_assert!((0.0..=1.0).contains(&st.survival));
                prop_assert!(st.survival <= prev);
                if let Some(ci) = st.ci {
                    prop_assert!(ci.lower <= st.survival + 1e-12 && st.survival <= ci.upper + 1e-12);
                    prop_assert!(ci.lower >= 0.0 && ci.upper <= 1.0);
                }
                prev = st.survival;
            }
            let m = km.median();
            if let (Some(lo), Some(me)) = (m.lower, m.median) {
                prop_assert!(lo <= me);
            }
            let r = km.rmst(10.0, ConfidenceLevel::NINETY_FIVE).unwrap();
            prop_assert!(r.estimate.value >= 0.0 && r.estimate.value <= 10.0 + 1e-12);
            let _ = km.survival_at_each(&[0.0, 5.0, 50.0]);
        }
    }
}
