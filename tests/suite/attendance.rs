//! End-to-end attendance checks: a hand-worked register crossing the
//! 19 August 2024 code-set change (DfE definitions, METHODS.md,
//! "School attendance", §1), and the synthetic register read back from its CSV shape.

use outcomes::measures::attendance::{
    classify_marks, enrolment_summaries, group_summary, pupil_summaries, read_register_csv,
    AbsenceThreshold, AcademicYear, AttendanceCategory, CodeSet, LabelledPeriod,
};
use outcomes::measures::synthetic_school::{generate_register, write_register_csv, RegisterConfig};

/// Hand-worked: pupil p1 at S1 in July 2024 (pre-2024 codes), then at S2 in
/// September 2024 (2024 codes).
///
/// S1, 2023/24: `/ \ I O J X H / \ L` → X not possible; possible 9;
/// authorised I, H = 2; unauthorised O = 1; attended 6 (J is approved
/// educational activity before Aug 2024). Overall 3/9.
/// S2, 2024/25: `/ \ J1 K Y1 G` → Y1 not possible; possible 5; authorised J1
/// = 1; unauthorised G = 1; attended 3 (K counts as attendance). Overall 2/5.
/// Pupil over both years: possible 14, overall 5.
#[test]
fn hand_worked_register_across_the_2024_change() {
    let rows = [
        ("2024-07-01", "AM", "/", "S1"),
        ("2024-07-01", "PM", "\\", "S1"),
        ("2024-07-02", "AM", "I", "S1"),
        ("2024-07-02", "PM", "O", "S1"),
        ("2024-07-03", "AM", "J", "S1"),
        ("2024-07-03", "PM", "X", "S1"),
        ("2024-07-04", "AM", "H", "S1"),
        ("2024-07-04", "PM", "/", "S1"),
        ("2024-07-05", "AM", "/", "S1"),
        ("2024-07-05", "PM", "L", "S1"),
        ("2024-09-02", "AM", "/", "S2"),
        ("2024-09-02", "PM", "\\", "S2"),
        ("2024-09-03", "AM", "J1", "S2"),
        ("2024-09-03", "PM", "K", "S2"),
        ("2024-09-04", "AM", "Y1", "S2"),
        ("2024-09-04", "PM", "G", "S2"),
        // Rejected: codes not in the set in force on the date.
        ("2024-09-05", "AM", "H", "S2"),
        ("2024-07-08", "AM", "J1", "S1"),
    ];
    let mut text = String::from("pupil_id,school_urn,date,session,code\n");
    for (d, s, c, school) in rows {
        text.push_str(&format!("p1,{school},{d},{s},{c}\n"));
    }
    let imp = read_register_csv("hand.csv", text.as_bytes()).unwrap();
    assert_eq!(imp.rows_read, 18);
    assert_eq!(imp.accepted.len(), 16);
    assert_eq!(
        imp.rejected
            .iter()
            .map(|r| r.source_row)
            .collect::<Vec<_>>(),
        vec![17, 18]
    );
    assert_eq!(imp.accepted[4].code.set, CodeSet::Pre2024);
    assert_eq!(
        imp.accepted[4].code.category,
        AttendanceCategory::ApprovedEducationalActivity
    );
    assert_eq!(
        imp.accepted[12].code.category,
        AttendanceCategory::AuthorisedAbsence
    );

    let t = AbsenceThreshold::default();
    let y23 = AcademicYear::parse("2023/24").unwrap().period();
    let y24 = AcademicYear::parse("2024/25").unwrap().period();
    let e23 = enrolment_summaries(&imp.accepted, &y23, t);
    let e24 = enrolment_summaries(&imp.accepted, &y24, t);
    assert_eq!(e23.len(), 1);
    assert_eq!(e24.len(), 1);
    let m = e23[0].measures;
    assert_eq!(
        (m.possible, m.authorised, m.unauthorised, m.attended),
        (9, 2, 1, 6)
    );
    assert_eq!(e23[0].tally.not_possible, 1);
    assert_eq!(m.overall_absence_rate, Some(3.0 / 9.0));
    assert_eq!(m.persistent_absentee, Some(true));
    assert_eq!(m.severe_absentee, Some(false));
    let m = e24[0].measures;
    assert_eq!(
        (m.possible, m.authorised, m.unauthorised, m.attended),
        (5, 1, 1, 3)
    );
    assert_eq!(m.attendance_rate, Some(0.6));

    let both = LabelledPeriod::new("two years", y23.start(), y24.end()).unwrap();
    let p = pupil_summaries(&imp.accepted, &both, t);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].enrolments, 2);
    assert_eq!(p[0].measures.possible, 14);
    assert_eq!(p[0].measures.overall, 5);
    // Group over the two enrolments = sums of sessions: 5/14, not the
    // mean of 3/9 and 2/5.
    let e = enrolment_summaries(&imp.accepted, &both, t);
    let counts: Vec<_> = e.iter().map(|x| x.tally.counts()).collect();
    let g = group_summary(&counts, t).unwrap();
    assert_eq!(g.overall_absence_rate, Some(5.0 / 14.0));
    assert_eq!(g.persistent_absence_rate, Some(1.0));
}

/// The synthetic register written as CSV and read back gives the same
/// measures as the in-memory marks.
#[test]
fn synthetic_register_round_trips_through_csv() {
    let reg = generate_register(&RegisterConfig {
        pupils: 40,
        ..RegisterConfig::default()
    })
    .unwrap();
    let mut buf = Vec::new();
    write_register_csv(&reg, &mut buf).unwrap();
    let imp = read_register_csv("register.csv", buf.as_slice()).unwrap();
    assert!(imp.rejected.is_empty());
    assert_eq!(imp.rows_read as usize, reg.marks.len());
    let direct = classify_marks(&reg.marks);
    let t = AbsenceThreshold::default();
    for y in [2023, 2024] {
        let period = AcademicYear::new(y).unwrap().period();
        let a = enrolment_summaries(&direct.accepted, &period, t);
        let b = enrolment_summaries(&imp.accepted, &period, t);
        assert_eq!(a.len(), b.len());
        let ga = group_summary(
            a.iter()
                .map(|x| x.tally.counts())
                .collect::<Vec<_>>()
                .iter(),
            t,
        )
        .unwrap();
        let gb = group_summary(
            b.iter()
                .map(|x| x.tally.counts())
                .collect::<Vec<_>>()
                .iter(),
            t,
        )
        .unwrap();
        assert_eq!(ga, gb);
        assert!(ga.possible > 0);
    }
}
