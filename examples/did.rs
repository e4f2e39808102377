//! 2×2 difference in differences from a long CSV file (one row per unit and
//! period): cell means, and `y ~ treat * post` with iid, HC1 and
//! cluster-robust (CR1) standard errors.
//!
//! ```text
//! cargo run --example did -- --data panel.csv --unit store --time wave \
//!     --treated nj --post after --outcome fte [--cluster store] [--json did.json]
//! ```
//!
//! Without `--cluster` the cluster-robust SE clusters on the unit. Exit code 1
//! on any error.

use outcomes::compare::report::{parse_did_args, run_did, write_json, CsvTable, DID_USAGE};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
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
