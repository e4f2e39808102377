//! The main job's data stages (load and validate the cohort and service use,
//! window, price and sum per person) against the same work written directly
//! in plain polars, in the same run.
//!
//! ```text
//! cargo bench --bench main_job
//! ```
//!
//! The cohort (1 million people) and about 19 million events are made by the
//! crate's seeded generator into `target/bench-data/main-job-1000000/` on
//! first run, as `generate_large` makes them. The two sides:
//!
//! * **outcomes**: `io::load_cohort` and `io::load_service_events` (the
//!   shape scan, validation of every field, the cohort membership check and
//!   keyed pseudonymisation: what the crate adds), `io::window_counts` (the
//!   per-person frame: 12 months before and after each start, every
//!   category) and `evaluate::offset::cost_offset` (who is costed, priced
//!   and re-based, by group), as `evaluate::run` calls them;
//! * **plain polars**: read both CSVs with their types, join events to each
//!   person's index date, whole months since it (the same month-end rule),
//!   the two windows, join each category's price, sum cost and count per
//!   person and window. No validation, no pseudonyms.
//!
//! Each side checks its answer against the other: the events counted in
//! each window, and the cost of all of them, agree (counts exactly; costs to
//! 1e-9 relative, the order of the sums differing).
//!
//! Set `OUTCOMES_BENCH_QUICK=1` for a 5,000-person run (CI uses it to keep
//! the benchmark from rotting).

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use outcomes::cohort::{DataWindow, Pseudonymiser};
use outcomes::costs::costing::category_rate;
use outcomes::costs::{CostCategory, CostingOptions, DeflatorSeries, PriceYear, UnitCostTable};
use outcomes::io::{self, Source};
use outcomes::measures::service_use::{CategorySet, Window};
use outcomes::synthetic::{self, SyntheticSpec};
use polars::prelude::*;

fn quick() -> bool {
    std::env::var_os("OUTCOMES_BENCH_QUICK").is_some()
}

struct Data {
    dir: PathBuf,
    spec: SyntheticSpec,
}

fn data() -> Data {
    let people = if quick() { 5_000 } else { 1_000_000 };
    let spec = SyntheticSpec::large(people, 20.0, 20_240_401);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(format!("main-job-{people}"));
    let marker = dir.join("done");
    if !marker.exists() {
        std::fs::create_dir_all(&dir).expect("create bench data dir");
        let ps = synthetic::people(&spec).expect("spec");
        synthetic::write_cohort(&dir.join("cohort.csv"), &ps).expect("cohort");
        synthetic::write_service_events(&dir.join("service_use.csv"), &spec, &ps).expect("events");
        std::fs::write(&marker, "").expect("marker");
    }
    Data { dir, spec }
}

/// What each side reports, to check one against the other.
#[derive(Debug)]
struct Answer {
    /// Events (count summed) in the before and after windows, all people.
    events: [f64; 2],
    /// Their cost, all people, all priced categories.
    cost: [f64; 2],
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// The priced categories and their £ per count in the target year.
fn rates(options: &CostingOptions) -> Vec<(String, f64)> {
    let table = UnitCostTable::illustrative().expect("unit costs");
    let deflators = DeflatorSeries::illustrative().expect("deflators");
    CategorySet::default()
        .codes()
        .into_iter()
        .filter_map(|c| {
            let k = CostCategory::new(c.as_str()).ok()?;
            let r = category_rate(&k, &table, &deflators, options).ok()?;
            Some((c, r.per_count.amount()))
        })
        .collect()
}

fn outcomes_side(d: &Data, options: &CostingOptions) -> Answer {
    let window = DataWindow::new(d.spec.data_start, d.spec.extract_date).expect("window");
    let key = Pseudonymiser::new(b"benchmark key, not secret").expect("key");
    let cohort = io::load_cohort(
        &Source::new(d.dir.join("cohort.csv")).pseudonymise(key.clone()),
        window,
    )
    .expect("cohort")
    .data;
    let cats = CategorySet::default();
    let events = io::load_service_events(
        &Source::new(d.dir.join("service_use.csv")).pseudonymise(key),
        &cohort,
        &cats,
    )
    .expect("events");
    assert_eq!(events.summary.rejected, 0, "{:?}", events.summary.by_reason);
    let windows = [
        Window::new("before", -12, 0).expect("window"),
        Window::new("after", 0, 12).expect("window"),
    ];
    let codes = cats.codes();
    let counts = io::window_counts(&cohort, &events.data, &windows, &codes).expect("windows");
    drop(events);
    let table = UnitCostTable::illustrative().expect("unit costs");
    let deflators = DeflatorSeries::illustrative().expect("deflators");
    let offset = outcomes::evaluate::offset::cost_offset(
        &counts,
        ("before", "after"),
        &codes,
        &table,
        &deflators,
        options,
        3500.0,
    )
    .expect("cost offset");
    assert!(!offset.by_group.is_empty());
    let mut ans = Answer {
        events: [0.0; 2],
        cost: [0.0; 2],
    };
    let rates = rates(options);
    for (w, label) in ["before", "after"].into_iter().enumerate() {
        for code in &codes {
            ans.events[w] += counts.total(label, code).expect("total");
        }
        for (code, rate) in &rates {
            ans.cost[w] += counts.total(label, code).expect("total") * rate;
        }
    }
    ans
}

fn plain_polars_side(d: &Data, options: &CostingOptions) -> Answer {
    let read = |file: &str, fields: Vec<Field>| {
        LazyCsvReader::new(PlRefPath::try_from_path(&d.dir.join(file)).expect("path"))
            .with_has_header(true)
            .with_schema(Some(Arc::new(Schema::from_iter(fields))))
            .finish()
            .expect("scan")
    };
    let cohort = read(
        "cohort.csv",
        vec![
            Field::new("person_id".into(), DataType::String),
            Field::new("index_date".into(), DataType::Date),
            Field::new("group".into(), DataType::String),
            Field::new("end_date".into(), DataType::Date),
            Field::new("end_reason".into(), DataType::String),
            Field::new("age".into(), DataType::Int64),
            Field::new("sex".into(), DataType::String),
            Field::new("area".into(), DataType::String),
            Field::new("prior_arrests".into(), DataType::Int64),
        ],
    )
    .select([col("person_id"), col("index_date")]);
    let events = read(
        "service_use.csv",
        vec![
            Field::new("person_id".into(), DataType::String),
            Field::new("date".into(), DataType::Date),
            Field::new("category".into(), DataType::String),
            Field::new("count".into(), DataType::Int64),
        ],
    );
    let rates = rates(options);
    let price = df!(
        "category" => rates.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        "rate" => rates.iter().map(|r| r.1).collect::<Vec<_>>(),
    )
    .expect("price frame");
    // Whole months since the index date, with the month-end rule.
    let (i, e) = (col("index_date"), col("date"));
    let raw = (e.clone().dt().year() - i.clone().dt().year()).cast(DataType::Int32) * lit(12i32)
        + e.clone().dt().month().cast(DataType::Int32)
        - i.clone().dt().month().cast(DataType::Int32);
    let last_day = (e.clone().cast(DataType::Int32) + lit(1i32))
        .cast(DataType::Date)
        .dt()
        .day()
        .eq(lit(1i8));
    let back = e
        .dt()
        .day()
        .cast(DataType::Int32)
        .lt(i.dt().day().cast(DataType::Int32))
        .and(last_day.not());
    let months = raw - back.cast(DataType::Int32);
    let per_person = events
        .join(
            cohort,
            [col("person_id")],
            [col("person_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .join(
            price.lazy(),
            [col("category")],
            [col("category")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(months.alias("m"))
        .with_column(
            when(col("m").gt_eq(lit(-12)).and(col("m").lt(lit(0))))
                .then(lit(0i32))
                .when(col("m").gt_eq(lit(0)).and(col("m").lt(lit(12))))
                .then(lit(1i32))
                .otherwise(lit(NULL).cast(DataType::Int32))
                .alias("w"),
        )
        .filter(col("w").is_not_null())
        .group_by([col("person_id"), col("w")])
        .agg([
            col("count").sum().cast(DataType::Float64).alias("events"),
            (col("count").cast(DataType::Float64) * col("rate").fill_null(lit(0.0)))
                .sum()
                .alias("cost"),
        ])
        .collect()
        .expect("plain polars");
    let w = per_person.column("w").expect("w");
    let w = w.i32().expect("w i32");
    let n = per_person.column("events").expect("events");
    let n = n.f64().expect("events f64");
    let c = per_person.column("cost").expect("cost");
    let c = c.f64().expect("cost f64");
    let mut ans = Answer {
        events: [0.0; 2],
        cost: [0.0; 2],
    };
    for ((w, n), c) in w.iter().zip(n.iter()).zip(c.iter()) {
        let w = w.expect("window") as usize;
        ans.events[w] += n.unwrap_or(0.0);
        ans.cost[w] += c.unwrap_or(0.0);
    }
    ans
}

fn bench(c: &mut Criterion) {
    let d = data();
    let options = CostingOptions::new(PriceYear::parse("2024/25").expect("year"));
    // The two sides agree before either is timed.
    let (a, b) = (outcomes_side(&d, &options), plain_polars_side(&d, &options));
    for w in 0..2 {
        assert_eq!(a.events[w], b.events[w], "events, window {w}: {a:?} {b:?}");
        assert!(close(a.cost[w], b.cost[w]), "cost, window {w}: {a:?} {b:?}");
    }
    let label = format!("{}_people", d.spec.people);
    let mut g = c.benchmark_group("main_job_data_stages");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(if quick() { 1 } else { 120 }));
    g.bench_function(BenchmarkId::new("plain_polars", &label), |bn| {
        bn.iter(|| plain_polars_side(&d, &options))
    });
    g.bench_function(BenchmarkId::new("outcomes", &label), |bn| {
        bn.iter(|| outcomes_side(&d, &options))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
