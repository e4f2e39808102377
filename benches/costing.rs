//! Costing about 20 million service-use events for 1 million people
//! (12 months before and after each person's start, by agency, re-based to
//! 2024/25 prices), beside plain polars doing the same join and group-by in
//! the same run.
//!
//! ```text
//! cargo bench --bench costing
//! ```
//!
//! Both sides start from the same in-memory data (loading is benchmarked in
//! `loading`); both must give the same cohort total, which each iteration
//! checks. `OUTCOMES_BENCH_QUICK=1` runs 10,000 people. The synthetic data
//! are shared with the `pre_post` benchmark (`target/bench-data/`).

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use outcomes::cohort::DataWindow;
use outcomes::costs::{self, CostingOptions, DeflatorSeries, PriceYear, UnitCostTable};
use outcomes::io::{self, Source};
use outcomes::measures::service_use::{CategorySet, Window};
use polars::prelude::*;

mod common;
use common::{data_dir, plain_frames, plain_months, quick};

/// The floor: the same windowed join and group-by written directly in polars.
fn plain(events: &DataFrame, cohort: &DataFrame, rates: &DataFrame) -> DataFrame {
    events
        .clone()
        .lazy()
        .join(
            cohort.clone().lazy(),
            [col("person_id")],
            [col("person_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .join(
            rates.clone().lazy(),
            [col("category")],
            [col("category")],
            JoinArgs::new(JoinType::Inner),
        )
        .with_column(plain_months().alias("m"))
        .filter(col("m").gt_eq(lit(-12)).and(col("m").lt(lit(12))))
        .with_column(col("m").gt_eq(lit(0)).alias("after"))
        .group_by([col("person_id"), col("after"), col("agency")])
        .agg([(col("count").cast(DataType::Float64) * col("rate"))
            .sum()
            .alias("cost")])
        .collect()
        .expect("plain polars")
}

fn bench(c: &mut Criterion) {
    let people = if quick() { 10_000 } else { 1_000_000 };
    let (dir, spec) = data_dir(people);
    let window = DataWindow::new(spec.data_start, spec.extract_date).expect("window");
    let cohort = io::load_cohort(&Source::new(dir.join("cohort.csv")), window)
        .expect("cohort")
        .data;
    let cats = CategorySet::default();
    let events = io::load_service_events(&Source::new(dir.join("events.csv")), &cohort, &cats)
        .expect("events");
    let n_events = events.summary.rows_read;

    let table = UnitCostTable::illustrative().expect("table");
    let deflators = DeflatorSeries::illustrative().expect("deflators");
    let options = CostingOptions::new(PriceYear::parse("2024/25").expect("year"));
    let costed: Vec<costs::CostCategory> = cats
        .codes()
        .iter()
        .filter_map(|c| costs::CostCategory::new(c.as_str()).ok())
        .filter(|k| table.chosen(k).is_ok())
        .collect();
    let rates =
        costs::costing::category_rates(&costed, &table, &deflators, &options).expect("rates");
    let windows = Window::before_after_12_months();

    let (ev_df, cohort_df) = plain_frames(&dir);
    let rates_df = DataFrame::new_infer_height(vec![
        Column::new(
            "category".into(),
            rates
                .iter()
                .map(|r| r.category.as_str().to_string())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "rate".into(),
            rates
                .iter()
                .map(|r| r.per_count.amount())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "agency".into(),
            rates
                .iter()
                .map(|r| r.agency.to_string())
                .collect::<Vec<_>>(),
        ),
    ])
    .expect("rates frame");

    let expected: f64 = plain(&ev_df, &cohort_df, &rates_df)
        .column("cost")
        .expect("cost")
        .as_materialized_series()
        .sum::<f64>()
        .expect("sum");
    let label = format!("{people}_people_{n_events}_events");
    let mut g = c.benchmark_group("costing");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(if quick() { 1 } else { 60 }));
    g.bench_function(
        BenchmarkId::new("plain_polars_join_group_by", &label),
        |b| {
            b.iter(|| {
                let df = plain(&ev_df, &cohort_df, &rates_df);
                assert!(df.height() > 0);
                df
            })
        },
    );
    g.bench_function(BenchmarkId::new("outcomes_window_costs", &label), |b| {
        b.iter(|| {
            let wc = io::window_costs(&cohort, &events.data, &windows, &rates).expect("costs");
            let total: f64 = ["before", "after"]
                .iter()
                .map(|w| {
                    wc.per_person(w, None)
                        .expect("per person")
                        .iter()
                        .sum::<f64>()
                })
                .sum();
            assert!(
                (total - expected).abs() <= 1e-6 * expected.abs().max(1.0),
                "{total} vs {expected}"
            );
            wc
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
