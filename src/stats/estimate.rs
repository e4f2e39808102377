//! Named results shared by every statistic: intervals, estimates, tests.

use serde::Serialize;

use crate::error::{Error, Result};

/// A closed interval `[lower, upper]`, typically a confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

impl Interval {
    /// An interval; `lower <= upper` is the caller's responsibility (it is
    /// what every estimator in this crate produces).
    pub fn new(lower: f64, upper: f64) -> Self {
        Interval { lower, upper }
    }

    /// True if `x` lies in the interval (inclusive).
    pub fn contains(&self, x: f64) -> bool {
        self.lower <= x && x <= self.upper
    }

    /// `upper - lower`.
    pub fn width(&self) -> f64 {
        self.upper - self.lower
    }
}

/// A confidence level strictly between 0 and 1, e.g. 0.95.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ConfidenceLevel(f64);

impl ConfidenceLevel {
    /// The conventional 95% level.
    pub const NINETY_FIVE: ConfidenceLevel = ConfidenceLevel(0.95);

    /// A confidence level.
    ///
    /// # Errors
    /// If `level` is not strictly between 0 and 1.
    pub fn new(level: f64) -> Result<Self> {
        if level > 0.0 && level < 1.0 {
            Ok(ConfidenceLevel(level))
        } else {
            Err(Error::invalid_parameter(
                "confidence_level",
                level,
                "must be strictly between 0 and 1",
            ))
        }
    }

    /// The level as a fraction (0.95).
    pub fn get(self) -> f64 {
        self.0
    }

    /// `1 - level`, the two-sided alpha.
    pub fn alpha(self) -> f64 {
        1.0 - self.0
    }
}

impl Default for ConfidenceLevel {
    fn default() -> Self {
        ConfidenceLevel::NINETY_FIVE
    }
}

/// The alternative hypothesis of a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub enum Alternative {
    /// The effect differs from the null in either direction.
    #[default]
    TwoSided,
    /// The effect is less than the null.
    Less,
    /// The effect is greater than the null.
    Greater,
}

/// A point estimate with its standard error and confidence interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// The point estimate.
    pub value: f64,
    /// Its standard error, where one is defined.
    pub std_error: Option<f64>,
    /// Its confidence interval.
    pub ci: Interval,
    /// The confidence level of `ci`.
    pub level: f64,
    /// The number of units the estimate rests on.
    pub n: usize,
}

/// The result of a hypothesis test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestResult {
    /// The name of the test, e.g. `"Welch two-sample t-test"`.
    pub test: &'static str,
    /// The test statistic (t, z, W, U, chi-square...).
    pub statistic: f64,
    /// Degrees of freedom, where the reference distribution has them.
    pub df: Option<f64>,
    /// The p-value under `alternative`.
    pub p_value: f64,
    /// The alternative hypothesis.
    pub alternative: Alternative,
    /// The number of observations (or pairs) used.
    pub n: usize,
}
