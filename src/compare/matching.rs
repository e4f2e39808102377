//! Greedy nearest-neighbour matching on a scalar distance (a propensity score),
//! as MatchIt's `matchit(method = "nearest")` with a vector distance and
//! estimand ATT (checked against MatchIt 4.5.1 and validation.md §1d).
//!
//! # Algorithm (MatchIt's, re-implemented in O(n log n))
//!
//! Treated units are visited in `m.order` (largest score first by default;
//! R's `order()` is stable, so tied scores keep data order). With `ratio = k`
//! the visits are made in `k` rounds: every treated unit receives its first
//! control before any receives its second. At each visit the treated unit takes
//! the closest eligible control by `|d_t - d_c|`; eligible means not
//! discarded, not already used (matching without replacement), not already
//! matched to this treated unit, in the same exact-matching stratum, and within
//! the caliper (`|d_t - d_c| <= caliper`).
//!
//! All units of a stratum are sorted once by score (`O(n log n)`; ties in data
//! order, as a stable sort). Strata are independent, so treated units are
//! visited stratum by stratum in `m.order` within each stratum; for
//! `Largest`/`Smallest` that order is read off the sorted positions.
//! The closest unused control on each side of a treated unit's position is found
//! with two union–find "next unused" structures over the sorted positions (one
//! looking left, one right), so each visit costs amortised `O(α(n))`, plus
//! `O(k)` to skip a treated unit's own earlier matches when matching with
//! replacement. The whole match is `O(n log n + n k²)` instead of MatchIt's
//! worst case `O(n₁ n₀)`.
//!
//! # Neighbour rules
//!
//! MatchIt's rule for choosing among candidates changed between versions, and
//! MatchIt 4.5.1 (the version in Debian bookworm, `r-cran-matchit` 4.5.1-1)
//! has a defect, so three rules are offered ([`NeighbourRule`]):
//! * [`NeighbourRule::SortedNeighbour`] (default): MatchIt's rule as fixed in
//!   4.5.4 (upstream issue #163). Units are sorted by score (R's `order()`,
//!   ties in data order), the nearest usable control to the left and to the
//!   right of the treated unit in that order are compared by `|d_t - d_c|`
//!   (`std::abs`), and the left (lower-score) one wins ties: with scores tied
//!   by identical covariate profiles, that is the nearest tied control before
//!   the treated unit in data order, else the first after it. This is
//!   `nn_matchC_vec`'s `find_left` / `find_right` in MatchIt 4.5.4, checked
//!   against MatchIt on tied and untied scores in
//!   `tests/suite/matching_ties.rs`.
//! * [`NeighbourRule::DataOrder`]: the true nearest control, ties to the
//!   first control in data order: MatchIt before 4.5.1, as printed in its
//!   2020 vignette and reproduced in validation.md §1d.
//! * [`NeighbourRule::MatchIt451`]: bit-for-bit MatchIt 4.5.1. Its
//!   `nn_matchC_vec` calls C's integer `abs()` on `double` differences, so
//!   distances are **truncated to integers** before they are compared: on a
//!   probability-scale score the lower-score neighbour is always taken, and a
//!   caliper below 1 never excludes anyone. It also skips, in rounds after the
//!   first, the unit *following* each earlier match in data order instead of the
//!   earlier match itself (an off-by-one between 0- and 1-based indices), so with
//!   replacement a control can be matched twice to the same treated unit. Use
//!   this rule only to reproduce results produced with MatchIt 4.5.1.
//!
//! On the Lalonde data the two correct rules give the same matched set (12 of
//! the 185 treated units are paired with a different control of identical
//! score), so both reproduce validation.md §1d; MatchIt 4.5.1's truncation
//! swaps 6 controls and changes the balance table in the 2nd–3rd decimal. On
//! discrete covariates (age in years, sex, area, counts) ties are common and
//! the two correct rules pick different controls, with different effects.

use std::collections::BTreeMap;

use super::design::{column_sd, Covariate, CovariateValues};
use crate::error::{Error, Location, Result};
use crate::rng::Rng;

/// Number of controls matched to each treated unit (`ratio`), at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio(usize);

impl Ratio {
    /// One control per treated unit.
    pub const ONE: Ratio = Ratio(1);

    /// A `k`:1 ratio.
    ///
    /// # Errors
    /// [`Error::invalid_parameter`] if `k` is 0.
    pub fn new(k: usize) -> Result<Self> {
        if k == 0 {
            return Err(Error::invalid_parameter("ratio", k, "must be at least 1"));
        }
        Ok(Ratio(k))
    }

    /// The number of controls per treated unit.
    pub fn get(self) -> usize {
        self.0
    }
}

impl Default for Ratio {
    fn default() -> Self {
        Ratio::ONE
    }
}

/// Whether a control may be matched to more than one treated unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Replacement {
    /// Each control is used at most once (`replace = FALSE`).
    #[default]
    Without,
    /// Controls may be reused (`replace = TRUE`).
    With,
}

/// Maximum allowed distance between matched units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Caliper {
    /// In standard deviations of the distance over all non-discarded units,
    /// treated and control (`std.caliper = TRUE`, MatchIt's default).
    StandardDeviations(f64),
    /// In the distance's own units (`std.caliper = FALSE`).
    Absolute(f64),
}

impl Caliper {
    /// A caliper of `width` standard deviations.
    ///
    /// # Errors
    /// [`Error::invalid_parameter`] unless `width` is finite and positive.
    pub fn standard_deviations(width: f64) -> Result<Self> {
        check_width(width).map(|_| Caliper::StandardDeviations(width))
    }

    /// A caliper of `width` in distance units.
    ///
    /// # Errors
    /// [`Error::invalid_parameter`] unless `width` is finite and positive.
    pub fn absolute(width: f64) -> Result<Self> {
        check_width(width).map(|_| Caliper::Absolute(width))
    }
}

fn check_width(width: f64) -> Result<()> {
    if width.is_finite() && width > 0.0 {
        Ok(())
    } else {
        Err(Error::invalid_parameter(
            "caliper",
            width,
            "must be a finite positive number",
        ))
    }
}

/// Order in which treated units choose their controls (`m.order`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MatchOrder {
    /// Highest score first (MatchIt's default for a propensity score and ATT).
    #[default]
    Largest,
    /// Lowest score first.
    Smallest,
    /// Data order.
    Data,
    /// A random order drawn from [`Rng`] with this seed. Reproducible here, but
    /// it cannot reproduce R's `sample.int()` stream, so results differ from
    /// MatchIt's `m.order = "random"` even with the "same" seed.
    Random {
        /// Seed of the crate's xoshiro256++ generator.
        seed: u64,
    },
}

/// Common-support discarding (`discard`), applied to the distance before matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Discard {
    /// Keep everyone.
    #[default]
    None,
    /// Drop treated units outside the controls' range of the distance.
    Treated,
    /// Drop controls outside the treated units' range.
    Control,
    /// Drop units of either group outside the overlap of the two ranges.
    Both,
}

/// How the control is chosen among candidates (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NeighbourRule {
    /// The nearest control; ties go to the lower-score neighbour in sorted
    /// order, ties in score in data order (MatchIt 4.5.4 and later's
    /// `nn_matchC_vec`, with exact distances). The default.
    #[default]
    SortedNeighbour,
    /// The nearest control; ties go to the first control in data order
    /// (MatchIt before 4.5.1; validation.md §1d, the 2020 MatchIt vignette).
    DataOrder,
    /// MatchIt 4.5.1 exactly, including its integer truncation of distances and
    /// its off-by-one in later rounds. For reproducing MatchIt 4.5.1 output only.
    MatchIt451,
}

impl NeighbourRule {
    /// How the rule is described in a report.
    pub fn describe(self) -> &'static str {
        match self {
            NeighbourRule::SortedNeighbour => {
                "nearest control by |score difference|, ties to the lower-score neighbour in \
                 score order, tied scores in data order (MatchIt 4.5.4 and later)"
            }
            NeighbourRule::DataOrder => {
                "nearest control by |score difference|, ties to the first control in data \
                 order (MatchIt before 4.5.1)"
            }
            NeighbourRule::MatchIt451 => {
                "MatchIt 4.5.1 as released: score differences truncated to integers before \
                 they are compared (upstream issue #163), later rounds off by one"
            }
        }
    }
}

/// Options of nearest-neighbour matching. Defaults are MatchIt's: 1:1, without
/// replacement, no caliper, largest score first, no discarding; ties to the
/// lower-score neighbour (MatchIt 4.5.4 and later).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NearestNeighbour {
    /// Controls per treated unit.
    pub ratio: Ratio,
    /// With or without replacement.
    pub replacement: Replacement,
    /// Optional caliper.
    pub caliper: Option<Caliper>,
    /// Order of the treated units.
    pub order: MatchOrder,
    /// Common-support discarding.
    pub discard: Discard,
    /// How the control is chosen among candidates.
    pub rule: NeighbourRule,
}

/// One treated unit and the controls it was matched to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedSet {
    /// 0-based row of the treated unit.
    pub treated: usize,
    /// 0-based rows of its controls, in the order chosen (MatchIt's
    /// `match.matrix` row). Empty if unmatched.
    pub controls: Vec<usize>,
    /// The pair's subclass id (see [`Matching::subclass`]); `None` if unmatched
    /// or when matching with replacement.
    pub subclass: Option<usize>,
}

/// Counts for one group, as MatchIt's `summary()$nn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroupCounts {
    /// Units in the group.
    pub all: usize,
    /// Units with positive matching weight.
    pub matched: usize,
    /// Units not discarded and not matched.
    pub unmatched: usize,
    /// Units discarded for lack of common support.
    pub discarded: usize,
}

/// Counts for both groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MatchCounts {
    /// Treated group.
    pub treated: GroupCounts,
    /// Control group.
    pub control: GroupCounts,
}

/// Within-pair distance summary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairDistances {
    /// Number of (treated, control) pairs.
    pub pairs: usize,
    /// Largest `|d_t - d_c|`.
    pub max: f64,
    /// Mean `|d_t - d_c|`.
    pub mean: f64,
}

/// The result of matching.
#[derive(Debug, Clone, PartialEq)]
pub struct Matching {
    /// One entry per treated unit, in data order.
    pub sets: Vec<MatchedSet>,
    /// MatchIt's ATT weights: 1 for a matched treated unit; for a control, the
    /// sum over the treated units it serves of `1 / (number of controls of that
    /// unit)`, rescaled so the control weights sum to the number of matched
    /// controls; 0 for unmatched and discarded units.
    pub weights: Vec<f64>,
    /// Matched-pair subclass of each row (`None` if unmatched). Only for
    /// matching without replacement (as MatchIt); ids are 1-based and follow
    /// MatchIt's labelling (the text order of the treated unit's 1-based row number).
    pub subclass: Option<Vec<Option<usize>>>,
    /// Rows discarded by the common-support rule.
    pub discarded: Vec<bool>,
    /// The caliper in distance units, if one was used.
    pub caliper_width: Option<f64>,
    /// Matched / unmatched / discarded counts per group.
    pub counts: MatchCounts,
    /// Operations the matcher performed (a machine-independent measure of
    /// its cost, for checking that it grows as `n log n`).
    pub work: MatchWork,
}

/// Operation counts of one run of [`NearestNeighbour::run`]. The sort of
/// each stratum by score (`O(m log m)`, the standard library's) comes first;
/// the counts below are everything after it: the part that a naive matcher
/// does in `O(n₁ n₀)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MatchWork {
    /// Units sorted by score, summed over strata.
    pub sorted: u64,
    /// Visits of treated units (non-discarded treated units × rounds).
    pub visits: u64,
    /// Steps taken inside the "next unused position" union–find structures
    /// (one per call plus one per link followed).
    pub find_steps: u64,
    /// Candidate controls whose distance to a treated unit was compared.
    pub candidates: u64,
}

impl MatchWork {
    /// `find_steps + candidates + visits`: the matching phase's operations.
    pub fn matching_operations(&self) -> u64 {
        self.find_steps + self.candidates + self.visits
    }
}

impl Matching {
    /// `|d_t - d_c|` summarised over all matched pairs.
    ///
    /// # Errors
    /// [`Error::invalid_parameter`] if `distance` has the wrong length;
    /// [`Error::insufficient_data`] if there are no pairs.
    pub fn pair_distances(&self, distance: &[f64]) -> Result<PairDistances> {
        if distance.len() != self.weights.len() {
            return Err(Error::invalid_parameter(
                "distance",
                format!("{} rows", distance.len()),
                format!("must have {} rows", self.weights.len()),
            ));
        }
        let d: Vec<f64> = self
            .sets
            .iter()
            .flat_map(|s| s.controls.iter().map(move |&c| (s.treated, c)))
            .map(|(t, c)| (distance[t] - distance[c]).abs())
            .collect();
        if d.is_empty() {
            return Err(Error::insufficient_data(
                "pair distances",
                "no matched pairs",
            ));
        }
        Ok(PairDistances {
            pairs: d.len(),
            max: d.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
            mean: d.iter().sum::<f64>() / d.len() as f64,
        })
    }
}

/// Union–find "nearest available position" over `0..m` in one direction.
/// `parent[i] == i` means `i` is available; `m` is the "none" sentinel.
#[derive(Debug)]
struct NextFree {
    parent: Vec<usize>,
    /// Calls plus links followed (for [`MatchWork::find_steps`]).
    steps: u64,
}

impl NextFree {
    fn new(m: usize, available: impl Fn(usize) -> bool) -> Self {
        let parent = (0..=m)
            .map(|i| if i == m || available(i) { i } else { i + 1 })
            .collect();
        NextFree { parent, steps: 0 }
    }

    fn find(&mut self, mut i: usize) -> usize {
        self.steps += 1;
        while self.parent[i] != i {
            self.steps += 1;
            let next = self.parent[self.parent[i]];
            self.parent[i] = next;
            i = next;
        }
        i
    }

    fn remove(&mut self, i: usize) {
        self.parent[i] = i + 1;
    }
}

/// One exact-matching stratum: its units sorted by distance.
#[derive(Debug)]
struct Stratum {
    /// Data row at each sorted position.
    unit: Vec<usize>,
    /// Distance at each sorted position.
    dist: Vec<f64>,
    /// First and last position of the run of equal distances containing a position.
    run_start: Vec<usize>,
    run_end: Vec<usize>,
    /// Looking right: positions `0..m`.
    right: NextFree,
    /// Looking left: position `p` stored at `m - 1 - p`.
    left: NextFree,
    /// Candidate distances compared (for [`MatchWork::candidates`]).
    candidates: u64,
}

impl Stratum {
    /// `rows` must be in increasing (data) order.
    fn new(rows: Vec<usize>, distance: &[f64], usable: &[bool]) -> Self {
        // Stable sort by distance, ties in data order (R's sort.list, radix):
        // an unstable sort of (total-order key, row) pairs gives the same order,
        // on contiguous memory (no indirect comparisons).
        let mut keyed: Vec<(u64, usize)> = rows
            .into_iter()
            .map(|r| (order_key(distance[r]), r))
            .collect();
        keyed.sort_unstable();
        let m = keyed.len();
        let rows: Vec<usize> = keyed.iter().map(|&(_, r)| r).collect();
        let dist: Vec<f64> = keyed.iter().map(|&(k, _)| from_order_key(k)).collect();
        drop(keyed);
        let avail: Vec<bool> = rows.iter().map(|&r| usable[r]).collect();
        let mut run_start = vec![0; m];
        let mut run_end = vec![0; m];
        for p in 0..m {
            run_start[p] = if p > 0 && dist[p - 1] == dist[p] {
                run_start[p - 1]
            } else {
                p
            };
        }
        for p in (0..m).rev() {
            run_end[p] = if p + 1 < m && dist[p + 1] == dist[p] {
                run_end[p + 1]
            } else {
                p
            };
        }
        let right = NextFree::new(m, |p| avail[p]);
        let left = NextFree::new(m, |q| avail[m - 1 - q]);
        Stratum {
            unit: rows,
            dist,
            run_start,
            run_end,
            right,
            left,
            candidates: 0,
        }
    }

    fn len(&self) -> usize {
        self.unit.len()
    }

    /// Smallest available position `>= p` not in `own`.
    fn next_avail(&mut self, mut p: usize, own: &[usize]) -> Option<usize> {
        let m = self.len();
        loop {
            if p >= m {
                return None;
            }
            let q = self.right.find(p);
            if q >= m {
                return None;
            }
            if own.contains(&q) {
                p = q + 1;
                continue;
            }
            return Some(q);
        }
    }

    /// Largest available position `<= p` not in `own` (`p` may be "−1" as `None`).
    fn prev_avail(&mut self, p: Option<usize>, own: &[usize]) -> Option<usize> {
        let m = self.len();
        let mut p = p?;
        loop {
            if p >= m {
                return None;
            }
            let q = self.left.find(m - 1 - p);
            if q >= m {
                return None;
            }
            let pos = m - 1 - q;
            if own.contains(&pos) {
                if pos == 0 {
                    return None;
                }
                p = pos - 1;
                continue;
            }
            return Some(pos);
        }
    }

    fn remove(&mut self, p: usize) {
        let m = self.len();
        self.right.remove(p);
        self.left.remove(m - 1 - p);
    }

    /// The control position chosen for the treated unit at position `p`;
    /// positions in `own` are skipped.
    fn choose(
        &mut self,
        p: usize,
        own: &[usize],
        caliper: Option<f64>,
        rule: NeighbourRule,
    ) -> Option<usize> {
        let dt = self.dist[p];
        // MatchIt 4.5.1 passes the double difference to C's int abs(): truncation.
        let measure = |d: f64| match rule {
            NeighbourRule::MatchIt451 => truncate_abs(d),
            _ => d.abs(),
        };
        let within = |d: f64| caliper.is_none_or(|c| measure(d) <= c);
        let l = self
            .prev_avail(p.checked_sub(1), own)
            .filter(|&l| within(self.dist[l] - dt));
        let r = self
            .next_avail(p + 1, own)
            .filter(|&r| within(self.dist[r] - dt));
        let dl = l.map(|l| measure(self.dist[l] - dt));
        let dr = r.map(|r| measure(self.dist[r] - dt));
        self.candidates += u64::from(l.is_some()) + u64::from(r.is_some());
        match rule {
            NeighbourRule::SortedNeighbour | NeighbourRule::MatchIt451 => match (l, r) {
                (Some(l), Some(r)) => Some(if dl <= dr { l } else { r }),
                (Some(l), None) => Some(l),
                (None, r) => r,
            },
            NeighbourRule::DataOrder => {
                let dmin = match (dl, dr) {
                    (Some(a), Some(b)) => a.min(b),
                    (Some(a), None) => a,
                    (None, Some(b)) => b,
                    (None, None) => return None,
                };
                let mut best: Option<usize> = None;
                let mut consider = |s: &mut Stratum, q: usize| {
                    s.candidates += 1;
                    // Lowest data row available in q's run of equal distances.
                    if let Some(first) = s.next_avail(s.run_start[q], own) {
                        if best.is_none_or(|b| s.unit[first] < s.unit[b]) {
                            best = Some(first);
                        }
                    }
                };
                let mut cur = l;
                while let Some(q) = cur {
                    if (self.dist[q] - dt).abs() != dmin {
                        break;
                    }
                    consider(self, q);
                    cur = self.prev_avail(self.run_start[q].checked_sub(1), own);
                }
                let mut cur = r;
                while let Some(q) = cur {
                    if (self.dist[q] - dt).abs() != dmin {
                        break;
                    }
                    consider(self, q);
                    cur = self.next_avail(self.run_end[q] + 1, own);
                }
                best
            }
        }
    }
}

/// A `u64` whose unsigned order is `f64::total_cmp`'s order.
pub(crate) fn order_key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// The inverse of [`order_key`].
pub(crate) fn from_order_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// `|x|` after C's conversion of a double to `int` (truncation toward zero),
/// as MatchIt 4.5.1's `abs(distance[i] - distance[k])` computes it.
fn truncate_abs(x: f64) -> f64 {
    // Saturating conversion; C's behaviour outside the int range is undefined.
    let i = x
        .trunc()
        .clamp(f64::from(i32::MIN + 1), f64::from(i32::MAX));
    i.abs()
}

/// The stratum key of each row for exact matching.
fn exact_keys(exact: &[Covariate], n: usize) -> Result<Vec<usize>> {
    if exact.is_empty() {
        return Ok(vec![0; n]);
    }
    let mut map: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    let mut out = Vec::with_capacity(n);
    for c in exact {
        if c.len() != n {
            return Err(Error::invalid_parameter(
                format!("exact covariate `{}`", c.name()),
                format!("{} rows", c.len()),
                format!("must have {n} rows"),
            ));
        }
        c.check_finite("exact matching")?;
    }
    for i in 0..n {
        let key: Vec<String> = exact
            .iter()
            .map(|c| match c.values() {
                CovariateValues::Numeric(v) => {
                    let x = v[i];
                    // -0 and 0 are the same value.
                    format!("{:?}", if x == 0.0 { 0.0 } else { x })
                }
                CovariateValues::Categorical { values, .. } => values[i].clone(),
            })
            .collect();
        let next = map.len();
        out.push(*map.entry(key).or_insert(next));
    }
    Ok(out)
}

fn discard_rule(distance: &[f64], treated: &[bool], rule: Discard) -> Vec<bool> {
    let range = |want: bool| {
        distance
            .iter()
            .zip(treated)
            .filter(|(_, &t)| t == want)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (&d, _)| {
                (lo.min(d), hi.max(d))
            })
    };
    let (min1, max1) = range(true);
    let (min0, max0) = range(false);
    distance
        .iter()
        .map(|&d| match rule {
            Discard::None => false,
            Discard::Both => d < min0.max(min1) || d > max0.min(max1),
            Discard::Control => d < min1 || d > max1,
            Discard::Treated => d < min0 || d > max0,
        })
        .collect()
}

impl NearestNeighbour {
    /// Matches each treated unit to its nearest control(s) on `distance`.
    ///
    /// `treated[i]` is the group of row `i`. `exact` lists covariates on which
    /// matches must agree exactly (empty for none).
    ///
    /// # Errors
    /// * [`Error::invalid_parameter`] if lengths differ;
    /// * [`Error::invalid_value`] for a non-finite distance (row named);
    /// * [`Error::insufficient_data`] if a group is empty or nothing was matched
    ///   (MatchIt: "No units were matched").
    pub fn run(&self, distance: &[f64], treated: &[bool], exact: &[Covariate]) -> Result<Matching> {
        let n = distance.len();
        if treated.len() != n {
            return Err(Error::invalid_parameter(
                "treated",
                format!("{} rows", treated.len()),
                format!("must have as many rows as the distance ({n})"),
            ));
        }
        if let Some((i, d)) = distance.iter().enumerate().find(|(_, d)| !d.is_finite()) {
            return Err(Error::invalid_value(
                Location::source("matching")
                    .row(i as u64 + 1)
                    .column("distance"),
                d.to_string(),
                "the matching distance must be finite",
            ));
        }
        let n1 = treated.iter().filter(|&&t| t).count();
        if n1 == 0 || n1 == n {
            return Err(Error::insufficient_data(
                "nearest-neighbour matching",
                "both a treated and a control group are needed",
            ));
        }
        let strata = exact_keys(exact, n)?;
        let discarded = discard_rule(distance, treated, self.discard);
        let caliper_width = match self.caliper {
            None => None,
            Some(Caliper::Absolute(w)) => Some(w),
            Some(Caliper::StandardDeviations(k)) => {
                let kept: Vec<f64> = distance
                    .iter()
                    .zip(&discarded)
                    .filter(|(_, &x)| !x)
                    .map(|(&d, _)| d)
                    .collect();
                // MatchIt drops a caliper on a distance with one unique value.
                let sd = column_sd(&kept);
                if sd > 0.0 {
                    Some(k * sd)
                } else {
                    None
                }
            }
        };

        // Strata with their sorted structures.
        let usable: Vec<bool> = (0..n).map(|i| !treated[i] && !discarded[i]).collect();
        let n_strata = strata.iter().copied().max().map_or(0, |m| m + 1);
        let mut rows_by: Vec<Vec<usize>> = vec![Vec::new(); n_strata];
        for (i, &s) in strata.iter().enumerate() {
            rows_by[s].push(i);
        }
        let compat = self.rule == NeighbourRule::MatchIt451;
        // MatchIt451 only: each row's index in its stratum's data order.
        let (local_index, stratum_rows) = if compat {
            let mut local_index = vec![0usize; n];
            for rows in &rows_by {
                for (j, &u) in rows.iter().enumerate() {
                    local_index[u] = j;
                }
            }
            (local_index, rows_by.clone())
        } else {
            (Vec::new(), Vec::new())
        };
        let mut structs: Vec<Stratum> = rows_by
            .into_iter()
            .map(|rows| Stratum::new(rows, distance, &usable))
            .collect();
        let need_pos = compat || matches!(self.order, MatchOrder::Data | MatchOrder::Random { .. });
        let mut pos_of = Vec::new();
        if need_pos {
            pos_of = vec![0usize; n];
            for st in &structs {
                for (p, &u) in st.unit.iter().enumerate() {
                    pos_of[u] = p;
                }
            }
        }

        // Visits: (stratum, sorted position) of each non-discarded treated unit
        // in m.order (R's order() is stable: ties in data order). A control
        // serves only its own stratum, so strata are independent and only the
        // order within each stratum matters; for Largest / Smallest it is read
        // off the stratum's sorted positions (no random access, no second sort).
        let mut visits: Vec<(usize, usize)> = Vec::with_capacity(n1);
        match self.order {
            MatchOrder::Largest | MatchOrder::Smallest => {
                for (si, st) in structs.iter().enumerate() {
                    let mut take = |p: usize| {
                        let u = st.unit[p];
                        if treated[u] && !discarded[u] {
                            visits.push((si, p));
                        }
                    };
                    let m = st.len();
                    if self.order == MatchOrder::Smallest {
                        (0..m).for_each(&mut take);
                    } else {
                        // Descending by value; within a run of identical values
                        // (same bits, as total_cmp), ascending = data order.
                        let mut end = m;
                        while end > 0 {
                            let bits = st.dist[end - 1].to_bits();
                            let mut start = end - 1;
                            while start > 0 && st.dist[start - 1].to_bits() == bits {
                                start -= 1;
                            }
                            (start..end).for_each(&mut take);
                            end = start;
                        }
                    }
                }
            }
            MatchOrder::Data | MatchOrder::Random { .. } => {
                let mut order: Vec<usize> = (0..n).filter(|&i| treated[i]).collect();
                if let MatchOrder::Random { seed } = self.order {
                    Rng::new(seed).shuffle(&mut order);
                }
                visits.extend(
                    order
                        .into_iter()
                        .filter(|&t| !discarded[t])
                        .map(|t| (strata[t], pos_of[t])),
                );
            }
        }

        let k = self.ratio.get();
        // chosen[v * k + r]: position matched to visit v in round r (count[v] filled).
        let mut chosen: Vec<usize> = vec![0; visits.len() * k];
        let mut count: Vec<usize> = vec![0; visits.len()];
        for _round in 0..k {
            for (v, &(si, p)) in visits.iter().enumerate() {
                let st = &mut structs[si];
                let own = &chosen[v * k..v * k + count[v]];
                let skip451: Vec<usize>;
                let skip: &[usize] = if compat {
                    // 4.5.1 compares 0-based indices with 1-based ones:
                    // it skips the unit after the match in (stratum) data order.
                    skip451 = own
                        .iter()
                        .filter_map(|&c| {
                            let u = st.unit[c];
                            stratum_rows[si]
                                .get(local_index[u] + 1)
                                .map(|&next| pos_of[next])
                        })
                        .collect();
                    &skip451
                } else {
                    own
                };
                if let Some(c) = st.choose(p, skip, caliper_width, self.rule) {
                    if self.replacement == Replacement::Without {
                        st.remove(c);
                    }
                    chosen[v * k + count[v]] = c;
                    count[v] += 1;
                }
            }
        }

        let mut sets: Vec<MatchedSet> = (0..n)
            .filter(|&i| treated[i])
            .map(|t| MatchedSet {
                treated: t,
                controls: Vec::new(),
                subclass: None,
            })
            .collect();
        let mut set_of = vec![usize::MAX; n];
        for (j, s) in sets.iter().enumerate() {
            set_of[s.treated] = j;
        }
        for (v, &(si, p)) in visits.iter().enumerate() {
            let st = &structs[si];
            if let Some(set) = set_of.get(st.unit[p]).and_then(|&j| sets.get_mut(j)) {
                set.controls = chosen[v * k..v * k + count[v]]
                    .iter()
                    .map(|&c| st.unit[c])
                    .collect();
            }
        }

        // Weights (MatchIt weights.matrix, ATT).
        let mut weights = vec![0.0; n];
        for s in &sets {
            if s.controls.is_empty() {
                continue;
            }
            weights[s.treated] = 1.0;
            let share = 1.0 / s.controls.len() as f64;
            for &c in &s.controls {
                weights[c] += share;
            }
        }
        let (sum0, m0) = (0..n)
            .filter(|&i| !treated[i] && weights[i] > 0.0)
            .fold((0.0, 0usize), |(s, m), i| (s + weights[i], m + 1));
        if m0 == 0 {
            return Err(Error::insufficient_data(
                "nearest-neighbour matching",
                "no units were matched",
            ));
        }
        let scale = m0 as f64 / sum0;
        for i in 0..n {
            if !treated[i] {
                weights[i] *= scale;
            }
        }

        let subclass = match self.replacement {
            Replacement::With => None,
            Replacement::Without => {
                let mut labelled: Vec<&MatchedSet> =
                    sets.iter().filter(|s| !s.controls.is_empty()).collect();
                labelled.sort_by_cached_key(|s| (s.treated + 1).to_string());
                let mut sub = vec![None; n];
                for (id, s) in labelled.iter().enumerate() {
                    sub[s.treated] = Some(id + 1);
                    for &c in &s.controls {
                        sub[c] = Some(id + 1);
                    }
                }
                for s in sets.iter_mut() {
                    s.subclass = sub[s.treated];
                }
                Some(sub)
            }
        };

        let group = |want: bool| {
            let mut g = GroupCounts::default();
            for i in (0..n).filter(|&i| treated[i] == want) {
                g.all += 1;
                if weights[i] > 0.0 {
                    g.matched += 1;
                } else if discarded[i] {
                    g.discarded += 1;
                } else {
                    g.unmatched += 1;
                }
            }
            g
        };
        let counts = MatchCounts {
            treated: group(true),
            control: group(false),
        };
        let work = MatchWork {
            sorted: structs.iter().map(|st| st.len() as u64).sum(),
            visits: (visits.len() * k) as u64,
            find_steps: structs
                .iter()
                .map(|st| st.right.steps + st.left.steps)
                .sum(),
            candidates: structs.iter().map(|st| st.candidates).sum(),
        };
        Ok(Matching {
            sets,
            weights,
            subclass,
            discarded,
            caliper_width,
            counts,
            work,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Brute-force O(n1 n0) version of each rule (DataOrder / SortedNeighbour /
    /// MatchIt451), written as plain scans, used to check the fast structure.
    fn brute(d: &[f64], t: &[bool], nn: &NearestNeighbour, cal: Option<f64>) -> Vec<Vec<usize>> {
        let n = d.len();
        let mut order: Vec<usize> = (0..n).filter(|&i| t[i]).collect();
        match nn.order {
            MatchOrder::Largest => order.sort_by(|&a, &b| d[b].total_cmp(&d[a])),
            MatchOrder::Smallest => order.sort_by(|&a, &b| d[a].total_cmp(&d[b])),
            _ => {}
        }
        // sorted positions of all units for the SortedNeighbour rule
        let mut sorted: Vec<usize> = (0..n).collect();
        sorted.sort_by(|&a, &b| d[a].total_cmp(&d[b]));
        let mut pos = vec![0; n];
        for (p, &u) in sorted.iter().enumerate() {
            pos[u] = p;
        }
        let mut used = vec![false; n];
        let mut out = vec![Vec::new(); n];
        for _ in 0..nn.ratio.get() {
            for &i in &order {
                let ok = |j: usize, used: &[bool], out: &[Vec<usize>]| {
                    !t[j]
                        && !used[j]
                        && !out[i].contains(&j)
                        && cal.is_none_or(|c| (d[j] - d[i]).abs() <= c)
                };
                let pick = match nn.rule {
                    NeighbourRule::DataOrder => {
                        let mut best: Option<usize> = None;
                        for j in 0..n {
                            if ok(j, &used, &out)
                                && best.is_none_or(|b| (d[j] - d[i]).abs() < (d[b] - d[i]).abs())
                            {
                                best = Some(j);
                            }
                        }
                        best
                    }
                    NeighbourRule::SortedNeighbour | NeighbourRule::MatchIt451 => {
                        let compat = nn.rule == NeighbourRule::MatchIt451;
                        let m = |x: f64| if compat { truncate_abs(x) } else { x.abs() };
                        let excluded = |j: usize, out: &[Vec<usize>]| {
                            if compat {
                                out[i].iter().any(|&o| o + 1 == j)
                            } else {
                                out[i].contains(&j)
                            }
                        };
                        let p = pos[i];
                        let l = (0..p)
                            .rev()
                            .map(|q| sorted[q])
                            .find(|&j| !t[j] && !used[j] && !excluded(j, &out));
                        let r = (p + 1..n)
                            .map(|q| sorted[q])
                            .find(|&j| !t[j] && !used[j] && !excluded(j, &out));
                        let inside = |j: usize| cal.is_none_or(|c| m(d[j] - d[i]) <= c);
                        let l = l.filter(|&j| inside(j));
                        let r = r.filter(|&j| inside(j));
                        match (l, r) {
                            (Some(l), Some(r)) => Some(if m(d[l] - d[i]) <= m(d[r] - d[i]) {
                                l
                            } else {
                                r
                            }),
                            (Some(l), None) => Some(l),
                            (None, r) => r,
                        }
                    }
                };
                if let Some(j) = pick {
                    if nn.replacement == Replacement::Without {
                        used[j] = true;
                    }
                    out[i].push(j);
                }
            }
        }
        out
    }

    fn spec(
        ratio: usize,
        repl: Replacement,
        ties: NeighbourRule,
        order: MatchOrder,
    ) -> NearestNeighbour {
        NearestNeighbour {
            ratio: Ratio::new(ratio).unwrap(),
            replacement: repl,
            rule: ties,
            order,
            ..Default::default()
        }
    }

    proptest! {
        #[test]
        fn fast_equals_brute_force(
            vals in prop::collection::vec((0u8..12, any::<bool>()), 2..60),
            ratio in 1usize..4,
            with in any::<bool>(),
            rule in 0usize..3,
            order in 0usize..3,
            cal in prop::option::of(1u8..5),
        ) {
            // Coarse values force many ties.
            let scale = if rule == 2 { 3.0 } else { 10.0 };
            let d: Vec<f64> = vals.iter().map(|(v, _)| f64::from(*v) / scale).collect();
            let t: Vec<bool> = vals.iter().map(|(_, t)| *t).collect();
            prop_assume!(t.iter().any(|&x| x) && t.iter().any(|&x| !x));
            let mut nn = spec(
                ratio,
                if with { Replacement::With } else { Replacement::Without },
                [NeighbourRule::SortedNeighbour, NeighbourRule::DataOrder, NeighbourRule::MatchIt451][rule],
                [MatchOrder::Largest, MatchOrder::Smallest, MatchOrder::Data][order],
            );
            let calw = cal.map(|c| f64::from(c) / 10.0 + 1e-9);
            nn.caliper = calw.map(|w| Caliper::absolute(w).unwrap());
            let expect = brute(&d, &t, &nn, calw);
            match nn.run(&d, &t, &[]) {
                Ok(m) => {
                    for s in &m.sets {
                        prop_assert_eq!(&s.controls, &expect[s.treated]);
                    }
                    let sw: f64 = m.weights.iter().zip(&t).filter(|(_, &x)| !x).map(|(w, _)| w).sum();
                    prop_assert!((sw - m.counts.control.matched as f64).abs() < 1e-9);
                }
                Err(_) => prop_assert!(expect.iter().all(|v| v.is_empty())),
            }
        }

        /// Exact strata are independent: matching with `exact` equals matching
        /// each stratum on its own (every rule and order, with ties).
        #[test]
        fn exact_strata_match_separately(
            vals in prop::collection::vec((0u8..8, any::<bool>(), 0u8..3), 2..50),
            ratio in 1usize..3,
            with in any::<bool>(),
            rule in 0usize..3,
            order in 0usize..4,
        ) {
            let d: Vec<f64> = vals.iter().map(|v| f64::from(v.0) / 4.0).collect();
            let t: Vec<bool> = vals.iter().map(|v| v.1).collect();
            let g: Vec<String> = vals.iter().map(|v| v.2.to_string()).collect();
            let nn = NearestNeighbour {
                ratio: Ratio::new(ratio).unwrap(),
                replacement: if with { Replacement::With } else { Replacement::Without },
                rule: [NeighbourRule::SortedNeighbour, NeighbourRule::DataOrder, NeighbourRule::MatchIt451][rule],
                order: [MatchOrder::Largest, MatchOrder::Smallest, MatchOrder::Data, MatchOrder::Data][order],
                caliper: Some(Caliper::absolute(0.6).unwrap()),
                ..Default::default()
            };
            let all = nn.run(&d, &t, &[Covariate::categorical("g", g.clone())]);
            let mut expect: Vec<Vec<usize>> = vec![Vec::new(); d.len()];
            for level in ["0", "1", "2"] {
                let rows: Vec<usize> = (0..d.len()).filter(|&i| g[i] == level).collect();
                let ds: Vec<f64> = rows.iter().map(|&i| d[i]).collect();
                let ts: Vec<bool> = rows.iter().map(|&i| t[i]).collect();
                if let Ok(m) = nn.run(&ds, &ts, &[]) {
                    for s in m.sets {
                        expect[rows[s.treated]] = s.controls.iter().map(|&c| rows[c]).collect();
                    }
                }
            }
            match all {
                Ok(m) => {
                    for s in &m.sets {
                        prop_assert_eq!(&s.controls, &expect[s.treated]);
                    }
                }
                Err(_) => prop_assert!(expect.iter().all(|v| v.is_empty())),
            }
        }

        #[test]
        fn never_panics(
            vals in prop::collection::vec((-1e3f64..1e3, any::<bool>(), 0u8..3), 0..40),
            ratio in 1usize..3,
            disc in 0u8..4,
            rule in 0usize..3,
            with in any::<bool>(),
            seed in any::<u64>(),
        ) {
            let d: Vec<f64> = vals.iter().map(|v| v.0).collect();
            let t: Vec<bool> = vals.iter().map(|v| v.1).collect();
            let ex = Covariate::numeric("e", vals.iter().map(|v| f64::from(v.2)).collect());
            let nn = NearestNeighbour {
                ratio: Ratio::new(ratio).unwrap(),
                discard: [Discard::None, Discard::Both, Discard::Control, Discard::Treated][disc as usize],
                caliper: Some(Caliper::standard_deviations(0.5).unwrap()),
                rule: [NeighbourRule::SortedNeighbour, NeighbourRule::DataOrder, NeighbourRule::MatchIt451][rule],
                replacement: if with { Replacement::With } else { Replacement::Without },
                order: MatchOrder::Random { seed },
            };
            if let Ok(m) = nn.run(&d, &t, std::slice::from_ref(&ex)) {
                prop_assert!(m.weights.iter().all(|w| w.is_finite() && *w >= 0.0));
                let c = m.counts;
                prop_assert_eq!(c.treated.all + c.control.all, d.len());
                prop_assert_eq!(c.control.matched + c.control.unmatched + c.control.discarded, c.control.all);
                prop_assert_eq!(c.treated.matched + c.treated.unmatched + c.treated.discarded, c.treated.all);
                let sw: f64 = m.weights.iter().zip(&t).filter(|(_, &x)| !x).map(|(w, _)| w).sum();
                prop_assert!((sw - c.control.matched as f64).abs() < 1e-9);
                let b = crate::compare::balance(&[ex], &t, Some(&d), Some(&m)).unwrap();
                for r in b.before.rows.iter().chain(b.after.unwrap().rows.iter()) {
                    for v in [r.smd_treated_sd, r.smd_pooled_sd, r.variance_ratio, r.ecdf_mean, r.ecdf_max, r.std_pair_distance].into_iter().flatten() {
                        prop_assert!(v.is_finite());
                    }
                    if let Some(e) = r.ecdf_max {
                        prop_assert!((0.0..=1.0 + 1e-12).contains(&e));
                    }
                }
            }
        }
    }

    #[test]
    fn ties_differ_between_rules() {
        // Treated at 0.5; controls at 0.4 (row 1), 0.6 (row 2), 0.4 (row 3).
        let d = [0.5, 0.4, 0.6, 0.4];
        let t = [true, false, false, false];
        let nn = NearestNeighbour {
            rule: NeighbourRule::DataOrder,
            ..Default::default()
        };
        let m = nn.run(&d, &t, &[]).unwrap();
        assert_eq!(m.sets[0].controls, vec![1]);
        // The default is MatchIt 4.5.4's sorted-neighbour rule.
        assert_eq!(
            NearestNeighbour::default().rule,
            NeighbourRule::SortedNeighbour
        );
        // Sorted order: 0.4(r1) 0.4(r3) 0.5(T) 0.6(r2): the left neighbour is row 3.
        let nn = NearestNeighbour {
            rule: NeighbourRule::SortedNeighbour,
            ..Default::default()
        };
        let m = nn.run(&d, &t, &[]).unwrap();
        assert_eq!(m.sets[0].controls, vec![3]);
        // 4.5.1 truncates both distances to 0 and takes the left one too.
        let nn = NearestNeighbour {
            rule: NeighbourRule::MatchIt451,
            ..Default::default()
        };
        assert_eq!(nn.run(&d, &t, &[]).unwrap().sets[0].controls, vec![3]);
        // Exact tie across sides (0.25 and 0.75 around 0.5): left wins for
        // SortedNeighbour, data order for DataOrder.
        let d = [0.5, 0.75, 0.25];
        let t = [true, false, false];
        let nn = NearestNeighbour {
            rule: NeighbourRule::DataOrder,
            ..Default::default()
        };
        assert_eq!(nn.run(&d, &t, &[]).unwrap().sets[0].controls, vec![1]);
        let nn = NearestNeighbour {
            rule: NeighbourRule::SortedNeighbour,
            ..Default::default()
        };
        assert_eq!(nn.run(&d, &t, &[]).unwrap().sets[0].controls, vec![2]);
    }

    #[test]
    fn exact_and_discard() {
        let d = [0.9, 0.1, 0.85, 0.2, 0.95];
        let t = [true, true, false, false, false];
        let ex = Covariate::categorical(
            "g",
            ["a", "b", "b", "b", "a"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        );
        let m = NearestNeighbour::default().run(&d, &t, &[ex]).unwrap();
        assert_eq!(m.sets[0].controls, vec![4]);
        assert_eq!(m.sets[1].controls, vec![3]);
        let nn = NearestNeighbour {
            discard: Discard::Both,
            ..Default::default()
        };
        let m = nn.run(&d, &t, &[]).unwrap();
        // overlap is [max(0.2? no: min0=0.2,min1=0.1)=0.2, min(max0=0.95,max1=0.9)=0.9]
        assert_eq!(m.discarded, vec![false, true, false, false, true]);
        assert_eq!(m.counts.treated.discarded, 1);
        assert_eq!(m.sets[0].controls, vec![2]);
    }

    #[test]
    fn random_order_is_reproducible() {
        let d: Vec<f64> = (0..40).map(|i| f64::from(i * 7 % 40) / 40.0).collect();
        let t: Vec<bool> = (0..40).map(|i| i % 3 == 0).collect();
        let nn = NearestNeighbour {
            order: MatchOrder::Random { seed: 7 },
            ..Default::default()
        };
        let a = nn.run(&d, &t, &[]).unwrap();
        let b = nn.run(&d, &t, &[]).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn bad_inputs() {
        assert!(Ratio::new(0).is_err());
        assert!(Caliper::absolute(-1.0).is_err());
        assert!(Caliper::standard_deviations(f64::NAN).is_err());
        let nn = NearestNeighbour::default();
        assert!(nn.run(&[0.1, 0.2], &[true], &[]).is_err());
        assert!(nn.run(&[0.1, f64::NAN], &[true, false], &[]).is_err());
        assert!(nn.run(&[0.1, 0.2], &[true, true], &[]).is_err());
        let nn = NearestNeighbour {
            caliper: Some(Caliper::absolute(0.01).unwrap()),
            ..Default::default()
        };
        assert!(nn.run(&[0.1, 0.2], &[true, false], &[]).is_err());
    }
}
