//! Multiple-comparison adjustment of p-values, matching R's `p.adjust`.

use serde::Serialize;

use crate::error::{Error, Location, Result};

/// A p-value adjustment method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum PAdjustMethod {
    /// Holm (1979) step-down, controlling the family-wise error rate
    /// (R `p.adjust(p, "holm")`).
    Holm,
    /// Benjamini & Hochberg (1995) step-up, controlling the false discovery
    /// rate (R `p.adjust(p, "BH")`).
    BenjaminiHochberg,
}

/// Adjusted p-values, in the input order.
///
/// With `p_(1) ≤ … ≤ p_(m)` sorted ascending:
/// Holm `p̃_(i) = min(1, max_{k≤i} (m − k + 1)·p_(k))`;
/// BH `p̃_(i) = min(1, min_{k≥i} m/k·p_(k))`.
/// Identical to R 4.x `p.adjust` and statsmodels 0.15
/// `multipletests(p, method="holm" | "fdr_bh")`.
///
/// # Errors
/// If any p-value is not a number in `[0, 1]`.
pub fn p_adjust(p: &[f64], method: PAdjustMethod) -> Result<Vec<f64>> {
    for (i, v) in p.iter().enumerate() {
        if !(0.0..=1.0).contains(v) {
            return Err(Error::invalid_value(
                Location::source("p_adjust: p").row(i as u64 + 1),
                v.to_string(),
                "a p-value must be a number in [0, 1]",
            ));
        }
    }
    let m = p.len();
    let mf = m as f64;
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut out = vec![0.0; m];
    match method {
        PAdjustMethod::Holm => {
            let mut run: f64 = 0.0;
            for (k, &i) in order.iter().enumerate() {
                run = run.max((mf - k as f64) * p[i]);
                out[i] = run.min(1.0);
            }
        }
        PAdjustMethod::BenjaminiHochberg => {
            let mut run = f64::INFINITY;
            for (k, &i) in order.iter().enumerate().rev() {
                run = run.min(mf / (k as f64 + 1.0) * p[i]);
                out[i] = run.min(1.0);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_invalid() {
        assert!(p_adjust(&[], PAdjustMethod::Holm).unwrap().is_empty());
        assert!(p_adjust(&[0.5, 1.5], PAdjustMethod::Holm).is_err());
        assert!(p_adjust(&[f64::NAN], PAdjustMethod::BenjaminiHochberg).is_err());
    }
}
