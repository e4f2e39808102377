//! Cost-benefit analysis following the HM Treasury Green Book and the HM
//! Treasury / Public Service Transformation Network / New Economy (GMCA)
//! *Supporting public service transformation: cost benefit analysis guidance
//! for local partnerships* (2 April 2014).
//!
//! For each benefit stream, the year-1 net benefit is
//!
//! ```text
//! N₁ = C(gross) × (1 − attribution) × (1 − displacement) × (1 − leakage)
//!      × (1 − substitution) × multiplier × (1 − optimism bias(grade))
//! C(gross) = gross × (1 − deadweight)            (Counterfactual::Deadweight)
//!          = gross − comparison group's change   (Counterfactual::ComparisonGroup)
//! ```
//!
//! and the benefit in year `t = 1..=N` is `B_t = N₁ × (1 − drop-off)^(t−1)`.
//! Programme costs are given by year from year 0 and uplifted by
//! `(1 + cost optimism bias)`. Every amount in year `t` is discounted by
//!
//! ```text
//! DF_0 = 1,   DF_t = ∏_{k=1..t} 1 / (1 + r_k)
//! ```
//!
//! where `r_k` is the schedule's rate for year `k` (Green Book: 3.5% for
//! years 0–30, 3.0% for 31–75, ...; applied cumulatively by segment, so
//! `DF_31 = 1 / (1.035³⁰ × 1.03)`).
//!
//! # Parameters
//!
//! | Parameter | Default | Range | Source |
//! |---|---|---|---|
//! | `horizon_years` | 5 | 1–500 | Caller's choice; 5 years is a common local-partnership appraisal period **\[UNVERIFIED\]** |
//! | `dropoff` | 0 | [0, 1] | SROI drop-off `(1 − d)^(t−1)` (domain.md §3.2, Social Value Engine) |
//! | `discounting` | [`DiscountSchedule::green_book_standard`] | [`green_book_standard`](DiscountSchedule::green_book_standard), [`green_book_health`](DiscountSchedule::green_book_health), [`green_book_health_flat`](DiscountSchedule::green_book_health_flat), [`constant`](DiscountSchedule::constant), [`custom`](DiscountSchedule::custom) (rates in [0, 1)) | HM Treasury Green Book STPR (domain.md §3.2) |
//! | `optimism_bias` | grades 1–6 → 0/5/10/15/25/40% | each [0, 1] | GMCA CBA model confidence grades, **\[UNVERIFIED\]** in domain.md — check against the 2014 guidance |
//! | `additionality` | displacement 0, leakage 0, substitution 0, multiplier 1 | [0, 1]; multiplier ≥ 0 | HCA/BIS Additionality Guide (domain.md §3.2, **\[PARTIAL\]**) |
//! | `cost_optimism_bias` | 0 | [0, 1] | Green Book supplementary guidance: set per project type (e.g. 24% capex, 41% opex for standard buildings at SOC) |
//! | per stream `counterfactual` | required | deadweight [0, 1] or a comparison-group change | Green Book / HACT practice: use the comparison group's change when there is one |
//! | per stream `attribution` | required | [0, 1] | SROI practice |

use std::collections::BTreeMap;

use crate::costs::money::{Gbp, PriceYear};
use crate::costs::unit_cost::{Agency, ValueType};
use crate::error::{Error, Result};

/// A proportion in `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Proportion(f64);

impl Proportion {
    /// Zero.
    pub const ZERO: Proportion = Proportion(0.0);

    /// A proportion.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter)
    /// unless `0 ≤ p ≤ 1`.
    pub fn new(p: f64) -> Result<Self> {
        if !(0.0..=1.0).contains(&p) {
            return Err(Error::invalid_parameter(
                "proportion",
                p,
                "must be between 0 and 1",
            ));
        }
        Ok(Proportion(p))
    }

    fn named(name: &str, p: f64) -> Result<Self> {
        Proportion::new(p).map_err(|_| Error::invalid_parameter(name, p, "must be between 0 and 1"))
    }

    /// The value.
    pub fn get(self) -> f64 {
        self.0
    }
}

/// A declining schedule of annual discount rates.
///
/// Year 0 is undiscounted; the rate that applies to year `k` discounts from
/// year `k − 1` to year `k`, so `DF_t = ∏_{k=1..t} 1/(1 + r_k)`.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscountSchedule {
    name: String,
    /// (first year, rate), first year strictly increasing from 0.
    segments: Vec<(u32, f64)>,
}

impl DiscountSchedule {
    /// The Green Book Social Time Preference Rate: 3.5% (years 0–30), 3.0%
    /// (31–75), 2.5% (76–125), 2.0% (126–200), 1.5% (201–300), 1.0% (301+).
    /// Source: HM Treasury Green Book (domain.md §3.2, via
    /// `econstack-data/parameters/uk/discount-rates.json`).
    pub fn green_book_standard() -> Self {
        DiscountSchedule {
            name: "Green Book STPR (standard)".into(),
            segments: vec![
                (0, 0.035),
                (31, 0.03),
                (76, 0.025),
                (126, 0.02),
                (201, 0.015),
                (301, 0.01),
            ],
        }
    }

    /// The Green Book rate for health effects (the STPR without the wealth
    /// effect): 1.5% (years 0–30), 1.29% (31–75), 1.07% (76–125), 0.86%
    /// (126–200), 0.64% (201–300), 0.43% (301+). The first three segments
    /// match the R package dQALY's `r_lt_health` (katehayes/dQALY,
    /// `R/discount_rates.R`, citing Green Book 2020 annex A6); the last three
    /// are from the Green Book table **\[UNVERIFIED here\]**.
    pub fn green_book_health() -> Self {
        DiscountSchedule {
            name: "Green Book health".into(),
            segments: vec![
                (0, 0.015),
                (31, 0.0129),
                (76, 0.0107),
                (126, 0.0086),
                (201, 0.0064),
                (301, 0.0043),
            ],
        }
    }

    /// The flat 1.5% health rate for all years, named "Green Book health
    /// (flat 1.5%)": the constant form used by NICE's alternative case and
    /// dQALY's `r_health`. Prefer [`DiscountSchedule::green_book_health`]
    /// for horizons beyond 30 years.
    pub fn green_book_health_flat() -> Self {
        DiscountSchedule {
            name: "Green Book health (flat 1.5%)".into(),
            segments: vec![(0, 0.015)],
        }
    }

    /// One constant rate for all years (e.g. 0.015, the flat health rate
    /// used by NICE's alternative case and dQALY's `r_health`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter)
    /// unless `0 ≤ rate < 1`.
    pub fn constant(rate: f64) -> Result<Self> {
        Self::custom(&format!("constant {:.4}%", rate * 100.0), &[(0, rate)])
    }

    /// A custom schedule of `(first year, rate)` segments.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter) if
    /// there are no segments, the first does not start at year 0, first years
    /// are not strictly increasing, or a rate is outside `[0, 1)`.
    pub fn custom(name: &str, segments: &[(u32, f64)]) -> Result<Self> {
        if segments.first().map(|s| s.0) != Some(0) {
            return Err(Error::invalid_parameter(
                "discount schedule",
                name,
                "the first segment must start at year 0",
            ));
        }
        for w in segments.windows(2) {
            if w[1].0 <= w[0].0 {
                return Err(Error::invalid_parameter(
                    "discount schedule",
                    name,
                    "segment first years must strictly increase",
                ));
            }
        }
        for &(_, r) in segments {
            if !(0.0..1.0).contains(&r) {
                return Err(Error::invalid_parameter(
                    "discount rate",
                    r,
                    "must be in [0, 1)",
                ));
            }
        }
        Ok(DiscountSchedule {
            name: name.to_string(),
            segments: segments.to_vec(),
        })
    }

    /// The schedule's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The rate applying to year `t`.
    pub fn rate(&self, t: u32) -> f64 {
        self.segments
            .iter()
            .rev()
            .find(|s| s.0 <= t)
            .map(|s| s.1)
            .unwrap_or(0.0)
    }

    /// `DF_t = ∏_{k=1..t} 1/(1 + r_k)`, computed segment by segment.
    pub fn discount_factor(&self, t: u32) -> f64 {
        let mut log_df = 0.0;
        for (i, &(start, r)) in self.segments.iter().enumerate() {
            let end = self
                .segments
                .get(i + 1)
                .map(|s| s.0 - 1)
                .unwrap_or(u32::MAX);
            // Years k in [max(start,1), min(end,t)] use rate r.
            let lo = start.max(1);
            let hi = end.min(t);
            if hi >= lo {
                log_df -= f64::from(hi - lo + 1) * (1.0 + r).ln();
            }
        }
        log_df.exp()
    }
}

/// A data confidence grade from 1 (best) to 6 (worst), as in the GMCA CBA model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConfidenceGrade(u8);

impl ConfidenceGrade {
    /// A grade.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter)
    /// unless `1 ≤ grade ≤ 6`.
    pub fn new(grade: u8) -> Result<Self> {
        if !(1..=6).contains(&grade) {
            return Err(Error::invalid_parameter(
                "confidence grade",
                grade,
                "must be 1 to 6",
            ));
        }
        Ok(ConfidenceGrade(grade))
    }
    /// The grade number.
    pub fn get(self) -> u8 {
        self.0
    }
}

/// Optimism-bias correction (a proportional reduction of benefits) by
/// confidence grade.
///
/// Default: grades 1–6 → 0%, 5%, 10%, 15%, 25%, 40%. **UNVERIFIED**: from
/// domain.md §3.2's recollection of the GMCA CBA model; confirm against the
/// 2014 guidance and override with [`OptimismBiasTable::new`] if it differs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptimismBiasTable {
    rates: [f64; 6],
}

impl Default for OptimismBiasTable {
    fn default() -> Self {
        OptimismBiasTable {
            rates: [0.0, 0.05, 0.10, 0.15, 0.25, 0.40],
        }
    }
}

impl OptimismBiasTable {
    /// A table of corrections for grades 1 to 6.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter) if
    /// a rate is outside `[0, 1]`.
    pub fn new(rates: [f64; 6]) -> Result<Self> {
        for (i, r) in rates.iter().enumerate() {
            Proportion::named(&format!("optimism bias for grade {}", i + 1), *r)?;
        }
        Ok(OptimismBiasTable { rates })
    }
    /// The correction for `grade`.
    pub fn rate(&self, grade: ConfidenceGrade) -> f64 {
        self.rates
            .get(usize::from(grade.0.saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    }
    fn scaled(&self, k: f64) -> OptimismBiasTable {
        let mut rates = self.rates;
        for r in rates.iter_mut() {
            *r = (*r * k).clamp(0.0, 1.0);
        }
        OptimismBiasTable { rates }
    }
}

/// Additionality adjustments applied to every benefit stream:
/// `× (1 − displacement)(1 − leakage)(1 − substitution) × multiplier`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Additionality {
    /// Share of the benefit offset by losses elsewhere. Default 0.
    pub displacement: Proportion,
    /// Share of the benefit going outside the target area/group. Default 0.
    pub leakage: Proportion,
    /// Share arising from substituting one activity for another. Default 0.
    pub substitution: Proportion,
    /// Multiplier effect (≥ 0). Default 1.
    multiplier: f64,
}

impl Default for Additionality {
    fn default() -> Self {
        Additionality {
            displacement: Proportion::ZERO,
            leakage: Proportion::ZERO,
            substitution: Proportion::ZERO,
            multiplier: 1.0,
        }
    }
}

impl Additionality {
    /// Additionality adjustments.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter) if
    /// `multiplier` is negative or not finite.
    pub fn new(
        displacement: Proportion,
        leakage: Proportion,
        substitution: Proportion,
        multiplier: f64,
    ) -> Result<Self> {
        if !(multiplier.is_finite() && multiplier >= 0.0) {
            return Err(Error::invalid_parameter(
                "multiplier",
                multiplier,
                "must be finite and ≥ 0",
            ));
        }
        Ok(Additionality {
            displacement,
            leakage,
            substitution,
            multiplier,
        })
    }
    /// The multiplier.
    pub fn multiplier(&self) -> f64 {
        self.multiplier
    }
    /// The combined factor.
    pub fn factor(&self) -> f64 {
        (1.0 - self.displacement.0)
            * (1.0 - self.leakage.0)
            * (1.0 - self.substitution.0)
            * self.multiplier
    }
}

/// What would have happened without the programme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Counterfactual {
    /// A share of the gross benefit that would have happened anyway:
    /// `gross × (1 − deadweight)`.
    Deadweight(Proportion),
    /// The comparison group's change over the same period, in the same terms
    /// and price year as the gross benefit: `gross − comparison`. Use this
    /// instead of a deadweight assumption when there is a comparison group.
    /// The result may be negative.
    ComparisonGroup(Gbp),
}

/// One stream of benefits (e.g. "reduced A&E use, NHS, fiscal").
#[derive(Debug, Clone, PartialEq)]
pub struct BenefitStream {
    /// A label for reports.
    pub label: String,
    /// The agency receiving the benefit.
    pub agency: Agency,
    /// The kind of value.
    pub value_type: ValueType,
    /// The gross benefit in year 1 for the whole cohort (before deadweight etc.).
    pub annual_gross: Gbp,
    /// Deadweight or comparison-group change.
    pub counterfactual: Counterfactual,
    /// Share of the outcome attributable to others.
    pub attribution: Proportion,
    /// Confidence grade of the evidence, for optimism bias.
    pub confidence: ConfidenceGrade,
}

/// Parameters of an appraisal. See the module docs for defaults, ranges and
/// sources.
#[derive(Debug, Clone, PartialEq)]
pub struct CbaParameters {
    /// Number of benefit years (benefits in years 1..=N). Default 5.
    pub horizon_years: u32,
    /// Annual drop-off of the benefit. Default 0.
    pub dropoff: Proportion,
    /// Discount schedule. Default Green Book standard.
    pub discounting: DiscountSchedule,
    /// Optimism bias by grade (benefit reduction). Default 0/5/10/15/25/40% (UNVERIFIED).
    pub optimism_bias: OptimismBiasTable,
    /// Additionality. Default none.
    pub additionality: Additionality,
    /// Uplift to programme costs. Default 0.
    pub cost_optimism_bias: Proportion,
}

impl Default for CbaParameters {
    fn default() -> Self {
        CbaParameters {
            horizon_years: 5,
            dropoff: Proportion::ZERO,
            discounting: DiscountSchedule::green_book_standard(),
            optimism_bias: OptimismBiasTable::default(),
            additionality: Additionality::default(),
            cost_optimism_bias: Proportion::ZERO,
        }
    }
}

/// One year of the appraisal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YearRow {
    /// Year (0 = now).
    pub year: u32,
    /// `DF_year`.
    pub discount_factor: f64,
    /// Net benefits in the year, undiscounted.
    pub benefits: Gbp,
    /// Costs in the year (with cost optimism bias), undiscounted.
    pub costs: Gbp,
    /// `DF × benefits`.
    pub pv_benefits: Gbp,
    /// `DF × costs`.
    pub pv_costs: Gbp,
    /// Cumulative `pv_benefits − pv_costs` to this year.
    pub cumulative_pv_net: Gbp,
}

/// The present value of one stream.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamValue {
    /// The stream's label.
    pub label: String,
    /// Year-1 net benefit after all adjustments.
    pub year1_net: Gbp,
    /// Present value over the horizon.
    pub present_value: Gbp,
}

/// The result of an appraisal.
#[derive(Debug, Clone, PartialEq)]
pub struct CbaResult {
    /// Price year of every amount.
    pub price_year: PriceYear,
    /// The schedule's name.
    pub discounting: String,
    /// Year by year.
    pub years: Vec<YearRow>,
    /// Per stream.
    pub streams: Vec<StreamValue>,
    /// PV of all benefits (fiscal + economic + social).
    pub pv_benefits: Gbp,
    /// PV of fiscal benefits.
    pub pv_fiscal: Gbp,
    /// PV of economic benefits.
    pub pv_economic: Gbp,
    /// PV of social benefits.
    pub pv_social: Gbp,
    /// PV of costs.
    pub pv_costs: Gbp,
    /// `pv_benefits − pv_costs`.
    pub npv: Gbp,
    /// `pv_benefits ÷ pv_costs` (`None` when PV costs are 0).
    pub benefit_cost_ratio: Option<f64>,
    /// Fiscal ROI: `pv_fiscal ÷ pv_costs`.
    pub fiscal_roi: Option<f64>,
    /// Economic ROI: `(pv_fiscal + pv_economic) ÷ pv_costs`.
    pub economic_roi: Option<f64>,
    /// Public value ROI: `(pv_fiscal + pv_economic + pv_social) ÷ pv_costs`
    /// (equal to the benefit-cost ratio).
    pub public_value_roi: Option<f64>,
    /// First year whose cumulative discounted net benefit is ≥ 0 (`None` if never).
    pub payback_year: Option<u32>,
    /// PV of benefits by agency.
    pub pv_by_agency: BTreeMap<Agency, Gbp>,
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    if den > 0.0 {
        let r = num / den;
        r.is_finite().then_some(r)
    } else {
        None
    }
}

fn money(x: f64, year: PriceYear) -> Result<Gbp> {
    Gbp::new(x, year).map_err(|_| Error::numerical("cost-benefit analysis", "an amount overflowed"))
}

/// Appraise `benefits` against programme `costs` (by year, from year 0).
///
/// # Errors
/// [`ErrorKind::InsufficientData`](crate::ErrorKind::InsufficientData) if
/// there are neither benefits nor costs;
/// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter) if
/// amounts are in different price years (naming both), a cost is negative,
/// a comparison-group change is in another price year, or `horizon_years` is
/// outside 1–500.
pub fn appraise(
    benefits: &[BenefitStream],
    costs: &[Gbp],
    params: &CbaParameters,
) -> Result<CbaResult> {
    if !(1..=500).contains(&params.horizon_years) {
        return Err(Error::invalid_parameter(
            "horizon_years",
            params.horizon_years,
            "must be 1 to 500",
        ));
    }
    let year = match (benefits.first(), costs.first()) {
        (Some(b), _) => b.annual_gross.price_year(),
        (None, Some(c)) => c.price_year(),
        (None, None) => {
            return Err(Error::insufficient_data(
                "cost-benefit analysis",
                "there are no benefits and no costs",
            ))
        }
    };
    let check_year = |g: Gbp| -> Result<()> { Gbp::zero(year).checked_add(g).map(|_| ()) };
    for c in costs {
        check_year(*c)?;
        if c.amount() < 0.0 {
            return Err(Error::invalid_parameter(
                "costs",
                c.amount(),
                "a programme cost must be ≥ 0",
            ));
        }
    }
    let add = params.additionality.factor();
    let mut year1 = Vec::with_capacity(benefits.len());
    for b in benefits {
        check_year(b.annual_gross)?;
        let adj = match b.counterfactual {
            Counterfactual::Deadweight(d) => b.annual_gross.amount() * (1.0 - d.0),
            Counterfactual::ComparisonGroup(c) => b.annual_gross.checked_sub(c)?.amount(),
        };
        let ob = params.optimism_bias.rate(b.confidence);
        year1.push(adj * (1.0 - b.attribution.0) * add * (1.0 - ob));
    }
    let n = params.horizon_years;
    let last = n.max(
        u32::try_from(costs.len())
            .unwrap_or(u32::MAX)
            .saturating_sub(1),
    );
    let keep = 1.0 - params.dropoff.0;
    let cost_uplift = 1.0 + params.cost_optimism_bias.0;
    let mut rows = Vec::new();
    let mut pv_stream = vec![0.0; benefits.len()];
    let (mut pv_b, mut pv_c, mut cum) = (0.0, 0.0, 0.0);
    let mut pv_type = [0.0f64; 3];
    let mut pv_agency: BTreeMap<Agency, f64> = BTreeMap::new();
    let mut payback = None;
    for t in 0..=last {
        let df = params.discounting.discount_factor(t);
        let mut b_t = 0.0;
        if (1..=n).contains(&t) {
            let persist = keep.powi(i32::try_from(t - 1).unwrap_or(i32::MAX));
            for (i, b) in benefits.iter().enumerate() {
                let v = year1[i] * persist;
                b_t += v;
                pv_stream[i] += df * v;
                let k = match b.value_type {
                    ValueType::Fiscal => 0,
                    ValueType::Economic => 1,
                    ValueType::Social => 2,
                };
                pv_type[k] += df * v;
                *pv_agency.entry(b.agency.clone()).or_insert(0.0) += df * v;
            }
        }
        let c_t = costs
            .get(t as usize)
            .map(|c| c.amount() * cost_uplift)
            .unwrap_or(0.0);
        pv_b += df * b_t;
        pv_c += df * c_t;
        cum += df * (b_t - c_t);
        if payback.is_none() && cum >= 0.0 {
            payback = Some(t);
        }
        rows.push(YearRow {
            year: t,
            discount_factor: df,
            benefits: money(b_t, year)?,
            costs: money(c_t, year)?,
            pv_benefits: money(df * b_t, year)?,
            pv_costs: money(df * c_t, year)?,
            cumulative_pv_net: money(cum, year)?,
        });
    }
    let streams = benefits
        .iter()
        .enumerate()
        .map(|(i, b)| {
            Ok(StreamValue {
                label: b.label.clone(),
                year1_net: money(year1[i], year)?,
                present_value: money(pv_stream[i], year)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let pv_by_agency = pv_agency
        .into_iter()
        .map(|(a, v)| Ok((a, money(v, year)?)))
        .collect::<Result<BTreeMap<_, _>>>()?;
    Ok(CbaResult {
        price_year: year,
        discounting: params.discounting.name().to_string(),
        years: rows,
        streams,
        pv_benefits: money(pv_b, year)?,
        pv_fiscal: money(pv_type[0], year)?,
        pv_economic: money(pv_type[1], year)?,
        pv_social: money(pv_type[2], year)?,
        pv_costs: money(pv_c, year)?,
        npv: money(pv_b - pv_c, year)?,
        benefit_cost_ratio: ratio(pv_b, pv_c),
        fiscal_roi: ratio(pv_type[0], pv_c),
        economic_roi: ratio(pv_type[0] + pv_type[1], pv_c),
        public_value_roi: ratio(pv_b, pv_c),
        payback_year: payback,
        pv_by_agency,
    })
}

/// An assumption varied in a one-way sensitivity analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SensitivityParameter {
    /// Annual drop-off (a proportion).
    Dropoff,
    /// Deadweight for every stream that uses [`Counterfactual::Deadweight`]
    /// (comparison-group streams are unchanged).
    Deadweight,
    /// Attribution for every stream.
    Attribution,
    /// A constant discount rate replacing the schedule.
    DiscountRate,
    /// The number of benefit years (a whole number ≥ 1).
    HorizonYears,
    /// A multiplier on every optimism-bias rate (results capped at 1).
    OptimismBiasScale,
    /// A multiplier on programme costs.
    CostScale,
    /// A multiplier on gross benefits.
    BenefitScale,
}

/// One assumption and the range it is moved over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SensitivitySpec {
    /// The assumption.
    pub parameter: SensitivityParameter,
    /// The low value.
    pub low: f64,
    /// The high value.
    pub high: f64,
}

impl SensitivitySpec {
    /// The default set of one-way ranges (illustrative choices, to be
    /// replaced by ranges justified for each evaluation):
    ///
    /// | Parameter | Low | High | Why |
    /// |---|---|---|---|
    /// | Dropoff | 0 | 0.5 | no decay to halving each year |
    /// | Deadweight | 0 | 0.5 | none to half would have happened anyway |
    /// | Attribution | 0 | 0.5 | none to half due to others |
    /// | DiscountRate | 0.015 | 0.07 | Green Book health rate to a high test rate |
    /// | HorizonYears | 1 | 10 | one year to ten |
    /// | OptimismBiasScale | 0 | 2 | no correction to double |
    /// | CostScale | 0.8 | 1.2 | ±20% programme costs |
    /// | BenefitScale | 0.8 | 1.2 | ±20% gross benefits |
    pub fn default_set() -> Vec<SensitivitySpec> {
        use SensitivityParameter::*;
        [
            (Dropoff, 0.0, 0.5),
            (Deadweight, 0.0, 0.5),
            (Attribution, 0.0, 0.5),
            (DiscountRate, 0.015, 0.07),
            (HorizonYears, 1.0, 10.0),
            (OptimismBiasScale, 0.0, 2.0),
            (CostScale, 0.8, 1.2),
            (BenefitScale, 0.8, 1.2),
        ]
        .into_iter()
        .map(|(parameter, low, high)| SensitivitySpec {
            parameter,
            low,
            high,
        })
        .collect()
    }
}

/// The result at the low and high value of one assumption, others at base.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SensitivityRow {
    /// The assumption.
    pub parameter: SensitivityParameter,
    /// Low value.
    pub low: f64,
    /// High value.
    pub high: f64,
    /// NPV with the low value.
    pub npv_at_low: Gbp,
    /// NPV with the high value.
    pub npv_at_high: Gbp,
    /// Benefit-cost ratio with the low value.
    pub bcr_at_low: Option<f64>,
    /// Benefit-cost ratio with the high value.
    pub bcr_at_high: Option<f64>,
}

/// A one-way sensitivity table.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityTable {
    /// The base-case NPV.
    pub base_npv: Gbp,
    /// The base-case benefit-cost ratio.
    pub base_bcr: Option<f64>,
    /// One row per assumption, in the order given.
    pub rows: Vec<SensitivityRow>,
}

fn apply(
    spec: SensitivityParameter,
    v: f64,
    benefits: &[BenefitStream],
    costs: &[Gbp],
    params: &CbaParameters,
) -> Result<CbaResult> {
    use SensitivityParameter::*;
    let mut b = benefits.to_vec();
    let mut c = costs.to_vec();
    let mut p = params.clone();
    let name = format!("{spec:?}");
    let scale = |v: f64| -> Result<f64> {
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(Error::invalid_parameter(
                &name,
                v,
                "a multiplier must be finite and ≥ 0",
            ))
        }
    };
    match spec {
        Dropoff => p.dropoff = Proportion::named(&name, v)?,
        Deadweight => {
            let d = Proportion::named(&name, v)?;
            for s in b.iter_mut() {
                if let Counterfactual::Deadweight(_) = s.counterfactual {
                    s.counterfactual = Counterfactual::Deadweight(d);
                }
            }
        }
        Attribution => {
            let a = Proportion::named(&name, v)?;
            for s in b.iter_mut() {
                s.attribution = a;
            }
        }
        DiscountRate => p.discounting = DiscountSchedule::constant(v)?,
        HorizonYears => {
            if !(v.is_finite() && v.fract() == 0.0 && (1.0..=500.0).contains(&v)) {
                return Err(Error::invalid_parameter(
                    &name,
                    v,
                    "must be a whole number from 1 to 500",
                ));
            }
            p.horizon_years = v as u32;
        }
        OptimismBiasScale => p.optimism_bias = params.optimism_bias.scaled(scale(v)?),
        CostScale => {
            let k = scale(v)?;
            for x in c.iter_mut() {
                *x = x.scale(k)?;
            }
        }
        BenefitScale => {
            let k = scale(v)?;
            for s in b.iter_mut() {
                s.annual_gross = s.annual_gross.scale(k)?;
                if let Counterfactual::ComparisonGroup(g) = s.counterfactual {
                    s.counterfactual = Counterfactual::ComparisonGroup(g.scale(k)?);
                }
            }
        }
    }
    appraise(&b, &c, &p)
}

/// One-way sensitivity: the appraisal with each assumption at its low and
/// high value, all others at their base values.
///
/// # Errors
/// As [`appraise`]; [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter)
/// if a spec value is outside the parameter's range.
pub fn sensitivity(
    benefits: &[BenefitStream],
    costs: &[Gbp],
    params: &CbaParameters,
    specs: &[SensitivitySpec],
) -> Result<SensitivityTable> {
    let base = appraise(benefits, costs, params)?;
    let mut rows = Vec::with_capacity(specs.len());
    for s in specs {
        let lo = apply(s.parameter, s.low, benefits, costs, params)?;
        let hi = apply(s.parameter, s.high, benefits, costs, params)?;
        rows.push(SensitivityRow {
            parameter: s.parameter,
            low: s.low,
            high: s.high,
            npv_at_low: lo.npv,
            npv_at_high: hi.npv,
            bcr_at_low: lo.benefit_cost_ratio,
            bcr_at_high: hi.benefit_cost_ratio,
        });
    }
    Ok(SensitivityTable {
        base_npv: base.npv,
        base_bcr: base.benefit_cost_ratio,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_validation() {
        assert!(DiscountSchedule::custom("x", &[]).is_err());
        assert!(DiscountSchedule::custom("x", &[(1, 0.03)]).is_err());
        assert!(DiscountSchedule::custom("x", &[(0, 0.03), (0, 0.02)]).is_err());
        assert!(DiscountSchedule::constant(1.5).is_err());
        assert!(DiscountSchedule::constant(f64::NAN).is_err());
        let s = DiscountSchedule::green_book_standard();
        assert_eq!(s.rate(0), 0.035);
        assert_eq!(s.rate(30), 0.035);
        assert_eq!(s.rate(31), 0.03);
        assert_eq!(s.rate(400), 0.01);
        assert_eq!(s.discount_factor(0), 1.0);
    }

    #[test]
    fn grades() {
        assert!(ConfidenceGrade::new(0).is_err());
        assert!(ConfidenceGrade::new(7).is_err());
        let t = OptimismBiasTable::default();
        assert_eq!(t.rate(ConfidenceGrade::new(6).unwrap()), 0.40);
        assert_eq!(t.rate(ConfidenceGrade::new(1).unwrap()), 0.0);
        assert!(OptimismBiasTable::new([0.0, 0.0, 0.0, 0.0, 0.0, 1.5]).is_err());
    }
}
