//! Pilot versus comparison areas before and after a programme start, for
//! the design a spec's `[data.school]` section describes (default: the
//! bundled sample's, `data/sample/evaluation.toml`; write its files first
//! with `cargo run --example generate_school_sample`):
//!
//! * school attendance from the register (cross-checked against the
//!   DfE-style enrolment counts): overall absence, persistent and severe
//!   absence by arm and phase, and the difference in differences of each;
//! * anti-social behaviour from police.uk and the population file: rates per
//!   1,000 residents per year against each phase's named population year,
//!   rate ratios, the ratio of rate ratios and the difference in
//!   differences of the rates;
//! * the validation account of every input file (rows read, accepted,
//!   excluded by reason).
//!
//! All data are fictional. No pupil identifier is printed.
//!
//! Run with `cargo run --example attendance_asb [-- SPEC]`, e.g.
//! `cargo run --example attendance_asb -- data/pilot_towns/evaluation.toml`.

use std::path::PathBuf;

use outcomes::evaluate::EvaluationSpec;
use outcomes::measures::school_report::school_report;

fn main() -> Result<(), outcomes::Error> {
    let spec = std::env::args().nth(1).map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/data/sample/evaluation.toml"
            ))
        },
        PathBuf::from,
    );
    let spec = EvaluationSpec::from_path(spec)?;
    let Some((files, design)) = spec.school_design()? else {
        return Err(outcomes::Error::invalid_parameter(
            "data.school",
            "none",
            "the spec has no [data.school] section",
        ));
    };
    let report = school_report(&files, &design)?;
    print!("{report}");
    Ok(())
}
