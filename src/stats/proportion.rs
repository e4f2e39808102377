//! Single proportions: a validated count of successes and the Wilson score
//! interval.

use serde::Serialize;

use super::common::z_crit;
use super::estimate::{ConfidenceLevel, Estimate, Interval};
use crate::error::{Error, Result};

/// A count of successes out of a number of trials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BinomialCount {
    successes: u64,
    trials: u64,
}

impl BinomialCount {
    /// `successes` out of `trials`.
    ///
    /// # Errors
    /// If `trials` is zero or `successes > trials`.
    pub fn new(successes: u64, trials: u64) -> Result<Self> {
        if trials == 0 {
            return Err(Error::invalid_parameter(
                "trials",
                trials,
                "must be at least 1",
            ));
        }
        if successes > trials {
            return Err(Error::invalid_parameter(
                "successes",
                successes,
                format!("must not exceed trials ({trials})"),
            ));
        }
        Ok(BinomialCount { successes, trials })
    }

    /// Number of successes.
    pub fn successes(self) -> u64 {
        self.successes
    }

    /// Number of trials.
    pub fn trials(self) -> u64 {
        self.trials
    }

    /// The proportion `successes / trials`.
    pub fn proportion(self) -> f64 {
        self.successes as f64 / self.trials as f64
    }
}

/// The Wilson score interval (no continuity correction) for a proportion:
/// `(p + z²/2n)/(1 + z²/n) ± z/(1 + z²/n)·sqrt(p(1−p)/n + z²/4n²)`,
/// clipped to `[0, 1]`. Matches statsmodels 0.15
/// `proportion_confint(x, n, alpha, method="wilson")` and R
/// `prop.test(x, n, correct = FALSE)$conf.int`.
pub fn wilson_interval(count: BinomialCount, level: ConfidenceLevel) -> Interval {
    let z = z_crit(level);
    let n = count.trials() as f64;
    let p = count.proportion();
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    // the interval always contains p; guard the rounding at p = 0 or 1
    Interval::new(
        (center - half).clamp(0.0, 1.0).min(p),
        (center + half).clamp(0.0, 1.0).max(p),
    )
}

/// A proportion with its Wald standard error `sqrt(p(1−p)/n)` and Wilson
/// score interval ([`wilson_interval`]).
pub fn proportion_ci(count: BinomialCount, level: ConfidenceLevel) -> Estimate {
    let p = count.proportion();
    let n = count.trials();
    Estimate {
        value: p,
        std_error: Some((p * (1.0 - p) / n as f64).sqrt()),
        ci: wilson_interval(count, level),
        level: level.get(),
        n: n as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_validates() {
        assert!(BinomialCount::new(3, 2).is_err());
        assert!(BinomialCount::new(0, 0).is_err());
        assert_eq!(BinomialCount::new(1, 4).unwrap().proportion(), 0.25);
    }

    #[test]
    fn wilson_matches_statsmodels() {
        // statsmodels 0.15.0: proportion_confint(7, 20, 0.05, method="wilson")
        // = (0.18119182410108203, 0.5671457233147638)
        let ci = wilson_interval(
            BinomialCount::new(7, 20).unwrap(),
            ConfidenceLevel::NINETY_FIVE,
        );
        assert!(
            (ci.lower - 0.181_191_824_101_082_03).abs() < 1e-12,
            "{ci:?}"
        );
        assert!((ci.upper - 0.567_145_723_314_763_8).abs() < 1e-12, "{ci:?}");
        let ci = wilson_interval(
            BinomialCount::new(0, 10).unwrap(),
            ConfidenceLevel::NINETY_FIVE,
        );
        assert_eq!(ci.lower, 0.0);
    }
}
