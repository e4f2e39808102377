//! Costing and cost-benefit analysis.
//!
//! * [`money`]: [`PriceYear`] (UK financial years), [`Gbp`] (money that
//!   carries its price year) and [`DeflatorSeries`] (GDP-deflator re-basing).
//! * [`unit_cost`]: [`UnitCost`] entries and the [`UnitCostTable`] that
//!   chooses one per service category, loaded from CSV or a GMCA Unit Cost
//!   Database workbook ([`GmcaWorkbook`]).
//! * [`costing`]: service-use records × unit costs → cost per person per
//!   window by category and agency, the pre/post comparison, and the
//!   offset against a matched comparison group ([`comparison_offset`]).
//! * [`cba`]: HM Treasury Green Book / GMCA-style cost-benefit analysis:
//!   persistence, deadweight, attribution, optimism bias, discounting, NPV,
//!   benefit-cost ratio, ROIs, payback and one-way sensitivity.
//!
//! **Shipped data are illustrative.** `data/unit_costs.csv` holds GMCA UCD
//! v1.4 values in their original (2002/03–2013/14) price years and
//! `data/gdp_deflators.csv` an approximation of the HM Treasury GDP
//! deflator series. Load current values for any real evaluation.
//!
//! Methods and sources: `METHODS.md` (costs section).

pub mod cba;
pub mod costing;
pub mod money;
pub mod unit_cost;

pub use cba::{
    Additionality, BenefitStream, CbaParameters, CbaResult, ConfidenceGrade, Counterfactual,
    DiscountSchedule, OptimismBiasTable, Proportion, SensitivityParameter, SensitivityRow,
    SensitivitySpec, SensitivityTable, YearRow,
};
pub use costing::{
    comparison_offset, AgencyChange, CategoryRate, ComparisonOffset, CostLine, CostRange,
    CostingOptions, CountMeaning, GroupCosts, MatchedCosts, PersonChange, PersonWindowCost,
    PrePostComparison, ServiceUse,
};
pub use money::{DeflatorSeries, Gbp, PriceYear};
pub use unit_cost::{
    Agency, CostCategory, CostUnit, DayConvention, GmcaRow, GmcaWorkbook, UnitCost, UnitCostTable,
    ValueType,
};
