//! 2×2 difference in differences on the bundled sample cohort: cell means,
//! and `y ~ treat * post` with iid, HC1 and cluster-robust (CR1) standard
//! errors.
//!
//! ```text
//! cargo run --example did
//! ```
//!
//! A&E attendances per person per quarter, 12 months before against after
//! the start, programme against comparison, clustered on the person (a row
//! number, never an id). To run the same on your own long CSV file, use the
//! command-line tool: `outcomes did --data FILE --unit COL --time COL
//! --treated COL --post COL --outcome COL` (see `outcomes did --help`).

use outcomes::compare::report::{run_did, DidSpec};

#[path = "common/sample.rs"]
mod sample;

fn main() -> Result<(), outcomes::Error> {
    let (table, left_out) = sample::long_table()?;
    println!(
        "Sample cohort, long form: {} person-periods ({left_out} people left out as observed \
         for under half of a window)\n",
        table.nrows()
    );
    let spec = DidSpec::new("unit", "period", "treated", "post", "ae_per_quarter");
    print!("{}", run_did(&table, &spec)?);
    Ok(())
}
