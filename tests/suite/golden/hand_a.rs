//! Part A of the golden values (validation, NDT, service use, the binary
//! outcome): every part-A table against `tests/data/golden/<stem>.csv`, written
//! by `scripts/golden/part_a.py` (an independent Python re-implementation run
//! as `/work/venv/bin/python scripts/golden/part_a.py`: Python 3.11, numpy,
//! scipy, statsmodels), and one number of each section traced by hand from the
//! raw files in `data/sample/` with plain Rust (the `csv` and `chrono` crates,
//! no `outcomes` API in the computation).

use std::collections::HashMap;
use std::path::Path;

use chrono::{Months, NaiveDate};

use super::{compare_with_golden, Published};

/// The stems of part A's tables.
const PART_A: [&str; 10] = [
    "validation",
    "validation_reasons",
    "ndt_selection",
    "ndt_total_change",
    "ndt_reliable_change",
    "ndt_items",
    "ndt_over_time",
    "service_use_coverage",
    "service_use",
    "binary_outcome",
];

/// Every cell of part A's ten tables equals the value derived by
/// `scripts/golden/part_a.py` (counts exactly, other numbers to relative 1e-9,
/// symbols equal): 707 cells, of which 490 numbers, 60 suppressed (`c`) and
/// 157 labels. The script's paired t, Wilcoxon signed-rank and sign-test
/// p-values (28 rows) agree with R 4.2.2's `t.test(paired = TRUE)`,
/// `wilcox.test(paired = TRUE, exact = NULL, correct = TRUE)` and `binom.test`
/// to relative 2.2e-14 (`Rscript scripts/golden/part_a_check.R DIR` after
/// `part_a.py --dump DIR`).
#[test]
fn part_a_tables_match_their_golden_values() {
    let mut cells = 0;
    for stem in PART_A {
        cells += compare_with_golden(stem);
    }
    crate::common::say_checked(&format!(
        "golden part A: {cells} cells of {} tables",
        PART_A.len()
    ));
}

// ---------------------------------------------------------------------------
// Plain readers of the raw files
// ---------------------------------------------------------------------------

fn rows(file: &str) -> Vec<HashMap<String, String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/sample")
        .join(file);
    let mut rdr = csv::Reader::from_path(&path).expect("sample file");
    let header: Vec<String> = rdr
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    rdr.records()
        .map(|r| {
            let r = r.expect("row");
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

struct Member {
    id: String,
    index: NaiveDate,
    group: String,
    end: Option<NaiveDate>,
}

/// `cohort.csv` (all 300 rows are valid: dates inside 2021-04-01..2025-03-31).
fn cohort() -> Vec<Member> {
    rows("cohort.csv")
        .iter()
        .map(|r| Member {
            id: r["person_id"].clone(),
            index: date(&r["index_date"]).expect("index date"),
            group: r["group"].clone(),
            end: date(&r["end_date"]),
        })
        .collect()
}

fn published_number(t: &Published, r: usize, column: &str) -> f64 {
    t.cell(r, column)
        .as_f64()
        .unwrap_or_else(|| panic!("{}: {column} is not a number", t.stem))
}

// ---------------------------------------------------------------------------
// NDT
// ---------------------------------------------------------------------------

/// One group's baseline and follow-up NDT totals, for the people whose two
/// selected assessments both have all ten items.
///
/// An assessment row of `ndt.csv` is kept when its date lies in the data window
/// and every item present is on its scale (0-4; the two risk items 0, 2, 4, 6,
/// 8); the planted faults (an odd risk score, a housing score of 5) are dropped
/// and a blank item leaves the total undefined. Baseline: the assessment
/// nearest the start within 90 days either side; follow-up: the one nearest
/// start + 12 months within 90 days, after the baseline; ties go to the earlier.
fn ndt_total_pairs(group: &str) -> Vec<(f64, f64)> {
    const RISK: [&str; 2] = ["risk_to_others", "risk_from_others"];
    const ITEMS: [&str; 10] = [
        "engagement",
        "intentional_self_harm",
        "unintentional_self_harm",
        "risk_to_others",
        "risk_from_others",
        "stress_and_anxiety",
        "social_effectiveness",
        "alcohol_drug_misuse",
        "impulse_control",
        "housing",
    ];
    let window = (date("2021-04-01").unwrap(), date("2025-03-31").unwrap());
    // person -> (date, total if all ten items are present)
    let mut by_person: HashMap<String, Vec<(NaiveDate, Option<f64>)>> = HashMap::new();
    'row: for r in rows("ndt.csv") {
        let Some(d) = date(&r["date"]) else { continue };
        if d < window.0 || d > window.1 {
            continue;
        }
        let mut total = Some(0.0);
        for item in ITEMS {
            let v = &r[item];
            if v.is_empty() {
                total = None;
                continue;
            }
            let v: i64 = v.parse().expect("a whole number");
            let ok = if RISK.contains(&item) {
                (0..=8).contains(&v) && v % 2 == 0
            } else {
                (0..=4).contains(&v)
            };
            if !ok {
                continue 'row;
            }
            total = total.map(|t| t + v as f64);
        }
        by_person
            .entry(r["person_id"].clone())
            .or_default()
            .push((d, total));
    }
    let nearest = |list: &[(NaiveDate, Option<f64>)],
                   target: NaiveDate,
                   after: Option<NaiveDate>| {
        list.iter()
            .filter(|(d, _)| (*d - target).num_days().abs() <= 90 && after.is_none_or(|a| *d > a))
            .min_by_key(|(d, _)| ((*d - target).num_days().abs(), *d))
            .copied()
    };
    let mut pairs = Vec::new();
    for m in cohort().iter().filter(|m| m.group == group) {
        let list = by_person.get(&m.id).map(Vec::as_slice).unwrap_or(&[]);
        let Some((bd, bt)) = nearest(list, m.index, None) else {
            continue;
        };
        let target = m.index.checked_add_months(Months::new(12)).unwrap();
        let Some((_, ft)) = nearest(list, target, Some(bd)) else {
            continue;
        };
        if let (Some(b), Some(f)) = (bt, ft) {
            pairs.push((b, f));
        }
    }
    pairs
}

/// NDT, one total change: the programme group's mean change in the NDT total.
///
/// Trace: of the 146 programme members, 123 have a baseline and a follow-up
/// whose totals are both defined. Their baseline totals sum to 3817 and their
/// follow-up totals to 3460, so the changes (follow-up minus baseline) sum to
/// 3460 - 3817 = -357, and the mean change is -357 / 123 = -2.902439...,
/// published to 2 decimals as -2.90 (a fall: less need). The mean before is
/// 3817 / 123 = 31.032520... -> 31.03.
#[test]
fn ndt_mean_change_of_the_programme_group_by_hand() {
    let pairs = ndt_total_pairs("programme");
    let n = pairs.len();
    let sum_b: f64 = pairs.iter().map(|p| p.0).sum();
    let sum_a: f64 = pairs.iter().map(|p| p.1).sum();
    assert_eq!((n, sum_b, sum_a), (123, 3817.0, 3460.0));
    let change = (sum_a - sum_b) / n as f64;
    assert!((change - -2.902_439_024_390_244).abs() < 1e-15);

    let t = Published::load("ndt_total_change");
    let r = t.row_where(&["NDT total (0-48)", "Programme"]);
    assert_eq!(t.cell(r, "People").as_u64(), Some(123));
    assert_eq!(published_number(&t, r, "Mean change"), -2.90);
    assert_eq!(published_number(&t, r, "Mean before"), 31.03);
}

/// Pre/post, one paired statistic: the comparison group's mean change in the
/// NDT total and its paired t.
///
/// Trace: 135 comparison members have both totals. The differences d (after
/// minus before) sum to -44 and their squares to 1736, so
/// mean d = -44 / 135 = -0.325926; the sample variance is
/// (1736 - (-44)^2 / 135) / 134 = (1736 - 14.340741) / 134 = 12.848203, the SD
/// sqrt(12.848203) = 3.584439, the standard error 3.584439 / sqrt(135) =
/// 0.308499, and t = -0.325926 / 0.308499 = -1.056488 on 134 df, published to 3
/// decimals as -1.056; the mean change is published to 2 decimals as -0.33.
#[test]
fn paired_t_of_the_comparison_group_by_hand() {
    let pairs = ndt_total_pairs("comparison");
    let d: Vec<f64> = pairs.iter().map(|(b, a)| a - b).collect();
    let n = d.len() as f64;
    let sum: f64 = d.iter().sum();
    let sum_sq: f64 = d.iter().map(|v| v * v).sum();
    assert_eq!((d.len(), sum, sum_sq), (135, -44.0, 1736.0));
    let mean = sum / n;
    let var = (sum_sq - sum * sum / n) / (n - 1.0);
    let t_stat = mean / (var.sqrt() / n.sqrt());
    assert!((t_stat - -1.056_488_052_525).abs() < 1e-9, "{t_stat}");

    let t = Published::load("ndt_total_change");
    let r = t.row_where(&["NDT total (0-48)", "Comparison"]);
    assert_eq!(t.cell(r, "People").as_u64(), Some(135));
    assert_eq!(published_number(&t, r, "Mean change"), -0.33);
    assert_eq!(published_number(&t, r, "Paired t"), -1.056);
}

// ---------------------------------------------------------------------------
// Service use
// ---------------------------------------------------------------------------

/// Service use, one per-quarter rate: the programme group's mean evictions per
/// quarter in the 12 months before the start.
///
/// Trace: a member is kept when observed (from 2021-04-01 to the earlier of the
/// extract date 2025-03-31 and their end date) for at least half of each
/// window; the "before" window runs from the start minus 12 months to the day
/// before the start, the "after" window from the start to the day before the
/// start plus 12 months. 141 of the 146 programme members are kept. Six of them had one
/// eviction in their before window, each observed for all 365 days of it, so
/// each has 1 x 91.310625 / 365 = 0.250166 evictions per quarter and the other
/// 135 have 0: the mean is 6 x 0.250166 / 141 = 1.500997 / 141 = 0.010645,
/// published to 3 decimals as 0.011.
#[test]
fn evictions_per_quarter_before_the_start_by_hand() {
    let window = (date("2021-04-01").unwrap(), date("2025-03-31").unwrap());
    let add = |d: NaiveDate, m: i32| {
        if m >= 0 {
            d.checked_add_months(Months::new(m as u32)).unwrap()
        } else {
            d.checked_sub_months(Months::new((-m) as u32)).unwrap()
        }
    };
    // Days of [from, to) that are observed, and the window's length.
    let observed = |m: &Member, from: NaiveDate, to: NaiveDate| {
        let last = to.pred_opt().unwrap();
        let end = m.end.map_or(window.1, |e| e.min(window.1));
        let (s, e) = (from.max(window.0), last.min(end));
        let days = if s <= e { (e - s).num_days() + 1 } else { 0 };
        (days, (last - from).num_days() + 1)
    };
    let members = cohort();
    let kept: Vec<(&Member, i64)> = members
        .iter()
        .filter(|m| m.group == "programme")
        .filter_map(|m| {
            let (ob, wb) = observed(m, add(m.index, -12), m.index);
            let (oa, wa) = observed(m, m.index, add(m.index, 12));
            let keep = ob * 2 >= wb && oa * 2 >= wa && ob > 0 && oa > 0;
            keep.then_some((m, ob))
        })
        .collect();
    assert_eq!(kept.len(), 141);
    // Evictions in the before window: start - 12 months <= date < start.
    let events = rows("service_use.csv");
    let mut per_person = Vec::new();
    for (m, ob) in &kept {
        let count: i64 = events
            .iter()
            .filter(|e| e["person_id"] == m.id && e["category"] == "eviction")
            .filter_map(|e| Some((date(&e["date"])?, e["count"].parse::<i64>().ok()?)))
            .filter(|(d, c)| *d >= add(m.index, -12) && *d < m.index && *c >= 0)
            .map(|(_, c)| c)
            .sum();
        if count > 0 {
            per_person.push((count, *ob));
        }
    }
    assert_eq!(per_person, vec![(1, 365); 6]);
    let mean = per_person
        .iter()
        .map(|(c, ob)| *c as f64 * 91.310_625 / *ob as f64)
        .sum::<f64>()
        / kept.len() as f64;
    assert!((mean - 0.010_645_365_782_570_679).abs() < 1e-15, "{mean}");

    let t = Published::load("service_use");
    let r = t.row_where(&["Programme", "Evictions"]);
    assert_eq!(published_number(&t, r, "Before"), 0.011);
}

/// The bootstrap behind the NDT table's BCa cells, unrounded: the crate's
/// `bootstrap_mean` on each group's NDT total changes (read above with plain
/// Rust) gives the limits that `scripts/golden/part_a.py`'s re-implementation
/// of the generator and the BCa rule gives, exactly, and the generator's first
/// draws agree.
///
/// Source: `bootstrap_bca(d, 20240101 + 100 + g)` and `Xoshiro(20240201)` in
/// `scripts/golden/part_a.py` (Python 3.11.7, numpy, scipy), B = 9,999, 95%:
/// programme (-3.5528455284552845, -2.2845528455284554) = (-437/123, -281/123);
/// comparison (-0.9407407407407408, 0.2740740740740741) = (-127/135, 37/135);
/// first three outputs of seed 20240201: 0xc664c138a7bf1816, 0xe8d442faaaa64227,
/// 0x71276b8a92ab4c35; first five `below(123)`: 95, 111, 54, 27, 121.
#[test]
fn ndt_bootstrap_limits_equal_the_python_generator() {
    use outcomes::rng::Rng;
    use outcomes::stats::{bootstrap_mean, BootstrapConfig, ConfidenceLevel};

    let mut r = Rng::new(20_240_201);
    let first: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
    assert_eq!(
        first,
        [
            0xc664_c138_a7bf_1816,
            0xe8d4_42fa_aaa6_4227,
            0x7127_6b8a_92ab_4c35
        ]
    );
    let mut r = Rng::new(20_240_201);
    let draws: Vec<u64> = (0..5).map(|_| r.below(123)).collect();
    assert_eq!(draws, [95, 111, 54, 27, 121]);

    let level = ConfidenceLevel::new(0.95).unwrap();
    for (g, (group, want)) in [
        ("programme", (-437.0 / 123.0, -281.0 / 123.0)),
        ("comparison", (-127.0 / 135.0, 37.0 / 135.0)),
    ]
    .into_iter()
    .enumerate()
    {
        let d: Vec<f64> = ndt_total_pairs(group).iter().map(|(b, a)| a - b).collect();
        let cfg = BootstrapConfig::new(9_999, 20_240_101 + 100 + g as u64, level).unwrap();
        let boot = bootstrap_mean(&d, cfg).unwrap();
        let ci = boot.bca.expect("BCa is defined").ci;
        assert!(
            (ci.lower - want.0).abs() < 1e-12 && (ci.upper - want.1).abs() < 1e-12,
            "{group}: [{}, {}], expected [{}, {}]",
            ci.lower,
            ci.upper,
            want.0,
            want.1
        );
    }
}
