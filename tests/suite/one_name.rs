//! One name per concept: no public type name is defined twice in `src/`
//! (issue 12). A second `pub struct`, `pub enum`, `pub trait` or `pub type`
//! of an existing name fails here, naming both places; merge the concepts,
//! or give a different concept its own name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `Name` if the line defines a public type (`pub struct Name`, `pub enum
/// Name<T>`, ...); `pub(crate)` and private items do not count.
fn defined(line: &str) -> Option<String> {
    let t = line.trim_start();
    let rest = ["pub struct ", "pub enum ", "pub trait ", "pub type "]
        .iter()
        .find_map(|k| t.strip_prefix(k))?;
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

#[test]
fn no_public_type_name_is_defined_twice() {
    assert_eq!(defined("    pub struct Count {"), Some("Count".into()));
    assert_eq!(defined("pub enum Term<'a> {"), Some("Term".into()));
    assert_eq!(defined("pub(crate) struct Hidden;"), None);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    let mut at: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (i, line) in text.lines().enumerate() {
            if let Some(name) = defined(line) {
                let rel = f.strip_prefix(&root).unwrap().display().to_string();
                at.entry(name)
                    .or_default()
                    .push(format!("src/{rel}:{}", i + 1));
            }
        }
    }
    let twice: Vec<String> = at
        .iter()
        .filter(|(_, places)| places.len() > 1)
        .map(|(name, places)| format!("{name}: {}", places.join(", ")))
        .collect();
    assert!(at.len() > 100, "only {} public types found", at.len());
    assert!(
        twice.is_empty(),
        "public type names defined twice:\n{}",
        twice.join("\n")
    );
    crate::common::say_checked(&format!(
        "one name per concept: {} public types in {} files, no name twice",
        at.len(),
        files.len()
    ));
}
