//! Reference tests for `outcomes::costs`: hand-worked re-basing, Green Book
//! discounting across the 30-year break, a hand-worked CBA, pre/post costing,
//! a GMCA-layout workbook, and property tests.

use std::collections::BTreeMap;

use outcomes::cohort::Phase;
use outcomes::costs::cba::{appraise, sensitivity};
use outcomes::costs::costing::{cost_by_person_window, cost_lines, cost_range, pre_post};
use outcomes::costs::*;
use outcomes::measures::service_use::Count;
use proptest::prelude::*;

fn y(s: &str) -> PriceYear {
    s.parse().unwrap()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

/// Re-basing with a given deflator series, by hand:
/// £593 at 2006/07 prices with index(2006/07) = 80 and index(2011/12) = 100
/// is 593 × 100 / 80 = £741.25 at 2011/12 prices; and back again.
#[test]
fn rebase_hand_worked() {
    let d = DeflatorSeries::from_pairs([(y("2006/07"), 80.0), (y("2011/12"), 100.0)]).unwrap();
    let a = Gbp::new(593.0, y("2006/07")).unwrap();
    let b = d.rebase(a, y("2011/12")).unwrap();
    assert_eq!(b.price_year(), y("2011/12"));
    assert!(close(b.amount(), 741.25, 1e-12));
    let back = d.rebase(b, y("2006/07")).unwrap();
    assert!(close(back.amount(), 593.0, 1e-12));
}

/// The shipped illustrative series: A&E £109 (GMCA HE4.0, 2011/12) in
/// 2024/25 prices = 109 × 112.375 / 79.2 = 154.657512626... (python3:
/// `109*112.375/79.2`). The index values 79.2 and 112.375 are the means of
/// ONS YBGB quarters 2011Q2–2012Q1 and 2024Q2–2025Q1 (data/gdp_deflators.csv).
#[test]
fn rebase_with_illustrative_series() {
    let d = DeflatorSeries::illustrative().unwrap();
    let v = d
        .rebase(Gbp::new(109.0, y("2011/12")).unwrap(), y("2024/25"))
        .unwrap();
    assert!(
        close(v.amount(), 154.657_512_626_262_62, 1e-12),
        "{}",
        v.amount()
    );
}

/// Green Book discounting over 40 years across the 30-year break, by hand:
/// DF_30 = 1/1.035^30 = 1/2.8067937047026272 = 0.35627841060230236;
/// DF_31 = 1/(1.035^30 · 1.03) = 0.3459013695167984;
/// DF_40 = 1/(1.035^30 · 1.03^10) = 0.26510459733825.
/// PV of £1,000 a year in years 1..=40 = 21431.172520164568
/// (python3: `sum(1000/(1.035**min(t,30)*1.03**max(t-30,0)) for t in range(1,41))`).
#[test]
fn green_book_discounting_across_30_year_break() {
    let s = DiscountSchedule::green_book_standard();
    assert!(close(
        s.discount_factor(30),
        0.356_278_410_602_302_36,
        1e-12
    ));
    assert!(close(s.discount_factor(31), 0.345_901_369_516_798_4, 1e-12));
    assert!(close(s.discount_factor(40), 0.265_104_597_338_25, 1e-12));
    let pv: f64 = (1..=40).map(|t| 1000.0 * s.discount_factor(t)).sum();
    assert!(close(pv, 21_431.172_520_164_568, 1e-12), "{pv}");

    // The same through `appraise`: one stream of £1,000 a year for 40 years.
    let stream = BenefitStream {
        label: "x".into(),
        agency: Agency::Nhs,
        value_type: ValueType::Fiscal,
        annual_gross: Gbp::new(1000.0, y("2024/25")).unwrap(),
        counterfactual: Counterfactual::Deadweight(Proportion::ZERO),
        attribution: Proportion::ZERO,
        confidence: ConfidenceGrade::new(1).unwrap(),
    };
    let p = CbaParameters {
        horizon_years: 40,
        ..CbaParameters::default()
    };
    let r = appraise(&[stream], &[], &p).unwrap();
    assert!(close(r.pv_benefits.amount(), 21_431.172_520_164_568, 1e-12));
    assert_eq!(r.benefit_cost_ratio, None);

    // Health schedule: DF_31 = 1/(1.015^30 · 1.0129) = 0.6316146015465403.
    let h = DiscountSchedule::green_book_health();
    assert!(close(h.discount_factor(31), 0.631_614_601_546_540_3, 1e-12));
}

/// A hand-worked appraisal. Gross £10,000 a year, deadweight 20%,
/// attribution 10%, confidence grade 3 (optimism bias 10%), drop-off 25%:
/// N₁ = 10000 × 0.8 × 0.9 × 0.9 = 6480; B = 6480, 4860, 3645, 2733.75 in
/// years 1–4. Discounted at 3.5%: 6260.8696, 4536.8620, 3287.5812, 2382.3052;
/// PV = 16467.617921129025; cost £15,000 in year 0, so NPV = 1467.6179211290255,
/// BCR = 16467.6179/15000, payback in year 4 (cumulative −914.69 after year 3).
#[test]
fn cba_hand_worked() {
    let py = y("2024/25");
    let stream = BenefitStream {
        label: "reduced A&E use".into(),
        agency: Agency::Nhs,
        value_type: ValueType::Fiscal,
        annual_gross: Gbp::new(10_000.0, py).unwrap(),
        counterfactual: Counterfactual::Deadweight(Proportion::new(0.2).unwrap()),
        attribution: Proportion::new(0.1).unwrap(),
        confidence: ConfidenceGrade::new(3).unwrap(),
    };
    let p = CbaParameters {
        horizon_years: 4,
        dropoff: Proportion::new(0.25).unwrap(),
        ..CbaParameters::default()
    };
    let costs = [Gbp::new(15_000.0, py).unwrap()];
    let r = appraise(std::slice::from_ref(&stream), &costs, &p).unwrap();
    assert!(close(r.streams[0].year1_net.amount(), 6480.0, 1e-12));
    assert!(close(r.pv_benefits.amount(), 16_467.617_921_129_025, 1e-12));
    assert!(close(r.npv.amount(), 1_467.617_921_129_025_5, 1e-10));
    assert!(close(
        r.benefit_cost_ratio.unwrap(),
        16_467.617_921_129_025 / 15_000.0,
        1e-12
    ));
    assert_eq!(r.fiscal_roi, r.benefit_cost_ratio);
    assert_eq!(r.payback_year, Some(4));
    assert!(close(
        r.years[3].cumulative_pv_net.amount(),
        -914.687_268_841_948,
        1e-10
    ));
    assert_eq!(r.pv_economic.amount(), 0.0);

    // Three years only: never pays back.
    let p3 = CbaParameters {
        horizon_years: 3,
        ..p.clone()
    };
    let r3 = appraise(std::slice::from_ref(&stream), &costs, &p3).unwrap();
    assert_eq!(r3.payback_year, None);
    assert!(close(
        r3.pv_benefits.amount(),
        14_085.312_731_158_054,
        1e-12
    ));

    // Comparison group instead of deadweight: (10000 − 3000) × 0.9 × 0.9 = 5670.
    let mut cg = stream.clone();
    cg.counterfactual = Counterfactual::ComparisonGroup(Gbp::new(3000.0, py).unwrap());
    let r = appraise(&[cg], &costs, &p).unwrap();
    assert!(close(r.streams[0].year1_net.amount(), 5670.0, 1e-12));

    // ROIs nest: fiscal ≤ economic ≤ public value when all PVs ≥ 0.
    let mut econ = stream.clone();
    econ.value_type = ValueType::Economic;
    let mut social = stream.clone();
    social.value_type = ValueType::Social;
    social.agency = Agency::Other("Society".into());
    let r = appraise(&[stream.clone(), econ, social], &costs, &p).unwrap();
    assert!(close(
        r.fiscal_roi.unwrap() * 3.0,
        r.public_value_roi.unwrap(),
        1e-12
    ));
    assert!(close(
        r.economic_roi.unwrap() * 1.5,
        r.public_value_roi.unwrap(),
        1e-12
    ));
    assert_eq!(r.public_value_roi, r.benefit_cost_ratio);
    let by_agency: f64 = r.pv_by_agency.values().map(|g| g.amount()).sum();
    assert!(close(by_agency, r.pv_benefits.amount(), 1e-12));

    // Price years must agree.
    let bad = [Gbp::new(15_000.0, y("2023/24")).unwrap()];
    let e = appraise(std::slice::from_ref(&stream), &bad, &p)
        .unwrap_err()
        .to_string();
    assert!(e.contains("2023/24") && e.contains("2024/25"), "{e}");
}

/// One-way sensitivity: NPV falls as drop-off, deadweight, attribution,
/// discount rate, optimism bias and costs rise, and rises with the horizon
/// and benefits. At drop-off 0 and horizon 4 the stream is a flat 6480 a
/// year: PV = 6480 × (1/1.035 + ... + 1/1.035^4) = 23801.6... − checked
/// against the annuity formula 6480 × (1 − 1.035^−4)/0.035.
#[test]
fn sensitivity_one_way() {
    let py = y("2024/25");
    let stream = BenefitStream {
        label: "s".into(),
        agency: Agency::Police,
        value_type: ValueType::Fiscal,
        annual_gross: Gbp::new(10_000.0, py).unwrap(),
        counterfactual: Counterfactual::Deadweight(Proportion::new(0.2).unwrap()),
        attribution: Proportion::new(0.1).unwrap(),
        confidence: ConfidenceGrade::new(3).unwrap(),
    };
    let p = CbaParameters {
        horizon_years: 4,
        dropoff: Proportion::new(0.25).unwrap(),
        ..CbaParameters::default()
    };
    let costs = [Gbp::new(15_000.0, py).unwrap()];
    let t = sensitivity(&[stream], &costs, &p, &SensitivitySpec::default_set()).unwrap();
    assert_eq!(t.rows.len(), 8);
    for row in &t.rows {
        use SensitivityParameter::*;
        let (lo, hi) = (row.npv_at_low.amount(), row.npv_at_high.amount());
        match row.parameter {
            HorizonYears | BenefitScale => assert!(lo < hi, "{row:?}"),
            _ => assert!(lo > hi, "{row:?}"),
        }
    }
    let drop0 = &t.rows[0];
    let annuity = 6480.0 * (1.0 - 1.035f64.powi(-4)) / 0.035 - 15_000.0;
    assert!(close(drop0.npv_at_low.amount(), annuity, 1e-12));
    assert!(sensitivity(
        &[],
        &costs,
        &p,
        &[SensitivitySpec {
            parameter: SensitivityParameter::Dropoff,
            low: -0.1,
            high: 0.2
        }]
    )
    .is_err());
}

fn pre_post_fixture() -> (UnitCostTable, DeflatorSeries) {
    let csv = "code,description,category,unit,value,price_year,value_type,agency,source\n\
               AE,A&E,ae_attendance,per incident,100,2011/12,fiscal,NHS,test\n\
               AR,arrest,arrest,per incident,500,2006/07,fiscal,Police,test\n\
               PR,prison,prison_night,per year,36525,2011/12,fiscal,Prison,test\n";
    let table = UnitCostTable::from_csv_reader(csv.as_bytes(), "t.csv").unwrap();
    let d = DeflatorSeries::from_pairs([(y("2006/07"), 80.0), (y("2011/12"), 100.0)]).unwrap();
    (table, d)
}

fn rec(p: u32, cat: &str, w: Phase, n: f64) -> ServiceUse<u32> {
    ServiceUse {
        person: p,
        category: CostCategory::new(cat).unwrap(),
        window: w,
        count: Count::amount(n).unwrap(),
    }
}

/// Pre/post by hand (target 2011/12; A&E £100; arrest £500 at 2006/07 =
/// £625 at 2011/12; prison £36,525 a year = £100 a night at 365.25 days):
/// person 1 pre 3 A&E + 1 arrest = 925, post 1 A&E = 100, change −825;
/// person 2 pre 10 prison nights = 1000, post 2 arrests = 1250, change +250;
/// person 3 no use. Totals pre 1925, post 1350, change −575, mean −191.67.
/// Programme £200 a head: net savings 625, −450, −200; total −25.
#[test]
fn pre_post_hand_worked() {
    let (table, d) = pre_post_fixture();
    let records = vec![
        rec(1, "ae_attendance", Phase::Before, 3.0),
        rec(1, "arrest", Phase::Before, 1.0),
        rec(1, "ae_attendance", Phase::After, 1.0),
        rec(2, "prison_night", Phase::Before, 10.0),
        rec(2, "arrest", Phase::After, 2.0),
    ];
    let opts = CostingOptions::new(y("2011/12"));
    let prog = Gbp::new(200.0, y("2011/12")).unwrap();
    let r = pre_post(&records, &[1, 2, 3], &table, &d, &opts, prog).unwrap();
    assert_eq!(r.n, 3);
    let ch = r.change_vector();
    assert!(
        close(ch[0], -825.0, 1e-12) && close(ch[1], 250.0, 1e-12) && ch[2] == 0.0,
        "{ch:?}"
    );
    let ns = r.net_saving_vector();
    assert!(
        close(ns[0], 625.0, 1e-12) && close(ns[1], -450.0, 1e-12) && close(ns[2], -200.0, 1e-12)
    );
    assert!(close(r.total_pre.amount(), 1925.0, 1e-12));
    assert!(close(r.total_post.amount(), 1350.0, 1e-12));
    assert!(close(r.total_change.amount(), -575.0, 1e-12));
    assert!(close(r.mean_change.amount(), -575.0 / 3.0, 1e-12));
    assert!(close(r.total_net_saving.amount(), -25.0, 1e-12));
    assert!(close(r.mean_net_saving.amount(), -25.0 / 3.0, 1e-12));
    let nhs = r.by_agency[&Agency::Nhs];
    assert!(close(nhs.pre.amount(), 300.0, 1e-12) && close(nhs.post.amount(), 100.0, 1e-12));
    let police = r.by_agency[&Agency::Police];
    assert!(close(police.pre.amount(), 625.0, 1e-12) && close(police.post.amount(), 1250.0, 1e-12));
    // Totals equal the sum of agencies' shares.
    let sp: f64 = r.by_agency.values().map(|a| a.pre.amount()).sum();
    let sq: f64 = r.by_agency.values().map(|a| a.post.amount()).sum();
    assert!(close(sp, r.total_pre.amount(), 1e-12) && close(sq, r.total_post.amount(), 1e-12));

    // Per person-window rows: totals equal sums over agencies and over categories.
    for pw in cost_by_person_window(&records, &table, &d, &opts).unwrap() {
        let a: f64 = pw.by_agency.values().map(|g| g.amount()).sum();
        let c: f64 = pw.by_category.values().map(|g| g.amount()).sum();
        assert!(close(a, pw.total.amount(), 1e-12) && close(c, pw.total.amount(), 1e-12));
    }

    // Errors: record for a person outside the cohort, empty cohort, duplicate.
    let e = pre_post(&records, &[1], &table, &d, &opts, prog)
        .unwrap_err()
        .to_string();
    assert!(e.contains("record 4"), "{e}");
    assert!(pre_post(&records, &[], &table, &d, &opts, prog).is_err());
    assert!(pre_post(&records, &[1, 2, 2], &table, &d, &opts, prog).is_err());
    // Missing price year in the deflator series names the year.
    let opts2 = CostingOptions::new(y("2020/21"));
    let e = pre_post(&records, &[1, 2, 3], &table, &d, &opts2, prog)
        .unwrap_err()
        .to_string();
    assert!(e.contains("2020/21"), "{e}");
}

/// Banded counts give low ≤ mid ≤ high costs (hand-worked: band 1/2/4 A&E
/// at £100 = 100/200/400).
#[test]
fn banded_counts_order() {
    let (table, d) = pre_post_fixture();
    let records = vec![ServiceUse {
        person: 1u32,
        category: CostCategory::new("ae_attendance").unwrap(),
        window: Phase::Before,
        count: Count::band(1.0, 2.0, 4.0).unwrap(),
    }];
    let r = cost_range(&records, &table, &d, &CostingOptions::new(y("2011/12"))).unwrap();
    assert!(close(r.low.amount(), 100.0, 1e-12));
    assert!(close(r.mid.amount(), 200.0, 1e-12));
    assert!(close(r.high.amount(), 400.0, 1e-12));
}

/// A GMCA Unit Cost Database-layout workbook (title row, header row, section
/// heading rows, an Introduction sheet without a header), written with
/// rust_xlsxwriter and read back with calamine.
#[test]
fn gmca_workbook_roundtrip() {
    use rust_xlsxwriter::Workbook;
    let path =
        std::env::temp_dir().join(format!("outcomes_costs_gmca_{}.xlsx", std::process::id()));
    let mut wb = Workbook::new();
    {
        let intro = wb.add_worksheet();
        intro.set_name("Introduction").unwrap();
        intro.write_string(0, 0, "Unit Cost Database").unwrap();
    }
    let header = [
        "Outcome category",
        "Outcome detail",
        "Cost code",
        "Description",
        "Unit",
        "Agency",
        "Agency detail",
        "Cost",
        "Price year",
        "Cost (uprated)",
    ];
    {
        let ws = wb.add_worksheet();
        ws.set_name("Crime").unwrap();
        ws.write_string(0, 0, "Crime").unwrap();
        for (c, h) in header.iter().enumerate() {
            ws.write_string(2, c as u16, *h).unwrap();
        }
        ws.write_string(3, 0, "Arrests").unwrap(); // section heading, no code
        let rows: [(&str, &str, &str, &str, f64, &str); 2] = [
            (
                "CR7.0",
                "Arrest - detained",
                "Per incident",
                "Police",
                593.0,
                "2006/07",
            ),
            (
                "CR9.0",
                "Police officer, sergeant and below",
                "Per hour",
                "Police",
                38.43,
                "2013/14",
            ),
        ];
        for (i, r) in rows.iter().enumerate() {
            let row = 4 + i as u32;
            ws.write_string(row, 0, "Crime").unwrap();
            ws.write_string(row, 2, r.0).unwrap();
            ws.write_string(row, 3, r.1).unwrap();
            ws.write_string(row, 4, r.2).unwrap();
            ws.write_string(row, 5, r.3).unwrap();
            ws.write_number(row, 7, r.4).unwrap();
            ws.write_string(row, 8, r.5).unwrap();
        }
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("Health").unwrap();
        for (c, h) in header.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 2, "HE4.0").unwrap();
        ws.write_string(1, 3, "A&E attendance, all scenarios")
            .unwrap();
        ws.write_string(1, 4, "Per incident").unwrap();
        ws.write_string(1, 5, "NHS").unwrap();
        ws.write_number(1, 7, 109.0).unwrap();
        ws.write_string(1, 8, "2011/12").unwrap();
        ws.write_string(2, 2, "HE14.0.1").unwrap();
        ws.write_string(2, 3, "Mental health inpatient bed day (adult)")
            .unwrap();
        ws.write_string(2, 4, "Per bed day").unwrap();
        ws.write_string(2, 5, "NHS").unwrap();
        ws.write_string(2, 7, "£410").unwrap();
        ws.write_string(2, 8, "2011-12").unwrap();
    }
    wb.save(&path).unwrap();

    let g = GmcaWorkbook::open(&path).unwrap();
    let codes: Vec<&str> = g.rows().iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["CR7.0", "CR9.0", "HE4.0", "HE14.0.1"]);
    let mut mapping = BTreeMap::new();
    mapping.insert("CR7.0".to_string(), CostCategory::new("arrest").unwrap());
    mapping.insert(
        "HE4.0".to_string(),
        CostCategory::new("ae_attendance").unwrap(),
    );
    mapping.insert(
        "HE14.0.1".to_string(),
        CostCategory::new("mh_inpatient_day").unwrap(),
    );
    let t = g.to_table(&mapping).unwrap();
    let arrest = t.chosen(&CostCategory::new("arrest").unwrap()).unwrap();
    assert_eq!(arrest.value().amount(), 593.0);
    assert_eq!(arrest.value().price_year(), y("2006/07"));
    assert_eq!(arrest.agency(), &Agency::Police);
    assert_eq!(arrest.unit(), CostUnit::PerEvent);
    let mh = t
        .chosen(&CostCategory::new("mh_inpatient_day").unwrap())
        .unwrap();
    assert_eq!((mh.value().amount(), mh.unit()), (410.0, CostUnit::PerDay));

    // An hourly entry cannot be mapped; the error names sheet, row, column, value.
    mapping.insert(
        "CR9.0".to_string(),
        CostCategory::new("police_hour").unwrap(),
    );
    let e = g.to_table(&mapping).unwrap_err().to_string();
    assert!(
        e.contains("#Crime")
            && e.contains("row 3")
            && e.contains("`unit`")
            && e.contains("Per hour"),
        "{e}"
    );
    // A code not in the workbook.
    let mut m2 = BTreeMap::new();
    m2.insert("ZZ1".to_string(), CostCategory::new("x").unwrap());
    assert!(g.to_table(&m2).is_err());
    let _ = std::fs::remove_file(&path);

    // A file that is not a workbook is an error, not a panic.
    assert!(GmcaWorkbook::open(std::env::temp_dir().join("outcomes_no_such_file.xlsx")).is_err());
}

const CATS: [&str; 5] = [
    "ae_attendance",
    "arrest",
    "prison_night",
    "mh_inpatient_day",
    "rough_sleeping_night",
];

fn arb_records() -> impl Strategy<Value = Vec<ServiceUse<u8>>> {
    prop::collection::vec(
        (
            0u8..20,
            0usize..CATS.len(),
            any::<bool>(),
            0.0f64..1e4,
            0.0f64..1e3,
            0.0f64..1e3,
        ),
        0..60,
    )
    .prop_map(|v| {
        v.into_iter()
            .map(|(p, c, pre, a, b, e)| ServiceUse {
                person: p,
                category: CostCategory::new(CATS[c]).unwrap(),
                window: if pre { Phase::Before } else { Phase::After },
                count: if b == 0.0 {
                    Count::amount(a).unwrap()
                } else {
                    Count::band(a, a + b, a + b + e).unwrap()
                },
            })
            .collect()
    })
}

fn total(
    records: &[ServiceUse<u8>],
    t: &UnitCostTable,
    d: &DeflatorSeries,
    o: &CostingOptions,
) -> f64 {
    cost_lines(records, t, d, o)
        .unwrap()
        .iter()
        .map(|l| l.cost.amount())
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn price_year_parse_never_panics(s in ".*") {
        if let Ok(p) = s.parse::<PriceYear>() {
            prop_assert_eq!(p.to_string().parse::<PriceYear>().unwrap(), p);
        }
    }

    #[test]
    fn price_year_roundtrip(start in 1900i32..=2200) {
        let p = PriceYear::new(start).unwrap();
        prop_assert_eq!(p.to_string().parse::<PriceYear>().unwrap(), p);
        let long = format!("{}-{}", start, start + 1);
        prop_assert_eq!(long.parse::<PriceYear>().unwrap(), p);
    }

    #[test]
    fn unit_cost_csv_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = UnitCostTable::from_csv_reader(bytes.as_slice(), "fuzz.csv");
        let _ = DeflatorSeries::from_csv_reader(bytes.as_slice(), "fuzz.csv");
    }

    #[test]
    fn unit_cost_csv_text_never_panics(body in "[a-zA-Z0-9,./£ \n\"-]{0,300}") {
        let text = format!("code,description,category,unit,value,price_year,value_type,agency,source,selected\n{body}");
        let _ = UnitCostTable::from_csv_reader(text.as_bytes(), "fuzz.csv");
        let text = format!("financial_year,gdp_deflator\n{body}");
        let _ = DeflatorSeries::from_csv_reader(text.as_bytes(), "fuzz.csv");
    }

    #[test]
    fn costs_never_negative_and_additive(records in arb_records(), split in 0u8..20) {
        let t = UnitCostTable::illustrative().unwrap();
        let d = DeflatorSeries::illustrative().unwrap();
        let o = CostingOptions::new(y("2024/25"));
        let lines = cost_lines(&records, &t, &d, &o).unwrap();
        prop_assert!(lines.iter().all(|l| l.cost.amount() >= 0.0));
        let all = total(&records, &t, &d, &o);
        // Partition by people.
        let (a, b): (Vec<_>, Vec<_>) = records.iter().cloned().partition(|r| r.person < split);
        prop_assert!(close(total(&a, &t, &d, &o) + total(&b, &t, &d, &o), all, 1e-9));
        // Partition by categories.
        let (a, b): (Vec<_>, Vec<_>) = records.iter().cloned().partition(|r| r.category.as_str() < "mh");
        prop_assert!(close(total(&a, &t, &d, &o) + total(&b, &t, &d, &o), all, 1e-9));
        // Person-window totals equal agency and category sums.
        for pw in cost_by_person_window(&records, &t, &d, &o).unwrap() {
            prop_assert!(pw.total.amount() >= 0.0);
            let s: f64 = pw.by_agency.values().map(|g| g.amount()).sum();
            prop_assert!(close(s, pw.total.amount(), 1e-9));
        }
        // Bands: low ≤ mid ≤ high.
        let r = cost_range(&records, &t, &d, &o).unwrap();
        prop_assert!(r.low.amount() <= r.mid.amount() + 1e-9 * (1.0 + r.mid.amount()));
        prop_assert!(r.mid.amount() <= r.high.amount() + 1e-9 * (1.0 + r.high.amount()));
        // Pre/post over the whole id range: totals equal agency sums.
        let cohort: Vec<u8> = (0..20).collect();
        let pp = pre_post(&records, &cohort, &t, &d, &o, Gbp::new(0.0, y("2024/25")).unwrap()).unwrap();
        let s: f64 = pp.by_agency.values().map(|a| a.post.amount()).sum();
        prop_assert!(close(s, pp.total_post.amount(), 1e-9));
        prop_assert!(close(pp.mean_change.amount() * 20.0, pp.total_change.amount(), 1e-9));
    }

    #[test]
    fn discount_factors_decrease(t in 0u32..400, r in 0.0f64..0.2) {
        let s = DiscountSchedule::green_book_standard();
        let a = s.discount_factor(t);
        let b = s.discount_factor(t + 1);
        prop_assert!(a > 0.0 && a <= 1.0 && b <= a);
        prop_assert!(close(b, a / (1.0 + s.rate(t + 1)), 1e-12));
        let c = DiscountSchedule::constant(r).unwrap();
        prop_assert!(close(c.discount_factor(t), (1.0 + r).powi(-(t as i32)), 1e-9));
    }

    #[test]
    fn appraise_never_panics(
        gross in -1e9f64..1e9, dw in -0.5f64..1.5, attr in -0.5f64..1.5, grade in 0u8..8,
        drop in -0.5f64..1.5, n in 0u32..600, cost in -1e6f64..1e9,
    ) {
        let py = y("2024/25");
        let (Ok(dw), Ok(attr), Ok(grade), Ok(drop)) =
            (Proportion::new(dw), Proportion::new(attr), ConfidenceGrade::new(grade), Proportion::new(drop))
        else { return Ok(()); };
        let s = BenefitStream {
            label: "p".into(), agency: Agency::Dwp, value_type: ValueType::Economic,
            annual_gross: Gbp::new(gross, py).unwrap(),
            counterfactual: Counterfactual::Deadweight(dw), attribution: attr, confidence: grade,
        };
        let p = CbaParameters { horizon_years: n, dropoff: drop, ..CbaParameters::default() };
        let c = Gbp::new(cost, py).unwrap();
        if let Ok(r) = appraise(std::slice::from_ref(&s), &[c], &p) {
            prop_assert!(close(r.npv.amount(), r.pv_benefits.amount() - r.pv_costs.amount(), 1e-9));
            let _ = sensitivity(&[s], &[c], &p, &SensitivitySpec::default_set());
        }
    }
}

/// The flat 1.5% health schedule: DF_10 = 1/1.015^10 = 0.8616672317221843
/// (python3: `1/1.015**10`).
#[test]
fn flat_health_schedule() {
    let s = DiscountSchedule::green_book_health_flat();
    assert!(close(s.discount_factor(10), 0.861_667_231_722_184_3, 1e-12));
    assert_eq!(s.name(), "Green Book health (flat 1.5%)");
}

/// Per-count rates for a data-frame join, by hand: arrest £500 (2006/07)
/// → £625 per event at 2011/12 (index 80 → 100); prison £36,525 a year
/// → £100 per day (÷ 365.25), or £100.068... per day under 365 days
/// (36525/365 = 100.06849315068493).
#[test]
fn category_rates_hand_worked() {
    use outcomes::costs::costing::{category_rates, CountMeaning};
    let (table, d) = pre_post_fixture();
    let cats = [
        CostCategory::new("arrest").unwrap(),
        CostCategory::new("prison_night").unwrap(),
    ];
    let mut o = CostingOptions::new(y("2011/12"));
    let r = category_rates(&cats, &table, &d, &o).unwrap();
    assert!(close(r[0].per_count.amount(), 625.0, 1e-12));
    assert_eq!(r[0].count_meaning, CountMeaning::Events);
    assert_eq!(r[0].agency, Agency::Police);
    assert!(close(r[1].per_count.amount(), 100.0, 1e-12));
    assert_eq!(r[1].count_meaning, CountMeaning::Days);
    o.day_convention = DayConvention::Calendar365;
    let r = category_rates(&cats, &table, &d, &o).unwrap();
    assert!(close(
        r[1].per_count.amount(),
        100.068_493_150_684_93,
        1e-12
    ));
    let e = category_rates(&[CostCategory::new("eviction").unwrap()], &table, &d, &o)
        .unwrap_err()
        .to_string();
    assert!(e.contains("eviction"), "{e}");
}
