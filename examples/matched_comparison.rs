//! Matched comparison on the bundled sample cohort: logistic propensity
//! score, nearest-neighbour matching (MatchIt `method = "nearest"`), balance
//! before and after, and the effect on the treated with pair-clustered SEs.
//!
//! ```text
//! cargo run --example matched_comparison
//! ```
//!
//! Programme against comparison, matched on age, sex, area, prior arrests
//! and A&E use before the start, with A&E attendances per quarter in the 12
//! months after as the outcome. To run the same on your own CSV file, use
//! the command-line tool: `outcomes match --data FILE --treatment COL
//! --covariates A,B,... --outcome COL` (see `outcomes match --help`).

use outcomes::compare::report::{run_matched_comparison, MatchedComparisonSpec};

#[path = "common/sample.rs"]
mod sample;

fn main() -> Result<(), outcomes::Error> {
    let (table, left_out) = sample::person_table()?;
    println!(
        "Sample cohort: {} people ({left_out} left out as observed for under half of a window)\n",
        table.nrows()
    );
    let spec = MatchedComparisonSpec::new(
        "treated",
        &["age", "sex", "area", "prior_arrests", "ae_before"],
        "ae_after",
    );
    print!("{}", run_matched_comparison(&table, &spec)?);
    Ok(())
}
