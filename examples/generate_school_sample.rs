//! Write the attendance and ASB files of the bundled sample into
//! `data/sample/`, or (`-- pilot_towns`) those of the fictional four-town
//! pilot into `data/pilot_towns/`.
//!
//! The files are fictional and deterministic (the same bytes on every run);
//! see `outcomes::measures::synthetic_school::write_school_sample` for what
//! the sample holds and which faults are planted in its `register.csv`, and
//! `SchoolDataConfig::pilot_towns` for the pilot. The designs compared are
//! the `[data.school]` sections of the folders' `evaluation.toml`.
//!
//! Run with `cargo run --example generate_school_sample [-- pilot_towns]`.

use std::path::Path;

use outcomes::measures::synthetic_school::{write_school_data, SchoolDataConfig};

fn main() -> Result<(), outcomes::Error> {
    let which = std::env::args().nth(1).unwrap_or_else(|| "sample".into());
    let (folder, config) = match which.as_str() {
        "sample" => ("sample", SchoolDataConfig::sample()?),
        "pilot_towns" => ("pilot_towns", SchoolDataConfig::pilot_towns()?),
        other => {
            return Err(outcomes::Error::invalid_parameter(
                "generate_school_sample",
                other,
                "write `sample` (the default) or `pilot_towns`",
            ))
        }
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(folder);
    let c = write_school_data(&dir, &config)?;
    println!("wrote {}", dir.display());
    println!("  register.csv          {:>8} rows", c.register_rows);
    println!("  enrolment_counts.csv  {:>8} rows", c.enrolment_count_rows);
    println!("  police_uk_street.csv  {:>8} rows", c.police_uk_rows);
    println!("  population.csv        {:>8} rows", c.population_rows);
    if !c.planted_faults.is_empty() {
        println!("planted faults in register.csv:");
    }
    for f in &c.planted_faults {
        println!(
            "  row {:>6}  [{}] {:?}  {:?}",
            f.source_row, f.column, f.value, f.kind
        );
    }
    Ok(())
}
