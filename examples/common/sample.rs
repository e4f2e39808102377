//! The bundled sample cohort as a person-level analysis table (no
//! identifiers: one row per person, in cohort order), shared by the
//! `matched_comparison` and `did` examples.

use std::path::Path;

use outcomes::cohort::{CovariateValue, DataWindow, Group, Pseudonymiser};
use outcomes::compare::pre_post::{self, CoveragePolicy};
use outcomes::compare::report::CsvTable;
use outcomes::io::{self, Source};
use outcomes::measures::service_use::{CategorySet, Window};
use outcomes::Result;

/// Columns: `treated` (1 = programme), `age`, `sex`, `area`,
/// `prior_arrests`, `ae_before`, `ae_after` (A&E attendances per person per
/// quarter in the 12 months before and after the start; people observed
/// for under half of either window are left out). Returns the table and
/// how many people were left out.
#[allow(dead_code)]
pub fn person_table() -> Result<(CsvTable, usize)> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let key = Pseudonymiser::new(b"demonstration key - use your own")?;
    let spec = outcomes::synthetic::SyntheticSpec::sample();
    let window = DataWindow::new(spec.data_start, spec.extract_date)?;
    let cohort = io::load_cohort(
        &Source::new(data.join("cohort.csv")).pseudonymise(key.clone()),
        window,
    )?;
    let events = io::load_service_events(
        &Source::new(data.join("service_use.csv")).pseudonymise(key),
        &cohort.data,
        &CategorySet::default(),
    )?;
    let counts = io::window_counts(
        &cohort.data,
        &events.data,
        &Window::before_after_12_months(),
        &["ae_attendance".to_string()],
    )?;
    let ae = pre_post::service_use_per_quarter(
        &counts,
        "ae_attendance",
        "before",
        "after",
        CoveragePolicy::default(),
    )?;
    let mut csv = String::from("treated,age,sex,area,prior_arrests,ae_before,ae_after\n");
    for (i, person) in ae.people.iter().enumerate() {
        let Some(m) = cohort.data.get(person) else {
            continue;
        };
        let cov = |name: &str| match m.covariates.get(name) {
            Some(CovariateValue::Number(x)) => x.to_string(),
            Some(CovariateValue::Category(c)) => c.clone(),
            None => String::new(),
        };
        csv.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            u8::from(m.group == Group::Programme),
            cov("age"),
            cov("sex"),
            cov("area"),
            cov("prior_arrests"),
            ae.before[i],
            ae.after[i]
        ));
    }
    Ok((
        CsvTable::from_reader(
            "sample cohort (person-level, no identifiers)",
            csv.as_bytes(),
        )?,
        ae.coverage.excluded,
    ))
}

/// The same table in long form for a 2×2 difference-in-differences: one
/// row per person and period (`unit` is the row number, never an id).
#[allow(dead_code)]
pub fn long_table() -> Result<(CsvTable, usize)> {
    let (t, left_out) = person_table()?;
    let treated = t.numeric("treated")?;
    let before = t.numeric("ae_before")?;
    let after = t.numeric("ae_after")?;
    let mut csv = String::from("unit,period,treated,post,ae_per_quarter\n");
    for i in 0..t.nrows() {
        let (Some(tr), Some(b), Some(a)) = (treated[i], before[i], after[i]) else {
            continue;
        };
        csv.push_str(&format!("{},0,{tr},0,{b}\n{},1,{tr},1,{a}\n", i + 1, i + 1));
    }
    Ok((
        CsvTable::from_reader("sample cohort (long, no identifiers)", csv.as_bytes())?,
        left_out,
    ))
}
