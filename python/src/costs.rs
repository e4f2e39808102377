//! Unit costs, deflators, the pre/post cost comparison on the per-person
//! frame, the offset against a matched comparison group, and the Green Book
//! cost-benefit analysis.

use std::collections::BTreeMap;
use std::path::PathBuf;

use polars::prelude::*;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use outcomes::cohort::Group;
use outcomes::costs::costing::{pre_post_columns, CategoryColumns};
use outcomes::costs::{
    self, cba, Agency, BenefitStream, CbaParameters, ConfidenceGrade, CostCategory, CostingOptions,
    Counterfactual, DeflatorSeries, Gbp, MatchedCosts, PriceYear, Proportion, SensitivitySpec,
    UnitCostTable, ValueType,
};
use outcomes::stats::{BootstrapConfig, Interval};
use outcomes::{Error, Location};

use crate::compare::Matching;
use crate::errors::{to_py, IntoPy};
use crate::frames::{f64_arg, f64_values, frame, series, text_values, to_py_frame};
use crate::stats::{group_arg, level, WindowCounts};

/// A table of unit costs (one chosen per service category).
#[pyclass(module = "outcomes._outcomes", frozen)]
pub struct UnitCosts {
    pub inner: UnitCostTable,
}

#[pymethods]
impl UnitCosts {
    /// The shipped ILLUSTRATIVE table (GMCA Unit Cost Database v1.4 values
    /// in their original price years): not for a real evaluation.
    #[staticmethod]
    fn illustrative() -> PyResult<Self> {
        Ok(UnitCosts {
            inner: UnitCostTable::illustrative().py_err()?,
        })
    }

    /// A table from a CSV file.
    #[staticmethod]
    fn from_csv(path: PathBuf) -> PyResult<Self> {
        Ok(UnitCosts {
            inner: UnitCostTable::from_csv_path(path).py_err()?,
        })
    }

    /// Of `categories`, those with a unit cost, in the order given.
    fn costed(&self, categories: Vec<String>) -> Vec<String> {
        categories
            .into_iter()
            .filter(|c| CostCategory::new(c.as_str()).is_ok_and(|k| self.inner.chosen(&k).is_ok()))
            .collect()
    }

    /// The chosen entries: `category`, `code`, `description`, `agency`,
    /// `value`, `price_year`, `value_type`, `source`.
    fn to_polars(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let e = self.inner.entries();
        to_py_frame(
            py,
            frame(vec![
                Column::new(
                    "category".into(),
                    e.iter().map(|u| u.category().as_str()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "code".into(),
                    e.iter().map(|u| u.code()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "description".into(),
                    e.iter().map(|u| u.description()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "agency".into(),
                    e.iter().map(|u| u.agency().to_string()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "value".into(),
                    e.iter().map(|u| u.value().amount()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "price_year".into(),
                    e.iter()
                        .map(|u| u.value().price_year().to_string())
                        .collect::<Vec<_>>(),
                ),
                Column::new(
                    "value_type".into(),
                    e.iter()
                        .map(|u| format!("{:?}", u.value_type()).to_lowercase())
                        .collect::<Vec<_>>(),
                ),
                Column::new(
                    "source".into(),
                    e.iter().map(|u| u.source()).collect::<Vec<_>>(),
                ),
            ])?,
        )
    }
}

/// A GDP-deflator series, to re-base money to one price year.
#[pyclass(module = "outcomes._outcomes", frozen)]
pub struct Deflators {
    pub inner: DeflatorSeries,
}

#[pymethods]
impl Deflators {
    /// The shipped ILLUSTRATIVE series (an approximation of HM Treasury's).
    #[staticmethod]
    fn illustrative() -> PyResult<Self> {
        Ok(Deflators {
            inner: DeflatorSeries::illustrative().py_err()?,
        })
    }

    /// A series from a CSV file.
    #[staticmethod]
    fn from_csv(path: PathBuf) -> PyResult<Self> {
        Ok(Deflators {
            inner: DeflatorSeries::from_csv_path(path).py_err()?,
        })
    }
}

fn rows_arg(obj: Option<&Bound<'_, PyAny>>, n: usize) -> PyResult<Vec<usize>> {
    match obj {
        None => Ok((0..n).collect()),
        Some(o) => {
            let v = f64_values(&series(o, "rows")?, "rows")?;
            v.into_iter()
                .enumerate()
                .map(|(i, x)| {
                    if x >= 0.0 && x.fract() == 0.0 && (x as usize) < n {
                        Ok(x as usize)
                    } else {
                        Err(to_py(Error::invalid_value(
                            Location::source("rows").row(i as u64 + 1),
                            x.to_string(),
                            format!("a row of the per-person frame (0 to {})", n - 1),
                        )))
                    }
                })
                .collect()
        }
    }
}

fn gbp_dict<'py>(
    py: Python<'py>,
    by: &BTreeMap<Agency, costs::AgencyChange>,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (a, c) in by {
        let e = PyDict::new(py);
        e.set_item("pre", c.pre.amount())?;
        e.set_item("post", c.post.amount())?;
        e.set_item("change", c.change.amount())?;
        d.set_item(a.to_string(), e)?;
    }
    Ok(d)
}

/// The pre/post cost comparison of the rows `rows` of a per-person frame
/// (`costs::costing::pre_post_columns`: each category's before and after
/// counts priced at the chosen unit cost, re-based to `price_year`): the
/// summary, and one row per person (`row`, `person_id`, `pre`, `post`,
/// `change`, `net_saving`).
#[pyfunction]
#[pyo3(signature = (counts, unit_costs, deflators, price_year, programme_cost_per_person=0.0, rows=None, categories=None, before="before", after="after"))]
#[allow(clippy::too_many_arguments)]
pub fn cost_pre_post<'py>(
    py: Python<'py>,
    counts: &WindowCounts,
    unit_costs: &UnitCosts,
    deflators: &Deflators,
    price_year: &str,
    programme_cost_per_person: f64,
    rows: Option<&Bound<'py, PyAny>>,
    categories: Option<Vec<String>>,
    before: &str,
    after: &str,
) -> PyResult<(Bound<'py, PyDict>, Py<PyAny>)> {
    let c = &counts.inner;
    let target = PriceYear::parse(price_year).py_err()?;
    let options = CostingOptions::new(target);
    let cats: Vec<String> = categories.unwrap_or_else(|| {
        c.categories()
            .iter()
            .filter(|k| {
                CostCategory::new(k.as_str()).is_ok_and(|k| unit_costs.inner.chosen(&k).is_ok())
            })
            .cloned()
            .collect()
    });
    let rows = rows_arg(rows, c.people().len())?;
    let mut data = Vec::with_capacity(cats.len());
    for k in &cats {
        data.push((
            CostCategory::new(k.as_str()).py_err()?,
            c.counts(before, k).py_err()?,
            c.counts(after, k).py_err()?,
        ));
    }
    let columns: Vec<CategoryColumns<'_>> = data
        .iter()
        .map(|(category, b, a)| CategoryColumns {
            category,
            before: b,
            after: a,
        })
        .collect();
    let people: Vec<String> = rows
        .iter()
        .map(|&r| c.people()[r].pseudonym().to_string())
        .collect();
    let programme = Gbp::non_negative(programme_cost_per_person, target).py_err()?;
    let cmp = py
        .detach(|| {
            pre_post_columns(
                &people,
                &rows,
                &columns,
                &unit_costs.inner,
                &deflators.inner,
                &options,
                programme,
            )
        })
        .py_err()?;
    let d = PyDict::new(py);
    d.set_item("price_year", target.to_string())?;
    d.set_item("categories", cats)?;
    d.set_item("n", cmp.n)?;
    d.set_item("total_pre", cmp.total_pre.amount())?;
    d.set_item("total_post", cmp.total_post.amount())?;
    d.set_item("total_change", cmp.total_change.amount())?;
    d.set_item("mean_pre", cmp.mean_pre.amount())?;
    d.set_item("mean_post", cmp.mean_post.amount())?;
    d.set_item("mean_change", cmp.mean_change.amount())?;
    d.set_item(
        "programme_cost_per_person",
        cmp.programme_cost_per_person.amount(),
    )?;
    d.set_item("mean_net_saving", cmp.mean_net_saving.amount())?;
    d.set_item("total_net_saving", cmp.total_net_saving.amount())?;
    d.set_item("by_agency", gbp_dict(py, &cmp.by_agency)?)?;
    let p = &cmp.people;
    let df = frame(vec![
        Column::new(
            "row".into(),
            rows.iter().map(|&r| r as u64).collect::<Vec<u64>>(),
        ),
        Column::new(
            "person_id".into(),
            p.iter().map(|x| x.person.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "pre".into(),
            p.iter().map(|x| x.pre.amount()).collect::<Vec<_>>(),
        ),
        Column::new(
            "post".into(),
            p.iter().map(|x| x.post.amount()).collect::<Vec<_>>(),
        ),
        Column::new(
            "change".into(),
            p.iter().map(|x| x.change.amount()).collect::<Vec<_>>(),
        ),
        Column::new(
            "net_saving".into(),
            p.iter().map(|x| x.net_saving.amount()).collect::<Vec<_>>(),
        ),
    ])?;
    Ok((d, to_py_frame(py, df)?))
}

fn interval<'py>(py: Python<'py>, i: &Interval) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("lower", i.lower)?;
    d.set_item("upper", i.upper)?;
    Ok(d)
}

fn group_costs<'py>(py: Python<'py>, g: &costs::GroupCosts) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("n", g.n)?;
    d.set_item("weight", g.weight)?;
    d.set_item("mean_pre", g.mean_pre.amount())?;
    d.set_item("mean_post", g.mean_post.amount())?;
    d.set_item("mean_change", g.mean_change.amount())?;
    Ok(d)
}

/// The cost offset against a matched comparison group
/// (`costs::comparison_offset`): the difference in mean change in cost with
/// a bootstrap over matched sets and the CR1 standard error, net of the
/// programme cost. `groups`, `pre` and `post` have one value per row matched
/// on, amounts in `price_year`.
#[pyfunction]
#[pyo3(signature = (matching, groups, pre, post, price_year, programme_cost_per_person=0.0, resamples=9999, seed=20240101, confidence=0.95))]
#[allow(clippy::too_many_arguments)]
pub fn matched_cost_offset<'py>(
    py: Python<'py>,
    matching: &Matching,
    groups: &Bound<'py, PyAny>,
    pre: &Bound<'py, PyAny>,
    post: &Bound<'py, PyAny>,
    price_year: &str,
    programme_cost_per_person: f64,
    resamples: usize,
    seed: u64,
    confidence: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let year = PriceYear::parse(price_year).py_err()?;
    let g: Vec<Group> = text_values(&series(groups, "groups")?, "groups")?
        .iter()
        .map(|x| group_arg(x))
        .collect::<PyResult<_>>()?;
    let money = |v: Vec<f64>| -> PyResult<Vec<Gbp>> {
        v.into_iter().map(|x| Gbp::new(x, year).py_err()).collect()
    };
    let pre = money(f64_arg(pre, "pre")?)?;
    let post = money(f64_arg(post, "post")?)?;
    let set = MatchedCosts::from_matching(&matching.inner, &g, &pre, &post).py_err()?;
    let boot = BootstrapConfig::new(resamples, seed, level(confidence)?).py_err()?;
    let programme = Gbp::non_negative(programme_cost_per_person, year).py_err()?;
    let o = py
        .detach(|| costs::comparison_offset(&set, programme, boot))
        .py_err()?;
    let d = PyDict::new(py);
    d.set_item("programme", group_costs(py, &o.programme)?)?;
    d.set_item("comparison", group_costs(py, &o.comparison)?)?;
    d.set_item("sets", o.sets)?;
    d.set_item("did", o.did.amount())?;
    d.set_item("did_bootstrap", pythonize::pythonize(py, &o.did_bootstrap)?)?;
    d.set_item(
        "did_cluster_robust",
        pythonize::pythonize(py, &o.did_cluster_robust)?,
    )?;
    d.set_item(
        "programme_cost_per_person",
        o.programme_cost_per_person.amount(),
    )?;
    d.set_item("net_offset_per_person", o.net_offset_per_person.amount())?;
    d.set_item(
        "net_offset_percentile",
        interval(py, &o.net_offset_percentile)?,
    )?;
    d.set_item(
        "net_offset_bca",
        o.net_offset_bca
            .as_ref()
            .map(|i| interval(py, i))
            .transpose()?,
    )?;
    Ok(d)
}

fn value_type(v: &str) -> PyResult<ValueType> {
    match v {
        "fiscal" => Ok(ValueType::Fiscal),
        "economic" => Ok(ValueType::Economic),
        "social" => Ok(ValueType::Social),
        _ => Err(to_py(Error::invalid_parameter(
            "value_type",
            v,
            "must be \"fiscal\", \"economic\" or \"social\"",
        ))),
    }
}

/// The Green Book cost-benefit analysis (`costs::cba::appraise` and its
/// one-way `sensitivity`). Each stream is a dict: `label`, `agency`,
/// `annual_gross` (year-1 gross benefit for the cohort), and either
/// `comparison_change` (the comparison group's change, same terms) or
/// `deadweight`; `attribution`, `confidence_grade` (1–6) and `value_type`.
#[pyfunction]
#[pyo3(signature = (streams, costs_by_year, price_year, horizon_years=5, dropoff=0.0))]
pub fn cost_benefit<'py>(
    py: Python<'py>,
    streams: Vec<Bound<'py, PyDict>>,
    costs_by_year: Vec<f64>,
    price_year: &str,
    horizon_years: u32,
    dropoff: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let year = PriceYear::parse(price_year).py_err()?;
    let get =
        |d: &Bound<'py, PyDict>, k: &str| -> PyResult<Option<Bound<'py, PyAny>>> { d.get_item(k) };
    let key = |k: &str, e: Error| to_py(Error::invalid_parameter(k, "", e.to_string()));
    let mut out = Vec::with_capacity(streams.len());
    for s in &streams {
        let req = |k: &str| -> PyResult<Bound<'py, PyAny>> {
            get(s, k)?.ok_or_else(|| {
                to_py(Error::invalid_parameter(
                    format!("streams.{k}"),
                    "(missing)",
                    "every benefit stream needs it",
                ))
            })
        };
        let label: String = req("label")?.extract()?;
        let agency: String = req("agency")?.extract()?;
        let gross: f64 = req("annual_gross")?.extract()?;
        let counterfactual = match (get(s, "comparison_change")?, get(s, "deadweight")?) {
            (Some(c), None) => {
                Counterfactual::ComparisonGroup(Gbp::new(c.extract()?, year).py_err()?)
            }
            (None, Some(d)) => Counterfactual::Deadweight(
                Proportion::new(d.extract()?).map_err(|e| key("streams.deadweight", e))?,
            ),
            _ => {
                return Err(to_py(Error::invalid_parameter(
                    "streams.counterfactual",
                    &label,
                    "give one of comparison_change or deadweight",
                )))
            }
        };
        let attribution: f64 = match get(s, "attribution")? {
            Some(a) => a.extract()?,
            None => 0.0,
        };
        let grade: u8 = match get(s, "confidence_grade")? {
            Some(g) => g.extract()?,
            None => 3,
        };
        let vt: String = match get(s, "value_type")? {
            Some(v) => v.extract()?,
            None => "fiscal".into(),
        };
        out.push(BenefitStream {
            label,
            agency: Agency::parse_at(&agency, Location::source("streams").column("agency"))
                .py_err()?,
            value_type: value_type(&vt)?,
            annual_gross: Gbp::new(gross, year).py_err()?,
            counterfactual,
            attribution: Proportion::new(attribution).map_err(|e| key("attribution", e))?,
            confidence: ConfidenceGrade::new(grade).map_err(|e| key("confidence_grade", e))?,
        });
    }
    let costs: Vec<Gbp> = costs_by_year
        .iter()
        .map(|c| Gbp::non_negative(*c, year).py_err())
        .collect::<PyResult<_>>()?;
    let params = CbaParameters {
        horizon_years,
        dropoff: Proportion::new(dropoff).map_err(|e| key("dropoff", e))?,
        ..CbaParameters::default()
    };
    let res = cba::appraise(&out, &costs, &params).py_err()?;
    let sens = cba::sensitivity(&out, &costs, &params, &SensitivitySpec::default_set()).py_err()?;
    let d = PyDict::new(py);
    d.set_item("price_year", res.price_year.to_string())?;
    d.set_item("discounting", &res.discounting)?;
    d.set_item("pv_benefits", res.pv_benefits.amount())?;
    d.set_item("pv_fiscal", res.pv_fiscal.amount())?;
    d.set_item("pv_economic", res.pv_economic.amount())?;
    d.set_item("pv_social", res.pv_social.amount())?;
    d.set_item("pv_costs", res.pv_costs.amount())?;
    d.set_item("npv", res.npv.amount())?;
    d.set_item("benefit_cost_ratio", res.benefit_cost_ratio)?;
    d.set_item("fiscal_roi", res.fiscal_roi)?;
    d.set_item("economic_roi", res.economic_roi)?;
    d.set_item("public_value_roi", res.public_value_roi)?;
    d.set_item("payback_year", res.payback_year)?;
    let by = PyDict::new(py);
    for (a, v) in &res.pv_by_agency {
        by.set_item(a.to_string(), v.amount())?;
    }
    d.set_item("pv_by_agency", by)?;
    let years = PyList::empty(py);
    for y in &res.years {
        let e = PyDict::new(py);
        e.set_item("year", y.year)?;
        e.set_item("discount_factor", y.discount_factor)?;
        e.set_item("benefits", y.benefits.amount())?;
        e.set_item("costs", y.costs.amount())?;
        e.set_item("pv_benefits", y.pv_benefits.amount())?;
        e.set_item("pv_costs", y.pv_costs.amount())?;
        e.set_item("cumulative_pv_net", y.cumulative_pv_net.amount())?;
        years.append(e)?;
    }
    d.set_item("years", years)?;
    let rows = PyList::empty(py);
    for r in &sens.rows {
        let e = PyDict::new(py);
        e.set_item("parameter", format!("{:?}", r.parameter))?;
        e.set_item("low", r.low)?;
        e.set_item("high", r.high)?;
        e.set_item("npv_at_low", r.npv_at_low.amount())?;
        e.set_item("npv_at_high", r.npv_at_high.amount())?;
        e.set_item("bcr_at_low", r.bcr_at_low)?;
        e.set_item("bcr_at_high", r.bcr_at_high)?;
        rows.append(e)?;
    }
    d.set_item("sensitivity", rows)?;
    Ok(d)
}
