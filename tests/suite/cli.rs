//! The `outcomes` command-line tool, run as a user runs it: the built binary
//! (`CARGO_BIN_EXE_outcomes`) through `std::process::Command`.
//!
//! For every subcommand: its `--help` (exit 0, naming its options), a run on
//! the bundled sample (`data/sample/`), and bad input with its exit code (1 for
//! bad input or a failed run, 2 for bad usage) and a one-line message naming
//! the file, row, column or key. Where a subcommand wraps one library call,
//! the numbers it prints with `--json` are compared with that call made here.
//! And no identifier planted in an input file reaches stdout or stderr.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use outcomes::cohort::{DataWindow, Group, Pseudonymiser};
use outcomes::compare::pre_post;
use outcomes::compare::report::{run_did, run_matched_comparison, CsvTable, DidSpec};
use outcomes::compare::report::{CovariateKind, CovariateSpec, MatchedComparisonSpec};
use outcomes::compare::Caliper;
use outcomes::evaluate::spec::DEMONSTRATION_KEY;
use outcomes::evaluate::EvaluationSpec;
use outcomes::io::{self, Source};
use outcomes::measures::ndt::{self, PartialPolicy, SelectionRule};
use outcomes::measures::school_report::school_report;
use outcomes::measures::service_use::CategorySet;
use outcomes::stats::{BootstrapConfig, ConfidenceLevel};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_outcomes");

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample")
}

/// A fresh empty folder for one test.
fn tmp(name: &str) -> PathBuf {
    let d =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs the binary in `cwd` (so nothing is written into the repository).
fn run_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(cwd)
        .args(args)
        .output()
        .unwrap()
}

fn run(args: &[&str]) -> Output {
    run_in(Path::new(env!("CARGO_TARGET_TMPDIR")), args)
}

fn texts(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Exit 0, and the stdout.
fn ok(args: &[&str]) -> String {
    let o = run(args);
    let (out, err) = texts(&o);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{args:?}\nstdout:\n{out}\nstderr:\n{err}"
    );
    out
}

/// Exit `code`, with stderr's last line starting `error:`; returns that line.
fn fails(args: &[&str], code: i32) -> String {
    let o = run(args);
    let (out, err) = texts(&o);
    assert_eq!(
        o.status.code(),
        Some(code),
        "{args:?}\nstdout:\n{out}\nstderr:\n{err}"
    );
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    assert!(!err.contains("RUST_BACKTRACE"), "{args:?}: {err}");
    let line = err
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| panic!("{args:?}: no `error:` line in\n{err}"))
        .to_string();
    line
}

fn json(args: &[&str]) -> Value {
    let out = ok(args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}):\n{out}"))
}

/// The stdout of a `--json` run is exactly the library value serialised as
/// the binary serialises it (pretty JSON, one final newline).
fn prints_json_of<T: serde::Serialize>(args: &[&str], want: &T) {
    let out = ok(args);
    assert_eq!(
        out,
        serde_json::to_string_pretty(want).unwrap() + "\n",
        "{args:?}"
    );
}

/// JSON values equal up to the last bits of a float: serde_json's parser is
/// not correctly rounded (a printed float may read back one ulp away).
fn same(got: &Value, want: &Value, at: &str) {
    match (got, want) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!(
                (a - b).abs() <= 1e-14 * a.abs().max(b.abs()).max(1.0),
                "{at}: {a} != {b}"
            );
        }
        (Value::Object(a), Value::Object(b)) => {
            assert_eq!(
                a.keys().collect::<Vec<_>>(),
                b.keys().collect::<Vec<_>>(),
                "{at}"
            );
            for (k, v) in a {
                same(v, &b[k], &format!("{at}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{at}");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                same(x, y, &format!("{at}[{i}]"));
            }
        }
        _ => assert_eq!(got, want, "{at}"),
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Every subcommand's `--help` exits 0 and names its options.
#[test]
fn every_subcommand_has_help() {
    let cases: &[(&str, &[&str])] = &[
        ("evaluate", &["--spec", "--out", "--quiet"]),
        (
            "validate",
            &[
                "--dataset",
                "--rejected-rows",
                "--strict",
                "--id",
                "--spec",
                "service-use",
            ],
        ),
        (
            "match",
            &[
                "--data",
                "--treatment",
                "--covariates",
                "--outcome",
                "--ratio",
                "--caliper",
                "--replace",
                "--exact",
                "--order",
                "--json",
            ],
        ),
        (
            "did",
            &[
                "--data",
                "--unit",
                "--time",
                "--treated",
                "--post",
                "--outcome",
                "--cluster",
                "--design",
                "--first-treated",
                "event-study",
                "staggered",
                "--json",
            ],
        ),
        (
            "pre-post",
            &["--data", "--id", "--before", "--after", "--spec", "--json"],
        ),
        ("ndt", &["--spec", "--json"]),
        ("attendance", &["--spec", "--json"]),
        ("asb", &["--spec", "--json"]),
        ("costs", &["--spec", "--json"]),
        ("cba", &["--spec", "--json"]),
        (
            "generate",
            &[
                "--people",
                "--events-per-person",
                "--effect",
                "--seed",
                "--out",
            ],
        ),
        ("init", &["<DIR>", "--name", "--force"]),
    ];
    for (cmd, options) in cases {
        let out = ok(&[cmd, "--help"]);
        for o in *options {
            assert!(
                out.contains(o),
                "`outcomes {cmd} --help` does not name {o}:\n{out}"
            );
        }
    }
    let top = ok(&["--help"]);
    for (cmd, _) in cases {
        assert!(top.contains(cmd), "`outcomes --help` does not list {cmd}");
    }
    let v = ok(&["--version"]);
    assert_eq!(v.trim(), format!("outcomes {}", env!("CARGO_PKG_VERSION")));
    // Usage errors are clap's: exit 2.
    fails(&["frobnicate"], 2);
    assert_eq!(run(&[]).status.code(), Some(2), "no subcommand: the usage");
    fails(&["validate", "--dataset", "bogus", "x.csv"], 2);
    fails(&["validate", "--dataset", "cohort"], 2);
    fails(&["generate"], 2);
    fails(&["init"], 2);
}

/// `evaluate` with no arguments runs the bundled sample and writes the
/// report folder where asked; progress goes to stderr as timestamped lines
/// (stderr is not a terminal here) and nothing with `--quiet`.
#[test]
fn evaluate_runs_the_sample() {
    let dir = tmp("evaluate");
    let o = run_in(&dir, &["evaluate", "--out", "rep"]);
    let (out, err) = texts(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(out.trim(), "rep/report.html", "only the result on stdout");
    assert!(dir.join("rep/report.html").is_file());
    assert!(dir.join("rep/run.json").is_file());
    assert!(dir.join("rep-rejected-rows.csv").is_file());
    assert!(err.contains("s] loading the cohort"), "{err}");
    let first = err.lines().next().unwrap();
    assert!(
        first.len() > 20
            && first.as_bytes()[4] == b'-'
            && first.contains("T")
            && first.contains("Z ["),
        "timestamped: {first}"
    );
    let o = run_in(&dir, &["--quiet", "evaluate", "--out", "rep2"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // The global flag goes after the subcommand too.
    let o = run_in(&dir, &["evaluate", "-q", "--out", "rep3"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stderr.is_empty());
}

/// A misspelt spec key is exit 1 naming the key and the file; a missing
/// data file names the file and the spec key that names it; a data file
/// given as the spec never has its lines echoed.
#[test]
fn evaluate_bad_specs() {
    let dir = tmp("evaluate-bad");
    let text = std::fs::read_to_string(sample().join("evaluation.toml"))
        .unwrap()
        .replace("min_cell_size = 10", "min_cel_size = 10");
    let spec = dir.join("evaluation.toml");
    std::fs::write(&spec, text).unwrap();
    let e = fails(
        &[
            "evaluate",
            "--spec",
            path(&spec),
            "--out",
            path(&dir.join("r")),
        ],
        1,
    );
    assert!(
        e.contains("min_cel_size") && e.contains("evaluation.toml"),
        "{e}"
    );
    let text = std::fs::read_to_string(sample().join("evaluation.toml"))
        .unwrap()
        .replace("path = \"cohort.csv\"", "path = \"gone.csv\"");
    std::fs::write(&spec, text).unwrap();
    let e = fails(
        &[
            "evaluate",
            "--spec",
            path(&spec),
            "--out",
            path(&dir.join("r")),
        ],
        1,
    );
    assert!(
        e.contains("gone.csv") && e.contains("data.cohort.path"),
        "{e}"
    );
    let data = dir.join("data.csv");
    std::fs::write(&data, "person_id,index_date\nSECRET-ID-1,2024-01-01\n").unwrap();
    let o = run(&["evaluate", "--spec", path(&data)]);
    let (out, err) = texts(&o);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(err.lines().filter(|l| l.starts_with("error:")).count(), 1);
    assert!(
        !out.contains("SECRET-ID-1") && !err.contains("SECRET-ID-1"),
        "{err}"
    );
    assert!(!err.contains("person_id,index_date"), "{err}");
}

/// `validate` prints the account of the sample's service use, equal to the
/// library's own load of the same file; `--strict` exits 1 when rows were
/// rejected and 0 on a clean file; `--rejected-rows` writes every one.
#[test]
fn validate_matches_the_library() {
    let dir = tmp("validate");
    let file = sample().join("service_use.csv");
    let rej = dir.join("rejected.csv");
    let v = json(&[
        "validate",
        "--dataset",
        "service-use",
        path(&file),
        "--json",
        "--show",
        "5",
        "--rejected-rows",
        path(&rej),
    ]);
    let key = Pseudonymiser::new(DEMONSTRATION_KEY).unwrap();
    let spec = EvaluationSpec::from_path(sample().join("evaluation.toml")).unwrap();
    let window = DataWindow::new(spec.data_window.start, spec.data_window.extract_date).unwrap();
    let cohort = io::load_cohort(
        &Source::new(sample().join("cohort.csv")).pseudonymise(key.clone()),
        window,
    )
    .unwrap();
    let events = io::load_service_events(
        &Source::new(&file).pseudonymise(key),
        &cohort.data,
        &CategorySet::default(),
    )
    .unwrap();
    let s = &events.summary;
    assert!(s.rejected > 0, "the sample has planted faults");
    assert_eq!(v["rows_read"], s.rows_read);
    assert_eq!(v["accepted"], s.accepted);
    assert_eq!(v["rejected"], s.rejected);
    assert_eq!(v["by_reason"], serde_json::to_value(&s.by_reason).unwrap());
    let first = v["first_rejected"].as_array().unwrap();
    assert_eq!(first.len(), 5);
    for (j, r) in first.iter().zip(&events.rejections) {
        assert_eq!(j["row"], r.source_row);
        assert_eq!(j["column"], r.column.as_str());
        assert_eq!(j["value"], r.value.as_str());
        assert_eq!(j["rule"], r.reason.as_str());
    }
    let written = std::fs::read_to_string(&rej).unwrap();
    assert_eq!(written.lines().count() as u64, 1 + s.rejected);
    assert!(written.starts_with("file,row,column,value,rule\n"));

    // The text form: counts and the first rejected rows.
    let out = ok(&["validate", "--dataset", "service-use", path(&file)]);
    assert!(out.contains(&s.rows_read.to_string()) && out.contains("rejected by reason"));
    assert!(
        out.contains("service_use.csv")
            && out.contains(&events.rejections[0].source_row.to_string())
    );

    let e = fails(
        &[
            "validate",
            "--dataset",
            "service-use",
            path(&file),
            "--strict",
        ],
        1,
    );
    assert!(e.contains("rows rejected") && e.contains("--strict"), "{e}");
    ok(&[
        "validate",
        "--dataset",
        "cohort",
        path(&sample().join("cohort.csv")),
        "--strict",
    ]);
    // Every dataset kind of the sample loads.
    for (kind, f) in [
        ("ndt", "ndt.csv"),
        ("ndt-wide", "ndt_wide.csv"),
        ("register", "register.csv"),
        ("enrolment-counts", "enrolment_counts.csv"),
        ("police-uk", "police_uk_street.csv"),
        ("population", "population.csv"),
    ] {
        let v = json(&[
            "validate",
            "--dataset",
            kind,
            path(&sample().join(f)),
            "--json",
        ]);
        let (r, a, j) = (
            v["rows_read"].as_u64().unwrap(),
            v["accepted"].as_u64().unwrap(),
            v["rejected"].as_u64().unwrap(),
        );
        assert!(r > 0 && a + j == r, "{kind}: {v}");
    }
}

/// Bad input to `validate`: a missing file, a file without the dataset's
/// columns (naming the file and column), a bad `--column`.
#[test]
fn validate_bad_input() {
    let dir = tmp("validate-bad");
    let e = fails(
        &[
            "validate",
            "--dataset",
            "cohort",
            path(&dir.join("nope.csv")),
        ],
        1,
    );
    assert!(e.contains("nope.csv"), "{e}");
    let f = dir.join("events.csv");
    std::fs::write(&f, "person_id,date,cuont\nSYN-000001,2022-01-01,1\n").unwrap();
    let e = fails(&["validate", "--dataset", "service-use", path(&f)], 1);
    assert!(e.contains("events.csv") && e.contains("category"), "{e}");
    let e = fails(
        &[
            "validate",
            "--dataset",
            "cohort",
            path(&sample().join("cohort.csv")),
            "--column",
            "oops",
        ],
        1,
    );
    assert!(
        e.contains("--column") && e.contains("CANONICAL=NAME"),
        "{e}"
    );
}

/// Identifiers planted in a cohort and a service-use file never reach the
/// terminal (or the rejected-rows file): rejected rows show `<redacted>`.
#[test]
fn validate_never_prints_an_identifier() {
    const ID: &str = "PLANTED-ID-0042";
    const OTHER: &str = "PLANTED-ID-0099";
    let dir = tmp("validate-id");
    let cohort = dir.join("cohort.csv");
    std::fs::write(
        &cohort,
        format!(
            "Client Ref,index_date,group\n{ID},2023-01-01,programme\n{ID},2023-02-01,comparison\n\
             P-3,2023-02-30,programme\nP-4,2023-03-01,{ID}\nP-5,2023-03-01,comparison\n"
        ),
    )
    .unwrap();
    let events = dir.join("events.csv");
    std::fs::write(
        &events,
        format!(
            "Client Ref,date,category,count\nP-5,2023-04-01,arrest,1\n{OTHER},2023-04-01,arrest,1\n\
             P-5,2023-04-02,{ID},1\n"
        ),
    )
    .unwrap();
    let rej = dir.join("rej.csv");
    let runs: Vec<Vec<&str>> = vec![
        vec![
            "validate",
            "--dataset",
            "cohort",
            path(&cohort),
            "--id",
            "Client Ref",
            "--rejected-rows",
            path(&rej),
        ],
        vec![
            "validate",
            "--dataset",
            "cohort",
            path(&cohort),
            "--id",
            "Client Ref",
            "--json",
        ],
        vec![
            "validate",
            "--dataset",
            "service-use",
            path(&events),
            "--id",
            "Client Ref",
            "--cohort",
            path(&cohort),
        ],
        vec![
            "validate",
            "--dataset",
            "service-use",
            path(&events),
            "--id",
            "Client Ref",
            "--cohort",
            path(&cohort),
            "--json",
        ],
        // Without --id the cohort file lacks `person_id`: the error names the
        // column, never a value.
        vec!["validate", "--dataset", "cohort", path(&cohort)],
    ];
    for args in &runs {
        let o = run(args);
        let (out, err) = texts(&o);
        assert!(
            !out.contains(ID) && !err.contains(ID),
            "{args:?}:\n{out}\n{err}"
        );
        assert!(
            !out.contains(OTHER) && !err.contains(OTHER),
            "{args:?}:\n{out}\n{err}"
        );
    }
    let o = run(&runs[0]);
    assert_eq!(o.status.code(), Some(0));
    let (out, _) = texts(&o);
    assert!(out.contains("<redacted>"), "{out}");
    assert!(
        out.contains("2023-02-30"),
        "a non-identifier value is shown: {out}"
    );
    let written = std::fs::read_to_string(&rej).unwrap();
    assert!(
        !written.contains(ID) && written.contains("<redacted>"),
        "{written}"
    );
}

fn matching_csv(dir: &Path) -> PathBuf {
    let mut csv = String::from("id,treat,age,area,y\n");
    let mut state = 7u64;
    for i in 0..120 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let u = (state >> 33) as f64 / (1u64 << 31) as f64;
        let age = 20.0 + 40.0 * u;
        let treat = u8::from((i % 3 == 0) ^ (u > 0.8));
        let area = ["north", "south", "east"][i % 3];
        let y = 10.0 + 0.1 * age + 2.0 * f64::from(treat) + u;
        csv.push_str(&format!("P{i:03},{treat},{age:.2},{area},{y:.3}\n"));
    }
    let p = dir.join("units.csv");
    std::fs::write(&p, csv).unwrap();
    p
}

/// `match --json` prints exactly the library's report (every number, the
/// matched sets), with the options parsed as the library spec says.
#[test]
fn match_json_equals_the_library() {
    let dir = tmp("match");
    let data = matching_csv(&dir);
    let args = [
        "--quiet",
        "match",
        "--data",
        path(&data),
        "--treatment",
        "treat",
        "--covariates",
        "age,area:categorical",
        "--outcome",
        "y",
        "--caliper",
        "0.5",
        "--ratio",
        "1",
        "--id",
        "id",
        "--json",
    ];
    let v = json(&args);
    let mut table = CsvTable::from_path(&data).unwrap();
    table.declare_identifiers(&["id".to_string()]).unwrap();
    let mut spec = MatchedComparisonSpec::new("treat", &[], "y");
    spec.covariates = vec![
        CovariateSpec::auto("age"),
        CovariateSpec {
            column: "area".into(),
            kind: CovariateKind::Categorical,
        },
    ];
    spec.caliper = Some(Caliper::standard_deviations(0.5).unwrap());
    let want = run_matched_comparison(&table, &spec).unwrap();
    prints_json_of(&args, &want);
    assert!(v["matched_sets"].as_array().unwrap().len() > 10);
    // The text form on the same data.
    let out = ok(&[
        "match",
        "--data",
        path(&data),
        "--treatment",
        "treat",
        "--covariates",
        "age",
        "--outcome",
        "y",
    ]);
    assert!(out.contains("regression-adjusted"), "{out}");
    // And on the bundled sample, with no arguments.
    let out = ok(&["match"]);
    assert!(
        out.starts_with("Sample cohort: ") && out.contains("Propensity score"),
        "{out}"
    );
}

/// Bad input to `match`: a value that is not a number names file, row and
/// column (exit 1); a bad option value is exit 1 naming the option; a
/// malformed option is exit 2.
#[test]
fn match_bad_input() {
    let dir = tmp("match-bad");
    let f = dir.join("bad.csv");
    std::fs::write(&f, "id,t,a,y\n1,1,2,3\n2,0,zz,4\n3,1,5,6\n").unwrap();
    let base = [
        "match",
        "--data",
        path(&f),
        "--treatment",
        "t",
        "--outcome",
        "y",
    ];
    let with = |extra: &[&'static str]| -> Vec<&str> {
        let mut v: Vec<&str> = base.to_vec();
        v.extend_from_slice(extra);
        v
    };
    let e = fails(&with(&["--covariates", "a:numeric"]), 1);
    assert!(
        e.contains("bad.csv") && e.contains("row 2") && e.contains("`a`") && e.contains("zz"),
        "{e}"
    );
    let e = fails(&with(&["--covariates", "a:weird"]), 1);
    assert!(e.contains("--covariates") && e.contains("weird"), "{e}");
    let e = fails(&with(&["--covariates", "a", "--ratio", "0"]), 1);
    assert!(e.contains("ratio"), "{e}");
    let e = fails(&with(&["--covariates", "a", "--caliper=-1"]), 1);
    assert!(e.contains("caliper") || e.contains("width"), "{e}");
    fails(&with(&["--covariates", "a", "--order", "random"]), 2);
    fails(&with(&["--covariates", "a", "--ratio", "two"]), 2);
    fails(&with(&["--covariates", "a", "--data", "y.csv"]), 2);
    fails(
        &[
            "match",
            "--data",
            path(&f),
            "--treatment",
            "t",
            "--covariates",
            "a",
        ],
        2,
    );
    fails(&["match", "--treatment", "t"], 2);
}

/// `did --json` prints exactly the library's report; the sample runs with
/// no arguments; a bad outcome cell names file, row and column.
#[test]
fn did_json_equals_the_library() {
    let dir = tmp("did");
    let mut csv = String::from("unit,t,g,p,y\n");
    for u in 0..10 {
        for t in 0..3 {
            let (g, p) = (u % 2 == 0, t == 2);
            let y = f64::from(u) * 0.7
                + f64::from(t)
                + if g && p { 1.5 } else { 0.0 }
                + f64::from((u * t) % 3) * 0.1;
            csv.push_str(&format!("u{u},{t},{},{},{y}\n", u8::from(g), u8::from(p)));
        }
    }
    let f = dir.join("panel.csv");
    std::fs::write(&f, csv).unwrap();
    let v = json(&[
        "did",
        "--data",
        path(&f),
        "--unit",
        "unit",
        "--time",
        "t",
        "--treated",
        "g",
        "--post",
        "p",
        "--outcome",
        "y",
        "--json",
    ]);
    let mut table = CsvTable::from_path(&f).unwrap();
    table.declare_identifiers(&["unit".to_string()]).unwrap();
    let want = run_did(&table, &DidSpec::new("unit", "t", "g", "p", "y")).unwrap();
    same(&v, &serde_json::to_value(&want).unwrap(), "did");
    let out = ok(&["did"]);
    assert!(
        out.starts_with("Sample cohort, long form") && out.contains("CR1"),
        "{out}"
    );

    std::fs::write(
        &f,
        "unit,t,g,p,y\na,0,1,0,1\na,1,1,1,x9\nb,0,0,0,2\nb,1,0,1,3\n",
    )
    .unwrap();
    let e = fails(
        &[
            "did",
            "--data",
            path(&f),
            "--unit",
            "unit",
            "--time",
            "t",
            "--treated",
            "g",
            "--post",
            "p",
            "--outcome",
            "y",
        ],
        1,
    );
    assert!(
        e.contains("panel.csv") && e.contains("row 2") && e.contains("`y`"),
        "{e}"
    );
    let e = fails(
        &[
            "did",
            "--data",
            path(&f),
            "--unit",
            "unit",
            "--time",
            "t",
            "--treated",
            "g",
            "--post",
            "p",
            "--outcome",
            "nope",
        ],
        1,
    );
    assert!(e.contains("`nope`"), "{e}");
}

/// `pre-post --data --json`: the statistics are the library's
/// `paired_statistics` on the same pairs; rows left out are listed by row
/// and column. On the sample, with no arguments, the three outcomes print.
#[test]
fn pre_post_json_equals_the_library() {
    let dir = tmp("pre-post");
    let f = dir.join("scores.csv");
    let mut csv = String::from("client,b,a\n");
    let (mut b, mut a) = (Vec::new(), Vec::new());
    for i in 0..40 {
        let x = 20.0 + f64::from((i * 7) % 11);
        let y = x - 2.0 + f64::from((i * 5) % 7) * 0.5;
        csv.push_str(&format!("C{i},{x},{y}\n"));
        b.push(x);
        a.push(y);
    }
    csv.push_str("C40,,3\nC41,4,four\n");
    std::fs::write(&f, csv).unwrap();
    let v = json(&[
        "pre-post",
        "--data",
        path(&f),
        "--id",
        "client",
        "--before",
        "b",
        "--after",
        "a",
        "--resamples",
        "500",
        "--seed",
        "7",
        "--json",
    ]);
    let level = ConfidenceLevel::NINETY_FIVE;
    let want = pre_post::paired_statistics(
        &b,
        &a,
        level,
        Some(BootstrapConfig::new(500, 7, level).unwrap()),
    )
    .unwrap();
    same(
        &v["statistics"],
        &serde_json::to_value(&want).unwrap(),
        "statistics",
    );
    assert_eq!(v["pairs_used"], 40);
    let left = v["left_out"].as_array().unwrap();
    assert_eq!(left.len(), 2);
    assert_eq!(
        (left[0]["row"].clone(), left[0]["column"].clone()),
        (41.into(), "b".into())
    );
    assert_eq!(
        (left[1]["row"].clone(), left[1]["column"].clone()),
        (42.into(), "a".into())
    );

    let out = ok(&["pre-post", "--resamples", "500"]);
    for s in [
        "NDT total",
        "ae_attendance per quarter",
        "McNemar",
        "paired t",
        "Wilcoxon",
    ] {
        assert!(out.contains(s), "{s}:\n{out}");
    }
    let v = json(&["pre-post", "--resamples", "500", "--json"]);
    assert!(v["per_quarter"]["n"].as_u64().unwrap() > 100);

    let e = fails(
        &[
            "pre-post",
            "--data",
            path(&f),
            "--id",
            "client",
            "--before",
            "bb",
            "--after",
            "a",
        ],
        1,
    );
    assert!(e.contains("scores.csv") && e.contains("`bb`"), "{e}");
    fails(&["pre-post", "--data", path(&f), "--id", "client"], 2);
    let e = fails(&["pre-post", "--spec", path(&dir.join("none.toml"))], 1);
    assert!(e.contains("none.toml"), "{e}");
}

/// `ndt --json`: the programme group's total is the library's baseline and
/// follow-up selection on the same files.
#[test]
fn ndt_json_equals_the_library() {
    let v = json(&["ndt", "--json"]);
    let key = Pseudonymiser::new(DEMONSTRATION_KEY).unwrap();
    let s = outcomes::synthetic::SyntheticSpec::sample();
    let cohort = io::load_cohort(
        &Source::new(sample().join("cohort.csv")).pseudonymise(key.clone()),
        DataWindow::new(s.data_start, s.extract_date).unwrap(),
    )
    .unwrap();
    let a = io::load_ndt(
        &Source::new(sample().join("ndt.csv")).pseudonymise(key),
        &cohort.data,
        PartialPolicy::Undefined,
    )
    .unwrap();
    let starts = cohort
        .data
        .group(Group::Programme)
        .map(|m| (&m.person, m.index_date));
    let (changes, counts) = ndt::baseline_follow_up(
        starts,
        &a.data.assessments,
        SelectionRule::default(),
        PartialPolicy::Undefined,
    )
    .unwrap();
    let totals: Vec<(f64, f64)> = changes
        .iter()
        .filter_map(|c| Some((c.baseline_total?, c.follow_up_total?)))
        .collect();
    let g = &v[0];
    assert_eq!(g["group"], "programme");
    assert_eq!(g["counts"], serde_json::to_value(counts).unwrap());
    let total = &g["items"][10];
    assert_eq!(total["n"], totals.len());
    let mean_b = totals.iter().map(|t| t.0).sum::<f64>() / totals.len() as f64;
    let mean_f = totals.iter().map(|t| t.1).sum::<f64>() / totals.len() as f64;
    assert!((total["baseline"].as_f64().unwrap() - mean_b).abs() < 1e-12);
    assert!((total["follow_up"].as_f64().unwrap() - mean_f).abs() < 1e-12);
    let out = ok(&["ndt"]);
    assert!(
        out.contains("Total (0-48)") && out.contains("copyright"),
        "{out}"
    );
    let e = fails(&["ndt", "--spec", "/nonexistent/spec.toml"], 1);
    assert!(e.contains("/nonexistent/spec.toml"), "{e}");
}

/// `attendance --json` and `asb --json` are the library's school report of
/// the spec's `[data.school]` (default: the sample's); a spec whose files
/// are missing is exit 1 naming the file, and one without `[data.school]`
/// names the section.
#[test]
fn attendance_and_asb_equal_the_library() {
    let spec = EvaluationSpec::from_path(sample().join("evaluation.toml")).unwrap();
    let (files, design) = spec.school_design().unwrap().unwrap();
    let rep = school_report(&files, &design).unwrap();
    let v = json(&["attendance", "--json"]);
    same(
        &v["register"],
        &serde_json::to_value(&rep.attendance_register).unwrap(),
        "register",
    );
    same(
        &v["enrolment_counts"],
        &serde_json::to_value(&rep.attendance_counts).unwrap(),
        "counts",
    );
    same(
        &v["did"],
        &serde_json::to_value(&rep.attendance_did).unwrap(),
        "did",
    );
    prints_json_of(&["asb", "--json"], rep.asb.as_ref().unwrap());
    let out = ok(&["attendance"]);
    assert!(
        out.contains("register.csv")
            && out.contains("persistent")
            && out.contains("Difference in differences"),
        "{out}"
    );
    let out = ok(&["asb"]);
    assert!(
        out.contains("ratio of rate ratios")
            && out.contains("rate per 1,000")
            && out.contains("population year"),
        "{out}"
    );
    let dir = tmp("school-empty");
    let text = std::fs::read_to_string(sample().join("evaluation.toml")).unwrap();
    std::fs::write(dir.join("evaluation.toml"), &text).unwrap();
    for cmd in ["attendance", "asb"] {
        let e = fails(&[cmd, "--spec", path(&dir.join("evaluation.toml"))], 1);
        assert!(
            e.contains("register.csv") || e.contains("police_uk_street.csv"),
            "{e}"
        );
    }
    let cut = text
        .split("# School attendance and anti-social behaviour")
        .next()
        .unwrap()
        .to_string()
        + &text[text.find("# No key given").unwrap()..];
    std::fs::write(dir.join("no-school.toml"), cut).unwrap();
    let e = fails(
        &["attendance", "--spec", path(&dir.join("no-school.toml"))],
        1,
    );
    assert!(e.contains("data.school"), "{e}");
}

/// `costs` and `cba` run on the sample (text and JSON, with the numbers
/// consistent with each other), and a spec without `[costs]` or with a bad
/// `[cba]` value is exit 1 naming the key.
#[test]
fn costs_and_cba_run() {
    let v = json(&["costs", "--json"]);
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    for g in groups {
        let (b, a, c) = (
            g["mean_before"].as_f64().unwrap(),
            g["mean_after"].as_f64().unwrap(),
            g["mean_change"].as_f64().unwrap(),
        );
        assert!((a - b - c).abs() < 1e-6, "{g}");
        let sum: f64 = g["by_agency"]
            .as_object()
            .unwrap()
            .values()
            .map(|x| x[2].as_f64().unwrap())
            .sum();
        assert!((sum - c).abs() < 1e-6, "agencies add up to the whole: {g}");
    }
    assert!(v["matched"]["sets"].as_u64().unwrap() > 50);
    let out = ok(&["costs"]);
    assert!(
        out.contains("not costed") && out.contains("matched comparison group"),
        "{out}"
    );
    let v = json(&["cba", "--json"]);
    let (b, c, npv) = (
        v["pv_benefits"].as_f64().unwrap(),
        v["pv_costs"].as_f64().unwrap(),
        v["npv"].as_f64().unwrap(),
    );
    assert!((b - c - npv).abs() < 1e-6, "{v}");
    assert_eq!(v["sensitivity"].as_array().unwrap().len(), 8);
    let out = ok(&["cba"]);
    assert!(out.contains("NPV") && out.contains("Sensitivity"), "{out}");

    let dir = tmp("costs-bad");
    let base = std::fs::read_to_string(sample().join("evaluation.toml")).unwrap();
    let spec = dir.join("s.toml");
    let cut = base.split("[costs]").next().unwrap().to_string();
    let rest = base.split("[cba]").nth(1).unwrap();
    std::fs::write(
        &spec,
        format!("{cut}[cba]{rest}")
            .replace("path = \"", &format!("path = \"{}/", sample().display()))
            .replace(
                "register = \"",
                &format!("register = \"{}/", sample().display()),
            )
            .replace(
                "counts = \"",
                &format!("counts = \"{}/", sample().display()),
            )
            .replace(
                "police_uk = \"",
                &format!("police_uk = \"{}/", sample().display()),
            )
            .replace(
                "population = \"",
                &format!("population = \"{}/", sample().display()),
            ),
    )
    .unwrap();
    let e = fails(&["costs", "--spec", path(&spec)], 1);
    assert!(e.contains("costs"), "{e}");
    std::fs::write(
        &spec,
        base.replace("dropoff = 0.2", "dropoff = 7")
            .replace("path = \"", &format!("path = \"{}/", sample().display()))
            .replace(
                "register = \"",
                &format!("register = \"{}/", sample().display()),
            )
            .replace(
                "counts = \"",
                &format!("counts = \"{}/", sample().display()),
            )
            .replace(
                "police_uk = \"",
                &format!("police_uk = \"{}/", sample().display()),
            )
            .replace(
                "population = \"",
                &format!("population = \"{}/", sample().display()),
            ),
    )
    .unwrap();
    let e = fails(&["cba", "--spec", path(&spec)], 1);
    assert!(e.contains("cba.dropoff"), "{e}");
}

/// `generate` writes the same bytes as the library's generator with the same
/// settings, a spec `evaluate` reads, and refuses options out of range.
#[test]
fn generate_matches_the_library() {
    let dir = tmp("generate");
    let out = dir.join("g");
    let v = json(&[
        "generate",
        "--people",
        "200",
        "--events-per-person",
        "10",
        "--effect",
        "0.25",
        "--seed",
        "11",
        "--out",
        path(&out),
        "--json",
    ]);
    assert_eq!(v["people"], 200);
    let spec = outcomes::synthetic::SyntheticSpec {
        effect: 0.25,
        ..outcomes::synthetic::SyntheticSpec::large(200, 10.0, 11)
    };
    let people = outcomes::synthetic::people(&spec).unwrap();
    let lib = dir.join("lib");
    std::fs::create_dir_all(&lib).unwrap();
    outcomes::synthetic::write_cohort(&lib.join("cohort.csv"), &people).unwrap();
    outcomes::synthetic::write_service_events(&lib.join("service_use.csv"), &spec, &people)
        .unwrap();
    for f in ["cohort.csv", "service_use.csv"] {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(lib.join(f)).unwrap(),
            "{f}"
        );
    }
    EvaluationSpec::from_path(out.join("evaluation.toml")).unwrap();
    let o = run_in(
        &dir,
        &[
            "-q",
            "evaluate",
            "--spec",
            path(&out.join("evaluation.toml")),
            "--out",
            "rep",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // --sample writes the bundled sample's exact bytes.
    let s = dir.join("s");
    ok(&["generate", "--sample", "--out", path(&s)]);
    for f in ["cohort.csv", "service_use.csv", "ndt.csv"] {
        assert_eq!(
            std::fs::read(s.join(f)).unwrap(),
            std::fs::read(sample().join(f)).unwrap(),
            "{f}"
        );
    }
    let e = fails(&["generate", "--people", "0", "--out", path(&out)], 1);
    assert!(e.contains("--people"), "{e}");
    let e = fails(&["generate", "--effect", "1.5", "--out", path(&out)], 1);
    assert!(e.contains("--effect"), "{e}");
    fails(&["generate", "--people", "-3", "--out", path(&out)], 2);
}

/// `init` recognises the sample's files by their columns and writes a spec
/// that `evaluate` runs; it will not overwrite one without `--force`.
#[test]
fn init_recognises_and_writes_a_spec() {
    let dir = tmp("init");
    for f in std::fs::read_dir(sample()).unwrap() {
        let p = f.unwrap().path();
        if p.extension().is_some_and(|x| x == "csv") {
            std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
        }
    }
    std::fs::rename(dir.join("service_use.csv"), dir.join("contacts_2024.csv")).unwrap();
    std::fs::write(dir.join("notes.csv"), "a,b\n1,2\n").unwrap();
    let out = ok(&["init", path(&dir), "--name", "trial"]);
    for (f, kind) in [
        ("cohort.csv", "cohort"),
        ("contacts_2024.csv", "service use"),
        ("ndt.csv", "NDT"),
        ("register.csv", "school register"),
        ("notes.csv", "not recognised"),
    ] {
        assert!(
            out.lines().any(|l| l.contains(f) && l.contains(kind)),
            "{f} as {kind}:\n{out}"
        );
    }
    let toml = std::fs::read_to_string(dir.join("evaluation.toml")).unwrap();
    let spec = EvaluationSpec::from_path(dir.join("evaluation.toml")).unwrap();
    assert_eq!(spec.name, "trial");
    assert_eq!(
        spec.data.service_use.unwrap().path,
        PathBuf::from("contacts_2024.csv")
    );
    assert_eq!(
        spec.comparison.unwrap().covariates,
        ["age", "sex", "area", "prior_arrests"]
            .map(String::from)
            .to_vec()
    );
    // Every key is commented: each `key = value` line has a comment above it.
    let lines: Vec<&str> = toml.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        if l.contains(" = ") && !l.starts_with('#') {
            assert!(lines[i - 1].starts_with('#'), "key without a comment: {l}");
        }
    }
    for key in [
        "key_env",
        "caliper_sd",
        "unit_costs",
        "symbol",
        "rejected_rows",
        "categories",
        "exact",
        "order",
        "tie_rule",
        "[did]",
        "[did.event_study]",
        "[did.staggered]",
        "comparison_group",
        "aggregations",
        "base_period",
        "programme_start",
        "asb_start_month",
        "period_population_year",
        "persistent_absence_percent",
        "population_year",
        "academic_year",
        "lsoas",
    ] {
        assert!(toml.contains(key), "{key} not offered");
    }
    // The school block, commented out (its design is not in header rows),
    // names the files found and is a valid design once uncommented.
    assert!(toml.contains("# register = \"register.csv\""), "{toml}");
    let mut in_school = false;
    let uncommented: String = toml
        .lines()
        .map(|l| {
            if l == "# [data.school]" {
                in_school = true;
            } else if !l.starts_with('#') {
                in_school = false;
            }
            let key_line = l.starts_with("# [data.school") || l.contains(" = ");
            if in_school && key_line {
                format!("{}\n", &l[2..])
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let s = EvaluationSpec::from_toml(&uncommented, "uncommented.toml", &dir).unwrap();
    let (_, design) = s.school_design().unwrap().unwrap();
    assert_eq!(design.pilot.name, "Pilot town");
    let o = run_in(
        &dir,
        &[
            "-q",
            "evaluate",
            "--spec",
            "evaluation.toml",
            "--out",
            "rep",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let e = fails(&["init", path(&dir)], 1);
    assert!(
        e.contains("evaluation.toml") && e.contains("--force"),
        "{e}"
    );
    ok(&["init", path(&dir), "--force"]);
    let e = fails(&["init", path(&dir.join("missing"))], 1);
    assert!(e.contains("missing"), "{e}");
}

/// Results can be piped: a reader that stops early is not an error.
#[test]
fn output_can_be_piped() {
    use std::io::Read;
    let dir = tmp("pipe");
    let f = dir.join("events.csv");
    let mut csv = String::from("person_id,date,category,count\n");
    for _ in 0..40_000 {
        csv.push_str("SYN-000001,2023-01-01,no_such_category,1\n");
    }
    std::fs::write(&f, csv).unwrap();
    let mut child = Command::new(BIN)
        .args(["-q", "validate", "--dataset", "service-use"])
        .arg(&f)
        .args(["--show", "100000", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    // stdout is dropped here: the reader has gone.
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 1),
        "{:?}",
        out.status
    );
}

/// `did --design staggered` and `--design event-study` on `did::mpdta`:
/// the JSON is the library's Callaway & Sant'Anna and event-study results on
/// the same panel, and the aggregations are R's (validation.md §4: dynamic
/// −0.077240, group −0.031018, simple −0.039951). A staggered design
/// without `--first-treated` is a usage error.
#[test]
#[cfg_attr(not(reference_data), ignore = "needs ../shared/reference-data")]
fn did_staggered_and_event_study_equal_the_library() {
    use outcomes::compare::did::{event_study, group_time_att, BasePeriod, ComparisonGroup, Panel};
    let Some(m) = crate::common::reference_data("mpdta.csv") else {
        return;
    };
    let args = |design: &'static str| -> Vec<String> {
        [
            "did",
            "--design",
            design,
            "--data",
            path(&m),
            "--unit",
            "countyreal",
            "--time",
            "year",
            "--first-treated",
            "first.treat",
            "--outcome",
            "lemp",
            "--json",
        ]
        .map(String::from)
        .to_vec()
    };
    let a = args("staggered");
    let v = json(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let t = CsvTable::from_path(&m).unwrap();
    let y: Vec<f64> = t
        .numeric("lemp")
        .unwrap()
        .into_iter()
        .map(Option::unwrap)
        .collect();
    let time: Vec<i64> = t
        .numeric("year")
        .unwrap()
        .into_iter()
        .map(|x| x.unwrap() as i64)
        .collect();
    let g: Vec<Option<i64>> = t
        .numeric("first.treat")
        .unwrap()
        .into_iter()
        .map(|x| x.filter(|x| *x != 0.0).map(|x| x as i64))
        .collect();
    let unit = t.column("countyreal").unwrap().to_vec();
    let panel = Panel {
        outcome: &y,
        unit: &unit,
        time: &time,
        first_treated: &g,
    };
    let gt = group_time_att(&panel, ComparisonGroup::NeverTreated, BasePeriod::Varying).unwrap();
    let level = ConfidenceLevel::NINETY_FIVE;
    same(
        &v["group_time"],
        &serde_json::to_value(&gt).unwrap(),
        "group_time",
    );
    same(
        &v["dynamic"],
        &serde_json::to_value(gt.aggregate_dynamic(level).unwrap()).unwrap(),
        "dynamic",
    );
    for (key, want) in [
        ("dynamic", -0.077240),
        ("group", -0.031018),
        ("simple", -0.039951),
    ] {
        let got = v[key]["overall"].as_f64().unwrap();
        assert!((got - want).abs() < 5e-7, "{key}: {got} vs R {want}");
    }
    assert_eq!(v["rows_read"], 2500);
    let a = args("event-study");
    let v = json(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let es = event_study(&panel, -1, level).unwrap();
    same(
        &v["event_study"],
        &serde_json::to_value(&es).unwrap(),
        "event_study",
    );
    let out = ok(&a[..a.len() - 1]
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    assert!(
        out.contains("pre-trend test") && out.contains("relative time"),
        "{out}"
    );
    let mut bad: Vec<&str> = a.iter().map(String::as_str).collect();
    bad.retain(|x| *x != "--first-treated" && *x != "first.treat");
    fails(&bad, 2);
}

/// `costs --json`: each group's cost per person before and after is the
/// library's `costing::pre_post` on the same people (observed for both whole
/// 12-month windows) and priced service use.
#[test]
fn costs_json_equals_the_library() {
    use outcomes::cohort::Phase;
    use outcomes::costs::{
        self, CostCategory, CostingOptions, DeflatorSeries, Gbp, PriceYear, ServiceUse,
        UnitCostTable,
    };
    use outcomes::measures::service_use::{Count, Window};
    let v = json(&["costs", "--json"]);
    let key = Pseudonymiser::new(DEMONSTRATION_KEY).unwrap();
    let s = outcomes::synthetic::SyntheticSpec::sample();
    let cohort = io::load_cohort(
        &Source::new(sample().join("cohort.csv")).pseudonymise(key.clone()),
        DataWindow::new(s.data_start, s.extract_date).unwrap(),
    )
    .unwrap();
    let events = io::load_service_events(
        &Source::new(sample().join("service_use.csv")).pseudonymise(key),
        &cohort.data,
        &CategorySet::default(),
    )
    .unwrap();
    let table = UnitCostTable::illustrative().unwrap();
    let target = PriceYear::parse("2024/25").unwrap();
    let costed: Vec<String> = CategorySet::default()
        .codes()
        .into_iter()
        .filter(|c| CostCategory::new(c.as_str()).is_ok_and(|k| table.chosen(&k).is_ok()))
        .collect();
    let counts = io::window_counts(
        &cohort.data,
        &events.data,
        &Window::before_after_12_months(),
        &costed,
    )
    .unwrap();
    let (ob, oa) = (
        counts.observed_days("before").unwrap(),
        counts.observed_days("after").unwrap(),
    );
    let (wb, wa) = (
        counts.window_days("before").unwrap(),
        counts.window_days("after").unwrap(),
    );
    let mut left_out = 0;
    for (gi, group) in [Group::Programme, Group::Comparison]
        .into_iter()
        .enumerate()
    {
        let (mut people, mut records) = (Vec::new(), Vec::new());
        for (i, p) in counts.people().iter().enumerate() {
            if ob[i] < wb[i] || oa[i] < wa[i] {
                left_out += 1;
                continue;
            }
            if cohort.data.get(p).map(|m| m.group) != Some(group) {
                continue;
            }
            people.push(p.pseudonym().to_string());
            for code in &costed {
                for (label, phase) in [("before", Phase::Before), ("after", Phase::After)] {
                    let n = counts.counts(label, code).unwrap()[i];
                    if n > 0.0 {
                        records.push(ServiceUse {
                            person: p.pseudonym().to_string(),
                            category: CostCategory::new(code.as_str()).unwrap(),
                            window: phase,
                            count: Count::amount(n).unwrap(),
                        });
                    }
                }
            }
        }
        let cost = if group == Group::Programme {
            3500.0
        } else {
            0.0
        };
        let want = costs::costing::pre_post(
            &records,
            &people,
            &table,
            &DeflatorSeries::illustrative().unwrap(),
            &CostingOptions::new(target),
            Gbp::non_negative(cost, target).unwrap(),
        )
        .unwrap();
        let g = &v["groups"][gi];
        assert_eq!(g["group"], group.code());
        assert_eq!(g["n"], want.n);
        for (k, x) in [
            ("mean_before", want.mean_pre.amount()),
            ("mean_after", want.mean_post.amount()),
            ("mean_change", want.mean_change.amount()),
            ("mean_net_saving", want.mean_net_saving.amount()),
        ] {
            let got = g[k].as_f64().unwrap();
            assert!(
                (got - x).abs() <= 1e-9 * x.abs().max(1.0),
                "{k}: {got} vs {x}"
            );
        }
    }
    // Each person left out is counted once per group pass above.
    assert_eq!(v["left_out"], left_out / 2);
}

/// `cba --json` is the library's Green Book appraisal of the streams that
/// `costs --json` reports: per agency, the programme group's fall in cost
/// less the comparison group's fall per person over as many people, with
/// the sample spec's `[cba]` values.
#[test]
fn cba_json_equals_the_library() {
    use outcomes::costs::{
        cba, BenefitStream, CbaParameters, ConfidenceGrade, Counterfactual, Gbp, PriceYear,
        Proportion, ValueType,
    };
    let costs = json(&["costs", "--json"]);
    let v = json(&["cba", "--json"]);
    let target = PriceYear::parse("2024/25").unwrap();
    let (prog, comp) = (&costs["groups"][0], &costs["groups"][1]);
    assert_eq!(
        (prog["group"].as_str(), comp["group"].as_str()),
        (Some("programme"), Some("comparison"))
    );
    let n = prog["n"].as_f64().unwrap();
    let mut streams = Vec::new();
    for (agency, m) in prog["by_agency"].as_object().unwrap() {
        let agency = cba_agency(agency);
        let comp_change = comp["by_agency"]
            .get(agency.to_string())
            .map_or(0.0, |c| c[2].as_f64().unwrap());
        streams.push(BenefitStream {
            label: format!("reduced demand: {agency}"),
            agency,
            value_type: ValueType::Fiscal,
            annual_gross: Gbp::new(-m[2].as_f64().unwrap() * n, target).unwrap(),
            counterfactual: Counterfactual::ComparisonGroup(
                Gbp::new(-comp_change * n, target).unwrap(),
            ),
            attribution: Proportion::new(0.1).unwrap(),
            confidence: ConfidenceGrade::new(3).unwrap(),
        });
    }
    let params = CbaParameters {
        horizon_years: 5,
        dropoff: Proportion::new(0.2).unwrap(),
        ..CbaParameters::default()
    };
    let costs_by_year = vec![Gbp::non_negative(3500.0 * n, target).unwrap()];
    let r = cba::appraise(&streams, &costs_by_year, &params).unwrap();
    for (k, want) in [
        ("pv_benefits", r.pv_benefits.amount()),
        ("pv_costs", r.pv_costs.amount()),
        ("npv", r.npv.amount()),
    ] {
        let got = v[k].as_f64().unwrap();
        assert!(
            (got - want).abs() <= 1e-6 * want.abs().max(1.0),
            "{k}: {got} vs {want}"
        );
    }
    assert_eq!(
        v["payback_year"],
        serde_json::to_value(r.payback_year).unwrap()
    );
}

/// The agency named by its display text.
fn cba_agency(name: &str) -> outcomes::costs::Agency {
    use outcomes::costs::Agency;
    let all = [
        Agency::Nhs,
        Agency::Police,
        Agency::Prison,
        Agency::CourtsCjs,
        Agency::LocalAuthority,
        Agency::Housing,
        Agency::Dwp,
        Agency::Education,
    ];
    all.into_iter()
        .find(|a| a.to_string() == name)
        .unwrap_or_else(|| panic!("agency {name}"))
}
