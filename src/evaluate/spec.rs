//! The evaluation spec: what to load, how to window it, what to compare,
//! how to cost it and which disclosure policy to publish under, read from a
//! TOML file (see `data/sample/evaluation.toml`).
//!
//! Every table is `deny_unknown_fields`, so a misspelt key is an error that
//! names the key and the file. Data paths are resolved against the spec
//! file's directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::cohort::Pseudonymiser;
use crate::disclosure::Policy;
use crate::error::{Error, Result};
use crate::io::ColumnMap;
use crate::measures::school_report::{SchoolDesign, SchoolFiles};
use crate::stats::ConfidenceLevel;

mod comparison;
mod costs;
mod school;
pub use crate::measures::school_report::PeriodPopulationYear;
pub use comparison::*;
pub use costs::*;
use school::sample_school;
pub use school::{SchoolArmSpec, SchoolPhaseSpec, SchoolSpec};

/// The key used when a spec names none: fine for the synthetic sample, never
/// for real data (the report says which was used).
pub const DEMONSTRATION_KEY: &[u8] = b"demonstration key - use your own";

/// A whole evaluation, as described in a TOML file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationSpec {
    /// Name of the evaluation; also the default report folder `report/<name>`.
    pub name: String,
    /// Seed for every random step (bootstrap resampling).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// The period the extracts cover.
    pub data_window: DataWindowSpec,
    /// The input files.
    pub data: DataSpec,
    /// How raw identifiers are pseudonymised on load.
    #[serde(default)]
    pub pseudonymisation: PseudonymisationSpec,
    /// Before/after windows and the coverage rule.
    #[serde(default)]
    pub windows: WindowsSpec,
    /// Which outcomes to report.
    #[serde(default)]
    pub outcomes: OutcomesSpec,
    /// The matched comparison (omit to skip it).
    #[serde(default)]
    pub comparison: Option<ComparisonSpec>,
    /// Difference in differences on person-level outcomes (omit to skip it):
    /// the 2×2 design, the event study and staggered starts.
    #[serde(default)]
    pub did: Option<DidDesignSpec>,
    /// A time-to-event outcome (omit to skip it): the time to each person's
    /// first event of chosen service-use categories.
    #[serde(default)]
    pub time_to_event: Option<TimeToEventSpec>,
    /// Costing (omit to skip costs and the cost-benefit analysis).
    #[serde(default)]
    pub costs: Option<CostsSpec>,
    /// Cost-benefit parameters.
    #[serde(default)]
    pub cba: CbaSpec,
    /// The disclosure-control policy every table passes through.
    #[serde(default)]
    pub disclosure: DisclosureSpec,
    /// Confidence level and bootstrap settings.
    #[serde(default)]
    pub statistics: StatisticsSpec,
    /// Where the files that are not part of the publishable report go.
    #[serde(default)]
    pub output: OutputSpec,
    /// Directory the data paths are relative to (the spec file's directory).
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// The spec file's name, for error messages and `run.json`.
    #[serde(skip)]
    pub spec_file: Option<String>,
}

fn default_seed() -> u64 {
    20_240_101
}

/// `start` and `extract_date` of the data, as `"YYYY-MM-DD"` strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataWindowSpec {
    /// First day the extracts cover.
    pub start: NaiveDate,
    /// Day the extracts were taken.
    pub extract_date: NaiveDate,
}

/// The input files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSpec {
    /// The cohort: one row per person. Without it the evaluation has no
    /// per-person sections: only `[data.school]` (an area-level pilot judged
    /// on attendance and ASB), and no service use, NDT, comparison, time to
    /// event or costs.
    #[serde(default)]
    pub cohort: Option<FileSpec>,
    /// Service-use events.
    #[serde(default)]
    pub service_use: Option<FileSpec>,
    /// Service use as counts per person per period (e.g. per quarter, as the
    /// Fulfilling Lives framework records them), exact or banded; counted
    /// in the same per-person frame as the events.
    #[serde(default)]
    pub period_counts: Option<PeriodCountsSpec>,
    /// NDT assessments.
    #[serde(default)]
    pub ndt: Option<NdtFileSpec>,
    /// School attendance and anti-social behaviour files.
    #[serde(default)]
    pub school: Option<SchoolSpec>,
}

/// A data file and its column mapping (canonical name = name in the file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    /// Path, relative to the spec file.
    pub path: PathBuf,
    /// Canonical column name → the file's column name.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

impl FileSpec {
    /// The column map.
    pub fn column_map(&self) -> ColumnMap {
        self.columns
            .iter()
            .fold(ColumnMap::new(), |m, (k, v)| m.map(k, v))
    }
}

/// A file of service-use counts per person per period: `person_id`,
/// `period_start`, `period_end`, `category`, `count`, a count being a whole
/// number or a band label (`1 to 2`, `3 to 4`, `5 to 9`, `10 or more`; prison
/// nights `1 to 31`, `32 to 62`, `63 to 93`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodCountsSpec {
    /// Path, relative to the spec file.
    pub path: PathBuf,
    /// Canonical column name → the file's column name.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Which value of a band every analysis reads: `"mid"` (default),
    /// `"low"` or `"high"` (run the spec with each to bound the results).
    #[serde(default)]
    pub scenario: BandScenario,
    /// The open band `10 or more`: its assumed middle (default 12) ...
    #[serde(default = "twelve_f")]
    pub open_band_mid: f64,
    /// ... and its assumed upper value (default 20).
    #[serde(default = "twenty_f")]
    pub open_band_high: f64,
}

fn twelve_f() -> f64 {
    12.0
}
fn twenty_f() -> f64 {
    20.0
}

/// The value of a banded count that the analyses read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BandScenario {
    /// The band's lower bound.
    Low,
    /// The band's middle.
    #[default]
    Mid,
    /// The band's upper bound (the stated assumption for the open band).
    High,
}

impl PeriodCountsSpec {
    /// The column map.
    pub fn column_map(&self) -> ColumnMap {
        self.columns
            .iter()
            .fold(ColumnMap::new(), |m, (k, v)| m.map(k, v))
    }

    /// The band scheme (the Fulfilling Lives counts bands with the spec's
    /// open band, and the prison-night bands).
    ///
    /// # Errors
    /// [`Error::invalid_parameter`] naming `data.period_counts.open_band_mid`
    /// unless `10 <= open_band_mid <= open_band_high`.
    pub fn bands(&self) -> Result<crate::measures::service_use::BandScheme> {
        use crate::measures::service_use::BandScheme;
        let counts = BandScheme::fulfilling_lives(self.open_band_mid, self.open_band_high)
            .map_err(|_| {
                Error::invalid_parameter(
                    "data.period_counts.open_band_mid",
                    format!("{} (high {})", self.open_band_mid, self.open_band_high),
                    "the open band `10 or more` needs 10 <= open_band_mid <= open_band_high",
                )
            })?;
        let mut bands = counts.bands().to_vec();
        bands.extend(
            BandScheme::fulfilling_lives_prison_nights()
                .bands()
                .iter()
                .cloned(),
        );
        BandScheme::new(bands)
    }

    /// The library's scenario.
    pub fn scenario(&self) -> crate::measures::service_use::Scenario {
        use crate::measures::service_use::Scenario;
        match self.scenario {
            BandScenario::Low => Scenario::Low,
            BandScenario::Mid => Scenario::Mid,
            BandScenario::High => Scenario::High,
        }
    }
}

/// NDT layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NdtLayout {
    /// One row per assessment, the ten items as columns.
    #[default]
    Long,
    /// The Fulfilling Lives CDF wide layout.
    Wide,
}

/// The NDT file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NdtFileSpec {
    /// Path, relative to the spec file.
    pub path: PathBuf,
    /// Canonical column name → the file's column name.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// `"long"` (default) or `"wide"`.
    #[serde(default)]
    pub layout: NdtLayout,
}

/// Where the pseudonymisation key comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PseudonymisationSpec {
    /// Name of an environment variable holding the key.
    #[serde(default)]
    pub key_env: Option<String>,
    /// A file holding the key (relative to the spec file).
    #[serde(default)]
    pub key_file: Option<PathBuf>,
}

/// Coverage rule for people whose data do not cover a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageRule {
    /// Keep people observed for at least `min_fraction` of each window, as a
    /// rate per observed time.
    #[default]
    RatePerObservedTime,
    /// Keep only people observed for the whole of both windows.
    Exclude,
}

/// Before/after windows, in whole months relative to each person's start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowsSpec {
    /// Months before the start (default 12).
    #[serde(default = "twelve")]
    pub months_before: u32,
    /// Months after the start (default 12).
    #[serde(default = "twelve")]
    pub months_after: u32,
    /// Coverage rule (default `rate_per_observed_time`).
    #[serde(default)]
    pub coverage: CoverageRule,
    /// Smallest observed share of each window kept (default 0.5).
    #[serde(default = "half")]
    pub min_fraction: f64,
}

fn twelve() -> u32 {
    12
}
fn half() -> f64 {
    0.5
}

impl Default for WindowsSpec {
    fn default() -> Self {
        WindowsSpec {
            months_before: 12,
            months_after: 12,
            coverage: CoverageRule::default(),
            min_fraction: 0.5,
        }
    }
}

/// Which outcomes to report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomesSpec {
    /// Service-use category codes (default: every built-in category).
    #[serde(default)]
    pub categories: Option<Vec<String>>,
    /// The category whose any/none change is tested with McNemar.
    #[serde(default = "rough_sleeping")]
    pub binary_category: String,
    /// NDT follow-up point in months (default 12).
    #[serde(default = "twelve")]
    pub ndt_follow_up_months: u32,
    /// NDT test-retest reliability assumed for reliable change (default 0.8;
    /// the NDT has no published value).
    #[serde(default = "reliability")]
    pub ndt_reliability: f64,
    /// Service-use categories of the user's own, beside the 13 built-in ones,
    /// each with its code (as in the data's `category` column; `a-z`, `0-9`,
    /// `_`) and unit (`"events"` or `"days"`). Price one with a unit-cost row
    /// of that category.
    #[serde(default)]
    pub custom_categories: Vec<CustomCategorySpec>,
    /// The NDT baseline: the assessment nearest the start within this many
    /// days before it (default 90) ...
    #[serde(default = "ninety")]
    pub ndt_baseline_days_before: u32,
    /// ... or this many days after it (default 90).
    #[serde(default = "ninety")]
    pub ndt_baseline_days_after: u32,
    /// The NDT follow-up: the assessment nearest the follow-up point (after
    /// the baseline) within this many days either side (default 90).
    #[serde(default = "ninety")]
    pub ndt_follow_up_tolerance_days: u32,
}

fn ninety() -> u32 {
    90
}

/// A custom service-use category (`[[outcomes.custom_categories]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomCategorySpec {
    /// Its code in the data's `category` column.
    pub code: String,
    /// `"events"` (each row counts events) or `"days"` (days or nights).
    pub unit: crate::measures::service_use::CountUnit,
}

impl OutcomesSpec {
    /// The categories a service-use file may hold: the built-ins and the
    /// spec's custom ones.
    ///
    /// # Errors
    /// [`Error::invalid_parameter`] naming `outcomes.custom_categories`: a
    /// code with other characters than `a-z`, `0-9` and `_`, a built-in
    /// category's code, or a code given twice.
    pub fn category_set(&self) -> Result<crate::measures::service_use::CategorySet> {
        use crate::measures::service_use::{CategorySet, ServiceCategory};
        let mut custom = Vec::with_capacity(self.custom_categories.len());
        for c in &self.custom_categories {
            let cat = ServiceCategory::custom(&c.code, c.unit).map_err(|e| {
                Error::invalid_parameter("outcomes.custom_categories", &c.code, e.to_string())
            })?;
            if custom.contains(&cat) {
                return Err(Error::invalid_parameter(
                    "outcomes.custom_categories",
                    &c.code,
                    "each custom category is given once",
                ));
            }
            custom.push(cat);
        }
        Ok(CategorySet::with_custom(custom))
    }

    /// The NDT selection windows the spec describes.
    pub fn ndt_selection(&self) -> crate::measures::ndt::SelectionRule {
        crate::measures::ndt::SelectionRule {
            baseline_before_days: self.ndt_baseline_days_before,
            baseline_after_days: self.ndt_baseline_days_after,
            follow_up_months: self.ndt_follow_up_months,
            follow_up_tolerance_days: self.ndt_follow_up_tolerance_days,
        }
    }
}

fn rough_sleeping() -> String {
    "rough_sleeping_night".into()
}
fn reliability() -> f64 {
    0.8
}

impl Default for OutcomesSpec {
    fn default() -> Self {
        OutcomesSpec {
            categories: None,
            binary_category: rough_sleeping(),
            ndt_follow_up_months: 12,
            ndt_reliability: 0.8,
            custom_categories: Vec::new(),
            ndt_baseline_days_before: 90,
            ndt_baseline_days_after: 90,
            ndt_follow_up_tolerance_days: 90,
        }
    }
}

/// A time-to-event outcome: the time from each person's index date to their
/// first event of `categories`, censored at the earliest of their end date,
/// the extract date and the horizon (`[time_to_event]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeToEventSpec {
    /// Service-use category codes whose first event ends the time (for
    /// example `["arrest"]`, or `["arrest", "court_appearance"]`).
    #[serde(default)]
    pub categories: Vec<String>,
    /// Cohort end reasons whose end date is also the event (for example
    /// `["exit"]`: the time to leaving support, whose survival is engagement
    /// sustained; `["exit", "moved"]`).
    #[serde(default)]
    pub end_reasons: Vec<crate::cohort::EndReason>,
    /// Follow-up is capped at this many months after the index date
    /// (default 24).
    #[serde(default = "twenty_four")]
    pub horizon_months: u32,
    /// The months at which survival is reported (default 6, 12 and 24;
    /// each at most the horizon).
    #[serde(default = "survival_months")]
    pub at_months: Vec<u32>,
}

fn twenty_four() -> u32 {
    24
}
fn survival_months() -> Vec<u32> {
    vec![6, 12, 24]
}

/// Which disclosure policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyName {
    /// Minimum cell size (`min_cell_size`, default 10).
    #[default]
    MinimumCellSize,
    /// NHS Digital 2018 (suppress 1–7, round to 5).
    #[serde(rename = "nhs_digital_2018")]
    NhsDigital2018,
    /// NHS Digital before September 2018 (suppress 1–5, secondary).
    NhsLegacy,
}

/// Files written beside the report, for the evaluator only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    /// The rejected-rows file: every input row not accepted, with its file,
    /// row, column, value (identifier columns redacted) and rule, so that the
    /// evaluator can fix their data. Relative to the spec's folder. It holds
    /// row-level data, so it may not lie inside the report folder; by default
    /// it is `<report folder>-rejected-rows.csv`, beside it.
    #[serde(default)]
    pub rejected_rows: Option<PathBuf>,
}

/// The disclosure policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosureSpec {
    /// `minimum_cell_size` (default), `nhs_digital_2018` or `nhs_legacy`.
    #[serde(default)]
    pub policy: PolicyName,
    /// For `minimum_cell_size`: the smallest count shown (default 10).
    #[serde(default = "ten_u64")]
    pub min_cell_size: u64,
    /// Symbol for suppressed cells (default `c`).
    #[serde(default)]
    pub symbol: Option<String>,
}

fn ten_u64() -> u64 {
    10
}

impl Default for DisclosureSpec {
    fn default() -> Self {
        DisclosureSpec {
            policy: PolicyName::MinimumCellSize,
            min_cell_size: 10,
            symbol: None,
        }
    }
}

impl DisclosureSpec {
    /// The policy.
    ///
    /// # Errors
    /// For a minimum cell size below 2 or a bad symbol.
    pub fn policy(&self) -> Result<Policy> {
        let p = match self.policy {
            PolicyName::MinimumCellSize => Policy::minimum_cell_size(self.min_cell_size)?,
            PolicyName::NhsDigital2018 => Policy::nhs_digital_2018(),
            PolicyName::NhsLegacy => Policy::nhs_legacy(),
        };
        match &self.symbol {
            Some(s) => p.with_symbol(s),
            None => Ok(p),
        }
    }
}

/// Statistics settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatisticsSpec {
    /// Confidence level of every interval (default 0.95).
    #[serde(default = "level")]
    pub confidence_level: f64,
    /// Bootstrap resamples (default 9999; at least 100).
    #[serde(default = "resamples")]
    pub bootstrap_resamples: usize,
    /// How each family of tests in the report (the service-use categories of
    /// a group, the NDT items of a group, the headline outcomes) is adjusted
    /// for multiplicity: `"holm"` (default) or `"bh"`. Both the raw and the
    /// adjusted p-values are published, with the method named.
    #[serde(default)]
    pub p_adjust: PAdjust,
}

/// A multiplicity adjustment named in the spec (`statistics.p_adjust`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PAdjust {
    /// Holm's step-down (family-wise error rate; R `p.adjust(p, "holm")`).
    #[default]
    Holm,
    /// Benjamini-Hochberg (false discovery rate; R `p.adjust(p, "BH")`).
    Bh,
}

impl PAdjust {
    /// The library's method.
    pub fn method(self) -> crate::stats::PAdjustMethod {
        match self {
            PAdjust::Holm => crate::stats::PAdjustMethod::Holm,
            PAdjust::Bh => crate::stats::PAdjustMethod::BenjaminiHochberg,
        }
    }

    /// The method's name in the report's column headers (`Holm`, `BH`).
    pub fn label(self) -> &'static str {
        match self {
            PAdjust::Holm => "Holm",
            PAdjust::Bh => "BH",
        }
    }
}

fn level() -> f64 {
    0.95
}
fn resamples() -> usize {
    9999
}

impl Default for StatisticsSpec {
    fn default() -> Self {
        StatisticsSpec {
            confidence_level: 0.95,
            bootstrap_resamples: 9999,
            p_adjust: PAdjust::Holm,
        }
    }
}

impl EvaluationSpec {
    /// Parse a spec from TOML text; `source` names it in errors and
    /// `base_dir` is where its data paths are resolved.
    ///
    /// # Errors
    /// [`Error::invalid_parameter`] naming the source, with the TOML
    /// parser's message (line, column and the unknown or missing key).
    pub fn from_toml(text: &str, source: &str, base_dir: &Path) -> Result<Self> {
        let mut spec: EvaluationSpec = toml::from_str(text).map_err(|e| {
            Error::invalid_parameter(
                "spec",
                source,
                format!(
                    "the evaluation spec cannot be read: {}",
                    e.to_string().trim_end()
                ),
            )
        })?;
        spec.base_dir = base_dir.to_path_buf();
        spec.spec_file = Some(source.to_string());
        spec.check()?;
        Ok(spec)
    }

    /// Read a spec file.
    ///
    /// # Errors
    /// If the file cannot be read, and as [`EvaluationSpec::from_toml`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let base = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        Self::from_toml(&text, &path.display().to_string(), &base)
    }

    /// The bundled sample's spec (the same as `data/sample/evaluation.toml`),
    /// with data in `dir`.
    pub fn sample(dir: impl AsRef<Path>) -> Self {
        let synthetic = crate::synthetic::SyntheticSpec::sample();
        EvaluationSpec {
            name: "sample".into(),
            seed: default_seed(),
            data_window: DataWindowSpec {
                start: synthetic.data_start,
                extract_date: synthetic.extract_date,
            },
            data: DataSpec {
                cohort: Some(FileSpec {
                    path: "cohort.csv".into(),
                    columns: BTreeMap::new(),
                }),
                service_use: Some(FileSpec {
                    path: "service_use.csv".into(),
                    columns: BTreeMap::new(),
                }),
                period_counts: None,
                ndt: Some(NdtFileSpec {
                    path: "ndt.csv".into(),
                    columns: BTreeMap::new(),
                    layout: NdtLayout::Long,
                }),
                school: Some(sample_school()),
            },
            pseudonymisation: PseudonymisationSpec::default(),
            windows: WindowsSpec::default(),
            outcomes: OutcomesSpec::default(),
            comparison: Some(ComparisonSpec {
                covariates: ["age", "sex", "area", "prior_arrests"]
                    .map(String::from)
                    .to_vec(),
                outcome: ae(),
                ratio: 1,
                caliper_sd: None,
                replace: false,
                overlap_bins: 10,
                estimators: all_estimators(),
                exact: Vec::new(),
                order: MatchOrderSpec::Largest,
                tie_rule: TieRule::SortedNeighbour,
            }),
            did: Some(DidDesignSpec {
                outcomes: Some(
                    ["ae_attendance", "arrest", "total_cost", "ndt_total"]
                        .map(String::from)
                        .to_vec(),
                ),
                sample: DidSample::Matched,
                event_study: Some(EventStudySpec {
                    outcome: "ae_attendance".into(),
                    period_months: 3,
                }),
                staggered: Some(StaggeredSpec {
                    outcome: "ae_attendance".into(),
                    period_months: 6,
                    comparison_group: StaggeredComparison::NeverTreated,
                    base_period: StaggeredBase::Varying,
                    aggregations: all_aggregations(),
                }),
            }),
            time_to_event: Some(TimeToEventSpec {
                categories: vec!["arrest".into()],
                end_reasons: Vec::new(),
                horizon_months: twenty_four(),
                at_months: survival_months(),
            }),
            costs: Some(CostsSpec {
                gmca_codes: BTreeMap::new(),
                unit_costs: None,
                deflators: None,
                price_year: price_year(),
                programme_cost_per_person: 3_500.0,
            }),
            cba: CbaSpec::default(),
            disclosure: DisclosureSpec::default(),
            statistics: StatisticsSpec::default(),
            output: OutputSpec::default(),
            base_dir: dir.as_ref().to_path_buf(),
            spec_file: None,
        }
    }

    /// Check parameters that serde cannot (ranges, the policy).
    ///
    /// # Errors
    /// [`Error::invalid_parameter`] naming the key.
    pub fn check(&self) -> Result<()> {
        let bad = |key: &str, value: String, rule: &str| {
            Err(Error::invalid_parameter(
                key,
                value,
                format!("{rule}{}", self.in_file()),
            ))
        };
        if self.name.trim().is_empty()
            || self.name.chars().all(|c| c == '.')
            || self
                .name
                .chars()
                .any(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        {
            return bad(
                "name",
                self.name.clone(),
                "use letters, digits, `-`, `_` and `.` only",
            );
        }
        if self.outcomes.categories.as_ref().is_some_and(Vec::is_empty) {
            return bad(
                "outcomes.categories",
                "[]".into(),
                "name at least one category, or leave the key out for all",
            );
        }
        if self.data_window.extract_date <= self.data_window.start {
            return bad(
                "data_window.extract_date",
                self.data_window.extract_date.to_string(),
                "must be after data_window.start",
            );
        }
        if self.windows.months_before == 0 || self.windows.months_after == 0 {
            return bad(
                "windows",
                "0".into(),
                "months_before and months_after must be at least 1",
            );
        }
        if !(self.windows.min_fraction > 0.0 && self.windows.min_fraction <= 1.0) {
            return bad(
                "windows.min_fraction",
                self.windows.min_fraction.to_string(),
                "must be in (0, 1]",
            );
        }
        let o = &self.outcomes;
        o.category_set()?;
        if let Some(p) = &self.data.period_counts {
            p.bands()?;
            // What reads dated events cannot read counts per period.
            if self.data.service_use.is_none() {
                if let Some(t) = self
                    .time_to_event
                    .as_ref()
                    .filter(|t| !t.categories.is_empty())
                {
                    return bad(
                        "time_to_event.categories",
                        t.categories.join(", "),
                        "the time to a first event needs dated events (data.service_use); \
                         counts per period (data.period_counts) do not date them",
                    );
                }
            }
        }
        if o.ndt_follow_up_months == 0 || o.ndt_follow_up_months > 120 {
            return bad(
                "outcomes.ndt_follow_up_months",
                o.ndt_follow_up_months.to_string(),
                "must be 1 to 120 months",
            );
        }
        for (key, days) in [
            (
                "outcomes.ndt_baseline_days_before",
                o.ndt_baseline_days_before,
            ),
            (
                "outcomes.ndt_baseline_days_after",
                o.ndt_baseline_days_after,
            ),
        ] {
            if days > 366 {
                return bad(
                    key,
                    days.to_string(),
                    "a baseline window is at most 366 days",
                );
            }
        }
        // The follow-up window may not reach back to the baseline window.
        let follow_up_days = u64::from(o.ndt_follow_up_months) * 30;
        if u64::from(o.ndt_follow_up_tolerance_days) + u64::from(o.ndt_baseline_days_after)
            >= follow_up_days
        {
            return bad(
                "outcomes.ndt_follow_up_tolerance_days",
                o.ndt_follow_up_tolerance_days.to_string(),
                &format!(
                    "the follow-up window ({} days either side of {} months) would overlap the \
                     baseline window ({} days after the start); shorten one",
                    o.ndt_follow_up_tolerance_days,
                    o.ndt_follow_up_months,
                    o.ndt_baseline_days_after
                ),
            );
        }
        if !(self.outcomes.ndt_reliability > 0.0 && self.outcomes.ndt_reliability < 1.0) {
            return bad(
                "outcomes.ndt_reliability",
                self.outcomes.ndt_reliability.to_string(),
                "must be in (0, 1)",
            );
        }
        if let Some(c) = &self.comparison {
            if c.covariates.is_empty() {
                return bad(
                    "comparison.covariates",
                    "[]".into(),
                    "name at least one covariate",
                );
            }
            if c.ratio == 0 {
                return bad("comparison.ratio", "0".into(), "must be at least 1");
            }
            if !(2..=50).contains(&c.overlap_bins) {
                return bad(
                    "comparison.overlap_bins",
                    c.overlap_bins.to_string(),
                    "must be 2 to 50",
                );
            }
            if c.estimators.is_empty() {
                return bad(
                    "comparison.estimators",
                    "[]".into(),
                    "name at least one of matching, ipw, entropy_balancing, doubly_robust",
                );
            }
            let mut exact = std::collections::BTreeSet::new();
            for e in &c.exact {
                if e.trim().is_empty() || !exact.insert(e.trim()) {
                    return bad(
                        "comparison.exact",
                        e.clone(),
                        "each exact-matching column is named once, and not blank",
                    );
                }
            }
            if c.outcome == "total_cost" && self.costs.is_none() {
                return bad(
                    "comparison.outcome",
                    c.outcome.clone(),
                    "`total_cost` needs a [costs] section",
                );
            }
        }
        if let Some(d) = &self.did {
            self.check_did(d)?;
        }
        if let Some(t) = &self.time_to_event {
            if !t.categories.is_empty() && self.data.service_use.is_none() {
                return bad(
                    "time_to_event.categories",
                    t.categories.join(", "),
                    "needs a [data.service_use] file, whose events it times",
                );
            }
            if t.categories.is_empty() && t.end_reasons.is_empty() {
                return bad(
                    "time_to_event.categories",
                    "[]".into(),
                    "name at least one service-use category or one end reason",
                );
            }
            if !(1..=600).contains(&t.horizon_months) {
                return bad(
                    "time_to_event.horizon_months",
                    t.horizon_months.to_string(),
                    "must be 1 to 600",
                );
            }
            if t.at_months.is_empty() {
                return bad(
                    "time_to_event.at_months",
                    "[]".into(),
                    "name at least one month",
                );
            }
            if let Some(m) = t
                .at_months
                .iter()
                .find(|m| **m == 0 || **m > t.horizon_months)
            {
                return bad(
                    "time_to_event.at_months",
                    m.to_string(),
                    "each month must be 1 to time_to_event.horizon_months",
                );
            }
        }
        self.check_school()?;
        if let Some(c) = &self.costs {
            c.check_unit_costs()?;
            self.cba.settings()?;
            if self.cba.counterfactual == CbaCounterfactual::MatchedComparison
                && self.comparison.is_none()
            {
                return bad(
                    "cba.counterfactual",
                    "matched_comparison".into(),
                    "the matched comparison needs a [comparison] section; or set \
                     counterfactual = \"comparison_group\" or \"deadweight\"",
                );
            }
        }
        if self.statistics.bootstrap_resamples < 100 {
            return bad(
                "statistics.bootstrap_resamples",
                self.statistics.bootstrap_resamples.to_string(),
                "must be at least 100",
            );
        }
        if let Some(c) = &self.costs {
            if !(c.programme_cost_per_person.is_finite() && c.programme_cost_per_person >= 0.0) {
                return bad(
                    "costs.programme_cost_per_person",
                    c.programme_cost_per_person.to_string(),
                    "must be a non-negative amount",
                );
            }
        }
        self.disclosure
            .policy()
            .map_err(|e| Error::invalid_parameter("disclosure", self.in_file(), e.to_string()))?;
        Ok(())
    }

    /// The `[did]` design, checked before any data are read: each outcome
    /// exists and its data are named, the matched sample exists, and each
    /// design has a pre-period and more than one period.
    fn check_did(&self, d: &DidDesignSpec) -> Result<()> {
        // (The service-use categories are the built-ins and the spec's own.)
        let bad = |key: &str, value: String, rule: String| {
            Err(Error::invalid_parameter(
                key,
                value,
                format!("{rule}{}", self.in_file()),
            ))
        };
        let cats = self.outcomes.category_set()?;
        let known = || {
            format!(
                "a service-use category ({}), `total_cost`, `ndt_total` or `ndt_<item>` ({})",
                cats.codes().join(", "),
                crate::measures::ndt::NdtItem::ALL
                    .map(|i| format!("ndt_{}", i.column()))
                    .join(", ")
            )
        };
        if d.sample == DidSample::Matched && self.comparison.is_none() {
            return bad(
                "did.sample",
                "matched".into(),
                "the matched sample needs a [comparison] section (or set did.sample = \"all\")"
                    .into(),
            );
        }
        let outcomes: Vec<String> = match &d.outcomes {
            Some(list) => list.clone(),
            None => match &self.comparison {
                Some(c) => vec![c.outcome.clone()],
                None => {
                    return bad(
                        "did.outcomes",
                        "(none)".into(),
                        "name the outcomes (there is no [comparison] outcome to default to)".into(),
                    )
                }
            },
        };
        if outcomes.is_empty() {
            return bad(
                "did.outcomes",
                "[]".into(),
                "name at least one outcome, or leave the key out for the comparison's".into(),
            );
        }
        let mut seen = std::collections::BTreeSet::new();
        for o in &outcomes {
            if !seen.insert(o.as_str()) {
                return bad(
                    "did.outcomes",
                    o.clone(),
                    "each outcome is named once".into(),
                );
            }
            if cats.get(o).is_some() {
                if self.data.service_use.is_none() {
                    return bad(
                        "did.outcomes",
                        o.clone(),
                        "a service-use outcome needs a [data.service_use] file".into(),
                    );
                }
            } else if o == "total_cost" {
                if self.costs.is_none() || self.data.service_use.is_none() {
                    return bad(
                        "did.outcomes",
                        o.clone(),
                        "`total_cost` needs a [costs] section and a [data.service_use] file".into(),
                    );
                }
            } else if o == "ndt_total" || ndt_item_of(o).is_some() {
                if self.data.ndt.is_none() {
                    return bad(
                        "did.outcomes",
                        o.clone(),
                        "an NDT outcome needs a [data.ndt] file".into(),
                    );
                }
            } else {
                return bad(
                    "did.outcomes",
                    o.clone(),
                    format!("unknown outcome: each is {}", known()),
                );
            }
        }
        let category = |key: &str, o: &str| {
            if cats.get(o).is_none() {
                return bad(
                    key,
                    o.to_string(),
                    format!(
                        "unknown outcome: a service-use category code ({})",
                        cats.codes().join(", ")
                    ),
                );
            }
            if self.data.service_use.is_none() {
                return bad(
                    key,
                    o.to_string(),
                    "needs a [data.service_use] file, whose events it counts".into(),
                );
            }
            Ok(())
        };
        if let Some(e) = &d.event_study {
            category("did.event_study.outcome", &e.outcome)?;
            let pm = e.period_months;
            if !(1..=12).contains(&pm)
                || !self.windows.months_before.is_multiple_of(pm)
                || !self.windows.months_after.is_multiple_of(pm)
            {
                return bad(
                    "did.event_study.period_months",
                    pm.to_string(),
                    format!(
                        "must be 1 to 12 and divide windows.months_before ({}) and \
                         windows.months_after ({})",
                        self.windows.months_before, self.windows.months_after
                    ),
                );
            }
            if self.windows.months_before / pm < 2 {
                return bad(
                    "did.event_study.period_months",
                    pm.to_string(),
                    format!(
                        "the {} months before the start make {} period(s): the event study \
                         needs the reference period and at least one earlier pre-period to \
                         test for a pre-trend",
                        self.windows.months_before,
                        self.windows.months_before / pm
                    ),
                );
            }
        }
        if let Some(st) = &d.staggered {
            category("did.staggered.outcome", &st.outcome)?;
            let pm = st.period_months;
            let months = crate::cohort::months_between(
                self.data_window.start,
                self.data_window
                    .extract_date
                    .succ_opt()
                    .unwrap_or(self.data_window.extract_date),
            );
            if !(1..=24).contains(&pm) {
                return bad(
                    "did.staggered.period_months",
                    pm.to_string(),
                    "must be 1 to 24".into(),
                );
            }
            if months / (pm as i32) < 2 {
                return bad(
                    "did.staggered.period_months",
                    pm.to_string(),
                    format!(
                        "the data window holds {months} whole months, fewer than two periods: \
                         no cohort would have a pre-period"
                    ),
                );
            }
            if st.aggregations.is_empty() {
                return bad(
                    "did.staggered.aggregations",
                    "[]".into(),
                    "name at least one of simple, group, dynamic".into(),
                );
            }
            if d.sample == DidSample::Matched
                && self
                    .comparison
                    .as_ref()
                    .is_some_and(|c| c.ratio > 1 || c.replace)
            {
                return bad(
                    "did.staggered",
                    "sample = matched".into(),
                    "Callaway & Sant'Anna is computed unweighted, and a matched sample with \
                     comparison.ratio above 1 or with replacement carries matching weights; use \
                     1:1 matching without replacement or did.sample = \"all\""
                        .into(),
                );
            }
        }
        Ok(())
    }

    /// Without a cohort only `[data.school]` can run; `[data.school]`
    /// describes a design that can be estimated, with its programme start
    /// inside the data window (no file is read).
    fn check_school(&self) -> Result<()> {
        let bad = |key: &str, value: String, rule: &str| {
            Err(Error::invalid_parameter(
                key,
                value,
                format!("{rule}{}", self.in_file()),
            ))
        };
        if self.data.cohort.is_none() {
            for (key, given) in [
                ("data.service_use", self.data.service_use.is_some()),
                ("data.ndt", self.data.ndt.is_some()),
                ("comparison", self.comparison.is_some()),
                ("time_to_event", self.time_to_event.is_some()),
                ("costs", self.costs.is_some()),
            ] {
                if given {
                    return bad(
                        key,
                        "given".into(),
                        "needs a [data.cohort] file: without one the evaluation has no people \
                         (only [data.school] runs)",
                    );
                }
            }
            if self.data.school.is_none() {
                return bad(
                    "data.cohort",
                    "none".into(),
                    "name a cohort file, or a [data.school] section to evaluate without one",
                );
            }
        }
        let Some(school) = &self.data.school else {
            return Ok(());
        };
        let w = &self.data_window;
        if !(w.start..=w.extract_date).contains(&school.programme_start) {
            return bad(
                "data.school.programme_start",
                school.programme_start.to_string(),
                &format!(
                    "outside the data: data_window runs from {} to {}",
                    w.start, w.extract_date
                ),
            );
        }
        // The level does not change what is checked; run() checks it.
        school
            .design(|p| self.resolve(p), ConfidenceLevel::NINETY_FIVE)
            .map_err(|e| match e.into_kind() {
                crate::error::ErrorKind::InvalidParameter { name, value, rule } => {
                    Error::invalid_parameter(name, value, format!("{rule}{}", self.in_file()))
                }
                other => other.into(),
            })?;
        Ok(())
    }

    /// The cohort file.
    ///
    /// # Errors
    /// [`Error::invalid_parameter`] naming `data.cohort` when the spec has
    /// none (a school-only evaluation).
    pub fn cohort_file(&self) -> Result<&FileSpec> {
        self.data.cohort.as_ref().ok_or_else(|| {
            Error::invalid_parameter(
                "data.cohort",
                "none",
                format!(
                    "this needs a person cohort, and the spec has no [data.cohort]{}",
                    self.in_file()
                ),
            )
        })
    }

    /// The school design and its files (resolved), if the spec has
    /// `[data.school]`.
    ///
    /// # Errors
    /// As [`SchoolSpec::design`]; an invalid confidence level.
    pub fn school_design(&self) -> Result<Option<(SchoolFiles, SchoolDesign)>> {
        let level = ConfidenceLevel::new(self.statistics.confidence_level)?;
        self.data
            .school
            .as_ref()
            .map(|s| s.design(|p| self.resolve(p), level))
            .transpose()
    }

    fn in_file(&self) -> String {
        self.spec_file
            .as_ref()
            .map_or_else(String::new, |f| format!(" (in {f})"))
    }

    /// Resolve a data path against the spec's directory.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base_dir.join(p)
        }
    }

    /// Every input file the spec names, with its key: `(key, resolved path)`.
    pub fn input_files(&self) -> Vec<(String, PathBuf)> {
        let mut out = Vec::new();
        if let Some(f) = &self.data.cohort {
            out.push(("data.cohort.path".to_string(), self.resolve(&f.path)));
        }
        if let Some(f) = &self.data.service_use {
            out.push(("data.service_use.path".into(), self.resolve(&f.path)));
        }
        if let Some(f) = &self.data.period_counts {
            out.push(("data.period_counts.path".into(), self.resolve(&f.path)));
        }
        if let Some(f) = &self.data.ndt {
            out.push(("data.ndt.path".into(), self.resolve(&f.path)));
        }
        if let Some(s) = &self.data.school {
            for (key, p) in s.files() {
                out.push((key.to_string(), self.resolve(p)));
            }
        }
        if let Some(c) = &self.costs {
            if let Some(p) = &c.unit_costs {
                out.push(("costs.unit_costs".into(), self.resolve(p)));
            }
            if let Some(p) = &c.deflators {
                out.push(("costs.deflators".into(), self.resolve(p)));
            }
        }
        out
    }

    /// Check that every named input file exists.
    ///
    /// # Errors
    /// [`Error::io`] naming the missing file and the spec key that names it.
    pub fn check_files(&self) -> Result<()> {
        for (key, path) in self.input_files() {
            if !path.is_file() {
                return Err(Error::io(
                    &path,
                    std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        format!("data file not found (named by `{key}`{})", self.in_file()),
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The pseudonymiser and a description of where its key came from.
    ///
    /// # Errors
    /// If the named environment variable or key file is missing or empty.
    pub fn pseudonymiser(&self) -> Result<(Pseudonymiser, String)> {
        let p = &self.pseudonymisation;
        if let Some(var) = &p.key_env {
            let key = std::env::var(var).map_err(|_| {
                Error::invalid_parameter(
                    "pseudonymisation.key_env",
                    var,
                    format!("environment variable not set{}", self.in_file()),
                )
            })?;
            return Ok((
                Pseudonymiser::new(key.as_bytes())?,
                format!("HMAC-SHA256, key from environment variable {var}"),
            ));
        }
        if let Some(file) = &p.key_file {
            let path = self.resolve(file);
            let key = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            let name = file.display().to_string();
            return Ok((
                Pseudonymiser::new(&key)?,
                format!("HMAC-SHA256, key from file {name}"),
            ));
        }
        Ok((
            Pseudonymiser::new(DEMONSTRATION_KEY)?,
            "HMAC-SHA256 with the built-in DEMONSTRATION key (not secret: use key_env or key_file for real data)"
                .into(),
        ))
    }
}
