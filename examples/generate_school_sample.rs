//! Write the bundled attendance and ASB sample files into `data/sample/`.
//!
//! The files are fictional and deterministic (the same bytes on every run);
//! see `outcomes::measures::synthetic_school::write_school_sample` for what
//! they hold and which faults are planted in `register.csv`.
//!
//! Run with `cargo run --example generate_school_sample`.

use std::path::Path;

use outcomes::measures::synthetic_school::write_school_sample;

fn main() -> Result<(), outcomes::Error> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample"));
    let c = write_school_sample(dir)?;
    println!("wrote {}", dir.display());
    println!("  register.csv          {:>8} rows", c.register_rows);
    println!("  enrolment_counts.csv  {:>8} rows", c.enrolment_count_rows);
    println!("  police_uk_street.csv  {:>8} rows", c.police_uk_rows);
    println!("  population.csv        {:>8} rows", c.population_rows);
    println!("planted faults in register.csv:");
    for f in &c.planted_faults {
        println!(
            "  row {:>6}  [{}] {:?}  {:?}",
            f.source_row, f.column, f.value, f.kind
        );
    }
    Ok(())
}
