//! Per-enrolment attendance measures from session-level register marks:
//! the crate's column-wise path (`io::attendance::enrolment_measures`,
//! which also validates every mark: code in the set in force on its date,
//! session label, repeated sessions) against the same group-by written
//! directly in plain polars (codes mapped to categories with a join, group
//! by enrolment, sum, rates), in the same run.
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-bench cargo bench --bench attendance
//! ```
//!
//! Data: 100,000 pupils × 380 sessions (190 school days from 1 May 2024,
//! so both code sets occur) = 38 million marks, seeded, written once to
//! `target/bench-data/attendance-100000/register.parquet`; 5% of pupils
//! change school half-way (two enrolments). Both sides read the same
//! Parquet file. Before timing, the two answers are checked equal
//! enrolment by enrolment.
//!
//! `OUTCOMES_BENCH_QUICK=1` runs 2,000 pupils (CI keeps the benchmark from
//! rotting with `cargo test --benches`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{Datelike, NaiveDate, Weekday};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode};
use outcomes::io::attendance::{enrolment_measures, RegisterMarks};
use outcomes::io::Source;
use outcomes::measures::attendance::AbsenceThreshold;
use outcomes::rng::Rng;
use polars::prelude::*;

fn quick() -> bool {
    std::env::var_os("OUTCOMES_BENCH_QUICK").is_some()
}

const SESSIONS: usize = 380;

fn school_days() -> Vec<NaiveDate> {
    let mut out = Vec::with_capacity(SESSIONS / 2);
    let mut d = NaiveDate::from_ymd_opt(2024, 5, 1).expect("date");
    while out.len() < SESSIONS / 2 {
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            out.push(d);
        }
        d = d.succ_opt().expect("date");
    }
    out
}

/// Absence and not-possible codes valid in each set.
const PRE: [&str; 8] = ["I", "M", "O", "N", "G", "H", "B", "X"];
const NEW: [&str; 8] = ["I", "M", "O", "N", "G", "C1", "K", "Y1"];

/// Write the seeded register (one Parquet row group per 2,000 pupils).
fn write_register(path: &Path, pupils: usize) -> usize {
    let days = school_days();
    let switch = NaiveDate::from_ymd_opt(2024, 8, 19).expect("date");
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("date");
    let schema = Schema::from_iter([
        Field::new("pupil_id".into(), DataType::String),
        Field::new("school_urn".into(), DataType::String),
        Field::new("date".into(), DataType::Date),
        Field::new("session".into(), DataType::String),
        Field::new("code".into(), DataType::String),
    ]);
    let f = std::fs::File::create(path).expect("parquet file");
    let mut w = ParquetWriter::new(f).batched(&schema).expect("writer");
    let mut rng = Rng::new(20_240_819);
    let mut rows = 0;
    for chunk in (0..pupils).collect::<Vec<_>>().chunks(2_000) {
        let n = chunk.len() * SESSIONS;
        let (mut pupil, mut school, mut date, mut session, mut code) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for &p in chunk {
            let id = format!("P{p:07}");
            let home = format!("{}", 100_000 + p % 500);
            let moved = format!("{}", 100_000 + (p + 7) % 500);
            let moves = rng.bernoulli(0.05);
            // Absence propensity: most pupils rarely absent, some often.
            let absence = 0.02 + 0.25 * rng.uniform().powi(4);
            for (i, day) in days.iter().enumerate() {
                for (s, label) in ["AM", "PM"].iter().enumerate() {
                    pupil.push(id.clone());
                    school.push(if moves && i >= days.len() / 2 {
                        moved.clone()
                    } else {
                        home.clone()
                    });
                    date.push((*day - epoch).num_days() as i32);
                    session.push(*label);
                    code.push(if rng.bernoulli(absence) {
                        let set = if *day >= switch { &NEW } else { &PRE };
                        set[rng.below(set.len() as u64) as usize]
                    } else if s == 0 {
                        "/"
                    } else {
                        "\\"
                    });
                }
            }
        }
        rows += n;
        let df = DataFrame::new_infer_height(vec![
            Column::new("pupil_id".into(), pupil),
            Column::new("school_urn".into(), school),
            Column::new("date".into(), date)
                .cast(&DataType::Date)
                .expect("date"),
            Column::new("session".into(), session),
            Column::new("code".into(), code),
        ])
        .expect("frame");
        w.write_batch(&df).expect("write");
    }
    w.finish().expect("finish");
    rows
}

fn data() -> (PathBuf, usize) {
    let pupils = if quick() { 2_000 } else { 100_000 };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(format!("attendance-{pupils}"));
    let marker = dir.join("done");
    if !marker.exists() {
        std::fs::create_dir_all(&dir).expect("dir");
        let n = write_register(&dir.join("register.parquet"), pupils);
        std::fs::write(&marker, n.to_string()).expect("marker");
    }
    let n = std::fs::read_to_string(&marker)
        .expect("marker")
        .trim()
        .parse()
        .expect("count");
    (dir.join("register.parquet"), n)
}

/// The plain-polars floor: its own code table (category 0 present, 1
/// approved educational activity, 2 authorised, 3 unauthorised, 4 not
/// possible), a join, the set chosen by date, a group-by and the rates.
fn plain(path: &Path) -> DataFrame {
    let pre: &[(&str, u32)] = &[
        ("/", 0),
        ("\\", 0),
        ("L", 0),
        ("B", 1),
        ("J", 1),
        ("P", 1),
        ("V", 1),
        ("W", 1),
        ("C", 2),
        ("E", 2),
        ("F", 2),
        ("H", 2),
        ("I", 2),
        ("M", 2),
        ("R", 2),
        ("S", 2),
        ("T", 2),
        ("G", 3),
        ("N", 3),
        ("O", 3),
        ("U", 3),
        ("D", 4),
        ("X", 4),
        ("Y", 4),
        ("Z", 4),
        ("#", 4),
    ];
    let new: &[(&str, u32)] = &[
        ("/", 0),
        ("\\", 0),
        ("L", 0),
        ("K", 1),
        ("V", 1),
        ("P", 1),
        ("W", 1),
        ("B", 1),
        ("C", 2),
        ("C1", 2),
        ("C2", 2),
        ("M", 2),
        ("J1", 2),
        ("S", 2),
        ("T", 2),
        ("R", 2),
        ("I", 2),
        ("E", 2),
        ("G", 3),
        ("N", 3),
        ("O", 3),
        ("U", 3),
        ("D", 4),
        ("X", 4),
        ("Q", 4),
        ("Y1", 4),
        ("Y2", 4),
        ("Y3", 4),
        ("Y4", 4),
        ("Y5", 4),
        ("Y6", 4),
        ("Y7", 4),
        ("Z", 4),
        ("#", 4),
    ];
    let table = |rows: &[(&str, u32)], new_set: bool| {
        DataFrame::new_infer_height(vec![
            Column::new("code".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
            Column::new("cat".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
            Column::new("new_set".into(), vec![new_set; rows.len()]),
        ])
        .expect("table")
    };
    let codes = concat(
        [table(pre, false).lazy(), table(new, true).lazy()],
        UnionArgs::default(),
    )
    .expect("codes");
    let switch = NaiveDate::from_ymd_opt(2024, 8, 19).expect("date");
    let cats = [
        "present",
        "aea",
        "authorised",
        "unauthorised",
        "not_possible",
    ];
    let rate = |x: Expr| {
        when(col("possible").gt(lit(0u32)))
            .then(x.cast(DataType::Float64) / col("possible").cast(DataType::Float64))
            .otherwise(lit(NULL).cast(DataType::Float64))
    };
    LazyFrame::scan_parquet(
        PlRefPath::try_from_path(path).expect("path"),
        Default::default(),
    )
    .expect("scan")
    .with_column(col("date").gt_eq(lit(switch)).alias("new_set"))
    .join(
        codes,
        [col("new_set"), col("code")],
        [col("new_set"), col("code")],
        JoinArgs::new(JoinType::Inner),
    )
    .group_by([col("pupil_id"), col("school_urn")])
    .agg(
        cats.iter()
            .enumerate()
            .map(|(k, n)| {
                col("cat")
                    .eq(lit(k as u32))
                    .cast(DataType::UInt32)
                    .sum()
                    .alias(*n)
            })
            .collect::<Vec<_>>(),
    )
    .with_columns([
        (col("present") + col("aea") + col("authorised") + col("unauthorised")).alias("possible"),
        (col("authorised") + col("unauthorised")).alias("overall"),
    ])
    .with_columns([
        rate(col("overall")).alias("overall_absence_rate"),
        when(col("possible").gt(lit(0u32)))
            .then(
                (col("overall").cast(DataType::Int64) * lit(10i64))
                    .gt_eq(col("possible").cast(DataType::Int64)),
            )
            .otherwise(lit(NULL).cast(DataType::Boolean))
            .alias("persistent"),
    ])
    .sort(["pupil_id", "school_urn"], Default::default())
    .collect()
    .expect("plain")
}

/// Ours and plain agree enrolment by enrolment.
fn check(path: &Path, n: usize) {
    let t = AbsenceThreshold::default();
    let ours = enrolment_measures(
        &RegisterMarks::read(&Source::new(path)).expect("read"),
        None,
        t,
    )
    .expect("ours");
    assert_eq!(ours.rows_read() as usize, n);
    assert!(ours.rejected().is_empty(), "{:?}", &ours.rejected()[..1]);
    let recs = ours.to_records().expect("records");
    let p = plain(path);
    assert_eq!(recs.len(), p.height());
    let get_u = |c: &str| -> Vec<u64> {
        p.column(c)
            .and_then(|c| c.cast(&DataType::UInt64))
            .expect("col")
            .u64()
            .expect("u64")
            .iter()
            .map(|v| v.unwrap_or(0))
            .collect()
    };
    let (possible, auth, unauth) = (
        get_u("possible"),
        get_u("authorised"),
        get_u("unauthorised"),
    );
    let rate = p
        .column("overall_absence_rate")
        .expect("rate")
        .f64()
        .expect("f64")
        .clone();
    let pa = p
        .column("persistent")
        .expect("pa")
        .bool()
        .expect("bool")
        .clone();
    let pupils = p
        .column("pupil_id")
        .expect("pupil")
        .str()
        .expect("str")
        .clone();
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(Some(r.pupil.as_str()), pupils.get(i));
        assert_eq!(r.measures.possible, possible[i]);
        assert_eq!(r.measures.authorised, auth[i]);
        assert_eq!(r.measures.unauthorised, unauth[i]);
        assert_eq!(r.measures.overall_absence_rate, rate.get(i));
        assert_eq!(r.measures.persistent_absentee, pa.get(i));
    }
    let pas = recs
        .iter()
        .filter(|r| r.measures.persistent_absentee == Some(true))
        .count();
    assert!(pas > 0 && pas < recs.len(), "a mix of persistent absentees");
}

fn bench(c: &mut Criterion) {
    let (path, n) = data();
    check(&path, n);
    let t = AbsenceThreshold::default();
    let label = format!("{n}_marks");
    let mut g = c.benchmark_group("attendance_enrolment_measures");
    // Each run takes seconds: flat sampling, about one run per sample.
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(if quick() { 1 } else { 20 }));
    g.bench_function(BenchmarkId::new("plain_polars", &label), |b| {
        b.iter(|| {
            let df = plain(&path);
            assert!(df.height() > 0);
            df
        })
    });
    g.bench_function(BenchmarkId::new("outcomes_validated", &label), |b| {
        b.iter(|| {
            let m = enrolment_measures(
                &RegisterMarks::read(&Source::new(&path)).expect("read"),
                None,
                t,
            )
            .expect("ours");
            assert_eq!(m.rows_read() as usize, n);
            m
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
