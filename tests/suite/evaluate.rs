//! The evaluation pipeline (`outcomes::evaluate`) on the bundled sample:
//! disclosure control of every table, no identifier in any output,
//! reproducibility, and spec errors that name what is wrong.
//!
//! Each test works on a fresh copy of the sample in a temporary folder: the
//! cohort files are regenerated with the fixed synthetic spec (the same bytes
//! as `cargo run --example generate_sample`) and the school files are copied
//! from `data/sample/`. Bootstrap resamples are lowered to keep the debug
//! build quick.
// The report folder checks include its charts, drawn under the `plot` feature.
#![cfg(feature = "plot")]

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use outcomes::evaluate::{self, EvaluationSpec, Progress};

const SCHOOL_FILES: [&str; 4] = [
    "register.csv",
    "enrolment_counts.csv",
    "police_uk_street.csv",
    "population.csv",
];

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample")
}

/// A temporary folder removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let d = std::env::temp_dir().join(format!(
            "outcomes-evaluate-{tag}-{}-{:?}",
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

/// A copy of the sample in `dir/data`, with the shipped spec.
fn copy_sample(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    outcomes::synthetic::write_sample(&data, &outcomes::synthetic::SyntheticSpec::sample())
        .unwrap();
    for f in SCHOOL_FILES.iter().chain(&["evaluation.toml"]) {
        std::fs::copy(sample_dir().join(f), data.join(f)).unwrap();
    }
    data
}

fn quick(mut spec: EvaluationSpec) -> EvaluationSpec {
    spec.statistics.bootstrap_resamples = 200;
    spec
}

fn run_into(data: &Path, out: &Path) -> evaluate::Evaluation {
    let spec = quick(EvaluationSpec::from_path(data.join("evaluation.toml")).unwrap());
    let ev = evaluate::run(&spec, &Progress::quiet()).unwrap();
    evaluate::write_report(&ev, out).unwrap();
    ev
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Column kinds of a table, from its JSON twin.
fn kinds(json_path: &Path) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(json_path).unwrap()).unwrap();
    v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn shipped_spec_is_the_sample_spec() {
    let spec = EvaluationSpec::from_path(sample_dir().join("evaluation.toml")).unwrap();
    let mut expected = EvaluationSpec::sample(sample_dir());
    expected.spec_file = spec.spec_file.clone();
    assert_eq!(spec, expected);
}

/// (1) No published count is in the suppression range, and (3) the same
/// inputs and seed give byte-identical files. Also: the report folder holds
/// what it should, the policy is written into every table, and the charts
/// are embedded in the HTML.
#[test]
fn sample_report_is_disclosure_controlled_and_reproducible() {
    let tmp = TempDir::new("repro");
    let data = copy_sample(&tmp.0);
    let (a, b) = (tmp.0.join("a"), tmp.0.join("b"));
    let ev = run_into(&data, &a);
    run_into(&data, &b);
    let k = ev.policy.suppress_max();
    assert_eq!(k, 9, "default policy: minimum cell size 10");

    // (1) every CSV: no count cell in 1..=k.
    let mut checked = 0usize;
    let mut count_cells = 0usize;
    let tables = a.join("tables");
    for csv_path in files_under(&tables)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
    {
        let text = std::fs::read_to_string(&csv_path).unwrap();
        let mut lines = text.lines();
        assert!(
            lines.next().unwrap().starts_with("# "),
            "{csv_path:?}: title line"
        );
        let policy_line = lines.next().unwrap();
        assert!(
            policy_line.starts_with("# Disclosure control: Minimum cell size 10"),
            "{csv_path:?}: {policy_line}"
        );
        let kinds = kinds(&csv_path.with_extension("json"));
        let mut rdr = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .from_reader(text.as_bytes());
        for rec in rdr.records() {
            let rec = rec.unwrap();
            for (c, cell) in rec.iter().enumerate() {
                if kinds[c] == "count" {
                    count_cells += 1;
                    if let Ok(v) = cell.parse::<u64>() {
                        assert!(
                            !(1..=k).contains(&v),
                            "{csv_path:?}: count {v} in column {c} is in the suppression range"
                        );
                    } else {
                        // Suppressed, or (a row a count does not apply to,
                        // as the ASB rows of the DiD table's pupil count)
                        // not applicable.
                        assert!(
                            cell == "c" || cell == "z",
                            "{csv_path:?}: count cell {cell:?}"
                        );
                    }
                }
            }
        }
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} tables");
    assert!(count_cells > 100, "only {count_cells} count cells");

    // The report folder.
    for f in ["report.html", "report.md", "tables.xlsx", "run.json"] {
        assert!(a.join(f).is_file(), "{f} missing");
    }
    let html = std::fs::read_to_string(a.join("report.html")).unwrap();
    assert!(html.contains("data:image/png;base64,"), "charts embedded");
    assert!(!html.contains("src=\"charts/"), "no external images");
    for chart in [
        "ndt_over_time",
        "service_use_before_after",
        "cost_by_agency",
        "propensity_overlap",
        "balance",
        "persistent_absence",
        "asb_by_quarter",
    ] {
        assert!(
            a.join(format!("charts/{chart}.png")).is_file(),
            "chart {chart} missing"
        );
    }
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(run["seed"], 20240101);
    let inputs = run["inputs"].as_array().unwrap();
    assert!(inputs
        .iter()
        .any(|i| i["file"] == "cohort.csv" && i["sha256"].as_str().unwrap().len() == 64));
    // run.json publishes the validation counts as the tables do: a count
    // the policy suppresses is null, and the published ones add up.
    let mut nulls = 0;
    for v in run["validation"].as_array().unwrap() {
        match (
            v["rows_read"].as_u64(),
            v["accepted"].as_u64(),
            v["rejected"].as_u64(),
        ) {
            (Some(r), Some(a_), Some(j)) => assert_eq!(r, a_ + j, "{v}"),
            (r, a_, j) => {
                nulls += 1;
                assert!(
                    [r, a_, j].iter().filter(|x| x.is_none()).count() >= 2,
                    "one suppressed count of three is a subtraction: {v}"
                );
            }
        }
    }
    assert!(
        nulls > 0,
        "the sample's register file has a small rejected count"
    );
    assert!(run["disclosure_policy"]["description"]
        .as_str()
        .unwrap()
        .contains("1 to 9"));

    // (3) byte-identical, every file but the xlsx container.
    let fa = files_under(&a);
    let fb = files_under(&b);
    let rel = |d: &Path, v: &[PathBuf]| -> Vec<PathBuf> {
        v.iter()
            .map(|p| p.strip_prefix(d).unwrap().to_path_buf())
            .collect()
    };
    assert_eq!(rel(&a, &fa), rel(&b, &fb));
    for p in &fa {
        let r = p.strip_prefix(&a).unwrap();
        if r == Path::new("tables.xlsx") {
            continue;
        }
        assert!(
            std::fs::read(p).unwrap() == std::fs::read(b.join(r)).unwrap(),
            "{r:?} differs between two runs"
        );
    }
    // The workbook's sheets are identical too.
    assert_eq!(
        xlsx_parts(&a.join("tables.xlsx"), true),
        xlsx_parts(&b.join("tables.xlsx"), true)
    );
}

/// Every part of an xlsx (zip) file, by name; `skip_props` leaves out
/// `docProps/` (which records the time the workbook was made).
fn xlsx_parts(path: &Path, skip_props: bool) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        if skip_props && name.starts_with("docProps/") {
            continue;
        }
        let mut buf = Vec::new();
        f.read_to_end(&mut buf).unwrap();
        out.insert(name, buf);
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// (2) A raw identifier planted in the inputs appears in no output file
/// (every file's bytes, and every part of the xlsx unzipped), and neither
/// does its pseudonym nor any other person's raw identifier.
#[test]
fn planted_identifier_never_appears_in_any_output() {
    const PLANTED: &str = "PLANTED-ID-12345";
    let tmp = TempDir::new("planted");
    let data = copy_sample(&tmp.0);
    // A person with the planted id in the cohort, service use and NDT files.
    let cohort = std::fs::read_to_string(data.join("cohort.csv")).unwrap();
    let header = cohort.lines().next().unwrap().to_string();
    let donor = cohort.lines().nth(1).unwrap();
    let donor_id = donor.split(',').next().unwrap().to_string();
    std::fs::write(
        data.join("cohort.csv"),
        format!("{cohort}{}\n", donor.replacen(&donor_id, PLANTED, 1)),
    )
    .unwrap();
    assert!(header.starts_with("person_id,"));
    for f in ["service_use.csv", "ndt.csv"] {
        let text = std::fs::read_to_string(data.join(f)).unwrap();
        let extra: String = text
            .lines()
            .filter(|l| l.starts_with(&format!("{donor_id},")))
            .map(|l| format!("{}\n", l.replacen(&donor_id, PLANTED, 1)))
            .collect();
        assert!(!extra.is_empty(), "{f}: donor has rows");
        std::fs::write(data.join(f), format!("{text}{extra}")).unwrap();
    }
    let out = tmp.0.join("out");
    let ev = run_into(&data, &out);
    let cohort = ev.accounts.iter().find(|v| v.file == "cohort.csv").unwrap();
    assert_eq!(
        (cohort.rows_read, cohort.accepted),
        (301, 301),
        "the planted person is loaded"
    );

    let key = outcomes::cohort::Pseudonymiser::new(evaluate::spec::DEMONSTRATION_KEY).unwrap();
    let pseudonym = key.pseudonym(PLANTED);
    let mut needles: Vec<String> = vec![PLANTED.into(), pseudonym, donor_id.clone()];
    // Every raw id of the sample (SYN-000001...) and the SYN- prefix itself.
    needles.push("SYN-0".into());
    let files = files_under(&out);
    assert!(files.len() > 30, "{} files", files.len());
    for p in &files {
        let bytes = std::fs::read(p).unwrap();
        let mut blobs = vec![(p.display().to_string(), bytes.clone())];
        if p.extension().is_some_and(|e| e == "xlsx") {
            for (name, part) in xlsx_parts(p, false) {
                blobs.push((format!("{}!{name}", p.display()), part));
            }
        }
        for (name, blob) in &blobs {
            for n in &needles {
                assert!(!contains(blob, n.as_bytes()), "{name} contains {n:?}");
            }
        }
    }
}

/// (4) A misspelt key fails naming the key and the file; a missing data
/// file fails naming the file.
#[test]
fn spec_errors_name_the_key_and_the_file() {
    let tmp = TempDir::new("spec");
    let good = std::fs::read_to_string(sample_dir().join("evaluation.toml")).unwrap();

    let typo = tmp.0.join("typo.toml");
    std::fs::write(
        &typo,
        good.replace("bootstrap_resamples", "bootstrap_resample"),
    )
    .unwrap();
    let e = EvaluationSpec::from_path(&typo).unwrap_err().to_string();
    assert!(e.contains("bootstrap_resample"), "{e}");
    assert!(e.contains("typo.toml"), "{e}");
    assert!(e.contains("unknown field"), "{e}");

    let top = tmp.0.join("top.toml");
    std::fs::write(&top, good.replace("seed = 20240101", "seeed = 20240101")).unwrap();
    let e = EvaluationSpec::from_path(&top).unwrap_err().to_string();
    assert!(e.contains("seeed") && e.contains("top.toml"), "{e}");

    let data = copy_sample(&tmp.0);
    let missing = data.join("missing.toml");
    std::fs::write(
        &missing,
        good.replace(
            "path = \"service_use.csv\"",
            "path = \"no_such_events.csv\"",
        ),
    )
    .unwrap();
    let spec = EvaluationSpec::from_path(&missing).unwrap();
    let e = evaluate::run(&spec, &Progress::quiet())
        .unwrap_err()
        .to_string();
    assert!(e.contains("no_such_events.csv"), "{e}");
    assert!(e.contains("data.service_use.path"), "{e}");

    let bad_value = tmp.0.join("bad.toml");
    std::fs::write(
        &bad_value,
        good.replace("policy = \"minimum_cell_size\"", "policy = \"smallest\""),
    )
    .unwrap();
    let e = EvaluationSpec::from_path(&bad_value)
        .unwrap_err()
        .to_string();
    assert!(e.contains("smallest") && e.contains("bad.toml"), "{e}");
}

/// The policy is configurable and is the one written into every output.
#[test]
fn nhs_digital_policy_is_applied_and_recorded() {
    let tmp = TempDir::new("nhs");
    let data = copy_sample(&tmp.0);
    let text = std::fs::read_to_string(data.join("evaluation.toml"))
        .unwrap()
        .replace(
            "policy = \"minimum_cell_size\"",
            "policy = \"nhs_digital_2018\"",
        );
    std::fs::write(data.join("evaluation.toml"), text).unwrap();
    let out = tmp.0.join("out");
    let ev = run_into(&data, &out);
    assert_eq!(ev.policy.name(), "NHS Digital 2018");
    for t in ev.tables() {
        assert_eq!(t.table.policy().name(), "NHS Digital 2018");
        for r in 0..t.table.n_rows() {
            for (c, col) in t.table.columns().iter().enumerate() {
                if let Some(outcomes::disclosure::PublishedCell::Count(v)) = t.table.cell(r, c) {
                    assert!(
                        v % 5 == 0,
                        "{}: {} = {v} not rounded to 5",
                        t.stem,
                        col.name()
                    );
                }
            }
        }
    }
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("NHS Digital 2018"));
}

/// A column mapping that names a column the file lacks fails naming the
/// file and the column.
#[test]
fn bad_column_mapping_names_the_file_and_column() {
    let tmp = TempDir::new("colmap");
    let data = copy_sample(&tmp.0);
    let text = std::fs::read_to_string(data.join("evaluation.toml"))
        .unwrap()
        .replace(
            "path = \"cohort.csv\"",
            "path = \"cohort.csv\"\ncolumns = { person_id = \"Client ID\" }",
        );
    std::fs::write(data.join("mapped.toml"), text).unwrap();
    let spec = EvaluationSpec::from_path(data.join("mapped.toml")).unwrap();
    let e = evaluate::run(&spec, &Progress::quiet())
        .unwrap_err()
        .to_string();
    assert!(e.contains("cohort.csv") && e.contains("Client ID"), "{e}");
}

/// Only the cohort and service use: the optional sections are skipped and
/// the report still holds the validation and service-use tables.
#[test]
fn minimal_spec_runs() {
    let tmp = TempDir::new("minimal");
    let data = copy_sample(&tmp.0);
    let spec = EvaluationSpec::from_toml(
        r#"
name = "minimal"
[data_window]
start = "2021-04-01"
extract_date = "2025-03-31"
[data.cohort]
path = "cohort.csv"
[data.service_use]
path = "service_use.csv"
[outcomes]
categories = ["ae_attendance", "arrest"]
"#,
        "minimal.toml",
        &data,
    )
    .unwrap();
    let ev = evaluate::run(&spec, &Progress::quiet()).unwrap();
    let stems: Vec<&str> = ev.tables().iter().map(|t| t.stem.as_str()).collect();
    assert_eq!(
        stems,
        [
            "validation",
            "validation_reasons",
            "service_use_coverage",
            "service_use",
            "service_use_follow_up",
            "binary_outcome"
        ]
    );
    let out = tmp.0.join("out");
    evaluate::write_report(&ev, &out).unwrap();
    assert!(out.join("report.html").is_file());
    // Writing again into the same folder replaces the earlier report.
    evaluate::write_report(&ev, &out).unwrap();
}

/// Cells of `column` in a report CSV, by the value of its `Group` column.
fn by_group(dir: &Path, stem: &str, column: &str) -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(dir.join(format!("tables/{stem}.csv"))).unwrap();
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let g = headers.iter().position(|h| h == "Group").unwrap();
    let c = headers
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("{stem}: no column {column}"));
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        out.entry(rec[g].to_string())
            .or_default()
            .push(rec[c].to_string());
    }
    out
}

/// The sample's service-use coverage leaves a handful of people out (a count
/// in the suppression range). Their number must not be recoverable by
/// subtracting the analysed group size shown in another table from the
/// cohort size: the analysed size is suppressed in every table that shows it
/// (linked tables), and the costed size matches the coverage table's.
#[test]
fn suppressed_counts_cannot_be_recovered_across_tables() {
    let tmp = TempDir::new("linked");
    let data = copy_sample(&tmp.0);
    let out = tmp.0.join("out");
    let ev = run_into(&data, &out);
    let k = ev.policy.suppress_max();
    let left = by_group(&out, "service_use_coverage", "Left out");
    let kept = by_group(&out, "service_use_coverage", "Kept");
    let cohort = by_group(&out, "service_use_coverage", "People");
    let whole = by_group(&out, "service_use_coverage", "Kept, whole windows observed");
    let mut some_small = false;
    for (group, l) in &left {
        let small = l[0] == "c";
        some_small |= small;
        // Every table showing the analysed group size agrees with the
        // coverage table: suppressed everywhere, or the same number.
        let mut shown = kept[group].clone();
        shown.extend(by_group(&out, "service_use", "People")[group].clone());
        shown.extend(by_group(&out, "binary_outcome", "People")[group].clone());
        shown.sort();
        shown.dedup();
        assert_eq!(shown.len(), 1, "{group}: analysed size shown as {shown:?}");
        if small {
            assert_eq!(shown[0], "c", "{group}: left-out count recoverable");
            assert_ne!(cohort[group][0], "c");
        } else {
            let (p, kp): (u64, u64) =
                (cohort[group][0].parse().unwrap(), shown[0].parse().unwrap());
            assert!(!(1..=k).contains(&(p - kp)), "{group}");
        }
        // The costed are the kept people observed for both whole windows.
        let mut costed = whole[group].clone();
        costed.extend(by_group(&out, "cost_offset", "People")[group].clone());
        costed.extend(by_group(&out, "cost_by_agency", "People")[group].clone());
        costed.sort();
        costed.dedup();
        assert_eq!(costed.len(), 1, "{group}: costed size shown as {costed:?}");
    }
    assert!(
        some_small,
        "the sample should exercise a small left-out count (else this test shows nothing)"
    );
}

/// The rejected rows of every input go to one CSV outside the report folder
/// (beside it by default): one line per rejected row, so that its lines per
/// file equal the validation account's rejected count and, per rule, its
/// count by reason; identifier values are redacted, so a service-use row for
/// a person outside the cohort (rejected on its identifier) shows no id.
#[test]
fn rejected_rows_are_written_outside_the_report_and_add_up() {
    const STRANGER: &str = "STRANGER-ID-777";
    let tmp = TempDir::new("rejected-rows");
    let data = copy_sample(&tmp.0);
    let su = std::fs::read_to_string(data.join("service_use.csv")).unwrap();
    std::fs::write(
        data.join("service_use.csv"),
        format!("{su}{STRANGER},2023-01-05,ae_attendance,1\n"),
    )
    .unwrap();
    let out = tmp.0.join("out");
    let ev = run_into(&data, &out);
    let path = evaluate::rejected_rows_path(&ev, &out);
    assert_eq!(path, tmp.0.join("out-rejected-rows.csv"));
    assert!(!path.starts_with(&out));
    for p in files_under(&out) {
        let bytes = std::fs::read(&p).unwrap();
        assert!(
            !contains(&bytes, b"file,row,column,value,rule"),
            "{}",
            p.display()
        );
    }
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains(STRANGER) && !text.contains("SYN-0"),
        "an identifier is written"
    );
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        ["file", "row", "column", "value", "rule"]
    );
    let mut by_file: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let mut stranger_rows = 0;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        assert!(rec[1].parse::<u64>().unwrap() >= 1, "rows are 1-based");
        if rec[0] == *"service_use.csv" && rec[3] == *outcomes::io::REDACTED {
            stranger_rows += 1;
        }
        *by_file
            .entry(rec[0].to_string())
            .or_default()
            .entry(rec[4].to_string())
            .or_default() += 1;
    }
    assert!(
        stranger_rows >= 1,
        "the stranger's row is rejected, redacted"
    );
    let mut total = 0;
    for f in &ev.accounts {
        let got = by_file.remove(&f.file).unwrap_or_default();
        assert_eq!(got, f.by_reason, "{}: rows by rule", f.file);
        assert_eq!(got.values().sum::<u64>(), f.rejected, "{}", f.file);
        assert_eq!(f.rows_read, f.accepted + f.rejected, "{}", f.file);
        total += f.rejected;
    }
    assert!(by_file.is_empty(), "rows of unknown files: {by_file:?}");
    assert!(total > 1000, "the sample rejects {total} rows");
}

/// An identifier shifted out of its column (pasted into a cohort row's
/// `group`, a service-use row's `category`) is rejected as a bad value, and
/// the rejected-rows file shows `<redacted>` for it, not the identifier.
#[test]
fn an_identifier_in_another_column_is_redacted_in_the_rejected_rows() {
    let tmp = TempDir::new("shifted-id");
    let data = copy_sample(&tmp.0);
    let cohort = std::fs::read_to_string(data.join("cohort.csv")).unwrap();
    let donor = cohort.lines().nth(1).unwrap();
    let fields: Vec<&str> = donor.split(',').collect();
    let id = fields[0];
    assert!(id.starts_with("SYN-"), "{donor}");
    // A second row with the group replaced by a person's identifier.
    let mut row = fields.clone();
    row[0] = "SYN-999999";
    row[2] = id;
    std::fs::write(
        data.join("cohort.csv"),
        format!("{cohort}{}\n", row.join(",")),
    )
    .unwrap();
    let su = std::fs::read_to_string(data.join("service_use.csv")).unwrap();
    std::fs::write(
        data.join("service_use.csv"),
        format!("{su}{id},2024-03-05,{id},1\n"),
    )
    .unwrap();
    let out = tmp.0.join("out");
    let ev = run_into(&data, &out);
    let text = std::fs::read_to_string(evaluate::rejected_rows_path(&ev, &out)).unwrap();
    assert!(!text.contains(id), "the identifier is written:\n{text}");
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let shown: Vec<(String, String)> = rdr
        .records()
        .map(|r| r.unwrap())
        .filter(|r| {
            matches!(
                (&r[0], &r[2]),
                ("cohort.csv", "group") | ("service_use.csv", "category")
            )
        })
        .map(|r| (r[0].to_string(), r[3].to_string()))
        .collect();
    for file in ["cohort.csv", "service_use.csv"] {
        assert!(
            shown
                .iter()
                .any(|(f, v)| f == file && v == outcomes::io::REDACTED),
            "{file}: the shifted identifier is rejected and redacted: {shown:?}"
        );
    }
}

/// `output.rejected_rows` chooses the file; a path inside the report folder
/// is refused, naming the key.
#[test]
fn rejected_rows_path_is_configurable_but_never_inside_the_report() {
    let tmp = TempDir::new("rejected-rows-key");
    let data = copy_sample(&tmp.0);
    let out = tmp.0.join("out");
    let mut spec = quick(EvaluationSpec::from_path(data.join("evaluation.toml")).unwrap());
    spec.output.rejected_rows = Some("private/rows.csv".into());
    let ev = evaluate::run(&spec, &Progress::quiet()).unwrap();
    evaluate::write_report(&ev, &out).unwrap();
    assert!(
        data.join("private/rows.csv").is_file(),
        "relative to the spec's folder"
    );

    let text = std::fs::read_to_string(data.join("evaluation.toml")).unwrap();
    let inside = out.join("rows.csv");
    let spec_text = format!(
        "{text}\n[output]\nrejected_rows = {:?}\n",
        inside.display().to_string()
    );
    std::fs::write(data.join("evaluation.toml"), spec_text).unwrap();
    let spec = quick(EvaluationSpec::from_path(data.join("evaluation.toml")).unwrap());
    let ev = evaluate::run(&spec, &Progress::quiet()).unwrap();
    let e = evaluate::write_report(&ev, &out).unwrap_err().to_string();
    assert!(
        e.contains("output.rejected_rows") && e.contains("inside the report"),
        "{e}"
    );
    assert!(!inside.exists());
}

/// The error of a run on the sample with `cohort.csv` rewritten by `edit`.
fn run_with_cohort(tag: &str, edit: &dyn Fn(&str) -> String) -> String {
    let tmp = TempDir::new(tag);
    let data = copy_sample(&tmp.0);
    let text = std::fs::read_to_string(data.join("cohort.csv")).unwrap();
    std::fs::write(data.join("cohort.csv"), edit(&text)).unwrap();
    let spec = quick(EvaluationSpec::from_path(data.join("evaluation.toml")).unwrap());
    match evaluate::run(&spec, &Progress::quiet()) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

/// A cohort of which every row is rejected, or with nobody in one of the
/// groups compared, fails naming the file and what is missing, not with a
/// model or covariate error further on.
#[test]
fn an_empty_cohort_or_group_is_a_clear_error() {
    let all_bad = run_with_cohort("cohort-all-rejected", &|t| {
        let mut lines = t.lines();
        let header = lines.next().unwrap();
        let rows: String = lines
            .map(|l| {
                let mut f: Vec<&str> = l.split(',').collect();
                f[1] = "not-a-date";
                format!("{}\n", f.join(","))
            })
            .collect();
        format!("{header}\n{rows}")
    });
    assert!(
        all_bad.contains("cohort.csv") && all_bad.contains("every row"),
        "{all_bad}"
    );
    assert!(!all_bad.contains("SYN-"), "{all_bad}");
    let no_comparison = run_with_cohort("cohort-one-group", &|t| {
        t.lines()
            .filter(|l| !l.contains(",comparison,"))
            .map(|l| format!("{l}\n"))
            .collect()
    });
    assert!(
        no_comparison.contains("cohort.csv") && no_comparison.contains("comparison"),
        "{no_comparison}"
    );
    assert!(!no_comparison.contains("SYN-"), "{no_comparison}");
}

/// The sample's spec with `covariates` and `cohort.csv` edited by `edit`:
/// the evaluation, or its error.
fn run_with_covariates(
    tag: &str,
    covariates: &[&str],
    edit: &dyn Fn(&str) -> String,
) -> Result<evaluate::Evaluation, String> {
    let tmp = TempDir::new(tag);
    let data = copy_sample(&tmp.0);
    let text = std::fs::read_to_string(data.join("cohort.csv")).unwrap();
    std::fs::write(data.join("cohort.csv"), edit(&text)).unwrap();
    let mut spec = quick(EvaluationSpec::from_path(data.join("evaluation.toml")).unwrap());
    spec.comparison.as_mut().unwrap().covariates =
        covariates.iter().map(|c| c.to_string()).collect();
    evaluate::run(&spec, &Progress::quiet()).map_err(|e| e.to_string())
}

/// Row 2's `column` (of the cohort header) set to `value`.
fn set_cell(text: &str, column: &str, value: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let c = lines[0].split(',').position(|h| h == column).unwrap();
    let mut f: Vec<String> = lines[2].split(',').map(str::to_owned).collect();
    f[c] = value.to_owned();
    lines[2] = f.join(",");
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// A covariate declared numeric rejects a row whose value is text (named
/// like any rejection, row, column, value and rule), and stays numeric; an
/// undeclared covariate holding numbers and text is an error naming the key
/// and covariate but no value; a level held by fewer people than the
/// disclosure threshold is refused without being named, so an identifier
/// typed into a covariate column never reaches a message.
#[test]
fn covariate_types_are_declared_and_levels_never_listed() {
    let all = ["age", "sex", "area", "prior_arrests"];
    let ev = run_with_covariates(
        "cov-numeric",
        &["age:numeric", "sex", "area:categorical", "prior_arrests"],
        &|t| set_cell(t, "age", "forty"),
    )
    .unwrap();
    let cohort = ev.accounts.iter().find(|f| f.file == "cohort.csv").unwrap();
    assert_eq!(cohort.rejected, 1, "{cohort:?}");
    assert_eq!(cohort.rows_read, cohort.accepted + cohort.rejected);
    let r = &cohort.rejections[0];
    assert_eq!(
        (r.source_row, r.column.as_str(), r.value.as_str()),
        (2, "age", "forty")
    );
    assert!(r.reason.contains("declared numeric"), "{}", r.reason);

    let mixed =
        run_with_covariates("cov-mixed", &all, &|t| set_cell(t, "age", "forty")).unwrap_err();
    assert!(
        mixed.contains("comparison.covariates")
            && mixed.contains("age:numeric")
            && !mixed.contains("forty"),
        "{mixed}"
    );

    const PLANTED: &str = "PLANTED-ID-4242";
    let rare =
        run_with_covariates("cov-rare", &all, &|t| set_cell(t, "area", PLANTED)).unwrap_err();
    assert!(
        rare.contains("comparison.covariates") && rare.contains("area") && rare.contains("levels"),
        "{rare}"
    );
    assert!(!rare.contains(PLANTED), "{rare}");

    let bad = run_with_covariates("cov-bad-type", &["age:number"], &|t| t.to_owned()).unwrap_err();
    assert!(
        bad.contains("age:number") && bad.contains("name:numeric"),
        "{bad}"
    );
}

/// `[time_to_event]` with an end reason as the event (the time to leaving
/// support: engagement sustained) runs without service-use categories: its
/// events are the cohort's `exit` end dates, and the one-year tables, which
/// count service use, are left out.
#[test]
fn time_to_exit_from_support_is_a_time_to_event_outcome() {
    let tmp = TempDir::new("tte-exit");
    let data = copy_sample(&tmp.0);
    let mut spec = quick(EvaluationSpec::from_path(data.join("evaluation.toml")).unwrap());
    spec.time_to_event = Some(evaluate::spec::TimeToEventSpec {
        categories: Vec::new(),
        end_reasons: vec![outcomes::cohort::EndReason::Exit],
        horizon_months: 24,
        at_months: vec![6, 12],
    });
    let ev = evaluate::run(&spec, &Progress::quiet()).unwrap();
    let section = ev
        .sections
        .iter()
        .find(|s| s.title == "Time to first exit from support")
        .expect("the section");
    let stems: Vec<&str> = section
        .items
        .iter()
        .filter_map(|i| match i {
            evaluate::Item::Table(t) => Some(t.stem.as_str()),
            _ => None,
        })
        .collect();
    assert!(stems.contains(&"time_to_event_followup"), "{stems:?}");
    assert!(!stems.contains(&"time_to_event_one_year"), "{stems:?}");
    // The events are the exits within the horizon.
    let cohort = std::fs::read_to_string(data.join("cohort.csv")).unwrap();
    let exits = cohort.lines().filter(|l| l.contains(",exit,")).count();
    assert!(exits > 10, "the sample has exits: {exits}");
    // Fewer than ten exits per group are suppressed in the counts; the
    // comparison's statistics rest on everyone followed and are published,
    // which they could not be without events.
    let t = section
        .items
        .iter()
        .find_map(|i| match i {
            evaluate::Item::Table(t) if t.stem == "time_to_event_comparison" => Some(t),
            _ => None,
        })
        .unwrap();
    let chi = evaluate::tables::published(&t.table, 0, "Test statistic");
    let hr = evaluate::tables::published(&t.table, 1, "Estimate");
    assert!(chi.is_some_and(|c| c >= 0.0), "{chi:?}");
    assert!(hr.is_some_and(|h| h > 0.0), "{hr:?}");
}

/// The published table `stem` of an evaluation.
fn table_of<'a>(
    ev: &'a evaluate::Evaluation,
    stem: &str,
) -> &'a outcomes::disclosure::ClearedTable {
    ev.sections
        .iter()
        .flat_map(|s| &s.items)
        .find_map(|i| match i {
            evaluate::Item::Table(t) if t.stem == stem => Some(&t.table),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no table {stem}"))
}

/// `statistics.p_adjust` chooses the adjustment of each family of tests
/// (a group's service-use categories, a group's NDT items), and the column
/// names it; the raw p-values stay beside the adjusted ones. Holm controls
/// the family-wise error rate and BH the false discovery rate, so BH's
/// adjusted p-value is never above Holm's, and neither is below the raw one.
#[test]
fn the_multiplicity_adjustment_is_chosen_in_the_spec_and_named() {
    let tmp = TempDir::new("p-adjust");
    let data = copy_sample(&tmp.0);
    let base = || {
        let mut s = quick(EvaluationSpec::from_path(data.join("evaluation.toml")).unwrap());
        s.comparison = None;
        s.did = None;
        s.time_to_event = None;
        s.costs = None;
        s.data.school = None;
        s
    };
    let holm = evaluate::run(&base(), &Progress::quiet()).unwrap();
    let mut bh_spec = base();
    bh_spec.statistics.p_adjust = evaluate::spec::PAdjust::Bh;
    let bh = evaluate::run(&bh_spec, &Progress::quiet()).unwrap();
    let mut checked = 0;
    for (stem, raw, rows) in [
        ("service_use", "p (paired t)", 26),
        ("service_use", "p (Wilcoxon)", 26),
        ("ndt_items", "p (Wilcoxon)", 20),
    ] {
        let (h, b) = (table_of(&holm, stem), table_of(&bh, stem));
        let base = raw.trim_end_matches(')');
        for r in 0..rows {
            let p = evaluate::tables::published(h, r, raw);
            let ph = evaluate::tables::published(h, r, &format!("{base}, Holm)"));
            let pb = evaluate::tables::published(b, r, &format!("{base}, BH)"));
            assert_eq!(p.is_some(), ph.is_some(), "{stem} row {r}");
            assert_eq!(p.is_some(), pb.is_some(), "{stem} row {r}");
            if let (Some(p), Some(ph), Some(pb)) = (p, ph, pb) {
                // Published to 4 decimals: allow the rounding, no more.
                assert!(
                    ph >= p - 5e-5 && pb >= p - 5e-5,
                    "{stem} row {r}: {p} {ph} {pb}"
                );
                assert!(pb <= ph + 5e-5, "{stem} row {r}: BH {pb} > Holm {ph}");
                assert!(ph <= 1.0 && pb <= 1.0);
                checked += 1;
            }
        }
    }
    assert!(checked > 40, "{checked} adjusted p-values checked");
    // An unknown method is an error naming the key and the methods there are.
    let good = std::fs::read_to_string(data.join("evaluation.toml")).unwrap();
    let bad = tmp.0.join("bad_adjust.toml");
    std::fs::write(
        &bad,
        good.replace("p_adjust = \"holm\"", "p_adjust = \"bonferroni\""),
    )
    .unwrap();
    let e = EvaluationSpec::from_path(&bad).unwrap_err().to_string();
    assert!(
        e.contains("p_adjust") && e.contains("bonferroni") && e.contains("holm"),
        "{e}"
    );
}

/// The report leads with the answer a commissioner asks first: the
/// programme's effect against the matched comparison, per outcome, with its
/// interval and the comparison it rests on, before the inputs and the
/// per-group before/after tables.
#[test]
fn the_report_leads_with_the_effect_against_the_matched_comparison() {
    let tmp = TempDir::new("headline");
    let data = copy_sample(&tmp.0);
    let out = tmp.0.join("report");
    let ev = run_into(&data, &out);
    let first = &ev.sections[0];
    assert_eq!(
        first.title,
        "The programme's effect against the matched comparison"
    );
    let text = first
        .items
        .iter()
        .find_map(|i| match i {
            evaluate::Item::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .unwrap();
    assert!(
        text.contains("nearest-neighbour matching") && text.contains("age"),
        "{text}"
    );
    let t = table_of(&ev, "headline_effects");
    // The effect is the programme's change less the comparison's, inside its
    // interval, for every outcome.
    for r in 0..t.n_rows() {
        let (Some(pc), Some(cc), Some(e), Some(lo), Some(hi)) = (
            evaluate::tables::published(t, r, "Programme change"),
            evaluate::tables::published(t, r, "Comparison change"),
            evaluate::tables::published(t, r, "Effect"),
            evaluate::tables::published(t, r, "CI lower"),
            evaluate::tables::published(t, r, "CI upper"),
        ) else {
            panic!("row {r}: a headline cell is not published");
        };
        assert!((pc - cc - e).abs() <= 1.5e-3, "row {r}: {pc} - {cc} != {e}");
        assert!(lo <= e && e <= hi, "row {r}");
    }
    // In the HTML page, the headline comes before the inputs.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let (h, v) = (
        html.find("effect against the matched comparison").unwrap(),
        html.find("Inputs and validation").unwrap(),
    );
    assert!(h < v, "the headline is not first in report.html");
}

/// A category without a unit cost is never priced at zero silently: the
/// report names it beside the offset, with the share of the events it
/// leaves out.
#[test]
fn uncosted_categories_are_named_beside_the_offset_with_their_share() {
    let tmp = TempDir::new("uncosted");
    let data = copy_sample(&tmp.0);
    let shipped =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/unit_costs.csv"))
            .unwrap();
    let partial: String = shipped
        .lines()
        .filter(|l| !l.contains(",court_appearance,") && !l.contains(",police_custody_night,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let costs = tmp.0.join("partial_unit_costs.csv");
    std::fs::write(&costs, partial).unwrap();
    let mut spec = quick(EvaluationSpec::from_path(data.join("evaluation.toml")).unwrap());
    spec.comparison = None;
    spec.did = None;
    spec.time_to_event = None;
    spec.data.school = None;
    spec.costs.as_mut().unwrap().unit_costs = Some(costs);
    spec.cba.counterfactual = evaluate::spec::CbaCounterfactual::ComparisonGroup;
    let ev = evaluate::run(&spec, &Progress::quiet()).unwrap();
    let section = ev
        .sections
        .iter()
        .find(|s| s.title == "Costs and cost-benefit analysis")
        .unwrap();
    let texts: Vec<&str> = section
        .items
        .iter()
        .filter_map(|i| match i {
            evaluate::Item::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    let note = texts
        .iter()
        .find(|t| t.starts_with("NOT COSTED"))
        .expect("a note beside the offset");
    assert!(
        note.contains("Nights in police custody") && note.contains("Court appearances"),
        "{note}"
    );
    // "They hold A of the B events in the two windows (P%)".
    let nums: Vec<f64> = note
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|w| w.trim_end_matches('.').parse().ok())
        .collect();
    let (a, b, p) = (nums[0], nums[1], nums[2]);
    assert!(a > 0.0 && a < b, "{note}");
    assert!((100.0 * a / b - p).abs() < 0.05, "{note}");
    // The note sits just before the offset table.
    let pos = |f: &dyn Fn(&evaluate::Item) -> bool| section.items.iter().position(f).unwrap();
    let n = pos(&|i| matches!(i, evaluate::Item::Text(t) if t.starts_with("NOT COSTED")));
    let o = pos(&|i| matches!(i, evaluate::Item::Table(t) if t.stem == "cost_offset"));
    assert_eq!(n + 1, o);
}

/// The value of one row (by its label) of a published two-column table.
fn row_value(t: &outcomes::disclosure::ClearedTable, label: &str, column: &str) -> f64 {
    let r = (0..t.n_rows())
        .find(|&r| t.formatted(r, 0).as_deref() == Some(label))
        .unwrap_or_else(|| panic!("no row {label}"));
    evaluate::tables::published(t, r, column).unwrap()
}

/// Each `[cba]` key moves what it should, and a bad value is an error
/// naming the key before any data are read.
#[test]
fn every_cba_parameter_is_a_spec_key_with_its_effect_and_its_error() {
    use evaluate::spec::{CbaCounterfactual, Discounting};
    let tmp = TempDir::new("cba-keys");
    let data = copy_sample(&tmp.0);
    let base = || {
        let mut s = quick(EvaluationSpec::from_path(data.join("evaluation.toml")).unwrap());
        s.comparison = None;
        s.did = None;
        s.time_to_event = None;
        s.data.school = None;
        s.cba.counterfactual = CbaCounterfactual::ComparisonGroup;
        s
    };
    let run = |s: &EvaluationSpec| evaluate::run(s, &Progress::quiet()).unwrap();
    let pv = |ev: &evaluate::Evaluation, label: &str| {
        row_value(table_of(ev, "cba_summary"), label, "Value")
    };
    let b0 = run(&base());
    let (pvb, pvc) = (
        pv(&b0, "Present value of benefits"),
        pv(&b0, "Present value of costs"),
    );
    // Sensitivity has no deadweight row when the counterfactual is a
    // comparison (it could not move).
    let sens = table_of(&b0, "cba_sensitivity");
    assert!((0..sens.n_rows()).all(|r| sens.formatted(r, 0).as_deref() != Some("Deadweight")));

    // A constant 0% rate: no discounting. Benefits years 1-5 with 20%
    // drop-off are Σ 0.8^(t-1) = 3.3616 year-1 amounts, against 3.081286
    // at the Green Book 3.5%.
    let mut s = base();
    s.cba.discounting = Discounting::Constant;
    s.cba.discount_rate = Some(0.0);
    let ev = run(&s);
    let undiscounted: f64 = (0..5).map(|t| 0.8f64.powi(t)).sum();
    let green: f64 = (1..=5).map(|t| 0.8f64.powi(t - 1) / 1.035f64.powi(t)).sum();
    let got = pv(&ev, "Present value of benefits");
    assert!(
        (got / pvb - undiscounted / green).abs() < 1e-6,
        "{got} {pvb}"
    );

    // No optimism bias: the benefits grow by 1 / (1 - 0.10) (grade 3).
    let mut s = base();
    s.cba.optimism_bias = Some(vec![0.0; 6]);
    let got = pv(&run(&s), "Present value of benefits");
    assert!((got * 0.9 - pvb).abs() < 0.02, "{got} {pvb}");

    // Cost optimism bias: costs x 1.5.
    let mut s = base();
    s.cba.cost_optimism_bias = 0.5;
    let got = pv(&run(&s), "Present value of costs");
    assert!((got - 1.5 * pvc).abs() < 0.01, "{got} {pvc}");

    // A sensitivity range replaces the default.
    let mut s = base();
    s.cba.sensitivity.insert("dropoff".into(), [0.1, 0.3]);
    let ev = run(&s);
    let t = table_of(&ev, "cba_sensitivity");
    assert_eq!(row_value(t, "Dropoff", "Low"), 0.1);
    assert_eq!(row_value(t, "Dropoff", "High"), 0.3);

    // Deadweight: the programme group's own fall, less the share; a
    // sensitivity row for it appears.
    let mut s = base();
    s.cba.counterfactual = CbaCounterfactual::Deadweight;
    s.cba.deadweight = Some(0.25);
    let ev = run(&s);
    let dw = pv(&ev, "Present value of benefits");
    assert!(dw != pvb);
    let t = table_of(&ev, "cba_sensitivity");
    assert_eq!(row_value(t, "Deadweight", "Low"), 0.0);
    // The matched comparison (the sample's default) differs from both and
    // publishes the NPV's range around its NPV.
    let mut s = quick(EvaluationSpec::from_path(data.join("evaluation.toml")).unwrap());
    s.time_to_event = None;
    s.data.school = None;
    let ev = run(&s);
    let t = table_of(&ev, "cba_summary");
    let (npv, lo, hi) = (
        row_value(t, "Net present value", "Value"),
        row_value(t, "Net present value, low (95% range)", "Value"),
        row_value(t, "Net present value, high (95% range)", "Value"),
    );
    assert!(lo < npv && npv < hi, "{lo} {npv} {hi}");
    assert!(row_value(t, "Present value of benefits", "Value") != pvb);

    // Errors, each naming its key, before any data are read.
    let good = std::fs::read_to_string(data.join("evaluation.toml")).unwrap();
    for (edit, key) in [
        (
            "counterfactual = \"matched_comparison\"\ndeadweight = 0.2",
            "cba.deadweight",
        ),
        ("counterfactual = \"deadweight\"", "cba.deadweight"),
        (
            "counterfactual = \"matched_comparison\"\ndiscount_rate = 0.03",
            "cba.discount_rate",
        ),
        (
            "counterfactual = \"matched_comparison\"\noptimism_bias = [0.1, 0.2]",
            "cba.optimism_bias",
        ),
        (
            "counterfactual = \"matched_comparison\"\nsensitivity = { drop_off = [0.0, 0.5] }",
            "cba.sensitivity.drop_off",
        ),
        (
            "counterfactual = \"matched_comparison\"\nsensitivity = { deadweight = [0.0, 0.5] }",
            "cba.sensitivity.deadweight",
        ),
        (
            "counterfactual = \"matched_comparison\"\nsensitivity = { dropoff = [0.5, 0.1] }",
            "cba.sensitivity.dropoff",
        ),
    ] {
        let path = tmp.0.join("bad_cba.toml");
        std::fs::write(
            &path,
            good.replace("counterfactual = \"matched_comparison\"", edit),
        )
        .unwrap();
        let e = EvaluationSpec::from_path(&path).unwrap_err().to_string();
        assert!(e.contains(key), "{edit}: {e}");
    }
    let path = tmp.0.join("bad_cost_ob.toml");
    std::fs::write(
        &path,
        good.replace("cost_optimism_bias = 0.0", "cost_optimism_bias = 1.5"),
    )
    .unwrap();
    let e = EvaluationSpec::from_path(&path).unwrap_err().to_string();
    assert!(e.contains("cba.cost_optimism_bias"), "{e}");
    // The matched comparison needs a [comparison] section.
    let start = good.find("[comparison]").unwrap();
    let end = good.find("[time_to_event]").unwrap();
    let path = tmp.0.join("no_comparison.toml");
    std::fs::write(&path, format!("{}{}", &good[..start], &good[end..])).unwrap();
    let e = EvaluationSpec::from_path(&path).unwrap_err().to_string();
    assert!(e.contains("cba.counterfactual"), "{e}");
}

/// The NDT selection windows are spec keys: a narrower baseline window
/// selects fewer pairs, and a follow-up window reaching back to the baseline
/// window is an error naming the key.
#[test]
fn the_ndt_selection_windows_are_spec_keys() {
    let tmp = TempDir::new("ndt-windows");
    let data = copy_sample(&tmp.0);
    let base = || {
        let mut s = quick(EvaluationSpec::from_path(data.join("evaluation.toml")).unwrap());
        s.comparison = None;
        s.did = None;
        s.time_to_event = None;
        s.costs = None;
        s.data.service_use = None;
        s.data.school = None;
        s
    };
    let pairs = |s: &EvaluationSpec| {
        let ev = evaluate::run(s, &Progress::quiet()).unwrap();
        let t = table_of(&ev, "ndt_selection");
        (
            evaluate::tables::published(t, 0, "Baseline and follow-up"),
            evaluate::tables::published(t, 0, "No baseline"),
        )
    };
    let (wide, no_base_wide) = pairs(&base());
    let mut narrow = base();
    narrow.outcomes.ndt_baseline_days_before = 7;
    narrow.outcomes.ndt_baseline_days_after = 7;
    let (fewer, no_base_narrow) = pairs(&narrow);
    assert!(fewer.unwrap_or(0.0) < wide.unwrap(), "{fewer:?} {wide:?}");
    assert!(no_base_narrow.unwrap_or(f64::MAX) > no_base_wide.unwrap_or(0.0));
    let good = std::fs::read_to_string(data.join("evaluation.toml")).unwrap();
    let path = tmp.0.join("overlap.toml");
    std::fs::write(
        &path,
        good.replace(
            "ndt_follow_up_tolerance_days = 90",
            "ndt_follow_up_tolerance_days = 300",
        ),
    )
    .unwrap();
    let e = EvaluationSpec::from_path(&path).unwrap_err().to_string();
    assert!(
        e.contains("outcomes.ndt_follow_up_tolerance_days") && e.contains("300"),
        "{e}"
    );
}

/// Unit costs from a GMCA Unit Cost Database workbook: `costs.gmca_codes`
/// says which row prices which category; the categories left out are named
/// as not costed. A workbook without the mapping, a mapping with a CSV, or
/// a code the workbook does not hold is an error naming the key.
#[test]
fn unit_costs_from_a_gmca_workbook() {
    use rust_xlsxwriter::Workbook;
    let tmp = TempDir::new("gmca");
    let data = copy_sample(&tmp.0);
    let book = data.join("ucd.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Health and crime").unwrap();
    for (c, h) in [
        "Outcome category",
        "Outcome detail",
        "Cost code",
        "Description",
        "Unit",
        "Agency",
        "Agency detail",
        "Cost",
        "Price year",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, (code, desc, unit, agency, cost, year)) in [
        (
            "HE4.0",
            "A&E attendance, all scenarios",
            "Per incident",
            "NHS",
            109.0,
            "2011/12",
        ),
        (
            "CR7.0",
            "Arrest - detained",
            "Per incident",
            "Police",
            593.0,
            "2006/07",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let row = 1 + r as u32;
        ws.write_string(row, 2, code).unwrap();
        ws.write_string(row, 3, desc).unwrap();
        ws.write_string(row, 4, unit).unwrap();
        ws.write_string(row, 5, agency).unwrap();
        ws.write_number(row, 7, cost).unwrap();
        ws.write_string(row, 8, year).unwrap();
    }
    wb.save(&book).unwrap();
    let good = std::fs::read_to_string(data.join("evaluation.toml")).unwrap();
    let with = |costs: &str| {
        good.replace(
            "[costs]\n",
            &format!("[costs]\nunit_costs = \"ucd.xlsx\"\n{costs}"),
        )
    };
    let path = data.join("gmca.toml");
    std::fs::write(
        &path,
        with("gmca_codes = { ae_attendance = \"HE4.0\", arrest = \"CR7.0\" }\n"),
    )
    .unwrap();
    let mut spec = quick(EvaluationSpec::from_path(&path).unwrap());
    spec.time_to_event = None;
    spec.data.school = None;
    let ev = evaluate::run(&spec, &Progress::quiet()).unwrap();
    let t = table_of(&ev, "cost_by_agency");
    let agencies: std::collections::BTreeSet<String> =
        (0..t.n_rows()).filter_map(|r| t.formatted(r, 1)).collect();
    assert_eq!(
        agencies.into_iter().collect::<Vec<_>>(),
        ["All agencies", "NHS", "Police"]
    );
    let texts: Vec<&str> = ev
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .filter_map(|i| match i {
            evaluate::Item::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("GMCA workbook") && t.contains("NOT COSTED")),
        "{texts:?}"
    );
    for (edit, key) in [
        ("", "costs.gmca_codes"),
        (
            "gmca_codes = { ae_attendance = \"XX9.9\" }\n",
            "costs.gmca_codes.ae_attendance",
        ),
        (
            "gmca_codes = { ae_attendance = \"HE4.0\", arrest = \"HE4.0\" }\n",
            "costs.gmca_codes",
        ),
    ] {
        std::fs::write(&path, with(edit)).unwrap();
        let e = match EvaluationSpec::from_path(&path) {
            Err(e) => e.to_string(),
            Ok(s) => evaluate::run(&quick(s), &Progress::quiet())
                .unwrap_err()
                .to_string(),
        };
        assert!(e.contains(key), "{edit}: {e}");
    }
    std::fs::write(
        &path,
        good.replace(
            "[costs]\n",
            "[costs]\ngmca_codes = { arrest = \"CR7.0\" }\n",
        ),
    )
    .unwrap();
    let e = EvaluationSpec::from_path(&path).unwrap_err().to_string();
    assert!(
        e.contains("costs.gmca_codes") && e.contains("workbook"),
        "{e}"
    );
}

/// A service-use category of the user's own (`[[outcomes.custom_categories]]`)
/// is loaded, reported and, with a unit cost of its category, costed; without
/// the spec key its rows are rejected as an unknown category. A custom code
/// that is a built-in one is an error naming the key.
#[test]
fn custom_service_categories_are_spec_keys() {
    let tmp = TempDir::new("custom-cat");
    let data = copy_sample(&tmp.0);
    // Every cohort member's GP visits: one visit 40 days before the start
    // and two 40 days after it.
    let cohort = std::fs::read_to_string(data.join("cohort.csv")).unwrap();
    let mut lines = cohort.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (id, idx) = (col("person_id"), col("index_date"));
    let mut extra = String::new();
    let mut people = 0;
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        let start = chrono::NaiveDate::parse_from_str(f[idx], "%Y-%m-%d").unwrap();
        let before = start - chrono::Days::new(40);
        let after = start + chrono::Days::new(40);
        if before < chrono::NaiveDate::from_ymd_opt(2021, 4, 1).unwrap()
            || after > chrono::NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()
        {
            continue;
        }
        extra.push_str(&format!("{},{before},gp_visit,1\n", f[id]));
        extra.push_str(&format!("{},{after},gp_visit,2\n", f[id]));
        people += 1;
    }
    assert!(people > 100);
    let events = std::fs::read_to_string(data.join("service_use.csv")).unwrap();
    assert!(
        events.starts_with("person_id,date,category,count"),
        "{events:.40}"
    );
    std::fs::write(data.join("service_use.csv"), format!("{events}{extra}")).unwrap();
    let costs = tmp.0.join("costs_with_gp.csv");
    let shipped =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/unit_costs.csv"))
            .unwrap();
    std::fs::write(
        &costs,
        format!("{shipped}HE20.2,GP consultation,gp_visit,per event,38,2013/14,fiscal,NHS,GMCA UCD v1.4 HE20.2,\n"),
    )
    .unwrap();
    let base = || {
        let mut s = quick(EvaluationSpec::from_path(data.join("evaluation.toml")).unwrap());
        s.time_to_event = None;
        s.data.school = None;
        s.data.ndt = None;
        s.did = None;
        s.costs.as_mut().unwrap().unit_costs = Some(costs.clone());
        s
    };
    // Without the key: the rows are rejected, each with its reason.
    let ev = evaluate::run(&base(), &Progress::quiet()).unwrap();
    let rejected: u64 = ev
        .accounts
        .iter()
        .find(|a| a.file.ends_with("service_use.csv"))
        .map(|a| a.rejected)
        .unwrap();
    assert!(rejected >= 2 * people as u64, "{rejected}");
    // With it: a row of the service-use table, and a cost.
    let mut s = base();
    s.outcomes.custom_categories = vec![evaluate::spec::CustomCategorySpec {
        code: "gp_visit".into(),
        unit: outcomes::measures::service_use::CountUnit::Events,
    }];
    let ev = evaluate::run(&s, &Progress::quiet()).unwrap();
    let t = table_of(&ev, "service_use");
    let r = (0..t.n_rows())
        .find(|&r| t.formatted(r, 1).as_deref() == Some("gp_visit"))
        .expect("a gp_visit row");
    let before = evaluate::tables::published(t, r, "Before").unwrap();
    let after = evaluate::tables::published(t, r, "After").unwrap();
    assert!(after > before, "{before} {after}");
    let h = table_of(&ev, "headline_effects");
    assert!((0..h.n_rows()).any(|r| h.formatted(r, 0).as_deref() == Some("gp_visit")));
    let texts: String = ev
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .filter_map(|i| match i {
            evaluate::Item::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        texts.contains("Every category asked for has a unit cost"),
        "{texts}"
    );
    // A built-in code is not a custom category.
    let good = std::fs::read_to_string(data.join("evaluation.toml")).unwrap();
    let path = tmp.0.join("bad_custom.toml");
    std::fs::write(
        &path,
        good.replace(
            "[outcomes]\n",
            "[outcomes]\ncustom_categories = [{ code = \"arrest\", unit = \"events\" }]\n",
        ),
    )
    .unwrap();
    let e = EvaluationSpec::from_path(&path).unwrap_err().to_string();
    assert!(
        e.contains("outcomes.custom_categories") && e.contains("arrest"),
        "{e}"
    );
}

/// Service use given as counts per period, exact or banded
/// (`[data.period_counts]`): each analysis reads the band's value the spec
/// names, so the low, middle and high runs bound the results; a band label
/// the scheme does not know is a rejected row in the account; an open band
/// below 10 is an error naming the key.
#[test]
fn banded_counts_per_period_are_an_input() {
    let tmp = TempDir::new("periods");
    let data = copy_sample(&tmp.0);
    let cohort = std::fs::read_to_string(data.join("cohort.csv")).unwrap();
    let mut lines = cohort.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (id, idx) = (col("person_id"), col("index_date"));
    let mut rows = String::from("person_id,period_start,period_end,category,count\n");
    let (lo, hi) = (
        chrono::NaiveDate::from_ymd_opt(2021, 4, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2025, 3, 31).unwrap(),
    );
    let mut n = 0;
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        let start = chrono::NaiveDate::parse_from_str(f[idx], "%Y-%m-%d").unwrap();
        let b = start - chrono::Days::new(70);
        let a = start + chrono::Days::new(20);
        if b < lo || a + chrono::Days::new(89) > hi {
            continue;
        }
        let e = |d: chrono::NaiveDate| d + chrono::Days::new(89);
        rows.push_str(&format!("{},{b},{},arrest,3 to 4\n", f[id], e(b)));
        rows.push_str(&format!("{},{a},{},arrest,1 to 2\n", f[id], e(a)));
        n += 1;
    }
    // One row with a band the scheme does not know.
    let first_id = cohort.lines().nth(1).unwrap().split(',').nth(id).unwrap();
    rows.push_str(&format!(
        "{first_id},2022-01-01,2022-03-31,arrest,11 to 15\n"
    ));
    std::fs::write(data.join("periods.csv"), rows).unwrap();
    let run = |scenario: evaluate::spec::BandScenario| {
        let mut s = quick(EvaluationSpec::from_path(data.join("evaluation.toml")).unwrap());
        s.data.service_use = None;
        s.data.period_counts = Some(evaluate::spec::PeriodCountsSpec {
            path: "periods.csv".into(),
            columns: BTreeMap::new(),
            scenario,
            open_band_mid: 12.0,
            open_band_high: 20.0,
        });
        s.outcomes.categories = Some(vec!["arrest".into()]);
        s.outcomes.binary_category = "arrest".into();
        s.comparison.as_mut().unwrap().outcome = "arrest".into();
        s.costs = None;
        s.time_to_event = None;
        s.did = None;
        s.data.school = None;
        s.data.ndt = None;
        evaluate::run(&s, &Progress::quiet()).unwrap()
    };
    use evaluate::spec::BandScenario::{High, Low, Mid};
    let means = |ev: &evaluate::Evaluation| {
        let t = table_of(ev, "service_use");
        (
            evaluate::tables::published(t, 0, "Before").unwrap(),
            evaluate::tables::published(t, 0, "After").unwrap(),
        )
    };
    let mid = run(Mid);
    let (bm, am) = means(&mid);
    let (bl, al) = means(&run(Low));
    let (bh, ah) = means(&run(High));
    // Every person has the same band: the rates scale with the band's value
    // (3 / 3.5 / 4 before, 1 / 1.5 / 2 after), to the table's 3 decimals.
    for (got, want) in [
        (bl, bm * 3.0 / 3.5),
        (bh, bm * 4.0 / 3.5),
        (al, am / 1.5),
        (ah, am * 2.0 / 1.5),
    ] {
        assert!((got - want).abs() < 2e-3, "{got} vs {want}");
    }
    assert!(bl < bm && bm < bh && al < am && am < ah);
    // The account: rows read = accepted + rejected, the unknown band rejected.
    let acc = mid
        .accounts
        .iter()
        .find(|a| a.file.ends_with("periods.csv"))
        .unwrap();
    assert_eq!(acc.rows_read, 2 * n + 1);
    assert_eq!(acc.rejected, 1);
    assert_eq!(acc.rows_read, acc.accepted + acc.rejected);
    // An open band below 10.
    let good = std::fs::read_to_string(data.join("evaluation.toml")).unwrap();
    let path = data.join("bad_band.toml");
    std::fs::write(
        &path,
        good.replacen(
            "[data.ndt]\n",
            "[data.period_counts]\npath = \"periods.csv\"\nopen_band_mid = 5\n\n[data.ndt]\n",
            1,
        ),
    )
    .unwrap();
    let e = EvaluationSpec::from_path(&path).unwrap_err().to_string();
    assert!(e.contains("data.period_counts.open_band_mid"), "{e}");
}
