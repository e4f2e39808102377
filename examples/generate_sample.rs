//! Regenerate the bundled synthetic sample in `data/sample/`.
//!
//! ```text
//! cargo run --example generate_sample [-- OUT_DIR]
//! ```
//!
//! Everything written is fictional, made by `outcomes::synthetic` from the
//! fixed spec `SyntheticSpec::sample()`; the same command always writes the
//! same bytes.

use std::path::PathBuf;

fn main() -> Result<(), outcomes::Error> {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("data/sample"), PathBuf::from);
    let spec = outcomes::synthetic::SyntheticSpec::sample();
    let n = outcomes::synthetic::write_sample(&dir, &spec)?;
    println!(
        "wrote {}: cohort {} rows, service_use {} rows, ndt {} rows, ndt_wide {} rows",
        dir.display(),
        n.cohort,
        n.service_use,
        n.ndt,
        n.ndt_wide
    );
    Ok(())
}
