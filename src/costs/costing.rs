//! Typed costing: service-use counts × unit costs → cost per person per
//! window, by category and agency, in one price year; and the pre/post
//! comparison per person and for the cohort.
//!
//! This is the struct path for small data and for testing; the crate's
//! data-frame layer performs the same arithmetic on large tables.
//!
//! Cost of one record = `count(scenario) × unit value ÷ days(unit)` (the
//! division only for time-based units, see
//! [`CostUnit`]), re-based from
//! the unit cost's price year to the target year with the GDP deflator
//! ratio. Costs of a person-window are sums of its records' costs.
//!
//! # Parameters ([`CostingOptions`])
//!
//! | Parameter | Default | Range | Source |
//! |---|---|---|---|
//! | `target_year` | required | any year in the deflator series | Caller: usually the latest outturn year of the HM Treasury GDP deflator release |
//! | `scenario` | [`Scenario::Mid`] | Low, Mid, High | Fulfilling Lives CDF banded counts (domain.md §2.1) |
//! | `day_convention` | [`DayConvention::Julian`] (365.25 days a year) | Julian, Calendar365 | Mean calendar-year length over the leap cycle, so that nights counted across several years cost whole annual costs |
//! | programme cost per person ([`pre_post`]) | required | ≥ 0, any price year in the series | Programme accounts |

use std::collections::{BTreeMap, BTreeSet};

use crate::cohort::{Group, Phase};
use crate::compare::did::{matched_effect, EffectEstimate, MatchedSample};
use crate::compare::Matching;
use crate::costs::money::{DeflatorSeries, Gbp, PriceYear};
use crate::costs::unit_cost::{
    Agency, CostCategory, CostUnit, DayConvention, UnitCostTable, ValueType,
};
use crate::error::{Error, Result};
use crate::measures::service_use::{Count, Scenario};
use crate::stats::ols::{Clusters, Weights};
use crate::stats::{bootstrap_cluster_totals, BootstrapConfig, BootstrapResult, Interval};

/// One person's use of one service category in one window.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceUse<P> {
    /// The person (any ordered key; never shown in errors).
    pub person: P,
    /// The service category.
    pub category: CostCategory,
    /// The window.
    pub window: Phase,
    /// The count: events for per-event costs, days (nights) for time-based costs.
    pub count: Count,
}

/// Options for costing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostingOptions {
    /// The price year all costs are re-based to.
    pub target_year: PriceYear,
    /// Which estimate of banded counts to use. Default [`Scenario::Mid`].
    pub scenario: Scenario,
    /// Days per year for time-based unit costs. Default [`DayConvention::Julian`] (365.25).
    pub day_convention: DayConvention,
}

impl CostingOptions {
    /// Options with the given target year, mid scenario and 365.25-day years.
    pub fn new(target_year: PriceYear) -> Self {
        CostingOptions {
            target_year,
            scenario: Scenario::Mid,
            day_convention: DayConvention::Julian,
        }
    }
}

/// The cost of one [`ServiceUse`] record.
#[derive(Debug, Clone, PartialEq)]
pub struct CostLine<P> {
    /// The person.
    pub person: P,
    /// The window.
    pub window: Phase,
    /// The category.
    pub category: CostCategory,
    /// The unit cost code used.
    pub code: String,
    /// The agency bearing the cost.
    pub agency: Agency,
    /// The value type of the unit cost.
    pub value_type: ValueType,
    /// The cost, in the target year.
    pub cost: Gbp,
}

/// One person's costs in one window.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonWindowCost<P> {
    /// The person.
    pub person: P,
    /// The window.
    pub window: Phase,
    /// Total cost (the sum over categories, equal to the sum over agencies).
    pub total: Gbp,
    /// Cost by agency.
    pub by_agency: BTreeMap<Agency, Gbp>,
    /// Cost by category.
    pub by_category: BTreeMap<CostCategory, Gbp>,
}

/// The cost of one unit of count (one event, or one day for time-based
/// units) of a category, in the target year: the multiplier a data-frame
/// layer joins onto service-use rows.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryRate {
    /// The category.
    pub category: CostCategory,
    /// The unit cost code chosen for it.
    pub code: String,
    /// The agency bearing the cost.
    pub agency: Agency,
    /// The value type.
    pub value_type: ValueType,
    /// What a count means: [`CountMeaning::Events`] or [`CountMeaning::Days`].
    pub count_meaning: CountMeaning,
    /// £ per event or per day, re-based to the target year:
    /// `value ÷ days(unit) × index(target) ÷ index(price year)`.
    pub per_count: Gbp,
}

/// What a count of a category measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CountMeaning {
    /// Number of events (per-event unit costs).
    Events,
    /// Number of days or nights (per-day, -week, -month, -year unit costs).
    Days,
}

/// The rate for one category (see [`CategoryRate`]).
///
/// # Errors
/// As [`UnitCostTable::chosen`] and [`DeflatorSeries::factor`] (naming a
/// missing year).
pub fn category_rate(
    category: &CostCategory,
    table: &UnitCostTable,
    deflators: &DeflatorSeries,
    options: &CostingOptions,
) -> Result<CategoryRate> {
    let uc = table.chosen(category)?;
    let f = deflators.factor(uc.value().price_year(), options.target_year)?;
    let per_native = uc.cost_of(1.0, options.day_convention)?;
    let per_count = Gbp::new(per_native.amount() * f, options.target_year)
        .map_err(|_| Error::numerical("re-basing a unit cost", "the rate overflowed"))?;
    Ok(CategoryRate {
        category: category.clone(),
        code: uc.code().to_string(),
        agency: uc.agency().clone(),
        value_type: uc.value_type(),
        count_meaning: match uc.unit() {
            CostUnit::PerEvent => CountMeaning::Events,
            _ => CountMeaning::Days,
        },
        per_count,
    })
}

/// Rates for several categories, in the order given.
///
/// # Errors
/// As [`category_rate`], for the first category that fails.
pub fn category_rates(
    categories: &[CostCategory],
    table: &UnitCostTable,
    deflators: &DeflatorSeries,
    options: &CostingOptions,
) -> Result<Vec<CategoryRate>> {
    categories
        .iter()
        .map(|c| category_rate(c, table, deflators, options))
        .collect()
}

/// Cost every record: `count(scenario) × rate(category)` with the rate of
/// [`category_rate`].
///
/// # Errors
/// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter) if a
/// category has no chosen unit cost (see [`UnitCostTable::chosen`]) or a price
/// year is missing from the deflator series (naming the year);
/// [`ErrorKind::Numerical`](crate::ErrorKind::Numerical) on overflow.
pub fn cost_lines<P: Clone>(
    records: &[ServiceUse<P>],
    table: &UnitCostTable,
    deflators: &DeflatorSeries,
    options: &CostingOptions,
) -> Result<Vec<CostLine<P>>> {
    let mut rates: BTreeMap<CostCategory, CategoryRate> = BTreeMap::new();
    let mut out = Vec::with_capacity(records.len());
    for r in records {
        if !rates.contains_key(&r.category) {
            let rate = category_rate(&r.category, table, deflators, options)?;
            rates.insert(r.category.clone(), rate);
        }
        let rate = rates.get(&r.category).ok_or_else(|| {
            Error::numerical("costing a service-use record", "rate cache lookup failed")
        })?;
        let cost = rate
            .per_count
            .scale(r.count.get(options.scenario))
            .map_err(|_| Error::numerical("costing a service-use record", "the cost overflowed"))?;
        out.push(CostLine {
            person: r.person.clone(),
            window: r.window,
            category: r.category.clone(),
            code: rate.code.clone(),
            agency: rate.agency.clone(),
            value_type: rate.value_type,
            cost,
        });
    }
    Ok(out)
}

/// Cost every record and sum to one row per person and window (only
/// person-windows with at least one record appear; see [`pre_post`] for a
/// cohort including people with no service use).
///
/// # Errors
/// As [`cost_lines`].
pub fn cost_by_person_window<P: Clone + Ord>(
    records: &[ServiceUse<P>],
    table: &UnitCostTable,
    deflators: &DeflatorSeries,
    options: &CostingOptions,
) -> Result<Vec<PersonWindowCost<P>>> {
    let lines = cost_lines(records, table, deflators, options)?;
    aggregate(&lines, options.target_year)
}

fn add_into<K: Ord>(map: &mut BTreeMap<K, Gbp>, key: K, v: Gbp) -> Result<()> {
    match map.get_mut(&key) {
        Some(acc) => *acc = acc.checked_add(v)?,
        None => {
            map.insert(key, v);
        }
    }
    Ok(())
}

fn aggregate<P: Clone + Ord>(
    lines: &[CostLine<P>],
    year: PriceYear,
) -> Result<Vec<PersonWindowCost<P>>> {
    let mut map: BTreeMap<(P, Phase), PersonWindowCost<P>> = BTreeMap::new();
    for l in lines {
        let key = (l.person.clone(), l.window);
        let e = map.entry(key).or_insert_with(|| PersonWindowCost {
            person: l.person.clone(),
            window: l.window,
            total: Gbp::zero(year),
            by_agency: BTreeMap::new(),
            by_category: BTreeMap::new(),
        });
        e.total = e.total.checked_add(l.cost)?;
        add_into(&mut e.by_agency, l.agency.clone(), l.cost)?;
        add_into(&mut e.by_category, l.category.clone(), l.cost)?;
    }
    Ok(map.into_values().collect())
}

/// A person's costs before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonChange<P> {
    /// The person.
    pub person: P,
    /// Cost in the pre window.
    pub pre: Gbp,
    /// Cost in the post window.
    pub post: Gbp,
    /// `post − pre` (negative = lower cost after).
    pub change: Gbp,
    /// `pre − post − programme cost per person` (positive = the fall in
    /// cost more than paid for the programme).
    pub net_saving: Gbp,
}

/// One agency's cohort totals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AgencyChange {
    /// Total pre cost.
    pub pre: Gbp,
    /// Total post cost.
    pub post: Gbp,
    /// `post − pre`.
    pub change: Gbp,
}

/// The pre/post cost comparison for a cohort.
///
/// Sign convention: `change = post − pre` (negative is a reduction in the
/// cost of service use); `saving = pre − post`; `net saving = saving −
/// programme cost per person`.
#[derive(Debug, Clone, PartialEq)]
pub struct PrePostComparison<P> {
    /// Per person, in cohort order.
    pub people: Vec<PersonChange<P>>,
    /// Cohort size.
    pub n: usize,
    /// Total pre cost.
    pub total_pre: Gbp,
    /// Total post cost.
    pub total_post: Gbp,
    /// `total_post − total_pre`.
    pub total_change: Gbp,
    /// Mean pre cost per person.
    pub mean_pre: Gbp,
    /// Mean post cost per person.
    pub mean_post: Gbp,
    /// Mean change per person (`post − pre`).
    pub mean_change: Gbp,
    /// Programme cost per person, re-based to the target year.
    pub programme_cost_per_person: Gbp,
    /// Mean net saving per person (`pre − post − programme cost`).
    pub mean_net_saving: Gbp,
    /// Total net saving (`total_pre − total_post − n × programme cost`).
    pub total_net_saving: Gbp,
    /// Cohort totals by agency (agencies with any cost in either window).
    pub by_agency: BTreeMap<Agency, AgencyChange>,
}

impl<P> PrePostComparison<P> {
    /// Per-person `post − pre` in pounds, in cohort order (to bootstrap a
    /// confidence interval for the mean change).
    pub fn change_vector(&self) -> Vec<f64> {
        self.people.iter().map(|p| p.change.amount()).collect()
    }

    /// Per-person net saving in pounds, in cohort order.
    pub fn net_saving_vector(&self) -> Vec<f64> {
        self.people.iter().map(|p| p.net_saving.amount()).collect()
    }
}

/// Compare each cohort member's pre and post costs.
///
/// `cohort` lists every person once, including those with no service use
/// (their costs are £0). `programme_cost_per_person` is re-based to the
/// target year.
///
/// # Errors
/// [`ErrorKind::InsufficientData`](crate::ErrorKind::InsufficientData) if the
/// cohort is empty; [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter)
/// if a person appears twice in the cohort, a record's person is not in the
/// cohort (the record's position is given, not the person), the programme
/// cost is negative, or as [`cost_lines`].
pub fn pre_post<P: Clone + Ord>(
    records: &[ServiceUse<P>],
    cohort: &[P],
    table: &UnitCostTable,
    deflators: &DeflatorSeries,
    options: &CostingOptions,
    programme_cost_per_person: Gbp,
) -> Result<PrePostComparison<P>> {
    let year = options.target_year;
    if cohort.is_empty() {
        return Err(Error::insufficient_data(
            "pre/post cost comparison",
            "the cohort is empty",
        ));
    }
    if programme_cost_per_person.amount() < 0.0 {
        return Err(Error::invalid_parameter(
            "programme_cost_per_person",
            programme_cost_per_person.amount(),
            "a programme cost must be ≥ 0",
        ));
    }
    let members: BTreeSet<&P> = cohort.iter().collect();
    if members.len() != cohort.len() {
        return Err(Error::invalid_parameter(
            "cohort",
            format!("{} entries, {} distinct", cohort.len(), members.len()),
            "each person may appear only once in the cohort",
        ));
    }
    if let Some(i) = records.iter().position(|r| !members.contains(&r.person)) {
        return Err(Error::invalid_parameter(
            "records",
            format!("record {}", i + 1),
            "the record's person is not in the cohort",
        ));
    }
    let programme = deflators.rebase(programme_cost_per_person, year)?;
    let lines = cost_lines(records, table, deflators, options)?;
    let mut pre: BTreeMap<&P, Gbp> = BTreeMap::new();
    let mut post: BTreeMap<&P, Gbp> = BTreeMap::new();
    let mut agency_pre: BTreeMap<Agency, Gbp> = BTreeMap::new();
    let mut agency_post: BTreeMap<Agency, Gbp> = BTreeMap::new();
    for l in &lines {
        let (m, a) = match l.window {
            Phase::Before => (&mut pre, &mut agency_pre),
            Phase::After => (&mut post, &mut agency_post),
        };
        // The person is in the cohort (checked above); look up its reference.
        let key = members.get(&l.person).copied().ok_or_else(|| {
            Error::invalid_parameter(
                "records",
                "a record",
                "the record's person is not in the cohort",
            )
        })?;
        add_into(m, key, l.cost)?;
        add_into(a, l.agency.clone(), l.cost)?;
    }
    let zero = Gbp::zero(year);
    let mut people = Vec::with_capacity(cohort.len());
    for p in cohort {
        let a = pre.get(p).copied().unwrap_or(zero);
        let b = post.get(p).copied().unwrap_or(zero);
        let change = b.checked_sub(a)?;
        let net_saving = a.checked_sub(b)?.checked_sub(programme)?;
        people.push(PersonChange {
            person: p.clone(),
            pre: a,
            post: b,
            change,
            net_saving,
        });
    }
    summarise(people, programme, agency_pre, agency_post, year)
}

/// One category's counts before and after the start, one value per row of
/// the per-person frame (events, or days for time-based units), as
/// [`pre_post_columns`] reads them.
#[derive(Debug, Clone, Copy)]
pub struct CategoryColumns<'a> {
    /// The category.
    pub category: &'a CostCategory,
    /// Count in the before window, by row.
    pub before: &'a [f64],
    /// Count in the after window, by row.
    pub after: &'a [f64],
}

/// [`pre_post`] on the per-person frame: the same comparison, computed from
/// one count column per category and window instead of one record per
/// person, category and window.
///
/// `rows` picks the frame rows of the cohort compared, in cohort order, and
/// `people` names them (aligned with `rows`; each person once). The sums run
/// in the order [`pre_post`] uses on records listed person by person,
/// category by category (before, then after), so the two agree to the last
/// bit (tested); this is the path the main job runs, and [`pre_post`] its
/// small-data reference.
///
/// # Errors
/// As [`pre_post`]: an empty cohort, a negative programme cost, a missing
/// rate or price year; [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter)
/// if `people` and `rows` differ in length, a row is outside a column, or a
/// count is negative or not finite (naming its row).
pub fn pre_post_columns<P: Clone>(
    people: &[P],
    rows: &[usize],
    columns: &[CategoryColumns<'_>],
    table: &UnitCostTable,
    deflators: &DeflatorSeries,
    options: &CostingOptions,
    programme_cost_per_person: Gbp,
) -> Result<PrePostComparison<P>> {
    let year = options.target_year;
    if people.is_empty() {
        return Err(Error::insufficient_data(
            "pre/post cost comparison",
            "the cohort is empty",
        ));
    }
    if people.len() != rows.len() {
        return Err(Error::invalid_parameter(
            "rows",
            format!("{} rows for {} people", rows.len(), people.len()),
            "one frame row per person",
        ));
    }
    if programme_cost_per_person.amount() < 0.0 {
        return Err(Error::invalid_parameter(
            "programme_cost_per_person",
            programme_cost_per_person.amount(),
            "a programme cost must be ≥ 0",
        ));
    }
    let programme = deflators.rebase(programme_cost_per_person, year)?;
    let mut rates = Vec::with_capacity(columns.len());
    for c in columns {
        if c.before.len() != c.after.len() {
            return Err(Error::invalid_parameter(
                "columns",
                c.category.as_str(),
                "the before and after columns differ in length",
            ));
        }
        rates.push(category_rate(c.category, table, deflators, options)?);
    }
    // Each agency's running pre and post sums.
    let mut agency_pre: BTreeMap<Agency, Gbp> = BTreeMap::new();
    let mut agency_post: BTreeMap<Agency, Gbp> = BTreeMap::new();
    let mut out = Vec::with_capacity(people.len());
    let cost_of = |rate: &CategoryRate, n: f64, row: usize| -> Result<Gbp> {
        if !(n.is_finite() && n >= 0.0) {
            return Err(Error::invalid_parameter(
                "count",
                format!("row {}", row + 1),
                "a count must be finite and ≥ 0",
            ));
        }
        rate.per_count
            .scale(n)
            .map_err(|_| Error::numerical("costing a service-use count", "the cost overflowed"))
    };
    for (person, &row) in people.iter().zip(rows) {
        let mut pre: Option<Gbp> = None;
        let mut post: Option<Gbp> = None;
        for (c, rate) in columns.iter().zip(&rates) {
            let (Some(&b), Some(&a)) = (c.before.get(row), c.after.get(row)) else {
                return Err(Error::invalid_parameter(
                    "rows",
                    format!("row {}", row + 1),
                    "outside the count columns",
                ));
            };
            for (n, acc, by_agency) in [
                (b, &mut pre, &mut agency_pre),
                (a, &mut post, &mut agency_post),
            ] {
                // A zero count is no record in the record path: it adds
                // nothing and names no agency.
                if n > 0.0 || !(n.is_finite() && n >= 0.0) {
                    let cost = cost_of(rate, n, row)?;
                    *acc = Some(match *acc {
                        Some(s) => s.checked_add(cost)?,
                        None => cost,
                    });
                    add_into(by_agency, rate.agency.clone(), cost)?;
                }
            }
        }
        let zero = Gbp::zero(year);
        let (a, b) = (pre.unwrap_or(zero), post.unwrap_or(zero));
        out.push(PersonChange {
            person: person.clone(),
            pre: a,
            post: b,
            change: b.checked_sub(a)?,
            net_saving: a.checked_sub(b)?.checked_sub(programme)?,
        });
    }
    summarise(out, programme, agency_pre, agency_post, year)
}

/// The cohort totals, means and agency changes of per-person changes.
fn summarise<P>(
    people: Vec<PersonChange<P>>,
    programme: Gbp,
    agency_pre: BTreeMap<Agency, Gbp>,
    agency_post: BTreeMap<Agency, Gbp>,
    year: PriceYear,
) -> Result<PrePostComparison<P>> {
    let zero = Gbp::zero(year);
    let n = people.len();
    let total_pre = Gbp::sum(year, people.iter().map(|p| p.pre))?;
    let total_post = Gbp::sum(year, people.iter().map(|p| p.post))?;
    let total_change = total_post.checked_sub(total_pre)?;
    let total_net_saving = total_pre
        .checked_sub(total_post)?
        .checked_sub(programme.scale(n as f64)?)?;
    let inv = 1.0 / n as f64;
    let agencies: BTreeSet<Agency> = agency_pre
        .keys()
        .chain(agency_post.keys())
        .cloned()
        .collect();
    let mut by_agency = BTreeMap::new();
    for ag in agencies {
        let a = agency_pre.get(&ag).copied().unwrap_or(zero);
        let b = agency_post.get(&ag).copied().unwrap_or(zero);
        by_agency.insert(
            ag,
            AgencyChange {
                pre: a,
                post: b,
                change: b.checked_sub(a)?,
            },
        );
    }
    Ok(PrePostComparison {
        n,
        total_pre,
        total_post,
        total_change,
        mean_pre: total_pre.scale(inv)?,
        mean_post: total_post.scale(inv)?,
        mean_change: total_change.scale(inv)?,
        programme_cost_per_person: programme,
        mean_net_saving: total_net_saving.scale(inv)?,
        total_net_saving,
        by_agency,
        people,
    })
}

/// Low, mid and high totals for the same records under the three scenarios.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostRange {
    /// Total under [`Scenario::Low`].
    pub low: Gbp,
    /// Total under [`Scenario::Mid`].
    pub mid: Gbp,
    /// Total under [`Scenario::High`].
    pub high: Gbp,
}

/// The total cost of `records` under each scenario. Because unit costs are
/// ≥ 0 and bands satisfy low ≤ mid ≤ high, so do the totals.
///
/// # Errors
/// As [`cost_lines`].
pub fn cost_range<P: Clone>(
    records: &[ServiceUse<P>],
    table: &UnitCostTable,
    deflators: &DeflatorSeries,
    options: &CostingOptions,
) -> Result<CostRange> {
    let total = |s: Scenario| -> Result<Gbp> {
        let o = CostingOptions {
            scenario: s,
            ..*options
        };
        let lines = cost_lines(records, table, deflators, &o)?;
        Gbp::sum(options.target_year, lines.iter().map(|l| l.cost))
    };
    Ok(CostRange {
        low: total(Scenario::Low)?,
        mid: total(Scenario::Mid)?,
        high: total(Scenario::High)?,
    })
}

// ---------------------------------------------------------------------------
// Offset against a matched comparison group
// ---------------------------------------------------------------------------

/// One person's costs in a matched comparison: their group, costs before and
/// after, matching weight and matched set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchedCosts {
    /// [`Group::Programme`] or [`Group::Comparison`].
    pub group: Group,
    /// Cost in the pre window.
    pub pre: Gbp,
    /// Cost in the post window.
    pub post: Gbp,
    /// Matching weight (MatchIt's `weights`: 1 for a matched programme
    /// person; 0 leaves the person out).
    pub weight: f64,
    /// The matched set (MatchIt's `subclass`): the cluster for the
    /// cluster-robust standard error and the unit the bootstrap resamples.
    pub set: usize,
}

impl MatchedCosts {
    /// The people of a [`Matching`] with positive weight, in data order:
    /// `group`, `pre` and `post` have one entry per row matched on. The set
    /// is the row's subclass (matching without replacement); with
    /// replacement there are no subclasses and each person is their own set
    /// (then the bootstrap resamples people, the standard error is HC1-like).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter) if
    /// the lengths differ from the matching's, or a positive-weight row of
    /// a subclassed matching has no subclass.
    pub fn from_matching(
        matching: &Matching,
        group: &[Group],
        pre: &[Gbp],
        post: &[Gbp],
    ) -> Result<Vec<MatchedCosts>> {
        let n = matching.weights.len();
        for (name, len) in [
            ("group", group.len()),
            ("pre", pre.len()),
            ("post", post.len()),
        ] {
            if len != n {
                return Err(Error::invalid_parameter(
                    name,
                    format!("{len} rows"),
                    format!("must have one value per row matched on ({n})"),
                ));
            }
        }
        let mut out = Vec::new();
        for (i, &w) in matching.weights.iter().enumerate() {
            if w <= 0.0 {
                continue;
            }
            let set = match &matching.subclass {
                Some(s) => s.get(i).copied().flatten().ok_or_else(|| {
                    Error::invalid_parameter(
                        "matching",
                        format!("row {}", i + 1),
                        "a matched row has no subclass",
                    )
                })?,
                None => i,
            };
            out.push(MatchedCosts {
                group: group[i],
                pre: pre[i],
                post: post[i],
                weight: w,
                set,
            });
        }
        Ok(out)
    }
}

/// Weighted mean costs of one group in a matched comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupCosts {
    /// People with positive weight.
    pub n: usize,
    /// Sum of their weights.
    pub weight: f64,
    /// Weighted mean pre cost, `Σ wᵢ preᵢ / Σ wᵢ`.
    pub mean_pre: Gbp,
    /// Weighted mean post cost.
    pub mean_post: Gbp,
    /// Weighted mean change, `mean_post − mean_pre`.
    pub mean_change: Gbp,
}

/// The cost offset against a matched comparison group: a difference in
/// differences of cost per person, with a cluster bootstrap and the
/// cluster-robust standard error (see [`comparison_offset`]).
///
/// Sign conventions: `did` is `Δ̄_programme − Δ̄_comparison` (negative =
/// the programme group's cost fell by more); the gross offset per person is
/// `−did`; the net offset per person is `−did − programme cost per person`
/// (positive = the relative fall more than paid for the programme).
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonOffset {
    /// Programme group.
    pub programme: GroupCosts,
    /// Comparison group.
    pub comparison: GroupCosts,
    /// Matched sets (clusters) with anyone of positive weight.
    pub sets: usize,
    /// The difference in mean change, `Δ̄_programme − Δ̄_comparison`.
    pub did: Gbp,
    /// Bootstrap of `did` resampling matched sets with replacement
    /// (percentile and, where defined, BCa intervals; `n` is the number of
    /// sets).
    pub did_bootstrap: BootstrapResult,
    /// The same estimate as the coefficient on treat in
    /// `lm(post − pre ~ treat, weights)` with the CR1 standard error by
    /// matched set (as [`matched_effect`]: `sandwich::vcovCL`, t reference
    /// with `n − 2` df).
    pub did_cluster_robust: EffectEstimate,
    /// Programme cost per person.
    pub programme_cost_per_person: Gbp,
    /// Net offset per person: `−did − programme cost per person`.
    pub net_offset_per_person: Gbp,
    /// Bootstrap percentile interval of the net offset per person (the
    /// `did` interval reflected and shifted by the programme cost).
    pub net_offset_percentile: Interval,
    /// Bootstrap BCa interval of the net offset per person, when defined.
    pub net_offset_bca: Option<Interval>,
}

/// Per-set weighted sums: programme ΣwΔ, Σw; comparison ΣwΔ, Σw.
#[derive(Debug, Clone, Copy, Default)]
struct SetSums {
    prog: (f64, f64),
    comp: (f64, f64),
}

fn did_of_sets<'a>(sets: impl Iterator<Item = &'a SetSums>) -> f64 {
    let (mut a, mut b) = ((0.0, 0.0), (0.0, 0.0));
    for s in sets {
        a.0 += s.prog.0;
        a.1 += s.prog.1;
        b.0 += s.comp.0;
        b.1 += s.comp.1;
    }
    // 0/0 (a resample with no one of a group) is NaN: the bootstrap reports it.
    a.0 / a.1 - b.0 / b.1
}

/// The cost offset against a matched comparison group.
///
/// With `Δᵢ = postᵢ − preᵢ` and matching weights `wᵢ`,
/// `did = Σ_P wᵢΔᵢ / Σ_P wᵢ − Σ_C wᵢΔᵢ / Σ_C wᵢ`, the coefficient on treat
/// in `lm(Δ ~ treat, weights = w)`. Its uncertainty two ways:
///
/// * a seeded nonparametric bootstrap that resamples matched sets with
///   replacement (the sets' programme and comparison members together, so
///   the matching is kept), recomputing `did` on each resample; percentile
///   and BCa intervals as [`crate::stats::bootstrap_one_sample`] (scipy
///   `bootstrap`), the BCa acceleration from the leave-one-set-out
///   jackknife (for up to [`crate::stats::JACKKNIFE_MAX_N`] sets);
/// * the CR1 cluster-robust standard error by matched set, as the MatchIt
///   vignette (`lmtest::coeftest(lm(Δ ~ treat, weights), vcovCL, cluster =
///   ~subclass)`), through [`matched_effect`].
///
/// People with weight 0 are left out. Every amount must be in one price
/// year (the programme cost's); re-base with
/// [`DeflatorSeries::rebase`] first.
///
/// # Errors
/// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter) for a
/// person in neither group, a negative or non-finite weight, a negative
/// programme cost or an amount in another price year (naming the row,
/// 1-based, never a person);
/// [`ErrorKind::InsufficientData`](crate::ErrorKind::InsufficientData)
/// unless both groups have someone of positive weight and there are at
/// least 2 sets; [`ErrorKind::Numerical`](crate::ErrorKind::Numerical) if a
/// bootstrap resample holds no one of a group (possible only when sets are
/// single people).
pub fn comparison_offset(
    people: &[MatchedCosts],
    programme_cost_per_person: Gbp,
    bootstrap: BootstrapConfig,
) -> Result<ComparisonOffset> {
    let year = programme_cost_per_person.price_year();
    if programme_cost_per_person.amount() < 0.0 {
        return Err(Error::invalid_parameter(
            "programme_cost_per_person",
            programme_cost_per_person.amount(),
            "a programme cost must be ≥ 0",
        ));
    }
    let mut kept: Vec<&MatchedCosts> = Vec::with_capacity(people.len());
    for (i, p) in people.iter().enumerate() {
        let row = format!("row {}", i + 1);
        if !(p.weight.is_finite() && p.weight >= 0.0) {
            return Err(Error::invalid_parameter(
                "weight",
                format!("{row}: {}", p.weight),
                "a matching weight must be finite and ≥ 0",
            ));
        }
        if p.group == Group::Unknown {
            return Err(Error::invalid_parameter(
                "group",
                row,
                "each person must be in the programme or the comparison group",
            ));
        }
        for (name, g) in [("pre", p.pre), ("post", p.post)] {
            if g.price_year() != year {
                return Err(Error::invalid_parameter(
                    name,
                    format!("{row}: {}", g.price_year()),
                    format!("every amount must be in the programme cost's price year ({year})"),
                ));
            }
        }
        if p.weight > 0.0 {
            kept.push(p);
        }
    }
    let group_costs = |g: Group| -> Result<GroupCosts> {
        let members: Vec<&&MatchedCosts> = kept.iter().filter(|p| p.group == g).collect();
        let w: f64 = members.iter().map(|p| p.weight).sum();
        if members.is_empty() {
            return Err(Error::insufficient_data(
                "cost offset against a comparison group",
                format!("no one in the {} group has a positive weight", g.code()),
            ));
        }
        let mean = |f: &dyn Fn(&MatchedCosts) -> f64| -> f64 {
            members.iter().map(|p| p.weight * f(p)).sum::<f64>() / w
        };
        let pre = mean(&|p| p.pre.amount());
        let post = mean(&|p| p.post.amount());
        let change = mean(&|p| p.post.amount() - p.pre.amount());
        Ok(GroupCosts {
            n: members.len(),
            weight: w,
            mean_pre: Gbp::new(pre, year)?,
            mean_post: Gbp::new(post, year)?,
            mean_change: Gbp::new(change, year)?,
        })
    };
    let programme = group_costs(Group::Programme)?;
    let comparison = group_costs(Group::Comparison)?;

    // Per-set sums, sets in order of first appearance.
    let clusters = Clusters::new(&kept.iter().map(|p| p.set).collect::<Vec<_>>());
    let mut sums = vec![SetSums::default(); clusters.count()];
    for (p, &k) in kept.iter().zip(clusters.codes()) {
        let d = p.post.amount() - p.pre.amount();
        let acc = if p.group == Group::Programme {
            &mut sums[k].prog
        } else {
            &mut sums[k].comp
        };
        acc.0 += p.weight * d;
        acc.1 += p.weight;
    }
    if sums.len() < 2 {
        return Err(Error::insufficient_data(
            "cost offset against a comparison group",
            format!("{} matched set(s); at least 2 needed", sums.len()),
        ));
    }
    let did = did_of_sets(sums.iter());
    // Resample sets: the bootstrap draws set positions with replacement,
    // each resample's totals from how often it drew each set.
    let totals: Vec<[f64; 4]> = sums
        .iter()
        .map(|s| [s.prog.0, s.prog.1, s.comp.0, s.comp.1])
        .collect();
    let did_bootstrap =
        bootstrap_cluster_totals(&totals, |t: &[f64; 4]| t[0] / t[1] - t[2] / t[3], bootstrap)?;

    let change: Vec<f64> = kept
        .iter()
        .map(|p| p.post.amount() - p.pre.amount())
        .collect();
    let treated: Vec<bool> = kept.iter().map(|p| p.group == Group::Programme).collect();
    let weights = Weights::new(kept.iter().map(|p| p.weight).collect())?;
    let did_cluster_robust = matched_effect(
        &MatchedSample {
            outcome: &change,
            treated: &treated,
            covariates: &[],
            weights: &weights,
            subclass: &clusters,
        },
        bootstrap.level(),
    )?
    .difference_in_means;

    let pc = programme_cost_per_person.amount();
    let net = |d: f64| -d - pc;
    let flip = |i: Interval| Interval::new(net(i.upper), net(i.lower));
    Ok(ComparisonOffset {
        programme,
        comparison,
        sets: sums.len(),
        did: Gbp::new(did, year)?,
        net_offset_per_person: Gbp::new(net(did), year)?,
        net_offset_percentile: flip(did_bootstrap.percentile.ci),
        net_offset_bca: did_bootstrap.bca.as_ref().map(|b| flip(b.ci)),
        did_bootstrap,
        did_cluster_robust,
        programme_cost_per_person,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn band_order_enforced() {
        assert!(Count::band(1.0, 2.0, 3.0).is_ok());
        assert!(Count::band(2.0, 1.0, 3.0).is_err());
        assert!(Count::band(-1.0, 1.0, 3.0).is_err());
        assert!(Count::band(0.0, f64::NAN, 3.0).is_err());
        assert!(Count::amount(-0.5).is_err());
        let c = Count::band(1.0, 2.0, 4.0).unwrap();
        assert_eq!(c.get(Scenario::Low), 1.0);
        assert_eq!(c.get(Scenario::High), 4.0);
    }

    /// The categories the shipped illustrative table prices.
    fn priced(table: &UnitCostTable) -> Vec<CostCategory> {
        crate::measures::service_use::CategorySet::default()
            .codes()
            .into_iter()
            .filter_map(|c| CostCategory::new(c.as_str()).ok())
            .filter(|c| table.chosen(c).is_ok())
            .collect()
    }

    proptest! {
        /// The frame path ([`pre_post_columns`]) and the record path
        /// ([`pre_post`]) give the same comparison, bit for bit, on the
        /// same counts: the record path is the small-data reference of the
        /// path the main job runs.
        #[test]
        fn columns_agree_with_records_to_the_bit(
            counts in proptest::collection::vec(
                prop_oneof![
                    3 => Just(0u32),
                    3 => 0u32..40,
                    1 => 0u32..4000,
                ].prop_map(|v| v as f64 / 4.0),
                1..400,
            ),
            n_people in 1usize..40,
            programme in 0.0f64..20_000.0,
            skip in 0usize..5,
        ) {
            let table = UnitCostTable::illustrative().unwrap();
            let deflators = DeflatorSeries::illustrative().unwrap();
            let options = CostingOptions::new(PriceYear::parse("2023/24").unwrap());
            let cats = priced(&table);
            prop_assume!(!cats.is_empty());
            let n_rows = n_people + skip;
            let column = |k: usize| -> Vec<f64> {
                (0..n_rows).map(|r| counts[(k * n_rows + r) % counts.len()]).collect()
            };
            let cols: Vec<(Vec<f64>, Vec<f64>)> = (0..cats.len())
                .map(|k| (column(2 * k), column(2 * k + 1)))
                .collect();
            // Every row but the first `skip` ones, in reverse order, so the
            // rows picked are neither all nor in frame order.
            let rows: Vec<usize> = (skip..n_rows).rev().collect();
            let people: Vec<String> = rows.iter().map(|r| format!("p{r:03}")).collect();
            let mut records = Vec::new();
            for (p, &r) in people.iter().zip(&rows) {
                for (cat, (b, a)) in cats.iter().zip(&cols) {
                    for (n, w) in [(b[r], Phase::Before), (a[r], Phase::After)] {
                        if n > 0.0 {
                            records.push(ServiceUse {
                                person: p.clone(),
                                category: cat.clone(),
                                window: w,
                                count: Count::amount(n).unwrap(),
                            });
                        }
                    }
                }
            }
            let pc = Gbp::non_negative(programme, PriceYear::parse("2020/21").unwrap()).unwrap();
            let by_records =
                pre_post(&records, &people, &table, &deflators, &options, pc).unwrap();
            let columns: Vec<CategoryColumns<'_>> = cats
                .iter()
                .zip(&cols)
                .map(|(category, (b, a))| CategoryColumns { category, before: b, after: a })
                .collect();
            let by_columns =
                pre_post_columns(&people, &rows, &columns, &table, &deflators, &options, pc)
                    .unwrap();
            prop_assert_eq!(by_columns, by_records);
        }
    }

    #[test]
    fn columns_refuse_bad_counts_and_rows() {
        let table = UnitCostTable::illustrative().unwrap();
        let deflators = DeflatorSeries::illustrative().unwrap();
        let options = CostingOptions::new(PriceYear::parse("2023/24").unwrap());
        let cats = priced(&table);
        let zero = Gbp::zero(options.target_year);
        let people = vec!["a".to_string(), "b".to_string()];
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            let before = [0.0, bad];
            let after = [1.0, 1.0];
            let columns = [CategoryColumns {
                category: &cats[0],
                before: &before,
                after: &after,
            }];
            let e = pre_post_columns(
                &people,
                &[0, 1],
                &columns,
                &table,
                &deflators,
                &options,
                zero,
            )
            .unwrap_err();
            assert!(e.to_string().contains("row 2"), "{e}");
        }
        let ok = [1.0, 2.0];
        let columns = [CategoryColumns {
            category: &cats[0],
            before: &ok,
            after: &ok,
        }];
        assert!(pre_post_columns(
            &people,
            &[0, 2],
            &columns,
            &table,
            &deflators,
            &options,
            zero
        )
        .is_err());
        assert!(
            pre_post_columns(&people, &[0], &columns, &table, &deflators, &options, zero).is_err()
        );
        let none: [String; 0] = [];
        assert!(
            pre_post_columns(&none, &[], &columns, &table, &deflators, &options, zero).is_err()
        );
    }
}
