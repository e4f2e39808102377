//! 2×2 difference in differences from a long CSV file (one row per unit and
//! period): cell means, and `y ~ treat * post` with iid, HC1 and
//! cluster-robust (CR1) standard errors.
//!
//! ```text
//! cargo run --example did -- --data panel.csv --unit store --time wave \
//!     --treated nj --post after --outcome fte [--cluster store] [--json did.json]
//! ```
//!
//! With no arguments it runs on the bundled sample cohort: A&E attendances
//! per person per quarter, 12 months before vs after the start, programme
//! vs comparison, clustered on the person (a row number, never an id).
//!
//! Without `--cluster` the cluster-robust SE clusters on the unit. Exit code 1
//! on any error.

use outcomes::compare::report::{
    parse_did_args, run_did, write_json, CsvTable, DidSpec, DID_USAGE,
};

#[path = "common/sample.rs"]
mod sample;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        let result = sample::long_table().and_then(|(table, left_out)| {
            println!("Sample cohort, long form: {} person-periods ({left_out} people left out as observed for under half of a window)\n", table.nrows());
            let spec = DidSpec::new("unit", "period", "treated", "post", "ae_per_quarter");
            print!("{}", run_did(&table, &spec)?);
            Ok(())
        });
        if let Err(e) = result {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
        return;
    }
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{DID_USAGE}");
        return;
    }
    let parsed = match parse_did_args(&args) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}\n{DID_USAGE}");
            std::process::exit(1);
        }
    };
    let result = CsvTable::from_path(&parsed.data)
        .and_then(|t| run_did(&t, &parsed.spec))
        .and_then(|report| {
            print!("{report}");
            match &parsed.json {
                Some(path) => {
                    write_json(&report, path)?;
                    println!("\nJSON report written to {}", path.display());
                    Ok(())
                }
                None => Ok(()),
            }
        });
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
