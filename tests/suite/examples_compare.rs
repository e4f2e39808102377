//! End-to-end tests of the report API behind `outcomes match` and `outcomes did`
//! (and the `matched_comparison` and `did` examples): the command lines are
//! run through the built `outcomes` binary, the CSV is read by [`CsvTable`],
//! and the JSON written by [`write_json`] (`--json-out`) is read back and
//! checked.
//!
//! Sources:
//! * validation.md §1d/§1e (Lalonde, MatchIt vignette 2020–2022, PUBLISHED =
//!   REPRODUCED): 1:1 nearest-neighbour matching on the logistic score of
//!   `treat ~ age + educ + race + married + nodegree + re74 + re75` gives 370
//!   matched units (185 + 185), |ΔPS| max 0.449206 and mean 0.214556;
//!   `lm(re78 ~ treat + age + educ + race + married + nodegree + re74 + re75,
//!   data = md, weights = weights)` with `vcovCL(cluster = ~subclass)` gives
//!   1344.9356 (SE 730.8368, t 1.8403), and the difference in means 894.3675
//!   (SE 715.7634, COMPUTED).
//! * validation.md §3 (Card & Krueger 1994, `public.dat`, FTE = EMPFT +
//!   0.5·EMPPT + NMGRS as in `check.sas`): on the 794 store-waves with an FTE,
//!   cell means PA 23.3312 → 21.1656, NJ 20.4394 → 21.0274, DiD 2.7536; `fte ~
//!   NJ*post` SE 1.6884 (iid), 1.7955 (HC1), 1.3066 (clustered by store,
//!   statsmodels 0.15.0, G/(G−1)·(n−1)/(n−k) as `vcovCL`'s default).

use std::path::{Path, PathBuf};

use outcomes::compare::report::{
    run_did, run_matched_comparison, CsvTable, DidSpec, MatchedComparisonSpec,
};
use serde_json::Value;

fn shared(rel: &str) -> Option<PathBuf> {
    crate::common::reference_data(rel)
}

fn tmp(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{}-{name}", std::process::id()))
}

/// Runs the built `outcomes` binary; panics (showing stderr) unless it exits 0.
#[cfg(feature = "cli")]
fn outcomes_ok(args: &[&std::ffi::OsStr]) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_outcomes"))
        .arg("--quiet")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn num(v: &Value, path: &[&str]) -> f64 {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_f64()
        .unwrap_or_else(|| panic!("{path:?} is not a number: {cur}"))
}

fn near(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, want {want} ± {tol}"
    );
}

/// The `outcomes match` command line of the README, run through the built
/// binary and its JSON report read back. validation.md §1d/§1e.
#[test]
#[cfg(feature = "cli")]
#[cfg_attr(not(reference_data), ignore = "needs ../shared/reference-data")]
fn lalonde_matched_comparison_json() {
    let Some(data) = shared("lalonde.csv") else {
        return;
    };
    let json = tmp("lalonde.json");
    let data = data.to_string_lossy().to_string();
    let json_s = json.to_string_lossy().to_string();
    outcomes_ok(&[
        "match".as_ref(),
        "--data".as_ref(),
        data.as_ref(),
        "--treatment".as_ref(),
        "treat".as_ref(),
        "--covariates".as_ref(),
        "age,educ,race,married,nodegree,re74,re75".as_ref(),
        "--outcome".as_ref(),
        "re78".as_ref(),
        // validation.md §1e is the 2020 vignette's, made with MatchIt before
        // 4.5.1: ties to the first control in data order.
        "--tie-rule".as_ref(),
        "data-order".as_ref(),
        "--json-out".as_ref(),
        json_s.as_ref(),
    ]);
    let table = CsvTable::from_path(&data).unwrap();
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let _ = std::fs::remove_file(&json);

    assert_eq!(v["counts"]["matched_units"], 370);
    assert_eq!(v["counts"]["treated"]["matched"], 185);
    assert_eq!(v["counts"]["control"]["unmatched"], 244);
    assert_eq!(v["rows"]["read"], 614);
    assert_eq!(v["rows"]["rejected"], 0);
    assert_eq!(v["covariates"][2]["kind"], "categorical");
    near(
        num(&v, &["pair_distances", "max"]),
        0.449206,
        5e-7,
        "max |ΔPS|",
    );
    near(
        num(&v, &["pair_distances", "mean"]),
        0.214556,
        5e-7,
        "mean |ΔPS|",
    );

    let ra = &v["effect"]["regression_adjusted"];
    near(
        num(ra, &["estimate"]),
        1344.9356,
        5e-5,
        "regression-adjusted",
    );
    near(
        num(ra, &["std_error"]),
        730.8368,
        5e-5,
        "regression-adjusted SE",
    );
    near(num(ra, &["t_value"]), 1.8403, 5e-5, "t");
    assert_eq!(ra["estimator"], "CR1");
    assert_eq!(ra["clusters"], 185);
    let dm = &v["effect"]["difference_in_means"];
    near(
        num(dm, &["estimate"]),
        894.3675,
        5e-5,
        "difference in means",
    );
    near(
        num(dm, &["std_error"]),
        715.7634,
        5e-5,
        "difference in means SE",
    );

    // Score model (validation.md §1b, racewhite coefficient with R's default
    // reference level `black`) and balance after matching (§1d).
    let coefs = v["score_model"]["coefficients"].as_array().unwrap();
    assert_eq!(coefs.len(), 9);
    let educ = coefs.iter().find(|c| c["term"] == "educ").unwrap();
    near(num(educ, &["estimate"]), 0.161307, 5e-6, "educ coefficient");
    let after = v["balance"]["after"].as_array().unwrap();
    let hisp = after
        .iter()
        .find(|r| r["variable"] == "racehispan")
        .unwrap();
    near(
        num(hisp, &["smd_treated_sd"]),
        -0.6629,
        5e-5,
        "racehispan SMD after",
    );
    let re74 = after.iter().find(|r| r["variable"] == "re74").unwrap();
    near(
        num(re74, &["variance_ratio"]),
        1.3289,
        5e-5,
        "re74 VR after",
    );
    assert!(v["balance"]["smd_pooled_sd_convention"]
        .as_str()
        .unwrap()
        .contains("pooled"));

    // Matched sets: 185, 1-based rows, each treated row a treated unit.
    let sets = v["matched_sets"].as_array().unwrap();
    assert_eq!(sets.len(), 185);
    let treat = table.binary("treat").unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for s in sets {
        let t = s["treated_row"].as_u64().unwrap() as usize;
        assert_eq!(treat[t - 1], Some(true));
        let c = s["control_rows"].as_array().unwrap();
        assert_eq!(c.len(), 1);
        let c = c[0].as_u64().unwrap() as usize;
        assert_eq!(treat[c - 1], Some(false));
        assert!(seen.insert(c), "control row {c} used twice");
    }

    // The default tie rule, MatchIt 4.5.4's: the same matched units, other
    // pairs among controls of identical score, so other clustered SEs. R 4.2.2,
    // MatchIt 4.5.1 handed `distance = round(ps * 1e9)` (ps: glm(f, family =
    // binomial, control = glm.control(epsilon = 1e-14, maxit = 100))), where its
    // integer truncation is exact and it computes 4.5.4's rule; then
    // `coeftest(lm(re78 ~ treat + age + educ + race + married + nodegree + re74
    // + re75, data = match.data(m), weights = weights), vcov. = vcovCL, cluster
    // = ~subclass)`: estimate 1344.935605, SE 718.9770225; without covariates
    // 894.3674803, SE 705.2297641.
    outcomes_ok(&[
        "match".as_ref(),
        "--data".as_ref(),
        data.as_ref(),
        "--treatment".as_ref(),
        "treat".as_ref(),
        "--covariates".as_ref(),
        "age,educ,race,married,nodegree,re74,re75".as_ref(),
        "--outcome".as_ref(),
        "re78".as_ref(),
        "--json-out".as_ref(),
        json_s.as_ref(),
    ]);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let _ = std::fs::remove_file(&json);
    assert_eq!(v["counts"]["matched_units"], 370);
    let ra = &v["effect"]["regression_adjusted"];
    near(
        num(ra, &["estimate"]),
        1344.935605,
        5e-6,
        "regression-adjusted",
    );
    near(
        num(ra, &["std_error"]),
        718.9770225,
        5e-7,
        "regression-adjusted SE",
    );
    let dm = &v["effect"]["difference_in_means"];
    near(
        num(dm, &["estimate"]),
        894.3674803,
        5e-7,
        "difference in means",
    );
    near(
        num(dm, &["std_error"]),
        705.2297641,
        5e-7,
        "difference in means SE",
    );
}

/// A blank outcome is rejected, counted and listed, never silently dropped:
/// Lalonde with row 3's re78 blanked has 613 usable rows.
#[test]
#[cfg_attr(not(reference_data), ignore = "needs ../shared/reference-data")]
fn lalonde_blank_rows_are_reported() {
    let Some(data) = shared("lalonde.csv") else {
        return;
    };
    let text = std::fs::read_to_string(data).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    // data row 3 is line index 3 (index 0 is the header)
    let row3 = lines[3].rsplit_once(',').unwrap().0.to_string() + ",";
    lines[3] = row3;
    let path = tmp("lalonde_blank.csv");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let table = CsvTable::from_path(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    let spec = MatchedComparisonSpec::new(
        "treat",
        &["age", "educ", "race", "married", "nodegree", "re74", "re75"],
        "re78",
    );
    let r = run_matched_comparison(&table, &spec).unwrap();
    assert_eq!(r.rows.read, 614);
    assert_eq!(r.rows.used, 613);
    assert_eq!(r.rows.rejected_rows.len(), 1);
    assert_eq!(r.rows.rejected_rows[0].row, 3);
    assert_eq!(r.rows.rejected_rows[0].blank_columns, vec!["re78"]);
    // The rejected treated row is not among the matched sets.
    assert!(r.matched_sets.iter().all(|s| s.treated_row != 3));
    assert_eq!(r.counts.treated.all, 184);
}

const CK_COLUMNS: usize = 46;
const STATE: usize = 3;
const EMPFT: usize = 11;
const EMPPT: usize = 12;
const NMGRS: usize = 13;
const EMPFT2: usize = 31;
const EMPPT2: usize = 32;
const NMGRS2: usize = 33;

/// Writes Card & Krueger's `public.dat` as a long CSV, one row per store and
/// wave (820 rows); a missing FTE is written blank.
fn card_krueger_long(public: &Path, out: &Path) {
    let text = std::fs::read_to_string(public).unwrap();
    let mut csv = String::from("store,wave,nj,after,fte\n");
    let mut stores = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(f.len(), CK_COLUMNS);
        let val = |j: usize| -> Option<f64> {
            if f[j] == "." {
                None
            } else {
                Some(f[j].parse().unwrap())
            }
        };
        let fte = |a: usize, b: usize, c: usize| -> String {
            match (val(a), val(b), val(c)) {
                (Some(x), Some(y), Some(z)) => format!("{}", x + 0.5 * y + z),
                _ => String::new(),
            }
        };
        let nj = val(STATE).unwrap();
        csv.push_str(&format!(
            "store{stores},1,{nj},0,{}\n",
            fte(EMPFT, EMPPT, NMGRS)
        ));
        csv.push_str(&format!(
            "store{stores},2,{nj},1,{}\n",
            fte(EMPFT2, EMPPT2, NMGRS2)
        ));
        stores += 1;
    }
    assert_eq!(stores, 410);
    std::fs::write(out, csv).unwrap();
}

/// validation.md §3: the 2×2 DiD on Card & Krueger's stores, through the
/// `outcomes did` command line and its JSON report.
#[test]
#[cfg(feature = "cli")]
#[cfg_attr(not(reference_data), ignore = "needs ../shared/reference-data")]
fn card_krueger_did_json() {
    let Some(public) = shared("card_krueger/public.dat") else {
        return;
    };
    let csv = tmp("ck_long.csv");
    card_krueger_long(&public, &csv);
    let json = tmp("ck_did.json");
    let csv_s = csv.to_string_lossy().to_string();
    let json_s = json.to_string_lossy().to_string();
    outcomes_ok(&[
        "did".as_ref(),
        "--data".as_ref(),
        csv_s.as_ref(),
        "--unit".as_ref(),
        "store".as_ref(),
        "--time".as_ref(),
        "wave".as_ref(),
        "--treated".as_ref(),
        "nj".as_ref(),
        "--post".as_ref(),
        "after".as_ref(),
        "--outcome".as_ref(),
        "fte".as_ref(),
        "--json-out".as_ref(),
        json_s.as_ref(),
    ]);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let _ = std::fs::remove_file(&json);
    let _ = std::fs::remove_file(&csv);

    assert_eq!(v["rows"]["read"], 820);
    assert_eq!(v["rows"]["used"], 794);
    assert_eq!(v["rows"]["rejected"], 26);
    assert_eq!(v["rows"]["rejected_rows"][0]["blank_columns"][0], "fte");
    assert_eq!(v["units"], 410);
    assert_eq!(v["treated_units"], 331);
    let c = &v["cells"];
    near(num(c, &["did"]), 2.7536, 5e-5, "DiD (cell means)");
    near(num(c, &["control_pre", "mean"]), 23.3312, 5e-5, "PA before");
    near(num(c, &["control_post", "mean"]), 21.1656, 5e-5, "PA after");
    near(num(c, &["treated_pre", "mean"]), 20.4394, 5e-5, "NJ before");
    near(num(c, &["treated_post", "mean"]), 21.0274, 5e-5, "NJ after");
    assert_eq!(c["control_pre"]["n"], 77);
    assert_eq!(c["treated_post"]["n"], 319);
    let r = &v["regression"];
    near(
        num(r, &["classical", "estimate"]),
        2.7536,
        5e-5,
        "DiD (regression)",
    );
    near(num(r, &["classical", "std_error"]), 1.6884, 5e-5, "iid SE");
    near(num(r, &["hc1", "std_error"]), 1.7955, 5e-5, "HC1 SE");
    near(
        num(r, &["cluster", "std_error"]),
        1.3066,
        5e-5,
        "cluster SE",
    );
    assert_eq!(r["cluster"]["clusters"], 410);
    assert_eq!(v["columns"]["cluster"], "store");
}

/// A small synthetic panel (always available): DiD = 2 exactly, and the
/// cluster-robust SE clusters on the unit unless `--cluster` is given.
#[test]
fn synthetic_panel_did() {
    let mut csv = String::from("id,t,g,p,y\n");
    for u in 0..8 {
        for t in 0..3 {
            let treated = u % 2 == 0;
            let post = t == 2;
            let y = f64::from(u) + 0.5 * f64::from(t) + if treated && post { 2.0 } else { 0.0 };
            csv.push_str(&format!(
                "{u},{t},{},{},{y}\n",
                u8::from(treated),
                u8::from(post)
            ));
        }
    }
    let path = tmp("synthetic_panel.csv");
    std::fs::write(&path, csv).unwrap();
    let table = CsvTable::from_path(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    let r = run_did(&table, &DidSpec::new("id", "t", "g", "p", "y")).unwrap();
    near(r.cells.did, 2.0, 1e-12, "DiD");
    near(
        r.regression.classical.estimate,
        2.0,
        1e-10,
        "DiD regression",
    );
    assert_eq!(r.regression.cluster.as_ref().unwrap().clusters, Some(8));
    assert_eq!(r.periods.len(), 3);
    assert!(!r.periods[1].post && r.periods[2].post);
    // A missing file is an I/O error naming the path.
    let e = CsvTable::from_path(tmp("does-not-exist.csv")).unwrap_err();
    assert!(e.to_string().contains("does-not-exist.csv"));
}

/// Exit codes and output of `outcomes match` and `outcomes did` (formerly the
/// `matched_comparison` and `did` examples): 0 and a JSON report on success;
/// 2 (bad usage, clap's code) on an unknown flag or a missing required flag;
/// 1 with a message naming the column on a missing column.
#[test]
#[cfg(feature = "cli")]
#[cfg_attr(not(reference_data), ignore = "needs ../shared/reference-data")]
fn binary_exit_codes() {
    use std::process::Command;
    let Some(data) = shared("lalonde.csv") else {
        return;
    };
    let bin = env!("CARGO_BIN_EXE_outcomes");
    let json = tmp("cli_lalonde.json");
    let out = Command::new(bin)
        .arg("match")
        .arg("--data")
        .arg(&data)
        .args([
            "--treatment",
            "treat",
            "--outcome",
            "re78",
            "--caliper",
            "0.2",
        ])
        .args([
            "--covariates",
            "age,educ,race:categorical,married,nodegree,re74,re75",
        ])
        .arg("--json-out")
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("regression-adjusted"), "{stdout}");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let _ = std::fs::remove_file(&json);
    // A 0.2 SD caliper: every pair within it.
    let width = num(&v, &["settings", "caliper_width"]);
    assert!(num(&v, &["pair_distances", "max"]) <= width);
    assert_eq!(v["settings"]["caliper"], "0.2 SD");

    for (bad, code) in [
        (vec!["--bogus", "1"], 2),
        (vec!["--treatment", "treat"], 2),
        (
            vec![
                "--treatment",
                "treat",
                "--covariates",
                "age",
                "--outcome",
                "nope",
            ],
            1,
        ),
    ] {
        let out = Command::new(bin)
            .args(["--quiet", "match", "--data"])
            .arg(&data)
            .args(&bad)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{bad:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("error:"), "{err}");
    }
    let out = Command::new(bin)
        .args(["--quiet", "match", "--data"])
        .arg(&data)
        .args([
            "--treatment",
            "treat",
            "--covariates",
            "age",
            "--outcome",
            "nope",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`nope`") && err.contains("rownames, treat, age"),
        "{err}"
    );

    let out = Command::new(bin)
        .arg("did")
        .arg("--data")
        .arg(&data)
        .args(["--unit", "rownames"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--time"));
}

/// The binary never echoes an identifier: a panel whose outcome cell holds
/// a unit's identifier (a shifted row) fails naming the row and column,
/// with the value redacted; so does `match` with `--id`, and `pre-post`
/// with an identifier in the before column.
#[test]
#[cfg(feature = "cli")]
fn binary_never_echoes_an_identifier() {
    use std::process::Command;
    const ID: &str = "PERSON-0042";
    let dir = tmp("examples-identifier");
    std::fs::create_dir_all(&dir).unwrap();
    let mut panel = String::from("person_id,wave,nj,after,y\n");
    for (i, p) in ["PERSON-0041", ID, "PERSON-0043", "PERSON-0044"]
        .iter()
        .enumerate()
    {
        for t in 0..2 {
            let y = if i == 2 && t == 1 {
                ID.to_string()
            } else {
                format!("{}", 10 + i + t)
            };
            panel.push_str(&format!("{p},{t},{},{t},{y}\n", i % 2));
        }
    }
    let csv = dir.join("panel.csv");
    std::fs::write(&csv, &panel).unwrap();
    let mut runs: Vec<(&str, Vec<String>)> = vec![
        (
            "did",
            [
                "--unit",
                "person_id",
                "--time",
                "wave",
                "--treated",
                "nj",
                "--post",
                "after",
                "--outcome",
                "y",
            ]
            .map(String::from)
            .to_vec(),
        ),
        (
            "match",
            [
                "--treatment",
                "nj",
                "--covariates",
                "wave",
                "--outcome",
                "y",
                "--id",
                "person_id",
            ]
            .map(String::from)
            .to_vec(),
        ),
    ];
    let pairs = dir.join("pairs.csv");
    std::fs::write(
        &pairs,
        format!("person_id,before,after\nPERSON-0041,3,2\n{ID},4,1\nPERSON-0043,{ID},2\n"),
    )
    .unwrap();
    runs.push((
        "pre-post",
        [
            "--id",
            "person_id",
            "--before",
            "before",
            "--after",
            "after",
        ]
        .map(String::from)
        .to_vec(),
    ));
    for (name, args) in runs {
        let data = if name == "pre-post" { &pairs } else { &csv };
        let out = Command::new(env!("CARGO_BIN_EXE_outcomes"))
            .arg(name)
            .arg("--data")
            .arg(data)
            .args(&args)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!text.contains(ID), "{name} echoed an identifier:\n{text}");
        assert!(
            text.contains("<redacted>"),
            "{name}: the bad cell is reported:\n{text}"
        );
        if name != "pre-post" {
            assert_eq!(out.status.code(), Some(1), "{name}:\n{text}");
            assert!(
                text.contains("row") && text.contains('y'),
                "{name}:\n{text}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
