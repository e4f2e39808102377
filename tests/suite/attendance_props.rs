//! Property tests for the attendance measures: no panics, rates in [0, 1],
//! sessions conserved, group rates equal to sums over sessions.

use chrono::NaiveDate;
use outcomes::measures::attendance::{
    classify_marks, enrolment_summaries, group_summary, pupil_summaries, AbsenceCounts,
    AbsenceThreshold, AcademicYear, CodeSet, LabelledPeriod, SchoolId, Session, SessionMark,
};
use proptest::prelude::*;

fn any_code() -> impl Strategy<Value = String> {
    let mut known: Vec<String> = CodeSet::Pre2024
        .codes()
        .iter()
        .chain(CodeSet::From2024.codes())
        .map(|c| c.code.to_string())
        .collect();
    known.sort();
    known.dedup();
    prop_oneof![
        4 => proptest::sample::select(known),
        1 => ".{0,3}",
    ]
}

fn any_mark() -> impl Strategy<Value = SessionMark<u8>> {
    (0u8..6, 0usize..3, 0i64..800, any::<bool>(), any_code()).prop_map(|(p, s, day, am, code)| {
        let base = NaiveDate::from_ymd_opt(2023, 6, 1).unwrap();
        SessionMark {
            pupil: p,
            school: SchoolId::new(["A", "B", "C"][s]).unwrap(),
            date: base + chrono::Duration::days(day),
            session: if am { Session::Am } else { Session::Pm },
            code,
        }
    })
}

fn in_unit(x: Option<f64>) -> bool {
    x.is_none_or(|v| (0.0..=1.0).contains(&v))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn sessions_are_conserved_and_rates_bounded(marks in proptest::collection::vec(any_mark(), 0..300)) {
        let c = classify_marks(&marks);
        prop_assert_eq!(c.accepted.len() + c.rejected.len(), marks.len());
        for m in &c.accepted {
            prop_assert_eq!(m.code.set, CodeSet::in_force_on(m.date));
        }
        for year in [2022, 2023, 2024] {
            let period = AcademicYear::new(year).unwrap().period();
            let in_period = c.accepted.iter().filter(|m| period.contains(m.date)).count() as u64;
            let e = enrolment_summaries(&c.accepted, &period, AbsenceThreshold::default());
            let p = pupil_summaries(&c.accepted, &period, AbsenceThreshold::default());
            let te: u64 = e.iter().map(|x| x.tally.total()).sum();
            let tp: u64 = p.iter().map(|x| x.tally.total()).sum();
            prop_assert_eq!(te, in_period);
            prop_assert_eq!(tp, in_period);
            for x in &e {
                let m = x.measures;
                let t = x.tally;
                prop_assert_eq!(t.present + t.approved_educational_activity + t.authorised + t.unauthorised + t.not_possible, t.total());
                prop_assert_eq!(m.possible, m.attended + m.overall);
                prop_assert!(in_unit(m.attendance_rate) && in_unit(m.overall_absence_rate));
                prop_assert!(in_unit(m.authorised_absence_rate) && in_unit(m.unauthorised_absence_rate));
                if let (Some(a), Some(o)) = (m.attendance_rate, m.overall_absence_rate) {
                    prop_assert!((a + o - 1.0).abs() < 1e-12);
                }
                prop_assert_eq!(m.persistent_absentee.is_none(), m.possible == 0);
            }
            let counts: Vec<AbsenceCounts> = e.iter().map(|x| x.tally.counts()).collect();
            let g = group_summary(&counts, AbsenceThreshold::default()).unwrap();
            let sum_possible: u64 = counts.iter().map(|c| c.possible()).sum();
            let sum_overall: u64 = counts.iter().map(|c| c.overall()).sum();
            prop_assert_eq!(g.possible, sum_possible);
            prop_assert_eq!(g.overall, sum_overall);
            if sum_possible > 0 {
                prop_assert_eq!(g.overall_absence_rate, Some(sum_overall as f64 / sum_possible as f64));
            } else {
                prop_assert_eq!(g.overall_absence_rate, None);
            }
            prop_assert!(in_unit(g.persistent_absence_rate) && in_unit(g.severe_absence_rate));
            prop_assert!(g.severe_absentees <= g.persistent_absentees);
            // Pupil view sums the enrolments.
            let pupil_possible: u64 = p.iter().map(|x| x.measures.possible).sum();
            prop_assert_eq!(pupil_possible, sum_possible);
        }
    }

    #[test]
    fn dfe_counts_never_panic(a in any::<i64>(), b in any::<i64>(), c in any::<i64>()) {
        if let Ok(x) = AbsenceCounts::from_dfe(a, b, c) {
            prop_assert!(x.overall() <= x.possible());
            let m = x.measures(AbsenceThreshold::default());
            prop_assert!(in_unit(m.overall_absence_rate));
        } else {
            prop_assert!(a < 0 || b < 0 || c < 0 || (b as i128 + c as i128) > a as i128);
        }
    }

    #[test]
    fn threshold_counts_the_exact_boundary(k in 1u64..10_000, pct in 1u32..=100) {
        let t = AbsenceThreshold::from_percent(pct).unwrap();
        // possible = 100k, absence = pct*k is exactly pct%.
        let possible = 100 * k;
        let at = pct as u64 * k;
        prop_assert_eq!(t.is_met(at, possible), Some(true));
        prop_assert_eq!(t.is_met(at - 1, possible), Some(false));
    }

    #[test]
    fn parsers_never_panic(s in ".{0,12}") {
        let _ = AcademicYear::parse(&s);
        let _ = Session::parse(&s);
        let _ = SchoolId::new(s.clone());
        for set in [CodeSet::Pre2024, CodeSet::From2024] {
            let _ = set.lookup(&s);
        }
    }

    #[test]
    fn periods_never_panic(a in any::<i32>(), b in -200_000i64..200_000, c in -200_000i64..200_000) {
        if let Some(d) = NaiveDate::from_num_days_from_ce_opt(a) {
            if let Ok(w) = outcomes::measures::attendance::RelativeWindow::new(b.min(c), b.max(c)) {
                if let Ok(p) = w.around(d) {
                    prop_assert!(p.start() <= p.end());
                }
            }
            let _ = AcademicYear::containing(d);
            let _ = LabelledPeriod::new("x", d, d);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn register_csv_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut data = b"pupil_id,school_urn,date,session,code\n".to_vec();
        data.extend(bytes.iter().copied());
        let r = outcomes::measures::attendance::read_register_csv("fuzz.csv", data.as_slice()).unwrap();
        prop_assert_eq!((r.accepted.len() + r.rejected.len()) as u64, r.rows_read);
        let _ = outcomes::measures::attendance::read_register_csv("fuzz.csv", bytes.as_slice());
    }
}
