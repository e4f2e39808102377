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

use outcomes::compare::report::{parse_did_args, run_did, DidSpec, DID_USAGE};

#[path = "common/cli.rs"]
mod cli;
#[path = "common/sample.rs"]
mod sample;

fn main() {
    cli::main(
        DID_USAGE,
        || {
            let (table, left_out) = sample::long_table()?;
            println!("Sample cohort, long form: {} person-periods ({left_out} people left out as observed for under half of a window)\n", table.nrows());
            let spec = DidSpec::new("unit", "period", "treated", "post", "ae_per_quarter");
            print!("{}", run_did(&table, &spec)?);
            Ok(())
        },
        parse_did_args,
        |table, parsed| run_did(table, &parsed.spec),
    );
}
