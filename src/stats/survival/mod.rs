//! Time to event: Kaplan–Meier, the log-rank test, Cox proportional hazards
//! (optionally stratified, with robust cluster variance and the Schoenfeld-residual test of
//! proportional hazards) and restricted mean survival time.
//!
//! Every estimator reproduces R's `survival` package (`survfit`,
//! `survdiff`, `coxph`, `cox.zph`, `print(survfit, rmean = tau)`); the
//! formulas and the R calls are in METHODS.md ("Time to event") and the
//! reference tests in `tests/suite/survival.rs`.
//!
//! The input is a [`SurvivalData`]: one follow-up time (finite, `>= 0`) and
//! one [`EventStatus`] per person, checked once by [`SurvivalData::new`].
//! Right censoring only; a person censored at a time when others have the
//! event is counted at risk at that time (R's convention).

mod cox;
mod km;
mod logrank;
mod rmst;
mod zph;

pub use cox::{fit_cox, fit_cox_stratified, CoxCoefficient, CoxFit, CoxVariance, Ties};
pub use km::{
    kaplan_meier, ConfidenceTransform, KaplanMeier, MedianSurvival, SurvivalAt, SurvivalStep,
};
pub use logrank::{log_rank, LogRank, LogRankGroup};
pub use rmst::{rmst_difference, Rmst, RmstDifference};
pub use zph::{cox_zph, ZphTerm, ZphTest, ZphTransform};

use crate::error::{Error, Location, Result};

/// What happened at the end of a person's follow-up time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum EventStatus {
    /// The event was observed at the time.
    Event,
    /// Follow-up ended at the time without the event (right censoring).
    Censored,
}

impl EventStatus {
    /// `Event` for `true`, `Censored` for `false` (R's `status == 1`).
    pub fn from_event(event: bool) -> Self {
        if event {
            EventStatus::Event
        } else {
            EventStatus::Censored
        }
    }

    /// True for [`EventStatus::Event`].
    pub fn is_event(self) -> bool {
        self == EventStatus::Event
    }
}

/// Right-censored time-to-event data, validated: one finite, non-negative
/// time and one status per person, at least one person.
#[derive(Debug, Clone, PartialEq)]
pub struct SurvivalData {
    time: Vec<f64>,
    status: Vec<EventStatus>,
}

impl SurvivalData {
    /// Time-to-event data from one time and one status per person.
    ///
    /// # Errors
    /// * the two slices differ in length;
    /// * there are no people;
    /// * a time is NaN, infinite or negative (the error names its 1-based row).
    pub fn new(time: &[f64], status: &[EventStatus]) -> Result<Self> {
        if time.len() != status.len() {
            return Err(Error::invalid_parameter(
                "status",
                format!("{} values", status.len()),
                format!("need one status per time ({} times)", time.len()),
            ));
        }
        if time.is_empty() {
            return Err(Error::insufficient_data(
                "time-to-event data",
                "there are no people",
            ));
        }
        for (i, t) in time.iter().enumerate() {
            if !t.is_finite() || *t < 0.0 {
                return Err(Error::invalid_value(
                    Location::source("time-to-event data")
                        .row(i as u64 + 1)
                        .column("time"),
                    t.to_string(),
                    "follow-up times must be finite and non-negative",
                ));
            }
        }
        Ok(SurvivalData {
            time: time.to_vec(),
            status: status.to_vec(),
        })
    }

    /// The follow-up times, in input order.
    pub fn time(&self) -> &[f64] {
        &self.time
    }

    /// The statuses, in input order.
    pub fn status(&self) -> &[EventStatus] {
        &self.status
    }

    /// Number of people.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// Always false: a `SurvivalData` has at least one person.
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// Number of events.
    pub fn events(&self) -> usize {
        self.status.iter().filter(|s| s.is_event()).count()
    }

    /// The people whose `keep` is true, in order (`None` if nobody is kept).
    pub(crate) fn subset(&self, keep: impl Fn(usize) -> bool) -> Option<SurvivalData> {
        let mut time = Vec::new();
        let mut status = Vec::new();
        for i in 0..self.len() {
            if keep(i) {
                time.push(self.time[i]);
                status.push(self.status[i]);
            }
        }
        (!time.is_empty()).then_some(SurvivalData { time, status })
    }
}

/// Indices `0..n` ordered by time ascending, events before censorings at a
/// tied time (the order every estimator here walks the data in).
pub(crate) fn order_by_time(data: &SurvivalData) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..data.len()).collect();
    idx.sort_by(|&a, &b| {
        data.time[a]
            .total_cmp(&data.time[b])
            .then_with(|| data.status[b].is_event().cmp(&data.status[a].is_event()))
    });
    idx
}

/// The dense level (in sorted order of the labels) of each person, and the
/// sorted distinct labels: R's `factor()` coding.
pub(crate) fn levels<G: Ord + Clone>(labels: &[G]) -> (Vec<usize>, Vec<G>) {
    let mut distinct: Vec<G> = labels.to_vec();
    distinct.sort();
    distinct.dedup();
    let codes = labels
        .iter()
        .map(|l| distinct.binary_search(l).unwrap_or(0))
        .collect();
    (codes, distinct)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::ols::{Clusters, Term};
    use crate::stats::ConfidenceLevel;
    use proptest::prelude::*;

    proptest! {
        /// Any input: an error or a result, never a panic.
        #[test]
        fn no_estimator_panics(
            people in proptest::collection::vec(
                (any::<f64>(), any::<bool>(), any::<f64>(), 0u8..3, 0u8..3), 0..20),
            tau in any::<f64>(),
            horizon in any::<f64>(),
        ) {
            let t: Vec<f64> = people.iter().map(|p| p.0).collect();
            let s: Vec<_> = people.iter().map(|p| EventStatus::from_event(p.1)).collect();
            let x: Vec<f64> = people.iter().map(|p| p.2).collect();
            let g: Vec<u8> = people.iter().map(|p| p.3).collect();
            let st: Vec<u8> = people.iter().map(|p| p.4).collect();
            let lv = ConfidenceLevel::NINETY_FIVE;
            if let Ok(d) = SurvivalData::new(&t, &s) {
                for tr in [ConfidenceTransform::Plain, ConfidenceTransform::Log, ConfidenceTransform::LogLog] {
                    let km = kaplan_meier(&d, lv, tr).unwrap();
                    let _ = km.median();
                    let _ = km.survival_at(horizon);
                    let _ = km.rmst(tau, lv);
                }
                let _ = log_rank(&d, &g, None::<&[u8]>);
                let _ = log_rank(&d, &g, Some(st.as_slice()));
                let _ = rmst_difference(&d, &g, tau, lv);
                for ties in [Ties::Efron, Ties::Breslow] {
                    let _ = fit_cox_stratified(&d, &[Term::new("x", &x)], &st, ties);
                    if let Ok(fit) = fit_cox(&d, &[Term::new("x", &x)], ties) {
                        let _ = fit.covariance(&CoxVariance::Robust(Clusters::new(&g)));
                        let _ = cox_zph(&fit, ZphTransform::Km);
                        let _ = cox_zph(&fit, ZphTransform::Rank);
                    }
                }
            }
        }
    }

    #[test]
    fn constructor_refuses_bad_input() {
        let e = EventStatus::Event;
        assert!(SurvivalData::new(&[], &[]).is_err());
        assert!(SurvivalData::new(&[1.0], &[e, e]).is_err());
        assert!(SurvivalData::new(&[-1.0], &[e]).is_err());
        assert!(SurvivalData::new(&[f64::NAN], &[e]).is_err());
        assert!(SurvivalData::new(&[f64::INFINITY], &[e]).is_err());
        let d = SurvivalData::new(&[0.0, 2.0], &[e, EventStatus::Censored]).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d.events(), 1);
    }

    #[test]
    fn order_puts_events_first_at_ties() {
        let c = EventStatus::Censored;
        let e = EventStatus::Event;
        let d = SurvivalData::new(&[2.0, 1.0, 2.0], &[c, c, e]).unwrap();
        assert_eq!(order_by_time(&d), vec![1, 2, 0]);
        let (codes, lv) = levels(&["b", "a", "b"]);
        assert_eq!(codes, vec![1, 0, 1]);
        assert_eq!(lv, vec!["a", "b"]);
    }
}
