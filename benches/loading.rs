//! Loading and validating service-use events against polars' plain read of
//! the same file, in the same run.
//!
//! ```text
//! cargo bench --bench loading
//! ```
//!
//! The cohort (1 million people) and about 10 million events are made by the
//! crate's seeded generator into `target/bench-data/` on first run (CSV and
//! Parquet, grouped by person in cohort order as the generator writes them,
//! and the same Parquet sorted by date). Each benchmark checks its answer:
//! every row is accounted for, and the clean synthetic file has no
//! rejections.
//!
//! The issue's bar (validation at most 1.5× the plain read) is for the
//! generator's files. The date-sorted file is there to show the cost when
//! a person's events do not come together: the cohort membership check is
//! then one hash lookup per row rather than one per run.
//!
//! Set `OUTCOMES_BENCH_QUICK=1` for a 10,000-person run (CI uses it to keep
//! the benchmark from rotting).

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use outcomes::cohort::DataWindow;
use outcomes::io::{self, Source};
use outcomes::measures::service_use::CategorySet;
use outcomes::synthetic::{self, SyntheticSpec};
use polars::prelude::*;

fn quick() -> bool {
    std::env::var_os("OUTCOMES_BENCH_QUICK").is_some()
}

struct Data {
    dir: PathBuf,
    spec: SyntheticSpec,
    events: usize,
}

fn data() -> Data {
    let people = if quick() { 10_000 } else { 1_000_000 };
    let spec = SyntheticSpec::large(people, 10.0, 7);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(format!("people-{people}"));
    let marker = dir.join("done");
    if !marker.exists() {
        std::fs::create_dir_all(&dir).expect("create bench data dir");
        let ps = synthetic::people(&spec).expect("spec");
        synthetic::write_cohort(&dir.join("cohort.csv"), &ps).expect("cohort");
        let n =
            synthetic::write_service_events(&dir.join("events.csv"), &spec, &ps).expect("events");
        // A typed Parquet file (date as Date, count as Int64), as a data
        // warehouse would export it.
        let mut df = plain_csv(&dir.join("events.csv"));
        let f = std::fs::File::create(dir.join("events.parquet")).expect("parquet file");
        ParquetWriter::new(f)
            .finish(&mut df)
            .expect("write parquet");

        std::fs::write(&marker, n.to_string()).expect("marker");
    }
    let by_date = dir.join("events_by_date.parquet");
    if !by_date.exists() {
        // The same events sorted by date, as an extract of "all events in
        // the period" would come: no runs of a person's events.
        let mut df = plain_parquet(&dir.join("events.parquet"))
            .sort(["date"], SortMultipleOptions::default())
            .expect("sort by date");
        let f = std::fs::File::create(&by_date).expect("parquet file");
        ParquetWriter::new(f)
            .finish(&mut df)
            .expect("write parquet");
    }
    let events = std::fs::read_to_string(&marker)
        .expect("marker")
        .trim()
        .parse()
        .expect("count");
    Data { dir, spec, events }
}

/// The floor: polars reading the same CSV into the same column types
/// (text, date, text, integer), with no validation.
fn plain_csv(path: &Path) -> DataFrame {
    let schema = Schema::from_iter([
        Field::new("person_id".into(), DataType::String),
        Field::new("date".into(), DataType::Date),
        Field::new("category".into(), DataType::String),
        Field::new("count".into(), DataType::Int64),
    ]);
    LazyCsvReader::new(PlRefPath::try_from_path(path).expect("path"))
        .with_has_header(true)
        .with_schema(Some(Arc::new(schema)))
        .finish()
        .and_then(LazyFrame::collect)
        .expect("plain read")
}

fn plain_parquet(path: &Path) -> DataFrame {
    LazyFrame::scan_parquet(
        PlRefPath::try_from_path(path).expect("path"),
        Default::default(),
    )
    .and_then(LazyFrame::collect)
    .expect("plain parquet read")
}

fn bench(c: &mut Criterion) {
    let d = data();
    let window = DataWindow::new(d.spec.data_start, d.spec.extract_date).expect("window");
    let cohort = io::load_cohort(&Source::new(d.dir.join("cohort.csv")), window)
        .expect("cohort")
        .data;
    let cats = CategorySet::default();
    let label = format!("{}_events", d.events);
    let mut g = c.benchmark_group("load_service_events");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(if quick() { 1 } else { 40 }));
    for (fmt, file) in [
        ("csv", "events.csv"),
        ("parquet", "events.parquet"),
        ("parquet_by_date", "events_by_date.parquet"),
    ] {
        let path = d.dir.join(file);
        g.bench_function(
            BenchmarkId::new(format!("plain_polars_{fmt}"), &label),
            |b| {
                b.iter(|| {
                    let df = if fmt == "csv" {
                        plain_csv(&path)
                    } else {
                        plain_parquet(&path)
                    };
                    assert_eq!(df.height(), d.events);
                    df
                })
            },
        );
        g.bench_function(
            BenchmarkId::new(format!("outcomes_validated_{fmt}"), &label),
            |b| {
                b.iter(|| {
                    let out =
                        io::load_service_events(&Source::new(&path), &cohort, &cats).expect("load");
                    assert_eq!(out.summary.rows_read as usize, d.events);
                    assert_eq!(out.summary.rejected, 0, "{:?}", out.summary.by_reason);
                    out
                })
            },
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
