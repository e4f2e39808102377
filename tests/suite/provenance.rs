//! Every file cited in a comment must exist, so a stale citation fails here.
//!
//! Scanned: the comments of every `.rs` file under `src/`, `tests/`,
//! `benches/` and `examples/`, the `#` comment lines of the `.py` and `.R`
//! scripts under `tests/`, and all of `METHODS.md` and `DESIGN.md`. A
//! citation is a word (backticked or plain) made of `[A-Za-z0-9_.-/]` that
//! ends in `.rs`, `.md`, `.py`, `.R`, `.csv` or `.toml`. It must name an
//! existing file:
//!
//! * a path with a `/` relative to the project root or to the citing file's
//!   folder; one starting `../shared/` or `shared/` inside the shared folder
//!   beside the project root (checked when that folder is there, as
//!   [`crate::common::reference_data`] does);
//! * a bare file name: the name of some file in the project or the shared
//!   folder (when the shared folder is absent, a bare name not found in the
//!   project counts as a shared citation that could not be checked).
//!
//! Not citations: URLs; words glued to a placeholder (`<out>/…`,
//! `{data}/…`, `<force>-…`: they start with `/` or `-`); build output under
//! `target/`; and the short lists below of files the crate writes,
//! command-line placeholders, R functions, and files in other projects'
//! repositories (the citing file must name that repository).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{required, say_checked, say_skipped, REQUIRE};

const EXTENSIONS: [&str; 6] = [".rs", ".md", ".py", ".R", ".csv", ".toml"];

/// Words that end like a file but name no file of this project.
const NOT_FILES: [(&str, &str); 7] = [
    ("write.csv", "an R function"),
    ("read.csv", "an R function"),
    ("FILE.toml", "a command-line placeholder"),
    ("OUT_DIR/evaluation.toml", "a command-line placeholder"),
    ("panel.csv", "a command-line placeholder"),
    ("report.md", "a file the report writer produces"),
    ("tables/ndt_items.csv", "a file the report writer produces"),
];

/// Files in other projects' repositories: (path, repository).
const EXTERNAL: [(&str, &str); 5] = [
    ("R/discount_rates.R", "katehayes/dQALY"),
    ("tests/testthat/test-simpleheuristic.R", "sdcTools/sdcTable"),
    ("test-simpleheuristic.R", "sdcTable"),
    ("R/compute.att_gt.R", "bcallaway11/did"),
    ("R/compute.aggte.R", "bcallaway11/did"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The comment text of a file: what a reader takes for prose.
fn comments(path: &Path, text: &str) -> Vec<(usize, String)> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        let c = match ext {
            "md" => Some(line),
            "rs" if t.starts_with("//") => Some(t),
            "rs" => line.find(" // ").map(|k| &line[k..]),
            "py" | "R" if t.starts_with('#') => Some(t),
            _ => None,
        };
        if let Some(c) = c {
            out.push((i + 1, c.to_string()));
        }
    }
    out
}

/// The words of `text` that end in a cited extension.
fn cited(text: &str) -> Vec<String> {
    let is_path_char = |c: char| c.is_ascii_alphanumeric() || "_.-/".contains(c);
    text.split(|c: char| !is_path_char(c))
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| {
            EXTENSIONS
                .iter()
                .any(|e| w.ends_with(e) && w.len() > e.len())
        })
        .map(str::to_string)
        .collect()
}

enum Verdict {
    Exists,
    NotACitation,
    /// In the shared folder, which is absent.
    Shared,
    Missing,
}

struct Index {
    root: PathBuf,
    shared: PathBuf,
    names: BTreeSet<String>,
}

impl Index {
    fn judge(&self, word: &str, file: &Path, file_text: &str) -> Verdict {
        if word.starts_with("//")
            || word.starts_with('/')
            || word.starts_with('-')
            || word.starts_with("target/")
            || NOT_FILES.iter().any(|(w, _)| *w == word)
        {
            return Verdict::NotACitation;
        }
        if let Some((_, repo)) = EXTERNAL.iter().find(|(w, _)| *w == word) {
            return if file_text.contains(repo) {
                Verdict::NotACitation
            } else {
                Verdict::Missing
            };
        }
        let in_shared = word
            .strip_prefix("../shared/")
            .or_else(|| word.strip_prefix("shared/"));
        if let Some(rest) = in_shared {
            return if !self.shared.is_dir() {
                Verdict::Shared
            } else if self.shared.join(rest).is_file() {
                Verdict::Exists
            } else {
                Verdict::Missing
            };
        }
        let here = file.parent().unwrap_or(&self.root);
        if self.root.join(word).is_file() || here.join(word).is_file() {
            return Verdict::Exists;
        }
        if !word.contains('/') {
            if self.names.contains(word) {
                return Verdict::Exists;
            }
            // perhaps a file of the shared folder, which is absent
            if !self.shared.is_dir() {
                return Verdict::Shared;
            }
        }
        Verdict::Missing
    }
}

#[test]
fn every_cited_file_exists() {
    let root = root();
    let shared = root.join("../shared");
    let mut files = Vec::new();
    for d in ["src", "tests", "benches", "examples"] {
        walk(&root.join(d), &mut files);
    }
    let mut scanned: Vec<PathBuf> = files
        .iter()
        .filter(|p| {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            ext == "rs" || (p.starts_with(root.join("tests")) && (ext == "py" || ext == "R"))
        })
        .cloned()
        .collect();
    scanned.push(root.join("METHODS.md"));
    scanned.push(root.join("DESIGN.md"));
    let mut everything = Vec::new();
    walk(&root, &mut everything);
    walk(&shared, &mut everything);
    let names = everything
        .iter()
        .filter_map(|p| p.file_name()?.to_str().map(str::to_string))
        .collect();
    let index = Index {
        root: root.clone(),
        shared,
        names,
    };

    let (mut checked, mut in_shared) = (0, 0);
    let mut missing = Vec::new();
    for file in &scanned {
        let text = fs::read_to_string(file).unwrap();
        let rel = file.strip_prefix(&root).unwrap().display().to_string();
        for (line, comment) in comments(file, &text) {
            for word in cited(&comment) {
                match index.judge(&word, file, &text) {
                    Verdict::Exists => checked += 1,
                    Verdict::NotACitation => {}
                    Verdict::Shared => in_shared += 1,
                    Verdict::Missing => missing.push(format!("{rel}:{line}: {word}")),
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "cited files that do not exist:\n{}",
        missing.join("\n")
    );
    // METHODS.md alone cites dozens of files: a scan that finds few is broken.
    assert!(checked > 100, "only {checked} citations found");
    if in_shared > 0 {
        let what = format!("{in_shared} citation(s) of ../shared/: the folder is absent");
        assert!(!required(), "{what}, and {REQUIRE}=1 forbids skipping");
        say_skipped(&what);
    }
    say_checked(&format!(
        "{checked} cited files exist ({} files scanned)",
        scanned.len()
    ));
}

/// The scanner itself: what counts as a citation and how it is judged.
#[test]
fn the_scanner_finds_and_judges_citations() {
    assert_eq!(
        cited("see `tests/suite/common.rs`, METHODS.md. And <https://x.org/a.md>"),
        ["tests/suite/common.rs", "METHODS.md", "//x.org/a.md"]
    );
    assert_eq!(
        cited("R's write.csv(x) and <out>/report.md"),
        ["write.csv", "/report.md"]
    );
    let root = root();
    let index = Index {
        root: root.clone(),
        shared: root.join("../shared"),
        names: ["common.rs".to_string()].into(),
    };
    let file = root.join("tests/suite/main.rs");
    let judge = |w| index.judge(w, &file, "");
    assert!(matches!(judge("tests/suite/common.rs"), Verdict::Exists));
    assert!(matches!(judge("common.rs"), Verdict::Exists)); // beside the citing file
    assert!(matches!(judge("METHODS.md"), Verdict::Exists));
    assert!(matches!(
        judge("scripts/reference/nope.py"),
        Verdict::Missing
    ));
    assert!(matches!(
        judge("NOPE-attendance.md"),
        Verdict::Missing | Verdict::Shared
    ));
    assert!(matches!(judge("R/compute.aggte.R"), Verdict::Missing)); // repository not named
    assert!(matches!(judge("/report.md"), Verdict::NotACitation));
    assert!(matches!(
        judge("../shared/reference/nope.md"),
        Verdict::Missing | Verdict::Shared
    ));
}
