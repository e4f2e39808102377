//! Golden tests of the main job: every table of the sample report, value by
//! value, against values derived outside the crate.
//!
//! The expected values are in `tests/data/golden/<stem>.csv`, one file per
//! report table (`report/<name>/tables/<stem>.json`), written by the
//! independent re-implementations in `scripts/golden/` (Python with pandas,
//! numpy and scipy; the call that made each file is in its first comment line).
//! Those scripts read only the raw files in `data/sample/` and METHODS.md's
//! rules; they never read the crate's output.
//!
//! An expected CSV has the report table's header row and one row per report
//! row, in the same order. A cell is compared by the report column's kind:
//! text and the symbols (`*` suppressed, `x` not available, `z` not applicable)
//! must be equal; counts must be equal; other numbers must agree to a relative
//! 1e-9 (absolute 1e-12 near zero), far tighter than any printed digit.
//!
//! The sample report is made once per test run, with the shipped spec unchanged
//! (seed, 9,999 bootstrap resamples), into the test target's temporary folder.

/// One number per section traced by hand: NDT, service use, pre/post.
mod hand_a;
/// One number per section traced by hand: costs, CBA, matching, attendance, ASB.
mod hand_b;
/// One number per section traced by hand: attendance, ASB.
mod hand_c;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use outcomes::evaluate::{self, EvaluationSpec, Progress};
use serde_json::Value;

/// The folder of the sample report, made once for the whole test run.
pub fn sample_report() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("golden-sample-report-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let spec = EvaluationSpec::from_path(root.join("data/sample/evaluation.toml"))
            .expect("the shipped spec parses");
        let ev = evaluate::run(&spec, &Progress::quiet()).expect("the sample evaluation runs");
        evaluate::write_report(&ev, &out).expect("the sample report is written");
        out
    })
}

/// One report table as published: its column names and kinds, and its rows.
pub struct Published {
    pub stem: String,
    pub columns: Vec<String>,
    pub kinds: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl Published {
    /// `tables/<stem>.json` of the sample report.
    pub fn load(stem: &str) -> Published {
        Published::load_from(sample_report(), stem)
    }

    /// `tables/<stem>.json` of the report folder `report`.
    pub fn load_from(report: &Path, stem: &str) -> Published {
        let path = report.join("tables").join(format!("{stem}.json"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let v: Value = serde_json::from_str(&text).expect("table JSON");
        let cols = v["columns"].as_array().expect("columns");
        Published {
            stem: stem.to_string(),
            columns: cols
                .iter()
                .map(|c| c["name"].as_str().expect("name").to_string())
                .collect(),
            kinds: cols
                .iter()
                .map(|c| c["kind"].as_str().expect("kind").to_string())
                .collect(),
            rows: v["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .map(|r| r["values"].as_array().expect("values").clone())
                .collect(),
        }
    }

    /// The cell in row `r` under the column named `column`.
    pub fn cell(&self, r: usize, column: &str) -> &Value {
        let j = self
            .columns
            .iter()
            .position(|c| c == column)
            .unwrap_or_else(|| panic!("{}: no column {column:?} in {:?}", self.stem, self.columns));
        &self.rows[r][j]
    }

    /// The first row whose leading label cells are `labels`.
    pub fn row_where(&self, labels: &[&str]) -> usize {
        self.rows
            .iter()
            .position(|row| {
                labels
                    .iter()
                    .zip(row)
                    .all(|(want, got)| got.as_str() == Some(want))
            })
            .unwrap_or_else(|| panic!("{}: no row starting {labels:?}", self.stem))
    }
}

/// The stems of every table the sample report publishes.
pub fn published_stems() -> Vec<String> {
    let mut stems: Vec<String> = std::fs::read_dir(sample_report().join("tables"))
        .expect("tables folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| p.file_stem().expect("stem").to_string_lossy().into_owned())
        .collect();
    stems.sort();
    stems
}

/// `tests/data/golden/<stem>.csv`, if it exists.
pub fn golden_path(stem: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/golden")
        .join(format!("{stem}.csv"))
}

/// Compare a published table with its golden file, cell by cell; return the
/// number of cells checked. Every mismatch is listed in the panic message.
pub fn compare_with_golden(stem: &str) -> usize {
    compare_report_table(sample_report(), &golden_path(stem), stem)
}

/// Compare table `stem` of the report folder `report` with the expected CSV
/// at `path` (the layout of `tests/data/golden/`), cell by cell; return the
/// number of cells checked.
pub fn compare_report_table(report: &Path, path: &Path, stem: &str) -> usize {
    let got = Published::load_from(report, stem);
    let path = path.to_path_buf();
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_path(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = rdr
        .headers()
        .expect("golden header")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header, got.columns,
        "{stem}: columns differ from the golden file"
    );
    let want: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("golden row")).collect();
    assert_eq!(
        want.len(),
        got.rows.len(),
        "{stem}: {} rows published, {} expected",
        got.rows.len(),
        want.len()
    );
    let mut bad = Vec::new();
    let mut checked = 0;
    for (r, (w, g)) in want.iter().zip(&got.rows).enumerate() {
        assert_eq!(w.len(), g.len(), "{stem} row {r}: width");
        for (j, (w, g)) in w.iter().zip(g).enumerate() {
            checked += 1;
            if let Some(why) = cell_differs(&got.kinds[j], w, g) {
                bad.push(format!("row {r} column {:?}: {why}", got.columns[j]));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{stem}: {} cells differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
    checked
}

/// Why a published cell differs from its expected text, or `None`.
fn cell_differs(kind: &str, want: &str, got: &Value) -> Option<String> {
    match got {
        Value::String(s) => (s != want).then(|| format!("published {s:?}, expected {want:?}")),
        Value::Number(n) => {
            let g = n.as_f64()?;
            let Ok(w) = want.parse::<f64>() else {
                return Some(format!("published {g}, expected {want:?}"));
            };
            let ok = if kind == "count" {
                g == w
            } else {
                (g - w).abs() <= 1e-9 * w.abs().max(g.abs()) || (g - w).abs() <= 1e-12
            };
            (!ok).then(|| format!("published {g:.17e}, expected {w:.17e}"))
        }
        other => Some(format!("unexpected JSON {other}")),
    }
}

/// Every published table has a golden file, and every golden file matches.
#[test]
fn every_table_of_the_sample_report_matches_its_golden_values() {
    let stems = published_stems();
    assert!(
        stems.len() >= 20,
        "the sample report publishes {} tables",
        stems.len()
    );
    let missing: Vec<&String> = stems.iter().filter(|s| !golden_path(s).is_file()).collect();
    assert!(
        missing.is_empty(),
        "tables with no golden file: {missing:?}"
    );
    let mut cells = 0;
    for stem in &stems {
        cells += compare_with_golden(stem);
    }
    crate::common::say_checked(&format!(
        "golden: {cells} cells of {} sample-report tables",
        stems.len()
    ));
}
