//! Pre/post change aligned to each person's start: per-person values in a
//! window before and a window after the index date, the coverage policy for
//! people whose data do not cover a window, and the paired statistics.

use serde::Serialize;

use crate::cohort::PersonId;
use crate::error::{Error, Result};
use crate::io::{MeasureKind, PersonSummary, WindowCounts};
use crate::measures::service_use::DAYS_PER_QUARTER;
use crate::stats::{
    self, Alternative, BootstrapConfig, BootstrapResult, ConfidenceLevel, Estimate, McNemarResult,
    PairedTResult, RankTestMethod, SignTestResult, WilcoxonResult,
};

/// What to do with people whose data do not cover a window (they joined
/// late in the extract, died, moved or exited).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum CoveragePolicy {
    /// Leave out anyone not observed for the whole of both windows.
    Exclude,
    /// Keep anyone observed for at least `min_fraction` of each window and
    /// express their use as a rate per observed time.
    RatePerObservedTime {
        /// The smallest observed fraction of a window kept (0 < f ≤ 1).
        min_fraction: f64,
    },
}

impl Default for CoveragePolicy {
    fn default() -> Self {
        CoveragePolicy::RatePerObservedTime { min_fraction: 0.5 }
    }
}

/// How many people each policy decision affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Coverage {
    /// People considered.
    pub people: usize,
    /// People kept.
    pub included: usize,
    /// People left out because a window was not (sufficiently) observed.
    pub excluded: usize,
    /// People kept whose rate rests on part of a window.
    pub partly_observed: usize,
}

/// Per-person values before and after, aligned by position.
#[derive(Debug, Clone, PartialEq)]
pub struct PairedValues {
    /// Who (same order as `before` and `after`).
    pub people: Vec<PersonId>,
    /// The row of the per-person frame each pair comes from (same order as
    /// `people`), so a caller selects pairs by a frame column (the group,
    /// say) without looking people up.
    pub rows: Vec<usize>,
    /// Values in the before window.
    pub before: Vec<f64>,
    /// Values in the after window.
    pub after: Vec<f64>,
    /// What the coverage policy did.
    pub coverage: Coverage,
}

impl PairedValues {
    /// Check that `rows`, `before` and `after` hold one value per person, so
    /// that nothing zipped over them is silently truncated.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter)
    /// naming both lengths if `rows`, `before` or `after` differs in length
    /// from `people`.
    pub fn check_lengths(&self) -> Result<()> {
        let n = self.people.len();
        for (name, len) in [
            ("rows", self.rows.len()),
            ("before", self.before.len()),
            ("after", self.after.len()),
        ] {
            if len != n {
                return Err(Error::invalid_parameter(
                    name,
                    format!("{len} values"),
                    format!("paired values need one per person ({n} in `people`)"),
                ));
            }
        }
        Ok(())
    }
}

/// Service use per person per quarter in a before and an after window,
/// under a coverage policy: `count × 91.31 / observed days` (which is the
/// count per quarter of the window when it is fully observed).
///
/// # Errors
/// If the windows or category were not aggregated, or `min_fraction` is
/// not in (0, 1].
pub fn service_use_per_quarter(
    counts: &WindowCounts,
    category: &str,
    before: &str,
    after: &str,
    policy: CoveragePolicy,
) -> Result<PairedValues> {
    let cb = counts.counts(before, category)?;
    let ca = counts.counts(after, category)?;
    let (ob, wb) = (counts.observed_days(before)?, counts.window_days(before)?);
    let (oa, wa) = (counts.observed_days(after)?, counts.window_days(after)?);
    let rows: Vec<usize> = (0..counts.people().len()).collect();
    rate_pairs(
        counts.people(),
        &rows,
        [cb.as_slice(), ca.as_slice()],
        [ob.as_slice(), oa.as_slice()],
        [wb.as_slice(), wa.as_slice()],
        policy,
    )
}

/// The smallest observed fraction a policy keeps (`None`: whole windows).
fn min_fraction(policy: CoveragePolicy) -> Result<Option<f64>> {
    match policy {
        CoveragePolicy::Exclude => Ok(None),
        CoveragePolicy::RatePerObservedTime { min_fraction } => {
            if !(min_fraction > 0.0 && min_fraction <= 1.0) {
                return Err(Error::invalid_parameter(
                    "min_fraction",
                    min_fraction,
                    "must be in (0, 1]",
                ));
            }
            Ok(Some(min_fraction))
        }
    }
}

/// Counts before and after as rates per quarter of observed time under a
/// coverage policy (the rule of [`service_use_per_quarter`]); the slices
/// are aligned with `people`, and `rows[i]` is the frame row of `people[i]`.
fn rate_pairs(
    people: &[PersonId],
    rows: &[usize],
    [cb, ca]: [&[f64]; 2],
    [ob, oa]: [&[i64]; 2],
    [wb, wa]: [&[i64]; 2],
    policy: CoveragePolicy,
) -> Result<PairedValues> {
    let min = min_fraction(policy)?;
    let mut out = PairedValues {
        people: Vec::new(),
        rows: Vec::new(),
        before: Vec::new(),
        after: Vec::new(),
        coverage: Coverage::default(),
    };
    for (i, person) in people.iter().enumerate() {
        out.coverage.people += 1;
        let frac = |o: i64, w: i64| if w > 0 { o as f64 / w as f64 } else { 0.0 };
        let (fb, fa) = (frac(ob[i], wb[i]), frac(oa[i], wa[i]));
        let keep = match min {
            None => fb >= 1.0 && fa >= 1.0,
            Some(m) => fb >= m && fa >= m,
        };
        if !keep || ob[i] == 0 || oa[i] == 0 {
            out.coverage.excluded += 1;
            continue;
        }
        if fb < 1.0 || fa < 1.0 {
            out.coverage.partly_observed += 1;
        }
        out.coverage.included += 1;
        out.people.push(person.clone());
        out.rows.push(rows[i]);
        out.before.push(cb[i] * DAYS_PER_QUARTER / ob[i] as f64);
        out.after.push(ca[i] * DAYS_PER_QUARTER / oa[i] as f64);
    }
    Ok(out)
}

/// One measure of a [`PersonSummary`] in a before and an after window,
/// ready for [`paired_statistics`].
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryPairs {
    /// The measure.
    pub measure: String,
    /// Count (compared as a rate per observed quarter) or score (compared
    /// as is).
    pub kind: MeasureKind,
    /// The pairs and what the coverage policy did. For a score,
    /// `coverage.excluded` counts the people with an undefined value in
    /// either window (the same number as `undefined`), and
    /// `coverage.partly_observed` the people kept whose windows were not
    /// wholly observed.
    pub values: PairedValues,
    /// People left out because the value was undefined (null) in either
    /// window.
    pub undefined: usize,
}

impl SummaryPairs {
    /// [`paired_statistics`] on these pairs.
    ///
    /// # Errors
    /// As [`paired_statistics`] (e.g. fewer than 2 pairs).
    pub fn statistics(
        &self,
        level: ConfidenceLevel,
        bootstrap: Option<BootstrapConfig>,
    ) -> Result<PairedStatistics> {
        paired_statistics(&self.values.before, &self.values.after, level, bootstrap)
    }
}

/// One measure of a summary in two windows, paired by person.
///
/// * A [`MeasureKind::Count`] is compared as a rate per quarter of observed
///   time under `policy`, exactly as [`service_use_per_quarter`] does.
/// * A [`MeasureKind::Score`] (the NDT) is compared as is: an assessment is
///   its own observation, so the coverage policy's observed-time rule does
///   not apply; people with no value in either window are left out and
///   counted in [`SummaryPairs::undefined`]. The policy is still checked.
///
/// # Errors
/// If the measure or a window was not summarised, or `min_fraction` is not
/// in (0, 1].
pub fn summary_pairs(
    summary: &PersonSummary,
    measure: &str,
    before: &str,
    after: &str,
    policy: CoveragePolicy,
) -> Result<SummaryPairs> {
    let kind = summary.kind(measure)?;
    let vb = summary.values(measure, before)?;
    let va = summary.values(measure, after)?;
    let (ob, wb) = (summary.observed_days(before)?, summary.window_days(before)?);
    let (oa, wa) = (summary.observed_days(after)?, summary.window_days(after)?);
    min_fraction(policy)?;
    let people = summary.people();
    let mut undefined = 0;
    let values = match kind {
        MeasureKind::Count => {
            let mut keep = Vec::with_capacity(people.len());
            let mut keep_rows = Vec::with_capacity(people.len());
            let (mut cb, mut ca) = (Vec::new(), Vec::new());
            let (mut o_b, mut o_a, mut w_b, mut w_a) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for (i, person) in people.iter().enumerate() {
                let (Some(b), Some(a)) = (vb[i], va[i]) else {
                    undefined += 1;
                    continue;
                };
                keep.push(person.clone());
                keep_rows.push(i);
                cb.push(b);
                ca.push(a);
                o_b.push(ob[i]);
                o_a.push(oa[i]);
                w_b.push(wb[i]);
                w_a.push(wa[i]);
            }
            let mut v = rate_pairs(
                &keep,
                &keep_rows,
                [cb.as_slice(), ca.as_slice()],
                [o_b.as_slice(), o_a.as_slice()],
                [w_b.as_slice(), w_a.as_slice()],
                policy,
            )?;
            v.coverage.people += undefined;
            v.coverage.excluded += undefined;
            v
        }
        MeasureKind::Score => {
            let mut v = PairedValues {
                people: Vec::new(),
                rows: Vec::new(),
                before: Vec::new(),
                after: Vec::new(),
                coverage: Coverage::default(),
            };
            for (i, person) in people.iter().enumerate() {
                v.coverage.people += 1;
                let (Some(b), Some(a)) = (vb[i], va[i]) else {
                    undefined += 1;
                    v.coverage.excluded += 1;
                    continue;
                };
                if ob[i] < wb[i] || oa[i] < wa[i] {
                    v.coverage.partly_observed += 1;
                }
                v.coverage.included += 1;
                v.people.push(person.clone());
                v.rows.push(i);
                v.before.push(b);
                v.after.push(a);
            }
            v
        }
    };
    Ok(SummaryPairs {
        measure: measure.to_string(),
        kind,
        values,
        undefined,
    })
}

/// The paired statistics evaluators report on one outcome, each `None`
/// where it is undefined on these data (with the reason in `notes`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairedStatistics {
    /// Number of pairs.
    pub n: usize,
    /// Mean before.
    pub mean_before: f64,
    /// Mean after.
    pub mean_after: f64,
    /// Mean change (after − before) with its t interval.
    pub mean_change: Estimate,
    /// Paired t-test (scipy `ttest_rel`).
    pub paired_t: Option<PairedTResult>,
    /// Wilcoxon signed-rank test (R `wilcox.test(paired = TRUE)`).
    pub wilcoxon: Option<WilcoxonResult>,
    /// Sign test (exact binomial).
    pub sign_test: Option<SignTestResult>,
    /// Cohen's d_z with its interval.
    pub cohens_dz: Option<Estimate>,
    /// Bootstrap percentile and BCa intervals for the mean change.
    pub bootstrap: Option<BootstrapResult>,
    /// Why any statistic is missing.
    pub notes: Vec<String>,
}

/// Run every paired statistic on `before`/`after`.
///
/// # Errors
/// If the slices differ in length, have fewer than 2 pairs or hold a
/// non-finite value.
pub fn paired_statistics(
    before: &[f64],
    after: &[f64],
    level: ConfidenceLevel,
    bootstrap: Option<BootstrapConfig>,
) -> Result<PairedStatistics> {
    let mean_change = stats::mean_change(before, after, level)?;
    let mut notes = Vec::new();
    fn keep<T>(notes: &mut Vec<String>, name: &str, r: Result<T>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                notes.push(format!("{name}: {e}"));
                None
            }
        }
    }
    let paired_t = keep(
        &mut notes,
        "paired t",
        stats::paired_t(before, after, level, Alternative::TwoSided),
    );
    let wilcoxon = keep(
        &mut notes,
        "Wilcoxon",
        stats::wilcoxon_signed_rank(before, after, Alternative::TwoSided, RankTestMethod::Auto),
    );
    let sign_test = keep(
        &mut notes,
        "sign test",
        stats::sign_test(before, after, Alternative::TwoSided),
    );
    let cohens_dz = keep(&mut notes, "d_z", stats::cohens_dz(before, after, level)).flatten();
    let bootstrap = match bootstrap {
        Some(cfg) => {
            let d: Vec<f64> = after.iter().zip(before).map(|(a, b)| a - b).collect();
            keep(&mut notes, "bootstrap", stats::bootstrap_mean(&d, cfg))
        }
        None => None,
    };
    let n = before.len();
    Ok(PairedStatistics {
        n,
        mean_before: before.iter().sum::<f64>() / n as f64,
        mean_after: after.iter().sum::<f64>() / n as f64,
        mean_change,
        paired_t,
        wilcoxon,
        sign_test,
        cohens_dz,
        bootstrap,
        notes,
    })
}

/// A binary state before and after (e.g. slept rough at all in the window)
/// with McNemar's test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BinaryChange {
    /// Number of people.
    pub n: usize,
    /// Share in the state before.
    pub before: Estimate,
    /// Share in the state after.
    pub after: Estimate,
    /// McNemar's test, where any pair changed.
    pub mcnemar: Option<McNemarResult>,
}

/// Compare a binary state before and after.
///
/// # Errors
/// If the slices differ in length or are empty.
pub fn binary_change(
    before: &[bool],
    after: &[bool],
    level: ConfidenceLevel,
) -> Result<BinaryChange> {
    if before.len() != after.len() || before.is_empty() {
        return Err(Error::insufficient_data(
            "binary change",
            format!(
                "{} before and {} after values (need equal, non-zero)",
                before.len(),
                after.len()
            ),
        ));
    }
    let n = before.len() as u64;
    let count = |v: &[bool]| v.iter().filter(|x| **x).count() as u64;
    Ok(BinaryChange {
        n: before.len(),
        before: stats::proportion_ci(stats::BinomialCount::new(count(before), n)?, level),
        after: stats::proportion_ci(stats::BinomialCount::new(count(after), n)?, level),
        mcnemar: stats::mcnemar(before, after).ok(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(people: usize, before: usize, after: usize) -> PairedValues {
        PairedValues {
            people: (0..people)
                .map(|i| PersonId::from_pseudonym(format!("p{i}")).unwrap())
                .collect(),
            rows: (0..people).collect(),
            before: vec![1.0; before],
            after: vec![2.0; after],
            coverage: Coverage::default(),
        }
    }

    #[test]
    fn paired_values_of_unequal_lengths_are_an_error_naming_both() {
        assert!(values(3, 3, 3).check_lengths().is_ok());
        let e = values(3, 2, 3).check_lengths().unwrap_err().to_string();
        assert!(
            e.contains("before") && e.contains("2 values") && e.contains("3 in `people`"),
            "{e}"
        );
        let e = values(3, 3, 4).check_lengths().unwrap_err().to_string();
        assert!(
            e.contains("after") && e.contains("4 values") && e.contains("3 in `people`"),
            "{e}"
        );
    }
}
