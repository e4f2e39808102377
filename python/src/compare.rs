//! Propensity scores, nearest-neighbour matching and balance, the matched
//! comparison and the difference in differences.

use polars::prelude::*;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use outcomes::compare::report::{
    run_did, run_matched_comparison, CovariateKind, CovariateSpec, CsvTable, DidSpec,
    MatchedComparisonSpec,
};
use outcomes::compare::{
    balance as rs_balance, BalanceTable, Caliper, Covariate, Discard, Link, MatchOrder,
    NearestNeighbour, PropensityModel, Ratio, Replacement, Sample, ScoreScale, VariableKind,
};
use outcomes::Error;

use crate::errors::{to_py, IntoPy};
use crate::frames::{
    bool_arg, bool_values, data_frame, f64_arg, f64_values, frame, frame_csv, is_numeric,
    text_values, to_py_frame, to_py_series,
};
use crate::stats::level;

/// The covariates named in `names`, read from `df`: a numeric column is a
/// numeric covariate, any other (text, categorical) a categorical one.
pub fn covariates(df: &DataFrame, names: &[String]) -> PyResult<Vec<Covariate>> {
    names
        .iter()
        .map(|n| {
            let s = df
                .column(n)
                .map_err(|_| {
                    let present: Vec<String> = df
                        .get_column_names()
                        .iter()
                        .map(|c| c.to_string())
                        .collect();
                    to_py(Error::missing_column("frame", n, &present, &[n.as_str()]))
                })?
                .as_materialized_series()
                .clone();
            if is_numeric(&s) {
                Ok(Covariate::numeric(n, f64_values(&s, n)?))
            } else {
                Ok(Covariate::categorical(n, text_values(&s, n)?))
            }
        })
        .collect()
}

fn column(df: &DataFrame, name: &str) -> PyResult<Series> {
    df.column(name)
        .map(|c| c.as_materialized_series().clone())
        .map_err(|_| {
            let present: Vec<String> = df
                .get_column_names()
                .iter()
                .map(|c| c.to_string())
                .collect();
            to_py(Error::missing_column("frame", name, &present, &[name]))
        })
}

fn link(l: &str) -> PyResult<Link> {
    match l {
        "logit" => Ok(Link::Logit),
        "probit" => Ok(Link::Probit),
        _ => Err(to_py(Error::invalid_parameter(
            "link",
            l,
            "must be \"logit\" or \"probit\"",
        ))),
    }
}

/// Fit a propensity score (`glm(treat ~ covariates, family = binomial)`):
/// the model (coefficients, deviance, AIC...) and the scores on both scales.
#[pyfunction]
#[pyo3(signature = (data, treatment, covariates, link="logit"))]
pub fn propensity_score<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    treatment: &str,
    covariates: Vec<String>,
    link: &str,
) -> PyResult<(Bound<'py, PyDict>, Py<PyAny>, Py<PyAny>)> {
    let df = data_frame(data)?;
    let treated = bool_values(&column(&df, treatment)?, treatment)?;
    let cov = self::covariates(&df, &covariates)?;
    let l = self::link(link)?;
    let model = py
        .detach(|| PropensityModel::fit(&cov, &treated, l))
        .py_err()?;
    let fit = &model.fit;
    let d = PyDict::new(py);
    d.set_item("link", link)?;
    let coefs = PyList::empty(py);
    for c in &fit.coefficients {
        let e = PyDict::new(py);
        e.set_item("term", &c.term.name)?;
        e.set_item("estimate", c.estimate)?;
        e.set_item("std_error", c.std_error)?;
        e.set_item("z", c.z)?;
        e.set_item("p_value", c.p_value)?;
        coefs.append(e)?;
    }
    d.set_item("coefficients", coefs)?;
    d.set_item("deviance", fit.deviance)?;
    d.set_item("null_deviance", fit.null_deviance)?;
    d.set_item("aic", fit.aic)?;
    d.set_item("log_likelihood", fit.log_likelihood)?;
    d.set_item("iterations", fit.iterations)?;
    let score = to_py_series(
        py,
        Series::new("score".into(), model.scores(ScoreScale::Probability)),
    )?;
    let linear = to_py_series(
        py,
        Series::new("linear_predictor".into(), model.scores(ScoreScale::Linear)),
    )?;
    Ok((d, score, linear))
}

/// The result of nearest-neighbour matching, kept on the Rust side (so that
/// `balance` and the cost offset take it without a round trip); its parts
/// come out as polars frames on request.
#[pyclass(module = "outcomes._outcomes", frozen)]
pub struct Matching {
    pub inner: outcomes::compare::Matching,
}

fn group_counts<'py>(
    py: Python<'py>,
    g: &outcomes::compare::GroupCounts,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("all", g.all)?;
    d.set_item("matched", g.matched)?;
    d.set_item("unmatched", g.unmatched)?;
    d.set_item("discarded", g.discarded)?;
    Ok(d)
}

#[pymethods]
impl Matching {
    /// Matched, unmatched and discarded units per group (MatchIt
    /// `summary()$nn`): `{"treated": {...}, "control": {...}}`.
    #[getter]
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("treated", group_counts(py, &self.inner.counts.treated)?)?;
        d.set_item("control", group_counts(py, &self.inner.counts.control)?)?;
        Ok(d)
    }

    /// The caliper in score units, if one was used.
    #[getter]
    fn caliper_width(&self) -> Option<f64> {
        self.inner.caliper_width
    }

    /// Matched pairs, one row per (treated, control): `treated`, `control`
    /// (0-based rows), `subclass` (null with replacement).
    fn pairs(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let (mut t, mut c, mut s) = (Vec::new(), Vec::new(), Vec::new());
        for set in &self.inner.sets {
            for &ctl in &set.controls {
                t.push(set.treated as u64);
                c.push(ctl as u64);
                s.push(set.subclass.map(|x| x as u64));
            }
        }
        to_py_frame(
            py,
            frame(vec![
                Column::new("treated".into(), t),
                Column::new("control".into(), c),
                Column::new("subclass".into(), s),
            ])?,
        )
    }

    /// One row per unit: `row`, `weight` (MatchIt's ATT weights),
    /// `subclass` and `discarded`.
    fn to_polars(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let m = &self.inner;
        let n = m.weights.len();
        let subclass: Vec<Option<u64>> = match &m.subclass {
            Some(s) => s.iter().map(|x| x.map(|v| v as u64)).collect(),
            None => vec![None; n],
        };
        to_py_frame(
            py,
            frame(vec![
                Column::new("row".into(), (0..n as u64).collect::<Vec<u64>>()),
                Column::new("weight".into(), m.weights.clone()),
                Column::new("subclass".into(), subclass),
                Column::new("discarded".into(), m.discarded.clone()),
            ])?,
        )
    }

    /// The matching weights as a Series.
    #[getter]
    fn weights(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_py_series(py, Series::new("weight".into(), self.inner.weights.clone()))
    }

    fn __repr__(&self) -> String {
        let c = &self.inner.counts;
        format!(
            "Matching(treated matched {} of {}, controls matched {} of {})",
            c.treated.matched, c.treated.all, c.control.matched, c.control.all
        )
    }
}

/// The matcher the options describe.
#[allow(clippy::too_many_arguments)]
pub fn matcher(
    ratio: usize,
    caliper_sd: Option<f64>,
    caliper: Option<f64>,
    replace: bool,
    order: &str,
    seed: Option<u64>,
    discard: &str,
) -> PyResult<NearestNeighbour> {
    let caliper = match (caliper_sd, caliper) {
        (Some(_), Some(_)) => {
            return Err(to_py(Error::invalid_parameter(
                "caliper",
                "both",
                "give caliper_sd or caliper, not both",
            )))
        }
        (Some(w), None) => Some(Caliper::standard_deviations(w).py_err()?),
        (None, Some(w)) => Some(Caliper::absolute(w).py_err()?),
        (None, None) => None,
    };
    let order = match order {
        "largest" => MatchOrder::Largest,
        "smallest" => MatchOrder::Smallest,
        "data" => MatchOrder::Data,
        "random" => MatchOrder::Random {
            seed: seed.unwrap_or(20_240_101),
        },
        _ => {
            return Err(to_py(Error::invalid_parameter(
                "order",
                order,
                "must be \"largest\", \"smallest\", \"data\" or \"random\"",
            )))
        }
    };
    let discard = match discard {
        "none" => Discard::None,
        "treated" => Discard::Treated,
        "control" => Discard::Control,
        "both" => Discard::Both,
        _ => {
            return Err(to_py(Error::invalid_parameter(
                "discard",
                discard,
                "must be \"none\", \"treated\", \"control\" or \"both\"",
            )))
        }
    };
    Ok(NearestNeighbour {
        ratio: Ratio::new(ratio).py_err()?,
        replacement: if replace {
            Replacement::With
        } else {
            Replacement::Without
        },
        caliper,
        order,
        discard,
        ..NearestNeighbour::default()
    })
}

/// Nearest-neighbour matching on a score (MatchIt `method = "nearest"`).
#[pyfunction]
#[pyo3(signature = (score, treated, ratio=1, caliper_sd=None, caliper=None, replace=false, order="largest", seed=None, discard="none"))]
#[allow(clippy::too_many_arguments)]
pub fn nearest_neighbour(
    py: Python<'_>,
    score: &Bound<'_, PyAny>,
    treated: &Bound<'_, PyAny>,
    ratio: usize,
    caliper_sd: Option<f64>,
    caliper: Option<f64>,
    replace: bool,
    order: &str,
    seed: Option<u64>,
    discard: &str,
) -> PyResult<Matching> {
    let d = f64_arg(score, "score")?;
    let t = bool_arg(treated, "treated")?;
    let m = matcher(ratio, caliper_sd, caliper, replace, order, seed, discard)?;
    let out = py.detach(|| m.run(&d, &t, &[])).py_err()?;
    Ok(Matching { inner: out })
}

fn balance_frame(t: &BalanceTable) -> PyResult<DataFrame> {
    let r = &t.rows;
    let kind = |k: VariableKind| match k {
        VariableKind::Distance => "distance",
        VariableKind::Binary => "binary",
        VariableKind::Continuous => "continuous",
    };
    frame(vec![
        Column::new(
            "name".into(),
            r.iter().map(|x| x.name.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "kind".into(),
            r.iter().map(|x| kind(x.kind)).collect::<Vec<_>>(),
        ),
        Column::new(
            "mean_treated".into(),
            r.iter().map(|x| x.mean_treated).collect::<Vec<_>>(),
        ),
        Column::new(
            "mean_control".into(),
            r.iter().map(|x| x.mean_control).collect::<Vec<_>>(),
        ),
        Column::new(
            "smd_treated_sd".into(),
            r.iter().map(|x| x.smd_treated_sd).collect::<Vec<_>>(),
        ),
        Column::new(
            "smd_pooled_sd".into(),
            r.iter().map(|x| x.smd_pooled_sd).collect::<Vec<_>>(),
        ),
        Column::new(
            "variance_ratio".into(),
            r.iter().map(|x| x.variance_ratio).collect::<Vec<_>>(),
        ),
        Column::new(
            "ecdf_mean".into(),
            r.iter().map(|x| x.ecdf_mean).collect::<Vec<_>>(),
        ),
        Column::new(
            "ecdf_max".into(),
            r.iter().map(|x| x.ecdf_max).collect::<Vec<_>>(),
        ),
        Column::new(
            "std_pair_distance".into(),
            r.iter().map(|x| x.std_pair_distance).collect::<Vec<_>>(),
        ),
    ])
}

/// Covariate balance before and after matching (MatchIt `summary()`
/// conventions, with cobalt's pooled-SD SMD): `(before, after)` frames,
/// `after` None without a matching.
#[pyfunction]
#[pyo3(signature = (data, treatment, covariates, score=None, matching=None))]
pub fn balance(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    treatment: &str,
    covariates: Vec<String>,
    score: Option<&Bound<'_, PyAny>>,
    matching: Option<&Matching>,
) -> PyResult<(Py<PyAny>, Option<Py<PyAny>>)> {
    let df = data_frame(data)?;
    let treated = bool_values(&column(&df, treatment)?, treatment)?;
    let cov = self::covariates(&df, &covariates)?;
    let d = score.map(|s| f64_arg(s, "score")).transpose()?;
    let r = rs_balance(&cov, &treated, d.as_deref(), matching.map(|m| &m.inner)).py_err()?;
    debug_assert!(r.before.sample == Sample::All);
    let before = to_py_frame(py, balance_frame(&r.before)?)?;
    let after = r
        .after
        .as_ref()
        .map(|a| balance_frame(a).and_then(|f| to_py_frame(py, f)))
        .transpose()?;
    Ok((before, after))
}

/// A frame as the library's `CsvTable` (every cell written as text the way
/// its CSV reader reads it back), with its identifier columns declared.
fn table(df: &DataFrame, source: &str, id_columns: &[String]) -> PyResult<CsvTable> {
    let bytes = frame_csv(df)?;
    let mut t = CsvTable::from_reader(source, bytes.as_slice()).py_err()?;
    t.declare_identifiers(id_columns).py_err()?;
    Ok(t)
}

fn covariate_specs(
    covariates: Vec<String>,
    kinds: Option<std::collections::BTreeMap<String, String>>,
) -> PyResult<Vec<CovariateSpec>> {
    let kinds = kinds.unwrap_or_default();
    covariates
        .into_iter()
        .map(|c| {
            let kind = match kinds.get(&c).map(String::as_str) {
                None | Some("auto") => CovariateKind::Auto,
                Some("numeric") => CovariateKind::Numeric,
                Some("categorical") => CovariateKind::Categorical,
                Some(k) => {
                    return Err(to_py(Error::invalid_parameter(
                        "kinds",
                        format!("{c}: {k}"),
                        "a kind is \"auto\", \"numeric\" or \"categorical\"",
                    )))
                }
            };
            Ok(CovariateSpec { column: c, kind })
        })
        .collect()
}

/// The matched comparison of a frame: logistic score, nearest-neighbour
/// matching, balance, and the effect on the treated with pair-clustered
/// errors (`compare::report::run_matched_comparison`, as `outcomes match`).
#[pyfunction]
#[pyo3(signature = (data, treatment, covariates, outcome, ratio=1, caliper_sd=None, replace=false, exact=None, order="largest", kinds=None, id_columns=None, confidence=0.95, source="frame"))]
#[allow(clippy::too_many_arguments)]
pub fn matched_comparison<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    treatment: &str,
    covariates: Vec<String>,
    outcome: &str,
    ratio: usize,
    caliper_sd: Option<f64>,
    replace: bool,
    exact: Option<Vec<String>>,
    order: &str,
    kinds: Option<std::collections::BTreeMap<String, String>>,
    id_columns: Option<Vec<String>>,
    confidence: f64,
    source: &str,
) -> PyResult<(Bound<'py, PyAny>, Py<PyAny>)> {
    let df = data_frame(data)?;
    let t = table(&df, source, &id_columns.unwrap_or_default())?;
    let m = matcher(ratio, caliper_sd, None, replace, order, None, "none")?;
    let spec = MatchedComparisonSpec {
        covariates: covariate_specs(covariates, kinds)?,
        ratio: m.ratio,
        caliper: m.caliper,
        replacement: m.replacement,
        exact: exact.unwrap_or_default(),
        order: m.order,
        level: level(confidence)?,
        ..MatchedComparisonSpec::new(treatment, &[], outcome)
    };
    let mut report = py.detach(|| run_matched_comparison(&t, &spec)).py_err()?;
    // The matched sets (one per treated unit) as a frame, not a list of dicts.
    let sets = std::mem::take(&mut report.matched_sets);
    let mut rows = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for s in &sets {
        let controls: Vec<u64> = s.control_rows.iter().map(|&r| r as u64).collect();
        rows.0.push(s.treated_row as u64);
        rows.1.push(Series::new("".into(), controls));
        rows.2
            .push(Series::new("".into(), s.control_weights.clone()));
        rows.3.push(s.subclass.map(|x| x as u64));
    }
    let sets_df = frame(vec![
        Column::new("treated_row".into(), rows.0),
        Column::new("control_rows".into(), rows.1),
        Column::new("control_weights".into(), rows.2),
        Column::new(
            "treated_weight".into(),
            sets.iter().map(|s| s.treated_weight).collect::<Vec<f64>>(),
        ),
        Column::new("subclass".into(), rows.3),
    ])?;
    Ok((
        pythonize::pythonize(py, &report)?,
        to_py_frame(py, sets_df)?,
    ))
}

/// The 2×2 difference in differences of a frame (cell means and
/// `lm(y ~ treat * post)` with iid, HC1 and CR1 errors;
/// `compare::report::run_did`, as `outcomes did`).
#[pyfunction]
#[pyo3(signature = (data, unit, time, treated, post, outcome, cluster=None, confidence=0.95, source="frame"))]
#[allow(clippy::too_many_arguments)]
pub fn did<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    unit: &str,
    time: &str,
    treated: &str,
    post: &str,
    outcome: &str,
    cluster: Option<String>,
    confidence: f64,
    source: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let df = data_frame(data)?;
    let t = table(&df, source, &[unit.to_string()])?;
    let spec = DidSpec {
        cluster,
        level: level(confidence)?,
        ..DidSpec::new(unit, time, treated, post, outcome)
    };
    let report = py.detach(|| run_did(&t, &spec)).py_err()?;
    Ok(pythonize::pythonize(py, &report)?)
}
