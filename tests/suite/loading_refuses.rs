//! Loading refuses to guess (issue 13): each class of input the fuzzing of the
//! main job found read wrongly while the run exited 0 is here refused with the
//! file, row and column, or read correctly; cross-field rules reject their rows
//! like any other rule; and no identifier appears in any message.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use outcomes::cohort::DataWindow;
use outcomes::error::ErrorKind;
use outcomes::io::{self, ColumnMap, Source};
use outcomes::measures::ndt::PartialPolicy;
use outcomes::measures::service_use::{CategorySet, MAX_EVENTS_PER_ROW};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn window() -> DataWindow {
    DataWindow::new(d(2022, 1, 1), d(2024, 12, 31)).unwrap()
}

fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("outcomes-refuses-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Identifiers that must never appear in a message.
const SECRET: [&str; 3] = ["SECRET-ID-1", "SECRET-ID-2", "SECRET-ID-3"];

const COHORT: &str = "person_id,index_date,group,end_date,end_reason,age\n\
SECRET-ID-1,2023-01-10,programme,,,34\n\
SECRET-ID-2,2023-02-01,comparison,2024-06-30,moved,41\n\
SECRET-ID-3,2023-03-15,programme,,,29\n";

fn cohort(dir: &Path) -> io::Cohort {
    let f = write(dir, "cohort.csv", COHORT.as_bytes());
    io::load_cohort(&Source::new(f), window()).unwrap().data
}

fn no_secret(msg: &str) {
    for s in SECRET {
        assert!(!msg.contains(s), "an identifier in the message: {msg}");
    }
}

fn events(dir: &Path, name: &str, bytes: &[u8]) -> outcomes::Result<io::Loaded<io::ServiceEvents>> {
    let c = cohort(dir);
    let f = write(dir, name, bytes);
    io::load_service_events(&Source::new(f), &c, &CategorySet::default())
}

const GOOD_EVENTS: &str = "person_id,date,category,count\n\
SECRET-ID-1,2023-02-01,ae_attendance,1\n\
SECRET-ID-2,2023-03-01,prison_night,12\n\
SECRET-ID-3,2023-04-01,arrest,\n";

#[test]
fn old_mac_line_endings_are_refused_and_windows_ones_read() {
    let dir = dir("cr");
    let cr = GOOD_EVENTS.replace('\n', "\r");
    let e = events(&dir, "cr.csv", cr.as_bytes()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Malformed { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("cr.csv") && msg.contains("carriage return"),
        "{msg}"
    );
    no_secret(&msg);
    let crlf = GOOD_EVENTS.replace('\n', "\r\n");
    let ok = events(&dir, "crlf.csv", crlf.as_bytes()).unwrap();
    assert_eq!((ok.summary.rows_read, ok.summary.accepted), (3, 3));
}

#[test]
fn a_near_miss_header_is_an_error_naming_the_expected_column() {
    let dir = dir("near");
    for bad in ["Count", "COUNT", "count ", "cnt", "Counts"] {
        let text = GOOD_EVENTS.replacen("count", bad, 1);
        let e = events(&dir, "near.csv", text.as_bytes()).unwrap_err();
        match e.kind() {
            ErrorKind::UnknownColumn {
                column, nearest, ..
            } => {
                assert_eq!(column, bad);
                if bad != "cnt" {
                    assert_eq!(nearest.as_deref(), Some("count"), "{bad}: {e}");
                }
            }
            other => panic!("{bad}: {other:?}"),
        }
        assert!(e.to_string().contains("near.csv"), "{e}");
    }
    // A column the dataset does not have is refused too.
    let text = GOOD_EVENTS
        .replace(",count\n", ",count,notes\n")
        .replace(",1\n", ",1,x\n")
        .replace(",12\n", ",12,y\n")
        .replace("arrest,\n", "arrest,,z\n");
    let e = events(&dir, "extra.csv", text.as_bytes()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::UnknownColumn { .. }), "{e}");
}

#[test]
fn a_file_without_a_header_row_is_refused_without_echoing_it() {
    let dir = dir("nohead");
    let body = GOOD_EVENTS.split_once('\n').unwrap().1;
    let e = events(&dir, "nohead.csv", body.as_bytes()).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("nohead.csv") && msg.contains("not a header"),
        "{msg}"
    );
    no_secret(&msg);
    let c = write(
        &dir,
        "cohort_nohead.csv",
        COHORT.split_once('\n').unwrap().1.as_bytes(),
    );
    let msg = io::load_cohort(&Source::new(c), window())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("not a header"), "{msg}");
    no_secret(&msg);
}

#[test]
fn ragged_mis_encoded_and_mis_quoted_files_are_refused_with_the_row() {
    let dir = dir("ragged");
    let cases: [(&str, Vec<u8>, &str); 6] = [
        (
            "short.csv",
            GOOD_EVENTS
                .replace("prison_night,12", "prison_night")
                .into_bytes(),
            "row 2",
        ),
        (
            "shifted.csv",
            GOOD_EVENTS
                .replace("SECRET-ID-2,2023-03-01,", "SECRET-ID-2,")
                .into_bytes(),
            "row 2",
        ),
        (
            "midquote.csv",
            GOOD_EVENTS
                .replace("SECRET-ID-2,", "SECRET\"-ID-2,")
                .into_bytes(),
            "row 2",
        ),
        (
            "long.csv",
            GOOD_EVENTS
                .replace("prison_night,12", "prison_night,12,7")
                .into_bytes(),
            "row 2",
        ),
        (
            "quote.csv",
            GOOD_EVENTS
                .replace("SECRET-ID-2,", "\"SECRET-ID-2,")
                .into_bytes(),
            "row 2",
        ),
        (
            "latin1.csv",
            GOOD_EVENTS
                .replace("prison_night", "prison_n\u{1}ight")
                .into_bytes()
                .into_iter()
                .map(|b| if b == 1 { 0xe9 } else { b })
                .collect(),
            "row 2",
        ),
    ];
    for (name, bytes, row) in cases {
        let e = events(&dir, name, &bytes).unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::Malformed { .. }),
            "{name}: {e}"
        );
        let msg = e.to_string();
        assert!(msg.contains(name) && msg.contains(row), "{name}: {msg}");
        no_secret(&msg);
    }
    // A blank line is a row of blanks: accounted for and rejected, not lost.
    let blank = GOOD_EVENTS.replace("\nSECRET-ID-2", "\n\nSECRET-ID-2");
    let l = events(&dir, "blank.csv", blank.as_bytes()).unwrap();
    assert_eq!((l.summary.rows_read, l.summary.rejected), (4, 1));
}

#[test]
fn an_empty_file_is_an_error_not_an_empty_analysis() {
    let dir = dir("empty");
    let e = events(&dir, "empty.csv", b"").unwrap_err();
    assert!(e.to_string().contains("empty.csv"), "{e}");
    let c = write(&dir, "cohort_empty.csv", b"");
    assert!(io::load_cohort(&Source::new(c), window()).is_err());
    // A header and no rows: refused, not an empty analysis.
    let e = events(&dir, "header_only.csv", b"person_id,date,category,count\n").unwrap_err();
    assert!(
        e.to_string().contains("header_only.csv") && e.to_string().contains("no data rows"),
        "{e}"
    );
    let c = write(&dir, "cohort_header.csv", b"person_id,index_date,group\r\n");
    let e = io::load_cohort(&Source::new(c), window()).unwrap_err();
    assert!(e.to_string().contains("no data rows"), "{e}");
}

#[test]
fn an_end_date_before_the_index_date_is_rejected() {
    let dir = dir("end");
    let text = COHORT.replace(
        "SECRET-ID-2,2023-02-01,comparison,2024-06-30,moved",
        "SECRET-ID-2,2023-02-01,comparison,2023-01-31,moved",
    );
    let f = write(&dir, "cohort.csv", text.as_bytes());
    let out = io::load_cohort(&Source::new(f), window()).unwrap();
    assert_eq!(out.summary.rows_read, 3);
    assert_eq!(out.summary.accepted + out.summary.rejected, 3);
    assert_eq!(out.rejections.len(), 1, "{:?}", out.rejections);
    let r = &out.rejections[0];
    assert_eq!((r.source_row, r.column.as_str()), (2, "end_date"));
    assert_eq!(r.value, "2023-01-31");
    assert_eq!(r.reason, "end date before the index date");
    // The same day is not before.
    let same = COHORT.replace("2024-06-30", "2023-02-01");
    let f = write(&dir, "cohort_same.csv", same.as_bytes());
    assert!(io::load_cohort(&Source::new(f), window())
        .unwrap()
        .rejections
        .is_empty());
}

#[test]
fn counts_are_read_at_full_width_and_bounded_by_a_stated_maximum() {
    let dir = dir("counts");
    let days = window().days();
    let big = [
        2_i64.pow(31),
        2_i64.pow(32) - 1,
        2_i64.pow(32),
        2_i64.pow(40),
        days + 1,
    ];
    for n in big {
        let text = GOOD_EVENTS.replace("prison_night,12", &format!("prison_night,{n}"));
        let out = events(&dir, "big.csv", text.as_bytes()).unwrap();
        assert_eq!(out.summary.rows_read, 3);
        assert_eq!(out.rejections.len(), 1, "{n}: {:?}", out.rejections);
        let r = &out.rejections[0];
        assert_eq!((r.source_row, r.column.as_str()), (2, "count"));
        assert_eq!(r.value, n.to_string());
        assert!(
            r.reason.starts_with("count above the stated maximum"),
            "{n}: {}",
            r.reason
        );
    }
    // At the maximum is accepted; an event category has its own maximum.
    let text = GOOD_EVENTS.replace("prison_night,12", &format!("prison_night,{days}"));
    assert!(events(&dir, "max.csv", text.as_bytes())
        .unwrap()
        .rejections
        .is_empty());
    let over = MAX_EVENTS_PER_ROW + 1;
    let text = GOOD_EVENTS.replace("ae_attendance,1", &format!("ae_attendance,{over}"));
    let out = events(&dir, "events.csv", text.as_bytes()).unwrap();
    assert_eq!(out.rejections.len(), 1);
    assert_eq!(out.rejections[0].source_row, 1);
    // Negative is still "negative".
    let text = GOOD_EVENTS.replace("prison_night,12", "prison_night,-3");
    let out = events(&dir, "neg.csv", text.as_bytes()).unwrap();
    assert_eq!(out.rejections[0].reason, "counts must not be negative");
}

#[test]
fn the_typed_path_applies_the_same_cross_field_rules() {
    let dir = dir("typed");
    let c = cohort(&dir);
    let rec = |id: &str, date: &str, cat: &str, count: &str| io::RawServiceEvent {
        person_id: Some(id.to_string()),
        date: Some(date.to_string()),
        category: Some(cat.to_string()),
        count: Some(count.to_string()),
    };
    let records = vec![
        rec(
            c.members()[0].person.pseudonym(),
            "2023-02-01",
            "ae_attendance",
            "1",
        ),
        rec(
            c.members()[1].person.pseudonym(),
            "2023-03-01",
            "prison_night",
            "4294967296",
        ),
        rec(
            c.members()[2].person.pseudonym(),
            "2023-03-01",
            "arrest",
            "101",
        ),
    ];
    let out = io::validate_service_events(&records, "typed", &c, &CategorySet::default());
    let rows: Vec<u64> = out.rejections.iter().map(|r| r.source_row).collect();
    assert_eq!(rows, vec![2, 3], "{:?}", out.rejections);
    assert!(out
        .rejections
        .iter()
        .all(|r| r.reason.starts_with("count above the stated maximum")));
}

fn wide_header(waves: &[&str]) -> Vec<String> {
    let items = [
        "NDTENG_", "NDTISH_", "NDTUSH_", "NDTRTO_", "NDTRFO_", "NDTSAX_", "NDTSE_", "NDTADA_",
        "NDTIC_", "NDTHNG_",
    ];
    let mut h = vec!["person_id".to_string()];
    for w in waves {
        h.push(format!("NDTDATE_{w}"));
        h.extend(items.iter().map(|i| format!("{i}{w}")));
    }
    h
}

fn wide_file(header: &[String]) -> String {
    let mut s = header.join(",");
    s.push('\n');
    let row: Vec<String> = header
        .iter()
        .map(|h| {
            if h == "person_id" {
                "SECRET-ID-1".into()
            } else if h.starts_with("NDTDATE_") {
                "2023-06-01".into()
            } else {
                "2".into()
            }
        })
        .collect();
    s.push_str(&row.join(","));
    s.push('\n');
    s
}

#[test]
fn wide_ndt_headers_are_checked_wave_by_wave() {
    let dir = dir("wide");
    let c = cohort(&dir);
    let load = |name: &str, header: &[String]| {
        let f = write(&dir, name, wide_file(header).as_bytes());
        io::load_ndt_wide(&Source::new(f), &c, PartialPolicy::Reject)
    };
    // A misspelt item header.
    let mut h = wide_header(&["1"]);
    h[3] = "NDTISH1".into();
    let e = load("misspelt.csv", &h).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::UnknownColumn { .. }), "{e}");
    assert!(e.to_string().contains("NDTISH1"), "{e}");
    // A missing item header.
    let mut h = wide_header(&["1"]);
    h.remove(4);
    let e = load("missing.csv", &h).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::MissingColumn { .. }), "{e}");
    // A wave whose date column is missing.
    let mut h = wide_header(&["1", "2"]);
    h.retain(|c| c != "NDTDATE_2");
    let e = load("nodate.csv", &h).unwrap_err();
    assert!(e.to_string().contains("NDTDATE_2"), "{e}");
    no_secret(&e.to_string());
    // The intact file reads its one assessment.
    let ok = load("ok.csv", &wide_header(&["1"])).unwrap();
    assert_eq!(ok.data.assessments.len(), 1);
}

#[test]
fn a_column_mapped_onto_an_existing_name_is_named_not_a_query_plan() {
    let dir = dir("map");
    let c = cohort(&dir);
    let text = "person_id,Date,date,category\nSECRET-ID-1,2023-02-01,2023-02-01,arrest\n";
    let f = write(&dir, "map.csv", text.as_bytes());
    let src = Source::new(f).columns(ColumnMap::new().map("date", "Date"));
    let e = io::load_service_events(&src, &c, &CategorySet::default()).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("map.csv") && msg.contains("mapped to `date`"),
        "{msg}"
    );
    assert!(!msg.to_lowercase().contains("select"), "{msg}");
}

/// The CSV readers of the school and police files, the unit costs and the
/// deflators refuse a near miss of a column they read, optional ones included
/// (an optional column misspelt was silently ignored).
#[test]
fn every_csv_reader_refuses_a_near_miss_of_a_known_column() {
    use outcomes::measures::{asb, attendance};
    let street =
        "Crime id,Month,LSOA code,Crime type\nx1,2023-01,E01990001,Anti-social behaviour\n";
    let e = asb::read_police_uk_street("street.csv", street.as_bytes()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::UnknownColumn { .. }), "{e}");
    assert!(e.to_string().contains("`Crime ID`"), "{e}");
    let enrol = "time_period,school_urn,pupil_id,sess_possible,sess_authorised,sess_unauthorised,sess_overal\n\
                 202324,900001,SECRET-ID-1,300,10,5,15\n";
    let e = attendance::read_enrolment_counts_csv("enrol.csv", enrol.as_bytes()).unwrap_err();
    assert!(
        e.to_string().contains("sess_overal") && e.to_string().contains("`sess_overall`"),
        "{e}"
    );
    no_secret(&e.to_string());
    let pop = "area,Year,population,source\nE01990001,2023,1654,synthetic\n";
    let e = asb::read_population_csv("pop.csv", pop.as_bytes()).unwrap_err();
    assert!(e.to_string().contains("pop.csv"), "{e}");
    let defl = "financial_year,gdp_deflatr\n2023/24,100\n";
    let e =
        outcomes::costs::DeflatorSeries::from_csv_reader(defl.as_bytes(), "defl.csv").unwrap_err();
    assert!(e.to_string().contains("`gdp_deflator`"), "{e}");
}
