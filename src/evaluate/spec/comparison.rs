//! The comparison designs of the spec: `[comparison]` (the matched
//! comparison and its estimators) and `[did]` (the 2×2 design, the event
//! study and staggered starts).

use super::*;

/// The matched comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComparisonSpec {
    /// Cohort covariate columns of the propensity score, each `name`,
    /// `name:numeric` (a value that is not a number rejects its cohort row)
    /// or `name:categorical` (each distinct value a level). An undeclared
    /// covariate is numeric when every value is a number and categorical
    /// when none is; one holding both is an error asking for a declaration.
    pub covariates: Vec<String>,
    /// Outcome: a service-use category code (use per quarter in the after
    /// window) or `"total_cost"` (cost in the after window; needs `[costs]`).
    #[serde(default = "ae")]
    pub outcome: String,
    /// Controls per treated person (default 1).
    #[serde(default = "one")]
    pub ratio: usize,
    /// Caliper in standard deviations of the score (default none).
    #[serde(default)]
    pub caliper_sd: Option<f64>,
    /// Match with replacement (default false).
    #[serde(default)]
    pub replace: bool,
    /// Number of equal-width score bins in the overlap table (default 10).
    #[serde(default = "ten")]
    pub overlap_bins: usize,
    /// The estimators of the effect on the treated reported side by side
    /// (default: all four).
    #[serde(default = "all_estimators")]
    pub estimators: Vec<Estimator>,
    /// Cohort columns on which a programme member and their controls must
    /// agree exactly (MatchIt's `exact =`; default none). Each is compared
    /// as text and need not be a covariate of the score.
    #[serde(default)]
    pub exact: Vec<String>,
    /// The order in which programme members choose their controls
    /// (MatchIt's `m.order`; default `largest`).
    #[serde(default)]
    pub order: MatchOrderSpec,
    /// How a control is chosen among equally near ones (default
    /// `sorted_neighbour`, MatchIt 4.5.4 and later).
    #[serde(default)]
    pub tie_rule: TieRule,
}

/// `comparison.order`: MatchIt's `m.order`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchOrderSpec {
    /// Highest propensity score first (MatchIt's default for the ATT).
    #[default]
    Largest,
    /// Lowest score first.
    Smallest,
    /// Cohort-file order.
    Data,
    /// A random order drawn with the spec's `seed` (the crate's generator:
    /// not R's `sample()` stream).
    Random,
}

/// `comparison.tie_rule`: how a control is chosen among equally near ones
/// (`crate::compare::NeighbourRule`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TieRule {
    /// MatchIt 4.5.4 and later: units sorted by score (ties in data order),
    /// the nearer of the nearest control on each side, the lower-score one
    /// when both are equally near.
    #[default]
    SortedNeighbour,
    /// MatchIt before 4.5.1: the nearest control, ties to the first in data
    /// order.
    DataOrder,
    /// MatchIt 4.5.1 as released, to reproduce its output only: score
    /// differences truncated to integers before they are compared (upstream
    /// issue #163), so on the probability scale every control is "equally
    /// near" and a caliper below 1 excludes no one.
    #[serde(rename = "matchit_4_5_1")]
    MatchIt451,
}

impl TieRule {
    /// The library's rule.
    pub fn rule(self) -> crate::compare::NeighbourRule {
        use crate::compare::NeighbourRule as R;
        match self {
            TieRule::SortedNeighbour => R::SortedNeighbour,
            TieRule::DataOrder => R::DataOrder,
            TieRule::MatchIt451 => R::MatchIt451,
        }
    }
}

/// `[did]`: difference in differences on person-level outcomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DidDesignSpec {
    /// Outcomes of the 2×2 design (before and after window × programme and
    /// comparison): service-use category codes (use per quarter of observed
    /// time in each window), `total_cost` (cost in each window, people
    /// observed for the whole of both; needs `[costs]`), `ndt_total` or
    /// `ndt_<item>` (e.g. `ndt_housing`: NDT baseline and follow-up; needs
    /// `[data.ndt]`). Default: the comparison's outcome.
    #[serde(default)]
    pub outcomes: Option<Vec<String>>,
    /// `matched` (default: the matched comparison's sample, with its
    /// matching weights; needs `[comparison]`; the staggered design needs it
    /// unweighted, 1:1 without replacement) or `all` (everyone in the
    /// programme and comparison groups with the outcome).
    #[serde(default)]
    pub sample: DidSample,
    /// The event study (omit to skip it).
    #[serde(default)]
    pub event_study: Option<EventStudySpec>,
    /// Staggered starts, Callaway & Sant'Anna (omit to skip it).
    #[serde(default)]
    pub staggered: Option<StaggeredSpec>,
}

/// `did.sample`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DidSample {
    /// The matched comparison's matched sample.
    #[default]
    Matched,
    /// Everyone in the two groups with the outcome.
    All,
}

/// `[did.event_study]`: periods relative to each person's start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventStudySpec {
    /// A service-use category code: events per period.
    pub outcome: String,
    /// Length of each period in months (default 3); it must divide both
    /// `windows.months_before` and `windows.months_after`.
    #[serde(default = "three_months")]
    pub period_months: u32,
}

/// `[did.staggered]`: calendar periods from `data_window.start`; a
/// programme member's cohort is the period of their start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaggeredSpec {
    /// A service-use category code: events per period.
    pub outcome: String,
    /// Length of each calendar period in months (default 6).
    #[serde(default = "six_months")]
    pub period_months: u32,
    /// `never_treated` (default: the comparison group) or `not_yet_treated`
    /// (also programme members who start after the period compared).
    #[serde(default)]
    pub comparison_group: StaggeredComparison,
    /// `varying` (default) or `universal` base period (did's `base_period`).
    #[serde(default)]
    pub base_period: StaggeredBase,
    /// Aggregations of the ATT(g, t) reported (default all three):
    /// `simple`, `group`, `dynamic`.
    #[serde(default = "all_aggregations")]
    pub aggregations: Vec<StaggeredAggregation>,
}

/// `did.staggered.comparison_group` (did's `control_group`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaggeredComparison {
    /// Never-treated units only.
    #[default]
    NeverTreated,
    /// Never-treated and not-yet-treated units.
    NotYetTreated,
}

/// `did.staggered.base_period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaggeredBase {
    /// The period just before `t` before treatment, `g − 1` after.
    #[default]
    Varying,
    /// Always `g − 1`.
    Universal,
}

/// One aggregation of the ATT(g, t) (did's `aggte(type = ...)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaggeredAggregation {
    /// One number: cohort-size-weighted mean over every post-period cell.
    Simple,
    /// By cohort, and their size-weighted mean.
    Group,
    /// By time since the start, and the mean of the post-start ones.
    Dynamic,
}

fn three_months() -> u32 {
    3
}
fn six_months() -> u32 {
    6
}
pub(super) fn all_aggregations() -> Vec<StaggeredAggregation> {
    vec![
        StaggeredAggregation::Simple,
        StaggeredAggregation::Group,
        StaggeredAggregation::Dynamic,
    ]
}

/// The NDT item an outcome `ndt_<item>` names.
pub fn ndt_item_of(outcome: &str) -> Option<crate::measures::ndt::NdtItem> {
    let col = outcome.strip_prefix("ndt_")?;
    crate::measures::ndt::NdtItem::ALL
        .into_iter()
        .find(|i| i.column() == col)
}

/// An estimator of the effect on the treated (`comparison.estimators`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Estimator {
    /// Nearest-neighbour matching on the propensity score (difference in means).
    Matching,
    /// Inverse probability weighting with ATT weights.
    Ipw,
    /// Entropy balancing of the comparison group to the programme's means.
    EntropyBalancing,
    /// Augmented IPW (doubly robust).
    DoublyRobust,
}

pub(super) fn all_estimators() -> Vec<Estimator> {
    vec![
        Estimator::Matching,
        Estimator::Ipw,
        Estimator::EntropyBalancing,
        Estimator::DoublyRobust,
    ]
}

impl ComparisonSpec {
    /// The covariates' names and how each is read (`Auto` when undeclared).
    ///
    /// # Errors
    /// If a declaration is neither `numeric` nor `categorical`, a name is
    /// empty, or a covariate is listed twice.
    pub fn covariate_types(&self) -> Result<Vec<(String, crate::compare::report::CovariateKind)>> {
        use crate::compare::report::CovariateKind;
        let mut out: Vec<(String, CovariateKind)> = Vec::new();
        for entry in &self.covariates {
            let (name, kind) = match entry.rsplit_once(':') {
                None => (entry.trim(), CovariateKind::Auto),
                Some((n, k)) => match k.trim() {
                    "numeric" => (n.trim(), CovariateKind::Numeric),
                    "categorical" => (n.trim(), CovariateKind::Categorical),
                    _ => {
                        return Err(Error::invalid_parameter(
                            "comparison.covariates",
                            entry,
                            "a covariate is `name`, `name:numeric` or `name:categorical`",
                        ))
                    }
                },
            };
            if name.is_empty() || out.iter().any(|(n, _)| n == name) {
                return Err(Error::invalid_parameter(
                    "comparison.covariates",
                    entry,
                    "each covariate is named once, and not blank",
                ));
            }
            out.push((name.to_owned(), kind));
        }
        Ok(out)
    }
}

pub(super) fn ae() -> String {
    "ae_attendance".into()
}
fn one() -> usize {
    1
}
fn ten() -> usize {
    10
}
