//! The column-wise attendance path (`io::attendance`) against the typed path
//! (`measures::attendance`): the same accepted marks, the same rejections
//! (row, column, value, reason) and the same per-enrolment measures, on the
//! bundled sample register and on generated marks that cross the
//! 19 August 2024 code-set change. The typed path is the reference: its
//! definitions are the DfE's (METHODS.md, attendance §1), and the frame path
//! must reproduce them exactly (rates compared bit for bit: both divide the
//! same two integers in f64).

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use outcomes::cohort::{CohortMember, DataWindow, Group, PersonId};
use outcomes::io::attendance::{
    attendance_window_summary, enrolment_measures, RegisterMarks, SUMMARY_MEASURES,
};
use outcomes::io::{Cohort, Source};
use outcomes::measures::attendance::{
    classify_marks, enrolment_summaries, group_summary, read_register_csv, AbsenceThreshold,
    AcademicYear, ClassifiedMark, CodeSet, LabelledPeriod, SchoolId, Session, SessionMark,
    SessionTally,
};
use outcomes::measures::service_use::Window;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn everything() -> LabelledPeriod {
    LabelledPeriod::new("everything", d(1990, 1, 1), d(2100, 12, 31)).unwrap()
}

fn sample_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample/register.csv")
}

/// The bundled register (226,663 marks, both code sets, three planted
/// faults): the frame path's rejections equal `read_register_csv`'s, and its
/// per-enrolment measures equal `enrolment_summaries` for each academic
/// year and for the whole register; group rates equal `group_summary`.
#[test]
fn sample_register_agrees_with_the_typed_path() {
    let path = sample_path();
    let typed = read_register_csv("register.csv", std::fs::File::open(&path).unwrap()).unwrap();
    let marks = RegisterMarks::read(&Source::new(&path)).unwrap();
    let t = AbsenceThreshold::default();
    for period in [
        AcademicYear::new(2023).unwrap().period(),
        AcademicYear::new(2024).unwrap().period(),
        everything(),
    ] {
        let frame = enrolment_measures(&marks, Some(&period), t).unwrap();
        assert_eq!(frame.rows_read(), typed.rows_read);
        assert_eq!(frame.rejected(), typed.rejected.as_slice());
        assert_eq!(frame.accepted() as usize, typed.accepted.len());
        let want = enrolment_summaries(&typed.accepted, &period, t);
        assert!(!want.is_empty());
        assert_eq!(frame.to_records().unwrap(), want, "{}", period.label());
        let counts: Vec<_> = want.iter().map(|e| e.tally.counts()).collect();
        assert_eq!(
            frame.group_summary(t).unwrap(),
            group_summary(&counts, t).unwrap()
        );
    }
    // The planted faults (data/README.md): rows 4685 (unknown code A),
    // 8665 (J1 before 19 Aug 2024), 14915 (a second mark for a session).
    let frame = enrolment_measures(&marks, None, t).unwrap();
    let rows: Vec<(u64, &str)> = frame
        .rejected()
        .iter()
        .map(|r| (r.source_row, r.column.as_str()))
        .collect();
    assert_eq!(
        rows,
        vec![(4685, "code"), (8665, "code"), (14915, "session")]
    );
    assert_eq!(frame.accepted() + 3, frame.rows_read());
    assert_eq!(frame.period(), "all marks");
}

/// The sample as Parquet (typed date column) gives the same answer.
#[test]
fn parquet_register_agrees_with_csv() {
    let dir = std::env::temp_dir().join(format!("outcomes-att-frame-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pq = dir.join("register.parquet");
    outcomes::io::csv_to_parquet(&sample_path(), &pq).unwrap();
    let t = AbsenceThreshold::default();
    let year = AcademicYear::new(2024).unwrap().period();
    let a = enrolment_measures(
        &RegisterMarks::read(&Source::new(sample_path())).unwrap(),
        Some(&year),
        t,
    )
    .unwrap();
    let b = enrolment_measures(
        &RegisterMarks::read(&Source::new(&pq)).unwrap(),
        Some(&year),
        t,
    )
    .unwrap();
    assert_eq!(a.to_records().unwrap(), b.to_records().unwrap());
    assert_eq!(a.rejected(), b.rejected());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A CSV with every kind of bad row, against `read_register_csv` (the
/// structural CSV faults of the typed reader, such as a short record, are
/// not part of this comparison).
#[test]
fn bad_rows_match_the_typed_reader() {
    let text = "pupil_id,school_urn,date,session,code\n\
p1,S1,2024-07-01,AM,J\n\
p1,S1,2024-07-01,PM,J1\n\
p1,S1,2024-13-01,AM,/\n\
p1,S1,2024-09-02,XX,/\n\
,S1,2024-09-02,AM,/\n\
p1,S1,2024-09-02,am,J1\n\
p1,S1,2024-09-02,AM,/\n\
p2, S1 ,2024-08-19,PM, K \n\
p2,S1,2024-08-19,PM,/\n\
p2,S1,2024-08-16,PM,K\n\
p3,,2024-08-16,PM,/\n\
p3,S9, 2024-08-16 ,pm,H\n";
    let dir = std::env::temp_dir().join(format!("outcomes-att-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.csv");
    std::fs::write(&path, text).unwrap();
    let typed = read_register_csv("bad.csv", text.as_bytes()).unwrap();
    let t = AbsenceThreshold::default();
    let frame =
        enrolment_measures(&RegisterMarks::read(&Source::new(&path)).unwrap(), None, t).unwrap();
    assert_eq!(frame.rejected(), typed.rejected.as_slice());
    assert_eq!(frame.rows_read(), typed.rows_read);
    assert_eq!(
        frame.to_records().unwrap().len(),
        enrolment_summaries(&typed.accepted, &everything(), t).len()
    );
    let mut want = enrolment_summaries(&typed.accepted, &everything(), t);
    for w in &mut want {
        w.period = "all marks".to_string();
    }
    assert_eq!(frame.to_records().unwrap(), want);
    std::fs::remove_dir_all(&dir).unwrap();
}

// ------------------------------------------------------------------ proptest

fn any_code() -> impl Strategy<Value = String> {
    let mut known: Vec<String> = CodeSet::Pre2024
        .codes()
        .iter()
        .chain(CodeSet::From2024.codes())
        .map(|c| c.code.to_string())
        .collect();
    known.sort();
    known.dedup();
    let padded = known.clone();
    prop_oneof![
        8 => proptest::sample::select(known),
        1 => proptest::sample::select(padded).prop_map(|c| format!(" {c}")),
        1 => "[A-Za-z0-9#/ ]{0,3}",
    ]
}

/// Marks for 6 pupils at 3 schools over 40 days either side of
/// 19 August 2024 (both code sets), repeated sessions likely.
fn any_mark() -> impl Strategy<Value = SessionMark<String>> {
    (0u8..6, 0usize..3, -40i64..40, any::<bool>(), any_code()).prop_map(|(p, s, day, am, code)| {
        SessionMark {
            pupil: format!("p{p}"),
            school: SchoolId::new(["A", "B", "C"][s]).unwrap(),
            date: d(2024, 8, 19) + chrono::Duration::days(day),
            session: if am { Session::Am } else { Session::Pm },
            code,
        }
    })
}

fn compare(marks: &[SessionMark<String>], period: &LabelledPeriod, t: AbsenceThreshold) {
    let typed = classify_marks(marks);
    let frame =
        enrolment_measures(&RegisterMarks::from_marks(marks).unwrap(), Some(period), t).unwrap();
    assert_eq!(frame.rows_read() as usize, marks.len());
    assert_eq!(frame.rejected(), typed.rejected.as_slice());
    assert_eq!(frame.accepted() as usize, typed.accepted.len());
    assert_eq!(
        frame.to_records().unwrap(),
        enrolment_summaries(&typed.accepted, period, t)
    );
}

fn to_marks(accepted: &[ClassifiedMark<String>]) -> Vec<SessionMark<String>> {
    accepted
        .iter()
        .map(|m| SessionMark {
            pupil: m.pupil.clone(),
            school: m.school.clone(),
            date: m.date,
            session: m.session,
            code: m.code.code.to_string(),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Arbitrary marks (unknown and padded codes, codes of the other set,
    /// repeated sessions): the exact row-level pass.
    #[test]
    fn frame_equals_typed_on_any_marks(
        marks in proptest::collection::vec(any_mark(), 0..200),
        pct in 1u32..=100,
        window in 0usize..3,
    ) {
        let t = AbsenceThreshold::from_percent(pct).unwrap();
        let period = [
            everything(),
            LabelledPeriod::new("before", d(2024, 7, 1), d(2024, 8, 18)).unwrap(),
            LabelledPeriod::new("across", d(2024, 8, 10), d(2024, 9, 5)).unwrap(),
        ][window].clone();
        compare(&marks, &period, t);
    }

    /// Clean marks (every code in force, no repeated session): the
    /// one-pass path.
    #[test]
    fn frame_equals_typed_on_clean_marks(
        marks in proptest::collection::vec(any_mark(), 0..200),
        pct in 1u32..=100,
    ) {
        let clean = to_marks(&classify_marks(&marks).accepted);
        let t = AbsenceThreshold::from_percent(pct).unwrap();
        compare(&clean, &everything(), t);
        compare(&clean, &LabelledPeriod::new("across", d(2024, 8, 10), d(2024, 9, 5)).unwrap(), t);
    }
}

// ------------------------------------------------------------- summary

/// The long per-person-window summary against the typed path: for each
/// cohort member and window, the accepted marks with `Window::contains`
/// (months since the index date) summed over schools, measured with
/// `AbsenceCounts::measures`. Pupil 5 is not in the cohort.
#[test]
fn window_summary_agrees_with_typed_tallies() {
    let mut marks = Vec::new();
    let mut day = d(2024, 3, 1);
    let codes = ["/", "I", "O", "X", "\\", "/", "N", "/", "J1", "K"];
    let mut i = 0usize;
    while day < d(2025, 3, 1) {
        for p in 0..6u8 {
            for s in [Session::Am, Session::Pm] {
                i += 1;
                let code = codes[(i * (p as usize + 3)) % codes.len()];
                marks.push(SessionMark {
                    pupil: format!("pupil{p}"),
                    school: SchoolId::new(if day < d(2024, 11, 1) { "A" } else { "B" }).unwrap(),
                    date: day,
                    session: s,
                    code: code.to_string(),
                });
            }
        }
        day += chrono::Duration::days(3);
    }
    let index = [
        d(2024, 9, 1),
        d(2024, 8, 19),
        d(2024, 10, 31),
        d(2024, 6, 15),
        d(2025, 2, 1),
    ];
    let members: Vec<CohortMember> = index
        .iter()
        .enumerate()
        .map(|(p, idx)| CohortMember {
            person: PersonId::from_pseudonym(format!("pupil{p}")).unwrap(),
            index_date: *idx,
            group: Group::Programme,
            end_date: None,
            end_reason: None,
            covariates: BTreeMap::new(),
        })
        .collect();
    let window = DataWindow::new(d(2024, 1, 1), d(2025, 3, 31)).unwrap();
    let cohort = Cohort::new(members.clone(), window).unwrap();
    let windows = vec![
        Window::new("before", -6, 0).unwrap(),
        Window::new("after", 0, 6).unwrap(),
        Window::quarter(0),
        Window::new("later", 24, 30).unwrap(),
    ];
    let t = AbsenceThreshold::default();
    let frame = RegisterMarks::from_marks(&marks).unwrap();
    let s = attendance_window_summary(&cohort, &frame, &windows, t).unwrap();
    let typed = classify_marks(&marks);
    assert_eq!(s.rejected(), typed.rejected.as_slice());
    assert!(!typed.rejected.is_empty());
    let outside = typed
        .accepted
        .iter()
        .filter(|m| m.pupil == "pupil5")
        .count() as u64;
    assert_eq!(s.marks_outside_cohort(), outside);
    assert_eq!(
        s.len(),
        members.len() * windows.len() * SUMMARY_MEASURES.len()
    );
    let rows = s.to_records().unwrap();
    let mut k = 0;
    for m in &members {
        let observed = window.observed(m);
        for w in &windows {
            let mut tally = SessionTally::default();
            for x in typed
                .accepted
                .iter()
                .filter(|x| x.pupil == m.person.pseudonym() && w.contains(m.index_date, x.date))
            {
                tally.add(x.code.category);
            }
            let meas = tally.counts().measures(t);
            let obs = match (w.period(m.index_date), observed) {
                (Some(a), Some(b)) => a.intersect(&b).map_or(0, |x| x.days()),
                _ => 0,
            };
            let flag = |b: Option<bool>| b.map(|x| f64::from(u8::from(x)));
            let want = [
                Some(meas.possible as f64),
                meas.attendance_rate,
                meas.overall_absence_rate,
                flag(meas.persistent_absentee),
                flag(meas.severe_absentee),
            ];
            for (name, v) in SUMMARY_MEASURES.iter().zip(want) {
                let r = &rows[k];
                k += 1;
                assert_eq!(&r.person, &m.person);
                assert_eq!(r.window, w.label());
                assert_eq!(r.measure, *name);
                assert_eq!(r.value, v, "{} {}", w.label(), name);
                assert_eq!(r.observed_days, obs);
            }
        }
    }
    // Someone has no possible sessions in some window: undefined, not 0.
    assert!(rows
        .iter()
        .any(|r| r.measure == "attendance_rate" && r.value.is_none()));
    assert!(rows
        .iter()
        .any(|r| r.measure == "persistent_absence" && r.value == Some(1.0)));

    // The per-person summary frame carries the same attendance measures.
    let summary = outcomes::io::SummaryBuilder::new(&cohort, &windows)
        .attendance(&frame, t)
        .build()
        .unwrap();
    for w in &windows {
        for name in SUMMARY_MEASURES {
            let want: Vec<Option<f64>> = members
                .iter()
                .map(|m| {
                    rows.iter()
                        .find(|r| {
                            r.person == m.person && r.window == w.label() && r.measure == name
                        })
                        .and_then(|r| r.value)
                })
                .collect();
            assert_eq!(
                summary.values(name, w.label()).unwrap(),
                want,
                "{} {name}",
                w.label()
            );
        }
        assert_eq!(
            summary.observed_days(w.label()).unwrap(),
            members
                .iter()
                .map(|m| rows
                    .iter()
                    .find(|r| r.person == m.person && r.window == w.label())
                    .unwrap()
                    .observed_days)
                .collect::<Vec<_>>()
        );
    }
}
