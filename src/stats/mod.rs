//! Statistics with named results, each matching a stated reference
//! implementation (see METHODS.md).
//!
//! * Descriptives and pre/post comparisons: [`describe`], [`mean_ci`],
//!   [`mean_change`], [`paired_t`], [`wilcoxon_signed_rank`], [`sign_test`], [`mcnemar`].
//! * Two groups: [`welch_t`], [`student_t`], [`mann_whitney_u`],
//!   [`proportion_difference`], [`chi_square_2x2`].
//! * Effect sizes: [`cohens_d`], [`hedges_g`], [`cohens_dz`].
//! * Individual change: [`reliable_change`], [`proportion_improving`],
//!   [`proportion_reaching_threshold`], [`proportion_ci`].
//! * Resampling: [`bootstrap_one_sample`], [`bootstrap_two_sample`].
//! * Multiplicity: [`p_adjust`].
//! * Time to event ([`survival`]): [`kaplan_meier`] (Greenwood errors,
//!   median, survival at horizons, RMST), [`log_rank`], [`fit_cox`] (Efron or
//!   Breslow ties, robust cluster variance), [`cox_zph`], [`rmst_difference`].
//! * Sensitivity to unmeasured confounding: [`e_value_ratio`], [`e_value_smd`],
//!   [`rosenbaum_wilcoxon`].

mod adjust;
mod bootstrap;
mod change;
mod common;
pub(crate) use common::{normal_cdf, normal_sf, z_estimate};
mod effect_size;
mod estimate;
pub mod ols;
mod paired;
mod proportion;
pub(crate) mod qr;
mod sensitivity;
pub mod survival;
mod two_group;

pub use adjust::{p_adjust, PAdjustMethod};
pub(crate) use bootstrap::bootstrap_cluster_totals;
pub use bootstrap::{
    bootstrap_mean, bootstrap_mean_difference, bootstrap_one_sample, bootstrap_two_sample,
    BootstrapConfig, BootstrapResult, JACKKNIFE_MAX_N,
};
pub use change::{
    proportion_improving, proportion_reaching_threshold, reliable_change, Direction,
    ProportionResult, ReliableChangeClass, ReliableChangeParams, ReliableChangeResult,
};
pub use effect_size::{cohens_d, cohens_dz, hedges_g};
pub use estimate::{Alternative, ConfidenceLevel, Estimate, Interval, TestResult};
pub use paired::{
    describe, mcnemar, mcnemar_from_counts, mean_change, mean_ci, paired_t, sign_test,
    wilcoxon_signed_rank, Descriptives, McNemarResult, PairedTResult, RankTestMethod,
    RankTestMethodUsed, SignTestResult, WilcoxonResult,
};
pub use proportion::{proportion_ci, wilson_interval, BinomialCount};
pub use sensitivity::{
    e_value_ratio, e_value_smd, rosenbaum_wilcoxon, EValue, Gamma, OneSidedAlpha,
    OutcomePrevalence, RatioMeasure, RosenbaumBound, RosenbaumResult,
};
pub use survival::{
    cox_zph, fit_cox, kaplan_meier, log_rank, rmst_difference, ConfidenceTransform, CoxFit,
    CoxVariance, EventStatus, KaplanMeier, LogRank, SurvivalData, Ties, ZphTransform,
};
pub use two_group::{
    chi_square_2x2, mann_whitney_u, proportion_difference, student_t, two_sample_t, welch_t,
    ChiSquareResult, ContinuityCorrection, MannWhitneyResult, ProportionDifferenceResult, Table2x2,
    TwoSampleTResult, VarianceAssumption,
};
