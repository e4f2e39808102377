//! The Rust side of the binding's benchmark (`python/benchmarks/bench.py`):
//! the same library calls the Python side makes, timed here with no Python
//! in the loop, on the same data in the same process.

use std::sync::Arc;
use std::time::Instant;

use polars::prelude::*;
use pyo3::prelude::*;

use outcomes::compare::pre_post::{self, CoveragePolicy};
use outcomes::io;
use outcomes::measures::service_use::{CategorySet, Window};
use outcomes::stats::ConfidenceLevel;

use crate::compare::matcher;
use crate::errors::IntoPy;
use crate::frames::{bool_arg, f64_arg, to_py_series};
use crate::load::{Cohort, ServiceEvents};

/// The matching benchmark's seeded scores
/// (`outcomes::synthetic::matching_scores`, as `benches/matching.rs`).
/// Returns `(score, treated)`.
#[pyfunction]
pub fn synthetic_scores(
    py: Python<'_>,
    n_treated: usize,
    n_control: usize,
    seed: u64,
) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    let (s, t) = outcomes::synthetic::matching_scores(n_treated, n_control, seed);
    Ok((
        to_py_series(py, Series::new("score".into(), s))?,
        to_py_series(py, Series::new("treated".into(), t))?,
    ))
}

/// Wall seconds of each of `runs` runs of 1:1 nearest-neighbour matching
/// with a caliper of `caliper_sd` SD, called from Rust.
#[pyfunction]
pub fn rust_matching_seconds(
    py: Python<'_>,
    score: &Bound<'_, PyAny>,
    treated: &Bound<'_, PyAny>,
    caliper_sd: f64,
    runs: usize,
) -> PyResult<Vec<f64>> {
    let d = f64_arg(score, "score")?;
    let t = bool_arg(treated, "treated")?;
    let m = matcher(1, Some(caliper_sd), None, false, "largest", None, "none")?;
    py.detach(|| {
        let mut out = Vec::with_capacity(runs);
        for _ in 0..runs {
            let start = Instant::now();
            let r = m.run(&d, &t, &[])?;
            // The result is freed inside the timing, as the Python side's
            // is (its previous result is freed when the name is rebound).
            drop(std::hint::black_box(r));
            out.push(start.elapsed().as_secs_f64());
        }
        Ok(out)
    })
    .py_err()
}

/// Wall seconds of each of `runs` runs of the pre/post pipeline called
/// from Rust (`benches/pre_post.rs`): every category counted 12 months
/// before and after each start, A&E per quarter (whole windows only), the
/// paired statistics. Also returns the last run's mean change.
#[pyfunction]
pub fn rust_pre_post_seconds(
    py: Python<'_>,
    cohort: &Cohort,
    events: &ServiceEvents,
    runs: usize,
) -> PyResult<(Vec<f64>, f64)> {
    let (c, e) = (Arc::clone(&cohort.inner), Arc::clone(&events.inner));
    py.detach(|| {
        let codes = CategorySet::default().codes();
        let windows = Window::before_after_12_months();
        let mut out = Vec::with_capacity(runs);
        let mut change = f64::NAN;
        for _ in 0..runs {
            let start = Instant::now();
            let counts = io::window_counts(&c, &e, &windows, &codes)?;
            let ae = pre_post::service_use_per_quarter(
                &counts,
                "ae_attendance",
                "before",
                "after",
                CoveragePolicy::Exclude,
            )?;
            let s = pre_post::paired_statistics(
                &ae.before,
                &ae.after,
                ConfidenceLevel::NINETY_FIVE,
                None,
            )?;
            // Freed inside the timing, as the Python side's locals are.
            drop((counts, ae));
            out.push(start.elapsed().as_secs_f64());
            change = s.mean_change.value;
        }
        Ok((out, change))
    })
    .py_err()
}
