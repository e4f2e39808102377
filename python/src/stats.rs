//! The per-person frame of service use, pre/post pairs and the paired
//! statistics, NDT baseline and follow-up.

use std::sync::Arc;

use polars::prelude::*;
use pyo3::prelude::*;

use outcomes::cohort::Group;
use outcomes::compare::pre_post::{self, CoveragePolicy, PairedValues};
use outcomes::io;
use outcomes::measures::ndt::{self, SelectionRule};
use outcomes::measures::service_use::{CategorySet, Window};
use outcomes::stats::{self, BootstrapConfig, ConfidenceLevel, Direction, ReliableChangeParams};
use outcomes::Error;

use crate::errors::{to_py, IntoPy};
use crate::frames::{bool_arg, f64_arg, frame, to_py_frame, to_py_series};
use crate::load::{date_column, partial_policy, Cohort, NdtAssessments, ServiceEvents};

/// A confidence level in (0, 1).
pub fn level(confidence: f64) -> PyResult<ConfidenceLevel> {
    ConfidenceLevel::new(confidence).py_err()
}

/// A seeded bootstrap, or none.
pub fn bootstrap(
    resamples: Option<usize>,
    seed: u64,
    confidence: f64,
) -> PyResult<Option<BootstrapConfig>> {
    resamples
        .map(|r| BootstrapConfig::new(r, seed, level(confidence)?).py_err())
        .transpose()
}

/// `"programme"`, `"comparison"` or `"unknown"`.
pub fn group_arg(g: &str) -> PyResult<Group> {
    Group::parse(g).ok_or_else(|| {
        to_py(Error::invalid_parameter(
            "group",
            g,
            "must be \"programme\", \"comparison\" or \"unknown\"",
        ))
    })
}

/// Service use per person × window × category, with each person's observed
/// and calendar days per window: one row per cohort member, in cohort order.
#[pyclass(module = "outcomes._outcomes", frozen)]
pub struct WindowCounts {
    pub inner: Arc<io::WindowCounts>,
}

fn coverage(rule: &str, min_fraction: f64) -> PyResult<CoveragePolicy> {
    match rule {
        "exclude" => Ok(CoveragePolicy::Exclude),
        "rate_per_observed_time" => Ok(CoveragePolicy::RatePerObservedTime { min_fraction }),
        _ => Err(to_py(Error::invalid_parameter(
            "coverage",
            rule,
            "must be \"rate_per_observed_time\" or \"exclude\"",
        ))),
    }
}

#[pymethods]
impl WindowCounts {
    fn __len__(&self) -> usize {
        self.inner.people().len()
    }

    /// The window labels.
    #[getter]
    fn windows(&self) -> Vec<String> {
        self.inner
            .windows()
            .iter()
            .map(|w| w.label().to_string())
            .collect()
    }

    /// The category codes.
    #[getter]
    fn categories(&self) -> Vec<String> {
        self.inner.categories().to_vec()
    }

    /// Each person's count in one window and category.
    fn counts(&self, py: Python<'_>, window: &str, category: &str) -> PyResult<Py<PyAny>> {
        let v = self.inner.counts(window, category).py_err()?;
        to_py_series(py, Series::new(format!("{window}_{category}").into(), v))
    }

    /// Everyone's total in one window and category.
    fn total(&self, window: &str, category: &str) -> PyResult<f64> {
        self.inner.total(window, category).py_err()
    }

    /// The frame: `row`, `person_id` (pseudonym), `group`, then per window
    /// `{window}_observed_days`, `{window}_days` and `{window}_{category}`.
    fn to_polars(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let c = &self.inner;
        let n = c.people().len();
        let mut cols = vec![
            Column::new("row".into(), (0..n as u64).collect::<Vec<u64>>()),
            Column::new(
                "person_id".into(),
                c.people().iter().map(|p| p.pseudonym()).collect::<Vec<_>>(),
            ),
            Column::new(
                "group".into(),
                c.groups().iter().map(|g| g.code()).collect::<Vec<_>>(),
            ),
        ];
        for w in c.windows() {
            let l = w.label();
            cols.push(Column::new(
                format!("{l}_observed_days").into(),
                c.observed_days(l).py_err()?,
            ));
            cols.push(Column::new(
                format!("{l}_days").into(),
                c.window_days(l).py_err()?,
            ));
            for cat in c.categories() {
                cols.push(Column::new(
                    format!("{l}_{cat}").into(),
                    c.counts(l, cat).py_err()?,
                ));
            }
        }
        to_py_frame(py, frame(cols)?)
    }

    /// One category per person per quarter in a before and an after window,
    /// under a coverage policy (`pre_post::service_use_per_quarter`).
    #[pyo3(signature = (category, before="before", after="after", coverage="rate_per_observed_time", min_fraction=0.5))]
    fn per_quarter(
        &self,
        category: &str,
        before: &str,
        after: &str,
        coverage: &str,
        min_fraction: f64,
    ) -> PyResult<Pairs> {
        let policy = self::coverage(coverage, min_fraction)?;
        let pv = pre_post::service_use_per_quarter(&self.inner, category, before, after, policy)
            .py_err()?;
        Ok(Pairs {
            inner: pv,
            groups: self.inner.groups().to_vec().into(),
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "WindowCounts({} people, windows {:?}, {} categories)",
            self.inner.people().len(),
            self.windows(),
            self.inner.categories().len()
        )
    }
}

/// Count service use per person in windows around each person's start.
#[pyfunction]
#[pyo3(signature = (cohort, events, categories=None, windows=None))]
pub fn window_counts(
    py: Python<'_>,
    cohort: &Cohort,
    events: &ServiceEvents,
    categories: Option<Vec<String>>,
    windows: Option<Vec<(String, i32, i32)>>,
) -> PyResult<WindowCounts> {
    let categories = categories.unwrap_or_else(|| CategorySet::default().codes());
    let windows: Vec<Window> = match windows {
        None => Window::before_after_12_months().to_vec(),
        Some(ws) => ws
            .into_iter()
            .map(|(l, s, e)| Window::new(l, s, e))
            .collect::<outcomes::Result<_>>()
            .py_err()?,
    };
    let (c, e) = (Arc::clone(&cohort.inner), Arc::clone(&events.inner));
    let counts = py
        .detach(|| io::window_counts(&c, &e, &windows, &categories))
        .py_err()?;
    Ok(WindowCounts {
        inner: Arc::new(counts),
    })
}

/// Per-person values before and after, one pair per person kept by the
/// coverage policy, with the frame row each comes from.
#[pyclass(module = "outcomes._outcomes", frozen)]
pub struct Pairs {
    inner: PairedValues,
    /// The frame's group column (by frame row).
    groups: Arc<[Group]>,
}

#[pymethods]
impl Pairs {
    fn __len__(&self) -> usize {
        self.inner.before.len()
    }

    /// Values in the before window.
    #[getter]
    fn before(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py_series(py, Series::new("before".into(), self.inner.before.clone()))
    }

    /// Values in the after window.
    #[getter]
    fn after(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py_series(py, Series::new("after".into(), self.inner.after.clone()))
    }

    /// What the coverage policy did: people, included, excluded,
    /// partly_observed.
    #[getter]
    fn coverage<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(pythonize::pythonize(py, &self.inner.coverage)?)
    }

    /// The pairs of one group (by the frame's group column), as
    /// `(before, after)` Series.
    fn group(&self, py: Python<'_>, group: &str) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
        let g = group_arg(group)?;
        let (b, a) = outcomes::evaluate::group_pairs(&self.inner, &self.groups, g).py_err()?;
        Ok((
            to_py_series(py, Series::new("before".into(), b))?,
            to_py_series(py, Series::new("after".into(), a))?,
        ))
    }

    /// The pairs as a frame: `row`, `person_id` (pseudonym), `group`,
    /// `before`, `after`.
    fn to_polars(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let p = &self.inner;
        let groups: Vec<&str> = p
            .rows
            .iter()
            .map(|&r| self.groups.get(r).map_or("unknown", |g| g.code()))
            .collect();
        to_py_frame(
            py,
            frame(vec![
                Column::new(
                    "row".into(),
                    p.rows.iter().map(|&r| r as u64).collect::<Vec<u64>>(),
                ),
                Column::new(
                    "person_id".into(),
                    p.people.iter().map(|x| x.pseudonym()).collect::<Vec<_>>(),
                ),
                Column::new("group".into(), groups),
                Column::new("before".into(), p.before.clone()),
                Column::new("after".into(), p.after.clone()),
            ])?,
        )
    }

    fn __repr__(&self) -> String {
        format!(
            "Pairs({} pairs; {} left out by the coverage policy)",
            self.inner.before.len(),
            self.inner.coverage.excluded
        )
    }
}

/// The paired statistics of before/after values (`pre_post::paired_statistics`).
#[pyfunction]
#[pyo3(signature = (before, after, confidence=0.95, bootstrap=None, seed=20240101))]
pub fn paired_statistics<'py>(
    py: Python<'py>,
    before: &Bound<'py, PyAny>,
    after: &Bound<'py, PyAny>,
    confidence: f64,
    bootstrap: Option<usize>,
    seed: u64,
) -> PyResult<Bound<'py, PyAny>> {
    let b = f64_arg(before, "before")?;
    let a = f64_arg(after, "after")?;
    let lvl = level(confidence)?;
    let boot = self::bootstrap(bootstrap, seed, confidence)?;
    let s = py
        .detach(|| pre_post::paired_statistics(&b, &a, lvl, boot))
        .py_err()?;
    Ok(pythonize::pythonize(py, &s)?)
}

/// Any use before against after (proportions and McNemar).
#[pyfunction]
#[pyo3(signature = (before, after, confidence=0.95))]
pub fn binary_change<'py>(
    py: Python<'py>,
    before: &Bound<'py, PyAny>,
    after: &Bound<'py, PyAny>,
    confidence: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let b = bool_arg(before, "before")?;
    let a = bool_arg(after, "after")?;
    let s = pre_post::binary_change(&b, &a, level(confidence)?).py_err()?;
    Ok(pythonize::pythonize(py, &s)?)
}

/// Jacobson & Truax reliable change.
#[pyfunction]
#[pyo3(signature = (before, after, sd_baseline, reliability, lower_is_better=true, confidence=0.95))]
pub fn reliable_change<'py>(
    py: Python<'py>,
    before: &Bound<'py, PyAny>,
    after: &Bound<'py, PyAny>,
    sd_baseline: f64,
    reliability: f64,
    lower_is_better: bool,
    confidence: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let b = f64_arg(before, "before")?;
    let a = f64_arg(after, "after")?;
    let direction = if lower_is_better {
        Direction::LowerIsBetter
    } else {
        Direction::HigherIsBetter
    };
    let params = ReliableChangeParams::new(sd_baseline, reliability, direction).py_err()?;
    let r = stats::reliable_change(&b, &a, params, level(confidence)?).py_err()?;
    Ok(pythonize::pythonize(py, &r)?)
}

/// Descriptive statistics of one sample.
#[pyfunction]
pub fn describe<'py>(py: Python<'py>, values: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let x = f64_arg(values, "values")?;
    Ok(pythonize::pythonize(py, &stats::describe(&x).py_err()?)?)
}

/// A seeded bootstrap of a mean (percentile and BCa intervals).
#[pyfunction]
#[pyo3(signature = (values, resamples=9999, seed=20240101, confidence=0.95))]
pub fn bootstrap_mean<'py>(
    py: Python<'py>,
    values: &Bound<'py, PyAny>,
    resamples: usize,
    seed: u64,
    confidence: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let x = f64_arg(values, "values")?;
    let cfg = BootstrapConfig::new(resamples, seed, level(confidence)?).py_err()?;
    let r = py.detach(|| stats::bootstrap_mean(&x, cfg)).py_err()?;
    Ok(pythonize::pythonize(py, &r)?)
}

/// Each person's NDT baseline and follow-up (`ndt::baseline_follow_up`):
/// the frame of selected people and the selection counts.
#[pyfunction]
#[pyo3(signature = (cohort, assessments, group=None, follow_up_months=12, partial="undefined"))]
pub fn ndt_baseline_follow_up<'py>(
    py: Python<'py>,
    cohort: &Cohort,
    assessments: &NdtAssessments,
    group: Option<&str>,
    follow_up_months: u32,
    partial: &str,
) -> PyResult<(Py<PyAny>, Bound<'py, PyAny>)> {
    let g = group.map(group_arg).transpose()?;
    let policy = partial_policy(partial)?;
    let starts = cohort
        .inner
        .members()
        .iter()
        .filter(|m| g.is_none_or(|g| m.group == g))
        .map(|m| (&m.person, m.index_date));
    let rule = SelectionRule {
        follow_up_months,
        ..SelectionRule::default()
    };
    let (changes, counts) =
        ndt::baseline_follow_up(starts, &assessments.inner.assessments, rule, policy).py_err()?;
    let days = |d: chrono::NaiveDate| Some(crate::load::epoch_days(d));
    let df = frame(vec![
        Column::new(
            "person_id".into(),
            changes
                .iter()
                .map(|c| c.person.pseudonym())
                .collect::<Vec<_>>(),
        ),
        date_column(
            "baseline_date",
            changes.iter().map(|c| days(c.baseline_date)).collect(),
        )?,
        date_column(
            "follow_up_date",
            changes.iter().map(|c| days(c.follow_up_date)).collect(),
        )?,
        Column::new(
            "baseline_total".into(),
            changes.iter().map(|c| c.baseline_total).collect::<Vec<_>>(),
        ),
        Column::new(
            "follow_up_total".into(),
            changes
                .iter()
                .map(|c| c.follow_up_total)
                .collect::<Vec<_>>(),
        ),
    ])?;
    let d = pyo3::types::PyDict::new(py);
    d.set_item("people", counts.people)?;
    d.set_item("with_both", counts.with_both)?;
    d.set_item("no_baseline", counts.no_baseline)?;
    d.set_item("no_follow_up", counts.no_follow_up)?;
    Ok((to_py_frame(py, df)?, d.into_any()))
}
