//! One per-person summary of every outcome measure, whatever the measure:
//! a long frame `person, window, measure, value, observed_days` built
//! lazily with polars from service-use events, NDT assessments and ASB
//! incidents, with windows aligned to each person's index date.
//!
//! | Column | Type | Meaning |
//! |---|---|---|
//! | `person` | String | the pseudonym |
//! | `window` | String | the window's label (e.g. `before`, `Q+3`) |
//! | `measure` | String | a service-use category code, `ndt_total`, `ndt_<item>`, `asb_incidents`, `asb_partial_month_incidents` |
//! | `value` | Float64 | the value; null where it is undefined |
//! | `observed_days` | Int64 | days of the window inside the data window and before the person's end date |
//!
//! Every cohort member has a row for every window and measure: a count with
//! no events is 0, never a missing row; an NDT value with no assessment to
//! represent the window is null.
//!
//! * **Service use** per category: the same windowed sums as
//!   [`window_counts`](super::window_counts) (one shared plan), event counts
//!   or days summed over the events whose whole months since the index date
//!   lie in the window.
//! * **NDT**: the assessment that represents a window is the one nearest the
//!   window's *end* (index date + `end_month` months) within
//!   [`NdtWindowRule::tolerance_days`] either side, ties to the earlier date
//!   (then to the earlier input row). With the default 90 days and the
//!   windows of [`Window::before_after_12_months`] this is exactly the
//!   baseline and 12-month follow-up of
//!   [`SelectionRule::default`](crate::measures::ndt::SelectionRule) (see
//!   METHODS.md). Measures `ndt_total` (under the [`PartialPolicy`]) and the
//!   ten items `ndt_<item column>`.
//! * **ASB**: incidents linked to the person (the incident's subject is the
//!   person's [`PersonId`]) wholly inside the window's calendar days
//!   (`asb_incidents`), and month-precision incidents whose month straddles
//!   a window boundary (`asb_partial_month_incidents`, never apportioned),
//!   the rule of [`subject_counts_in_window`](crate::measures::asb::subject_counts_in_window).
//!
//! * **Attendance** (school register marks; the register's pupil id is the
//!   person's pseudonym): the five measures of
//!   [`attendance::SUMMARY_MEASURES`](super::attendance::SUMMARY_MEASURES),
//!   from [`attendance_window_summary`](super::attendance::attendance_window_summary)
//!   (possible sessions, 0 when none; rates and 0/1 flags, null when there
//!   are no possible sessions).
//! * **Costs** (service use × per-category rates, the mid scenario for banded
//!   counts, in the rates' price year): `cost_total` and `cost_<category>`,
//!   from [`window_costs`](super::window_costs), 0 when nothing was costed.

use std::collections::HashSet;

use polars::prelude::*;
use serde::Serialize;

use super::aggregate::{cohort_frame, observed_time, u32_positions, window_costs, windowed_sums};
use super::attendance::{
    attendance_window_summary, RegisterMarks, SUMMARY_MEASURES as ATTENDANCE_MEASURES,
};
use super::loaders::{date_to_days, Cohort, ServiceEvents};
use crate::cohort::PersonId;
use crate::costs::CategoryRate;
use crate::error::{Error, Location, Result};
use crate::measures::asb::{AsbIncident, IncidentTime};
use crate::measures::attendance::AbsenceThreshold;
use crate::measures::ndt::{NdtAssessment, NdtItem, PartialPolicy, NDT_MAX_TOTAL};
use crate::measures::service_use::Scenario;
use crate::measures::service_use::Window;

/// The measure name of the NDT total.
pub const NDT_TOTAL: &str = "ndt_total";
/// The measure name of ASB incidents wholly inside a window.
pub const ASB_INCIDENTS: &str = "asb_incidents";
/// The measure name of month-precision ASB incidents straddling a window
/// boundary (not in [`ASB_INCIDENTS`]).
pub const ASB_PARTIAL_MONTH_INCIDENTS: &str = "asb_partial_month_incidents";
/// The measure name of the total cost of service use in a window (the
/// per-category measures are `cost_<category code>`).
pub const COST_TOTAL: &str = "cost_total";

/// The measure name of one NDT item, `ndt_<item column>`, e.g.
/// `ndt_risk_to_others`.
pub fn ndt_item_measure(item: NdtItem) -> String {
    format!("ndt_{}", item.column())
}

/// What a measure's value is, which decides how a pre/post comparison
/// treats partly observed windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// A count over the window (events, days, incidents): 0 when nothing
    /// happened, and comparable between windows as a rate per observed time.
    Count,
    /// A score at a point (the NDT): null when no assessment represents
    /// the window; the assessment itself is the observation.
    Score,
}

/// Which NDT assessment represents a window: the one nearest the window's
/// end date (index date + the window's `end_month` months) within
/// `tolerance_days` either side, ties to the earlier date.
///
/// | Name | Default | Purpose | Range |
/// |---|---|---|---|
/// | `tolerance_days` | 90 | how far from the window's end an assessment may be | 0–100,000 |
///
/// With the default and the before/after 12-month windows this is the
/// baseline / follow-up rule of
/// [`SelectionRule::default`](crate::measures::ndt::SelectionRule).
/// Windows whose ends are closer than twice the tolerance (e.g. quarters
/// with 90 days) may share an assessment; use 45 days for quarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NdtWindowRule {
    tolerance_days: u32,
}

impl Default for NdtWindowRule {
    fn default() -> Self {
        NdtWindowRule { tolerance_days: 90 }
    }
}

impl NdtWindowRule {
    /// A rule with this tolerance.
    ///
    /// # Errors
    /// If `tolerance_days` exceeds 100,000.
    pub fn new(tolerance_days: u32) -> Result<Self> {
        if tolerance_days > 100_000 {
            return Err(Error::invalid_parameter(
                "tolerance_days",
                tolerance_days,
                "must be at most 100000 days",
            ));
        }
        Ok(NdtWindowRule { tolerance_days })
    }

    /// Days either side of the window's end.
    pub fn tolerance_days(self) -> u32 {
        self.tolerance_days
    }
}

#[derive(Debug)]
struct NdtInput<'a> {
    assessments: &'a [NdtAssessment],
    policy: PartialPolicy,
    rule: NdtWindowRule,
}

/// Builds the per-person summary: choose the windows, add the measures'
/// sources, then [`SummaryBuilder::build`].
///
/// ```
/// use outcomes::cohort::DataWindow;
/// use outcomes::io::{self, NdtWindowRule, Source, SummaryBuilder};
/// use outcomes::measures::ndt::PartialPolicy;
/// use outcomes::measures::service_use::{CategorySet, Window};
/// # fn main() -> outcomes::Result<()> {
/// let data = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample");
/// let window = DataWindow::new("2021-04-01".parse().unwrap(), "2025-03-31".parse().unwrap())?;
/// let cohort = io::load_cohort(&Source::new(format!("{data}/cohort.csv")), window)?.data;
/// let events = io::load_service_events(
///     &Source::new(format!("{data}/service_use.csv")),
///     &cohort,
///     &CategorySet::default(),
/// )?
/// .data;
/// let ndt = io::load_ndt(&Source::new(format!("{data}/ndt.csv")), &cohort, PartialPolicy::Undefined)?
///     .data
///     .assessments;
/// let summary = SummaryBuilder::new(&cohort, &Window::before_after_12_months())
///     .service_use(&events, &["ae_attendance".to_string()])
///     .ndt(&ndt, PartialPolicy::Undefined, NdtWindowRule::default())
///     .build()?;
/// let before = summary.values("ndt_total", "before")?;
/// assert_eq!(before.len(), cohort.len());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct SummaryBuilder<'a> {
    cohort: &'a Cohort,
    windows: Vec<Window>,
    service: Option<(&'a ServiceEvents, Vec<String>)>,
    ndt: Option<NdtInput<'a>>,
    asb: Option<&'a [AsbIncident<PersonId>]>,
    attendance: Option<(&'a RegisterMarks, AbsenceThreshold)>,
    costs: Option<(&'a ServiceEvents, &'a [CategoryRate])>,
}

/// The lazy pieces of a summary before it is materialised.
struct Plan {
    people: Vec<PersonId>,
    measures: Vec<String>,
    kinds: Vec<MeasureKind>,
    /// `__p, __w, __k, value`: only cells with something to say (counts
    /// with events, NDT windows with an assessment).
    sparse: Option<LazyFrame>,
    observed_days: Vec<i64>,
    window_days: Vec<i64>,
    unlinked_asb_incidents: usize,
}

impl<'a> SummaryBuilder<'a> {
    /// A summary of `cohort` over `windows` (no measures yet).
    pub fn new(cohort: &'a Cohort, windows: &[Window]) -> Self {
        SummaryBuilder {
            cohort,
            windows: windows.to_vec(),
            service: None,
            ndt: None,
            asb: None,
            attendance: None,
            costs: None,
        }
    }

    /// School attendance from register marks (the five
    /// [`SUMMARY_MEASURES`](super::attendance::SUMMARY_MEASURES)), persistent
    /// absence at `persistent`.
    pub fn attendance(mut self, marks: &'a RegisterMarks, persistent: AbsenceThreshold) -> Self {
        self.attendance = Some((marks, persistent));
        self
    }

    /// Costs of service use at these per-category rates: `cost_total` and
    /// one `cost_<category>` per rate (named by the category code).
    pub fn costs(mut self, events: &'a ServiceEvents, rates: &'a [CategoryRate]) -> Self {
        self.costs = Some((events, rates));
        self
    }

    /// Service-use counts for these category codes (one measure each,
    /// named by the code).
    pub fn service_use(mut self, events: &'a ServiceEvents, categories: &[String]) -> Self {
        self.service = Some((events, categories.to_vec()));
        self
    }

    /// NDT total and items, with totals under `policy` and the window rule.
    pub fn ndt(
        mut self,
        assessments: &'a [NdtAssessment],
        policy: PartialPolicy,
        rule: NdtWindowRule,
    ) -> Self {
        self.ndt = Some(NdtInput {
            assessments,
            policy,
            rule,
        });
        self
    }

    /// ASB incidents linked to people (incidents whose subject is `None` or
    /// not in the cohort are counted in
    /// [`PersonSummary::unlinked_asb_incidents`]).
    pub fn asb(mut self, incidents: &'a [AsbIncident<PersonId>]) -> Self {
        self.asb = Some(incidents);
        self
    }

    /// The person × window grid: `__p, __w, person, window, __start, __end`
    /// (the window's calendar days, null if out of the calendar range),
    /// `observed_days`.
    fn grid(&self, people: &[PersonId], observed: &[i64]) -> Result<DataFrame> {
        let nw = self.windows.len();
        let n = people.len() * nw;
        let mut p = Vec::with_capacity(n);
        let mut w = Vec::with_capacity(n);
        let mut person = Vec::with_capacity(n);
        let mut window = Vec::with_capacity(n);
        let mut start = Vec::with_capacity(n);
        let mut end = Vec::with_capacity(n);
        for (i, m) in self.cohort.members().iter().enumerate() {
            for (k, win) in self.windows.iter().enumerate() {
                p.push(i as u32);
                w.push(k as u32);
                person.push(m.person.pseudonym());
                window.push(win.label());
                let period = win.period(m.index_date);
                start.push(period.map(|x| date_to_days(x.start())));
                end.push(period.map(|x| date_to_days(x.end())));
            }
        }
        DataFrame::new_infer_height(vec![
            Column::new("__p".into(), p),
            Column::new("__w".into(), w),
            Column::new("person".into(), person),
            Column::new("window".into(), window),
            Column::new("__start".into(), start),
            Column::new("__end".into(), end),
            Column::new("observed_days".into(), observed.to_vec()),
        ])
        .map_err(|e| Error::frame("building the person × window grid", e))
    }

    /// The plan; the person × window grid is built only when a measure or
    /// the long frame needs it (`with_grid`).
    fn plan(&self, with_grid: bool) -> Result<(Plan, Option<DataFrame>)> {
        if self.windows.is_empty() {
            return Err(Error::invalid_parameter(
                "windows",
                "(none)",
                "at least one window is needed",
            ));
        }
        for (i, w) in self.windows.iter().enumerate() {
            if self.windows[..i].iter().any(|x| x.label() == w.label()) {
                return Err(Error::invalid_parameter(
                    "window",
                    w.label(),
                    "window labels must be unique",
                ));
            }
        }
        let (people, cohort_df) = cohort_frame(self.cohort)?;
        let (observed_days, window_days) = observed_time(self.cohort, &self.windows);
        let grid = if with_grid || self.ndt.is_some() || self.asb.is_some() {
            Some(self.grid(&people, &observed_days)?)
        } else {
            None
        };
        let no_grid = || Error::frame("building the person summary", "no person × window grid");
        let mut measures: Vec<String> = Vec::new();
        let mut kinds = Vec::new();
        let mut parts: Vec<LazyFrame> = Vec::new();
        let frame_err = |e| Error::frame("building the person summary", e);

        if let Some((events, cats)) = &self.service {
            if !cats.is_empty() {
                let sums = windowed_sums(&cohort_df, events, &self.windows, cats)?;
                parts.push(sums.select([
                    col("__p"),
                    col("__w"),
                    col("__c").alias("__k"),
                    col("__n").cast(DataType::Float64).alias("value"),
                ]));
            }
            measures.extend(cats.iter().cloned());
            kinds.extend(cats.iter().map(|_| MeasureKind::Count));
        }

        if let Some(ndt) = &self.ndt {
            let first = measures.len() as u32;
            measures.push(NDT_TOTAL.to_string());
            measures.extend(NdtItem::ALL.iter().map(|i| ndt_item_measure(*i)));
            kinds.extend([MeasureKind::Score; 11]);
            if let PartialPolicy::Reject = ndt.policy {
                if let Some(r) = ndt
                    .assessments
                    .iter()
                    .position(|a| a.items_present() < NdtItem::ALL.len())
                {
                    return Err(Error::invalid_value(
                        Location::source("NDT assessments").row(r as u64 + 1),
                        format!("{} of 10 items", ndt.assessments[r].items_present()),
                        "all ten NDT items are required (partial assessments are rejected)",
                    ));
                }
            }
            parts.push(ndt_part(
                &cohort_df,
                grid.as_ref().ok_or_else(no_grid)?,
                ndt,
                first,
            )?);
        }

        let mut unlinked_asb_incidents = 0;
        if let Some(incidents) = self.asb {
            let first = measures.len() as u32;
            measures.push(ASB_INCIDENTS.to_string());
            measures.push(ASB_PARTIAL_MONTH_INCIDENTS.to_string());
            kinds.extend([MeasureKind::Count; 2]);
            let g = grid.as_ref().ok_or_else(no_grid)?;
            let (part, unlinked) = asb_part(self.cohort, &cohort_df, g, incidents, first)?;
            unlinked_asb_incidents = unlinked;
            parts.push(part);
        }

        if let Some((marks, persistent)) = &self.attendance {
            let first = measures.len() as u32;
            measures.extend(ATTENDANCE_MEASURES.iter().map(|m| m.to_string()));
            kinds.extend(ATTENDANCE_MEASURES.iter().enumerate().map(|(i, _)| {
                if i == 0 {
                    MeasureKind::Count
                } else {
                    MeasureKind::Score
                }
            }));
            let att = attendance_window_summary(self.cohort, marks, &self.windows, *persistent)?
                .into_frame();
            let windows = DataFrame::new_infer_height(vec![
                Column::new(
                    "window".into(),
                    self.windows.iter().map(Window::label).collect::<Vec<_>>(),
                ),
                Column::new(
                    "__w".into(),
                    (0..self.windows.len() as u32).collect::<Vec<_>>(),
                ),
            ])
            .map_err(frame_err)?;
            let names = DataFrame::new_infer_height(vec![
                Column::new("measure".into(), ATTENDANCE_MEASURES.to_vec()),
                Column::new(
                    "__k".into(),
                    (0..ATTENDANCE_MEASURES.len() as u32)
                        .map(|i| first + i)
                        .collect::<Vec<_>>(),
                ),
            ])
            .map_err(frame_err)?;
            let inner = || JoinArgs::new(JoinType::Inner);
            parts.push(
                att.lazy()
                    .filter(col("value").is_not_null())
                    .join(
                        cohort_df
                            .clone()
                            .lazy()
                            .select([col("person_id").alias("person"), col("__p")]),
                        [col("person")],
                        [col("person")],
                        inner(),
                    )
                    .join(windows.lazy(), [col("window")], [col("window")], inner())
                    .join(names.lazy(), [col("measure")], [col("measure")], inner())
                    .select([col("__p"), col("__w"), col("__k"), col("value")]),
            );
        }

        if let Some((events, rates)) = &self.costs {
            let first = measures.len() as u32;
            let wc = window_costs(self.cohort, events, &self.windows, rates)?;
            let cats = wc.categories().to_vec();
            measures.push(COST_TOTAL.to_string());
            measures.extend(cats.iter().map(|c| format!("cost_{}", c.as_str())));
            kinds.extend(std::iter::repeat_n(MeasureKind::Count, cats.len() + 1));
            let (mut p, mut w, mut k, mut v) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            let mut push = |values: &[f64], wi: usize, ki: u32| {
                for (i, x) in values.iter().enumerate() {
                    if *x != 0.0 {
                        p.push(i as u32);
                        w.push(wi as u32);
                        k.push(ki);
                        v.push(*x);
                    }
                }
            };
            for (wi, win) in self.windows.iter().enumerate() {
                push(
                    &wc.per_person_for(win.label(), Scenario::Mid, None)?,
                    wi,
                    first,
                );
                for (ci, c) in cats.iter().enumerate() {
                    push(
                        &wc.per_person_by_category(win.label(), c, Scenario::Mid)?,
                        wi,
                        first + 1 + ci as u32,
                    );
                }
            }
            let df = DataFrame::new_infer_height(vec![
                Column::new("__p".into(), p),
                Column::new("__w".into(), w),
                Column::new("__k".into(), k),
                Column::new("value".into(), v),
            ])
            .map_err(frame_err)?;
            parts.push(df.lazy());
        }

        let mut seen = HashSet::new();
        if let Some(m) = measures.iter().find(|m| !seen.insert(m.as_str())) {
            return Err(Error::invalid_parameter(
                "measure",
                m,
                "two measures share this name (a category code clashes with an NDT or ASB measure, or repeats)",
            ));
        }
        let sparse = if parts.is_empty() {
            None
        } else {
            let parts: Vec<LazyFrame> = parts
                .into_iter()
                .map(|lf| {
                    lf.select([
                        col("__p").cast(DataType::UInt32),
                        col("__w").cast(DataType::UInt32),
                        col("__k").cast(DataType::UInt32),
                        col("value").cast(DataType::Float64),
                    ])
                })
                .collect();
            Some(concat(parts, UnionArgs::default()).map_err(frame_err)?)
        };
        Ok((
            Plan {
                people,
                measures,
                kinds,
                sparse,
                observed_days,
                window_days,
                unlinked_asb_incidents,
            },
            grid,
        ))
    }

    /// The summary as one long lazy frame with the schema in the module
    /// docs: every person × window × measure, in cohort order, then window
    /// order, then measure order.
    ///
    /// # Errors
    /// As [`SummaryBuilder::build`].
    // Only the tests read the long frame so far; a writer (CSV/Parquet) is
    // the follow-up that makes it public.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn lazy(&self) -> Result<LazyFrame> {
        let (plan, grid) = self.plan(true)?;
        let grid = grid.ok_or_else(|| {
            Error::frame("building the person summary", "no person × window grid")
        })?;
        let frame_err = |e| Error::frame("building the person summary", e);
        let mut parts = Vec::with_capacity(plan.measures.len());
        for (k, (name, kind)) in plan.measures.iter().zip(&plan.kinds).enumerate() {
            let g = grid.clone().lazy().select([
                col("__p"),
                col("__w"),
                col("person"),
                col("window"),
                col("observed_days").cast(DataType::Int64),
            ]);
            let filled = match &plan.sparse {
                Some(s) => g
                    .join(
                        s.clone().filter(col("__k").eq(lit(k as u32))).select([
                            col("__p"),
                            col("__w"),
                            col("value"),
                        ]),
                        [col("__p"), col("__w")],
                        [col("__p"), col("__w")],
                        JoinArgs::new(JoinType::Left),
                    )
                    .with_column(col("value").cast(DataType::Float64)),
                None => g.with_column(lit(NULL).cast(DataType::Float64).alias("value")),
            };
            let value = match kind {
                MeasureKind::Count => col("value").fill_null(lit(0.0)),
                MeasureKind::Score => col("value"),
            };
            parts.push(filled.select([
                col("__p"),
                col("__w"),
                lit(k as u32).alias("__k"),
                col("person"),
                col("window"),
                lit(name.as_str()).alias("measure"),
                value.alias("value"),
                col("observed_days"),
            ]));
        }
        if parts.is_empty() {
            return Err(Error::invalid_parameter(
                "measures",
                "(none)",
                "add service use, NDT, ASB, attendance or costs to the summary",
            ));
        }
        Ok(concat(parts, UnionArgs::default())
            .map_err(frame_err)?
            .sort(["__p", "__w", "__k"], SortMultipleOptions::default())
            .select([
                col("person"),
                col("window"),
                col("measure"),
                col("value"),
                col("observed_days"),
            ]))
    }

    /// Build the summary.
    ///
    /// # Errors
    /// If there are no windows or no measures, window labels or measure
    /// names repeat, an NDT assessment is partial under
    /// [`PartialPolicy::Reject`], or on a frame-engine failure.
    pub fn build(&self) -> Result<PersonSummary> {
        let (plan, _) = self.plan(false)?;
        if plan.measures.is_empty() {
            return Err(Error::invalid_parameter(
                "measures",
                "(none)",
                "add service use, NDT, ASB, attendance or costs to the summary",
            ));
        }
        let (np, nw, nm) = (plan.people.len(), self.windows.len(), plan.measures.len());
        let mut values: Vec<Option<f64>> = Vec::with_capacity(np * nw * nm);
        for _ in 0..np * nw {
            values.extend(plan.kinds.iter().map(|k| match k {
                MeasureKind::Count => Some(0.0),
                MeasureKind::Score => None,
            }));
        }
        if let Some(sparse) = plan.sparse {
            let df = sparse
                .collect()
                .map_err(|e| Error::frame("building the person summary", e))?;
            let p = u32_positions(&df, "__p")?;
            let w = u32_positions(&df, "__w")?;
            let k = u32_positions(&df, "__k")?;
            let v = df
                .column("value")
                .map_err(|e| Error::frame("reading the person summary", e))?;
            let v = v
                .f64()
                .map_err(|e| Error::frame("reading the person summary", e))?;
            for (i, x) in v.iter().enumerate() {
                let slot = (p[i] as usize * nw + w[i] as usize) * nm + k[i] as usize;
                if let (Some(s), Some(kind)) = (values.get_mut(slot), plan.kinds.get(k[i] as usize))
                {
                    *s = match (*kind, *s, x) {
                        (MeasureKind::Count, Some(a), Some(b)) => Some(a + b),
                        (_, _, x) => x,
                    };
                }
            }
        }
        Ok(PersonSummary {
            people: plan.people,
            windows: self.windows.clone(),
            measures: plan.measures,
            kinds: plan.kinds,
            values,
            observed_days: plan.observed_days,
            window_days: plan.window_days,
            unlinked_asb_incidents: plan.unlinked_asb_incidents,
        })
    }
}

/// NDT: the assessment nearest each window's end within the tolerance,
/// as `__p, __w, __k, value` for the total and the ten items.
fn ndt_part(
    cohort_df: &DataFrame,
    grid: &DataFrame,
    ndt: &NdtInput<'_>,
    first: u32,
) -> Result<LazyFrame> {
    let frame_err = |e| Error::frame("selecting NDT assessments", e);
    let a = ndt.assessments;
    let mut cols = vec![
        Column::new(
            "person_id".into(),
            a.iter().map(|x| x.person.pseudonym()).collect::<Vec<_>>(),
        ),
        Column::new("__row".into(), (0..a.len() as u32).collect::<Vec<_>>()),
        Column::new(
            "__date".into(),
            a.iter().map(|x| date_to_days(x.date)).collect::<Vec<_>>(),
        ),
    ];
    for item in NdtItem::ALL {
        cols.push(Column::new(
            item.column().into(),
            a.iter()
                .map(|x| x.item(item).map(|s| f64::from(s.value())))
                .collect::<Vec<Option<f64>>>(),
        ));
    }
    let df = DataFrame::new_infer_height(cols).map_err(frame_err)?;
    let tol = i64::from(ndt.rule.tolerance_days());
    // Days from the window's end (the first day after it).
    let d = col("__date").cast(DataType::Int64) - (col("__end").cast(DataType::Int64) + lit(1i64));
    // Nearest first; at equal distance the earlier (d < 0) first:
    // key = 2|d| for d <= 0, 2d + 1 for d > 0.
    let key = when(col("__d").lt(lit(0i64)))
        .then(lit(0i64) - col("__d") * lit(2i64))
        .otherwise(col("__d") * lit(2i64) + col("__d").gt(lit(0i64)).cast(DataType::Int64));
    let items: Vec<Expr> = NdtItem::ALL
        .iter()
        .map(|i| {
            col(i.column())
                .sort_by([col("__key"), col("__row")], SortMultipleOptions::default())
                .first()
                .alias(i.column())
        })
        .collect();
    let chosen = df
        .lazy()
        .join(
            cohort_df
                .clone()
                .lazy()
                .select([col("person_id"), col("__p")]),
            [col("person_id")],
            [col("person_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .join(
            grid.clone()
                .lazy()
                .select([col("__p"), col("__w"), col("__end")]),
            [col("__p")],
            [col("__p")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col("__end").is_not_null())
        .with_column(d.alias("__d"))
        .filter(col("__d").gt_eq(lit(-tol)).and(col("__d").lt_eq(lit(tol))))
        .with_column(key.alias("__key"))
        .group_by([col("__p"), col("__w")])
        .agg(items);
    let present = NdtItem::ALL
        .iter()
        .map(|i| col(i.column()).is_not_null().cast(DataType::Int64))
        .reduce(|a, b| a + b)
        .unwrap_or_else(|| lit(0i64));
    let sum = NdtItem::ALL
        .iter()
        .map(|i| col(i.column()).fill_null(lit(0.0)))
        .reduce(|a, b| a + b)
        .unwrap_or_else(|| lit(0.0));
    let max = NdtItem::ALL
        .iter()
        .map(|i| {
            when(col(i.column()).is_not_null())
                .then(lit(f64::from(i.scale().max())))
                .otherwise(lit(0.0))
        })
        .reduce(|a, b| a + b)
        .unwrap_or_else(|| lit(0.0));
    let all = NdtItem::ALL.len() as i64;
    let partial = match ndt.policy {
        PartialPolicy::Reject | PartialPolicy::Undefined => lit(NULL).cast(DataType::Float64),
        PartialPolicy::ProRate { min_items } => {
            when(present.clone().gt_eq(lit(i64::from(min_items.max(1)))))
                .then(sum.clone() * lit(f64::from(NDT_MAX_TOTAL)) / max)
                .otherwise(lit(NULL).cast(DataType::Float64))
        }
    };
    let total = when(present.eq(lit(all))).then(sum).otherwise(partial);
    let mut parts = vec![chosen.clone().select([
        col("__p"),
        col("__w"),
        lit(first).alias("__k"),
        total.alias("value"),
    ])];
    for (j, item) in NdtItem::ALL.iter().enumerate() {
        parts.push(chosen.clone().select([
            col("__p"),
            col("__w"),
            lit(first + 1 + j as u32).alias("__k"),
            col(item.column()).alias("value"),
        ]));
    }
    concat(parts, UnionArgs::default()).map_err(frame_err)
}

/// ASB: incidents of each person inside / straddling each window, as
/// `__p, __w, __k, value`; also the number of incidents linked to nobody in
/// the cohort.
fn asb_part(
    cohort: &Cohort,
    cohort_df: &DataFrame,
    grid: &DataFrame,
    incidents: &[AsbIncident<PersonId>],
    first: u32,
) -> Result<(LazyFrame, usize)> {
    let frame_err = |e| Error::frame("counting ASB incidents", e);
    let mut ids = Vec::new();
    let mut a = Vec::new();
    let mut b = Vec::new();
    let mut unlinked = 0;
    for inc in incidents {
        let Some(s) = inc.subject.as_ref().filter(|s| cohort.get(s).is_some()) else {
            unlinked += 1;
            continue;
        };
        let (x, y) = match inc.when {
            IncidentTime::Date(d) => (d, d),
            IncidentTime::Month(m) => (m.first_day(), m.last_day()),
        };
        ids.push(s.pseudonym());
        a.push(date_to_days(x));
        b.push(date_to_days(y));
    }
    let df = DataFrame::new_infer_height(vec![
        Column::new("person_id".into(), ids),
        Column::new("__a".into(), a),
        Column::new("__b".into(), b),
    ])
    .map_err(frame_err)?;
    let inside = col("__a")
        .gt_eq(col("__start"))
        .and(col("__b").lt_eq(col("__end")));
    let outside = col("__b")
        .lt(col("__start"))
        .or(col("__a").gt(col("__end")));
    let counted = df
        .lazy()
        .join(
            cohort_df
                .clone()
                .lazy()
                .select([col("person_id"), col("__p")]),
            [col("person_id")],
            [col("person_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .join(
            grid.clone()
                .lazy()
                .select([col("__p"), col("__w"), col("__start"), col("__end")]),
            [col("__p")],
            [col("__p")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col("__start").is_not_null().and(col("__end").is_not_null()))
        .with_columns([
            inside.clone().alias("__in"),
            inside.not().and(outside.not()).alias("__part"),
        ])
        .group_by([col("__p"), col("__w")])
        .agg([
            col("__in").cast(DataType::Float64).sum().alias("__n_in"),
            col("__part")
                .cast(DataType::Float64)
                .sum()
                .alias("__n_part"),
        ]);
    let part = concat(
        [
            counted.clone().select([
                col("__p"),
                col("__w"),
                lit(first).alias("__k"),
                col("__n_in").alias("value"),
            ]),
            counted.select([
                col("__p"),
                col("__w"),
                lit(first + 1).alias("__k"),
                col("__n_part").alias("value"),
            ]),
        ],
        UnionArgs::default(),
    )
    .map_err(frame_err)?;
    Ok((part, unlinked))
}

/// One row of the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryRecord {
    /// Who.
    pub person: PersonId,
    /// The window's label.
    pub window: String,
    /// The measure's name.
    pub measure: String,
    /// The value; `None` where undefined.
    pub value: Option<f64>,
    /// Days of the window observed for this person.
    pub observed_days: i64,
}

/// Every person's value of every measure in every window, with observed
/// time: the materialised summary frame, in crate types.
#[derive(Debug, Clone)]
pub struct PersonSummary {
    people: Vec<PersonId>,
    windows: Vec<Window>,
    measures: Vec<String>,
    kinds: Vec<MeasureKind>,
    /// values[(person * windows + window) * measures + measure]
    values: Vec<Option<f64>>,
    /// observed[person * windows + window]
    observed_days: Vec<i64>,
    window_days: Vec<i64>,
    unlinked_asb_incidents: usize,
}

impl PersonSummary {
    /// The people, in cohort order.
    pub fn people(&self) -> &[PersonId] {
        &self.people
    }

    /// The windows.
    pub fn windows(&self) -> &[Window] {
        &self.windows
    }

    /// The measures' names, in summary order.
    pub fn measures(&self) -> &[String] {
        &self.measures
    }

    fn measure_pos(&self, measure: &str) -> Result<usize> {
        self.measures
            .iter()
            .position(|m| m == measure)
            .ok_or_else(|| {
                Error::invalid_parameter("measure", measure, "not one of the measures summarised")
            })
    }

    fn window_pos(&self, window: &str) -> Result<usize> {
        self.windows
            .iter()
            .position(|w| w.label() == window)
            .ok_or_else(|| {
                Error::invalid_parameter("window", window, "not one of the windows summarised")
            })
    }

    /// Whether a measure is a count or a score.
    ///
    /// # Errors
    /// If the measure was not summarised.
    pub fn kind(&self, measure: &str) -> Result<MeasureKind> {
        Ok(self.kinds[self.measure_pos(measure)?])
    }

    /// Each person's value of `measure` in `window`, in cohort order
    /// (`None` where undefined).
    ///
    /// # Errors
    /// If the measure or window was not summarised.
    pub fn values(&self, measure: &str, window: &str) -> Result<Vec<Option<f64>>> {
        let k = self.measure_pos(measure)?;
        let w = self.window_pos(window)?;
        let (nw, nm) = (self.windows.len(), self.measures.len());
        Ok((0..self.people.len())
            .map(|p| self.values[(p * nw + w) * nm + k])
            .collect())
    }

    /// Each person's observed days in `window`, in cohort order.
    ///
    /// # Errors
    /// If the window was not summarised.
    pub fn observed_days(&self, window: &str) -> Result<Vec<i64>> {
        let w = self.window_pos(window)?;
        let nw = self.windows.len();
        Ok((0..self.people.len())
            .map(|p| self.observed_days[p * nw + w])
            .collect())
    }

    /// Each person's calendar days in `window`, in cohort order.
    ///
    /// # Errors
    /// If the window was not summarised.
    pub fn window_days(&self, window: &str) -> Result<Vec<i64>> {
        let w = self.window_pos(window)?;
        let nw = self.windows.len();
        Ok((0..self.people.len())
            .map(|p| self.window_days[p * nw + w])
            .collect())
    }

    /// ASB incidents with no subject or a subject outside the cohort (not
    /// in any person's count).
    pub fn unlinked_asb_incidents(&self) -> usize {
        self.unlinked_asb_incidents
    }

    /// Every row, person by person, then window, then measure.
    pub fn to_records(&self) -> Vec<SummaryRecord> {
        let (nw, nm) = (self.windows.len(), self.measures.len());
        let mut out = Vec::with_capacity(self.values.len());
        for (p, person) in self.people.iter().enumerate() {
            for (w, win) in self.windows.iter().enumerate() {
                for (k, m) in self.measures.iter().enumerate() {
                    out.push(SummaryRecord {
                        person: person.clone(),
                        window: win.label().to_string(),
                        measure: m.clone(),
                        value: self.values[(p * nw + w) * nm + k],
                        observed_days: self.observed_days[p * nw + w],
                    });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohort::{CohortMember, DataWindow, Group};
    use crate::measures::asb::{subject_counts_in_window, AreaCode, IndexDate, Month as AsbMonth};
    use crate::measures::attendance::RelativeWindow;
    use crate::measures::ndt::SelectionRule;
    use crate::measures::service_use::{self, CategorySet, ServiceEvent};
    use chrono::NaiveDate;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    const CATS: [&str; 3] = ["ae_attendance", "arrest", "prison_night"];

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, 1, 1).unwrap() + chrono::Days::new(n as u64)
    }

    fn pid(i: usize) -> PersonId {
        PersonId::from_pseudonym(format!("P{i}")).unwrap()
    }

    #[derive(Debug, Clone)]
    struct Case {
        /// (index day, end day)
        people: Vec<(i64, Option<i64>)>,
        /// (person, day, category, count)
        events: Vec<(usize, i64, usize, u32)>,
        /// (person, day, items)
        ndt: Vec<(usize, i64, [Option<i64>; 10])>,
        /// (subject: None, in cohort, or outsider; time as day or month)
        asb: Vec<(Option<usize>, i64, bool)>,
        tolerance: u32,
        policy: PartialPolicy,
    }

    /// Ten item values: blank, or on the item's scale (risk items doubled).
    fn items() -> impl Strategy<Value = [Option<i64>; 10]> {
        proptest::collection::vec(proptest::option::weighted(0.85, 0i64..=4), 10).prop_map(|v| {
            std::array::from_fn(|i| v[i].map(|x| if i == 3 || i == 4 { 2 * x } else { x }))
        })
    }

    fn case() -> impl Strategy<Value = Case> {
        (1usize..6).prop_flat_map(|np| {
            let people =
                proptest::collection::vec((400i64..1100, proptest::option::of(300i64..1800)), np);
            let events = proptest::collection::vec((0..np, 0i64..1800, 0usize..3, 0u32..5), 0..30);
            let ndt = proptest::collection::vec((0..np, 0i64..1800, items()), 0..20);
            let asb = proptest::collection::vec(
                (proptest::option::of(0..np + 1), 0i64..1800, any::<bool>()),
                0..20,
            );
            let policy = prop_oneof![
                Just(PartialPolicy::Undefined),
                (0u8..=10).prop_map(|m| PartialPolicy::ProRate { min_items: m }),
            ];
            (
                people,
                events,
                ndt,
                asb,
                prop_oneof![Just(90u32), 0u32..200],
                policy,
            )
                .prop_map(|(people, events, ndt, asb, tolerance, policy)| Case {
                    people,
                    events,
                    ndt,
                    asb,
                    tolerance,
                    policy,
                })
        })
    }

    fn cohort_of(c: &Case) -> Cohort {
        let members = c
            .people
            .iter()
            .enumerate()
            .map(|(i, (idx, end))| CohortMember {
                person: pid(i),
                index_date: day(*idx),
                group: Group::Programme,
                end_date: end.map(day),
                end_reason: None,
                covariates: BTreeMap::new(),
            })
            .collect();
        Cohort::new(members, DataWindow::new(day(0), day(1799)).unwrap()).unwrap()
    }

    fn events_of(c: &Case) -> (ServiceEvents, Vec<ServiceEvent>) {
        let ids: Vec<String> = c
            .events
            .iter()
            .map(|e| pid(e.0).pseudonym().into())
            .collect();
        let dates: Vec<i32> = c.events.iter().map(|e| date_to_days(day(e.1))).collect();
        let cats: Vec<&str> = c.events.iter().map(|e| CATS[e.2]).collect();
        let counts: Vec<i64> = c.events.iter().map(|e| i64::from(e.3)).collect();
        let df = DataFrame::new_infer_height(vec![
            Column::new("person_id".into(), ids),
            Column::new("date".into(), dates)
                .cast(&DataType::Date)
                .unwrap(),
            Column::new("category".into(), cats),
            Column::new("count".into(), counts),
        ])
        .unwrap();
        let set = CategorySet::default();
        let typed = c
            .events
            .iter()
            .map(|e| ServiceEvent {
                person: pid(e.0),
                date: day(e.1),
                category: set.get(CATS[e.2]).unwrap().clone(),
                count: e.3,
            })
            .collect();
        (ServiceEvents { df }, typed)
    }

    fn ndt_of(c: &Case) -> Vec<NdtAssessment> {
        c.ndt
            .iter()
            .map(|(p, d, raw)| NdtAssessment::from_raw(pid(*p), day(*d), *raw).unwrap())
            .collect()
    }

    fn asb_of(c: &Case, np: usize) -> Vec<AsbIncident<PersonId>> {
        c.asb
            .iter()
            .map(|(s, d, by_month)| AsbIncident {
                id: None,
                when: if *by_month {
                    IncidentTime::Month(AsbMonth::of(day(*d)).unwrap())
                } else {
                    IncidentTime::Date(day(*d))
                },
                area: AreaCode::new("E01000001").unwrap(),
                category: "Anti-social behaviour".into(),
                // np is someone outside the cohort
                subject: s.map(|i| {
                    if i == np {
                        PersonId::from_pseudonym("outsider").unwrap()
                    } else {
                        pid(i)
                    }
                }),
            })
            .collect()
    }

    fn windows() -> Vec<Window> {
        let mut w = Window::before_after_12_months().to_vec();
        w.extend(Window::quarters(-4, 8));
        w
    }

    fn check(c: &Case) -> std::result::Result<(), TestCaseError> {
        let cohort = cohort_of(c);
        let np = cohort.len();
        let (events, typed_events) = events_of(c);
        let ndt = ndt_of(c);
        let asb = asb_of(c, np);
        let wins = windows();
        let cats: Vec<String> = CATS.iter().map(|s| s.to_string()).collect();
        let rule = NdtWindowRule::new(c.tolerance).unwrap();
        let b = SummaryBuilder::new(&cohort, &wins)
            .service_use(&events, &cats)
            .ndt(&ndt, c.policy, rule)
            .asb(&asb);
        let s = b.build().unwrap();
        let nm = CATS.len() + 11 + 2;
        prop_assert_eq!(s.measures().len(), nm);

        // Service use: the typed aggregation.
        let typed = service_use::aggregate(
            cohort.members(),
            cohort.data_window(),
            &wins,
            &CategorySet::default(),
            &typed_events,
            &[],
        );
        for r in typed.iter().filter(|r| CATS.contains(&r.category.as_str())) {
            let p = cohort
                .members()
                .iter()
                .position(|m| m.person == r.person)
                .unwrap();
            let v = s.values(&r.category, &r.window).unwrap()[p];
            prop_assert_eq!(v, Some(r.count.mid()));
            prop_assert_eq!(s.observed_days(&r.window).unwrap()[p], r.observed_days);
            prop_assert_eq!(s.window_days(&r.window).unwrap()[p], r.window_days);
        }

        // NDT: the typed selection (SelectionRule's nearest-within rule
        // around the window's end) and the typed total.
        for (p, m) in cohort.members().iter().enumerate() {
            let mine: Vec<&NdtAssessment> = ndt.iter().filter(|a| a.person == m.person).collect();
            let dates: Vec<NaiveDate> = mine.iter().map(|a| a.date).collect();
            for w in &wins {
                let anchor = w.period(m.index_date).unwrap().end().succ_opt().unwrap();
                let around = SelectionRule {
                    baseline_before_days: c.tolerance,
                    baseline_after_days: c.tolerance,
                    ..SelectionRule::default()
                };
                let chosen = around.select(anchor, &dates).0.map(|i| mine[i]);
                let total = chosen.and_then(|a| a.total(c.policy).unwrap().map(|t| t.value()));
                prop_assert_eq!(s.values(NDT_TOTAL, w.label()).unwrap()[p], total);
                for item in NdtItem::ALL {
                    let v = chosen
                        .and_then(|a| a.item(item))
                        .map(|x| f64::from(x.value()));
                    prop_assert_eq!(s.values(&ndt_item_measure(item), w.label()).unwrap()[p], v);
                }
            }
            // Before / after with the default rule: baseline / follow-up.
            if c.tolerance == 90 {
                let (bl, fu) = SelectionRule::default().select(m.index_date, &dates);
                let tot = |i: Option<usize>| {
                    i.and_then(|i| mine[i].total(c.policy).unwrap().map(|t| t.value()))
                };
                prop_assert_eq!(s.values(NDT_TOTAL, "before").unwrap()[p], tot(bl));
                prop_assert_eq!(s.values(NDT_TOTAL, "after").unwrap()[p], tot(fu));
            }
        }

        // ASB: subject_counts_in_window on each person's dated window.
        let linked = asb
            .iter()
            .filter(|a| a.subject.as_ref().is_some_and(|s| cohort.get(s).is_some()))
            .count();
        prop_assert_eq!(s.unlinked_asb_incidents(), asb.len() - linked);
        for (p, m) in cohort.members().iter().enumerate() {
            for w in &wins {
                let period = w.period(m.index_date).unwrap();
                let rw = RelativeWindow::new(
                    (period.start() - m.index_date).num_days(),
                    (period.end() - m.index_date).num_days(),
                )
                .unwrap();
                let ix = [IndexDate {
                    subject: m.person.clone(),
                    date: m.index_date,
                }];
                let t = subject_counts_in_window(&asb, &ix, rw).unwrap();
                prop_assert_eq!(
                    s.values(ASB_INCIDENTS, w.label()).unwrap()[p],
                    Some(t[0].incidents as f64)
                );
                prop_assert_eq!(
                    s.values(ASB_PARTIAL_MONTH_INCIDENTS, w.label()).unwrap()[p],
                    Some(t[0].partial_month_incidents as f64)
                );
            }
        }

        // The long frame: every person × window × measure, equal to the
        // records, with the schema.
        let df = b.lazy().unwrap().collect().unwrap();
        let records = s.to_records();
        prop_assert_eq!(df.height(), np * wins.len() * nm);
        prop_assert_eq!(records.len(), df.height());
        let schema = df.schema();
        for (name, dt) in [
            ("person", DataType::String),
            ("window", DataType::String),
            ("measure", DataType::String),
            ("value", DataType::Float64),
            ("observed_days", DataType::Int64),
        ] {
            prop_assert_eq!(schema.get(name), Some(&dt));
        }
        prop_assert_eq!(df.width(), 5);
        let person = df.column("person").unwrap().str().unwrap().clone();
        let window = df.column("window").unwrap().str().unwrap().clone();
        let measure = df.column("measure").unwrap().str().unwrap().clone();
        let value = df.column("value").unwrap().f64().unwrap().clone();
        let obs = df.column("observed_days").unwrap().i64().unwrap().clone();
        for (i, r) in records.iter().enumerate() {
            prop_assert_eq!(person.get(i), Some(r.person.pseudonym()));
            prop_assert_eq!(window.get(i), Some(r.window.as_str()));
            prop_assert_eq!(measure.get(i), Some(r.measure.as_str()));
            prop_assert_eq!(value.get(i), r.value);
            prop_assert_eq!(obs.get(i), Some(r.observed_days));
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        #[test]
        fn summary_agrees_with_the_typed_paths(c in case()) {
            check(&c)?;
        }
    }

    #[test]
    fn zeros_and_nulls_are_rows_not_gaps() {
        let c = Case {
            people: vec![(500, None), (700, Some(800))],
            events: vec![(0, 450, 0, 2)],
            ndt: vec![],
            asb: vec![],
            tolerance: 90,
            policy: PartialPolicy::Undefined,
        };
        check(&c).unwrap();
        let cohort = cohort_of(&c);
        let (events, _) = events_of(&c);
        let s = SummaryBuilder::new(&cohort, &Window::before_after_12_months())
            .service_use(&events, &["ae_attendance".into()])
            .ndt(&[], PartialPolicy::Undefined, NdtWindowRule::default())
            .build()
            .unwrap();
        assert_eq!(
            s.values("ae_attendance", "before").unwrap(),
            [Some(2.0), Some(0.0)]
        );
        assert_eq!(
            s.values("ae_attendance", "after").unwrap(),
            [Some(0.0), Some(0.0)]
        );
        assert_eq!(s.values(NDT_TOTAL, "after").unwrap(), [None, None]);
        assert_eq!(s.to_records().len(), 2 * 2 * 12);
    }

    #[test]
    fn bad_requests_are_errors_not_panics() {
        let c = Case {
            people: vec![(500, None)],
            events: vec![],
            ndt: vec![(
                0,
                500,
                [
                    Some(1),
                    None,
                    Some(1),
                    Some(2),
                    Some(2),
                    Some(1),
                    Some(1),
                    Some(1),
                    Some(1),
                    Some(1),
                ],
            )],
            asb: vec![],
            tolerance: 90,
            policy: PartialPolicy::Reject,
        };
        let cohort = cohort_of(&c);
        let (events, _) = events_of(&c);
        let ndt = ndt_of(&c);
        let w = Window::before_after_12_months();
        let e = SummaryBuilder::new(&cohort, &w)
            .ndt(&ndt, PartialPolicy::Reject, NdtWindowRule::default())
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("9 of 10 items"), "{e}");
        assert!(!e.to_string().contains("P0"));
        assert!(SummaryBuilder::new(&cohort, &w).build().is_err());
        assert!(SummaryBuilder::new(&cohort, &[])
            .service_use(&events, &["arrest".into()])
            .build()
            .is_err());
        let twice = [Window::quarter(0), Window::quarter(0)];
        assert!(SummaryBuilder::new(&cohort, &twice)
            .service_use(&events, &["arrest".into()])
            .build()
            .is_err());
        let clash = SummaryBuilder::new(&cohort, &w)
            .service_use(&events, &["ndt_total".into()])
            .ndt(&ndt, PartialPolicy::Undefined, NdtWindowRule::default())
            .build();
        assert!(clash.is_err());
        let s = SummaryBuilder::new(&cohort, &w)
            .service_use(&events, &["arrest".into()])
            .build()
            .unwrap();
        assert!(s.values("arrest", "during").is_err());
        assert!(s.values("eviction", "before").is_err());
        assert!(NdtWindowRule::new(100_001).is_err());
    }
}
