//! `outcomes match`: propensity-score matched comparison of a CSV file.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use outcomes::compare::report::{
    write_json, CovariateKind, CovariateSpec, CsvTable, MatchedComparisonSpec, MatchedInputs,
};
use outcomes::compare::{Caliper, MatchOrder, NeighbourRule, Ratio, Replacement};
use outcomes::{Error, Result};

use crate::common::{self, Done};
use crate::progress::Reporter;
use crate::sample;

/// Matched comparison: a logistic propensity score, nearest-neighbour
/// matching (MatchIt `method = "nearest"`), balance before and after, and
/// the effect on the treated with pair-clustered standard errors.
///
/// With no `--data` it runs on the bundled sample cohort: programme against
/// comparison, matched on age, sex, area, prior arrests and A&E use before
/// the start, with A&E attendances per quarter after the start as the
/// outcome.
///
/// Example: outcomes match --data lalonde.csv --treatment treat
/// --covariates age,educ,race,married,nodegree,re74,re75 --outcome re78
#[derive(Debug, Args)]
pub(crate) struct MatchCmd {
    /// The CSV file, one row per unit, with a header row.
    #[arg(long, value_name = "FILE", requires_all = ["treatment", "covariates", "outcome"])]
    data: Option<PathBuf>,
    /// The 0/1 (or true/false) treatment column: 1 = treated.
    #[arg(long, value_name = "COL", requires = "data")]
    treatment: Option<String>,
    /// Covariates of the score model, comma-separated; `NAME:numeric` or
    /// `NAME:categorical` declares a kind, otherwise it is detected.
    #[arg(long, value_name = "A,B,...", value_delimiter = ',', requires = "data")]
    covariates: Vec<String>,
    /// The numeric outcome column.
    #[arg(long, value_name = "COL", requires = "data")]
    outcome: Option<String>,
    /// Controls per treated unit.
    #[arg(long, value_name = "K", default_value_t = 1)]
    ratio: usize,
    /// Caliper in standard deviations of the score (MatchIt `std.caliper`).
    #[arg(long, value_name = "SD")]
    caliper: Option<f64>,
    /// Match with replacement (a control may be used more than once).
    #[arg(long)]
    replace: bool,
    /// Columns on which matches must agree exactly, comma-separated.
    #[arg(long, value_name = "COLS", value_delimiter = ',')]
    exact: Vec<String>,
    /// The order in which treated units choose their controls.
    #[arg(long, value_enum, default_value_t = OrderArg::Largest)]
    order: OrderArg,
    /// How a control is chosen among equally near ones (the spec's
    /// `comparison.tie_rule`).
    #[arg(long, value_enum, default_value_t = TieArg::SortedNeighbour)]
    tie_rule: TieArg,
    /// Identifier columns, comma-separated: never analysed, and no message
    /// shows one of their values.
    #[arg(long = "id", value_name = "COLS", value_delimiter = ',')]
    identifiers: Vec<String>,
    /// Print the report as JSON (with the matched sets) instead of text.
    #[arg(long)]
    json: bool,
    /// Also write the JSON report to this file.
    #[arg(long, value_name = "FILE")]
    json_out: Option<PathBuf>,
}

/// `--order`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OrderArg {
    /// Highest score first (MatchIt's default).
    Largest,
    /// Lowest score first.
    Smallest,
    /// In the order of the file's rows.
    Data,
}

/// `--tie-rule`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TieArg {
    /// MatchIt 4.5.4 and later: the lower-score neighbour in score order.
    SortedNeighbour,
    /// MatchIt before 4.5.1: the first control in data order.
    DataOrder,
    /// MatchIt 4.5.1 as released (integer-truncated distances), to reproduce it only.
    #[value(name = "matchit-4-5-1")]
    MatchIt451,
}

/// The covariate list as the library's specs.
///
/// # Errors
/// An unknown `:kind` or an empty name.
fn covariate_specs(list: &[String]) -> Result<Vec<CovariateSpec>> {
    list.iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .map(|c| match c.rsplit_once(':') {
            Some((name, kind)) => {
                let kind = match kind {
                    "numeric" => CovariateKind::Numeric,
                    "categorical" => CovariateKind::Categorical,
                    _ => {
                        return Err(Error::invalid_parameter(
                            "--covariates",
                            c,
                            format!("unknown kind `{kind}`; use :numeric or :categorical"),
                        ))
                    }
                };
                Ok(CovariateSpec {
                    column: name.to_string(),
                    kind,
                })
            }
            None => Ok(CovariateSpec::auto(c)),
        })
        .collect()
}

impl MatchCmd {
    /// The library spec these options describe (treatment, covariates and
    /// outcome as given, or the bundled sample's).
    ///
    /// # Errors
    /// A bad covariate kind, ratio or caliper.
    pub(crate) fn spec(&self) -> Result<MatchedComparisonSpec> {
        let mut spec = match (&self.treatment, &self.outcome) {
            (Some(t), Some(o)) => {
                let covariates = covariate_specs(&self.covariates)?;
                if covariates.is_empty() {
                    return Err(Error::invalid_parameter(
                        "--covariates",
                        "empty",
                        "needs at least one column",
                    ));
                }
                MatchedComparisonSpec {
                    covariates,
                    ..MatchedComparisonSpec::new(t.trim(), &[], o.trim())
                }
            }
            _ => MatchedComparisonSpec::new(
                "treated",
                &["age", "sex", "area", "prior_arrests", "ae_before"],
                "ae_after",
            ),
        };
        spec.ratio = Ratio::new(self.ratio)?;
        if let Some(w) = self.caliper {
            spec.caliper = Some(Caliper::standard_deviations(w)?);
        }
        if self.replace {
            spec.replacement = Replacement::With;
        }
        spec.exact = self.exact.iter().map(|s| s.trim().to_string()).collect();
        spec.order = match self.order {
            OrderArg::Largest => MatchOrder::Largest,
            OrderArg::Smallest => MatchOrder::Smallest,
            OrderArg::Data => MatchOrder::Data,
        };
        spec.rule = match self.tie_rule {
            TieArg::SortedNeighbour => NeighbourRule::SortedNeighbour,
            TieArg::DataOrder => NeighbourRule::DataOrder,
            TieArg::MatchIt451 => NeighbourRule::MatchIt451,
        };
        Ok(spec)
    }
}

/// Run `match`.
///
/// # Errors
/// An unreadable file, a missing column (naming the file's columns), a bad
/// value (file, row, column; identifiers redacted), too few units.
pub(crate) fn run(cmd: &MatchCmd, r: &Reporter) -> Result<Done> {
    let spec = cmd.spec()?;
    let (table, preface) = match &cmd.data {
        Some(path) => {
            r.stage(&format!("reading {}", path.display()));
            let mut t = CsvTable::from_path(path)?;
            t.declare_identifiers(&cmd.identifiers)?;
            (t, String::new())
        }
        None => {
            let (t, left_out) = sample::person_table(r)?;
            let n = t.nrows();
            (
                t,
                format!(
                    "Sample cohort: {n} people ({left_out} left out as observed for under half \
                     of a window)\n\n"
                ),
            )
        }
    };
    r.stage(&format!(
        "propensity score and matching ({} rows)",
        table.nrows()
    ));
    // The typed inputs hold what the comparison needs; the table (at scale
    // the largest object) goes before the fit.
    let inputs = MatchedInputs::read(&table, &spec)?;
    drop(table);
    let report = inputs.run(&spec)?;
    if let Some(p) = &cmd.json_out {
        write_json(&report, p)?;
    }
    let text = if cmd.json {
        common::json(&report)?
    } else {
        format!("{preface}{report}")
    };
    Ok(Done::ok(text))
}
