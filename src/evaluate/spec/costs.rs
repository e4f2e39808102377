//! The costs of the spec: `[costs]` (unit costs, deflators, the
//! programme's cost) and `[cba]` (every cost-benefit parameter, checked
//! before any data are read).

use super::*;

/// Costing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostsSpec {
    /// Unit costs: a CSV in the crate's layout, or a GMCA Unit Cost Database
    /// workbook (`.xlsx`, `.xls`, `.ods`; then `gmca_codes` says which row
    /// prices which category). Default: the shipped ILLUSTRATIVE table.
    #[serde(default)]
    pub unit_costs: Option<PathBuf>,
    /// With a GMCA workbook: the cost code pricing each service-use
    /// category, e.g. `{ ae_attendance = "HE4.0", arrest = "CR7.0" }`
    /// (required then, refused with a CSV).
    #[serde(default)]
    pub gmca_codes: BTreeMap<String, String>,
    /// GDP-deflator CSV (default: the shipped ILLUSTRATIVE series).
    #[serde(default)]
    pub deflators: Option<PathBuf>,
    /// Price year of every amount, e.g. `"2024/25"`.
    #[serde(default = "price_year")]
    pub price_year: String,
    /// The programme's cost per person supported, in that price year.
    pub programme_cost_per_person: f64,
}

pub(super) fn price_year() -> String {
    "2024/25".into()
}

impl CostsSpec {
    /// Whether `unit_costs` names a workbook (by its extension).
    pub fn unit_costs_is_workbook(&self) -> bool {
        self.unit_costs.as_ref().is_some_and(|p| {
            p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                ["xlsx", "xlsm", "xls", "ods"].contains(&e.to_ascii_lowercase().as_str())
            })
        })
    }

    /// Check the unit-cost keys against each other (before any data are read).
    ///
    /// # Errors
    /// [`Error::invalid_parameter`] naming `costs.gmca_codes`: missing with
    /// a workbook, given with a CSV or the shipped table, or naming a
    /// category that is not a service-use category code or a blank code.
    pub fn check_unit_costs(&self) -> Result<()> {
        let workbook = self.unit_costs_is_workbook();
        if workbook && self.gmca_codes.is_empty() {
            return Err(Error::invalid_parameter(
                "costs.gmca_codes",
                "(missing)",
                "a GMCA workbook needs the cost code of each category, e.g. gmca_codes = \
                 { ae_attendance = \"HE4.0\", arrest = \"CR7.0\" }",
            ));
        }
        if !workbook && !self.gmca_codes.is_empty() {
            return Err(Error::invalid_parameter(
                "costs.gmca_codes",
                format!("{} codes", self.gmca_codes.len()),
                "gmca_codes applies only when costs.unit_costs is a GMCA workbook (.xlsx, .xls, \
                 .ods)",
            ));
        }
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for (category, code) in &self.gmca_codes {
            if let Some(other) = seen.insert(code.as_str(), category.as_str()) {
                return Err(Error::invalid_parameter(
                    format!("costs.gmca_codes.{category}"),
                    code,
                    format!(
                        "the code already prices {other}; a workbook row prices one category \
                         (copy the row to the CSV layout to price two)"
                    ),
                ));
            }
            crate::costs::CostCategory::new(category.as_str()).map_err(|e| {
                Error::invalid_parameter(
                    format!("costs.gmca_codes.{category}"),
                    category,
                    e.to_string(),
                )
            })?;
            if code.trim().is_empty() {
                return Err(Error::invalid_parameter(
                    format!("costs.gmca_codes.{category}"),
                    code,
                    "a GMCA cost code, e.g. \"HE4.0\"",
                ));
            }
        }
        Ok(())
    }

    /// The unit-cost table the spec names, its paths resolved by `resolve`.
    ///
    /// # Errors
    /// As [`CostsSpec::check_unit_costs`]; as the CSV or workbook loader
    /// (file, sheet, row, column, value); a mapped code not in the workbook.
    pub fn unit_cost_table(
        &self,
        resolve: impl Fn(&Path) -> PathBuf,
    ) -> Result<crate::costs::UnitCostTable> {
        self.check_unit_costs()?;
        match &self.unit_costs {
            None => crate::costs::UnitCostTable::illustrative(),
            Some(p) if self.unit_costs_is_workbook() => {
                let path = resolve(p);
                let wb = crate::costs::GmcaWorkbook::open(&path)?;
                let mut mapping = BTreeMap::new();
                for (category, code) in &self.gmca_codes {
                    if !wb.rows().iter().any(|r| &r.code == code) {
                        return Err(Error::invalid_parameter(
                            format!("costs.gmca_codes.{category}"),
                            code,
                            format!("no row of {} has this cost code", path.display()),
                        ));
                    }
                    mapping.insert(
                        code.clone(),
                        crate::costs::CostCategory::new(category.as_str())?,
                    );
                }
                wb.to_table(&mapping)
            }
            Some(p) => crate::costs::UnitCostTable::from_csv_path(resolve(p)),
        }
    }
}

/// Cost-benefit parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CbaSpec {
    /// Benefit years (default 5).
    #[serde(default = "five")]
    pub horizon_years: u32,
    /// Annual drop-off of benefits (default 0.2).
    #[serde(default = "dropoff")]
    pub dropoff: f64,
    /// Share of the benefit attributed to other causes (default 0.1).
    #[serde(default = "attribution")]
    pub attribution: f64,
    /// Confidence grade of the benefit evidence, 1 (best) to 6 (default 3).
    #[serde(default = "three")]
    pub confidence_grade: u8,
    /// What would have happened without the programme (default
    /// `"matched_comparison"`).
    #[serde(default)]
    pub counterfactual: CbaCounterfactual,
    /// With `counterfactual = "deadweight"`: the share of the programme
    /// group's own fall in cost that would have happened anyway (required
    /// then, and refused otherwise).
    #[serde(default)]
    pub deadweight: Option<f64>,
    /// The discount schedule (default `"standard"`, the Green Book STPR).
    #[serde(default)]
    pub discounting: Discounting,
    /// With `discounting = "constant"`: the rate (required then, refused
    /// otherwise), `0 <= rate < 1`.
    #[serde(default)]
    pub discount_rate: Option<f64>,
    /// Optimism-bias corrections of the benefits for confidence grades 1 to 6
    /// (six proportions; default 0, 0.05, 0.10, 0.15, 0.25, 0.40).
    #[serde(default)]
    pub optimism_bias: Option<Vec<f64>>,
    /// Uplift to the programme's costs, a proportion (default 0).
    #[serde(default)]
    pub cost_optimism_bias: f64,
    /// One-way sensitivity ranges `[low, high]` replacing the defaults:
    /// `dropoff`, `deadweight` (only with the deadweight counterfactual),
    /// `attribution`, `discount_rate`, `horizon_years`,
    /// `optimism_bias_scale`, `cost_scale`, `benefit_scale`.
    #[serde(default)]
    pub sensitivity: BTreeMap<String, [f64; 2]>,
}

/// The counterfactual of the cost-benefit analysis (`cba.counterfactual`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CbaCounterfactual {
    /// The matched comparison's change in cost (needs `[comparison]`): the
    /// benefit is the matched difference in differences, and the NPV carries
    /// its bootstrap interval as a range.
    #[default]
    MatchedComparison,
    /// The whole (unmatched) comparison group's change per person.
    ComparisonGroup,
    /// A deadweight share of the programme group's own fall in cost.
    Deadweight,
}

/// A discount schedule named in the spec (`cba.discounting`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Discounting {
    /// The Green Book STPR (3.5% to year 30, then declining).
    #[default]
    Standard,
    /// The Green Book health rate (1.5% to year 30, then declining).
    Health,
    /// A flat 1.5% health rate.
    HealthFlat,
    /// One constant rate (`cba.discount_rate`).
    Constant,
}

/// The typed parameters of [`CbaSpec`], validated.
#[derive(Debug, Clone, PartialEq)]
pub struct CbaSettings {
    /// The appraisal's parameters.
    pub parameters: crate::costs::CbaParameters,
    /// Attribution of every stream.
    pub attribution: crate::costs::Proportion,
    /// Confidence grade of every stream.
    pub confidence: crate::costs::ConfidenceGrade,
    /// The deadweight, with the deadweight counterfactual.
    pub deadweight: Option<crate::costs::Proportion>,
    /// The one-way ranges.
    pub sensitivity: Vec<crate::costs::SensitivitySpec>,
}

impl CbaSpec {
    /// Validate and type the parameters.
    ///
    /// # Errors
    /// [`Error::invalid_parameter`] naming the `cba.*` key, its value and
    /// why: a proportion outside `[0, 1]`, a grade outside 1-6, a horizon
    /// outside 1-500, `deadweight` without (or missing with) the deadweight
    /// counterfactual, `discount_rate` without (or missing with) the constant
    /// schedule, six optimism-bias rates not given, an unknown sensitivity
    /// key or a range with low above high.
    pub fn settings(&self) -> Result<CbaSettings> {
        use crate::costs::{
            CbaParameters, ConfidenceGrade, DiscountSchedule, OptimismBiasTable, Proportion,
            SensitivityParameter as P, SensitivitySpec,
        };
        let prop = |key: &str, v: f64| {
            Proportion::new(v).map_err(|e| Error::invalid_parameter(key, v, e.to_string()))
        };
        if !(1..=500).contains(&self.horizon_years) {
            return Err(Error::invalid_parameter(
                "cba.horizon_years",
                self.horizon_years,
                "must be 1 to 500 years",
            ));
        }
        let deadweight = match (self.counterfactual, self.deadweight) {
            (CbaCounterfactual::Deadweight, Some(d)) => Some(prop("cba.deadweight", d)?),
            (CbaCounterfactual::Deadweight, None) => {
                return Err(Error::invalid_parameter(
                    "cba.deadweight",
                    "(missing)",
                    "counterfactual = \"deadweight\" needs the deadweight share, e.g. \
                     deadweight = 0.3",
                ))
            }
            (_, Some(d)) => {
                return Err(Error::invalid_parameter(
                    "cba.deadweight",
                    d,
                    "a deadweight applies only with counterfactual = \"deadweight\"; with a \
                     comparison group the counterfactual is the comparison's own change",
                ))
            }
            (_, None) => None,
        };
        let discounting = match (self.discounting, self.discount_rate) {
            (Discounting::Constant, Some(r)) => DiscountSchedule::constant(r)
                .map_err(|e| Error::invalid_parameter("cba.discount_rate", r, e.to_string()))?,
            (Discounting::Constant, None) => {
                return Err(Error::invalid_parameter(
                    "cba.discount_rate",
                    "(missing)",
                    "discounting = \"constant\" needs the rate, e.g. discount_rate = 0.035",
                ))
            }
            (_, Some(r)) => {
                return Err(Error::invalid_parameter(
                    "cba.discount_rate",
                    r,
                    "a rate applies only with discounting = \"constant\"",
                ))
            }
            (Discounting::Standard, None) => DiscountSchedule::green_book_standard(),
            (Discounting::Health, None) => DiscountSchedule::green_book_health(),
            (Discounting::HealthFlat, None) => DiscountSchedule::green_book_health_flat(),
        };
        let optimism_bias = match &self.optimism_bias {
            None => OptimismBiasTable::default(),
            Some(v) => {
                let rates: [f64; 6] = v.as_slice().try_into().map_err(|_| {
                    Error::invalid_parameter(
                        "cba.optimism_bias",
                        format!("{} values", v.len()),
                        "give six rates, for confidence grades 1 to 6",
                    )
                })?;
                OptimismBiasTable::new(rates).map_err(|e| {
                    Error::invalid_parameter("cba.optimism_bias", format!("{v:?}"), e.to_string())
                })?
            }
        };
        let parameters = CbaParameters {
            horizon_years: self.horizon_years,
            dropoff: prop("cba.dropoff", self.dropoff)?,
            discounting,
            optimism_bias,
            cost_optimism_bias: prop("cba.cost_optimism_bias", self.cost_optimism_bias)?,
            ..CbaParameters::default()
        };
        let name_of = |p: P| match p {
            P::Dropoff => "dropoff",
            P::Deadweight => "deadweight",
            P::Attribution => "attribution",
            P::DiscountRate => "discount_rate",
            P::HorizonYears => "horizon_years",
            P::OptimismBiasScale => "optimism_bias_scale",
            P::CostScale => "cost_scale",
            P::BenefitScale => "benefit_scale",
        };
        let defaults = SensitivitySpec::default_set();
        for (k, [lo, hi]) in &self.sensitivity {
            let key = format!("cba.sensitivity.{k}");
            let Some(d) = defaults.iter().find(|d| name_of(d.parameter) == k) else {
                return Err(Error::invalid_parameter(
                    &key,
                    k,
                    format!(
                        "unknown assumption (known: {})",
                        defaults
                            .iter()
                            .map(|d| name_of(d.parameter))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            };
            if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                return Err(Error::invalid_parameter(
                    &key,
                    format!("[{lo}, {hi}]"),
                    "a range is [low, high] with low <= high",
                ));
            }
            let proportion = matches!(d.parameter, P::Dropoff | P::Deadweight | P::Attribution);
            let bad = match d.parameter {
                _ if proportion => *lo < 0.0 || *hi > 1.0,
                P::DiscountRate => *lo < 0.0 || *hi >= 1.0,
                P::HorizonYears => {
                    *lo < 1.0 || *hi > 500.0 || lo.fract() != 0.0 || hi.fract() != 0.0
                }
                _ => *lo < 0.0,
            };
            if bad {
                return Err(Error::invalid_parameter(
                    &key,
                    format!("[{lo}, {hi}]"),
                    "outside the assumption's range (proportions in [0, 1], a discount rate \
                     in [0, 1), whole horizon years 1-500, scales >= 0)",
                ));
            }
            if d.parameter == P::Deadweight && deadweight.is_none() {
                return Err(Error::invalid_parameter(
                    &key,
                    format!("[{lo}, {hi}]"),
                    "a deadweight range moves nothing unless counterfactual = \"deadweight\"",
                ));
            }
        }
        let sensitivity = defaults
            .into_iter()
            // With a comparison group, a deadweight moves nothing: no row.
            .filter(|d| d.parameter != P::Deadweight || deadweight.is_some())
            .map(|d| match self.sensitivity.get(name_of(d.parameter)) {
                Some([lo, hi]) => SensitivitySpec {
                    parameter: d.parameter,
                    low: *lo,
                    high: *hi,
                },
                None => d,
            })
            .collect();
        Ok(CbaSettings {
            parameters,
            attribution: prop("cba.attribution", self.attribution)?,
            confidence: ConfidenceGrade::new(self.confidence_grade).map_err(|e| {
                Error::invalid_parameter(
                    "cba.confidence_grade",
                    self.confidence_grade,
                    e.to_string(),
                )
            })?,
            deadweight,
            sensitivity,
        })
    }
}

fn five() -> u32 {
    5
}
fn dropoff() -> f64 {
    0.2
}
fn attribution() -> f64 {
    0.1
}
fn three() -> u8 {
    3
}

impl Default for CbaSpec {
    fn default() -> Self {
        CbaSpec {
            horizon_years: 5,
            dropoff: 0.2,
            attribution: 0.1,
            confidence_grade: 3,
            counterfactual: CbaCounterfactual::MatchedComparison,
            deadweight: None,
            discounting: Discounting::Standard,
            discount_rate: None,
            optimism_bias: None,
            cost_optimism_bias: 0.0,
            sensitivity: BTreeMap::new(),
        }
    }
}
