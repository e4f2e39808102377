//! Property tests for the ASB measures: no panic on arbitrary CSV bytes,
//! rows conserved, Poisson intervals well-formed.

use outcomes::measures::asb::{
    poisson_exact_ci, rate_ratio, read_police_uk_street, AreaMonthCounts, Month, POLICE_UK_COLUMNS,
};
use outcomes::stats::ConfidenceLevel;
use proptest::prelude::*;

fn row() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            Just("Anti-social behaviour".to_string()),
            Just("Burglary".to_string()),
            Just(String::new()),
            "[A-Za-z ]{0,8}"
        ],
        prop_oneof![
            Just("2024-01".to_string()),
            Just("2024-13".to_string()),
            "[0-9-]{0,8}"
        ],
        prop_oneof![
            Just("E01999001".to_string()),
            Just(String::new()),
            "[A-Z0-9]{0,6}"
        ],
        0usize..3,
    )
        .prop_map(|(t, m, l, shape)| match shape {
            0 => format!(",{m},P,P,-1.0,53.0,On or near X,{l},N,{t},,"),
            1 => format!(",{m},P"),
            _ => format!("\"x\",{m},P,P,,,\"\"\"q\"\"\",{l},N,{t},,,extra"),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(r) = read_police_uk_street("fuzz.csv", bytes.as_slice()) {
            prop_assert_eq!((r.accepted.len() + r.excluded.len()) as u64, r.rows_read);
        }
    }

    #[test]
    fn arbitrary_bytes_after_a_valid_header_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut data = POLICE_UK_COLUMNS.join(",").into_bytes();
        data.push(b'\n');
        data.extend(bytes);
        let r = read_police_uk_street("fuzz.csv", data.as_slice()).unwrap();
        prop_assert_eq!((r.accepted.len() + r.excluded.len()) as u64, r.rows_read);
    }

    #[test]
    fn rows_are_conserved(rows in proptest::collection::vec(row(), 0..60)) {
        let mut text = POLICE_UK_COLUMNS.join(",");
        text.push('\n');
        for r in &rows {
            text.push_str(r);
            text.push('\n');
        }
        let r = read_police_uk_street("gen.csv", text.as_bytes()).unwrap();
        prop_assert_eq!(r.rows_read as usize, rows.len());
        prop_assert_eq!(r.accepted.len() + r.excluded.len(), rows.len());
        let c = AreaMonthCounts::from_incidents(&r.accepted).unwrap();
        let total: u64 = c.rows().iter().map(|x| x.count).sum();
        prop_assert_eq!(total as usize, r.accepted.len());
    }

    #[test]
    fn poisson_intervals_are_well_formed(k in 0u64..200_000, t in 1e-3f64..1e6, cl in 0.5f64..0.999) {
        let level = ConfidenceLevel::new(cl).unwrap();
        let ci = poisson_exact_ci(k, t, level).unwrap();
        let rate = k as f64 / t;
        prop_assert!(ci.lower <= rate && rate <= ci.upper, "{ci:?} {rate}");
        prop_assert!(ci.lower >= 0.0 && ci.upper.is_finite());
    }

    #[test]
    fn rate_ratio_intervals_are_well_formed(k1 in 0u64..50_000, k2 in 0u64..50_000, t1 in 1e-2f64..1e5, t2 in 1e-2f64..1e5) {
        let r = rate_ratio(k1, t1, k2, t2, ConfidenceLevel::NINETY_FIVE).unwrap();
        if let Some(ci) = r.exact_conditional {
            prop_assert!(ci.lower >= 0.0 && ci.lower <= ci.upper);
            if let Some(rr) = r.ratio {
                prop_assert!(ci.lower <= rr * (1.0 + 1e-9) && rr <= ci.upper * (1.0 + 1e-9), "{ci:?} {rr}");
            }
        }
        if let (Some(w), Some(rr)) = (r.wald_log, r.ratio) {
            prop_assert!(w.lower <= rr && rr <= w.upper);
        }
        if let Some(t) = r.exact_test {
            prop_assert!((0.0..=1.0).contains(&t.p_value));
        }
    }

    #[test]
    fn month_parse_never_panics(s in ".{0,10}", n in any::<i64>()) {
        if let Ok(m) = Month::parse(&s) {
            let _ = m.plus(n);
        }
    }
}
