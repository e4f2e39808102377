//! Column-wise aggregation of service use per person, window and category,
//! for cohorts too large for typed records. Agrees with
//! [`crate::measures::service_use::aggregate`] on the same data (tested).

use polars::prelude::*;

use super::loaders::{date_to_days, Cohort, ServiceEvents};
use crate::cohort::PersonId;
use crate::error::{Error, Result};
use crate::measures::service_use::{Count, Window, WindowCount};

/// The position of the window labelled `label`, or an error naming it.
fn window_index(windows: &[Window], label: &str) -> Result<usize> {
    windows
        .iter()
        .position(|x| x.label() == label)
        .ok_or_else(|| {
            Error::invalid_parameter("window", label, "not one of the windows aggregated")
        })
}

/// Service use per person × window × category, with each person's observed
/// days in each window. Zero counts are implicit: every cohort member has a
/// value (possibly 0) for every window and category asked for.
#[derive(Debug, Clone)]
pub struct WindowCounts {
    people: Vec<PersonId>,
    windows: Vec<Window>,
    categories: Vec<String>,
    /// counts[(person * windows + window) * categories + category]
    counts: Vec<f64>,
    /// observed[(person * windows + window)]
    observed_days: Vec<i64>,
    window_days: Vec<i64>,
}

impl WindowCounts {
    /// The people, in cohort order.
    pub fn people(&self) -> &[PersonId] {
        &self.people
    }

    /// The windows.
    pub fn windows(&self) -> &[Window] {
        &self.windows
    }

    /// The category codes.
    pub fn categories(&self) -> &[String] {
        &self.categories
    }

    fn pos(&self, window: &str, category: &str) -> Result<(usize, usize)> {
        let w = window_index(&self.windows, window)?;
        let c = self
            .categories
            .iter()
            .position(|x| x == category)
            .ok_or_else(|| {
                Error::invalid_parameter(
                    "category",
                    category,
                    "not one of the categories aggregated",
                )
            })?;
        Ok((w, c))
    }

    /// Each person's count in a window and category, in cohort order.
    ///
    /// # Errors
    /// If the window or category was not aggregated.
    pub fn counts(&self, window: &str, category: &str) -> Result<Vec<f64>> {
        let (w, c) = self.pos(window, category)?;
        let nw = self.windows.len();
        let nc = self.categories.len();
        Ok((0..self.people.len())
            .map(|p| self.counts[(p * nw + w) * nc + c])
            .collect())
    }

    /// Each person's observed days in a window, in cohort order.
    ///
    /// # Errors
    /// If the window was not aggregated.
    pub fn observed_days(&self, window: &str) -> Result<Vec<i64>> {
        let w = window_index(&self.windows, window)?;
        let nw = self.windows.len();
        Ok((0..self.people.len())
            .map(|p| self.observed_days[p * nw + w])
            .collect())
    }

    /// Each person's days in a window (the window's calendar length for
    /// their index date), in cohort order.
    ///
    /// # Errors
    /// If the window was not aggregated.
    pub fn window_days(&self, window: &str) -> Result<Vec<i64>> {
        let w = window_index(&self.windows, window)?;
        let nw = self.windows.len();
        Ok((0..self.people.len())
            .map(|p| self.window_days[p * nw + w])
            .collect())
    }

    /// Total count over everyone, per window and category.
    pub fn total(&self, window: &str, category: &str) -> Result<f64> {
        Ok(self.counts(window, category)?.iter().sum())
    }

    /// As typed records (one per person × window × category, zeros
    /// included), in the order [`crate::measures::service_use::aggregate`]
    /// gives.
    pub fn to_records(&self) -> Vec<WindowCount> {
        let nw = self.windows.len();
        let nc = self.categories.len();
        let mut out = Vec::with_capacity(self.counts.len());
        for (p, person) in self.people.iter().enumerate() {
            for (w, win) in self.windows.iter().enumerate() {
                for (c, cat) in self.categories.iter().enumerate() {
                    let v = self.counts[(p * nw + w) * nc + c];
                    out.push(WindowCount {
                        person: person.clone(),
                        window: win.label().to_string(),
                        category: cat.clone(),
                        count: Count::band(v, v, v).unwrap_or(Count::ZERO),
                        observed_days: self.observed_days[p * nw + w],
                        window_days: self.window_days[p * nw + w],
                    });
                }
            }
        }
        out
    }
}

/// The months-since-index expression: the same rule as
/// [`crate::cohort::months_between`], column-wise.
pub(crate) fn months_since_expr(index: Expr, date: Expr) -> Expr {
    let raw = (date.clone().dt().year() - index.clone().dt().year()).cast(DataType::Int32)
        * lit(12i32)
        + date.clone().dt().month().cast(DataType::Int32)
        - index.clone().dt().month().cast(DataType::Int32);
    let day_d = date.clone().dt().day().cast(DataType::Int32);
    let day_i = index.dt().day().cast(DataType::Int32);
    // Last day of month: the next day is the 1st.
    let next_day = (date.cast(DataType::Int32) + lit(1i32))
        .cast(DataType::Date)
        .dt()
        .day()
        .cast(DataType::Int32);
    let back = day_d.lt(day_i).and(next_day.neq(lit(1i32)));
    raw - back.cast(DataType::Int32)
}

/// The cohort as a frame for joins: `person_id`, `__p` (the member's
/// position, `u32`) and `__index` (the index date as days since 1970-01-01,
/// `i32`), with the people in cohort order. Shared by every column-wise
/// per-person aggregate.
pub(crate) fn cohort_frame(cohort: &Cohort) -> Result<(Vec<PersonId>, DataFrame)> {
    let people: Vec<PersonId> = cohort.members().iter().map(|m| m.person.clone()).collect();
    let ids: Vec<&str> = people.iter().map(PersonId::pseudonym).collect();
    let pos: Vec<u32> = (0..people.len() as u32).collect();
    let idx: Vec<i32> = cohort
        .members()
        .iter()
        .map(|m| date_to_days(m.index_date))
        .collect();
    let df = DataFrame::new_infer_height(vec![
        Column::new("person_id".into(), ids),
        Column::new("__p".into(), pos),
        Column::new("__index".into(), idx),
    ])
    .map_err(|e| Error::frame("building the cohort frame", e))?;
    Ok((people, df))
}

/// The lazy per person × window × category sums of service use: columns
/// `__p` (cohort position), `__c` (position in `categories`), `__w`
/// (position in `windows`) and `__n` (the summed count), one row per cell
/// with at least one event (zero cells are absent). An event is in a window
/// when its whole months since the person's index date
/// ([`months_since_expr`]) lie in `start_month..end_month`.
///
/// # Errors
/// On a frame-engine failure.
pub(crate) fn windowed_sums(
    cohort_df: &DataFrame,
    events: &ServiceEvents,
    windows: &[Window],
    categories: &[String],
) -> Result<LazyFrame> {
    let nc = categories.len();
    let cat_df = DataFrame::new_infer_height(vec![
        Column::new("category".into(), categories.to_vec()),
        Column::new("__c".into(), (0..nc as u32).collect::<Vec<u32>>()),
    ])
    .map_err(|e| Error::frame("building the category frame", e))?;
    let base = events
        .frame()
        .clone()
        .lazy()
        .select([col("person_id"), col("date"), col("category"), col("count")])
        .join(
            cohort_df.clone().lazy(),
            [col("person_id")],
            [col("person_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .join(
            cat_df.lazy(),
            [col("category")],
            [col("category")],
            JoinArgs::new(JoinType::Inner),
        )
        .with_column(
            months_since_expr(col("__index").cast(DataType::Date), col("date")).alias("__m"),
        );
    let mut parts = Vec::with_capacity(windows.len());
    for (w, win) in windows.iter().enumerate() {
        parts.push(
            base.clone()
                .filter(
                    col("__m")
                        .gt_eq(lit(win.start_month()))
                        .and(col("__m").lt(lit(win.end_month()))),
                )
                .group_by([col("__p"), col("__c")])
                .agg([col("count").sum().alias("__n")])
                .with_column(lit(w as u32).alias("__w")),
        );
    }
    if parts.is_empty() {
        return Err(Error::invalid_parameter(
            "windows",
            "(none)",
            "at least one window is needed",
        ));
    }
    concat(parts, UnionArgs::default()).map_err(|e| Error::frame("aggregating service use", e))
}

/// Each member's observed days and calendar days in each window, indexed
/// `person * windows + window`: the days of the window inside the data
/// window and before the member's end date, as in
/// [`crate::measures::service_use::aggregate`].
pub(crate) fn observed_time(cohort: &Cohort, windows: &[Window]) -> (Vec<i64>, Vec<i64>) {
    let dw = cohort.data_window();
    let nw = windows.len();
    let mut observed_days = Vec::with_capacity(cohort.len() * nw);
    let mut window_days = Vec::with_capacity(cohort.len() * nw);
    for m in cohort.members() {
        let obs = dw.observed(m);
        for win in windows {
            let period = win.period(m.index_date);
            window_days.push(period.map_or(0, |p| p.days()));
            observed_days.push(match (period, obs) {
                (Some(a), Some(b)) => a.intersect(&b).map_or(0, |x| x.days()),
                _ => 0,
            });
        }
    }
    (observed_days, window_days)
}

/// Read a column of a collected frame as `u32` positions (null as 0).
pub(crate) fn u32_positions(df: &DataFrame, name: &str) -> Result<Vec<u32>> {
    let c = df
        .column(name)
        .and_then(|c| c.cast(&DataType::UInt32))
        .map_err(|e| Error::frame("reading aggregates", e))?;
    let ca = c.u32().map_err(|e| Error::frame("reading aggregates", e))?;
    Ok(ca.iter().map(|v| v.unwrap_or(0)).collect())
}

/// Aggregate events per person × window × category (event counts, or days
/// for day categories, summed), with observed time.
///
/// # Errors
/// On a frame-engine failure.
pub fn window_counts(
    cohort: &Cohort,
    events: &ServiceEvents,
    windows: &[Window],
    categories: &[String],
) -> Result<WindowCounts> {
    let (people, cohort_df) = cohort_frame(cohort)?;
    let nw = windows.len();
    let nc = categories.len();
    let mut counts = vec![0.0; people.len() * nw * nc];
    if nw > 0 && nc > 0 {
        let agg = windowed_sums(&cohort_df, events, windows, categories)?
            .collect()
            .map_err(|e| Error::frame("aggregating service use", e))?;
        let p = u32_positions(&agg, "__p")?;
        let c = u32_positions(&agg, "__c")?;
        let w = u32_positions(&agg, "__w")?;
        let n = agg
            .column("__n")
            .and_then(|c| c.cast(&DataType::Float64))
            .map_err(|e| Error::frame("reading aggregates", e))?;
        let n = n.f64().map_err(|e| Error::frame("reading aggregates", e))?;
        for (i, v) in n.iter().enumerate() {
            let slot = (p[i] as usize * nw + w[i] as usize) * nc + c[i] as usize;
            if let Some(s) = counts.get_mut(slot) {
                *s += v.unwrap_or(0.0);
            }
        }
    }
    let (observed_days, window_days) = observed_time(cohort, windows);
    Ok(WindowCounts {
        people,
        windows: windows.to_vec(),
        categories: categories.to_vec(),
        counts,
        observed_days,
        window_days,
    })
}

/// Service-use costs per person × window × agency, re-based to one price
/// year: the column-wise path of [`crate::costs::costing::cost_by_person_window`]
/// for cohorts too large for typed records. Events whose category has no
/// rate are not costed; their count is reported in
/// [`WindowCosts::uncosted_events`], never priced at zero silently.
#[derive(Debug, Clone)]
pub struct WindowCosts {
    people: Vec<PersonId>,
    windows: Vec<Window>,
    agencies: Vec<crate::costs::Agency>,
    /// cost[(person * windows + window) * agencies + agency]
    cost: Vec<f64>,
    price_year: crate::costs::PriceYear,
    uncosted_events: u64,
}

impl WindowCosts {
    /// The people, in cohort order.
    pub fn people(&self) -> &[PersonId] {
        &self.people
    }

    /// The agencies that bear any cost, in rate order.
    pub fn agencies(&self) -> &[crate::costs::Agency] {
        &self.agencies
    }

    /// The price year of every amount.
    pub fn price_year(&self) -> crate::costs::PriceYear {
        self.price_year
    }

    /// Events in the windows whose category had no rate.
    pub fn uncosted_events(&self) -> u64 {
        self.uncosted_events
    }

    fn window_pos(&self, window: &str) -> Result<usize> {
        window_index(&self.windows, window)
    }

    /// Each person's cost in a window for one agency (or all agencies with
    /// `None`), in cohort order, in pounds of [`Self::price_year`].
    ///
    /// # Errors
    /// If the window was not costed.
    pub fn per_person(
        &self,
        window: &str,
        agency: Option<&crate::costs::Agency>,
    ) -> Result<Vec<f64>> {
        let w = self.window_pos(window)?;
        let (nw, na) = (self.windows.len(), self.agencies.len());
        Ok((0..self.people.len())
            .map(|p| {
                (0..na)
                    .filter(|a| agency.is_none_or(|x| *x == self.agencies[*a]))
                    .map(|a| self.cost[(p * nw + w) * na + a])
                    .sum()
            })
            .collect())
    }

    /// The cohort total in a window, by agency.
    ///
    /// # Errors
    /// If the window was not costed.
    pub fn totals_by_agency(&self, window: &str) -> Result<Vec<(crate::costs::Agency, f64)>> {
        self.agencies
            .iter()
            .map(|a| Ok((a.clone(), self.per_person(window, Some(a))?.iter().sum())))
            .collect()
    }
}

/// Cost events per person × window × agency with per-category rates
/// (from [`crate::costs::costing::category_rates`]): `count × £ per count`,
/// summed.
///
/// # Errors
/// If the rates are in different price years, or on a frame-engine failure.
pub fn window_costs(
    cohort: &Cohort,
    events: &ServiceEvents,
    windows: &[Window],
    rates: &[crate::costs::CategoryRate],
) -> Result<WindowCosts> {
    let Some(first) = rates.first() else {
        return Err(Error::insufficient_data(
            "costing",
            "no category has a unit cost",
        ));
    };
    let price_year = first.per_count.price_year();
    if let Some(r) = rates
        .iter()
        .find(|r| r.per_count.price_year() != price_year)
    {
        return Err(Error::invalid_parameter(
            "rates",
            r.per_count.price_year(),
            format!("every rate must be in the same price year ({price_year})"),
        ));
    }
    let mut agencies: Vec<crate::costs::Agency> = Vec::new();
    for r in rates {
        if !agencies.contains(&r.agency) {
            agencies.push(r.agency.clone());
        }
    }
    let codes: Vec<String> = rates
        .iter()
        .map(|r| r.category.as_str().to_string())
        .collect();
    let per: Vec<f64> = rates.iter().map(|r| r.per_count.amount()).collect();
    let agency_idx: Vec<u32> = rates
        .iter()
        .map(|r| agencies.iter().position(|a| *a == r.agency).unwrap_or(0) as u32)
        .collect();
    let (people, cohort_df) = cohort_frame(cohort)?;
    let frame_err = |e| Error::frame("costing service use", e);
    let rate_df = DataFrame::new_infer_height(vec![
        Column::new("category".into(), codes),
        Column::new("__rate".into(), per),
        Column::new("__a".into(), agency_idx),
    ])
    .map_err(frame_err)?;
    let base = events
        .frame()
        .clone()
        .lazy()
        .select([col("person_id"), col("date"), col("category"), col("count")])
        .join(
            cohort_df.lazy(),
            [col("person_id")],
            [col("person_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .join(
            rate_df.lazy(),
            [col("category")],
            [col("category")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(
            months_since_expr(col("__index").cast(DataType::Date), col("date")).alias("__m"),
        );
    let (nw, na) = (windows.len(), agencies.len());
    let mut cost = vec![0.0; people.len() * nw * na];
    let mut parts = Vec::with_capacity(nw);
    for (w, win) in windows.iter().enumerate() {
        parts.push(
            base.clone()
                .filter(
                    col("__m")
                        .gt_eq(lit(win.start_month()))
                        .and(col("__m").lt(lit(win.end_month()))),
                )
                .with_column(lit(w as u32).alias("__w")),
        );
    }
    let in_windows = concat(parts, UnionArgs::default()).map_err(frame_err)?;
    let in_windows = in_windows.collect().map_err(frame_err)?;
    let uncosted_events = in_windows.column("__rate").map_err(frame_err)?.null_count() as u64;
    let agg = in_windows
        .lazy()
        .filter(col("__rate").is_not_null())
        .group_by([col("__p"), col("__w"), col("__a")])
        .agg([(col("count").cast(DataType::Float64) * col("__rate"))
            .sum()
            .alias("__cost")])
        .collect()
        .map_err(frame_err)?;
    let (p, w, a) = (
        u32_positions(&agg, "__p")?,
        u32_positions(&agg, "__w")?,
        u32_positions(&agg, "__a")?,
    );
    let c = agg.column("__cost").map_err(frame_err)?;
    let c = c.f64().map_err(frame_err)?;
    for (i, v) in c.iter().enumerate() {
        let slot = (p[i] as usize * nw + w[i] as usize) * na + a[i] as usize;
        if let Some(s) = cost.get_mut(slot) {
            *s += v.unwrap_or(0.0);
        }
    }
    Ok(WindowCosts {
        people,
        windows: windows.to_vec(),
        agencies,
        cost,
        price_year,
        uncosted_events,
    })
}
