//! Matched sets identical to MatchIt's rule on tied and untied scores.
//!
//! `tests/data/matching_ties/make.R` (R 4.2.2, MatchIt 4.5.1 from Debian
//! bookworm) draws two data sets: `tied` (3,000 people; age in years, sex,
//! area and a count of prior arrests, so that many share a covariate profile
//! and a score: 755 distinct scores) and `untied` (1,500 people; the same and
//! a continuous income: every score distinct). MatchIt 4.5.1 truncates
//! distances to integers before comparing them (upstream issue #163, fixed
//! in 4.5.4); it is handed R's glm score scaled by 1e9 and rounded as a user
//! `distance =`, so that every difference is an integer and the truncation
//! is exact: with ratio 1 its result is then MatchIt 4.5.4's rule (sorted by
//! distance, ties in data order; the nearer of the nearest control on each
//! side; the lower-score one when equally near), the crate's default
//! `NeighbourRule::SortedNeighbour`.
//!
//! Checked here, for each case of make.R (default, caliper 0.05 SD, exact on
//! sex, with replacement, smallest first, data order):
//! * the crate's matcher on R's distances gives R's `match.matrix` exactly;
//! * the crate's own score (its logistic regression, probability scale) and
//!   matched comparison give the same matched sets: the scores agree with R's
//!   to 1e-10 and tie exactly where R's do;
//! * the old data-order rule picks other controls on the tied data (the
//!   defect of issue 14), but not on the untied data;
//! * MatchIt 4.5.1 as released, on its own glm score (every distance
//!   truncated to 0), is reproduced by `NeighbourRule::MatchIt451`, the spec's
//!   `tie_rule = "matchit_4_5_1"`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use outcomes::compare::{
    Caliper, Covariate, Link, MatchOrder, NearestNeighbour, NeighbourRule, PropensityModel,
    Replacement, ScoreScale,
};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/matching_ties")
}

struct Data {
    treated: Vec<bool>,
    covariates: Vec<Covariate>,
    sex: Covariate,
    score: Vec<f64>,
    distance: Vec<f64>,
}

fn load(set: &str) -> Data {
    let mut rdr = csv::Reader::from_path(dir().join(format!("{set}_data.csv"))).unwrap();
    let h = rdr.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let num = |n: &str| -> Vec<f64> {
        let j = col(n);
        rows.iter().map(|r| r[j].parse().unwrap()).collect()
    };
    let text = |n: &str| -> Vec<String> {
        let j = col(n);
        rows.iter().map(|r| r[j].to_string()).collect()
    };
    let mut covariates = vec![
        Covariate::numeric("age", num("age")),
        Covariate::categorical("sex", text("sex")),
        Covariate::categorical("area", text("area")),
        Covariate::numeric("prior_arrests", num("prior_arrests")),
    ];
    if h.iter().any(|x| x == "income") {
        covariates.push(Covariate::numeric("income", num("income")));
    }
    Data {
        treated: num("treat").iter().map(|t| *t == 1.0).collect(),
        covariates,
        sex: Covariate::categorical("sex", text("sex")),
        score: num("score"),
        distance: num("distance"),
    }
}

/// case → treated row (1-based) → control rows (1-based), R's match.matrix.
fn matches(set: &str) -> BTreeMap<String, BTreeMap<usize, Vec<usize>>> {
    let mut rdr = csv::Reader::from_path(dir().join(format!("{set}_matches.csv"))).unwrap();
    let mut out: BTreeMap<String, BTreeMap<usize, Vec<usize>>> = BTreeMap::new();
    for r in rdr.records() {
        let r = r.unwrap();
        let controls = r[2]
            .split(';')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap())
            .collect();
        out.entry(r[0].to_string())
            .or_default()
            .insert(r[1].parse().unwrap(), controls);
    }
    out
}

fn matcher(case: &str, rule: NeighbourRule) -> NearestNeighbour {
    let mut nn = NearestNeighbour {
        rule,
        ..NearestNeighbour::default()
    };
    match case {
        "default" | "exact_sex" | "matchit451_glm" => {}
        "caliper" | "matchit451_glm_caliper" => {
            nn.caliper = Some(Caliper::standard_deviations(0.05).unwrap())
        }
        "replace" => nn.replacement = Replacement::With,
        "smallest" => nn.order = MatchOrder::Smallest,
        "data_order" => nn.order = MatchOrder::Data,
        other => panic!("unknown case {other}"),
    }
    nn
}

/// The crate's matched sets as R's match.matrix: treated row → controls.
fn run(d: &Data, case: &str, distance: &[f64], rule: NeighbourRule) -> BTreeMap<usize, Vec<usize>> {
    let exact = if case == "exact_sex" {
        vec![d.sex.clone()]
    } else {
        Vec::new()
    };
    let m = matcher(case, rule)
        .run(distance, &d.treated, &exact)
        .unwrap();
    m.sets
        .iter()
        .map(|s| (s.treated + 1, s.controls.iter().map(|c| c + 1).collect()))
        .collect()
}

const CORRECT: [&str; 6] = [
    "default",
    "caliper",
    "exact_sex",
    "replace",
    "smallest",
    "data_order",
];

fn check_set(set: &str) -> (usize, usize) {
    let d = load(set);
    let want = matches(set);
    // R's distances through the crate's matcher (default rule).
    assert_eq!(
        NearestNeighbour::default().rule,
        NeighbourRule::SortedNeighbour
    );
    let mut treated_checked = 0;
    for case in CORRECT {
        let got = run(&d, case, &d.distance, NeighbourRule::default());
        assert_eq!(
            got, want[case],
            "{set}/{case}: the crate's matched sets differ from MatchIt's"
        );
        treated_checked += got.len();
    }
    // The crate's own score: same ranking and ties as R's.
    let model = PropensityModel::fit(&d.covariates, &d.treated, Link::Logit).unwrap();
    let own = model.scores(ScoreScale::Probability);
    for (i, (a, b)) in own.iter().zip(&d.score).enumerate() {
        assert!(
            (a - b).abs() < 1e-10,
            "{set}: row {}: score {a} vs R {b}",
            i + 1
        );
    }
    for case in CORRECT {
        let got = run(&d, case, &own, NeighbourRule::default());
        assert_eq!(got, want[case], "{set}/{case}: on the crate's own score");
    }
    // The old rule: how many treated units get another control.
    let old = run(&d, "default", &own, NeighbourRule::DataOrder);
    let differ = old
        .iter()
        .filter(|(t, c)| want["default"].get(t) != Some(c))
        .count();
    // MatchIt 4.5.1 as released, on its own probability-scale glm score.
    for case in ["matchit451_glm", "matchit451_glm_caliper"] {
        let got = run(&d, case, &d.score, NeighbourRule::MatchIt451);
        assert_eq!(got, want[case], "{set}/{case}: MatchIt 4.5.1's own output");
        let got = run(&d, case, &own, NeighbourRule::MatchIt451);
        assert_eq!(got, want[case], "{set}/{case}: on the crate's own score");
    }
    (treated_checked, differ)
}

#[test]
fn matched_sets_equal_matchit_on_tied_scores() {
    let (n, differ) = check_set("tied");
    assert!(n > 3000, "{n}");
    // Ties matter here: the data-order rule pairs many treated units with
    // another (equally near) control.
    assert_eq!(
        differ, 275,
        "treated units the data-order rule pairs differently"
    );
}

#[test]
fn matched_sets_equal_matchit_on_untied_scores() {
    let (n, differ) = check_set("untied");
    assert!(n > 1500, "{n}");
    // With every score distinct the two correct rules agree.
    assert_eq!(differ, 0);
}

#[test]
fn matchit_451_truncation_differs_from_the_fixed_rule() {
    // MatchIt 4.5.1's own output is not the nearest-neighbour match: it is
    // reproduced only where the spec asks for it (tie_rule = "matchit_4_5_1").
    let want = matches("tied");
    let differ = want["matchit451_glm"]
        .iter()
        .filter(|(t, c)| want["default"].get(t) != Some(c))
        .count();
    assert!(differ > 100, "{differ}");
}
