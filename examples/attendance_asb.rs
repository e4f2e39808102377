//! Pilot versus comparison towns before and after a programme start, from
//! the bundled sample files in `data/sample/` (write them first with
//! `cargo run --example generate_school_sample`):
//!
//! * school attendance from `register.csv` (cross-checked against the
//!   DfE-style `enrolment_counts.csv`): overall absence, persistent (≥ 10%)
//!   and severe (≥ 50%) absence by town and phase, programme start
//!   2 September 2024;
//! * anti-social behaviour from `police_uk_street.csv` and `population.csv`:
//!   rates per 1,000 residents per year, rate ratios and the ratio of rate
//!   ratios, start April 2024;
//! * the validation account of every input file (rows read, accepted,
//!   excluded by reason).
//!
//! All data are fictional. No pupil identifier is printed.
//!
//! Run with `cargo run --example attendance_asb`.

use std::path::Path;

use outcomes::measures::sample_report::sample_report;
use outcomes::measures::synthetic_school::school_sample_design;

fn main() -> Result<(), outcomes::Error> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample"));
    let design = school_sample_design()?;
    let report = sample_report(dir, &design)?;
    print!("{report}");
    Ok(())
}
