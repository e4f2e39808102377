//! Loading and validation: every row is accepted or rejected with a reason,
//! errors say where, identifiers never leak, and the typed and frame paths
//! agree.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use outcomes::cohort::{DataWindow, Group, Pseudonymiser};
use outcomes::io::{self, ColumnMap, RawServiceEvent, Source};
use outcomes::measures::ndt::PartialPolicy;
use outcomes::measures::service_use::{aggregate, CategorySet, Window};
use outcomes::synthetic::{write_sample, SyntheticSpec};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("outcomes-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn window() -> DataWindow {
    DataWindow::new(d(2022, 1, 1), d(2024, 12, 31)).unwrap()
}

const COHORT: &str = "person_id,index_date,group,end_date,end_reason,age,area
A1,2023-01-10,programme,,,34,North
A2,2023-02-01,comparison,2024-06-30,moved,41,South
A3,2023-03-15,programme,,,29,North
A3,2023-04-01,comparison,,,50,South
A4,2023-02-30,programme,,,33,North
A5,2021-06-01,programme,,,33,North
A6,2023-05-01,treated,,,33,North
,2023-05-01,programme,,,33,North
A7,2023-05-01,programme,2025-06-01,exit,33,North
";

#[test]
fn cohort_rows_are_accepted_or_rejected_with_reasons() {
    let dir = tmp("cohort");
    let f = write(&dir, "cohort.csv", COHORT);
    let out = io::load_cohort(&Source::new(&f), window()).unwrap();
    assert_eq!(out.summary.rows_read, 9);
    assert_eq!(
        out.summary.accepted + out.summary.rejected,
        out.summary.rows_read
    );
    assert_eq!(out.data.len(), 2, "{:?}", out.rejections);
    let reasons: Vec<(u64, &str, &str)> = out
        .rejections
        .iter()
        .map(|r| (r.source_row, r.column.as_str(), r.reason.as_str()))
        .collect();
    assert!(reasons.contains(&(3, "person_id", "duplicate person id")));
    assert!(reasons.contains(&(4, "person_id", "duplicate person id")));
    assert!(reasons.contains(&(5, "index_date", "not a valid date (expected YYYY-MM-DD)")));
    assert!(reasons
        .iter()
        .any(|r| r.0 == 6 && r.2.starts_with("index date before the data window")));
    assert!(reasons.contains(&(7, "group", "group must be programme, comparison or unknown")));
    assert!(reasons.contains(&(8, "person_id", "a value is required")));
    assert!(reasons.iter().any(|r| r.0 == 9 && r.1 == "end_date"));
    // identifiers never appear in the rejection table
    for r in &out.rejections {
        assert!(!r.value.contains("A3"), "{r:?}");
        if r.column == "person_id" {
            assert_eq!(r.value, io::REDACTED);
        }
    }
    let bad_date = out.rejections.iter().find(|r| r.source_row == 5).unwrap();
    assert_eq!(bad_date.value, "2023-02-30");
    // covariates are typed by content
    let m = &out.data.members()[0];
    assert_eq!(m.group, Group::Programme);
    assert_eq!(
        m.covariates["age"],
        outcomes::cohort::CovariateValue::Number(34.0)
    );
    assert_eq!(
        m.covariates["area"],
        outcomes::cohort::CovariateValue::Category("North".into())
    );
    let m2 = &out.data.members()[1];
    assert_eq!(m2.end_date, Some(d(2024, 6, 30)));
}

#[test]
fn missing_column_names_file_and_column() {
    let dir = tmp("missing");
    let f = write(
        &dir,
        "people.csv",
        "id,index_date,group\nA1,2023-01-01,programme\n",
    );
    let e = io::load_cohort(&Source::new(&f), window()).unwrap_err();
    let s = e.to_string();
    assert!(s.contains("people.csv") && s.contains("`person_id`"), "{s}");
    // with a mapping it loads
    let src = Source::new(&f).columns(ColumnMap::new().map("person_id", "id"));
    assert_eq!(io::load_cohort(&src, window()).unwrap().data.len(), 1);
    let e = io::load_cohort(&Source::new(dir.join("nope.csv")), window()).unwrap_err();
    assert!(e.to_string().contains("nope.csv"), "{e}");
}

fn small_cohort(dir: &Path) -> io::Cohort {
    let f = write(
        dir,
        "cohort.csv",
        "person_id,index_date,group\nA1,2023-01-10,programme\nA2,2023-02-01,comparison\n",
    );
    io::load_cohort(&Source::new(&f), window()).unwrap().data
}

#[test]
fn service_events_rules() {
    let dir = tmp("events");
    let cohort = small_cohort(&dir);
    let f = write(
        &dir,
        "events.csv",
        "person_id,date,category,count
A1,2023-01-01,ae_attendance,
A1,2023-01-02,arrest,2
A9,2023-01-02,arrest,1
A2,2021-12-31,arrest,1
A2,2025-01-01,arrest,1
A2,2023-06-01,a_and_e,1
A2,2023-06-01,arrest,-1
A2,2023-06-01,arrest,1.5
A2,2023-06-01,prison_night,14
",
    );
    let cats = CategorySet::default();
    let out = io::load_service_events(&Source::new(&f), &cohort, &cats).unwrap();
    assert_eq!(out.summary.rows_read, 9);
    assert_eq!(out.data.len(), 3);
    let by_row: Vec<(u64, &str)> = out
        .rejections
        .iter()
        .map(|r| (r.source_row, r.reason.as_str()))
        .collect();
    assert_eq!(by_row[0], (3, "unknown person id (not in the cohort)"));
    assert!(by_row[1]
        .1
        .starts_with("date before the cohort's data window"));
    assert!(by_row[2].1.starts_with("date after the extract date"));
    assert_eq!(by_row[3], (6, "unknown service-use category"));
    assert_eq!(by_row[4], (7, "counts must not be negative"));
    assert_eq!(by_row[5], (8, "not a whole number"));
    let rec = out.data.to_records(&cats).unwrap();
    assert_eq!(
        rec.iter().map(|e| e.count).collect::<Vec<_>>(),
        vec![1, 2, 14]
    );
    assert_eq!(out.summary.by_reason["unknown service-use category"], 1);
}

#[test]
fn typed_and_frame_paths_agree_on_the_same_rows() {
    let dir = tmp("agree");
    let cohort = small_cohort(&dir);
    let cats = CategorySet::default();
    let raw = vec![
        RawServiceEvent {
            person_id: Some("A1".into()),
            date: Some("2023-01-01".into()),
            category: Some("arrest".into()),
            count: None,
        },
        RawServiceEvent {
            person_id: Some("A1".into()),
            date: Some("2023-1-01".into()),
            category: Some("arrest".into()),
            count: None,
        },
        RawServiceEvent {
            person_id: None,
            date: Some("2023-01-01".into()),
            category: Some("arrest".into()),
            count: Some("+3".into()),
        },
        RawServiceEvent {
            person_id: Some("A2".into()),
            date: Some("2023-01-01".into()),
            category: Some("".into()),
            count: Some("3".into()),
        },
        RawServiceEvent {
            person_id: Some("A2".into()),
            date: Some("2023-01-01".into()),
            category: Some("eviction".into()),
            count: Some(" 3".into()),
        },
    ];
    let typed = io::validate_service_events(&raw, "events.csv", &cohort, &cats);
    let mut csv = String::from("person_id,date,category,count\n");
    for r in &raw {
        let f = |v: &Option<String>| v.clone().unwrap_or_default();
        csv.push_str(&format!(
            "{},{},{},{}\n",
            f(&r.person_id),
            f(&r.date),
            f(&r.category),
            f(&r.count)
        ));
    }
    let f = write(&dir, "events.csv", &csv);
    let frame = io::load_service_events(&Source::new(&f), &cohort, &cats).unwrap();
    assert_eq!(typed.rejections, frame.rejections);
    assert_eq!(typed.summary, frame.summary);
    assert_eq!(typed.data, frame.data.to_records(&cats).unwrap());
}

#[test]
fn parquet_and_csv_give_the_same_result() {
    let dir = tmp("parquet");
    let spec = SyntheticSpec {
        people: 60,
        ..SyntheticSpec::sample()
    };
    write_sample(&dir, &spec).unwrap();
    let key = Pseudonymiser::new(b"test key of 16+ bytes").unwrap();
    let w = DataWindow::new(spec.data_start, spec.extract_date).unwrap();
    let cohort = io::load_cohort(
        &Source::new(dir.join("cohort.csv")).pseudonymise(key.clone()),
        w,
    )
    .unwrap();
    assert_eq!(cohort.summary.rejected, 0);
    io::csv_to_parquet(
        &dir.join("service_use.csv"),
        &dir.join("service_use.parquet"),
    )
    .unwrap();
    let cats = CategorySet::default();
    let a = io::load_service_events(
        &Source::new(dir.join("service_use.csv")).pseudonymise(key.clone()),
        &cohort.data,
        &cats,
    )
    .unwrap();
    let b = io::load_service_events(
        &Source::new(dir.join("service_use.parquet")).pseudonymise(key),
        &cohort.data,
        &cats,
    )
    .unwrap();
    assert_eq!(
        (a.summary.source.as_str(), b.summary.source.as_str()),
        ("service_use.csv", "service_use.parquet")
    );
    assert_eq!(a.summary.by_reason, b.summary.by_reason);
    assert_eq!(
        (a.summary.rows_read, a.summary.accepted),
        (b.summary.rows_read, b.summary.accepted)
    );
    assert_eq!(a.rejections, b.rejections);
    assert_eq!(
        a.data.to_records(&cats).unwrap(),
        b.data.to_records(&cats).unwrap()
    );
    assert!(a.summary.rejected > 0, "the sample plants faults");
    assert_eq!(a.summary.accepted + a.summary.rejected, a.summary.rows_read);
}

#[test]
fn frame_and_typed_aggregation_agree() {
    let dir = tmp("aggregate");
    let spec = SyntheticSpec {
        people: 80,
        ..SyntheticSpec::sample()
    };
    write_sample(&dir, &spec).unwrap();
    let w = DataWindow::new(spec.data_start, spec.extract_date).unwrap();
    let cohort = io::load_cohort(&Source::new(dir.join("cohort.csv")), w)
        .unwrap()
        .data;
    let cats = CategorySet::default();
    let ev = io::load_service_events(&Source::new(dir.join("service_use.csv")), &cohort, &cats)
        .unwrap()
        .data;
    let mut windows = Window::before_after_12_months().to_vec();
    windows.extend(Window::quarters(-4, 8));
    let codes = cats.codes();
    let frame = io::window_counts(&cohort, &ev, &windows, &codes)
        .unwrap()
        .to_records();
    let typed = aggregate(
        cohort.members(),
        w,
        &windows,
        &cats,
        &ev.to_records(&cats).unwrap(),
        &[],
    );
    assert_eq!(frame.len(), typed.len());
    assert_eq!(frame, typed);
    let total: f64 = typed.iter().map(|r| r.count.mid()).sum();
    assert!(total > 0.0);
}

#[test]
fn ndt_long_and_wide() {
    let dir = tmp("ndt");
    let cohort = small_cohort(&dir);
    let items = "engagement,intentional_self_harm,unintentional_self_harm,risk_to_others,risk_from_others,stress_and_anxiety,social_effectiveness,alcohol_drug_misuse,impulse_control,housing";
    let f = write(
        &dir,
        "ndt.csv",
        &format!(
            "person_id,date,{items}
A1,2023-01-10,3,2,2,6,4,3,3,4,3,4
A1,2023-01-10,3,2,2,6,4,3,3,4,3,4
A1,2023-04-10,3,2,2,5,4,3,3,4,3,4
A1,2023-07-10,3,2,2,6,4,3,3,4,3,5
A2,2023-02-01,999,999,999,999,999,999,999,999,999,999
A2,2023-05-01,1,1,,2,2,1,1,1,1,1
"
        ),
    );
    let out = io::load_ndt(&Source::new(&f), &cohort, PartialPolicy::Undefined).unwrap();
    assert_eq!(out.summary.rows_read, 6);
    assert_eq!(out.data.assessments.len(), 2);
    let r: Vec<(u64, &str, &str)> = out
        .rejections
        .iter()
        .map(|r| (r.source_row, r.column.as_str(), r.value.as_str()))
        .collect();
    assert_eq!(r[0], (1, "person_id", io::REDACTED));
    assert_eq!(r[1], (2, "person_id", io::REDACTED));
    assert_eq!(r[2], (3, "risk_to_others", "5"));
    assert_eq!(r[3], (4, "housing", "5"));
    assert!(out.rejections[2].reason.contains("odd values are invalid"));
    // sentinels are missing items, not scores
    let a2 = &out.data.assessments[0];
    assert_eq!(a2.items_present(), 0);
    assert_eq!(a2.total(PartialPolicy::Undefined).unwrap(), None);
    let strict = io::load_ndt(&Source::new(&f), &cohort, PartialPolicy::Reject).unwrap();
    assert!(strict
        .rejections
        .iter()
        .any(|r| r.source_row == 6 && r.column == "unintentional_self_harm"));

    let mut header = String::from("person_id");
    for k in 1..=2 {
        header.push_str(&format!(",NDTDATE_{k},NDTENG_{k},NDTISH_{k},NDTUSH_{k},NDTRTO_{k},NDTRFO_{k},NDTSAX_{k},NDTSE_{k},NDTADA_{k},NDTIC_{k},NDTHNG_{k}"));
    }
    let wide = write(
        &dir,
        "cdf.csv",
        &format!(
            "{header}
A1,2023-01-10,3,2,2,6,4,3,3,4,3,4,2023-07-12,2,2,2,4,4,2,2,3,2,3
A2,2023-02-01,1,1,1,2,2,1,1,1,1,1,997,999,999,999,999,999,999,999,999,999,999
A9,999,999,999,999,999,999,999,999,999,999,999,2023-08-01,1,1,1,3,2,1,1,1,1,1
"
        ),
    );
    let out = io::load_ndt_wide(&Source::new(&wide), &cohort, PartialPolicy::Undefined).unwrap();
    assert_eq!(out.summary.rows_read, 6, "3 people x 2 waves");
    assert_eq!(out.data.assessments.len(), 3);
    let r: Vec<(u64, &str, &str)> = out
        .rejections
        .iter()
        .map(|r| (r.source_row, r.column.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(r[0], (2, "NDTDATE_2", "NDT due but not done (NDTDATE 997)"));
    assert_eq!(r[1], (3, "NDTDATE_1", "NDT not due (NDTDATE 999)"));
    assert_eq!(
        r[2],
        (3, "person_id", "unknown person id (not in the cohort)")
    );
    let totals: Vec<Option<f64>> = out
        .data
        .assessments
        .iter()
        .map(|a| {
            a.total(PartialPolicy::Undefined)
                .unwrap()
                .map(|t| t.value())
        })
        .collect();
    assert_eq!(totals, vec![Some(34.0), Some(26.0), Some(12.0)]);
}

#[test]
fn period_counts_exact_and_banded() {
    use outcomes::measures::service_use::{BandScheme, Count};
    let dir = tmp("period");
    let cohort = small_cohort(&dir);
    let f = write(
        &dir,
        "cdf_quarters.csv",
        "person_id,period_start,period_end,category,count
A1,2023-01-10,2023-04-09,ae_attendance,3
A1,2023-01-10,2023-04-09,arrest,5 to 9
A1,2023-04-10,2023-07-09,arrest,10 or more
A2,2023-02-01,2023-04-30,arrest,lots
A2,2023-02-01,2023-01-30,eviction,1
A2,2023-05-01,2023-07-31,eviction,-2
A2,2023-08-01,2023-10-31,eviction,1 to 2
A2,2023-08-01,2023-10-31,eviction,1
",
    );
    let bands = BandScheme::default();
    let out =
        io::load_period_counts(&Source::new(&f), &cohort, &CategorySet::default(), &bands).unwrap();
    assert_eq!(out.summary.rows_read, 8);
    assert_eq!(out.summary.accepted + out.summary.rejected, 8);
    assert_eq!(out.data.len(), 3);
    assert_eq!(out.data[0].count, Count::exact(3));
    assert_eq!(
        (
            out.data[1].count.low(),
            out.data[1].count.mid(),
            out.data[1].count.high()
        ),
        (5.0, 7.0, 9.0)
    );
    assert_eq!(
        (out.data[2].count.low(), out.data[2].count.high()),
        (10.0, 20.0)
    );
    let r: Vec<(u64, &str)> = out
        .rejections
        .iter()
        .map(|r| (r.source_row, r.column.as_str()))
        .collect();
    assert_eq!(
        r,
        vec![
            (4, "count"),
            (5, "period_end"),
            (6, "count"),
            (7, "person_id"),
            (8, "person_id")
        ]
    );
    assert!(out.rejections[0].reason.contains("5 to 9"));
    assert_eq!(out.rejections[1].reason, "the period ends before it starts");
    assert!(out.rejections[3].reason.starts_with("duplicate count"));
}

/// `data/sample/` is exactly what `cargo run --example generate_sample`
/// writes (the generator is seeded and deterministic).
#[test]
fn committed_sample_matches_the_generator() {
    let dir = tmp("regen");
    write_sample(&dir, &SyntheticSpec::sample()).unwrap();
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    for f in ["cohort.csv", "service_use.csv", "ndt.csv", "ndt_wide.csv"] {
        assert_eq!(
            std::fs::read(dir.join(f)).unwrap(),
            std::fs::read(committed.join(f)).unwrap(),
            "{f} differs from the generator's output: rerun `cargo run --example generate_sample`"
        );
    }
}

#[test]
fn sample_loads_with_every_row_accounted_for() {
    let spec = SyntheticSpec::sample();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let w = DataWindow::new(spec.data_start, spec.extract_date).unwrap();
    let key = Pseudonymiser::new(b"demonstration key - use your own").unwrap();
    let cohort = io::load_cohort(
        &Source::new(data.join("cohort.csv")).pseudonymise(key.clone()),
        w,
    )
    .unwrap();
    assert_eq!(cohort.data.len(), 300);
    let ev = io::load_service_events(
        &Source::new(data.join("service_use.csv")).pseudonymise(key.clone()),
        &cohort.data,
        &CategorySet::default(),
    )
    .unwrap();
    let ndt = io::load_ndt(
        &Source::new(data.join("ndt.csv")).pseudonymise(key.clone()),
        &cohort.data,
        PartialPolicy::Undefined,
    )
    .unwrap();
    let wide = io::load_ndt_wide(
        &Source::new(data.join("ndt_wide.csv")).pseudonymise(key),
        &cohort.data,
        PartialPolicy::Undefined,
    )
    .unwrap();
    for s in [&cohort.summary, &ev.summary, &ndt.summary, &wide.summary] {
        assert_eq!(s.accepted + s.rejected, s.rows_read, "{s:?}");
    }
    // the planted faults are rejected, each with its reason
    assert!(ev.summary.rejected > 0 && ndt.summary.rejected > 0);
    assert!(ev
        .rejections
        .iter()
        .all(|r| !r.reason.is_empty() && r.source_row > 0));
    assert!(wide.summary.by_reason.keys().any(|k| k.contains("999")));
    // NDT totals stay in range
    for a in &ndt.data.assessments {
        if let Some(t) = a.total(PartialPolicy::Undefined).unwrap() {
            assert!((0.0..=48.0).contains(&t.value()));
        }
    }
}

/// A typed Parquet extract (date as `Date`, count as `Int64`, several row
/// groups, dictionary-encoded text) with every kind of fault, large enough
/// for the frame path to split its columns across threads: the frame path
/// gives exactly the typed path's rejections and accepted rows. The cohort
/// (400 people, half with pseudonyms too long to sit inside a string view)
/// is large enough for membership to be checked run by run near the last
/// match in cohort order, and the extract both follows that order and
/// breaks it.
#[test]
fn typed_parquet_extract_matches_the_typed_path() {
    use outcomes::cohort::{CohortMember, PersonId};
    use polars::prelude::*;
    let dir = tmp("typed-parquet");
    let ids: Vec<String> = (0..400)
        .map(|i| {
            if i % 2 == 0 {
                format!("P{i:05}")
            } else {
                format!("person-with-a-long-pseudonym-{i:05}")
            }
        })
        .collect();
    let members: Vec<CohortMember> = ids
        .iter()
        .map(|id| CohortMember {
            person: PersonId::from_pseudonym(id.as_str()).unwrap(),
            index_date: d(2023, 1, 1),
            group: Group::Programme,
            end_date: None,
            end_reason: None,
            covariates: Default::default(),
        })
        .collect();
    let cohort = io::Cohort::new(members, window()).unwrap();
    let cats = CategorySet::default();
    let codes = cats.codes();

    // The crate's seeded generator: the test's data are fixed.
    let mut rng = outcomes::rng::Rng::new(0x2545_f491_4f6c_dd1d);
    let mut next = move |n: u64| rng.below(n);
    let rows = 260_000;
    let (mut person, mut date, mut category, mut count) = (
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
    );
    // The cohort member the current run is about (None: someone unknown),
    // and the last member seen.
    let (mut who, mut member) = (None, 0usize);
    let mut left = 0u64;
    for _ in 0..rows {
        if left == 0 {
            left = 1 + next(20);
            who = match next(100) {
                // Mostly the next person in cohort order, sometimes skipping.
                0..=79 => Some((member + 1 + next(3) as usize) % ids.len()),
                80..=94 => Some(next(ids.len() as u64) as usize),
                _ => None,
            };
            member = who.unwrap_or(member);
        }
        left -= 1;
        person.push(match (who, next(1000)) {
            (_, 0) => None,
            (_, 1) => Some(String::new()),
            (None, k) => Some(format!("stranger-{}", k % 7)),
            (Some(w), _) => Some(ids[w].clone()),
        });
        date.push(match next(200) {
            0 => None,
            1 => Some(d(2021, 12, 31)),
            2 => Some(d(2025, 1, 1)),
            k => Some(d(2022, 1, 1) + chrono::Days::new(k * 5)),
        });
        category.push(match next(300) {
            0 => None,
            1 => Some(String::new()),
            2 => Some("not_a_category".to_string()),
            3 => Some("ARREST".to_string()),
            k => Some(codes[k as usize % codes.len()].clone()),
        });
        count.push(match next(100) {
            0..=29 => None,
            30 => Some(-1i64),
            31 => Some(i64::from(u32::MAX) + 1),
            k => Some(k as i64 % 9),
        });
    }
    let epoch = d(1970, 1, 1);
    let days: Vec<Option<i32>> = date
        .iter()
        .map(|x| x.map(|x: NaiveDate| (x - epoch).num_days() as i32))
        .collect();
    let mut df = DataFrame::new(
        rows,
        vec![
            Column::new("person_id".into(), &person),
            Int32Chunked::from_iter_options("date".into(), days.into_iter())
                .into_date()
                .into_column(),
            Column::new("category".into(), &category),
            Column::new("count".into(), &count),
        ],
    )
    .unwrap();
    let path = dir.join("events.parquet");
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .with_row_group_size(Some(40_000))
        .finish(&mut df)
        .unwrap();

    let frame = io::load_service_events(&Source::new(&path), &cohort, &cats).unwrap();
    let raw: Vec<RawServiceEvent> = (0..rows)
        .map(|i| RawServiceEvent {
            person_id: person[i].clone(),
            date: date[i].map(|x| x.format("%Y-%m-%d").to_string()),
            category: category[i].clone(),
            count: count[i].map(|c| c.to_string()),
        })
        .collect();
    let typed = io::validate_service_events(&raw, "events.parquet", &cohort, &cats);
    assert_eq!(typed.summary, frame.summary);
    assert_eq!(typed.rejections, frame.rejections);
    assert_eq!(typed.data, frame.data.to_records(&cats).unwrap());
    // Every kind of fault is there, each under its own reason (a count too
    // large for one row is its own reason, not "negative"), and most rows
    // are clean.
    let reasons: Vec<&str> = frame.summary.by_reason.keys().map(String::as_str).collect();
    assert_eq!(reasons.len(), 7, "{reasons:?}");
    assert!(reasons
        .iter()
        .any(|r| r.starts_with("count above the stated maximum")));
    assert!(frame.summary.accepted > rows as u64 / 2);
}
