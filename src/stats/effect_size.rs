//! Standardised effect sizes with large-sample confidence intervals:
//! Cohen's d (pooled SD), Hedges' g and the paired d_z.
//!
//! Each returns `Ok(None)` when the standardiser (an SD) is zero, so the
//! effect size is undefined; it is never NaN or infinite.
//!
//! Intervals are normal-theory, `estimate ± z_{1−α/2}·sqrt(V)`, with the
//! large-sample variances of Hedges & Olkin (1985, ch. 5) as given by
//! Borenstein et al. (2009, ch. 4):
//!
//! * d: `V_d = (n1+n2)/(n1·n2) + d²/(2(n1+n2))`
//! * g: `V_g = J²·V_d`, `J = 1 − 3/(4·df − 1)`, `df = n1+n2−2`
//! * d_z: `V = 1/n + d_z²/(2n)`
//!
//! These are approximations; R's `effectsize` package uses noncentral-t
//! intervals instead, which differ slightly in small samples.

use super::common::{check_finite, check_len, differences, ensure_finite, mean, variance, z_crit};
use super::estimate::{ConfidenceLevel, Estimate, Interval};
use crate::error::{Error, Result};

fn normal_ci(value: f64, var: f64, level: ConfidenceLevel, n: usize) -> Option<Estimate> {
    let se = var.sqrt();
    let q = z_crit(level);
    if !value.is_finite() || !se.is_finite() {
        return None;
    }
    Some(Estimate {
        value,
        std_error: Some(se),
        ci: Interval::new(value - q * se, value + q * se),
        level: level.get(),
        n,
    })
}

fn pooled(what: &str, x: &[f64], y: &[f64]) -> Result<(f64, f64, f64, f64)> {
    check_finite(what, "x", x)?;
    check_finite(what, "y", y)?;
    check_len(what, "x", x, 1)?;
    check_len(what, "y", y, 1)?;
    let (n1, n2) = (x.len() as f64, y.len() as f64);
    if n1 + n2 < 3.0 {
        return Err(Error::insufficient_data(
            what,
            "at least 3 values in all are needed for a pooled SD",
        ));
    }
    let v1 = if x.len() > 1 { variance(x) } else { 0.0 };
    let v2 = if y.len() > 1 { variance(y) } else { 0.0 };
    let sp = (((n1 - 1.0) * v1 + (n2 - 1.0) * v2) / (n1 + n2 - 2.0)).sqrt();
    let diff = mean(x) - mean(y);
    ensure_finite(what, &[sp, diff])?;
    Ok((diff, sp, n1, n2))
}

/// Cohen's d for two independent groups, `(x̄ − ȳ)/s_p` with the pooled
/// SD `s_p = sqrt(((n1−1)s1² + (n2−1)s2²)/(n1+n2−2))`, and its interval
/// from `V_d` (module docs).
///
/// # Errors
/// If either sample is empty or holds a non-finite value, or `n1 + n2 < 3`.
/// Returns `Ok(None)` when the pooled SD is zero.
pub fn cohens_d(x: &[f64], y: &[f64], level: ConfidenceLevel) -> Result<Option<Estimate>> {
    let (diff, sp, n1, n2) = pooled("Cohen's d", x, y)?;
    if sp.is_nan() || sp <= 0.0 {
        return Ok(None);
    }
    let d = diff / sp;
    let v = (n1 + n2) / (n1 * n2) + d * d / (2.0 * (n1 + n2));
    Ok(normal_ci(d, v, level, x.len() + y.len()))
}

/// Hedges' g, the small-sample-corrected d: `g = J·d` with
/// `J = 1 − 3/(4·df − 1)`, `df = n1 + n2 − 2` (identical to
/// `1 − 3/(4(n1+n2) − 9)`; Hedges 1981's approximation to the exact gamma
/// ratio), and `V_g = J²·V_d`.
///
/// # Errors
/// As [`cohens_d`]. Returns `Ok(None)` when the pooled SD is zero.
pub fn hedges_g(x: &[f64], y: &[f64], level: ConfidenceLevel) -> Result<Option<Estimate>> {
    let (diff, sp, n1, n2) = pooled("Hedges' g", x, y)?;
    if sp.is_nan() || sp <= 0.0 {
        return Ok(None);
    }
    let d = diff / sp;
    let df = n1 + n2 - 2.0;
    let j = 1.0 - 3.0 / (4.0 * df - 1.0);
    let v = (n1 + n2) / (n1 * n2) + d * d / (2.0 * (n1 + n2));
    Ok(normal_ci(j * d, j * j * v, level, x.len() + y.len()))
}

/// Cohen's d_z for paired data: the mean of `after − before` divided by
/// the SD of the differences, with `V = 1/n + d_z²/(2n)`.
///
/// # Errors
/// If the slices differ in length, have fewer than 2 pairs or hold a
/// non-finite value. Returns `Ok(None)` when every difference is equal.
pub fn cohens_dz(
    before: &[f64],
    after: &[f64],
    level: ConfidenceLevel,
) -> Result<Option<Estimate>> {
    const WHAT: &str = "Cohen's d_z";
    let d = differences(WHAT, before, after)?;
    check_len(WHAT, "before", before, 2)?;
    let sd = variance(&d).sqrt();
    ensure_finite(WHAT, &[sd, mean(&d)])?;
    if sd.is_nan() || sd <= 0.0 {
        return Ok(None);
    }
    let n = d.len() as f64;
    let dz = mean(&d) / sd;
    Ok(normal_ci(dz, 1.0 / n + dz * dz / (2.0 * n), level, d.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_variance_is_none() {
        let l = ConfidenceLevel::NINETY_FIVE;
        assert_eq!(cohens_d(&[1.0, 1.0], &[2.0, 2.0], l).unwrap(), None);
        assert_eq!(hedges_g(&[1.0, 1.0], &[2.0, 2.0], l).unwrap(), None);
        assert_eq!(cohens_dz(&[1.0, 2.0], &[2.0, 3.0], l).unwrap(), None);
    }

    #[test]
    fn g_shrinks_d() {
        let l = ConfidenceLevel::NINETY_FIVE;
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [2.0, 3.5, 5.0, 6.0];
        let d = cohens_d(&x, &y, l).unwrap().unwrap();
        let g = hedges_g(&x, &y, l).unwrap().unwrap();
        assert!(g.value.abs() < d.value.abs());
        // J with df = 6: 1 - 3/23
        assert!((g.value / d.value - (1.0 - 3.0 / 23.0)).abs() < 1e-14);
    }
}
