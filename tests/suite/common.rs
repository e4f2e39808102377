//! What several test modules share: where the reference data live, and the one
//! rule for tests that need them.
//!
//! The public datasets in `../shared/reference-data/` (beside the project root)
//! are third-party files that are not copied into the repository. A test that
//! reads them is marked `#[cfg_attr(not(reference_data), ignore = ...)]`: the build
//! script sets `reference_data` when the folder is there, so without it the test
//! shows as *ignored* with its reason, never as a silent `ok`. With
//! `OUTCOMES_REQUIRE_REFERENCE=1` (as `.ci/run` sets) the build fails outright when
//! the folder is missing, and [`reference_data`] panics if a file inside it is.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The environment variable that turns a missing reference file into a failure.
pub const REQUIRE: &str = "OUTCOMES_REQUIRE_REFERENCE";

/// True when `OUTCOMES_REQUIRE_REFERENCE=1`: nothing may be skipped.
pub fn required() -> bool {
    std::env::var(REQUIRE).is_ok_and(|v| v == "1")
}

/// Say that a test skipped, where the user sees it: straight to the process's
/// stderr, which the test harness does not capture (unlike `eprintln!`).
pub fn say_skipped(what: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "SKIPPED {what}");
}

/// `../shared/reference-data/<rel>`. When it is absent: a panic under
/// `OUTCOMES_REQUIRE_REFERENCE=1`, otherwise a visible skip line and `None`.
pub fn reference_data(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference-data")
        .join(rel);
    if p.exists() {
        return Some(p);
    }
    let what = format!("../shared/reference-data/{rel} not found");
    assert!(!required(), "{what}, and {REQUIRE}=1 forbids skipping");
    say_skipped(&what);
    None
}

/// Report how much a test checked, where the user sees it (like [`say_skipped`]).
pub fn say_checked(what: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "CHECKED {what}");
}
