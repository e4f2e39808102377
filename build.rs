//! Tells the tests whether the public reference datasets are beside the project
//! (`../shared/reference-data/`). The tests that read them are marked ignored,
//! with the reason, when they are not; with `OUTCOMES_REQUIRE_REFERENCE=1` their
//! absence stops the build, so CI can never pass those tests vacuously.
//! The library itself does not use the cfg.

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(reference_data)");
    println!("cargo::rerun-if-env-changed=OUTCOMES_REQUIRE_REFERENCE");
    // Cargo sets the manifest directory for the build script when it runs.
    let root = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| ".".into());
    let dir = Path::new(&root).join("../shared/reference-data");
    println!("cargo::rerun-if-changed={}", dir.display());
    println!("cargo::rerun-if-changed=build.rs");
    if dir.join("lalonde.csv").is_file() {
        println!("cargo::rustc-cfg=reference_data");
    } else if std::env::var("OUTCOMES_REQUIRE_REFERENCE").is_ok_and(|v| v == "1") {
        panic!(
            "OUTCOMES_REQUIRE_REFERENCE=1 but {} is missing: the reference tests would be skipped",
            dir.display()
        );
    }
}
