//! Matched comparison from a CSV file: logistic propensity score,
//! nearest-neighbour matching (MatchIt `method = "nearest"`), balance before
//! and after, and the effect on the treated with pair-clustered SEs.
//!
//! ```text
//! cargo run --example matched_comparison -- --data lalonde.csv --treatment treat \
//!     --covariates age,educ,race,married,nodegree,re74,re75 --outcome re78 --json report.json
//! ```
//!
//! Options: `--ratio K`, `--caliper SD`, `--replace`, `--exact COLS`,
//! `--order largest|smallest|data`, `--json OUT`. A covariate may be declared
//! `NAME:numeric` or `NAME:categorical`; otherwise its kind is detected.
//! Exit code 1 on any error.

use outcomes::compare::report::{
    parse_matched_comparison_args, run_matched_comparison, write_json, CsvTable,
    MATCHED_COMPARISON_USAGE,
};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{MATCHED_COMPARISON_USAGE}");
        return;
    }
    let parsed = match parse_matched_comparison_args(&args) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}\n{MATCHED_COMPARISON_USAGE}");
            std::process::exit(1);
        }
    };
    let result = CsvTable::from_path(&parsed.data)
        .and_then(|t| run_matched_comparison(&t, &parsed.spec))
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
