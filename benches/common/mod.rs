//! Pieces shared by the `pre_post` and `costing` benchmarks: the size flag,
//! the seeded synthetic data (1 million people, about 20 million events),
//! and the plain-polars side of each comparison.

use std::path::{Path, PathBuf};

use outcomes::synthetic::{self, SyntheticSpec};
use polars::prelude::*;

/// `OUTCOMES_BENCH_QUICK=1` runs 10,000 people instead of 1,000,000.
pub fn quick() -> bool {
    std::env::var_os("OUTCOMES_BENCH_QUICK").is_some()
}

/// The cohort and event files for `people` people (about 20 events each),
/// generated once into `target/bench-data/`.
pub fn data_dir(people: usize) -> (PathBuf, SyntheticSpec) {
    let spec = SyntheticSpec::large(people, 20.0, 11);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(format!("prepost-{people}"));
    if !dir.join("done").exists() {
        std::fs::create_dir_all(&dir).expect("dir");
        let ps = synthetic::people(&spec).expect("spec");
        synthetic::write_cohort(&dir.join("cohort.csv"), &ps).expect("cohort");
        synthetic::write_service_events(&dir.join("events.csv"), &spec, &ps).expect("events");
        std::fs::write(dir.join("done"), "").expect("marker");
    }
    (dir, spec)
}

/// Whole months from `index_date` to `date` written directly in polars
/// (the plain side's own version of the crate's month rule).
pub fn plain_months() -> Expr {
    let months = (col("date").dt().year() - col("index_date").dt().year()).cast(DataType::Int32)
        * lit(12i32)
        + col("date").dt().month().cast(DataType::Int32)
        - col("index_date").dt().month().cast(DataType::Int32);
    let last_day = (col("date").cast(DataType::Int32) + lit(1i32))
        .cast(DataType::Date)
        .dt()
        .day()
        .eq(lit(1i8));
    let back = col("date")
        .dt()
        .day()
        .lt(col("index_date").dt().day())
        .and(last_day.not())
        .cast(DataType::Int32);
    months - back
}

/// The events (`person_id, date, category, count`) and the cohort's
/// `person_id, index_date`, read with plain polars and a typed schema.
pub fn plain_frames(dir: &Path) -> (DataFrame, DataFrame) {
    let read = |file: &str, schema: Schema| {
        LazyCsvReader::new(PlRefPath::try_from_path(&dir.join(file)).expect("path"))
            .with_has_header(true)
            .with_schema(Some(Arc::new(schema)))
            .finish()
            .and_then(LazyFrame::collect)
            .expect("read")
    };
    let events = read(
        "events.csv",
        Schema::from_iter([
            Field::new("person_id".into(), DataType::String),
            Field::new("date".into(), DataType::Date),
            Field::new("category".into(), DataType::String),
            Field::new("count".into(), DataType::Int64),
        ]),
    );
    let cohort = read(
        "cohort.csv",
        Schema::from_iter([
            Field::new("person_id".into(), DataType::String),
            Field::new("index_date".into(), DataType::Date),
            Field::new("group".into(), DataType::String),
            Field::new("end_date".into(), DataType::Date),
            Field::new("end_reason".into(), DataType::String),
            Field::new("age".into(), DataType::Int64),
            Field::new("sex".into(), DataType::String),
            Field::new("area".into(), DataType::String),
            Field::new("prior_arrests".into(), DataType::Int64),
        ]),
    )
    .select(["person_id", "index_date"])
    .expect("select");
    (events, cohort)
}
