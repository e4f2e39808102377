//! Individual change: the Reliable Change Index (Jacobson & Truax 1991),
//! the proportion of people improving, and the proportion reaching a
//! threshold, each with a Wilson interval.

use serde::Serialize;

use super::common::{check_finite, check_pairs};
use super::estimate::{ConfidenceLevel, Estimate};
use super::proportion::{proportion_ci, BinomialCount};
use crate::error::{Error, Result};

/// Which way is better on a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Direction {
    /// Higher scores are better (e.g. the Dyadic Adjustment Scale, WEMWBS).
    HigherIsBetter,
    /// Lower scores are better (e.g. the New Directions Team assessment,
    /// the Global Distress Scale, PHQ-9).
    LowerIsBetter,
}

impl Direction {
    /// `+1` for higher-is-better, `−1` for lower-is-better: multiplying a
    /// change by this makes improvement positive.
    pub fn sign(self) -> f64 {
        match self {
            Direction::HigherIsBetter => 1.0,
            Direction::LowerIsBetter => -1.0,
        }
    }
}

/// Validated parameters of the Reliable Change Index.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ReliableChangeParams {
    sd_baseline: f64,
    reliability: f64,
    critical_value: f64,
    direction: Direction,
}

impl ReliableChangeParams {
    /// Parameters with the conventional critical value 1.96.
    ///
    /// `sd_baseline` is s1, the SD of the measure at baseline (a published
    /// norm or the sample pre-test SD); `reliability` is r_xx (test–retest
    /// or internal consistency).
    ///
    /// # Errors
    /// If `sd_baseline` is not finite and positive, or `reliability` is not
    /// in `[0, 1)` (at 1 the measurement error is zero and every change is
    /// reliable, so S_diff would be zero).
    pub fn new(sd_baseline: f64, reliability: f64, direction: Direction) -> Result<Self> {
        if !(sd_baseline.is_finite() && sd_baseline > 0.0) {
            return Err(Error::invalid_parameter(
                "sd_baseline",
                sd_baseline,
                "must be a finite positive number",
            ));
        }
        if !((0.0..1.0).contains(&reliability)) {
            return Err(Error::invalid_parameter(
                "reliability",
                reliability,
                "must be in [0, 1)",
            ));
        }
        Ok(ReliableChangeParams {
            sd_baseline,
            reliability,
            critical_value: 1.96,
            direction,
        })
    }

    /// These parameters with another critical value (e.g. 1.645).
    ///
    /// # Errors
    /// If `critical_value` is not finite and positive.
    pub fn with_critical_value(self, critical_value: f64) -> Result<Self> {
        if !(critical_value.is_finite() && critical_value > 0.0) {
            return Err(Error::invalid_parameter(
                "critical_value",
                critical_value,
                "must be a finite positive number",
            ));
        }
        Ok(ReliableChangeParams {
            critical_value,
            ..self
        })
    }

    /// s1, the baseline SD.
    pub fn sd_baseline(&self) -> f64 {
        self.sd_baseline
    }

    /// r_xx, the reliability.
    pub fn reliability(&self) -> f64 {
        self.reliability
    }

    /// The critical value for |RC|.
    pub fn critical_value(&self) -> f64 {
        self.critical_value
    }

    /// Which way is better.
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// Standard error of measurement `SE = s1·sqrt(1 − r_xx)`.
    pub fn standard_error_of_measurement(&self) -> f64 {
        self.sd_baseline * (1.0 - self.reliability).sqrt()
    }

    /// `S_diff = sqrt(2·SE²) = √2·s1·sqrt(1 − r_xx)`.
    pub fn s_diff(&self) -> f64 {
        std::f64::consts::SQRT_2 * self.standard_error_of_measurement()
    }
}

/// A person's reliable-change classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ReliableChangeClass {
    /// Changed in the better direction by more than the critical value.
    Improved,
    /// |RC| at or below the critical value.
    NoReliableChange,
    /// Changed in the worse direction by more than the critical value.
    Deteriorated,
}

/// The Reliable Change Index for a group of people.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReliableChangeResult {
    /// Number of people (pairs).
    pub n: usize,
    /// The parameters used.
    pub params: ReliableChangeParams,
    /// `S_diff` used as the denominator.
    pub s_diff: f64,
    /// The smallest raw change counted as reliable, `critical_value · S_diff`.
    pub reliable_change_threshold: f64,
    /// Each person's `RC = (after − before)/S_diff`, in input order (sign
    /// as measured, not direction-adjusted).
    pub rc: Vec<f64>,
    /// Each person's classification, in input order.
    pub classes: Vec<ReliableChangeClass>,
    /// Number reliably improved.
    pub improved: usize,
    /// Number with no reliable change.
    pub no_reliable_change: usize,
    /// Number reliably deteriorated.
    pub deteriorated: usize,
    /// Proportion reliably improved, with Wilson interval.
    pub proportion_improved: Estimate,
    /// Proportion reliably deteriorated, with Wilson interval.
    pub proportion_deteriorated: Estimate,
}

/// Reliable Change Index (Jacobson & Truax 1991):
/// `RC = (after − before)/S_diff`, `S_diff = √2·s1·sqrt(1 − r_xx)`.
/// A person is improved if the direction-adjusted RC exceeds the critical
/// value strictly, deteriorated if it is below minus the critical value,
/// otherwise no reliable change.
///
/// # Errors
/// If the slices differ in length, are empty, or hold a non-finite value
/// (drop people without both scores before calling).
pub fn reliable_change(
    before: &[f64],
    after: &[f64],
    params: ReliableChangeParams,
    level: ConfidenceLevel,
) -> Result<ReliableChangeResult> {
    const WHAT: &str = "reliable change index";
    check_pairs(WHAT, before, after)?;
    if before.is_empty() {
        return Err(Error::insufficient_data(WHAT, "no pairs"));
    }
    let s_diff = params.s_diff();
    let sign = params.direction.sign();
    let c = params.critical_value;
    let rc: Vec<f64> = before
        .iter()
        .zip(after)
        .map(|(b, a)| (a - b) / s_diff)
        .collect();
    check_finite(WHAT, "(after - before) / S_diff", &rc)?;
    let classes: Vec<ReliableChangeClass> = rc
        .iter()
        .map(|r| {
            let adj = sign * r;
            if adj > c {
                ReliableChangeClass::Improved
            } else if adj < -c {
                ReliableChangeClass::Deteriorated
            } else {
                ReliableChangeClass::NoReliableChange
            }
        })
        .collect();
    let count = |k| classes.iter().filter(|x| **x == k).count();
    let improved = count(ReliableChangeClass::Improved);
    let deteriorated = count(ReliableChangeClass::Deteriorated);
    let n = rc.len();
    Ok(ReliableChangeResult {
        n,
        params,
        s_diff,
        reliable_change_threshold: c * s_diff,
        rc,
        classes,
        improved,
        no_reliable_change: n - improved - deteriorated,
        deteriorated,
        proportion_improved: proportion_ci(BinomialCount::new(improved as u64, n as u64)?, level),
        proportion_deteriorated: proportion_ci(
            BinomialCount::new(deteriorated as u64, n as u64)?,
            level,
        ),
    })
}

/// A proportion of people meeting a condition, with its Wilson interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProportionResult {
    /// Number meeting the condition.
    pub count: usize,
    /// Number of people.
    pub n: usize,
    /// The proportion with Wald SE and Wilson interval.
    pub estimate: Estimate,
}

/// The proportion of people whose score moved in the better direction
/// (strictly: an unchanged score is not an improvement), with a Wilson
/// interval.
///
/// # Errors
/// If the slices differ in length, are empty, or hold a non-finite value.
pub fn proportion_improving(
    before: &[f64],
    after: &[f64],
    direction: Direction,
    level: ConfidenceLevel,
) -> Result<ProportionResult> {
    const WHAT: &str = "proportion improving";
    check_pairs(WHAT, before, after)?;
    if before.is_empty() {
        return Err(Error::insufficient_data(WHAT, "no pairs"));
    }
    let s = direction.sign();
    let k = before
        .iter()
        .zip(after)
        .filter(|(b, a)| s * (**a - **b) > 0.0)
        .count();
    let n = before.len();
    Ok(ProportionResult {
        count: k,
        n,
        estimate: proportion_ci(BinomialCount::new(k as u64, n as u64)?, level),
    })
}

/// The proportion of people whose score reaches `threshold` (inclusive:
/// `value >= threshold` when higher is better, `value <= threshold` when
/// lower is better), with a Wilson interval.
///
/// # Errors
/// If `values` is empty or holds a non-finite value, or `threshold` is not
/// finite.
pub fn proportion_reaching_threshold(
    values: &[f64],
    threshold: f64,
    direction: Direction,
    level: ConfidenceLevel,
) -> Result<ProportionResult> {
    const WHAT: &str = "proportion reaching threshold";
    if !threshold.is_finite() {
        return Err(Error::invalid_parameter(
            "threshold",
            threshold,
            "must be a finite number",
        ));
    }
    check_finite(WHAT, "values", values)?;
    if values.is_empty() {
        return Err(Error::insufficient_data(WHAT, "no values"));
    }
    let k = values
        .iter()
        .filter(|v| match direction {
            Direction::HigherIsBetter => **v >= threshold,
            Direction::LowerIsBetter => **v <= threshold,
        })
        .count();
    let n = values.len();
    Ok(ProportionResult {
        count: k,
        n,
        estimate: proportion_ci(BinomialCount::new(k as u64, n as u64)?, level),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_validate() {
        assert!(ReliableChangeParams::new(0.0, 0.5, Direction::HigherIsBetter).is_err());
        assert!(ReliableChangeParams::new(1.0, 1.0, Direction::HigherIsBetter).is_err());
        assert!(ReliableChangeParams::new(1.0, f64::NAN, Direction::HigherIsBetter).is_err());
        let p = ReliableChangeParams::new(17.8, 0.96, Direction::HigherIsBetter).unwrap();
        assert!((p.s_diff() - 5.0346).abs() < 5e-5);
        assert!(p.with_critical_value(-1.0).is_err());
    }

    #[test]
    fn lower_is_better_flips() {
        let p = ReliableChangeParams::new(1.0, 0.0, Direction::LowerIsBetter).unwrap();
        let r = reliable_change(
            &[10.0, 10.0, 10.0],
            &[5.0, 10.0, 15.0],
            p,
            ConfidenceLevel::NINETY_FIVE,
        )
        .unwrap();
        assert_eq!(
            r.classes,
            vec![
                ReliableChangeClass::Improved,
                ReliableChangeClass::NoReliableChange,
                ReliableChangeClass::Deteriorated
            ]
        );
        let pi = proportion_improving(
            &[10.0, 10.0, 10.0],
            &[5.0, 10.0, 15.0],
            Direction::LowerIsBetter,
            ConfidenceLevel::NINETY_FIVE,
        )
        .unwrap();
        assert_eq!(pi.count, 1);
        let pt = proportion_reaching_threshold(
            &[5.0, 10.0, 15.0],
            10.0,
            Direction::LowerIsBetter,
            ConfidenceLevel::NINETY_FIVE,
        )
        .unwrap();
        assert_eq!(pt.count, 2);
    }
}
