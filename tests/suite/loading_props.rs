//! Properties of loading and validation, driven by proptest: no panic on any
//! bytes, every row accounted for, the typed and frame paths agree, and NDT
//! totals stay within 0–48.

use std::io::Write;

use chrono::NaiveDate;
use outcomes::cohort::{CohortMember, DataWindow, Group, PersonId};
use outcomes::io::{self, Cohort, RawServiceEvent, Source};
use outcomes::measures::ndt::{NdtAssessment, NdtItem, PartialPolicy};
use outcomes::measures::service_use::CategorySet;
use proptest::prelude::*;

fn cohort() -> Cohort {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    // 300 members: more than the size (256) above which the frame path walks
    // a text column by runs and looks near the last match in cohort order
    // (`TextWalk::Runs`), rather than per distinct view as for the category
    // codes, so both walks are exercised against the typed path.
    let ids: Vec<String> = ["A1", "A2", "A3"]
        .iter()
        .map(|s| s.to_string())
        .chain((4..=300).map(|i| format!("F{i}")))
        .collect();
    let members = ids
        .iter()
        .map(|id| CohortMember {
            person: PersonId::from_pseudonym(id.as_str()).unwrap(),
            index_date: d(2023, 6, 1),
            group: Group::Programme,
            end_date: None,
            end_reason: None,
            covariates: Default::default(),
        })
        .collect();
    Cohort::new(
        members,
        DataWindow::new(d(2022, 1, 1), d(2024, 12, 31)).unwrap(),
    )
    .unwrap()
}

fn tmp_file(tag: &str, bytes: &[u8]) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let p = std::env::temp_dir().join(format!(
        "outcomes-prop-{}-{tag}-{}.csv",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::File::create(&p).unwrap().write_all(bytes).unwrap();
    p
}

/// Cells drawn from a mix of valid values and near misses.
fn cell(valid: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        4 => proptest::sample::select(valid).prop_map(|s| Some(s.to_string())),
        1 => Just(None),
        1 => "[ -~]{0,12}".prop_map(|s| Some(s.replace([',', '"', '\n', '\r'], ""))),
    ]
}

fn raw_event() -> impl Strategy<Value = RawServiceEvent> {
    (
        cell(&["A1", "A2", "A3", "B9"]),
        cell(&[
            "2023-01-05",
            "2024-02-29",
            "2023-02-29",
            "2021-12-31",
            "2025-01-01",
            "2023-1-5",
        ]),
        cell(&[
            "arrest",
            "ae_attendance",
            "prison_night",
            "a_and_e",
            "Arrest",
        ]),
        cell(&["1", "0", "14", "-1", "2.5", "+3", "007", ""]),
    )
        .prop_map(|(person_id, date, category, count)| RawServiceEvent {
            person_id,
            date,
            category,
            count,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn no_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut text = b"person_id,date,category,count\n".to_vec();
        text.extend(bytes);
        let p = tmp_file("bytes", &text);
        let c = cohort();
        if let Ok(out) = io::load_service_events(&Source::new(&p), &c, &CategorySet::default()) {
            prop_assert_eq!(out.summary.accepted + out.summary.rejected, out.summary.rows_read);
        }
        let _ = io::load_cohort(&Source::new(&p), c.data_window());
        let _ = io::load_ndt(&Source::new(&p), &c, PartialPolicy::Undefined);
        let _ = io::load_ndt_wide(&Source::new(&p), &c, PartialPolicy::Undefined);
        std::fs::remove_file(&p).ok();
    }

    // At least one row: a file with a header and no rows is refused by the
    // frame path (tested in `loading_refuses`), so there is nothing to compare.
    #[test]
    fn typed_and_frame_paths_agree(rows in proptest::collection::vec(raw_event(), 1..25)) {
        let c = cohort();
        let cats = CategorySet::default();
        let typed = io::validate_service_events(&rows, "events.csv", &c, &cats);
        let mut csv = String::from("person_id,date,category,count\n");
        for r in &rows {
            let f = |v: &Option<String>| v.clone().unwrap_or_default();
            csv.push_str(&format!("{},{},{},{}\n", f(&r.person_id), f(&r.date), f(&r.category), f(&r.count)));
        }
        let p = tmp_file("agree", csv.as_bytes());
        let frame = io::load_service_events(&Source::new(&p), &c, &cats).unwrap();
        std::fs::remove_file(&p).ok();
        prop_assert_eq!(frame.summary.rows_read as usize, rows.len());
        prop_assert_eq!(frame.summary.accepted + frame.summary.rejected, frame.summary.rows_read);
        prop_assert_eq!(&typed.rejections, &frame.rejections);
        prop_assert_eq!(&typed.summary.by_reason, &frame.summary.by_reason);
        prop_assert_eq!(typed.data, frame.data.to_records(&cats).unwrap());
        for r in &frame.rejections {
            prop_assert!(!(r.column == "person_id" && r.value != io::REDACTED));
        }
    }

    #[test]
    fn ndt_totals_stay_in_range(raw in proptest::collection::vec(proptest::option::of(0i64..=8), 10), min in 1u8..=10) {
        let raw: [Option<i64>; 10] = std::array::from_fn(|k| raw[k].map(|v| if NdtItem::ALL[k].scale().max() == 4 { v % 5 } else { v - v % 2 }));
        let a = NdtAssessment::from_raw(PersonId::from_pseudonym("p").unwrap(), NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), raw).unwrap();
        for policy in [PartialPolicy::Undefined, PartialPolicy::ProRate { min_items: min }, PartialPolicy::Reject] {
            if let Ok(Some(t)) = a.total(policy) {
                prop_assert!((0.0..=48.0).contains(&t.value()), "{}", t.value());
            }
        }
        prop_assert_eq!(a.total(PartialPolicy::Undefined).unwrap().is_some(), a.items_present() == 10);
    }
}
