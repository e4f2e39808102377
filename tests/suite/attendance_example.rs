//! The bundled attendance and ASB sample (`data/sample/`) through the
//! example's core, `school_report` with the design of the sample spec's
//! `[data.school]`: every input row accounted for, the
//! planted register faults rejected with their reasons, the synthetic
//! programme effects visible (attendance: absence propensity × 0.8 in the
//! pilot town from 2 Sep 2024; ASB: pilot rate × 0.75 from April 2024), and
//! no person identifier in the printed report.
//!
//! Definitions: METHODS.md, "School attendance", §1.2 (group rates: sessions summed
//! first, PA rate = PA enrolments ÷ enrolments with possible sessions) and
//! §2.3 (ratio of rate ratios with its log-normal Wald interval).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use outcomes::cohort::Phase;
use outcomes::evaluate::EvaluationSpec;
use outcomes::measures::asb::Month;
use outcomes::measures::attendance::RowDisposition;
use outcomes::measures::school_report::{school_report, SchoolDesign, SchoolFiles, SchoolReport};
use outcomes::measures::synthetic_school::{
    write_school_sample, Arm, FaultKind, SchoolSampleCounts, ENROLMENT_COUNTS_FILE, POLICE_UK_FILE,
    POPULATION_FILE, REGISTER_FILE,
};

/// The design of `data/sample/evaluation.toml`'s `[data.school]`.
fn sample_design() -> SchoolDesign {
    let spec = EvaluationSpec::from_path(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample/evaluation.toml"),
    )
    .unwrap();
    spec.school_design().unwrap().unwrap().1
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "outcomes-attendance-example-{tag}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// The sample written afresh to a temporary directory, and its report
/// (computed once for all tests in this file).
fn sample() -> &'static (SchoolSampleCounts, SchoolReport) {
    static SAMPLE: OnceLock<(SchoolSampleCounts, SchoolReport)> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let dir = temp_dir("fresh");
        let counts = write_school_sample(&dir).unwrap();
        let report = school_report(&SchoolFiles::in_dir(&dir), &sample_design()).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        (counts, report)
    })
}

/// Rows read = accepted + excluded for each file, and rows read equal the
/// rows written.
#[test]
fn every_input_row_is_accounted_for() {
    let (written, report) = sample();
    for (file, rows) in [
        (REGISTER_FILE, written.register_rows),
        (ENROLMENT_COUNTS_FILE, written.enrolment_count_rows),
        (POLICE_UK_FILE, written.police_uk_rows),
        (POPULATION_FILE, written.population_rows),
    ] {
        let i = report.input(file).unwrap();
        assert_eq!(i.rows_read, rows, "{file}");
        assert_eq!(
            i.accepted + i.excluded.len() as u64,
            i.rows_read,
            "{file}: read {} accepted {} excluded {}",
            i.rows_read,
            i.accepted,
            i.excluded.len()
        );
        assert!(i.is_balanced());
        assert!(i.used_in_analysis <= i.accepted);
        let by_reason: u64 = i.reasons().iter().map(|r| r.rows).sum();
        assert_eq!(by_reason, i.excluded.len() as u64, "{file}");
    }
    // The counts file and population file are clean; police.uk exclusions
    // are other crime types (filtered) and rows without a location
    // (invalid), nothing else.
    assert!(report
        .input(ENROLMENT_COUNTS_FILE)
        .unwrap()
        .excluded
        .is_empty());
    assert!(report.input(POPULATION_FILE).unwrap().excluded.is_empty());
    let street = report.input(POLICE_UK_FILE).unwrap();
    assert!(street.filtered_by_rule() > 0 && street.invalid() > 0);
    for r in &street.excluded {
        match r.disposition {
            RowDisposition::FilteredByRule => assert_eq!(r.column, "Crime type"),
            _ => assert_eq!(r.column, "LSOA code"),
        }
    }
}

/// The three planted faults, and only they, are rejected from the
/// register, each at its row with the right column and reason.
#[test]
fn planted_register_faults_are_rejected_with_their_reasons() {
    let (written, report) = sample();
    let reg = report.input(REGISTER_FILE).unwrap();
    assert_eq!(reg.excluded.len(), 3);
    assert_eq!(written.planted_faults.len(), 3);
    for (f, r) in written.planted_faults.iter().zip(&reg.excluded) {
        assert_eq!(r.source_row, f.source_row, "{f:?}");
        assert_eq!(r.column, f.column, "{f:?}");
        assert_eq!(r.value, f.value, "{f:?}");
        assert_eq!(r.disposition, RowDisposition::Invalid);
        let expected = match f.kind {
            FaultKind::UnknownCode => "not a register code of the pre-2024",
            FaultKind::CodeOfOtherSet => "it belongs to the 2024 regulations",
            FaultKind::DuplicateMark => "duplicate mark",
        };
        assert!(r.reason.contains(expected), "{:?}: {}", f.kind, r.reason);
    }
    let values: Vec<&str> = reg.excluded.iter().map(|r| r.value.as_str()).collect();
    assert!(values.contains(&"A") && values.contains(&"J1"));
}

/// Persistent absence (10%) falls after 2 Sep 2024 in the pilot town by
/// more than in the comparison town (synthetic effect: pilot absence
/// propensity × 0.8); the same holds for overall absence. The aggregated
/// counts file gives exactly the register's numbers (same sessions).
#[test]
fn pilot_persistent_absence_falls_more_than_comparison() {
    let (_, report) = sample();
    let pa = |arm, phase| {
        report
            .register_cell(arm, phase)
            .unwrap()
            .summary
            .persistent_absence_rate
            .unwrap()
    };
    let pilot_change = pa(Arm::Pilot, Phase::After) - pa(Arm::Pilot, Phase::Before);
    let comparison_change = pa(Arm::Comparison, Phase::After) - pa(Arm::Comparison, Phase::Before);
    assert!(pilot_change < 0.0, "pilot change {pilot_change}");
    assert!(
        pilot_change < comparison_change,
        "pilot {pilot_change} vs comparison {comparison_change}"
    );
    let overall = |arm, phase| {
        report
            .register_cell(arm, phase)
            .unwrap()
            .summary
            .overall_absence_rate
            .unwrap()
    };
    assert!(
        overall(Arm::Pilot, Phase::After) / overall(Arm::Pilot, Phase::Before)
            < overall(Arm::Comparison, Phase::After) / overall(Arm::Comparison, Phase::Before)
    );
    for arm in [Arm::Pilot, Arm::Comparison] {
        for phase in [Phase::Before, Phase::After] {
            let r = report.register_cell(arm, phase).unwrap();
            let c = report.counts_cell(arm, phase).unwrap();
            assert_eq!(r.summary, c.summary, "{arm:?} {phase:?}");
            // PA rate = PA enrolments / enrolments with possible sessions.
            let s = r.summary;
            assert_eq!(
                s.persistent_absence_rate,
                Some(s.persistent_absentees as f64 / s.units_with_possible_sessions as f64)
            );
            assert_eq!(
                s.overall_absence_rate,
                Some(s.overall as f64 / s.possible as f64)
            );
        }
    }
}

/// The ASB ratio of rate ratios and its 95% log-normal Wald interval,
/// recomputed by hand from the report's four counts and person-years, and
/// the interval covers the synthetic effect 0.75 (default seed
/// 20 240 401: RRR 0.892, 95% CI 0.646 to 1.232).
#[test]
fn asb_ratio_of_rate_ratios_covers_the_synthetic_effect() {
    let (_, report) = sample();
    let asb = report.asb.as_ref().unwrap();
    let a = &asb.comparison;
    let rate = |g: &outcomes::measures::asb::GroupPhaseRate| g.incidents as f64 / g.person_years;
    let rrr = (rate(&a.pilot_after) / rate(&a.pilot_before))
        / (rate(&a.comparison_after) / rate(&a.comparison_before));
    let got = a.ratio_of_rate_ratios.ratio.unwrap();
    assert!((got - rrr).abs() <= 1e-12 * rrr, "{got} vs {rrr}");
    let se = [
        a.pilot_after.incidents,
        a.pilot_before.incidents,
        a.comparison_after.incidents,
        a.comparison_before.incidents,
    ]
    .iter()
    .map(|k| 1.0 / *k as f64)
    .sum::<f64>()
    .sqrt();
    // qnorm(0.975) in R 4.2.2.
    let z = 1.959963984540054;
    let ci = a.ratio_of_rate_ratios.wald_log.unwrap();
    assert!((ci.lower - (rrr.ln() - z * se).exp()).abs() < 1e-9);
    assert!((ci.upper - (rrr.ln() + z * se).exp()).abs() < 1e-9);
    assert!(
        ci.contains(0.75),
        "RRR {got}, 95% CI ({}, {}) does not contain 0.75",
        ci.lower,
        ci.upper
    );
    // Windows: 12 months either side of April 2024.
    assert_eq!(asb.before.first().to_string(), "2023-04");
    assert_eq!(asb.after.last().to_string(), "2025-03");
    assert_eq!(a.pilot_before.months, 12);
}

/// The files committed in `data/sample/` are exactly what
/// `write_school_sample` writes today.
#[test]
fn bundled_sample_files_are_current() {
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let fresh = temp_dir("current");
    write_school_sample(&fresh).unwrap();
    for f in [
        REGISTER_FILE,
        ENROLMENT_COUNTS_FILE,
        POLICE_UK_FILE,
        POPULATION_FILE,
    ] {
        let a = std::fs::read(bundled.join(f)).unwrap();
        let b = std::fs::read(fresh.join(f)).unwrap();
        assert!(
            a == b,
            "data/sample/{f} is stale: run `cargo run --example generate_school_sample`"
        );
    }
    std::fs::remove_dir_all(&fresh).unwrap();
}

/// A hand-made sample with distinctive pupil keys and bad rows in every
/// file: each bad row is rejected with its reason, the accounting balances,
/// and no pupil key appears anywhere in the printed report.
#[test]
fn hand_made_faults_are_accounted_for_and_no_pupil_key_is_printed() {
    let dir = temp_dir("handmade");
    std::fs::create_dir_all(&dir).unwrap();
    let w = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    w(
        REGISTER_FILE,
        "pupil_id,school_urn,town,arm,date,session,code\n\
         SECRET-PUPIL-1,900001,Northtown,pilot,2024-03-04,AM,/\n\
         SECRET-PUPIL-1,900001,Northtown,pilot,2024-03-04,PM,I\n\
         SECRET-PUPIL-1,900001,Northtown,pilot,2024-03-04,PM,/\n\
         SECRET-PUPIL-2,900003,Southtown,comparison,2024-03-04,AM,K\n\
         SECRET-PUPIL-2,900003,Southtown,comparison,2024-13-04,AM,/\n\
         ,900003,Southtown,comparison,2024-03-05,AM,/\n\
         SECRET-PUPIL-2,900003,Southtown,comparison,2024-09-09,AM,O\n\
         SECRET-PUPIL-2,900003,Southtown,comparison,2024-09-09,PM,H\n\
         SECRET-PUPIL-1,900002,Northtown,pilot,2024-09-09,AM,J1\n\
         SECRET-PUPIL-1,900002,Northtown,pilot\n\
         SECRET-PUPIL-2,900003,Southtown,comparison,2024-03-05,PM,/\n",
    );
    w(
        ENROLMENT_COUNTS_FILE,
        "time_period,time_identifier,school_urn,pupil_id,arm,sess_possible,sess_authorised,sess_unauthorised,sess_overall,enrolments_pa_10_exact\n\
         202324,Academic year,900001,SECRET-PUPIL-1,pilot,100,5,6,11,1\n\
         202324,Academic year,900001,SECRET-PUPIL-1,pilot,100,5,6,11,1\n\
         202425,Academic year,900002,SECRET-PUPIL-1,pilot,100,50,60,110,1\n\
         202425,Academic year,900003,SECRET-PUPIL-2,comparison,100,-1,0,-1,0\n\
         202426,Academic year,900003,SECRET-PUPIL-2,comparison,100,1,0,1,0\n\
         202324,Academic year,900003,SECRET-PUPIL-2,comparison,100,1,0,2,0\n\
         202324,Academic year,900003,SECRET-PUPIL-2,comparison,1x0,1,0,1,0\n\
         202425,Academic year,900003,SECRET-PUPIL-2,comparison,100,3,0,3,0\n\
         202425,Academic year,900002,SECRET-PUPIL-1,pilot,100,1,0,1,0\n",
    );
    let mut street = String::from(
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n",
    );
    for (month, area) in [
        ("2023-06", "E01990001"),
        ("2024-06", "E01990002"),
        ("2023-06", "E01990004"),
        ("2024-06", "E01990005"),
    ] {
        street.push_str(&format!(
            ",{month},P,P,-1.5,53.0,On or near X,{area},X 001A,Anti-social behaviour,,\n"
        ));
    }
    street.push_str("abc,2024-06,P,P,-1.5,53.0,On or near X,E01990001,X 001A,Burglary,,\n");
    // Areas with no ASB at all are still in the file (design areas must be).
    street.push_str("abd,2024-01,P,P,-1.5,53.0,On or near X,E01990003,X 001C,Burglary,,\n");
    street.push_str("abe,2024-01,P,P,-1.5,53.0,On or near X,E01990006,X 001F,Shoplifting,,\n");
    street.push_str(",2024-06,P,P,,,No Location,,,Anti-social behaviour,,\n");
    w(POLICE_UK_FILE, &street);
    let mut pop = String::from("area,year,population,source\n");
    for year in [2023, 2024] {
        for n in 1..=6 {
            pop.push_str(&format!("E019900{n:02},{year},1500,test\n"));
        }
    }
    pop.push_str("E01990001,2023,1600,test\n");
    pop.push_str("E01990001,2025,0,test\n");
    pop.push_str("E01990001,20x5,10,test\n");
    pop.push_str("E01990001,2026,10,\n");
    w(POPULATION_FILE, &pop);

    // The sample's design, with ASB months inside this file's 2023-06 to
    // 2024-06 and without school 900004 (not in these files).
    let mut design = sample_design();
    design.comparison.schools.retain(|s| s.as_str() != "900004");
    design.before.asb_months = Some(
        outcomes::measures::asb::MonthRange::new(
            Month::parse("2023-06").unwrap(),
            Month::parse("2024-03").unwrap(),
        )
        .unwrap(),
    );
    design.after.asb_months = Some(
        outcomes::measures::asb::MonthRange::new(
            Month::parse("2024-04").unwrap(),
            Month::parse("2024-06").unwrap(),
        )
        .unwrap(),
    );
    let report = school_report(&SchoolFiles::in_dir(&dir), &design).unwrap();
    let text = report.to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(!text.contains("SECRET"), "a pupil key was printed");
    let debug = format!("{report:?}");
    assert!(
        !debug.contains("SECRET"),
        "a pupil key is held in the report"
    );

    let reasons = |file: &str| -> Vec<(u64, String, String)> {
        report
            .input(file)
            .unwrap()
            .excluded
            .iter()
            .map(|r| (r.source_row, r.column.clone(), r.reason.clone()))
            .collect()
    };
    for i in &report.inputs {
        assert!(i.is_balanced(), "{}", i.file);
    }
    let reg = reasons(REGISTER_FILE);
    let cols: Vec<(u64, &str)> = reg.iter().map(|(r, c, _)| (*r, c.as_str())).collect();
    assert_eq!(
        cols,
        vec![
            (3, "session"),   // duplicate of row 2
            (4, "code"),      // K before 19 Aug 2024
            (5, "date"),      // month 13
            (6, "pupil_id"),  // empty
            (8, "code"),      // H after 19 Aug 2024
            (10, "(record)")  // too few fields
        ]
    );
    let reg_acc = report.input(REGISTER_FILE).unwrap();
    assert_eq!((reg_acc.rows_read, reg_acc.accepted), (11, 5));

    let cnt = reasons(ENROLMENT_COUNTS_FILE);
    let cols: Vec<(u64, &str)> = cnt.iter().map(|(r, c, _)| (*r, c.as_str())).collect();
    assert_eq!(
        cols,
        vec![
            (2, "pupil_id"),        // duplicate enrolment-year
            (3, "sess_authorised"), // 50 + 60 > 100
            (4, "sess_authorised"), // negative
            (5, "time_period"),     // 2024/26 is not an academic year
            (6, "sess_overall"),    // 1 + 0 != 2
            (7, "sess_possible"),   // not a whole number
        ]
    );
    assert!(cnt[1].2.contains("must not exceed"));
    assert!(cnt[2].2.contains("negative"));
    let c = report.counts_cell(Arm::Pilot, Phase::Before).unwrap();
    assert_eq!((c.summary.units, c.summary.persistent_absentees), (1, 1));

    let st = report.input(POLICE_UK_FILE).unwrap();
    assert_eq!(
        (
            st.rows_read,
            st.accepted,
            st.filtered_by_rule(),
            st.invalid()
        ),
        (8, 4, 3, 1)
    );

    let pop = reasons(POPULATION_FILE);
    let cols: Vec<(u64, &str)> = pop.iter().map(|(r, c, _)| (*r, c.as_str())).collect();
    assert_eq!(
        cols,
        vec![
            (13, "area"),
            (14, "population"),
            (15, "year"),
            (16, "source")
        ]
    );
    assert!(pop[0].2.contains("duplicate"));
    // The accepted 2023 population for E01990001 is the first row's 1500.
    let asb = report.asb.as_ref().unwrap();
    assert_eq!(asb.comparison.pilot_before.population, 4500);
    // Too few pupils for the difference in differences: no estimate, and
    // the reason.
    assert!(report.attendance_did.iter().all(|d| d.effect.is_none()
        && d.not_estimated
            .as_deref()
            .is_some_and(|w| w.contains("two pupils"))));
}
