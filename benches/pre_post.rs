//! Per-person pre/post summaries and the paired statistics for 1 million
//! people and about 20 million service-use events, beside plain polars
//! doing the same windowed group-by in the same run.
//!
//! ```text
//! cargo bench --bench pre_post
//! ```
//!
//! Both sides start from the same validated, in-memory events and cohort
//! (loading is benchmarked in `loading`). `outcomes` computes every
//! person's count in the 12 months before and after their start for every
//! category, with observed time, then the A&E per-quarter paired
//! statistics; the plain-polars floor does the join, month arithmetic,
//! window filter and group-by by hand and returns the same sums, which the
//! benchmark checks are equal. `outcomes_person_summary` builds the
//! per-person summary (`io::SummaryBuilder`: every category, before and
//! after, zeros included) and its A&E pairs, checking the same sums.
//! `OUTCOMES_BENCH_QUICK=1` runs 10,000 people.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use outcomes::cohort::DataWindow;
use outcomes::compare::pre_post::{self, CoveragePolicy};
use outcomes::io::{self, Source};
use outcomes::measures::service_use::{CategorySet, Window};
use outcomes::stats::ConfidenceLevel;
use polars::prelude::*;

mod common;
use common::{data_dir, plain_frames, plain_months, quick};

/// The floor: the same windowed group-by written directly in polars.
fn plain(events: &DataFrame, cohort: &DataFrame) -> DataFrame {
    events
        .clone()
        .lazy()
        .join(
            cohort.clone().lazy(),
            [col("person_id")],
            [col("person_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .with_column(plain_months().alias("m"))
        .filter(col("m").gt_eq(lit(-12)).and(col("m").lt(lit(12))))
        .with_column(col("m").gt_eq(lit(0)).alias("after"))
        .group_by([col("person_id"), col("category"), col("after")])
        .agg([col("count").sum()])
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
    assert_eq!(events.summary.rejected, 0);
    let n_events = events.summary.rows_read;
    let codes = cats.codes();
    let windows = Window::before_after_12_months();

    // Inputs for the floor, read with plain polars outside the timed loop.
    let (ev_df, cohort_df) = plain_frames(&dir);

    let label = format!("{people}_people_{n_events}_events");
    let mut g = c.benchmark_group("pre_post");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(if quick() { 1 } else { 60 }));
    let expected_total: f64 = {
        let df = plain(&ev_df, &cohort_df);
        df.column("count")
            .expect("count")
            .as_materialized_series()
            .sum::<f64>()
            .expect("sum")
    };
    g.bench_function(BenchmarkId::new("plain_polars_group_by", &label), |b| {
        b.iter(|| {
            let df = plain(&ev_df, &cohort_df);
            assert!(df.height() > 0);
            df
        })
    });
    g.bench_function(
        BenchmarkId::new("outcomes_summaries_and_paired_stats", &label),
        |b| {
            b.iter(|| {
                let counts =
                    io::window_counts(&cohort, &events.data, &windows, &codes).expect("counts");
                let total: f64 = codes
                    .iter()
                    .flat_map(|c| ["before", "after"].map(|w| counts.total(w, c).expect("total")))
                    .sum();
                assert!(
                    (total - expected_total).abs() < 1e-6,
                    "{total} vs {expected_total}"
                );
                let ae = pre_post::service_use_per_quarter(
                    &counts,
                    "ae_attendance",
                    "before",
                    "after",
                    CoveragePolicy::Exclude,
                )
                .expect("pre/post");
                let s = pre_post::paired_statistics(
                    &ae.before,
                    &ae.after,
                    ConfidenceLevel::NINETY_FIVE,
                    None,
                )
                .expect("stats");
                assert_eq!(s.n, ae.coverage.included);
                s
            })
        },
    );
    g.bench_function(BenchmarkId::new("outcomes_person_summary", &label), |b| {
        b.iter(|| {
            let summary = io::SummaryBuilder::new(&cohort, &windows)
                .service_use(&events.data, &codes)
                .build()
                .expect("summary");
            let total: f64 = codes
                .iter()
                .flat_map(|c| {
                    ["before", "after"].map(|w| {
                        summary
                            .values(c, w)
                            .expect("values")
                            .iter()
                            .map(|v| v.expect("a count is never null"))
                            .sum::<f64>()
                    })
                })
                .sum();
            assert!(
                (total - expected_total).abs() < 1e-6,
                "{total} vs {expected_total}"
            );
            let ae = pre_post::summary_pairs(
                &summary,
                "ae_attendance",
                "before",
                "after",
                CoveragePolicy::Exclude,
            )
            .expect("pairs");
            assert_eq!(ae.undefined, 0);
            summary
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
