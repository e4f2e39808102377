//! Disclosure across the release: a reader holding every file of a report
//! folder (the CSV tables and `run.json`) tries each derivation the tables
//! allow between them, and recovers no suppressed count.
//!
//! The derivations are written out here by hand, independently of the
//! crate's audit (`outcomes::disclosure::Release`, a linear programme):
//!
//! - validation: a file's rejected rows are `Rows read − Accepted`, and its
//!   reasons add up to them, so one suppressed reason among published ones
//!   (or one suppressed count of the three) would be a subtraction;
//! - the people kept for service use: `Kept` in `service_use_coverage`,
//!   `People − Left out` and `whole + part` there, `People` and
//!   `Matched + Unmatched + Discarded` in `matched_counts`, and the `all`
//!   columns of `propensity_overlap` (total, or the sum of the bins);
//! - the people matched: `Matched`, the overlap's matched total and bins, and
//!   `matched_effect`'s People less the other group's matched;
//! - orderings in the overlap table: in every bin the matched are at most
//!   all, which with the totals gives each suppressed bin an interval; an
//!   interval holding one non-zero whole number gives the cell away;
//! - `run.json` publishes exactly the validation tables' counts (`null` where
//!   they show `c`).
//!
//! A suppressed cell pinned to 0 is no disclosure (zeros are published), so
//! only a derived non-zero value fails.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use outcomes::evaluate::{self, EvaluationSpec, Progress};
use outcomes::synthetic::{write_sample, SyntheticSpec};

use crate::golden::sample_report;

/// One report table as its CSV shows it.
struct Csv {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn load(dir: &Path, stem: &str) -> Option<Csv> {
        let text = std::fs::read_to_string(dir.join(format!("tables/{stem}.csv"))).ok()?;
        let mut rdr = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .from_reader(text.as_bytes());
        let headers = rdr.headers().unwrap().iter().map(str::to_owned).collect();
        let rows = rdr
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        Some(Csv { headers, rows })
    }

    fn col(&self, name: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name:?} in {:?}", self.headers))
    }

    /// The published count, `None` if suppressed.
    fn n(&self, r: usize, name: &str) -> Option<u64> {
        let s = &self.rows[r][self.col(name)];
        if s == "c" {
            None
        } else {
            Some(
                s.parse()
                    .unwrap_or_else(|_| panic!("{name}: not a count: {s:?}")),
            )
        }
    }

    fn row(&self, first: &str) -> Option<usize> {
        self.rows.iter().position(|r| r[0] == first)
    }
}

/// Sum of published counts; `None` if any is suppressed.
fn sum(xs: &[Option<u64>]) -> Option<u64> {
    xs.iter().copied().sum()
}

fn sub(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    Some(a? - b?)
}

/// What the checks looked at, so that a test can insist it saw something.
#[derive(Default, Debug)]
struct Tried {
    /// Suppressed counts a derivation was tried on.
    suppressed: usize,
    /// Derivations tried.
    derivations: usize,
}

/// A suppressed count must stay unknown: every derivation of it fails.
fn none_derivable(what: &str, derived: &[(&str, Option<u64>)], tried: &mut Tried) {
    tried.suppressed += 1;
    for (how, v) in derived {
        tried.derivations += 1;
        if let Some(v) = v {
            assert_eq!(*v, 0, "{what} is suppressed but {how} gives {v}");
        }
    }
}

fn check_validation(dir: &Path, tried: &mut Tried) {
    let v = Csv::load(dir, "validation").expect("validation table");
    let reasons = Csv::load(dir, "validation_reasons").expect("validation_reasons table");
    for r in 0..v.rows.len() {
        let file = v.rows[r][0].clone();
        let read = v.n(r, "Rows read");
        let accepted = v.n(r, "Accepted");
        let rejected = v.n(r, "Rejected");
        let mine: Vec<Option<u64>> = reasons
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| row[0] == file)
            .map(|(i, _)| reasons.n(i, "Rows"))
            .collect();
        let by_reason = if mine.is_empty() { Some(0) } else { sum(&mine) };
        if rejected.is_none() {
            none_derivable(
                &format!("{file}: Rejected"),
                &[
                    ("Rows read − Accepted", sub(read, accepted)),
                    ("the sum of the reasons", by_reason),
                ],
                tried,
            );
        }
        if accepted.is_none() {
            none_derivable(
                &format!("{file}: Accepted"),
                &[
                    ("Rows read − Rejected", sub(read, rejected)),
                    ("Rows read − the reasons", sub(read, by_reason)),
                ],
                tried,
            );
        }
        let total = rejected.or(sub(read, accepted));
        for (i, x) in mine.iter().enumerate() {
            if x.is_none() {
                let others: Vec<Option<u64>> = mine
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .map(|(_, y)| *y)
                    .collect();
                none_derivable(
                    &format!("{file}: reason {i}"),
                    &[("rejected − the other reasons", sub(total, sum(&others)))],
                    tried,
                );
            }
        }
    }
    // run.json publishes the same counts as the tables, and no more.
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("run.json")).unwrap()).unwrap();
    let files = run["validation"].as_array().expect("run.json validation");
    assert_eq!(files.len(), v.rows.len());
    for (r, f) in files.iter().enumerate() {
        assert_eq!(f["file"].as_str(), Some(v.rows[r][0].as_str()));
        for (key, col) in [
            ("rows_read", "Rows read"),
            ("accepted", "Accepted"),
            ("rejected", "Rejected"),
        ] {
            assert_eq!(f[key].as_u64(), v.n(r, col), "run.json {key} of row {r}");
        }
        let mine: Vec<Option<u64>> = reasons
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| row[0] == v.rows[r][0])
            .map(|(i, _)| reasons.n(i, "Rows"))
            .collect();
        let json: Vec<Option<u64>> = f["by_reason"]
            .as_object()
            .unwrap()
            .values()
            .map(serde_json::Value::as_u64)
            .collect();
        assert_eq!(json, mine, "run.json reasons of {}", v.rows[r][0]);
    }
}

/// Interval of one overlap cell from the others: `all ≥ matched` in every
/// bin, and each column's bins add up to its total.
fn bin_bounds(
    cells: &[Option<u64>],
    floor: &[u64],
    ceiling: &[Option<u64>],
    total: Option<u64>,
    b: usize,
) -> (u64, Option<u64>) {
    let lo_here = floor[b];
    let mut hi = ceiling[b];
    if let Some(t) = total {
        let others_lo: u64 = (0..cells.len())
            .filter(|&j| j != b)
            .map(|j| cells[j].unwrap_or(floor[j]))
            .sum();
        let by_total = t.saturating_sub(others_lo);
        hi = Some(hi.map_or(by_total, |h| h.min(by_total)));
        let others_hi: Option<u64> = (0..cells.len())
            .filter(|&j| j != b)
            .map(|j| cells[j].or(ceiling[j]))
            .sum();
        if let Some(oh) = others_hi {
            return (lo_here.max(t.saturating_sub(oh)), hi);
        }
    }
    (lo_here, hi)
}

fn check_matching(dir: &Path, tried: &mut Tried) {
    let (Some(cov), Some(mc), Some(ov), Some(eff)) = (
        Csv::load(dir, "service_use_coverage"),
        Csv::load(dir, "matched_counts"),
        Csv::load(dir, "propensity_overlap"),
        Csv::load(dir, "matched_effect"),
    ) else {
        panic!(
            "{}: the matched comparison's tables are missing",
            dir.display()
        );
    };
    let total = ov.row("Total").expect("overlap Total row");
    let bins: Vec<usize> = (0..ov.rows.len()).filter(|&r| r != total).collect();
    let matched_of = |g: &str| mc.n(mc.row(g).unwrap(), "Matched");
    for g in ["Programme", "Comparison"] {
        let (c, m) = (cov.row(g).unwrap(), mc.row(g).unwrap());
        let all_col = format!("{g}, all");
        let matched_col = format!("{g}, matched");
        let all_bins: Vec<Option<u64>> = bins.iter().map(|&b| ov.n(b, &all_col)).collect();
        let matched_bins: Vec<Option<u64>> = bins.iter().map(|&b| ov.n(b, &matched_col)).collect();
        // The kept population, every way the release shows it.
        let kept = [
            ("coverage Kept", cov.n(c, "Kept")),
            (
                "coverage People − Left out",
                sub(cov.n(c, "People"), cov.n(c, "Left out")),
            ),
            (
                "coverage whole + part",
                sum(&[
                    cov.n(c, "Kept, whole windows observed"),
                    cov.n(c, "Kept, part of a window observed"),
                ]),
            ),
            ("matched_counts People", mc.n(m, "People")),
            (
                "Matched + Unmatched + Discarded",
                sum(&[
                    mc.n(m, "Matched"),
                    mc.n(m, "Unmatched"),
                    mc.n(m, "Discarded"),
                ]),
            ),
            ("overlap total", ov.n(total, &all_col)),
            ("overlap bins", sum(&all_bins)),
        ];
        let shown: Vec<u64> = kept.iter().filter_map(|(_, v)| *v).collect();
        if cov.n(c, "Kept").is_none() {
            none_derivable(&format!("{g}: people kept"), &kept, tried);
        }
        assert!(
            shown.windows(2).all(|w| w[0] == w[1]),
            "{g}: the kept population is shown as {kept:?}"
        );
        // Left out: the cohort less the kept, however found.
        if cov.n(c, "Left out").is_none() {
            let derived: Vec<(&str, Option<u64>)> = kept
                .iter()
                .map(|(how, v)| (*how, sub(cov.n(c, "People"), *v)))
                .collect();
            none_derivable(&format!("{g}: people left out"), &derived, tried);
        }
        // The matched population.
        let other = if g == "Programme" {
            "Comparison"
        } else {
            "Programme"
        };
        let matched = [
            ("matched_counts Matched", mc.n(m, "Matched")),
            (
                "People − Unmatched − Discarded",
                sub(
                    mc.n(m, "People"),
                    sum(&[mc.n(m, "Unmatched"), mc.n(m, "Discarded")]),
                ),
            ),
            ("overlap matched total", ov.n(total, &matched_col)),
            ("overlap matched bins", sum(&matched_bins)),
            (
                "matched_effect People − the other group's matched",
                sub(eff.n(0, "People"), matched_of(other)),
            ),
        ];
        if mc.n(m, "Matched").is_none() {
            none_derivable(&format!("{g}: people matched"), &matched, tried);
        }
        for col in ["Unmatched", "Discarded"] {
            if mc.n(m, col).is_none() {
                let rest: Vec<Option<u64>> = ["Matched", "Unmatched", "Discarded"]
                    .iter()
                    .filter(|&&x| x != col)
                    .map(|x| mc.n(m, x))
                    .collect();
                let people = kept.iter().find_map(|(_, v)| *v);
                none_derivable(
                    &format!("{g}: {col}"),
                    &[("People − the other two", sub(people, sum(&rest)))],
                    tried,
                );
            }
        }
        // Bins: an interval holding one non-zero whole number gives it away.
        let all_total = kept.iter().find_map(|(_, v)| *v);
        let matched_total = matched.iter().find_map(|(_, v)| *v);
        let floor_all: Vec<u64> = matched_bins.iter().map(|m| m.unwrap_or(0)).collect();
        let no_floor = vec![0; bins.len()];
        for (b, &row) in bins.iter().enumerate() {
            if all_bins[b].is_none() {
                let (lo, hi) =
                    bin_bounds(&all_bins, &floor_all, &vec![None; bins.len()], all_total, b);
                none_derivable(
                    &format!("{g}: all, bin {}", ov.rows[row][0]),
                    &[("the bounds", (Some(lo) == hi).then_some(lo))],
                    tried,
                );
            }
            if matched_bins[b].is_none() {
                let (lo, hi) = bin_bounds(&matched_bins, &no_floor, &all_bins, matched_total, b);
                none_derivable(
                    &format!("{g}: matched, bin {}", ov.rows[row][0]),
                    &[("the bounds", (Some(lo) == hi).then_some(lo))],
                    tried,
                );
            }
        }
    }
}

/// A report folder of the sample's generator at another seed and size.
fn generated_report(seed: u64, people: usize, root: &Path) -> PathBuf {
    let data = root.join(format!("data-{seed}"));
    std::fs::create_dir_all(&data).unwrap();
    let spec = SyntheticSpec {
        people,
        seed,
        ..SyntheticSpec::sample()
    };
    write_sample(&data, &spec).unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    for f in [
        "register.csv",
        "enrolment_counts.csv",
        "police_uk_street.csv",
        "population.csv",
        "evaluation.toml",
    ] {
        std::fs::copy(sample.join(f), data.join(f)).unwrap();
    }
    let mut spec = EvaluationSpec::from_path(data.join("evaluation.toml")).unwrap();
    spec.statistics.bootstrap_resamples = 200;
    let ev = evaluate::run(&spec, &Progress::quiet()).unwrap();
    let out = root.join(format!("report-{seed}"));
    evaluate::write_report(&ev, &out).unwrap();
    out
}

#[test]
fn sample_report_gives_no_suppressed_count_away_across_tables() {
    let dir = sample_report();
    let mut tried = Tried::default();
    check_validation(dir, &mut tried);
    check_matching(dir, &mut tried);
    // The sample exercises both: the police file's small reasons and the
    // coverage's small left-out counts.
    assert!(tried.suppressed >= 10, "{tried:?}");
    assert!(tried.derivations >= 30, "{tried:?}");
    crate::common::say_checked(&format!(
        "release disclosure, sample report: {} derivations of {} suppressed counts, none recovers one",
        tried.derivations, tried.suppressed
    ));
}

#[test]
fn generated_cohorts_give_no_suppressed_count_away_across_tables() {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("release-disclosure-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let mut tried = Tried::default();
    let mut per_seed = BTreeMap::new();
    for (seed, people) in [(7, 160), (11, 220), (2024, 400)] {
        let dir = generated_report(seed, people, &root);
        let before = tried.suppressed;
        check_validation(&dir, &mut tried);
        check_matching(&dir, &mut tried);
        per_seed.insert(seed, tried.suppressed - before);
    }
    let _ = std::fs::remove_dir_all(&root);
    assert!(
        per_seed.values().all(|&n| n > 0),
        "every cohort should have suppressed counts to attack: {per_seed:?}"
    );
    crate::common::say_checked(&format!(
        "release disclosure, 3 generated cohorts: {} derivations of {} suppressed counts, none \
         recovers one",
        tried.derivations, tried.suppressed
    ));
}
