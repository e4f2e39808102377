//! Writing an [`Evaluation`] as a report folder.
//!
//! ```text
//! <out>/report.html        self-contained: styles inline, charts as data URIs
//! <out>/report.md          the same text and tables; charts linked from charts/
//! <out>/tables/<stem>.csv  every table, with its disclosure policy
//! <out>/tables/<stem>.json
//! <out>/charts/<stem>.png  every chart, PNG and SVG
//! <out>/charts/<stem>.svg
//! <out>/tables.xlsx        every table, one sheet each, and a Disclosure sheet
//! <out>/run.json           inputs and checksums, parameters, version, seed,
//!                          policy, validation account, output checksums
//! ```
//!
//! Every table was cleared by the evaluation's policy before it got here;
//! the writers in [`crate::report`] accept nothing else. Nothing written
//! carries a wall-clock time, so the same inputs and seed give the same
//! bytes (except `tables.xlsx`, whose container records when it was made).

use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::pipeline::{Evaluation, Item, RunRecord};
use crate::error::{Error, Result};
use crate::report;

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An output file and its checksum, as listed in `run.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutputFile {
    /// Path relative to the report folder.
    pub file: String,
    /// SHA-256 of the contents, hex.
    pub sha256: String,
}

#[derive(Serialize)]
struct RunJson<'a> {
    #[serde(flatten)]
    run: &'a RunRecord,
    outputs: Vec<OutputFile>,
    note: &'static str,
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Prepare `dir`: create it, or clear the files of an earlier report in it.
///
/// # Errors
/// If `dir` is a non-empty directory that does not hold an earlier report
/// (no `run.json`), so that nothing of the user's is overwritten.
fn prepare(dir: &Path) -> Result<()> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .next()
            .is_none();
        if !empty && !dir.join("run.json").is_file() {
            return Err(Error::invalid_parameter(
                "--out",
                dir.display(),
                "the folder is not empty and holds no earlier report (run.json); choose another",
            ));
        }
        for sub in ["tables", "charts"] {
            let d = dir.join(sub);
            if d.is_dir() {
                for entry in std::fs::read_dir(&d).map_err(|e| Error::io(&d, e))? {
                    let p = entry.map_err(|e| Error::io(&d, e))?.path();
                    let ours = p.extension().is_some_and(|e| {
                        ["csv", "json", "png", "svg"].contains(&&*e.to_string_lossy())
                    });
                    if ours {
                        std::fs::remove_file(&p).map_err(|e| Error::io(&p, e))?;
                    }
                }
            }
        }
    }
    for d in [dir.to_path_buf(), dir.join("tables"), dir.join("charts")] {
        std::fs::create_dir_all(&d).map_err(|e| Error::io(&d, e))?;
    }
    Ok(())
}

/// Where [`write_report`] puts the rejected rows of a report written to
/// `dir`: the spec's `output.rejected_rows`, else `<dir>-rejected-rows.csv`
/// beside the report folder.
pub fn rejected_rows_path(ev: &Evaluation, dir: &Path) -> PathBuf {
    if let Some(p) = &ev.rejected_rows {
        return p.clone();
    }
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let name = dir
        .file_name()
        .map_or_else(|| "report".into(), |n| n.to_string_lossy().into_owned());
    let parent = dir.parent().map_or_else(|| dir.clone(), Path::to_path_buf);
    parent.join(format!("{name}-rejected-rows.csv"))
}

/// Write every rejected input row to `path` (columns `file`, `row`,
/// `column`, `value`, `rule`; identifier values redacted); refuses a path
/// inside the report folder `dir`, which is for publication.
fn write_rejected_rows(ev: &Evaluation, dir: &Path, path: &Path) -> Result<()> {
    let key = "output.rejected_rows";
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let (Ok(inside), Ok(report)) = (parent.canonicalize(), dir.canonicalize()) else {
        return Err(Error::invalid_parameter(
            key,
            path.display(),
            "the folder of the rejected-rows file cannot be resolved",
        ));
    };
    if inside.starts_with(&report) {
        return Err(Error::invalid_parameter(
            key,
            path.display(),
            "the rejected-rows file holds row-level data and may not lie inside the report \
             folder, which is for publication; choose a path outside it",
        ));
    }
    // Streamed to the file: a run on millions of rows may reject many.
    let io_err = |e: csv::Error| Error::io(path, std::io::Error::other(e.to_string()));
    let mut w = csv::Writer::from_path(path).map_err(io_err)?;
    w.write_record(["file", "row", "column", "value", "rule"])
        .map_err(io_err)?;
    for f in &ev.accounts {
        for r in &f.rejections {
            w.write_record([
                f.file.as_str(),
                &r.source_row.to_string(),
                &r.column,
                &r.value,
                &r.reason,
            ])
            .map_err(io_err)?;
        }
    }
    w.flush().map_err(|e| Error::io(path, e))
}

/// Write the report folder; returns the files written (relative paths).
/// The rejected input rows go to a file outside it, at
/// [`rejected_rows_path`], for the evaluator (they are row-level and not
/// for publication).
///
/// # Errors
/// If `dir` cannot be prepared or a file cannot be written, or the spec's
/// `output.rejected_rows` lies inside `dir`.
pub fn write_report(ev: &Evaluation, dir: &Path) -> Result<Vec<PathBuf>> {
    prepare(dir)?;
    write_rejected_rows(ev, dir, &rejected_rows_path(ev, dir))?;
    let mut outputs: Vec<OutputFile> = Vec::new();
    let mut record = |rel: &str, bytes: &[u8]| -> Result<()> {
        write(&dir.join(rel), bytes)?;
        outputs.push(OutputFile {
            file: rel.to_string(),
            sha256: sha(bytes),
        });
        Ok(())
    };
    for t in ev.tables() {
        let mut csv = Vec::new();
        report::write_csv(&t.table, &mut csv)?;
        record(&format!("tables/{}.csv", t.stem), &csv)?;
        let mut json = Vec::new();
        report::write_json(&t.table, &mut json)?;
        record(&format!("tables/{}.json", t.stem), &json)?;
    }
    for c in ev.charts() {
        record(&format!("charts/{}.png", c.stem), &c.png)?;
        record(&format!("charts/{}.svg", c.stem), c.svg.as_bytes())?;
    }
    record("report.md", markdown(ev).as_bytes())?;
    record("report.html", html(ev).as_bytes())?;
    let tables: Vec<&crate::disclosure::ClearedTable> =
        ev.tables().into_iter().map(|t| &t.table).collect();
    report::write_xlsx(&tables, dir.join("tables.xlsx"))?;
    let mut files: Vec<PathBuf> = outputs.iter().map(|o| PathBuf::from(&o.file)).collect();
    files.push("tables.xlsx".into());
    let run = RunJson {
        run: &ev.run,
        outputs,
        note: "No wall-clock time is recorded, so that the same inputs and seed give the same \
               files; tables.xlsx is left out of the checksums because its container records \
               when it was written.",
    };
    let json = serde_json::to_string_pretty(&run)
        .map_err(|e| Error::io(dir.join("run.json"), std::io::Error::other(e.to_string())))?;
    write(&dir.join("run.json"), format!("{json}\n").as_bytes())?;
    files.push("run.json".into());
    Ok(files)
}

fn intro(ev: &Evaluation) -> Vec<String> {
    vec![
        format!(
            "Evaluation \"{}\", produced by outcomes {} with seed {}.",
            ev.name, ev.run.version, ev.run.seed
        ),
        format!(
            "Disclosure control applied to every table and chart: {}",
            ev.policy.description()
        ),
        if ev.run.pseudonymisation.starts_with("none") {
            // A school-only evaluation: no person cohort.
            "Only aggregates are shown: no identifier and no row-level record is in this report. \
             There is no person cohort; pupil identifiers were read only to count enrolments \
             and pupils."
        } else {
            "Only aggregates are shown: no identifier and no row-level record is in this report. \
             Identifiers were pseudonymised on load."
        }
        .to_string(),
        "Secondary suppression protects each table against recovery of a suppressed cell from \
         its own totals. Tables are also linked: a group size shown in several tables (the \
         cohort, the people analysed for service use, the people costed, the people with NDT \
         pairs) is suppressed in all of them if it is suppressed in one, and a size already \
         shown is never the cell suppressed to protect another, so a suppressed cell cannot be \
         worked out by subtracting counts from two tables. Differences between nested groups \
         that no table shows as a cell (for example, people with both NDT assessments but an \
         incomplete total) are not checked: review them before publication. The whole \
         report is then audited as one release: with every published count, the sums across \
         tables (rejected rows by reason), orderings (the matched are at most all) and the \
         matching design, no suppressed count can be pinned to one value."
            .to_string(),
    ]
}

/// The report as Markdown.
pub fn markdown(ev: &Evaluation) -> String {
    let mut s = format!("# Evaluation report: {}\n\n", ev.name);
    for p in intro(ev) {
        s.push_str(&p);
        s.push_str("\n\n");
    }
    let mut note = 0usize;
    for sec in &ev.sections {
        s.push_str(&format!("## {}\n\n", sec.title));
        for item in &sec.items {
            match item {
                Item::Text(t) => {
                    s.push_str(t);
                    s.push_str("\n\n");
                }
                Item::Table(t) => {
                    note += 1;
                    let md = report::to_markdown(&t.table)
                        .replace("[^disclosure]", &format!("[^t{note}]"));
                    s.push_str(&md);
                    s.push_str(&format!(
                        "\nFiles: `tables/{0}.csv`, `tables/{0}.json`.\n\n",
                        t.stem
                    ));
                }
                Item::Chart(c) => {
                    s.push_str(&format!(
                        "![{}](charts/{}.png)\n\n*{}*\n\n",
                        c.title, c.stem, c.caption
                    ));
                }
            }
        }
    }
    s.push_str("## Inputs\n\n| file | SHA-256 |\n|:---|:---|\n");
    for i in &ev.run.inputs {
        s.push_str(&format!("| {} | `{}` |\n", i.file, i.sha256));
    }
    s.push_str("\nParameters, the validation account and output checksums are in `run.json`.\n");
    s
}

/// Tables with more columns than this are set in a smaller type.
const WIDE_TABLE: usize = 9;

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:70rem;\
margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.45}\
h1{font-size:1.7rem}h2{font-size:1.3rem;border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2.2rem}\
table{border-collapse:collapse;margin:1rem 0;font-size:.88rem}\
caption{text-align:left;font-weight:600;padding:.3rem 0}\
th,td{border:1px solid #bbb;padding:.25rem .5rem;vertical-align:top}\
th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:tabular-nums}\
td.suppressed{color:#555;font-style:italic}tr.total td{font-weight:600}\
tfoot td{font-size:.78rem;color:#444;border:none;padding-top:.4rem}\
figure{margin:1.2rem 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}\
figcaption{font-size:.85rem;color:#333}.files{font-size:.78rem;color:#555}\
.policy{background:#f6f6e8;border-left:4px solid #b8a300;padding:.5rem .8rem}\
.wrap{overflow-x:auto}.wide table{font-size:.72rem}.wide th,.wide td{padding:.2rem .3rem}\
code{font-size:.85em}";

/// The report as one self-contained HTML page (charts as data URIs).
pub fn html(ev: &Evaluation) -> String {
    let mut s =
        String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str(&format!(
        "<title>Evaluation report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&ev.name)
    ));
    s.push_str(&format!(
        "<h1>Evaluation report: {}</h1>\n",
        escape(&ev.name)
    ));
    let intro = intro(ev);
    for (i, p) in intro.iter().enumerate() {
        if i == 1 {
            s.push_str(&format!("<p class=\"policy\">{}</p>\n", escape(p)));
        } else {
            s.push_str(&format!("<p>{}</p>\n", escape(p)));
        }
    }
    s.push_str("<nav><h2>Contents</h2>\n<ol>\n");
    for (i, sec) in ev.sections.iter().enumerate() {
        s.push_str(&format!(
            "<li><a href=\"#s{}\">{}</a></li>\n",
            i + 1,
            escape(&sec.title)
        ));
    }
    s.push_str("<li><a href=\"#inputs\">Inputs</a></li>\n</ol></nav>\n");
    for (i, sec) in ev.sections.iter().enumerate() {
        s.push_str(&format!(
            "<section id=\"s{}\">\n<h2>{}</h2>\n",
            i + 1,
            escape(&sec.title)
        ));
        for item in &sec.items {
            match item {
                Item::Text(t) => s.push_str(&format!("<p>{}</p>\n", escape(t))),
                Item::Table(t) => {
                    // Tables with many columns are set smaller so that they fit the
                    // page; any that still do not scroll sideways.
                    let class = if t.table.columns().len() > WIDE_TABLE {
                        "wrap wide"
                    } else {
                        "wrap"
                    };
                    s.push_str(&format!("<div class=\"{class}\">\n"));
                    s.push_str(&report::to_html(&t.table));
                    s.push_str(&format!(
                        "</div>\n<p class=\"files\">Files: tables/{0}.csv, tables/{0}.json</p>\n",
                        escape(&t.stem)
                    ));
                }
                Item::Chart(c) => {
                    s.push_str(&format!(
                        "<figure>\n<img src=\"{}\" alt=\"{}\" width=\"{}\" height=\"{}\">\n<figcaption>{}</figcaption>\n</figure>\n",
                        report::png_data_uri(&c.png),
                        escape(&c.title),
                        c.size.0,
                        c.size.1,
                        escape(&c.caption)
                    ));
                }
            }
        }
        s.push_str("</section>\n");
    }
    s.push_str("<section id=\"inputs\">\n<h2>Inputs</h2>\n<table>\n<thead><tr><th scope=\"col\">File</th><th scope=\"col\">SHA-256</th></tr></thead>\n<tbody>\n");
    for i in &ev.run.inputs {
        s.push_str(&format!(
            "<tr><td>{}</td><td><code>{}</code></td></tr>\n",
            escape(&i.file),
            i.sha256
        ));
    }
    s.push_str("</tbody>\n</table>\n<p>Parameters, the validation account and output checksums are in run.json.</p>\n</section>\n</body>\n</html>\n");
    s
}
