//! Matched comparison from a CSV file: logistic propensity score,
//! nearest-neighbour matching (MatchIt `method = "nearest"`), balance before
//! and after, and the effect on the treated with pair-clustered SEs.
//!
//! ```text
//! cargo run --example matched_comparison -- --data lalonde.csv --treatment treat \
//!     --covariates age,educ,race,married,nodegree,re74,re75 --outcome re78 --json report.json
//! ```
//!
//! With no arguments it runs on the bundled sample cohort: programme vs
//! comparison, matched on age, sex, area, prior arrests and A&E use before
//! the start, with A&E attendances per quarter in the 12 months after as the
//! outcome.
//!
//! Options: `--ratio K`, `--caliper SD`, `--replace`, `--exact COLS`,
//! `--order largest|smallest|data`, `--json OUT`. A covariate may be declared
//! `NAME:numeric` or `NAME:categorical`; otherwise its kind is detected.
//! Exit code 1 on any error.

use outcomes::compare::report::{
    parse_matched_comparison_args, run_matched_comparison, MatchedComparisonSpec,
    MATCHED_COMPARISON_USAGE,
};

#[path = "common/cli.rs"]
mod cli;
#[path = "common/sample.rs"]
mod sample;

fn main() {
    cli::main(
        MATCHED_COMPARISON_USAGE,
        || {
            let (table, left_out) = sample::person_table()?;
            println!("Sample cohort: {} people ({left_out} left out as observed for under half of a window)\n", table.nrows());
            let spec = MatchedComparisonSpec::new(
                "treated",
                &["age", "sex", "area", "prior_arrests", "ae_before"],
                "ae_after",
            );
            let report = run_matched_comparison(&table, &spec)?;
            print!("{report}");
            Ok(())
        },
        parse_matched_comparison_args,
        |table, parsed| run_matched_comparison(table, &parsed.spec),
    );
}
