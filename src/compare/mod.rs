//! Cohort comparison: pre/post change aligned to each person's start
//! ([`pre_post`]), difference-in-differences ([`did`]), and comparison-group construction: propensity scores,
//! nearest-neighbour matching and covariate balance, agreeing with R's
//! MatchIt.
//!
//! The usual path is:
//! 1. describe the covariates ([`Covariate`]) and fit a [`PropensityModel`]
//!    (logistic or probit regression by unpenalised maximum likelihood, as R's
//!    `glm`);
//! 2. match on its [`scores`](PropensityModel::scores) with [`NearestNeighbour`]
//!    (MatchIt `method = "nearest"`);
//! 3. check [`balance`] before and after matching (MatchIt `summary()`
//!    conventions, plus cobalt's pooled-SD SMD).
//!
//! 4. or weight instead of matching: [`propensity_weights`]
//!    (ATT/ATE, stabilised, trimmed), [`entropy_balance`], [`effective_sample_size`],
//!    [`weighted_balance`], then [`weighted_effect`] (weighted regression with
//!    robust variances) or the doubly robust [`aipw`].
//!
//! See METHODS.md, "Propensity scores, nearest-neighbour matching and balance", for every formula and its reference.
//!
//! ```
//! use outcomes::compare::{balance, Covariate, Link, NearestNeighbour, PropensityModel, ScoreScale};
//!
//! let age = vec![23.0, 47.0, 45.0, 27.0, 52.0, 38.0, 29.0, 41.0, 26.0, 60.0];
//! let area: Vec<String> = ["n", "s", "s", "n", "s", "n", "n", "s", "n", "s"]
//!     .iter().map(|s| s.to_string()).collect();
//! let treated = [true, true, false, true, false, false, true, false, false, false];
//! let covariates = [Covariate::numeric("age", age), Covariate::categorical("area", area)];
//!
//! let model = PropensityModel::fit(&covariates, &treated, Link::Logit)?;
//! let score = model.scores(ScoreScale::Probability);
//! let matched = NearestNeighbour::default().run(&score, &treated, &[])?;
//! assert_eq!(matched.counts.treated.matched, 4);
//! let report = balance(&covariates, &treated, Some(&score), Some(&matched))?;
//! assert!(report.after.is_some());
//! # Ok::<(), outcomes::Error>(())
//! ```

mod balance;
mod design;
pub mod did;
mod glm;
mod matching;
pub mod pre_post;
mod propensity;
pub mod report;
mod weighting;

pub use balance::{balance, BalanceReport, BalanceRow, BalanceTable, Sample, VariableKind};
pub use design::{Covariate, CovariateValues, DesignColumn, DesignMatrix, ReferenceLevel};
pub use glm::{fit_binomial, BinomialFit, GlmCoefficient, GlmControl, Link};
pub use matching::{
    Caliper, Discard, GroupCounts, MatchCounts, MatchOrder, MatchWork, MatchedSet, Matching,
    NearestNeighbour, NeighbourRule, PairDistances, Ratio, Replacement,
};
pub use propensity::{PropensityModel, ScoreScale};
pub use weighting::{
    aipw, effective_sample_size, entropy_balance, normalise_by_arm, propensity_weights,
    weighted_balance, weighted_effect, AipwResult, EffectiveSampleSize, EntropyBalance,
    EntropyControl, Estimand, Moments, PropensityWeights, SmdDenominator, Stabilisation,
    TrimQuantile, Trimming, WeightedBalanceRow, WeightedBalanceTable, TREATMENT_TERM,
};
