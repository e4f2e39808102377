//! Costs, CBA, matching, attendance and ASB: one number of each traced by hand
//! from the raw files in `data/sample/`, and part B's golden tables (costs,
//! cost-benefit analysis, matched comparison) compared cell by cell.
//!
//! The traces read the raw CSV rows with the `csv` crate and do the
//! arithmetic in plain Rust (dates with `chrono`), never through the crate's
//! API, then assert the published cell of the sample report equals it.

use std::collections::HashMap;
use std::path::Path;

use chrono::{Months, NaiveDate};

use super::{compare_with_golden, Published};

/// Part B's tables (written by `scripts/golden/part_b.py`).
const PART_B: [&str; 9] = [
    "cost_by_agency",
    "cost_offset",
    "cba_summary",
    "cba_sensitivity",
    "matched_counts",
    "balance",
    "propensity_overlap",
    "matched_effect",
    "propensity_model",
];

/// Every cell of part B's nine tables against `tests/data/golden/<stem>.csv`:
/// values derived by `scripts/golden/part_b.py` (Python 3, numpy, scipy; the
/// crate's xoshiro256++ and bootstrap re-implemented for the BCa columns),
/// the propensity model, matching, balance and effects cross-checked with R
/// 4.2.2 glm, MatchIt 4.5.1, sandwich 3.0.2 and lmtest 0.9.40
/// (`scripts/golden/part_b.R`).
#[test]
fn part_b_tables_match_their_golden_values() {
    let cells: usize = PART_B.iter().map(|s| compare_with_golden(s)).sum();
    crate::common::say_checked(&format!(
        "golden part B: {cells} cells of {} tables",
        PART_B.len()
    ));
}

fn sample(file: &str) -> csv::Reader<std::fs::File> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/sample")
        .join(file);
    csv::Reader::from_path(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// One cohort row: group, index date, last observed day, sex.
struct Person {
    group: String,
    index: NaiveDate,
    observed_to: NaiveDate,
    sex: String,
}

const DATA_START: &str = "2021-04-01";
const EXTRACT: &str = "2025-03-31";

fn cohort() -> HashMap<String, Person> {
    let extract = date(EXTRACT).unwrap();
    let mut out = HashMap::new();
    let mut rdr = sample("cohort.csv");
    let h = rdr.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (id, idx, grp, end, sex) = (
        col("person_id"),
        col("index_date"),
        col("group"),
        col("end_date"),
        col("sex"),
    );
    for r in rdr.records() {
        let r = r.unwrap();
        let index = date(&r[idx]).unwrap();
        let observed_to = date(&r[end]).map_or(extract, |e| e.min(extract));
        out.insert(
            r[id].to_string(),
            Person {
                group: r[grp].to_string(),
                index,
                observed_to,
                sex: r[sex].to_string(),
            },
        );
    }
    out
}

/// The before window `[index − 12 months, index − 1 day]` and the after
/// window `[index, index + 12 months − 1 day]`.
fn windows(p: &Person) -> [(NaiveDate, NaiveDate); 2] {
    let before = p.index.checked_sub_months(Months::new(12)).unwrap();
    let after_end = p.index.checked_add_months(Months::new(12)).unwrap();
    [
        (before, p.index.pred_opt().unwrap()),
        (p.index, after_end.pred_opt().unwrap()),
    ]
}

/// Days of `[a, b]` inside `[DATA_START, observed_to]`, and of `[a, b]`.
fn observed(p: &Person, (a, b): (NaiveDate, NaiveDate)) -> (i64, i64) {
    let s = a.max(date(DATA_START).unwrap());
    let e = b.min(p.observed_to);
    let obs = if s <= e { (e - s).num_days() + 1 } else { 0 };
    (obs, (b - a).num_days() + 1)
}

/// Observed for the whole of both windows: the people the cost tables cost.
fn fully_observed(p: &Person) -> bool {
    windows(p).iter().all(|&w| {
        let (o, d) = observed(p, w);
        o == d
    })
}

/// Prison nights of the fully observed people of `group`, before and after.
fn prison_nights(people: &HashMap<String, Person>, group: &str) -> (u64, u64, usize) {
    let (mut before, mut after) = (0, 0);
    let mut rdr = sample("service_use.csv");
    for r in rdr.records() {
        let r = r.unwrap();
        if &r[2] != "prison_night" {
            continue;
        }
        let (Some(p), Some(d)) = (people.get(&r[0]), date(&r[1])) else {
            continue;
        };
        if p.group != group || !fully_observed(p) || d > date(EXTRACT).unwrap() {
            continue;
        }
        // A negative count is rejected by the loader (the sample has some).
        let n: i64 = r[3].parse().unwrap();
        if n < 0 {
            continue;
        }
        let n = n as u64;
        let [b, a] = windows(p);
        if b.0 <= d && d <= b.1 {
            before += n;
        } else if a.0 <= d && d <= a.1 {
            after += n;
        }
    }
    let n = people
        .values()
        .filter(|p| p.group == group && fully_observed(p))
        .count();
    (before, after, n)
}

/// £ per prison night in 2024/25 prices: GMCA UCD CR3.0, £33,785 per
/// prisoner per year in 2013/14 prices (data/unit_costs.csv), over 365.25
/// days, re-based by the GDP deflators 112.375 (2024/25) / 82.175 (2013/14)
/// (data/gdp_deflators.csv): 92.4983 × 1.367508 = £126.4922 a night.
fn prison_rate() -> f64 {
    33785.0 / 365.25 * (112.375 / 82.175)
}

fn number(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Costs: the programme group's prison cost per person before the start.
///
/// Of the 146 programme people, 135 are observed for the whole of both
/// 12-month windows (before window from 2021-04-01, after window ending by
/// their end date and the 2025-03-31 extract). Their prison_night rows in the
/// before window: 59 nights (index 2024-01-06, 2023-12-04), 43 (index
/// 2024-03-18, 2023-05-02), 40 (index 2023-05-03, 2022-12-09) and 45 (index
/// 2022-07-29, 2022-03-07): 187 nights. 187 × £126.4922 = £23,654.04; over
/// 135 people £175.215, published to the pound as £175 (cost_by_agency,
/// Programme, Prison, Before).
#[test]
fn hand_trace_costs_programme_prison_before() {
    let people = cohort();
    let (before, _, n) = prison_nights(&people, "programme");
    assert_eq!((before, n), (187, 135));
    let per_person = before as f64 * prison_rate() / n as f64;
    assert!((per_person - 175.215).abs() < 1e-3, "{per_person}");
    let t = Published::load("cost_by_agency");
    let r = t.row_where(&["Programme", "Prison"]);
    assert_eq!(number(t.cell(r, "People")), 135.0);
    assert_eq!(number(t.cell(r, "Before")), per_person.round());
}

/// CBA against the whole comparison group (`cba.counterfactual =
/// "comparison_group"`; the sample spec's own counterfactual is the matched
/// comparison, re-derived by scripts/golden/part_h.py): the present value of
/// benefits to the prison service.
///
/// Prison nights of the fully observed (from the trace above): programme 187
/// before, 162 after (40 + 35 + 44 + 43), n = 135; comparison 263 before
/// (49 + 45 + 60 + 50 + 59), 200 after (52 + 56 + 45 + 47), n = 146.
/// Gross benefit = programme fall = (187 − 162) × £126.4922 = £3,162.30.
/// Counterfactual = comparison fall per person × 135 = 63 × £126.4922 / 146
/// × 135 = £7,368.60. Year-1 net = (3,162.30 − 7,368.60) × (1 − 0.1
/// attribution) × (1 − 0.10 optimism bias, grade 3) = −£3,407.10. Years 1–5
/// with 20% drop-off at the Green Book 3.5%: Σ 0.8^(t−1) / 1.035^t =
/// 0.966184 + 0.746809 + 0.577243 + 0.446178 + 0.344872 = 3.081286.
/// PV = −3,407.10 × 3.081286 = −£10,498.25 (cba_summary, 2 decimals).
#[test]
fn hand_trace_cba_pv_benefits_to_prison() {
    let people = cohort();
    let (pb, pa, np) = prison_nights(&people, "programme");
    let (cb, ca, nc) = prison_nights(&people, "comparison");
    assert_eq!((pb, pa, np, cb, ca, nc), (187, 162, 135, 263, 200, 146));
    let rate = prison_rate();
    let gross = (pb as f64 - pa as f64) * rate;
    let counterfactual = (cb as f64 - ca as f64) * rate / nc as f64 * np as f64;
    let year1 = (gross - counterfactual) * (1.0 - 0.1) * (1.0 - 0.10);
    let factor: f64 = (1..=5).map(|t| 0.8f64.powi(t - 1) / 1.035f64.powi(t)).sum();
    assert!((factor - 3.081286).abs() < 1e-6, "{factor}");
    let pv = year1 * factor;
    assert!((pv + 10498.25).abs() < 0.01, "{pv}");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut spec =
        outcomes::evaluate::EvaluationSpec::from_path(root.join("data/sample/evaluation.toml"))
            .unwrap();
    spec.cba.counterfactual = outcomes::evaluate::spec::CbaCounterfactual::ComparisonGroup;
    spec.comparison = None;
    spec.did = None;
    spec.time_to_event = None;
    spec.data.school = None;
    spec.statistics.bootstrap_resamples = 200;
    let ev = outcomes::evaluate::run(&spec, &outcomes::evaluate::Progress::quiet()).unwrap();
    let t = ev
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .find_map(|i| match i {
            outcomes::evaluate::Item::Table(t) if t.stem == "cba_summary" => Some(&t.table),
            _ => None,
        })
        .unwrap();
    let r = (0..t.n_rows())
        .find(|&r| t.formatted(r, 0).as_deref() == Some("Present value of benefits to Prison"))
        .unwrap();
    let published = outcomes::evaluate::tables::published(t, r, "Value").unwrap();
    assert_eq!(published, (pv * 100.0).round() / 100.0);
}

/// Matching: the standardised mean difference of `sexF` before matching.
///
/// The matched comparison uses people observed for at least half of each
/// window (the coverage rule, min_fraction 0.5): 291 of 300 (9 have under
/// half of the after window). Programme 141, of whom 47 are F: p_t = 1/3;
/// comparison 150, of whom 43 are F: p_c = 0.286667. MatchIt's SMD for a
/// binary variable divides by the treated group's sqrt(p_t (1 − p_t)) =
/// 0.471405: (0.333333 − 0.286667) / 0.471405 = 0.098995, published to 3
/// decimals as 0.099 (balance, sexF, SMD before).
#[test]
fn hand_trace_matching_smd_sex_f_before() {
    let people = cohort();
    let kept = |p: &&Person| {
        windows(p).iter().all(|&w| {
            let (o, d) = observed(p, w);
            o > 0 && o as f64 / d as f64 >= 0.5
        })
    };
    let count = |g: &str| {
        let in_g: Vec<&Person> = people
            .values()
            .filter(|p| p.group == g)
            .filter(kept)
            .collect();
        let f = in_g.iter().filter(|p| p.sex == "F").count();
        (in_g.len(), f)
    };
    let ((nt, ft), (nc, fc)) = (count("programme"), count("comparison"));
    assert_eq!((nt, ft, nc, fc), (141, 47, 150, 43));
    let (pt, pc) = (ft as f64 / nt as f64, fc as f64 / nc as f64);
    let smd = (pt - pc) / (pt * (1.0 - pt)).sqrt();
    assert!((smd - 0.098995).abs() < 1e-6, "{smd}");
    let t = Published::load("balance");
    let r = t.row_where(&["sexF"]);
    assert_eq!(
        number(t.cell(r, "SMD before")),
        (smd * 1000.0).round() / 1000.0
    );
    // The 141 are service_use_coverage's "Kept", suppressed there (146 − 5
    // left out), so the matching table suppresses it too; the 141 matched
    // (every one, 1:1) are shown, and Unmatched with them would give the
    // people away, so that is withheld as well.
    let m = Published::load("matched_counts");
    let r = m.row_where(&["Programme"]);
    assert_eq!(m.cell(r, "People").as_str(), Some("c"));
    assert_eq!(m.cell(r, "Unmatched").as_str(), Some("c"));
    assert_eq!(number(m.cell(r, "Matched")), 141.0);
    let c = Published::load("service_use_coverage");
    assert_eq!(c.cell(0, "Kept").as_str(), Some("c"));
}
