//! Property tests for the readers of the sample's aggregated files
//! (`read_enrolment_counts_csv`, `read_population_csv`): no panic on
//! arbitrary bytes, rows conserved (accepted + rejected = rows read), and
//! accepted population rows always form a valid table.

use outcomes::measures::asb::{read_population_csv, PopulationTable};
use outcomes::measures::attendance::read_enrolment_counts_csv;
use proptest::prelude::*;

const COUNTS_HEADER: &str = "time_period,time_identifier,school_urn,pupil_id,arm,sess_possible,sess_authorised,sess_unauthorised,sess_overall,enrolments_pa_10_exact";

fn counts_row() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("202324"), Just("2024/25"), Just("202426"), Just("")],
        prop_oneof![Just("900001"), Just("")],
        prop_oneof![Just("p1"), Just("p2"), Just("")],
        -3i64..12,
        -3i64..12,
        -3i64..12,
        -3i64..20,
        0usize..3,
    )
        .prop_map(|(y, s, p, pos, a, u, o, shape)| match shape {
            0 => format!("{y},Academic year,{s},{p},pilot,{pos},{a},{u},{o},0"),
            1 => format!("{y},Academic year,{s},{p},pilot,{pos},{a},{u},{},0", a + u),
            _ => format!("{y},{s}"),
        })
}

fn pop_row() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("E01990001"), Just("E01990002"), Just(" ")],
        prop_oneof![Just("2023"), Just("2024"), Just("20x4"), Just("1899")],
        prop_oneof![Just("0"), Just("1500"), Just("-4"), Just("")],
        prop_oneof![Just("ONS"), Just("")],
    )
        .prop_map(|(a, y, p, s)| format!("{a},{y},{p},{s}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn counts_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut data = COUNTS_HEADER.as_bytes().to_vec();
        data.push(b'\n');
        data.extend(bytes);
        let r = read_enrolment_counts_csv("fuzz.csv", data.as_slice()).unwrap();
        prop_assert_eq!((r.accepted.len() + r.rejected.len()) as u64, r.rows_read);
    }

    #[test]
    fn counts_rows_are_conserved(rows in proptest::collection::vec(counts_row(), 0..40)) {
        let mut text = format!("{COUNTS_HEADER}\n");
        for r in &rows {
            text.push_str(r);
            text.push('\n');
        }
        let r = read_enrolment_counts_csv("gen.csv", text.as_bytes()).unwrap();
        prop_assert_eq!(r.rows_read as usize, rows.len());
        prop_assert_eq!(r.accepted.len() + r.rejected.len(), rows.len());
        for a in &r.accepted {
            let c = a.enrolment.counts;
            prop_assert!(c.overall() <= c.possible());
        }
    }

    #[test]
    fn population_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut data = b"area,year,population,source\n".to_vec();
        data.extend(bytes);
        let r = read_population_csv("fuzz.csv", data.as_slice()).unwrap();
        prop_assert_eq!((r.accepted.len() + r.rejected.len()) as u64, r.rows_read);
        prop_assert!(PopulationTable::new(r.accepted).is_ok());
    }

    #[test]
    fn population_rows_are_conserved(rows in proptest::collection::vec(pop_row(), 0..40)) {
        let mut text = String::from("area,year,population,source\n");
        for r in &rows {
            text.push_str(r);
            text.push('\n');
        }
        let r = read_population_csv("gen.csv", text.as_bytes()).unwrap();
        prop_assert_eq!(r.rows_read as usize, rows.len());
        prop_assert_eq!(r.accepted.len() + r.rejected.len(), rows.len());
        prop_assert!(PopulationTable::new(r.accepted).is_ok());
    }
}
