//! `[data.school]`: any school attendance and ASB design from the spec.
//!
//! * Both bundled specs run end to end: the sample's (with its person
//!   cohort) and `data/pilot_towns/evaluation.toml` (no cohort: the school
//!   section alone), whose tables are checked cell by cell against the
//!   independent re-implementation `scripts/golden/part_c.py --spec
//!   data/pilot_towns/evaluation.toml --out tests/data/golden_pilot_towns`
//!   (Python 3.11.7, scipy 1.17.1, statsmodels 0.15.0; see
//!   `golden/hand_c.rs` for the calls).
//! * Each key of `[data.school]`: one test of its effect and one of its
//!   error (a misspelt key, a wrong type, a value out of range, a design that
//!   cannot be estimated, a name the files do not hold), each error naming
//!   the key and why.
// The report folder check includes the charts, drawn under the `plot` feature.
#![cfg(feature = "plot")]

use std::path::{Path, PathBuf};

use outcomes::cohort::Phase;
use outcomes::evaluate::{self, EvaluationSpec, Progress};
use outcomes::measures::school_report::{school_report, AttendanceMeasure, SchoolReport};
use outcomes::measures::synthetic_school::{
    write_school_data, Arm, SchoolDataConfig, ENROLMENT_COUNTS_FILE, POLICE_UK_FILE,
    POPULATION_FILE, REGISTER_FILE,
};

use crate::common::say_checked;
use crate::golden::{compare_report_table, Published};

const FILES: [&str; 4] = [
    REGISTER_FILE,
    ENROLMENT_COUNTS_FILE,
    POLICE_UK_FILE,
    POPULATION_FILE,
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn pilot_dir() -> PathBuf {
    root().join("data/pilot_towns")
}

fn pilot_text() -> String {
    std::fs::read_to_string(pilot_dir().join("evaluation.toml")).unwrap()
}

/// A temporary folder removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let d = std::env::temp_dir().join(format!(
            "outcomes-school-spec-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The pilot-towns spec with `edit` applied, its files in `dir`.
fn spec_in(dir: &Path, edit: &dyn Fn(String) -> String) -> outcomes::Result<EvaluationSpec> {
    EvaluationSpec::from_toml(&edit(pilot_text()), "edited.toml", dir)
}

/// The pilot-towns spec with `edit` applied (files in `data/pilot_towns`).
fn spec(edit: &dyn Fn(String) -> String) -> outcomes::Result<EvaluationSpec> {
    spec_in(&pilot_dir(), edit)
}

/// The school report of the edited pilot-towns spec.
fn report(edit: &dyn Fn(String) -> String) -> outcomes::Result<SchoolReport> {
    report_in(&pilot_dir(), edit)
}

fn report_in(dir: &Path, edit: &dyn Fn(String) -> String) -> outcomes::Result<SchoolReport> {
    let (files, design) = spec_in(dir, edit)?.school_design()?.unwrap();
    school_report(&files, &design)
}

/// The error of the edited spec (at parse or at load), as text.
fn error(edit: &dyn Fn(String) -> String) -> String {
    error_in(&pilot_dir(), edit)
}

fn error_in(dir: &Path, edit: &dyn Fn(String) -> String) -> String {
    match report_in(dir, edit) {
        Ok(_) => panic!("the edited spec was accepted"),
        Err(e) => e.to_string(),
    }
}

/// `text` with the first line starting `key =` (after `after`, if given)
/// replaced by `key = value`, or removed when `value` is `None`.
fn set(text: &str, after: Option<&str>, key: &str, value: Option<&str>) -> String {
    let start = after.map_or(0, |a| text.find(a).unwrap_or_else(|| panic!("no {a}")));
    let at = start
        + text[start..]
            .find(&format!("\n{key} ="))
            .unwrap_or_else(|| panic!("no {key} after {after:?}"))
        + 1;
    let end = at + text[at..].find('\n').unwrap();
    match value {
        Some(v) => format!("{}{key} = {v}{}", &text[..at], &text[end..]),
        None => format!("{}{}", &text[..at], &text[end + 1..]),
    }
}

/// `text` with every line starting `key =` removed.
fn drop_key(text: &str, key: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with(&format!("{key} =")))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn assert_names(e: &str, key: &str, why: &str) {
    assert!(e.contains(key), "the error does not name `{key}`: {e}");
    assert!(e.contains(why), "the error does not say {why:?}: {e}");
}

// ---------------------------------------------------------------------------
// Both specs, end to end
// ---------------------------------------------------------------------------

/// The pilot-towns spec (no `[data.cohort]`) runs as shipped: the report is
/// the validation section and the school section, and its six school tables
/// equal the independent computation cell by cell.
#[test]
fn pilot_towns_spec_runs_without_a_cohort_and_matches_its_independent_values() {
    let tmp = TempDir::new("pilot-e2e");
    let spec = EvaluationSpec::from_path(pilot_dir().join("evaluation.toml")).unwrap();
    assert!(spec.data.cohort.is_none());
    let ev = evaluate::run(&spec, &Progress::quiet()).unwrap();
    let titles: Vec<&str> = ev.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Inputs and validation",
            "School attendance and anti-social behaviour"
        ]
    );
    let files: Vec<&str> = ev.accounts.iter().map(|a| a.file.as_str()).collect();
    assert_eq!(files, FILES);
    for a in &ev.accounts {
        assert_eq!(a.rows_read, a.accepted + a.rejected, "{}", a.file);
    }
    assert!(ev.run.pseudonymisation.starts_with("none"));
    let out = tmp.0.join("report");
    evaluate::write_report(&ev, &out).unwrap();
    assert!(out.join("report.html").is_file());
    let mut cells = 0;
    for stem in [
        "school_did",
        "attendance",
        "asb_rates",
        "asb_rate_ratios",
        "asb_by_quarter",
        "asb_by_month",
    ] {
        let golden = root()
            .join("tests/data/golden_pilot_towns")
            .join(format!("{stem}.csv"));
        cells += compare_report_table(&out, &golden, stem);
    }
    // The rates name their population years: 2022 before, 2023 after (the
    // spec's "phase" rule for the months too).
    let t = Published::load_from(&out, "asb_by_month");
    let r = t.row_where(&["2023-08"]);
    assert_eq!(t.cell(r, "Population year"), "2022");
    let r = t.row_where(&["2023-09"]);
    assert_eq!(t.cell(r, "Population year"), "2023");
    let t = Published::load_from(&out, "asb_rates");
    let r = t.row_where(&["Pilot (Ashby Cross and Brinsworth)", "After"]);
    assert_eq!(t.cell(r, "Population year"), "2023");
    say_checked(&format!(
        "pilot towns: {cells} cells of 6 tables against scripts/golden/part_c.py"
    ));
}

/// Both shipped specs run from the command line with no code change.
#[cfg(feature = "cli")]
#[test]
fn both_specs_run_from_outcomes_evaluate() {
    let tmp = TempDir::new("cli-both");
    for (spec, name) in [
        ("data/sample/evaluation.toml", "sample"),
        ("data/pilot_towns/evaluation.toml", "pilot_towns"),
    ] {
        let out = tmp.0.join(name);
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_outcomes"))
            .args(["-q", "evaluate", "--spec"])
            .arg(root().join(spec))
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{spec}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        assert!(html.contains("Difference in differences"), "{spec}");
        assert!(out.join("tables/school_did.csv").is_file(), "{spec}");
    }
}

/// `data/pilot_towns/` holds exactly what the crate's seeded generator
/// writes for [`SchoolDataConfig::pilot_towns`].
#[test]
fn pilot_towns_files_are_current() {
    let tmp = TempDir::new("pilot-current");
    write_school_data(&tmp.0, &SchoolDataConfig::pilot_towns().unwrap()).unwrap();
    for f in FILES {
        let a = std::fs::read(pilot_dir().join(f)).unwrap();
        let b = std::fs::read(tmp.0.join(f)).unwrap();
        assert!(
            a == b,
            "data/pilot_towns/{f} is stale: run `cargo run --example generate_school_sample -- pilot_towns`"
        );
    }
}

/// Each shipped spec's arms are its generator's towns: the schools and areas
/// of the pilot towns are the pilot's, and the comparison's likewise.
#[test]
fn shipped_designs_are_their_generators_towns() {
    for (spec, config) in [
        (
            root().join("data/sample/evaluation.toml"),
            SchoolDataConfig::sample().unwrap(),
        ),
        (
            pilot_dir().join("evaluation.toml"),
            SchoolDataConfig::pilot_towns().unwrap(),
        ),
    ] {
        let (_, d) = EvaluationSpec::from_path(&spec)
            .unwrap()
            .school_design()
            .unwrap()
            .unwrap();
        let asb = outcomes::measures::synthetic_school::generate_asb(&config.asb).unwrap();
        for arm in [Arm::Pilot, Arm::Comparison] {
            let mut schools: Vec<String> = config
                .register
                .towns
                .iter()
                .filter(|t| t.arm == arm)
                .flat_map(|t| t.schools.clone())
                .collect();
            schools.sort();
            let mut got: Vec<String> = d
                .arm(arm)
                .schools
                .iter()
                .map(|s| s.as_str().to_string())
                .collect();
            got.sort();
            assert_eq!(got, schools, "{}: {arm:?} schools", spec.display());
            let mut areas: Vec<String> = asb
                .areas
                .iter()
                .filter(|a| a.arm == arm)
                .map(|a| a.code.as_str().to_string())
                .collect();
            areas.sort();
            let mut got: Vec<String> = d
                .arm(arm)
                .areas
                .iter()
                .map(|a| a.as_str().to_string())
                .collect();
            got.sort();
            assert_eq!(got, areas, "{}: {arm:?} areas", spec.display());
        }
    }
}

// ---------------------------------------------------------------------------
// Without a cohort
// ---------------------------------------------------------------------------

/// `data.cohort` may be left out only for a school-only evaluation.
#[test]
fn a_spec_without_a_cohort_is_the_school_section_or_an_error() {
    // Effect: shown by the end-to-end test above (the school section alone).
    let e = spec(&|t| t + "\n[data.service_use]\npath = \"service_use.csv\"\n")
        .unwrap_err()
        .to_string();
    assert_names(&e, "data.service_use", "needs a [data.cohort]");
    let e = spec(&|t| t + "\n[costs]\nprogramme_cost_per_person = 10.0\n")
        .unwrap_err()
        .to_string();
    assert_names(&e, "costs", "needs a [data.cohort]");
    let cut = |t: String| t[..t.find("\n[data.school]\n").unwrap()].to_string() + "[data]\n";
    let e = spec(&cut).unwrap_err().to_string();
    assert_names(&e, "data.cohort", "[data.school]");
    assert!(e.contains("edited.toml"), "{e}");
}

// ---------------------------------------------------------------------------
// Keys: misspelt and mistyped
// ---------------------------------------------------------------------------

#[test]
fn a_misspelt_or_mistyped_school_key_is_an_error_naming_it() {
    let e = spec(&|t| t.replace("programme_start =", "programme_stat ="))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("programme_stat") && e.contains("edited.toml"),
        "{e}"
    );
    let e = spec(&|t| {
        set(
            &t,
            Some("[data.school.pilot]"),
            "schools",
            Some("\"900101\""),
        )
    })
    .unwrap_err()
    .to_string();
    assert!(e.contains("schools") && e.contains("sequence"), "{e}");
    let e = spec(&|t| t.replace("\"phase\"", "\"monthly\""))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("monthly") && e.contains("calendar_year") && e.contains("phase"),
        "{e}"
    );
    let e = spec(&|t| t.replace("[data.school.before]", "[data.school.befor]"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("befor"), "{e}");
    // The old keys are gone: `dir` and `design = "sample"` are unknown.
    let e = spec(&|t| t.replace("[data.school]\n", "[data.school]\ndesign = \"sample\"\n"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("design"), "{e}");
}

// ---------------------------------------------------------------------------
// Keys: files
// ---------------------------------------------------------------------------

/// `register`: the attendance source. Without it the counts file is.
#[test]
fn register_key() {
    let no_register = |t: String| {
        drop_key(
            &drop_key(&set(&t, None, "register", None), "first_day"),
            "last_day",
        )
    };
    let r = report(&no_register).unwrap();
    assert!(r.attendance_register.is_empty());
    assert_eq!(r.attendance().len(), 4);
    assert_eq!(r.attendance_did[0].source, ENROLMENT_COUNTS_FILE);
    let c = r.counts_cell(Arm::Pilot, Phase::Before).unwrap();
    assert_eq!(c.period.start().to_string(), "2022-09-01");
    assert_eq!(c.period.end().to_string(), "2023-08-31");
    // The counts and register agree here (no school day on 1-3 Sep 2023).
    let full = report(&|t| t).unwrap();
    assert_eq!(
        full.register_cell(Arm::Pilot, Phase::Before)
            .unwrap()
            .summary,
        c.summary
    );
    let tmp = TempDir::new("no-register-file");
    for f in &FILES[1..] {
        std::fs::copy(pilot_dir().join(f), tmp.0.join(f)).unwrap();
    }
    let spec = spec_in(&tmp.0, &|t| t).unwrap();
    let e = evaluate::run(&spec, &Progress::quiet())
        .unwrap_err()
        .to_string();
    assert_names(&e, "data.school.register", "register.csv");
}

/// `enrolment_counts`: read (and accounted for) when named; its phases'
/// academic years are needed with it and refused without it.
#[test]
fn enrolment_counts_key() {
    let no_counts = |t: String| drop_key(&set(&t, None, "enrolment_counts", None), "academic_year");
    let r = report(&no_counts).unwrap();
    assert!(r.attendance_counts.is_empty());
    assert!(r.input(ENROLMENT_COUNTS_FILE).is_none());
    assert!(report(&|t| t)
        .unwrap()
        .input(ENROLMENT_COUNTS_FILE)
        .is_some());
    let e = error(&|t| set(&t, None, "enrolment_counts", None));
    assert_names(&e, "data.school.before.academic_year", "enrolment_counts");
}

/// `police_uk`: the ASB part; without it (and its population file and
/// months) there is none, and a population file alone is refused.
#[test]
fn police_uk_key() {
    let no_asb = |t: String| {
        let t = set(&t, None, "police_uk", None);
        let t = set(&t, None, "population", None);
        let t = drop_key(&drop_key(&t, "first_month"), "last_month");
        let t = drop_key(&t, "population_year");
        drop_key(&drop_key(&t, "period_population_year"), "lsoas")
    };
    let r = report(&no_asb).unwrap();
    assert!(r.asb.is_none());
    assert_eq!(r.attendance_did.len(), 5);
    let e = error(&|t| set(&t, None, "police_uk", None));
    assert_names(&e, "data.school.population", "police_uk");
}

/// `population`: the residents of every rate; needed with `police_uk`.
#[test]
fn population_key() {
    let tmp = TempDir::new("population");
    for f in FILES {
        std::fs::copy(pilot_dir().join(f), tmp.0.join(f)).unwrap();
    }
    // Effect: one LSOA's 2022 population doubled doubles its share of the
    // pilot's before residents.
    let text = std::fs::read_to_string(tmp.0.join(POPULATION_FILE)).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("E01990101,2022,"))
        .unwrap()
        .to_string();
    let n: u64 = line.split(',').nth(2).unwrap().parse().unwrap();
    std::fs::write(
        tmp.0.join(POPULATION_FILE),
        text.replace(
            &line,
            &line.replace(&format!(",{n},"), &format!(",{},", 2 * n)),
        ),
    )
    .unwrap();
    let base = report(&|t| t).unwrap();
    let edited = report_in(&tmp.0, &|t| t).unwrap();
    let pop = |r: &SchoolReport| r.asb.as_ref().unwrap().comparison.pilot_before.population;
    assert_eq!(pop(&edited), pop(&base) + n);
    let e = error(&|t| set(&t, None, "population", None));
    assert_names(&e, "data.school.population", "police_uk");
}

// ---------------------------------------------------------------------------
// Keys: the start and the rules
// ---------------------------------------------------------------------------

/// `programme_start`: the phases' boundary; inside the data window and the
/// register's dates.
#[test]
fn programme_start_key() {
    // Effect: a start a week later with the phases moved with it.
    let later = |t: String| {
        let t = set(&t, None, "programme_start", Some("\"2023-09-11\""));
        let t = set(
            &t,
            Some("[data.school.before]"),
            "last_day",
            Some("\"2023-09-10\""),
        );
        set(
            &t,
            Some("[data.school.after]"),
            "first_day",
            Some("\"2023-09-11\""),
        )
    };
    let a = report(&|t| t).unwrap();
    let b = report(&later).unwrap();
    let possible = |r: &SchoolReport, p| r.register_cell(Arm::Pilot, p).unwrap().summary.possible;
    assert!(possible(&b, Phase::Before) > possible(&a, Phase::Before));
    assert!(possible(&b, Phase::After) < possible(&a, Phase::After));
    // Errors: outside the data window (before any file is read); a before
    // phase that does not end before it.
    let e = spec(&|t| set(&t, None, "programme_start", Some("\"2025-01-06\"")))
        .unwrap_err()
        .to_string();
    assert_names(&e, "data.school.programme_start", "outside the data");
    let e = spec(&|t| set(&t, None, "programme_start", Some("\"2023-09-01\"")))
        .unwrap_err()
        .to_string();
    assert_names(&e, "data.school.before.last_day", "must be before");
}

/// A programme start outside the register's dates is an error naming the
/// file's dates.
#[test]
fn programme_start_outside_the_register_is_an_error() {
    let e = error(&|t| {
        let t = set(&t, None, "programme_start", Some("\"2024-08-01\""));
        let t = set(
            &t,
            Some("[data.school.before]"),
            "last_day",
            Some("\"2024-07-31\""),
        );
        let t = set(
            &t,
            Some("[data.school.after]"),
            "first_day",
            Some("\"2024-08-01\""),
        );
        t.replace(
            "# asb_start_month left out",
            "asb_start_month = \"2023-09\"\n# asb_start_month was left out",
        )
    });
    assert_names(
        &e,
        "data.school.programme_start",
        "register.csv holds marks from 2022-09-05 to 2024-07-19",
    );
}

/// `asb_start_month`: the ASB phases' boundary (default: the month of the
/// programme start).
#[test]
fn asb_start_month_key() {
    let with = |m: &'static str| {
        move |t: String| {
            t.replace(
                "# asb_start_month left out",
                &format!("asb_start_month = \"{m}\"\n# asb_start_month was left out"),
            )
        }
    };
    // Effect: the same as the default here; and the sample's April 2024 is
    // what lets its ASB phases split in April while school starts in
    // September.
    let a = report(&|t| t).unwrap();
    let b = report(&with("2023-09")).unwrap();
    assert_eq!(a.design.asb_start_month, b.design.asb_start_month);
    assert_eq!(a.design.asb_start_month.to_string(), "2023-09");
    let sample = std::fs::read_to_string(root().join("data/sample/evaluation.toml")).unwrap();
    let e = EvaluationSpec::from_toml(
        &set(&sample, None, "asb_start_month", None),
        "edited.toml",
        &root().join("data/sample"),
    )
    .unwrap_err()
    .to_string();
    assert_names(
        &e,
        "data.school.after.first_month",
        "in or after the ASB start month (2024-09)",
    );
    // Errors: a bad month; outside the police.uk file.
    let e = spec(&with("2023-9")).unwrap_err().to_string();
    assert_names(&e, "data.school.asb_start_month", "YYYY-MM");
    let e = error(&|t| {
        let t = with("2021-06")(t);
        let t = set(
            &t,
            Some("[data.school.before]"),
            "first_month",
            Some("\"2021-01\""),
        );
        let t = set(
            &t,
            Some("[data.school.before]"),
            "last_month",
            Some("\"2021-05\""),
        );
        set(
            &t,
            Some("[data.school.after]"),
            "first_month",
            Some("\"2021-06\""),
        )
    });
    assert_names(
        &e,
        "data.school.asb_start_month",
        "police_uk_street.csv holds months 2022-01 to 2024-08",
    );
}

/// `persistent_absence_percent`: the threshold of persistent absence.
#[test]
fn persistent_absence_percent_key() {
    let a = report(&|t| t).unwrap();
    let b = report(&|t| set(&t, None, "persistent_absence_percent", Some("15"))).unwrap();
    let pa = |r: &SchoolReport| {
        r.register_cell(Arm::Pilot, Phase::Before)
            .unwrap()
            .summary
            .persistent_absentees
    };
    assert!(pa(&b) < pa(&a), "{} vs {}", pa(&b), pa(&a));
    for bad in ["0", "101"] {
        let e = spec(&|t| set(&t, None, "persistent_absence_percent", Some(bad)))
            .unwrap_err()
            .to_string();
        assert_names(&e, "data.school.persistent_absence_percent", "1 to 100");
    }
}

/// `period_population_year`: each month's calendar year, or its phase's
/// population year; a calendar year the population file lacks is an error
/// naming the year and the LSOA, never the nearest year.
#[test]
fn period_population_year_key() {
    let a = report(&|t| t).unwrap();
    let b = report(&|t| t.replace("\"phase\"", "\"calendar_year\"")).unwrap();
    let month = |r: &SchoolReport, m: &str| {
        *r.asb
            .as_ref()
            .unwrap()
            .by_month
            .iter()
            .find(|x| x.month.to_string() == m)
            .unwrap()
    };
    // 2023-05 is a before month (phase year 2022) in calendar year 2023.
    assert_eq!(month(&a, "2023-05").population_year, 2022);
    assert_eq!(month(&b, "2023-05").population_year, 2023);
    assert_ne!(
        month(&a, "2023-05").pilot_residents,
        month(&b, "2023-05").pilot_residents
    );
    // The phase rates are the same either way.
    assert_eq!(
        a.asb.as_ref().unwrap().comparison,
        b.asb.as_ref().unwrap().comparison
    );
    let tmp = TempDir::new("no-2024");
    for f in FILES {
        std::fs::copy(pilot_dir().join(f), tmp.0.join(f)).unwrap();
    }
    let text = std::fs::read_to_string(tmp.0.join(POPULATION_FILE)).unwrap();
    let kept: String = text
        .lines()
        .filter(|l| !l.contains(",2024,"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(tmp.0.join(POPULATION_FILE), kept).unwrap();
    report_in(&tmp.0, &|t| t).unwrap();
    let e = error_in(&tmp.0, &|t| t.replace("\"phase\"", "\"calendar_year\""));
    assert_names(
        &e,
        "data.school.period_population_year",
        "in 2024, the calendar year of 2024-01",
    );
    assert!(e.contains("LSOA E01990101"), "{e}");
    assert!(e.contains("its years: 2022, 2023"), "{e}");
}

// ---------------------------------------------------------------------------
// Keys: the arms
// ---------------------------------------------------------------------------

/// `pilot.name`, `comparison.name`: the arms' names in the report.
#[test]
fn arm_name_keys() {
    let r = report(&|t| t.replace("\"Calder Moor and Dunmere\"", "\"Elsewhere\"")).unwrap();
    assert_eq!(r.design.comparison.name, "Elsewhere");
    let e = spec(&|t| {
        t.replace(
            "\"Calder Moor and Dunmere\"",
            "\"Ashby Cross and Brinsworth\"",
        )
    })
    .unwrap_err()
    .to_string();
    assert_names(&e, "data.school.comparison.name", "other than the pilot's");
    let e = spec(&|t| t.replace("\"Ashby Cross and Brinsworth\"", "\" \""))
        .unwrap_err()
        .to_string();
    assert_names(&e, "data.school.pilot.name", "name the arm");
}

/// `pilot.schools`, `comparison.schools`: which enrolments are in each arm.
#[test]
fn schools_keys() {
    let a = report(&|t| t).unwrap();
    let b = report(&|t| {
        t.replace(
            "\"900101\", \"900102\", \"900103\"",
            "\"900101\", \"900102\"",
        )
    })
    .unwrap();
    let n = |r: &SchoolReport| {
        r.register_cell(Arm::Pilot, Phase::Before)
            .unwrap()
            .summary
            .units
    };
    assert!(n(&b) < n(&a));
    // Not in the file (named at load, with the file); in both arms; none.
    let e = error(&|t| t.replace("\"900103\"", "\"900999\""));
    assert_names(
        &e,
        "data.school.pilot.schools",
        "school not in register.csv",
    );
    assert!(e.contains("900999") && e.contains("900101"), "{e}");
    let e = spec(&|t| t.replace("\"900104\", \"900105\"", "\"900103\", \"900105\""))
        .unwrap_err()
        .to_string();
    assert_names(
        &e,
        "data.school.comparison.schools",
        "also in data.school.pilot.schools",
    );
    let e = spec(&|t| t.replace("[\"900104\", \"900105\", \"900106\"]", "[]"))
        .unwrap_err()
        .to_string();
    assert_names(
        &e,
        "data.school.comparison.schools",
        "no comparison schools",
    );
    let e = spec(&|t| t.replace("\"900101\", \"900102\"", "\"900101\", \"900101\""))
        .unwrap_err()
        .to_string();
    assert_names(&e, "data.school.pilot.schools", "listed twice");
}

/// `pilot.lsoas`, `comparison.lsoas`: which areas' ASB is in each arm.
#[test]
fn lsoas_keys() {
    let a = report(&|t| t).unwrap();
    let b = report(&|t| t.replace(", \"E01990111\"]", "]")).unwrap();
    let k = |r: &SchoolReport| {
        r.asb
            .as_ref()
            .unwrap()
            .comparison
            .comparison_before
            .incidents
    };
    assert!(k(&b) < k(&a));
    let e = error(&|t| t.replace("\"E01990111\"", "\"E01990999\""));
    assert_names(
        &e,
        "data.school.comparison.lsoas",
        "LSOA not in police_uk_street.csv",
    );
    let e = spec(&|t| t.replace("\"E01990104\",", "\"E01990101\","))
        .unwrap_err()
        .to_string();
    assert_names(
        &e,
        "data.school.comparison.lsoas",
        "also in data.school.pilot.lsoas",
    );
    let e = spec(&|t| {
        t.replace(
            "[\"E01990104\", \"E01990105\", \"E01990106\", \"E01990109\", \"E01990110\", \"E01990111\"]",
            "[]",
        )
    })
    .unwrap_err()
    .to_string();
    assert_names(&e, "data.school.comparison.lsoas", "no comparison lsoas");
}

// ---------------------------------------------------------------------------
// Keys: the phases
// ---------------------------------------------------------------------------

/// `before.first_day` … `after.last_day`: the register's phases.
#[test]
fn register_phase_keys() {
    let a = report(&|t| t).unwrap();
    let b = report(&|t| {
        set(
            &t,
            Some("[data.school.before]"),
            "first_day",
            Some("\"2023-01-03\""),
        )
    })
    .unwrap();
    let p = |r: &SchoolReport| {
        r.register_cell(Arm::Pilot, Phase::Before)
            .unwrap()
            .summary
            .possible
    };
    assert!(p(&b) < p(&a));
    let c = report(&|t| {
        set(
            &t,
            Some("[data.school.after]"),
            "last_day",
            Some("\"2024-03-28\""),
        )
    })
    .unwrap();
    let q = |r: &SchoolReport| {
        r.register_cell(Arm::Pilot, Phase::After)
            .unwrap()
            .summary
            .possible
    };
    assert!(q(&c) < q(&a));
    // No pre-period: a before phase that starts on the programme start, or
    // one with no marks (the register starts on 2022-09-05).
    let e = spec(&|t| {
        let t = set(
            &t,
            Some("[data.school.before]"),
            "first_day",
            Some("\"2023-09-05\""),
        );
        set(
            &t,
            Some("[data.school.before]"),
            "last_day",
            Some("\"2023-09-05\""),
        )
    })
    .unwrap_err()
    .to_string();
    assert_names(&e, "data.school.before.first_day", "no pre-period");
    let e = error(&|t| {
        let t = set(
            &t,
            Some("[data.school.before]"),
            "first_day",
            Some("\"2022-07-01\""),
        );
        set(
            &t,
            Some("[data.school.before]"),
            "last_day",
            Some("\"2022-08-31\""),
        )
    });
    assert_names(
        &e,
        "data.school.before.first_day",
        "no pre-period: register.csv has no accepted row of the pilot schools",
    );
    let e = spec(&|t| {
        set(
            &t,
            Some("[data.school.after]"),
            "first_day",
            Some("\"2023-09-01\""),
        )
    })
    .unwrap_err()
    .to_string();
    assert_names(
        &e,
        "data.school.after.first_day",
        "on or after data.school.programme_start",
    );
    let e = spec(&|t| set(&t, Some("[data.school.after]"), "last_day", None))
        .unwrap_err()
        .to_string();
    assert_names(
        &e,
        "data.school.after.last_day",
        "give it with after.first_day",
    );
    let e = spec(&|t| {
        set(
            &t,
            Some("[data.school.after]"),
            "last_day",
            Some("\"2023-09-01\""),
        )
    })
    .unwrap_err()
    .to_string();
    assert_names(&e, "data.school.after.last_day", "must not be before");
}

/// `before.academic_year`, `after.academic_year`: the counts file's phases.
#[test]
fn academic_year_keys() {
    let counts_only = |t: String| {
        drop_key(
            &drop_key(&set(&t, None, "register", None), "first_day"),
            "last_day",
        )
    };
    let r = report(&|t| {
        set(
            &counts_only(t),
            Some("[data.school.after]"),
            "academic_year",
            Some("\"2023-24\""),
        )
    })
    .unwrap();
    assert_eq!(
        r.counts_cell(Arm::Comparison, Phase::After)
            .unwrap()
            .period
            .start()
            .to_string(),
        "2023-09-01"
    );
    let e = spec(&|t| {
        set(
            &t,
            Some("[data.school.before]"),
            "academic_year",
            Some("\"2022/24\""),
        )
    })
    .unwrap_err()
    .to_string();
    assert_names(&e, "data.school.before.academic_year", "2023/24");
    let e = spec(&|t| {
        set(
            &t,
            Some("[data.school.before]"),
            "academic_year",
            Some("\"2023/24\""),
        )
    })
    .unwrap_err()
    .to_string();
    assert_names(&e, "data.school.before.academic_year", "must end before");
    // Counts as the only source: a year the file does not hold.
    let e = error(&|t| {
        let t = counts_only(t);
        let t = set(&t, None, "programme_start", Some("\"2023-09-04\""));
        set(
            &t,
            Some("[data.school.before]"),
            "academic_year",
            Some("\"2021/22\""),
        )
    });
    assert_names(
        &e,
        "data.school.before.academic_year",
        "no pre-period: enrolment_counts.csv has no accepted row",
    );
}

/// `first_month`, `last_month`: the ASB phases' months.
#[test]
fn asb_month_keys() {
    let a = report(&|t| t).unwrap();
    let b = report(&|t| {
        set(
            &t,
            Some("[data.school.after]"),
            "last_month",
            Some("\"2024-02\""),
        )
    })
    .unwrap();
    let asb = |r: &SchoolReport| r.asb.clone().unwrap();
    assert_eq!(asb(&b).comparison.pilot_after.months, 6);
    assert!(asb(&b).comparison.pilot_after.incidents < asb(&a).comparison.pilot_after.incidents);
    assert_eq!(asb(&b).by_month.len(), 18);
    let e = spec(&|t| {
        set(
            &t,
            Some("[data.school.before]"),
            "last_month",
            Some("\"2023-09\""),
        )
    })
    .unwrap_err()
    .to_string();
    assert_names(
        &e,
        "data.school.before.last_month",
        "before the ASB start month (2023-09)",
    );
    let e = spec(&|t| {
        set(
            &t,
            Some("[data.school.before]"),
            "first_month",
            Some("\"2022-13\""),
        )
    })
    .unwrap_err()
    .to_string();
    assert_names(&e, "data.school.before.first_month", "YYYY-MM");
    let e = error(&|t| {
        set(
            &t,
            Some("[data.school.before]"),
            "first_month",
            Some("\"2021-09\""),
        )
    });
    assert_names(
        &e,
        "data.school.before.first_month",
        "no pre-period: police_uk_street.csv starts at 2022-01",
    );
    let e = spec(&|t| set(&t, Some("[data.school.after]"), "first_month", None))
        .unwrap_err()
        .to_string();
    assert_names(
        &e,
        "data.school.after.first_month",
        "give it with after.last_month",
    );
}

/// `population_year`: the residents of each phase's rates; a year the file
/// does not hold for an LSOA is an error naming the year and the LSOA.
#[test]
fn population_year_keys() {
    let a = report(&|t| t).unwrap();
    let b = report(&|t| {
        set(
            &t,
            Some("[data.school.after]"),
            "population_year",
            Some("2024"),
        )
    })
    .unwrap();
    let asb = |r: &SchoolReport| r.asb.clone().unwrap();
    assert_eq!(asb(&b).population_year_after, 2024);
    assert!(asb(&b).comparison.pilot_after.population > asb(&a).comparison.pilot_after.population);
    let e = error(&|t| {
        set(
            &t,
            Some("[data.school.before]"),
            "population_year",
            Some("2019"),
        )
    });
    assert_names(
        &e,
        "data.school.before.population_year",
        "no population of LSOA E01990101 in 2019",
    );
    assert!(
        e.contains("its years: 2022, 2023, 2024") && e.contains("never"),
        "{e}"
    );
    let e = spec(&|t| {
        set(
            &t,
            Some("[data.school.before]"),
            "population_year",
            Some("20222"),
        )
    })
    .unwrap_err()
    .to_string();
    assert_names(&e, "data.school.before.population_year", "1900 to 9999");
    let e = spec(&|t| set(&t, Some("[data.school.before]"), "population_year", None))
        .unwrap_err()
        .to_string();
    assert_names(
        &e,
        "data.school.before.population_year",
        "needed with data.school.police_uk",
    );
}

/// The attendance differences in differences equal the change of the
/// published rates (the cells' ratios of totals), for every measure.
#[test]
fn attendance_did_is_the_difference_of_the_arms_changes() {
    let r = report(&|t| t).unwrap();
    for m in AttendanceMeasure::ALL {
        let d = r.did(m).unwrap();
        let e = d.effect.as_ref().unwrap();
        assert!(
            (e.estimate - (d.pilot_change - d.comparison_change)).abs() < 1e-9,
            "{m:?}: {} vs {} - {}",
            e.estimate,
            d.pilot_change,
            d.comparison_change
        );
        assert_eq!(e.estimator, "CR1");
        assert_eq!(e.clusters, Some(150));
    }
}
