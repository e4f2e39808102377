//! Propensity scores: a binomial GLM of treatment on covariates, and the
//! score on the probability or linear-predictor scale (MatchIt's
//! `distance = "glm"` with `link = "logit"`, `"probit"`, `"linear.logit"` or
//! `"linear.probit"`).

use super::design::{Covariate, DesignMatrix};
use super::glm::{fit_binomial, BinomialFit, GlmControl, Link};
use crate::error::Result;

/// Scale of the score used as the matching distance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScoreScale {
    /// Fitted probability (MatchIt `link = "logit"` / `"probit"`).
    #[default]
    Probability,
    /// Linear predictor, e.g. the logit of the score (MatchIt `link = "linear.logit"`).
    Linear,
}

/// A fitted propensity-score model.
#[derive(Debug, Clone, PartialEq)]
pub struct PropensityModel {
    /// The design matrix used.
    pub design: DesignMatrix,
    /// The fitted GLM.
    pub fit: BinomialFit,
}

impl PropensityModel {
    /// Fits `treated ~ covariates` with the given link.
    ///
    /// # Errors
    /// As [`DesignMatrix::new`] (singular design, bad values) and
    /// [`fit_binomial`] (separation, one group empty).
    pub fn fit(covariates: &[Covariate], treated: &[bool], link: Link) -> Result<Self> {
        let design = DesignMatrix::new(covariates)?;
        let fit = fit_binomial(&design, treated, link, GlmControl::default())?;
        Ok(PropensityModel { design, fit })
    }

    /// The score of every row on the chosen scale.
    pub fn scores(&self, scale: ScoreScale) -> Vec<f64> {
        match scale {
            ScoreScale::Probability => self.fit.fitted.clone(),
            ScoreScale::Linear => self.fit.linear_predictor.clone(),
        }
    }
}
