//! Column-wise aggregation of service use per person, window and category,
//! for cohorts too large for typed records. Agrees with
//! [`crate::measures::service_use::aggregate`] on the same data (tested).

use polars::prelude::*;

use super::loaders::{date_to_days, Cohort, ServiceEvents};
use crate::cohort::{months_between, Group, PersonId};
use crate::error::{Error, Result};
use crate::measures::service_use::{Count, PeriodCount, Window, WindowCount};

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
    groups: Vec<Group>,
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

    /// Each person's group, aligned with [`WindowCounts::people`] (the
    /// frame column analyses select rows by).
    pub fn groups(&self) -> &[Group] {
        &self.groups
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

/// Service-use events with the person's cohort position `__p` (events of
/// people outside `cohort_df` dropped), the category's position `__c` in
/// `categories` (`join` `Inner` drops other categories, `Left` keeps them
/// with a null `__c`) and `__m`, whole months since the index date.
///
/// # Errors
/// On a frame-engine failure.
fn positioned_events<S: AsRef<str>>(
    cohort_df: &DataFrame,
    events: &ServiceEvents,
    categories: &[S],
    join: JoinType,
) -> Result<LazyFrame> {
    let codes: Vec<&str> = categories.iter().map(AsRef::as_ref).collect();
    let cat_df = DataFrame::new_infer_height(vec![
        Column::new("category".into(), codes),
        Column::new(
            "__c".into(),
            (0..categories.len() as u32).collect::<Vec<u32>>(),
        ),
    ])
    .map_err(|e| Error::frame("building the category frame", e))?;
    Ok(events
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
            JoinArgs::new(join),
        )
        .with_column(
            months_since_expr(col("__index").cast(DataType::Date), col("date")).alias("__m"),
        ))
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
    let base = positioned_events(cohort_df, events, categories, JoinType::Inner)?;
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
    let people: Vec<PersonId> = cohort.members().iter().map(|m| m.person.clone()).collect();
    let nw = windows.len();
    let nc = categories.len();
    let mut counts = vec![0.0; people.len() * nw * nc];
    if nw > 0 && nc > 0 {
        add_event_counts(cohort, events, windows, categories, &mut counts)?;
    }
    let (observed_days, window_days) = observed_time(cohort, windows);
    Ok(WindowCounts {
        people,
        groups: cohort.members().iter().map(|m| m.group).collect(),
        windows: windows.to_vec(),
        categories: categories.to_vec(),
        counts,
        observed_days,
        window_days,
    })
}

/// Add counts per period (exact or banded; `scenario` picks the band's
/// value) to the frame: a period count belongs to every window containing
/// its period's first day (the rule of
/// [`crate::measures::service_use::aggregate`]), in the cell of its person
/// and category. Counts of people outside the cohort or of categories not in
/// the frame add nothing; the number of counts added is returned.
///
/// # Errors
/// If `cohort` is not the frame's cohort (another number of people).
pub fn add_period_counts(
    frame: &mut WindowCounts,
    cohort: &Cohort,
    periods: &[PeriodCount],
    scenario: crate::measures::service_use::Scenario,
) -> Result<u64> {
    if cohort.len() != frame.people.len() {
        return Err(Error::invalid_parameter(
            "cohort",
            format!("{} people", cohort.len()),
            format!("the frame's cohort has {}", frame.people.len()),
        ));
    }
    let (nw, nc) = (frame.windows.len(), frame.categories.len());
    let cat_of: foldhash::HashMap<&str, usize> = frame
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let row_of: foldhash::HashMap<&str, usize> = cohort
        .members()
        .iter()
        .enumerate()
        .map(|(i, m)| (m.person.pseudonym(), i))
        .collect();
    let mut added = 0;
    for pc in periods {
        let (Some(&p), Some(&c)) = (
            row_of.get(pc.person.pseudonym()),
            cat_of.get(pc.category.code()),
        ) else {
            continue;
        };
        let m = months_between(cohort.members()[p].index_date, pc.period.start());
        let mut counted = false;
        for (w, win) in frame.windows.iter().enumerate() {
            if m >= win.start_month() && m < win.end_month() {
                if let Some(slot) = frame.counts.get_mut((p * nw + w) * nc + c) {
                    *slot += pc.count.get(scenario);
                    counted = true;
                }
            }
        }
        added += u64::from(counted);
    }
    Ok(added)
}

/// A frame with every count zero (and each person's observed time), for
/// service use given only as counts per period ([`add_period_counts`]).
pub fn empty_window_counts(
    cohort: &Cohort,
    windows: &[Window],
    categories: &[String],
) -> WindowCounts {
    let people: Vec<PersonId> = cohort.members().iter().map(|m| m.person.clone()).collect();
    let (observed_days, window_days) = observed_time(cohort, windows);
    WindowCounts {
        counts: vec![0.0; people.len() * windows.len() * categories.len()],
        people,
        groups: cohort.members().iter().map(|m| m.group).collect(),
        windows: windows.to_vec(),
        categories: categories.to_vec(),
        observed_days,
        window_days,
    }
}

/// Add each event's count to its person × window × category cell of
/// `counts` (indexed `(person × windows + window) × categories + category`,
/// people in cohort order), in one pass over the event columns: the person's
/// row by a hash of the pseudonym, the window by
/// [`months_between`] the index date and the event date (the one rule of
/// every window). Events of people outside the cohort, or of categories not
/// asked for, add nothing. Counts are whole numbers, so the sums are exact
/// whatever the order.
fn add_event_counts(
    cohort: &Cohort,
    events: &ServiceEvents,
    windows: &[Window],
    categories: &[String],
    counts: &mut [f64],
) -> Result<()> {
    let (nw, nc) = (windows.len(), categories.len());
    let cat_of: foldhash::HashMap<&str, usize> = categories
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let index: Vec<chrono::NaiveDate> = cohort.members().iter().map(|m| m.index_date).collect();
    for_each_event(
        cohort,
        events,
        "aggregating service use",
        |p, cat, day, k| {
            let Some(&c) = cat_of.get(cat) else {
                return;
            };
            let Some(date) = super::loaders::days_to_date(day) else {
                return;
            };
            let m = months_between(index[p], date);
            for (w, win) in windows.iter().enumerate() {
                if m >= win.start_month() && m < win.end_month() {
                    if let Some(slot) = counts.get_mut((p * nw + w) * nc + c) {
                        *slot += k as f64;
                    }
                }
            }
        },
    )
}

/// Call `f(member, category, day, count)` for every event of a cohort
/// member, in file order: the member's cohort position found by a hash of
/// the pseudonym, the date as days since the epoch, a missing count as 0.
/// Events of people outside the cohort are passed over. The one pass over
/// the event columns behind [`window_counts`] and [`first_events`].
fn for_each_event(
    cohort: &Cohort,
    events: &ServiceEvents,
    what: &str,
    mut f: impl FnMut(usize, &str, i32, i64),
) -> Result<()> {
    let err = |e: PolarsError| Error::frame(what, e);
    let row_of: foldhash::HashMap<&str, usize> = cohort
        .members()
        .iter()
        .enumerate()
        .map(|(i, m)| (m.person.pseudonym(), i))
        .collect();
    let df = events.frame();
    let ids = df.column("person_id").and_then(|c| c.str()).map_err(err)?;
    let cats = df.column("category").and_then(|c| c.str()).map_err(err)?;
    let dates = df
        .column("date")
        .and_then(|c| c.cast(&DataType::Int32))
        .map_err(err)?;
    let dates = dates.i32().map_err(err)?;
    let n = df
        .column("count")
        .and_then(|c| c.cast(&DataType::Int64))
        .map_err(err)?;
    let n = n.i64().map_err(err)?;
    for (((id, cat), day), k) in ids.iter().zip(cats.iter()).zip(dates.iter()).zip(n.iter()) {
        let (Some(id), Some(cat), Some(day)) = (id, cat, day) else {
            continue;
        };
        if let Some(&p) = row_of.get(id) {
            f(p, cat, day, k.unwrap_or(0));
        }
    }
    Ok(())
}

/// What a time-to-event outcome reads of each cohort member's service use,
/// in cohort order ([`first_events`]).
#[derive(Debug, Clone, PartialEq)]
pub struct FirstEvents {
    /// The first event on or after the index date (`None`: no such event).
    pub first: Vec<Option<chrono::NaiveDate>>,
    /// The events in the first months after the index date (months since
    /// it in `0..months`, by [`months_between`], the window rule; day
    /// categories add their days, as in [`window_counts`]): the frequency
    /// of the Justice Data Lab's one-year measures.
    pub within: Vec<f64>,
}

/// Each cohort member's first event of one of `categories` on or after
/// their index date, and their events of those categories in the first
/// `months` months, in one pass over the event columns (the person's row
/// found by a hash of the pseudonym, as in [`window_counts`]). A row with a
/// count of 0 is not an event; events of people outside the cohort or of
/// other categories are passed over.
///
/// # Errors
/// On a frame-engine failure.
pub fn first_events(
    cohort: &Cohort,
    events: &ServiceEvents,
    categories: &[String],
    months: u32,
) -> Result<FirstEvents> {
    let wanted: foldhash::HashSet<&str> = categories.iter().map(String::as_str).collect();
    let index: Vec<chrono::NaiveDate> = cohort.members().iter().map(|m| m.index_date).collect();
    let index_days: Vec<i32> = index.iter().map(|d| date_to_days(*d)).collect();
    let mut first: Vec<Option<i32>> = vec![None; index.len()];
    let mut within = vec![0.0; index.len()];
    let months = i32::try_from(months).unwrap_or(i32::MAX);
    for_each_event(cohort, events, "finding first events", |p, cat, day, k| {
        if k <= 0 || !wanted.contains(cat) || day < index_days[p] {
            return;
        }
        if first[p].is_none_or(|f| day < f) {
            first[p] = Some(day);
        }
        if let Some(date) = super::loaders::days_to_date(day) {
            if months_between(index[p], date) < months {
                within[p] += k as f64;
            }
        }
    })?;
    Ok(FirstEvents {
        first: first
            .into_iter()
            .map(|d| d.and_then(super::loaders::days_to_date))
            .collect(),
        within,
    })
}

/// Service-use costs per person × window × category, re-based to one price
/// year, with the agency that bears each category's cost: the column-wise
/// path of [`crate::costs::costing::cost_by_person_window`] for cohorts too
/// large for typed records.
///
/// Each category's cost is borne by one agency (the agency of its chosen
/// unit cost), so the cost by agency, and by (category, agency), are sums of
/// the cost by category. Every amount exists under the three scenarios
/// (low / mid / high estimate of banded counts, see
/// [`crate::measures::service_use::Scenario`]); exact counts (all dated events) are the same
/// in all three.
///
/// Windows are any [`Window`]s relative to each person's index date and may
/// overlap: `Window::before_after_12_months()` for a before/after offset,
/// `Window::quarters(-4, 8)` for the cost per quarter from a year before the
/// start to the ninth quarter after it.
///
/// Records whose category has no rate are not costed; their number is
/// reported in [`WindowCosts::uncosted_events`], never priced at zero
/// silently.
#[derive(Debug, Clone)]
pub struct WindowCosts {
    people: Vec<PersonId>,
    windows: Vec<Window>,
    categories: Vec<crate::costs::CostCategory>,
    /// agency index of each category
    category_agency: Vec<usize>,
    agencies: Vec<crate::costs::Agency>,
    /// mid (and exact) cost[(person * windows + window) * categories + category]
    mid: Vec<f64>,
    /// low and high costs, laid out as `mid`, when any banded count was
    /// costed (otherwise both equal `mid`)
    bands: Option<(Vec<f64>, Vec<f64>)>,
    price_year: crate::costs::PriceYear,
    uncosted_events: u64,
}

/// The cohort total of one category in one window (see
/// [`WindowCosts::totals_by_category_agency`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryAgencyTotal {
    /// The category.
    pub category: crate::costs::CostCategory,
    /// The agency that bears its cost.
    pub agency: crate::costs::Agency,
    /// The total, in pounds of [`WindowCosts::price_year`].
    pub total: f64,
}

impl WindowCosts {
    /// The people, in cohort order.
    pub fn people(&self) -> &[PersonId] {
        &self.people
    }

    /// The windows costed, in the order given.
    pub fn windows(&self) -> &[Window] {
        &self.windows
    }

    /// The categories costed, in rate order.
    pub fn categories(&self) -> &[crate::costs::CostCategory] {
        &self.categories
    }

    /// The agencies that bear any cost, in rate order.
    pub fn agencies(&self) -> &[crate::costs::Agency] {
        &self.agencies
    }

    /// The agency that bears a category's cost, if the category was costed.
    pub fn agency_of(
        &self,
        category: &crate::costs::CostCategory,
    ) -> Option<&crate::costs::Agency> {
        let c = self.categories.iter().position(|x| x == category)?;
        self.agencies.get(self.category_agency[c])
    }

    /// The price year of every amount.
    pub fn price_year(&self) -> crate::costs::PriceYear {
        self.price_year
    }

    /// Records (events, and period counts) in at least one window whose
    /// category had no rate; each record is counted once.
    pub fn uncosted_events(&self) -> u64 {
        self.uncosted_events
    }

    /// [`CountKind::Banded`] if any banded count was costed (then the low,
    /// mid and high amounts may differ), else [`CountKind::Exact`].
    pub fn count_kind(&self) -> CountKind {
        if self.bands.is_some() {
            CountKind::Banded
        } else {
            CountKind::Exact
        }
    }

    fn window_pos(&self, window: &str) -> Result<usize> {
        window_index(&self.windows, window)
    }

    fn category_pos(&self, category: &crate::costs::CostCategory) -> Result<usize> {
        self.categories
            .iter()
            .position(|x| x == category)
            .ok_or_else(|| {
                Error::invalid_parameter("category", category, "not one of the categories costed")
            })
    }

    fn values(&self, scenario: crate::measures::service_use::Scenario) -> &[f64] {
        use crate::measures::service_use::Scenario;
        match (scenario, &self.bands) {
            (Scenario::Low, Some((low, _))) => low,
            (Scenario::High, Some((_, high))) => high,
            _ => &self.mid,
        }
    }

    /// Each person's cost in a window, summed over the categories for which
    /// `keep(category index)` holds.
    fn per_person_where(
        &self,
        window: &str,
        scenario: crate::measures::service_use::Scenario,
        keep: impl Fn(usize) -> bool,
    ) -> Result<Vec<f64>> {
        let w = self.window_pos(window)?;
        let (nw, nc) = (self.windows.len(), self.categories.len());
        let kept: Vec<usize> = (0..nc).filter(|c| keep(*c)).collect();
        let v = self.values(scenario);
        Ok((0..self.people.len())
            .map(|p| {
                let row = &v[(p * nw + w) * nc..(p * nw + w + 1) * nc];
                kept.iter().map(|c| row[*c]).sum()
            })
            .collect())
    }

    /// Each person's cost in a window for one agency (or all agencies with
    /// `None`), in cohort order, in pounds of [`Self::price_year`], under the
    /// mid scenario (see [`Self::per_person_for`] for the others).
    ///
    /// # Errors
    /// If the window was not costed.
    pub fn per_person(
        &self,
        window: &str,
        agency: Option<&crate::costs::Agency>,
    ) -> Result<Vec<f64>> {
        self.per_person_for(window, crate::measures::service_use::Scenario::Mid, agency)
    }

    /// Each person's cost in a window under `scenario`, for one agency (or
    /// all agencies with `None`), in cohort order.
    ///
    /// # Errors
    /// If the window was not costed.
    pub fn per_person_for(
        &self,
        window: &str,
        scenario: crate::measures::service_use::Scenario,
        agency: Option<&crate::costs::Agency>,
    ) -> Result<Vec<f64>> {
        // An agency that bears no cost keeps no category: zero for everyone.
        let a = agency.map(|x| self.agencies.iter().position(|y| y == x));
        self.per_person_where(window, scenario, |c| match a {
            None => true,
            Some(a) => a == Some(self.category_agency[c]),
        })
    }

    /// Each person's cost of one category in a window under `scenario`, in
    /// cohort order.
    ///
    /// # Errors
    /// If the window or the category was not costed.
    pub fn per_person_by_category(
        &self,
        window: &str,
        category: &crate::costs::CostCategory,
        scenario: crate::measures::service_use::Scenario,
    ) -> Result<Vec<f64>> {
        let k = self.category_pos(category)?;
        self.per_person_where(window, scenario, |c| c == k)
    }

    /// The cohort total in a window under `scenario`, by category (every
    /// category costed, in rate order).
    ///
    /// # Errors
    /// If the window was not costed.
    pub fn totals_by_category(
        &self,
        window: &str,
        scenario: crate::measures::service_use::Scenario,
    ) -> Result<Vec<(crate::costs::CostCategory, f64)>> {
        let w = self.window_pos(window)?;
        let (nw, nc) = (self.windows.len(), self.categories.len());
        let v = self.values(scenario);
        let mut totals = vec![0.0; nc];
        for p in 0..self.people.len() {
            let row = &v[(p * nw + w) * nc..(p * nw + w + 1) * nc];
            for (t, x) in totals.iter_mut().zip(row) {
                *t += x;
            }
        }
        Ok(self.categories.iter().cloned().zip(totals).collect())
    }

    /// The cohort total in a window under `scenario`, by category with the
    /// agency bearing it.
    ///
    /// # Errors
    /// If the window was not costed.
    pub fn totals_by_category_agency(
        &self,
        window: &str,
        scenario: crate::measures::service_use::Scenario,
    ) -> Result<Vec<CategoryAgencyTotal>> {
        Ok(self
            .totals_by_category(window, scenario)?
            .into_iter()
            .enumerate()
            .map(|(c, (category, total))| CategoryAgencyTotal {
                category,
                agency: self.agencies[self.category_agency[c]].clone(),
                total,
            })
            .collect())
    }

    /// The cohort total in a window under `scenario`, by agency (every
    /// agency bearing a cost, in rate order): the sum of its categories'
    /// totals.
    ///
    /// # Errors
    /// If the window was not costed.
    pub fn totals_by_agency_for(
        &self,
        window: &str,
        scenario: crate::measures::service_use::Scenario,
    ) -> Result<Vec<(crate::costs::Agency, f64)>> {
        let mut out: Vec<(crate::costs::Agency, f64)> =
            self.agencies.iter().map(|a| (a.clone(), 0.0)).collect();
        for (c, (_, t)) in self
            .totals_by_category(window, scenario)?
            .iter()
            .enumerate()
        {
            out[self.category_agency[c]].1 += t;
        }
        Ok(out)
    }

    /// The cohort total in a window, by agency, under the mid scenario.
    ///
    /// # Errors
    /// If the window was not costed.
    pub fn totals_by_agency(&self, window: &str) -> Result<Vec<(crate::costs::Agency, f64)>> {
        self.totals_by_agency_for(window, crate::measures::service_use::Scenario::Mid)
    }

    /// The cohort total in a window under `scenario`.
    ///
    /// # Errors
    /// If the window was not costed.
    pub fn total(
        &self,
        window: &str,
        scenario: crate::measures::service_use::Scenario,
    ) -> Result<f64> {
        Ok(self
            .totals_by_category(window, scenario)?
            .iter()
            .map(|(_, t)| t)
            .sum())
    }

    /// The cohort total in a window under each scenario, as money.
    ///
    /// # Errors
    /// If the window was not costed, or a total is not finite.
    pub fn total_range(&self, window: &str) -> Result<crate::costs::CostRange> {
        use crate::costs::Gbp;
        use crate::measures::service_use::Scenario;
        let money =
            |s: Scenario| -> Result<Gbp> { Gbp::new(self.total(window, s)?, self.price_year) };
        Ok(crate::costs::CostRange {
            low: money(Scenario::Low)?,
            mid: money(Scenario::Mid)?,
            high: money(Scenario::High)?,
        })
    }
}

/// Whether a costing held only exact counts or some banded ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountKind {
    /// Every count was exact: low = mid = high everywhere.
    Exact,
    /// Some count was a band.
    Banded,
}

/// Cost dated events per person × window × category with per-category
/// rates (from [`crate::costs::costing::category_rates`]):
/// `Σ count × £ per count` over each cell's events. As
/// [`window_costs_with_counts`] with no period counts.
///
/// # Errors
/// As [`window_costs_with_counts`].
pub fn window_costs(
    cohort: &Cohort,
    events: &ServiceEvents,
    windows: &[Window],
    rates: &[crate::costs::CategoryRate],
) -> Result<WindowCosts> {
    window_costs_with_counts(cohort, events, &[], windows, rates)
}

/// Cost dated events and counts per period (exact or banded, e.g. the
/// Fulfilling Lives quarterly bands) per person × window × category:
/// `Σ count(scenario) × £ per count` over each cell's records, for each
/// scenario. An event belongs to every window containing its date, a period
/// count to every window containing its period's first day (the rule of
/// [`crate::measures::service_use::aggregate`]).
///
/// # Errors
/// [`ErrorKind::InsufficientData`](crate::ErrorKind::InsufficientData) if
/// there are no rates; [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter)
/// if the rates are in different price years, a category has two rates, or
/// a period count's person is not in the cohort (naming the record's
/// position, never the person); a frame-engine failure.
pub fn window_costs_with_counts(
    cohort: &Cohort,
    events: &ServiceEvents,
    period_counts: &[PeriodCount],
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
    let mut categories: Vec<crate::costs::CostCategory> = Vec::with_capacity(rates.len());
    let mut category_agency = Vec::with_capacity(rates.len());
    for r in rates {
        if categories.contains(&r.category) {
            return Err(Error::invalid_parameter(
                "rates",
                &r.category,
                "a category may have only one rate",
            ));
        }
        categories.push(r.category.clone());
        match agencies.iter().position(|a| *a == r.agency) {
            Some(a) => category_agency.push(a),
            None => {
                category_agency.push(agencies.len());
                agencies.push(r.agency.clone());
            }
        }
    }
    let per: Vec<f64> = rates.iter().map(|r| r.per_count.amount()).collect();
    let people: Vec<PersonId> = cohort.members().iter().map(|m| m.person.clone()).collect();
    let (np, nw, nc) = (people.len(), windows.len(), categories.len());
    let mut mid = vec![0.0; np * nw * nc];
    let mut uncosted_events = 0u64;
    // Windows containing each month since the index date, months lo..hi.
    let lo = windows.iter().map(Window::start_month).min().unwrap_or(0);
    let hi = windows.iter().map(Window::end_month).max().unwrap_or(0);
    let mut in_month: Vec<Vec<usize>> = vec![Vec::new(); (hi - lo).max(0) as usize];
    for (w, win) in windows.iter().enumerate() {
        for m in win.start_month()..win.end_month() {
            in_month[(m - lo) as usize].push(w);
        }
    }
    let month_windows = |m: i32| -> &[usize] {
        if m < lo || m >= hi {
            &[]
        } else {
            &in_month[(m - lo) as usize]
        }
    };

    if nw > 0 && np > 0 {
        let frame_err = |e| Error::frame("costing service use", e);
        let (_, cohort_df) = cohort_frame(cohort)?;
        let codes: Vec<&str> = categories.iter().map(|c| c.as_str()).collect();
        let df = positioned_events(&cohort_df, events, &codes, JoinType::Left)?
            .filter(col("__m").gt_eq(lit(lo)).and(col("__m").lt(lit(hi))))
            .select([
                col("__p"),
                col("__c"),
                col("__m"),
                col("count").cast(DataType::Float64),
            ])
            .collect()
            .map_err(frame_err)?;
        let column = |name: &str, dt: &DataType| -> Result<Series> {
            df.column(name)
                .and_then(|c| c.cast(dt))
                .map(|c| c.as_materialized_series().clone())
                .map_err(frame_err)
        };
        let (p, c) = (
            column("__p", &DataType::UInt32)?,
            column("__c", &DataType::UInt32)?,
        );
        let (m, n) = (
            column("__m", &DataType::Int32)?,
            column("count", &DataType::Float64)?,
        );
        let (p, c) = (p.u32().map_err(frame_err)?, c.u32().map_err(frame_err)?);
        let (m, n) = (m.i32().map_err(frame_err)?, n.f64().map_err(frame_err)?);
        for (((p, c), m), n) in p.iter().zip(c.iter()).zip(m.iter()).zip(n.iter()) {
            let (Some(p), Some(m)) = (p, m) else {
                return Err(Error::frame(
                    "costing service use",
                    "a joined event lost its person or date",
                ));
            };
            let ws = month_windows(m);
            if ws.is_empty() {
                continue;
            }
            let Some(c) = c else {
                uncosted_events += 1;
                continue;
            };
            let (p, c) = (p as usize, c as usize);
            let v = n.unwrap_or(1.0) * per[c];
            for &w in ws {
                mid[(p * nw + w) * nc + c] += v;
            }
        }
    }

    let mut bands: Option<(Vec<f64>, Vec<f64>)> = None;
    if !period_counts.is_empty() && nw > 0 {
        let pos: std::collections::HashMap<&PersonId, usize> =
            people.iter().enumerate().map(|(i, p)| (p, i)).collect();
        let cat_pos: std::collections::HashMap<&str, usize> = categories
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i))
            .collect();
        if period_counts.iter().any(|r| !r.count.is_exact()) {
            bands = Some((mid.clone(), mid.clone()));
        }
        let members = cohort.members();
        for (i, r) in period_counts.iter().enumerate() {
            let Some(&p) = pos.get(&r.person) else {
                return Err(Error::invalid_parameter(
                    "period counts",
                    format!("record {}", i + 1),
                    "the record's person is not in the cohort",
                ));
            };
            let ws = month_windows(months_between(members[p].index_date, r.period.start()));
            if ws.is_empty() {
                continue;
            }
            let Some(&c) = cat_pos.get(r.category.code()) else {
                uncosted_events += 1;
                continue;
            };
            for &w in ws {
                let slot = (p * nw + w) * nc + c;
                mid[slot] += r.count.mid() * per[c];
                if let Some((low, high)) = bands.as_mut() {
                    low[slot] += r.count.low() * per[c];
                    high[slot] += r.count.high() * per[c];
                }
            }
        }
    }
    Ok(WindowCosts {
        people,
        windows: windows.to_vec(),
        categories,
        category_agency,
        agencies,
        mid,
        bands,
        price_year,
        uncosted_events,
    })
}

/// Each cohort member's events of `category` in consecutive calendar
/// periods, `[bounds[k], bounds[k + 1])` for `k` in `0..bounds.len() - 1`
/// (day categories add their days, as in [`window_counts`]), in one pass
/// over the event columns: `counts[person × periods + k]`, people in cohort
/// order. The person × period panel of a staggered-adoption design.
///
/// # Errors
/// If `bounds` is not increasing or the event columns cannot be read.
pub fn calendar_counts(
    cohort: &Cohort,
    events: &ServiceEvents,
    category: &str,
    bounds: &[chrono::NaiveDate],
) -> Result<Vec<f64>> {
    if bounds.len() < 2 || bounds.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Error::invalid_parameter(
            "bounds",
            format!("{} dates", bounds.len()),
            "the period bounds must be at least two increasing dates",
        ));
    }
    let np = bounds.len() - 1;
    let days: Vec<i32> = bounds.iter().map(|d| date_to_days(*d)).collect();
    let mut counts = vec![0.0; cohort.len() * np];
    for_each_event(
        cohort,
        events,
        "counting events by period",
        |p, cat, day, k| {
            if cat != category || day < days[0] || day >= days[np] {
                return;
            }
            // The period whose start is the last bound on or before the day.
            let k_period = days.partition_point(|&b| b <= day) - 1;
            if let Some(slot) = counts.get_mut(p * np + k_period) {
                *slot += k as f64;
            }
        },
    )?;
    Ok(counts)
}
