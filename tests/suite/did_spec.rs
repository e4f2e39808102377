//! The `[comparison]` matching keys (exact, order, tie_rule) and the `[did]`
//! section of the evaluation spec: for each key one test of its effect and
//! one of its error (the error names the key and why).
//!
//! The runs use the bundled sample (`data/sample/`) with the shipped spec
//! edited as text, the school files and the bootstrap-heavy sections left out
//! to keep the debug build quick.

use std::path::{Path, PathBuf};

use outcomes::evaluate::tables::{label, published};
use outcomes::evaluate::{self, EvaluationSpec, NamedTable, Progress};

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample")
}

fn shipped() -> String {
    std::fs::read_to_string(sample_dir().join("evaluation.toml")).unwrap()
}

/// The shipped spec with `edits` (old, new) applied, quicker sections only.
fn spec_text(edits: &[(&str, &str)]) -> String {
    let mut t = without_school(
        &shipped().replace("bootstrap_resamples = 9999", "bootstrap_resamples = 100"),
    );
    for (old, new) in edits {
        assert!(t.contains(old), "the shipped spec has no `{old}`");
        t = t.replace(old, new);
    }
    t
}

/// `text` without its `[data.school]` section (and its sub-tables): the
/// lines from `[data.school]` to the next table that is not one of its own.
fn without_school(text: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for l in text.lines() {
        if l.starts_with('[') {
            inside = l.starts_with("[data.school") || l.starts_with("[[data.school");
        }
        if !inside {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

fn parse(edits: &[(&str, &str)]) -> outcomes::Result<EvaluationSpec> {
    EvaluationSpec::from_toml(&spec_text(edits), "edited.toml", &sample_dir())
}

fn run(edits: &[(&str, &str)]) -> outcomes::Result<evaluate::Evaluation> {
    evaluate::run(&parse(edits)?, &Progress::quiet())
}

fn table<'a>(ev: &'a evaluate::Evaluation, stem: &str) -> &'a NamedTable {
    ev.tables()
        .into_iter()
        .find(|t| t.stem == stem)
        .unwrap_or_else(|| panic!("no table {stem}"))
}

fn err(edits: &[(&str, &str)]) -> String {
    match run(edits) {
        Ok(_) => panic!("expected an error for {edits:?}"),
        Err(e) => e.to_string(),
    }
}

/// The error is raised from the spec alone, before any data are read.
fn spec_err(edits: &[(&str, &str)]) -> String {
    match parse(edits) {
        Ok(_) => panic!("expected a spec error for {edits:?}"),
        Err(e) => e.to_string(),
    }
}

fn effect_row(ev: &evaluate::Evaluation, stem: &str, col: &str) -> Vec<Option<f64>> {
    let t = &table(ev, stem).table;
    (0..t.n_rows()).map(|r| published(t, r, col)).collect()
}

const ORDER: &str = "order = \"largest\"\n";
const TIES: &str = "tie_rule = \"sorted_neighbour\"\n";

// ---- [comparison] exact / order / tie_rule -----------------------------------

#[test]
fn exact_matching_changes_the_matched_sets() {
    let base = run(&[]).unwrap();
    let exact = run(&[(ORDER, "order = \"largest\"\nexact = [\"sex\"]\n")]).unwrap();
    let a = effect_row(&base, "matched_effect", "Effect");
    let b = effect_row(&exact, "matched_effect", "Effect");
    assert_ne!(a, b, "exact matching on sex left the effect unchanged");
    // The description says so.
    let text = |ev: &evaluate::Evaluation| {
        ev.sections
            .iter()
            .flat_map(|s| &s.items)
            .filter_map(|i| match i {
                evaluate::Item::Text(t) => Some(t.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(text(&exact).contains("exactly on sex"), "{}", text(&exact));
}

#[test]
fn exact_matching_on_a_missing_column_names_the_key() {
    let e = err(&[(ORDER, "order = \"largest\"\nexact = [\"shoe_size\"]\n")]);
    assert!(
        e.contains("comparison.exact") && e.contains("shoe_size"),
        "{e}"
    );
    let e = spec_err(&[(ORDER, "order = \"largest\"\nexact = [\"sex\", \"sex\"]\n")]);
    assert!(e.contains("comparison.exact") && e.contains("once"), "{e}");
}

#[test]
fn matching_order_changes_the_matched_sets() {
    let base = run(&[]).unwrap();
    let smallest = run(&[(ORDER, "order = \"smallest\"\n")]).unwrap();
    let both = |ev: &evaluate::Evaluation| {
        let mut v = effect_row(ev, "matched_effect", "p");
        v.extend(effect_row(ev, "balance", "SMD after"));
        v
    };
    assert_ne!(both(&base), both(&smallest));
}

#[test]
fn an_unknown_matching_order_is_an_error_naming_it() {
    let e = spec_err(&[(ORDER, "order = \"closest\"\n")]);
    assert!(
        e.contains("order") && e.contains("closest") && e.contains("largest"),
        "{e}"
    );
}

#[test]
fn tie_rule_changes_the_matched_sets_and_4_5_1_is_reproduced_on_request() {
    let base = run(&[]).unwrap();
    let old = run(&[(TIES, "tie_rule = \"matchit_4_5_1\"\n")]).unwrap();
    assert_ne!(
        effect_row(&base, "matched_effect", "p"),
        effect_row(&old, "matched_effect", "p")
    );
    let data_order = run(&[(TIES, "tie_rule = \"data_order\"\n")]).unwrap();
    // On the sample the data-order rule pairs some programme members with
    // another equally near control: the regression-adjusted p moves.
    assert_ne!(
        effect_row(&base, "matched_effect", "p"),
        effect_row(&data_order, "matched_effect", "p")
    );
}

#[test]
fn an_unknown_tie_rule_is_an_error_naming_it() {
    let e = spec_err(&[(TIES, "tie_rule = \"first\"\n")]);
    assert!(
        e.contains("tie_rule") && e.contains("first") && e.contains("sorted_neighbour"),
        "{e}"
    );
}

// ---- [did] -------------------------------------------------------------------

const OUTCOMES: &str = "outcomes = [\"ae_attendance\", \"arrest\", \"total_cost\", \"ndt_total\"]";

#[test]
fn did_outcomes_name_the_rows_of_the_effect_table() {
    let ev = run(&[(
        OUTCOMES,
        "outcomes = [\"ndt_housing\", \"police_custody_night\"]",
    )])
    .unwrap();
    let t = &table(&ev, "did_effect").table;
    assert_eq!(t.n_rows(), 2);
    assert!(label(t, 0, "Outcome").unwrap().contains("Housing"));
    assert!(label(t, 1, "Outcome").unwrap().contains("per quarter"));
}

#[test]
fn an_unknown_did_outcome_is_an_error_naming_the_key_and_value() {
    let e = spec_err(&[(OUTCOMES, "outcomes = [\"ae_attendence\"]")]);
    assert!(
        e.contains("did.outcomes") && e.contains("ae_attendence"),
        "{e}"
    );
    let e = spec_err(&[(OUTCOMES, "outcomes = [\"ndt_mood\"]")]);
    assert!(e.contains("did.outcomes") && e.contains("ndt_mood"), "{e}");
    // An outcome whose data the spec does not name.
    let e = spec_err(&[
        (OUTCOMES, "outcomes = [\"ndt_total\"]"),
        ("[data.ndt]\npath = \"ndt.csv\"\nlayout = \"long\"\n", ""),
    ]);
    assert!(
        e.contains("did.outcomes") && e.contains("[data.ndt]"),
        "{e}"
    );
}

#[test]
fn did_sample_all_uses_everyone() {
    let matched = run(&[]).unwrap();
    let all = run(&[("sample = \"matched\"", "sample = \"all\"")]).unwrap();
    let n = |ev: &evaluate::Evaluation| {
        published(&table(ev, "did_effect").table, 0, "People, comparison").unwrap()
    };
    assert!(n(&all) > n(&matched), "{} vs {}", n(&all), n(&matched));
}

#[test]
fn did_matched_sample_without_a_comparison_is_an_error() {
    let mut spec = EvaluationSpec::sample(sample_dir());
    spec.comparison = None;
    let e = spec.check().unwrap_err().to_string();
    assert!(
        e.contains("did.sample") && e.contains("[comparison]"),
        "{e}"
    );
    // The staggered design is unweighted: not on a sample matched with
    // replacement.
    let mut spec = EvaluationSpec::sample(sample_dir());
    spec.comparison.as_mut().unwrap().replace = true;
    let e = spec.check().unwrap_err().to_string();
    assert!(
        e.contains("did.staggered") && e.contains("replacement"),
        "{e}"
    );
}

#[test]
fn event_study_period_length_sets_the_periods() {
    let ev = run(&[("period_months = 3 ", "period_months = 4 ")]).unwrap();
    let t = &table(&ev, "event_study").table;
    assert_eq!(t.n_rows(), 6); // 12 months before and after in 4-month periods
    assert_eq!(label(t, 2, "Period").unwrap(), "-1 (reference)");
    assert!(published(&table(&ev, "event_study_pretrend").table, 0, "Restrictions") == Some(2.0));
}

#[test]
fn an_event_study_without_a_pre_period_to_test_is_an_error() {
    let e = spec_err(&[("period_months = 3 ", "period_months = 12 ")]);
    assert!(
        e.contains("did.event_study.period_months") && e.contains("pre-trend"),
        "{e}"
    );
    let e = spec_err(&[("period_months = 3 ", "period_months = 5 ")]);
    assert!(
        e.contains("did.event_study.period_months") && e.contains("divide"),
        "{e}"
    );
    let e = spec_err(&[(
        "outcome = \"ae_attendance\"      # a service-use category code\nperiod_months = 3",
        "outcome = \"total_cost\"\nperiod_months = 3",
    )]);
    assert!(
        e.contains("did.event_study.outcome") && e.contains("total_cost"),
        "{e}"
    );
}

#[test]
fn staggered_comparison_group_and_aggregations_are_chosen_in_the_spec() {
    let ev = run(&[
        (
            "comparison_group = \"never_treated\"",
            "comparison_group = \"not_yet_treated\"",
        ),
        (
            "aggregations = [\"simple\", \"group\", \"dynamic\"]",
            "aggregations = [\"simple\"]",
        ),
    ])
    .unwrap();
    let agg = &table(&ev, "staggered_aggregation").table;
    assert_eq!(agg.n_rows(), 1);
    let base = run(&[]).unwrap();
    // Not-yet-treated programme members join the comparisons.
    let n = |ev: &evaluate::Evaluation| {
        published(&table(ev, "staggered_att").table, 0, "Comparison people").unwrap()
    };
    assert!(n(&ev) > n(&base), "{} vs {}", n(&ev), n(&base));
}

#[test]
fn staggered_design_errors_name_the_key() {
    let e = spec_err(&[(
        "aggregations = [\"simple\", \"group\", \"dynamic\"]",
        "aggregations = []",
    )]);
    assert!(e.contains("did.staggered.aggregations"), "{e}");
    let e = spec_err(&[(
        "aggregations = [\"simple\", \"group\", \"dynamic\"]",
        "aggregations = [\"overall\"]",
    )]);
    assert!(e.contains("aggregations") && e.contains("overall"), "{e}");
    let e = spec_err(&[(
        "comparison_group = \"never_treated\"",
        "comparison_group = \"later\"",
    )]);
    assert!(e.contains("comparison_group") && e.contains("later"), "{e}");
    let e = spec_err(&[("period_months = 6 ", "period_months = 30 ")]);
    assert!(e.contains("did.staggered.period_months"), "{e}");
    // A data window holding fewer than two periods: no cohort has a pre-period.
    let e = spec_err(&[
        (
            "extract_date = \"2025-03-31\"",
            "extract_date = \"2022-03-31\"",
        ),
        ("period_months = 6 ", "period_months = 12 "),
    ]);
    assert!(
        e.contains("did.staggered.period_months") && e.contains("pre-period"),
        "{e}"
    );
    assert!(e.contains("did.staggered.period_months"), "{e}");
}

#[test]
fn staggered_base_period_is_chosen_in_the_spec() {
    let base = run(&[]).unwrap();
    let uni = run(&[("base_period = \"varying\"", "base_period = \"universal\"")]).unwrap();
    // A universal base adds the normalised cell ATT(g, g − 1) = 0 per cohort.
    let rows = |ev: &evaluate::Evaluation| table(ev, "staggered_att").table.n_rows();
    assert!(rows(&uni) > rows(&base));
}

#[test]
fn did_event_study_and_staggered_sections_can_be_left_out() {
    let text = spec_text(&[]);
    let cut = text[..text.find("# Event study: periods relative").unwrap()].to_string()
        + &text[text.find("[time_to_event]").unwrap()..];
    let spec = EvaluationSpec::from_toml(&cut, "cut.toml", &sample_dir()).unwrap();
    let ev = evaluate::run(&spec, &Progress::quiet()).unwrap();
    let stems: Vec<&str> = ev.tables().iter().map(|t| t.stem.as_str()).collect();
    assert!(stems.contains(&"did_effect"));
    assert!(!stems.contains(&"event_study") && !stems.contains(&"staggered_att"));
}

#[test]
fn a_sample_with_no_comparison_units_is_an_error_naming_the_key() {
    // The comparison group's rows relabelled `unknown`: no one to compare with.
    let dir = std::env::temp_dir().join(format!("outcomes-did-spec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["service_use.csv", "ndt.csv"] {
        std::fs::copy(sample_dir().join(f), dir.join(f)).unwrap();
    }
    let cohort = std::fs::read_to_string(sample_dir().join("cohort.csv"))
        .unwrap()
        .replace(",comparison,", ",unknown,");
    std::fs::write(dir.join("cohort.csv"), cohort).unwrap();
    let text = spec_text(&[("sample = \"matched\"", "sample = \"all\"")]);
    let start = text.find("[comparison]").unwrap();
    let end = text
        .find("# Difference in differences on person-level")
        .unwrap();
    let text = format!("{}{}", &text[..start], &text[end..]).replace(
        "counterfactual = \"matched_comparison\"",
        "counterfactual = \"comparison_group\"",
    );
    let spec = EvaluationSpec::from_toml(&text, "edited.toml", &dir).unwrap();
    let e = evaluate::run(&spec, &Progress::quiet())
        .unwrap_err()
        .to_string();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        e.contains("did.outcomes") && e.contains("no comparison group member"),
        "{e}"
    );
}

const ES_OUTCOME: &str =
    "outcome = \"ae_attendance\"      # a service-use category code\nperiod_months = 3";
const ST_OUTCOME: &str =
    "outcome = \"ae_attendance\"      # a service-use category code\nperiod_months = 6";

#[test]
fn event_study_and_staggered_outcomes_and_periods_are_chosen_in_the_spec() {
    let ev = run(&[
        (ES_OUTCOME, "outcome = \"arrest\"\nperiod_months = 3"),
        (ST_OUTCOME, "outcome = \"arrest\"\nperiod_months = 12"),
    ])
    .unwrap();
    assert!(table(&ev, "event_study").table.title().contains("Arrests"));
    let att = &table(&ev, "staggered_att").table;
    assert!(att.title().contains("Arrests"));
    // Four yearly periods: ATT(g, t) for t = 1..3 of each cohort (a yearly
    // cohort from 2022-04-01 on).
    let cohorts: std::collections::BTreeSet<String> = (0..att.n_rows())
        .map(|r| label(att, r, "Cohort (first period)").unwrap())
        .collect();
    assert!(cohorts.len() >= 2, "{cohorts:?}");
    assert!(cohorts.iter().all(|c| c.ends_with("-04-01")), "{cohorts:?}");
    assert_eq!(att.n_rows(), 3 * cohorts.len());
    assert_eq!(label(att, 0, "Period").unwrap(), "2022-04-01");
}

#[test]
fn event_study_and_staggered_outcome_and_base_errors_name_the_key() {
    let e = spec_err(&[(ES_OUTCOME, "outcome = \"arests\"\nperiod_months = 3")]);
    assert!(
        e.contains("did.event_study.outcome") && e.contains("arests"),
        "{e}"
    );
    let e = spec_err(&[(ST_OUTCOME, "outcome = \"ndt_total\"\nperiod_months = 6")]);
    assert!(
        e.contains("did.staggered.outcome") && e.contains("ndt_total"),
        "{e}"
    );
    let e = spec_err(&[("base_period = \"varying\"", "base_period = \"fixed\"")]);
    assert!(e.contains("base_period") && e.contains("fixed"), "{e}");
    let e = spec_err(&[("sample = \"matched\"", "sample = \"some\"")]);
    assert!(e.contains("sample") && e.contains("some"), "{e}");
}
