//! Whole-analysis reports from a CSV file: a matched comparison (propensity
//! score, nearest-neighbour matching, balance and the matched-sample effect)
//! and a 2×2 difference in differences, each returned as one
//! serde-serialisable struct that can be printed ([`std::fmt::Display`]) or
//! written as JSON.
//!
//! * [`CsvTable`] reads a whole CSV file into named text columns, with typed
//!   accessors whose errors name the file, the 1-based data row, the column
//!   and the value.
//! * [`run_matched_comparison`] = MatchIt 4.5.1 `matchit(treat ~ x...,
//!   method = "nearest")` (see [`NearestNeighbour`]) + `summary()` balance
//!   (see [`balance`]) + the MatchIt vignette's effect estimate
//!   (`lm(y ~ treat [+ x...], weights)` with `vcovCL(cluster = ~subclass)`,
//!   see [`did::matched_effect`]).
//! * [`run_did`] = the 2×2 cell means and `lm(y ~ treat * post)` with iid,
//!   HC1 and cluster-robust (CR1) standard errors ([`did::did_cell_means`],
//!   [`did::did_regression`]).
//! * The command-line tool's `outcomes match` and `outcomes did` build a
//!   [`MatchedComparisonSpec`] or [`DidSpec`] from their options and print
//!   these reports (as text, or JSON with `--json`).
//!
//! Nothing is dropped silently: a row with a blank (empty, whitespace-only or
//! `NA`) value in any column the analysis uses is rejected, and every rejected
//! row is listed in the report with the blank columns. Any other value that
//! cannot be read is an error. Row numbers are 1-based data rows (the header
//! is not counted, so data row `r` is line `r + 1` of the file). No error
//! message contains a value of the unit or cluster column of a DiD, since
//! those are identifiers.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use super::balance::{balance, BalanceRow, VariableKind};
use super::design::Covariate;
use super::did::{self, DidCells, DidRegression, EffectEstimate, MatchedSample};
use super::glm::Link;
use super::matching::{
    Caliper, GroupCounts, MatchOrder, NearestNeighbour, NeighbourRule, Ratio, Replacement,
};
use super::propensity::PropensityModel;
use crate::error::{Error, Result};
use crate::stats::ols::{Clusters, Term, Weights};
use crate::stats::ConfidenceLevel;

pub use table::{is_blank, Cells, CsvTable};

mod table;

// ---------------------------------------------------------------------------
// Row accounting
// ---------------------------------------------------------------------------

/// A data row left out of the analysis, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftOutRow {
    /// 1-based data row.
    pub row: usize,
    /// The used columns in which the row is blank.
    pub blank_columns: Vec<String>,
}

/// How many rows were read, used and rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowAccounting {
    /// Data rows in the file.
    pub read: usize,
    /// Rows used by the analysis.
    pub used: usize,
    /// Rows rejected (`read − used`).
    pub rejected: usize,
    /// Every rejected row, with its reason.
    pub rejected_rows: Vec<LeftOutRow>,
}

/// Keeps rows with no blank in any of `columns`; returns the kept 0-based rows.
fn select_rows(table: &CsvTable, columns: &[&str]) -> Result<(Vec<usize>, RowAccounting)> {
    let blanks: Vec<(&str, Vec<bool>)> = columns
        .iter()
        .map(|c| table.blanks(c).map(|b| (*c, b)))
        .collect::<Result<_>>()?;
    let mut kept = Vec::with_capacity(table.nrows());
    let mut rejected_rows = Vec::new();
    for i in 0..table.nrows() {
        let blank_columns: Vec<String> = blanks
            .iter()
            .filter(|(_, b)| b.get(i).copied().unwrap_or(true))
            .map(|(c, _)| (*c).to_string())
            .collect();
        if blank_columns.is_empty() {
            kept.push(i);
        } else {
            rejected_rows.push(LeftOutRow {
                row: i + 1,
                blank_columns,
            });
        }
    }
    if kept.is_empty() {
        return Err(Error::insufficient_data(
            format!("reading {}", table.source()),
            format!(
                "all {} rows have a blank value in a used column ({})",
                table.nrows(),
                columns.join(", ")
            ),
        ));
    }
    let accounting = RowAccounting {
        read: table.nrows(),
        used: kept.len(),
        rejected: rejected_rows.len(),
        rejected_rows,
    };
    Ok((kept, accounting))
}

/// Picks the kept rows of a column read with `None` for blanks.
fn pick<T>(values: Vec<Option<T>>, kept: &[usize], what: &str) -> Result<Vec<T>> {
    // `kept` is ascending (as `select_rows` makes it): one pass, moving each
    // kept value out rather than copying it.
    let missing =
        |i: usize| Error::numerical(what, format!("row {} should have been rejected", i + 1));
    let mut out = Vec::with_capacity(kept.len());
    let mut next = kept.iter().copied().peekable();
    for (i, v) in values.into_iter().enumerate() {
        if next.peek() == Some(&i) {
            next.next();
            out.push(v.ok_or_else(|| missing(i))?);
        }
    }
    match next.next() {
        Some(i) => Err(missing(i)),
        None => Ok(out),
    }
}

/// Checks that `names` are distinct and present in the table. A missing
/// one lists the header's names when the header holds any of the others (it
/// is then a header, not data).
fn check_columns(table: &CsvTable, roles: &[(&str, &str)]) -> Result<()> {
    let all: Vec<&str> = roles.iter().map(|r| r.1).collect();
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for &(role, name) in roles {
        if !table.headers().iter().any(|h| h == name) {
            return Err(Error::missing_column(
                table.source(),
                name,
                table.headers(),
                &all,
            ));
        }
        if let Some(other) = seen.insert(name, role) {
            return Err(Error::invalid_parameter(
                role,
                name,
                format!(
                    "column `{name}` is already used as the {other}; each column may have one role"
                ),
            ));
        }
    }
    Ok(())
}

/// Both groups present.
fn check_two_groups(values: &[bool], column: &str, what: &str, labels: (&str, &str)) -> Result<()> {
    let ones = values.iter().filter(|&&v| v).count();
    if ones == 0 || ones == values.len() {
        let (all, none) = if ones == 0 {
            (labels.0, labels.1)
        } else {
            (labels.1, labels.0)
        };
        return Err(Error::insufficient_data(
            what,
            format!(
                "column `{column}` is constant: all {} usable rows are {all}, none {none}",
                values.len()
            ),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Matched comparison
// ---------------------------------------------------------------------------

/// How a covariate's values are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum CovariateKind {
    /// Numeric if every non-blank value is a finite number, else categorical.
    #[default]
    Auto,
    /// Numeric: a value that is not a number is an error.
    Numeric,
    /// Categorical: each distinct text is a level (reference = first in byte order).
    Categorical,
}

/// A covariate column of the propensity-score model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CovariateSpec {
    /// Column name.
    pub column: String,
    /// How to read it.
    pub kind: CovariateKind,
}

impl CovariateSpec {
    /// A covariate whose kind is detected from its values.
    pub fn auto(column: impl Into<String>) -> Self {
        CovariateSpec {
            column: column.into(),
            kind: CovariateKind::Auto,
        }
    }
}

/// What to compute in [`run_matched_comparison`].
#[derive(Debug, Clone, PartialEq)]
pub struct MatchedComparisonSpec {
    /// 0/1 or true/false column: 1 = treated.
    pub treatment: String,
    /// Covariates of the logistic propensity-score model (also balanced and
    /// adjusted for in the regression-adjusted effect).
    pub covariates: Vec<CovariateSpec>,
    /// Numeric outcome column.
    pub outcome: String,
    /// Controls per treated unit.
    pub ratio: Ratio,
    /// Optional caliper (usually [`Caliper::StandardDeviations`]).
    pub caliper: Option<Caliper>,
    /// With or without replacement.
    pub replacement: Replacement,
    /// Columns on which matches must agree exactly (compared as text).
    pub exact: Vec<String>,
    /// Order in which treated units choose.
    pub order: MatchOrder,
    /// How a control is chosen among equally near candidates.
    pub rule: NeighbourRule,
    /// Confidence level of the effect intervals.
    pub level: ConfidenceLevel,
}

impl MatchedComparisonSpec {
    /// MatchIt's defaults (1:1, no caliper, without replacement, largest score
    /// first, MatchIt 4.5.4's tie rule) with auto-detected covariates and 95 % intervals.
    pub fn new(
        treatment: impl Into<String>,
        covariates: &[&str],
        outcome: impl Into<String>,
    ) -> Self {
        MatchedComparisonSpec {
            treatment: treatment.into(),
            covariates: covariates.iter().map(|c| CovariateSpec::auto(*c)).collect(),
            outcome: outcome.into(),
            ratio: Ratio::ONE,
            caliper: None,
            replacement: Replacement::Without,
            exact: Vec::new(),
            order: MatchOrder::Largest,
            rule: NeighbourRule::SortedNeighbour,
            level: ConfidenceLevel::NINETY_FIVE,
        }
    }
}

/// The settings used, in plain form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchingSettings {
    /// Treatment column.
    pub treatment: String,
    /// Outcome column.
    pub outcome: String,
    /// Controls per treated unit.
    pub ratio: usize,
    /// Caliper as given: `"0.2 SD"`, `"0.05 (absolute)"`, or `None`.
    pub caliper: Option<String>,
    /// Caliper width in score units, if a caliper was used.
    pub caliper_width: Option<f64>,
    /// True if controls could be reused.
    pub replace: bool,
    /// Exact-matching columns.
    pub exact: Vec<String>,
    /// `"largest"`, `"smallest"`, `"data"` or `"random (seed N)"`.
    pub order: String,
    /// Score model: `"logit"` (MatchIt `distance = "glm"`), scores on the probability scale.
    pub score_model: String,
    /// Neighbour rule ([`NeighbourRule::describe`]).
    pub rule: String,
}

/// How a covariate was entered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CovariateUsed {
    /// Column name.
    pub column: String,
    /// `"numeric"` or `"categorical"`.
    pub kind: String,
    /// Levels of a categorical covariate, in sorted order; the first is the reference.
    pub levels: Option<Vec<String>>,
}

/// One coefficient of the score model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreCoefficient {
    /// Term (`(Intercept)`, `age`, `racehispan`...).
    pub term: String,
    /// Estimate.
    pub estimate: f64,
    /// Standard error.
    pub std_error: f64,
    /// Wald z.
    pub z: f64,
    /// Two-sided normal p-value.
    pub p_value: f64,
}

/// The fitted propensity-score model (R `glm(treat ~ ..., binomial)`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreModel {
    /// Link (`"logit"`).
    pub link: String,
    /// Coefficients, SEs, z and p.
    pub coefficients: Vec<ScoreCoefficient>,
    /// Residual deviance.
    pub deviance: f64,
    /// Null deviance.
    pub null_deviance: f64,
    /// AIC.
    pub aic: f64,
    /// IRLS iterations.
    pub iterations: usize,
}

/// One treated unit's matched set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchedSetRow {
    /// 1-based data row of the treated unit.
    pub treated_row: usize,
    /// 1-based data rows of its controls, in the order chosen (empty if unmatched).
    pub control_rows: Vec<usize>,
    /// Matching weight of each control (MatchIt's ATT weights; a control's
    /// weight covers all the treated units it serves).
    pub control_weights: Vec<f64>,
    /// Weight of the treated unit (1 if matched, 0 if not).
    pub treated_weight: f64,
    /// Pair (subclass) id; `None` if unmatched or matching with replacement.
    pub subclass: Option<usize>,
}

/// Counts of one group (MatchIt `summary()$nn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GroupCount {
    /// Units in the group.
    pub all: usize,
    /// Units with positive weight.
    pub matched: usize,
    /// Units not matched.
    pub unmatched: usize,
    /// Units discarded (common support; never, here).
    pub discarded: usize,
}

impl From<GroupCounts> for GroupCount {
    fn from(g: GroupCounts) -> Self {
        GroupCount {
            all: g.all,
            matched: g.matched,
            unmatched: g.unmatched,
            discarded: g.discarded,
        }
    }
}

/// Sample sizes after matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MatchedCounts {
    /// Treated group.
    pub treated: GroupCount,
    /// Control group.
    pub control: GroupCount,
    /// Units with positive weight, both groups.
    pub matched_units: usize,
}

/// Within-pair score distances.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PairDistanceSummary {
    /// Number of (treated, control) pairs.
    pub pairs: usize,
    /// Largest `|score_t − score_c|`.
    pub max: f64,
    /// Mean `|score_t − score_c|`.
    pub mean: f64,
}

/// One row of a balance table (see [`BalanceRow`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BalanceLine {
    /// `distance`, a covariate, or covariate + level.
    pub variable: String,
    /// `"distance"`, `"binary"` or `"continuous"`.
    pub kind: String,
    /// Mean, treated.
    pub mean_treated: f64,
    /// Mean, control.
    pub mean_control: f64,
    /// SMD with the full-sample treated SD (MatchIt `summary()`).
    pub smd_treated_sd: Option<f64>,
    /// SMD with the full-sample pooled SD `sqrt((s_t² + s_c²)/2)` (cobalt `s.d.denom = "pooled"`).
    pub smd_pooled_sd: Option<f64>,
    /// Variance ratio treated/control (non-binary only).
    pub variance_ratio: Option<f64>,
    /// Mean eCDF difference.
    pub ecdf_mean: Option<f64>,
    /// Maximum eCDF difference.
    pub ecdf_max: Option<f64>,
    /// MatchIt "Std. Pair Dist." (after matching only).
    pub std_pair_distance: Option<f64>,
}

impl From<&BalanceRow> for BalanceLine {
    fn from(r: &BalanceRow) -> Self {
        BalanceLine {
            variable: r.name.clone(),
            kind: match r.kind {
                VariableKind::Distance => "distance",
                VariableKind::Binary => "binary",
                VariableKind::Continuous => "continuous",
            }
            .to_string(),
            mean_treated: r.mean_treated,
            mean_control: r.mean_control,
            smd_treated_sd: r.smd_treated_sd,
            smd_pooled_sd: r.smd_pooled_sd,
            variance_ratio: r.variance_ratio,
            ecdf_mean: r.ecdf_mean,
            ecdf_max: r.ecdf_max,
            std_pair_distance: r.std_pair_distance,
        }
    }
}

/// Balance before and after matching, with the SMD conventions spelled out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BalanceSection {
    /// What `smd_treated_sd` means.
    pub smd_treated_sd_convention: String,
    /// What `smd_pooled_sd` means.
    pub smd_pooled_sd_convention: String,
    /// All data, unweighted.
    pub before: Vec<BalanceLine>,
    /// Matched data, with matching weights.
    pub after: Vec<BalanceLine>,
}

/// The matched-sample effect on the treated (ATT).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffectSection {
    /// Outcome column.
    pub outcome: String,
    /// How the standard errors were computed.
    pub variance: String,
    /// Weighted difference in means, `lm(y ~ treat, weights)`.
    pub difference_in_means: EffectEstimate,
    /// `lm(y ~ treat + covariates, weights)`: the coefficient on treat.
    pub regression_adjusted: Option<EffectEstimate>,
}

/// Everything [`run_matched_comparison`] computes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchedComparisonReport {
    /// The input file.
    pub source: String,
    /// Settings used.
    pub settings: MatchingSettings,
    /// Rows read, used and rejected.
    pub rows: RowAccounting,
    /// Covariates as entered.
    pub covariates: Vec<CovariateUsed>,
    /// The propensity-score model.
    pub score_model: ScoreModel,
    /// Sample sizes.
    pub counts: MatchedCounts,
    /// Within-pair score distances (`None` if nothing matched).
    pub pair_distances: Option<PairDistanceSummary>,
    /// One entry per treated unit, in data order.
    pub matched_sets: Vec<MatchedSetRow>,
    /// Balance before and after.
    pub balance: BalanceSection,
    /// Effect estimates.
    pub effect: EffectSection,
}

const SMD_TREATED: &str = "(mean_t - mean_c) / SD of the treated group in the full sample \
     (MatchIt 4.5.1 summary(), standardize = TRUE, estimand ATT); the same denominator before and after matching";
const SMD_POOLED: &str = "(mean_t - mean_c) / sqrt((s_t^2 + s_c^2) / 2), SDs of the full sample \
     (cobalt bal.tab(s.d.denom = \"pooled\")); the same denominator before and after matching";

fn read_covariate(
    table: &CsvTable,
    spec: &CovariateSpec,
    kept: &[usize],
) -> Result<(Covariate, CovariateUsed)> {
    // Read once: an automatic column is numeric when every non-blank cell
    // is a finite number (`CsvTable::looks_numeric`), which is exactly when
    // it reads as numeric.
    let numeric = match spec.kind {
        CovariateKind::Numeric => Some(table.numeric(&spec.column)?),
        CovariateKind::Categorical => None,
        CovariateKind::Auto => {
            table.column(&spec.column)?;
            table.numeric(&spec.column).ok()
        }
    };
    let what = "reading covariates";
    if let Some(values) = numeric {
        let v = pick(values, kept, what)?;
        Ok((
            Covariate::numeric(&spec.column, v),
            CovariateUsed {
                column: spec.column.clone(),
                kind: "numeric".into(),
                levels: None,
            },
        ))
    } else {
        let v = pick(table.text(&spec.column)?, kept, what)?;
        let levels = super::design::distinct_sorted(&v);
        if levels.len() == v.len() && v.len() > 2 {
            return Err(Error::invalid_parameter(
                "covariates",
                &spec.column,
                format!(
                    "column `{}` has a different value in every row, like an identifier; \
                     it cannot be a categorical covariate",
                    spec.column
                ),
            ));
        }
        Ok((
            Covariate::categorical(&spec.column, v),
            CovariateUsed {
                column: spec.column.clone(),
                kind: "categorical".into(),
                levels: Some(levels),
            },
        ))
    }
}

/// Fits the propensity score, matches, checks balance and estimates the
/// effect on the treated, as MatchIt 4.5.1 + its vignette's effect recipe:
///
/// 1. `glm(treat ~ covariates, family = binomial)` → score (probability scale);
/// 2. `matchit(..., method = "nearest", ratio, caliper, replace, exact,
///    m.order)`, nearest control with ties as `spec.rule` says (default
///    MatchIt 4.5.4's, [`NeighbourRule::SortedNeighbour`]);
/// 3. `summary(m)` balance before/after ([`balance`]), plus cobalt's pooled SMD;
/// 4. on `match.data(m)`: `lm(y ~ treat, weights)` and `lm(y ~ treat +
///    covariates, weights)`, SEs `vcovCL(cluster = ~subclass)` (CR1). With
///    replacement there are no subclasses; each unit is then its own cluster,
///    which is exactly HC1 (`vcovHC(type = "HC1")`).
///
/// Rows with a blank in the treatment, a covariate, the outcome or an exact
/// column are rejected and listed in [`MatchedComparisonReport::rows`].
///
/// # Errors
/// * [`Error::missing_column`] for a column not in the file;
/// * [`Error::invalid_parameter`] if no covariates are given, a column has two
///   roles, or a categorical covariate looks like an identifier;
/// * [`Error::invalid_value`] for a non-numeric outcome or numeric covariate,
///   or a treatment value other than 0/1/true/false (file, row, column, value);
/// * [`Error::insufficient_data`] if every row is rejected, the treatment is
///   constant, or no unit is matched;
/// * [`Error::numerical`] for a constant or collinear covariate, separation in
///   the score model, or a singular outcome regression (the term is named).
pub fn run_matched_comparison(
    table: &CsvTable,
    spec: &MatchedComparisonSpec,
) -> Result<MatchedComparisonReport> {
    MatchedInputs::read(table, spec)?.run(spec)
}

impl MatchedInputs {
    /// Reads and checks the columns `spec` names from `table`: the first
    /// half of [`run_matched_comparison`]. The inputs hold what the
    /// comparison needs and nothing of the table, so at scale the table
    /// (often the largest object) can be dropped before [`MatchedInputs::run`].
    ///
    /// # Errors
    /// [`run_matched_comparison`]'s errors in reading: missing columns, two
    /// roles for a column, bad values, every row rejected, an identifier-like
    /// categorical covariate.
    pub fn read(table: &CsvTable, spec: &MatchedComparisonSpec) -> Result<Self> {
        read_matched_inputs(table, spec)
    }

    /// Fits the score, matches, checks balance and estimates the effect: the
    /// second half of [`run_matched_comparison`].
    ///
    /// # Errors
    /// [`run_matched_comparison`]'s errors in fitting and matching.
    pub fn run(self, spec: &MatchedComparisonSpec) -> Result<MatchedComparisonReport> {
        Ok(matched_comparison(self, spec)?.report)
    }
}

fn read_matched_inputs(table: &CsvTable, spec: &MatchedComparisonSpec) -> Result<MatchedInputs> {
    if spec.covariates.is_empty() {
        return Err(Error::invalid_parameter(
            "covariates",
            "none",
            "at least one covariate is needed for the propensity score",
        ));
    }
    let mut roles: Vec<(&str, &str)> = vec![
        ("treatment", spec.treatment.as_str()),
        ("outcome", spec.outcome.as_str()),
    ];
    roles.extend(
        spec.covariates
            .iter()
            .map(|c| ("covariates", c.column.as_str())),
    );
    check_columns(table, &roles)?;
    for e in &spec.exact {
        table.column(e)?;
        if *e == spec.treatment || *e == spec.outcome {
            return Err(Error::invalid_parameter(
                "exact",
                e,
                "the treatment or outcome cannot be an exact-matching column",
            ));
        }
    }
    let mut used: Vec<&str> = roles.iter().map(|r| r.1).collect();
    for e in &spec.exact {
        if !used.contains(&e.as_str()) {
            used.push(e);
        }
    }
    let (kept, rows) = select_rows(table, &used)?;

    let what = "matched comparison";
    let treated = pick(table.binary(&spec.treatment)?, &kept, what)?;
    let outcome = pick(table.numeric(&spec.outcome)?, &kept, what)?;
    // The covariates are read in parallel; the first error in spec order is
    // the one reported, whatever the threads.
    let read: Vec<Result<(Covariate, CovariateUsed)>> = spec
        .covariates
        .par_iter()
        .map(|c| read_covariate(table, c, &kept))
        .collect();
    let mut covariates = Vec::with_capacity(spec.covariates.len());
    let mut covariates_used = Vec::with_capacity(spec.covariates.len());
    for r in read {
        let (cov, info) = r?;
        covariates.push(cov);
        covariates_used.push(info);
    }
    let exact: Vec<Covariate> = spec
        .exact
        .iter()
        .map(|e| {
            Ok(Covariate::categorical(
                e,
                pick(table.text(e)?, &kept, what)?,
            ))
        })
        .collect::<Result<_>>()?;
    Ok(MatchedInputs {
        source: table.source().to_string(),
        rows,
        treated,
        outcome,
        covariates,
        covariates_used,
        exact,
        row_of: kept,
    })
}

/// The typed inputs of a matched comparison, read and checked: one entry
/// per unit in each vector ([`MatchedInputs::read`] from a table; the main
/// job builds them from the per-person frame).
#[derive(Debug, Clone)]
pub struct MatchedInputs {
    /// The data's name in the report.
    pub(crate) source: String,
    /// How the units were selected from the data.
    pub(crate) rows: RowAccounting,
    /// Treated (programme) or control, per unit.
    pub(crate) treated: Vec<bool>,
    /// The outcome, per unit.
    pub(crate) outcome: Vec<f64>,
    /// The score model's covariates.
    pub(crate) covariates: Vec<Covariate>,
    /// How each covariate was read, for the report.
    pub(crate) covariates_used: Vec<CovariateUsed>,
    /// Exact-matching variables.
    pub(crate) exact: Vec<Covariate>,
    /// The 0-based data row of each unit (for the matched sets).
    pub(crate) row_of: Vec<usize>,
}

/// A matched comparison's report, with the score and the matching behind
/// it (for tables the report does not hold, such as overlap by score bin).
pub(crate) struct MatchedRun {
    /// The report.
    pub report: MatchedComparisonReport,
    /// Each unit's propensity score (probability scale).
    pub score: Vec<f64>,
    /// The matching.
    pub matching: super::matching::Matching,
}

/// The one path of every matched comparison, from typed inputs: fit the
/// score once, match, check balance, estimate the effect (the steps of
/// [`run_matched_comparison`]).
pub(crate) fn matched_comparison(
    inputs: MatchedInputs,
    spec: &MatchedComparisonSpec,
) -> Result<MatchedRun> {
    let MatchedInputs {
        source,
        rows,
        treated,
        outcome,
        covariates,
        covariates_used,
        exact,
        row_of: kept,
    } = inputs;
    check_two_groups(
        &treated,
        &spec.treatment,
        "matched comparison",
        ("0 (control)", "1 (treated)"),
    )?;
    let PropensityModel { design, mut fit } =
        PropensityModel::fit(&covariates, &treated, Link::Logit)?;
    // The score on the probability scale is the fit's fitted values (moved,
    // not copied; the linear predictor is not used here).
    let score = std::mem::take(&mut fit.fitted);
    fit.linear_predictor = Vec::new();
    let matcher = NearestNeighbour {
        ratio: spec.ratio,
        replacement: spec.replacement,
        caliper: spec.caliper,
        order: spec.order,
        rule: spec.rule,
        ..NearestNeighbour::default()
    };
    let matching = matcher.run(&score, &treated, &exact)?;

    // Matched sample (match.data): rows with positive weight, and their
    // rows of the design; the design (as large as the data) then goes.
    let m_rows: Vec<usize> = (0..kept.len())
        .filter(|&i| matching.weights.get(i).is_some_and(|w| *w > 0.0))
        .collect();
    let cols: Vec<(String, Vec<f64>)> = (1..design.ncols())
        .filter_map(|j| {
            let name = design.terms().get(j)?.name.clone();
            let col = design.column(j)?;
            Some((name, m_rows.iter().map(|&i| col[i]).collect()))
        })
        .collect();
    drop(design);
    let bal = balance(&covariates, &treated, Some(&score), Some(&matching))?;
    drop(covariates);
    let y_m: Vec<f64> = m_rows.iter().map(|&i| outcome[i]).collect();
    let t_m: Vec<bool> = m_rows.iter().map(|&i| treated[i]).collect();
    let w_m = Weights::new(m_rows.iter().map(|&i| matching.weights[i]).collect())?;
    let (clusters, variance) = match &matching.subclass {
        Some(sub) => {
            let labels: Vec<Option<usize>> = m_rows.iter().map(|&i| sub[i]).collect();
            (
                Clusters::new(&labels),
                "CR1 clustered on subclass (pair): sandwich::vcovCL(fit, cluster = ~subclass)",
            )
        }
        None => (
            Clusters::new(&m_rows),
            "HC1 (matching with replacement has no subclasses; each unit is its own cluster, \
             which equals sandwich::vcovHC(fit, type = \"HC1\"))",
        ),
    };
    let terms: Vec<Term<'_>> = cols.iter().map(|(n, v)| Term::new(n, v)).collect();
    let mut effect = did::matched_effect(
        &MatchedSample {
            outcome: &y_m,
            treated: &t_m,
            covariates: &terms,
            weights: &w_m,
            subclass: &clusters,
        },
        spec.level,
    )?;
    if matching.subclass.is_none() {
        for e in std::iter::once(&mut effect.difference_in_means)
            .chain(effect.regression_adjusted.as_mut())
        {
            e.estimator = "HC1";
            e.clusters = None;
        }
    }

    let matched_sets = matching
        .sets
        .iter()
        .map(|s| MatchedSetRow {
            treated_row: kept.get(s.treated).map_or(0, |r| r + 1),
            control_rows: s
                .controls
                .iter()
                .map(|&c| kept.get(c).map_or(0, |r| r + 1))
                .collect(),
            control_weights: s
                .controls
                .iter()
                .map(|&c| matching.weights.get(c).copied().unwrap_or(0.0))
                .collect(),
            treated_weight: matching.weights.get(s.treated).copied().unwrap_or(0.0),
            subclass: s.subclass,
        })
        .collect();
    let counts = MatchedCounts {
        treated: matching.counts.treated.into(),
        control: matching.counts.control.into(),
        matched_units: matching.counts.treated.matched + matching.counts.control.matched,
    };
    let pair_distances = matching
        .pair_distances(&score)
        .ok()
        .map(|p| PairDistanceSummary {
            pairs: p.pairs,
            max: p.max,
            mean: p.mean,
        });
    let score_model = ScoreModel {
        link: "logit".into(),
        coefficients: fit
            .coefficients
            .iter()
            .map(|c| ScoreCoefficient {
                term: c.term.name.clone(),
                estimate: c.estimate,
                std_error: c.std_error,
                z: c.z,
                p_value: c.p_value,
            })
            .collect(),
        deviance: fit.deviance,
        null_deviance: fit.null_deviance,
        aic: fit.aic,
        iterations: fit.iterations,
    };
    let settings = MatchingSettings {
        treatment: spec.treatment.clone(),
        outcome: spec.outcome.clone(),
        ratio: spec.ratio.get(),
        caliper: spec.caliper.map(|c| match c {
            Caliper::StandardDeviations(k) => format!("{k} SD"),
            Caliper::Absolute(w) => format!("{w} (absolute)"),
        }),
        caliper_width: matching.caliper_width,
        replace: spec.replacement == Replacement::With,
        exact: spec.exact.clone(),
        order: order_name(spec.order),
        score_model: "logit".into(),
        rule: spec.rule.describe().into(),
    };
    let report = MatchedComparisonReport {
        source,
        settings,
        rows,
        covariates: covariates_used,
        score_model,
        counts,
        pair_distances,
        matched_sets,
        balance: BalanceSection {
            smd_treated_sd_convention: SMD_TREATED.into(),
            smd_pooled_sd_convention: SMD_POOLED.into(),
            before: bal.before.rows.iter().map(BalanceLine::from).collect(),
            after: bal
                .after
                .map(|a| a.rows.iter().map(BalanceLine::from).collect())
                .unwrap_or_default(),
        },
        effect: EffectSection {
            outcome: spec.outcome.clone(),
            variance: variance.into(),
            difference_in_means: effect.difference_in_means,
            regression_adjusted: effect.regression_adjusted,
        },
    };
    Ok(MatchedRun {
        report,
        score,
        matching,
    })
}

fn order_name(order: MatchOrder) -> String {
    match order {
        MatchOrder::Largest => "largest".into(),
        MatchOrder::Smallest => "smallest".into(),
        MatchOrder::Data => "data".into(),
        MatchOrder::Random { seed } => format!("random (seed {seed})"),
    }
}

fn opt(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(|| "-".to_string(), |v| format!("{v:.digits$}"))
}

fn write_effect(f: &mut fmt::Formatter<'_>, label: &str, e: &EffectEstimate) -> fmt::Result {
    writeln!(
        f,
        "  {label:<24} {:>12.4}  SE {:>10.4}  t {:>8}  p {:>8}  {:.0}% CI [{:.4}, {:.4}]  ({}, n = {}{})",
        e.estimate,
        e.std_error,
        opt(e.t_value, 4),
        opt(e.p_value, 4),
        e.level * 100.0,
        e.ci.lower,
        e.ci.upper,
        e.estimator,
        e.n,
        e.clusters.map_or(String::new(), |g| format!(", {g} clusters"))
    )
}

impl fmt::Display for MatchedComparisonReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.settings;
        writeln!(f, "Matched comparison: {}", self.source)?;
        writeln!(
            f,
            "  treatment `{}`, outcome `{}`; {}:1 nearest neighbour, {} replacement, caliper {}, order {}{}",
            s.treatment,
            s.outcome,
            s.ratio,
            if s.replace { "with" } else { "without" },
            match (&s.caliper, s.caliper_width) {
                (Some(c), Some(w)) => format!("{c} = {w:.6}"),
                (Some(c), None) => c.clone(),
                _ => "none".into(),
            },
            s.order,
            if s.exact.is_empty() {
                String::new()
            } else {
                format!(", exact on {}", s.exact.join(", "))
            }
        )?;
        writeln!(
            f,
            "Rows: {} read, {} used, {} rejected (blank values)",
            self.rows.read, self.rows.used, self.rows.rejected
        )?;
        writeln!(f, "\nPropensity score (logistic regression):")?;
        writeln!(
            f,
            "  {:<20} {:>12} {:>12} {:>9} {:>9}",
            "term", "estimate", "SE", "z", "p"
        )?;
        for c in &self.score_model.coefficients {
            writeln!(
                f,
                "  {:<20} {:>12.6} {:>12.6} {:>9.4} {:>9.4}",
                c.term, c.estimate, c.std_error, c.z, c.p_value
            )?;
        }
        let c = &self.counts;
        writeln!(f, "\nSample sizes:      treated  control")?;
        writeln!(
            f,
            "  all            {:>9} {:>8}",
            c.treated.all, c.control.all
        )?;
        writeln!(
            f,
            "  matched        {:>9} {:>8}",
            c.treated.matched, c.control.matched
        )?;
        writeln!(
            f,
            "  unmatched      {:>9} {:>8}",
            c.treated.unmatched, c.control.unmatched
        )?;
        writeln!(
            f,
            "  discarded      {:>9} {:>8}",
            c.treated.discarded, c.control.discarded
        )?;
        writeln!(f, "  matched units: {}", c.matched_units)?;
        if let Some(p) = &self.pair_distances {
            writeln!(
                f,
                "  pairs {}: max |score difference| {:.6}, mean {:.6}",
                p.pairs, p.max, p.mean
            )?;
        }
        writeln!(
            f,
            "\nBalance (SMD_t: treated-SD denominator, MatchIt; SMD_p: pooled SD, cobalt):"
        )?;
        writeln!(
            f,
            "  {:<16} {:>9} {:>9} {:>9} {:>9} | {:>9} {:>9} {:>9} {:>9}",
            "variable",
            "SMD_t pre",
            "SMD_p pre",
            "VR pre",
            "eCDF pre",
            "SMD_t",
            "SMD_p",
            "VR",
            "eCDF"
        )?;
        for b in &self.balance.before {
            let a = self.balance.after.iter().find(|a| a.variable == b.variable);
            writeln!(
                f,
                "  {:<16} {:>9} {:>9} {:>9} {:>9} | {:>9} {:>9} {:>9} {:>9}",
                b.variable,
                opt(b.smd_treated_sd, 4),
                opt(b.smd_pooled_sd, 4),
                opt(b.variance_ratio, 4),
                opt(b.ecdf_max, 4),
                opt(a.and_then(|a| a.smd_treated_sd), 4),
                opt(a.and_then(|a| a.smd_pooled_sd), 4),
                opt(a.and_then(|a| a.variance_ratio), 4),
                opt(a.and_then(|a| a.ecdf_max), 4),
            )?;
        }
        writeln!(
            f,
            "\nEffect on the treated, outcome `{}` ({}):",
            self.effect.outcome, self.effect.variance
        )?;
        write_effect(f, "difference in means", &self.effect.difference_in_means)?;
        if let Some(r) = &self.effect.regression_adjusted {
            write_effect(f, "regression-adjusted", r)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Difference in differences
// ---------------------------------------------------------------------------

/// What to compute in [`run_did`].
#[derive(Debug, Clone, PartialEq)]
pub struct DidSpec {
    /// Unit identifier column (text; never shown in messages).
    pub unit: String,
    /// Time-period column (text labels).
    pub time: String,
    /// 0/1 or true/false: the unit is in the treated group (constant within unit).
    pub treated: String,
    /// 0/1 or true/false: the period is after treatment (constant within period).
    pub post: String,
    /// Numeric outcome column.
    pub outcome: String,
    /// Cluster column for the cluster-robust SE; `None` clusters on `unit`.
    pub cluster: Option<String>,
    /// Confidence level of the intervals.
    pub level: ConfidenceLevel,
}

impl DidSpec {
    /// A spec clustering on the unit, with 95 % intervals.
    pub fn new(
        unit: impl Into<String>,
        time: impl Into<String>,
        treated: impl Into<String>,
        post: impl Into<String>,
        outcome: impl Into<String>,
    ) -> Self {
        DidSpec {
            unit: unit.into(),
            time: time.into(),
            treated: treated.into(),
            post: post.into(),
            outcome: outcome.into(),
            cluster: None,
            level: ConfidenceLevel::NINETY_FIVE,
        }
    }
}

/// Observations in one time period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodObservations {
    /// The period's label.
    pub time: String,
    /// Whether it is a post-treatment period.
    pub post: bool,
    /// Treated-group observations.
    pub treated: usize,
    /// Comparison-group observations.
    pub control: usize,
}

/// The columns used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DidColumns {
    /// Unit column.
    pub unit: String,
    /// Time column.
    pub time: String,
    /// Treated-group column.
    pub treated: String,
    /// Post-period column.
    pub post: String,
    /// Outcome column.
    pub outcome: String,
    /// Column clustered on (the unit column unless another was given).
    pub cluster: String,
}

/// Everything [`run_did`] computes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DidReport {
    /// The input file.
    pub source: String,
    /// Columns used.
    pub columns: DidColumns,
    /// Rows read, used and rejected.
    pub rows: RowAccounting,
    /// Distinct units among the used rows.
    pub units: usize,
    /// Treated-group units.
    pub treated_units: usize,
    /// Periods, in order (numeric if every label is a number, else text).
    pub periods: Vec<PeriodObservations>,
    /// The four cell means and the DiD from them.
    pub cells: DidCells,
    /// `lm(y ~ treat * post)`: the interaction with iid, HC1 and CR1 SEs.
    pub regression: DidRegression,
}

/// The 2×2 difference in differences: cell means (Card & Krueger 1994 Table 3
/// rows 1–3; [`did::did_cell_means`]) and `lm(y ~ treat * post)` with
/// classical, HC1 and CR1 (`sandwich::vcovCL(cluster = ~cluster)`) standard
/// errors ([`did::did_regression`]).
///
/// Every row with non-blank values is used (unbalanced panels and repeated
/// cross-sections alike). Rows with a blank in a used column are rejected and
/// listed in [`DidReport::rows`].
///
/// # Errors
/// * [`Error::missing_column`] for a column not in the file;
/// * [`Error::invalid_parameter`] if a column has two roles;
/// * [`Error::invalid_value`] for a non-numeric outcome, a treated/post value
///   other than 0/1/true/false, a unit with two rows for one period, a unit
///   whose treated value changes, or a period whose post value differs between
///   rows (the row is named; a unit identifier never is);
/// * [`Error::insufficient_data`] if every row is rejected, treated or post is
///   constant, a cell is empty, or there are fewer than 2 clusters.
pub fn run_did(table: &CsvTable, spec: &DidSpec) -> Result<DidReport> {
    let mut roles: Vec<(&str, &str)> = vec![
        ("unit", spec.unit.as_str()),
        ("time", spec.time.as_str()),
        ("treated", spec.treated.as_str()),
        ("post", spec.post.as_str()),
        ("outcome", spec.outcome.as_str()),
    ];
    let cluster_col = spec.cluster.as_deref().unwrap_or(&spec.unit);
    if cluster_col != spec.unit {
        roles.push(("cluster", cluster_col));
    }
    check_columns(table, &roles)?;
    let used: Vec<&str> = roles.iter().map(|r| r.1).collect();
    let (kept, rows) = select_rows(table, &used)?;
    let what = "difference in differences";
    let unit = pick(table.text(&spec.unit)?, &kept, what)?;
    let time = pick(table.text(&spec.time)?, &kept, what)?;
    let treated = pick(table.binary(&spec.treated)?, &kept, what)?;
    let post = pick(table.binary(&spec.post)?, &kept, what)?;
    let outcome = pick(table.numeric(&spec.outcome)?, &kept, what)?;
    let cluster = pick(table.text(cluster_col)?, &kept, what)?;
    check_two_groups(
        &treated,
        &spec.treated,
        what,
        ("0 (comparison)", "1 (treated)"),
    )?;
    check_two_groups(&post, &spec.post, what, ("0 (pre)", "1 (post)"))?;

    let row = |k: usize| kept.get(k).map_or(0, |r| r + 1);
    // One row per unit and period; treated constant within unit.
    let mut unit_first: HashMap<&str, usize> = HashMap::new();
    let mut unit_time: HashMap<(&str, &str), usize> = HashMap::new();
    for k in 0..kept.len() {
        let u = unit[k].as_str();
        if let Some(&first) = unit_first.get(u) {
            if treated[first] != treated[k] {
                return Err(Error::invalid_value(
                    table.location(kept[k], &spec.treated),
                    u8::from(treated[k]).to_string(),
                    format!(
                        "differs from row {} of the same unit; the treated group must be constant within a unit",
                        row(first)
                    ),
                ));
            }
        } else {
            unit_first.insert(u, k);
        }
        if let Some(&prev) = unit_time.get(&(u, time[k].as_str())) {
            return Err(Error::invalid_value(
                table.location(kept[k], &spec.time),
                time[k].clone(),
                format!(
                    "the same unit already has a row for this period (row {}); one row per unit and period",
                    row(prev)
                ),
            ));
        }
        unit_time.insert((u, time[k].as_str()), k);
    }
    // Post constant within period.
    let mut periods: BTreeMap<&str, (usize, PeriodObservations)> = BTreeMap::new();
    for k in 0..kept.len() {
        let entry = periods.entry(time[k].as_str()).or_insert((
            k,
            PeriodObservations {
                time: time[k].clone(),
                post: post[k],
                treated: 0,
                control: 0,
            },
        ));
        if entry.1.post != post[k] {
            return Err(Error::invalid_value(
                table.location(kept[k], &spec.post),
                u8::from(post[k]).to_string(),
                format!(
                    "differs from row {} of the same period `{}`; post must be constant within a period",
                    row(entry.0),
                    time[k]
                ),
            ));
        }
        if treated[k] {
            entry.1.treated += 1;
        } else {
            entry.1.control += 1;
        }
    }
    let mut periods: Vec<PeriodObservations> = periods.into_values().map(|p| p.1).collect();
    if periods.iter().all(|p| p.time.parse::<f64>().is_ok()) {
        periods.sort_by(|a, b| {
            let x = a.time.parse::<f64>().unwrap_or(0.0);
            let y = b.time.parse::<f64>().unwrap_or(0.0);
            x.total_cmp(&y)
        });
    }
    let treated_units = unit_first.values().filter(|&&k| treated[k]).count();

    let cells = did::did_cell_means(&outcome, &treated, &post)?;
    let clusters = Clusters::new(&cluster);
    let regression = did::did_regression(&outcome, &treated, &post, Some(&clusters), spec.level)?;
    Ok(DidReport {
        source: table.source().to_string(),
        columns: DidColumns {
            unit: spec.unit.clone(),
            time: spec.time.clone(),
            treated: spec.treated.clone(),
            post: spec.post.clone(),
            outcome: spec.outcome.clone(),
            cluster: cluster_col.to_string(),
        },
        rows,
        units: unit_first.len(),
        treated_units,
        periods,
        cells,
        regression,
    })
}

impl fmt::Display for DidReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.columns;
        writeln!(f, "Difference in differences: {}", self.source)?;
        writeln!(
            f,
            "  outcome `{}`, treated `{}`, post `{}`, unit `{}`, time `{}`",
            c.outcome, c.treated, c.post, c.unit, c.time
        )?;
        writeln!(
            f,
            "Rows: {} read, {} used, {} rejected (blank values); {} units ({} treated)",
            self.rows.read, self.rows.used, self.rows.rejected, self.units, self.treated_units
        )?;
        writeln!(f, "Periods:")?;
        for p in &self.periods {
            writeln!(
                f,
                "  {:<12} {:<4}  treated {:>6}  comparison {:>6}",
                p.time,
                if p.post { "post" } else { "pre" },
                p.treated,
                p.control
            )?;
        }
        let m = &self.cells;
        let cell =
            |x: &did::CellMean| format!("{:>10.4} ({}, n = {})", x.mean, opt(x.std_error, 4), x.n);
        writeln!(f, "\nCell means (SE, n):    pre                         post                        change")?;
        writeln!(
            f,
            "  treated      {}  {}  {:>10.4}",
            cell(&m.treated_pre),
            cell(&m.treated_post),
            m.treated_change
        )?;
        writeln!(
            f,
            "  comparison   {}  {}  {:>10.4}",
            cell(&m.control_pre),
            cell(&m.control_post),
            m.control_change
        )?;
        writeln!(f, "  difference in differences: {:.4}", m.did)?;
        writeln!(
            f,
            "\nRegression y ~ treat * post (coefficient on treat:post):"
        )?;
        write_effect(f, "iid (classical)", &self.regression.classical)?;
        write_effect(f, "HC1", &self.regression.hc1)?;
        if let Some(cl) = &self.regression.cluster {
            write_effect(f, &format!("CR1 by `{}`", c.cluster), cl)?;
        }
        Ok(())
    }
}

/// Writes `report` as pretty-printed JSON to `path`.
///
/// # Errors
/// [`Error::io`] if the file cannot be written.
pub fn write_json<T: Serialize>(report: &T, path: &Path) -> Result<()> {
    let text = serde_json::to_string_pretty(report).map_err(|e| {
        Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
        )
    })?;
    std::fs::write(path, text + "\n").map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An identifier is never echoed once its column is declared, in any
    /// column; undeclared, the bad value is shown as usual.
    #[test]
    fn cells_are_the_fields_as_read() {
        let text = "a,b\n1,\n\" x \",\"q,\"\"r\"\"\"\n,3\n";
        let t = CsvTable::from_reader("t.csv", text.as_bytes()).unwrap();
        let a = t.column("a").unwrap();
        assert_eq!(a.len(), 3);
        assert!(!a.is_empty());
        assert_eq!(a.to_vec(), vec!["1", " x ", ""]);
        let b = t.column("b").unwrap();
        assert_eq!(b.iter().collect::<Vec<_>>(), vec!["", "q,\"r\"", "3"]);
        assert_eq!(b.get(1), Some("q,\"r\""));
        assert_eq!(b.get(3), None);
        assert_eq!(t.blanks("b").unwrap(), vec![true, false, false]);
        assert_eq!(t.text("a").unwrap()[1].as_deref(), Some("x"));
    }

    #[test]
    fn declared_identifiers_are_never_echoed() {
        let text = "id,x\nP-1,1\nP-2,P-1\n";
        let t = CsvTable::from_reader("t.csv", text.as_bytes()).unwrap();
        let e = t.numeric("x").unwrap_err().to_string();
        assert!(e.contains("P-1") && e.contains("row 2"), "{e}");
        let mut t = t;
        t.declare_identifiers(&["id".to_string()]).unwrap();
        let e = t.numeric("x").unwrap_err().to_string();
        assert!(!e.contains("P-1") && e.contains(crate::io::REDACTED), "{e}");
        let e = t.numeric("id").unwrap_err().to_string();
        assert!(!e.contains("P-1") && !e.contains("P-2"), "{e}");
        assert!(t.declare_identifiers(&["nope".to_string()]).is_err());
        // A repeated first-row name is not echoed (it may be data).
        let e = CsvTable::from_reader("u.csv", "P-9,P-9\n1,2\n".as_bytes())
            .unwrap_err()
            .to_string();
        assert!(!e.contains("P-9"), "{e}");
    }

    fn table(text: &str) -> Result<CsvTable> {
        CsvTable::from_reader("t.csv", text.as_bytes())
    }

    #[test]
    fn csv_errors_name_file_row_column_value() {
        let t = table("id,x,t\na,1,0\nb,zz,1\n").unwrap();
        let e = t.numeric("x").unwrap_err().to_string();
        assert!(
            e.contains("t.csv") && e.contains("row 2") && e.contains("`x`") && e.contains("zz"),
            "{e}"
        );
        // A column that is not in the first row: the row is not echoed, as it
        // may be data (a file without a header row), never names.
        let e = t.numeric("nope").unwrap_err().to_string();
        assert!(
            e.contains("t.csv") && e.contains("nope") && e.contains("not a header"),
            "{e}"
        );
        assert!(!e.contains("id, x, t"), "{e}");
        let e = table("a,b,a\n1,2,3\n").unwrap_err().to_string();
        assert!(e.contains("more than once"), "{e}");
        let e = table("a,b\n1,2\n3\n").unwrap_err().to_string();
        assert!(e.contains("row 2") && e.contains("1 fields"), "{e}");
        assert!(table("a,b\n").is_err());
        assert!(table("").is_err());
        let t = table("t\n1\nTRUE\nfalse\n0\n\n2\n").unwrap();
        let e = t.binary("t").unwrap_err().to_string();
        assert!(e.contains("row 5") && e.contains("0/1"), "{e}");
    }

    fn small_matching_csv() -> String {
        let mut s = String::from("person,treat,age,area,y\n");
        let ages = [23, 47, 45, 27, 52, 38, 29, 41, 26, 60, 33, 36, 44, 31];
        let treat = [1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0];
        let area = [
            "n", "s", "s", "n", "s", "n", "n", "s", "n", "s", "s", "n", "s", "n",
        ];
        for i in 0..ages.len() {
            let y = 10.0 + 0.3 * f64::from(ages[i]) + 2.0 * f64::from(treat[i]) + (i % 3) as f64;
            s.push_str(&format!(
                "P{i:03},{},{},{},{y}\n",
                treat[i], ages[i], area[i]
            ));
        }
        s.push_str("P900,1,,n,3\nP901,0,30,s,\n");
        s
    }

    #[test]
    fn matched_comparison_counts_rejections_and_detects_kinds() {
        let t = table(&small_matching_csv()).unwrap();
        let spec = MatchedComparisonSpec::new("treat", &["age", "area"], "y");
        let r = run_matched_comparison(&t, &spec).unwrap();
        assert_eq!(r.rows.read, 16);
        assert_eq!(r.rows.used, 14);
        assert_eq!(r.rows.rejected_rows[0].row, 15);
        assert_eq!(r.rows.rejected_rows[0].blank_columns, vec!["age"]);
        assert_eq!(r.rows.rejected_rows[1].blank_columns, vec!["y"]);
        assert_eq!(r.covariates[0].kind, "numeric");
        assert_eq!(r.covariates[1].kind, "categorical");
        assert_eq!(r.counts.treated.matched, 5);
        assert_eq!(r.counts.matched_units, 10);
        for s in &r.matched_sets {
            assert_eq!(s.control_rows.len(), 1);
            assert!(s.treated_row <= 14);
        }
        assert_eq!(r.effect.difference_in_means.estimator, "CR1");
        assert_eq!(r.effect.difference_in_means.clusters, Some(5));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["counts"]["matched_units"], 10);
        assert!(r.to_string().contains("regression-adjusted"));
    }

    #[test]
    fn matched_comparison_errors_do_not_echo_identifiers() {
        let t = table(&small_matching_csv()).unwrap();
        let spec = MatchedComparisonSpec::new("treat", &["person"], "y");
        let e = run_matched_comparison(&t, &spec).unwrap_err().to_string();
        assert!(e.contains("identifier") && !e.contains("P00"), "{e}");
        let spec = MatchedComparisonSpec::new("treat", &["age", "treat"], "y");
        assert!(run_matched_comparison(&t, &spec)
            .unwrap_err()
            .to_string()
            .contains("one role"));
        let spec = MatchedComparisonSpec::new("age", &["area"], "y");
        let e = run_matched_comparison(&t, &spec).unwrap_err().to_string();
        assert!(
            e.contains("row 1") && e.contains("`age`") && e.contains("0/1"),
            "{e}"
        );
        let t2 = table("t,x,y\n1,1,2\n1,2,3\n1,3,4\n").unwrap();
        let e = run_matched_comparison(&t2, &MatchedComparisonSpec::new("t", &["x"], "y"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("constant"), "{e}");
    }

    #[test]
    fn replacement_gives_hc1() {
        let t = table(&small_matching_csv()).unwrap();
        let mut spec = MatchedComparisonSpec::new("treat", &["age"], "y");
        spec.replacement = Replacement::With;
        let r = run_matched_comparison(&t, &spec).unwrap();
        let e = &r.effect.difference_in_means;
        assert_eq!(e.estimator, "HC1");
        // Check against HC1 of the same weighted fit, computed directly.
        let rows: Vec<usize> = r
            .matched_sets
            .iter()
            .flat_map(|s| std::iter::once(s.treated_row).chain(s.control_rows.iter().copied()))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let y = t.numeric("y").unwrap();
        let tr = t.binary("treat").unwrap();
        let mut w = vec![0.0; t.nrows()];
        for s in &r.matched_sets {
            if !s.control_rows.is_empty() {
                w[s.treated_row - 1] = 1.0;
            }
            for (c, cw) in s.control_rows.iter().zip(&s.control_weights) {
                w[c - 1] = *cw;
            }
        }
        let yy: Vec<f64> = rows.iter().map(|&r| y[r - 1].unwrap()).collect();
        let tt: Vec<f64> = rows
            .iter()
            .map(|&r| f64::from(u8::from(tr[r - 1].unwrap())))
            .collect();
        let ww = Weights::new(rows.iter().map(|&r| w[r - 1]).collect()).unwrap();
        let fit = crate::stats::ols::fit_ols(
            &yy,
            &[Term::new("treat", &tt)],
            crate::stats::ols::Intercept::Included,
            Some(&ww),
        )
        .unwrap();
        let tab = fit
            .table(
                &crate::stats::ols::Variance::Hc1,
                ConfidenceLevel::NINETY_FIVE,
            )
            .unwrap();
        let c = tab.get("treat").unwrap();
        assert!((c.estimate - e.estimate).abs() < 1e-10);
        assert!((c.std_error - e.std_error).abs() < 1e-10 * c.std_error.max(1.0));
    }

    fn panel_csv() -> String {
        // 6 units × 2 periods; units u0..u2 treated.
        let mut s = String::from("unit,year,nj,after,y,region\n");
        let base = [10.0, 12.0, 11.0, 9.0, 13.0, 8.0];
        for (u, b) in base.iter().enumerate() {
            for (p, year) in [(0, 1992), (1, 1993)] {
                let treated = u < 3;
                let y = b
                    + 1.5 * f64::from(p)
                    + if treated && p == 1 {
                        2.0 + u as f64 * 0.1
                    } else {
                        0.0
                    };
                s.push_str(&format!(
                    "S{u},{year},{},{p},{y},r{}\n",
                    u8::from(treated),
                    u % 2
                ));
            }
        }
        s
    }

    #[test]
    fn did_report_and_checks() {
        let t = table(&panel_csv()).unwrap();
        let spec = DidSpec::new("unit", "year", "nj", "after", "y");
        let r = run_did(&t, &spec).unwrap();
        assert!((r.cells.did - 2.1).abs() < 1e-12);
        assert!((r.regression.classical.estimate - 2.1).abs() < 1e-10);
        assert_eq!(r.units, 6);
        assert_eq!(r.treated_units, 3);
        assert_eq!(r.periods.len(), 2);
        assert_eq!(r.regression.cluster.as_ref().unwrap().clusters, Some(6));
        assert_eq!(r.columns.cluster, "unit");
        let mut spec2 = spec.clone();
        spec2.cluster = Some("region".into());
        let r2 = run_did(&t, &spec2).unwrap();
        assert_eq!(r2.regression.cluster.as_ref().unwrap().clusters, Some(2));
        assert!(r.to_string().contains("difference in differences: 2.1000"));

        // Duplicate unit-period, without echoing the unit.
        let dup = panel_csv() + "S1,1993,1,1,5,r1\n";
        let e = run_did(&table(&dup).unwrap(), &spec)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("row 13") && e.contains("row 4") && !e.contains("S1"),
            "{e}"
        );
        // Treated changes within a unit.
        let bad = panel_csv().replace("S2,1993,1", "S2,1993,0");
        let e = run_did(&table(&bad).unwrap(), &spec)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("constant within a unit") && !e.contains("S2"),
            "{e}"
        );
        // Post differs within a period.
        let bad = panel_csv().replacen("1993,1,1", "1993,1,0", 1);
        let e = run_did(&table(&bad).unwrap(), &spec)
            .unwrap_err()
            .to_string();
        assert!(e.contains("constant within a period"), "{e}");
        // Blank outcome: rejected and counted.
        let blank = panel_csv().replacen("S0,1992,1,0,10", "S0,1992,1,0,", 1);
        let r = run_did(&table(&blank).unwrap(), &spec).unwrap();
        assert_eq!(r.rows.rejected, 1);
        assert_eq!(r.rows.rejected_rows[0].row, 1);
    }

    proptest::proptest! {
        #[test]
        fn csv_reader_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let _ = CsvTable::from_reader("p.csv", bytes.as_slice());
        }

        #[test]
        fn reports_never_panic_and_conserve_rows(
            rows in proptest::collection::vec((0u8..4, proptest::option::of(-5i8..5), 0u8..3, -50i16..50, 0u8..3), 1..40),
        ) {
            let mut csv = String::from("t,x,g,y,p\n");
            for (i, (t, x, g, y, p)) in rows.iter().enumerate() {
                let t = ["0", "1", "", "true"][*t as usize];
                let x = x.map_or(String::new(), |v| v.to_string());
                csv.push_str(&format!("{t},{x},g{g},{y},{}\n", if *p == 2 { i % 2 } else { usize::from(*p) }));
            }
            let table = table(&csv).unwrap();
            let spec = MatchedComparisonSpec::new("t", &["x", "g"], "y");
            if let Ok(r) = run_matched_comparison(&table, &spec) {
                proptest::prop_assert_eq!(r.rows.used + r.rows.rejected, r.rows.read);
                proptest::prop_assert_eq!(r.counts.matched_units, r.counts.treated.matched + r.counts.control.matched);
                proptest::prop_assert!(r.effect.difference_in_means.std_error.is_finite());
            }
            for (unit, time) in [("g", "x"), ("x", "g")] {
                if let Ok(r) = run_did(&table, &DidSpec::new(unit, time, "t", "p", "y")) {
                    proptest::prop_assert_eq!(r.rows.used + r.rows.rejected, r.rows.read);
                    proptest::prop_assert!(r.cells.did.is_finite());
                }
            }
        }
    }
}
