//! Render every chart of the evaluation report on small made-up data to
//! `/tmp/plot-preview/` (or the directory given as the first argument), for
//! checking the layout by eye.

use outcomes::plot::*;
use outcomes::stats::ConfidenceLevel;

fn main() -> outcomes::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("/tmp/plot-preview"));
    let opts = ChartOptions::default();
    let v = |m: f64, l: f64, u: f64| ValueWithCi::with_ci(m, l, u);

    // 1. NDT total over time.
    let ndt = NdtOverTime {
        time_unit: TimeUnit::Months,
        ci_level: ConfidenceLevel::NINETY_FIVE,
        groups: vec![
            NdtGroupSeries {
                label: "Programme".into(),
                time: vec![0.0, 3.0, 6.0, 9.0, 12.0],
                mean: vec![
                    v(31.0, 29.0, 33.0),
                    v(27.0, 25.0, 29.5),
                    v(24.5, 22.0, 27.0),
                    v(22.0, 19.5, 24.5),
                    v(21.0, 18.0, 24.0),
                ],
            },
            NdtGroupSeries {
                label: "Comparison".into(),
                time: vec![0.0, 3.0, 6.0, 9.0, 12.0],
                mean: vec![
                    v(30.0, 28.0, 32.0),
                    v(29.0, 27.0, 31.0),
                    v(28.0, 26.0, 30.0),
                    v(28.5, 26.0, 31.0),
                    v(27.5, 25.0, 30.0),
                ],
            },
        ],
    };
    ndt_over_time(&ndt, &opts)?.write_files(&dir, "1_ndt_over_time")?;

    // 2. Service use before/after by category.
    let g = |label: &str, b: f64, a: f64| BeforeAfterGroup {
        label: label.into(),
        before: v(b, b * 0.8, b * 1.2),
        after: v(a, a * 0.8, a * 1.2),
    };
    let service = ServiceUseBeforeAfter {
        unit: "Contacts per person per quarter".into(),
        periods: PeriodLabels {
            before: "Year before support".into(),
            after: "Year after start".into(),
        },
        ci_level: ConfidenceLevel::NINETY_FIVE,
        categories: vec![
            g("A&E attendances", 1.4, 0.9),
            g("Hospital admissions", 0.5, 0.35),
            g("Police custody", 0.8, 0.4),
            g("Mental health crisis team contacts", 0.6, 0.7),
            g("Nights rough sleeping", 3.2, 1.1),
        ],
    };
    service_use_before_after(&service, &opts)?.write_files(&dir, "2_service_use")?;

    // 3. Cost by agency, both styles.
    let a = |agency: &str, before: f64, after: f64| AgencyCost {
        agency: agency.into(),
        before,
        after,
    };
    let costs = CostByAgency {
        price_base: "2024/25 prices".into(),
        periods: PeriodLabels {
            before: "Year before".into(),
            after: "Year after".into(),
        },
        agencies: vec![
            a("NHS", 6200.0, 4100.0),
            a("Police", 3100.0, 1900.0),
            a("Criminal justice", 4500.0, 2600.0),
            a("Local authority housing", 2500.0, 3300.0),
            a("DWP", 1200.0, 1150.0),
        ],
    };
    cost_by_agency(&costs, CostChartStyle::Stacked, &opts)?.write_files(&dir, "3a_cost_stacked")?;
    cost_by_agency(&costs, CostChartStyle::Waterfall, &opts)?
        .write_files(&dir, "3b_cost_waterfall")?;

    // 4. Propensity-score overlap.
    let bump = |centre: f64, spread: f64| -> Vec<f64> {
        let raw: Vec<f64> = (0..20)
            .map(|i| {
                let x = (i as f64 + 0.5) / 20.0;
                (-((x - centre) / spread).powi(2) / 2.0).exp()
            })
            .collect();
        let total: f64 = raw.iter().sum();
        raw.iter().map(|r| r / total).collect()
    };
    let overlap = PropensityOverlap {
        bin_edges: (0..=20).map(|i| i as f64 / 20.0).collect(),
        treated_label: "Programme".into(),
        control_label: "Comparison".into(),
        before: OverlapPanel {
            treated: bump(0.6, 0.15),
            control: bump(0.3, 0.15),
        },
        after: OverlapPanel {
            treated: bump(0.55, 0.13),
            control: bump(0.53, 0.13),
        },
    };
    propensity_overlap(&overlap, &opts)?.write_files(&dir, "4_propensity_overlap")?;

    // 5. Balance plot.
    let c = |name: &str, before: f64, after: f64| CovariateBalance {
        name: name.into(),
        before,
        after,
    };
    let balance = BalancePlot::new(vec![
        c("Age at referral", 0.35, 0.04),
        c("Female", -0.12, 0.02),
        c("Prior convictions (count)", 0.52, 0.08),
        c("Rough sleeping in last year", 0.41, -0.06),
        c("Mental health contact in last year", 0.22, 0.11),
        c("Substance misuse treatment", -0.30, -0.03),
    ]);
    balance_plot(&balance, &opts)?.write_files(&dir, "5_balance")?;

    // 6. Persistent absence.
    let absence = PersistentAbsence {
        periods: PeriodLabels {
            before: "2022/23".into(),
            after: "2023/24".into(),
        },
        ci_level: ConfidenceLevel::NINETY_FIVE,
        groups: vec![
            BeforeAfterGroup {
                label: "Pilot areas".into(),
                before: v(0.24, 0.22, 0.26),
                after: v(0.19, 0.17, 0.21),
            },
            BeforeAfterGroup {
                label: "Comparison areas".into(),
                before: v(0.23, 0.215, 0.245),
                after: v(0.22, 0.205, 0.235),
            },
        ],
    };
    persistent_absence(&absence, &opts)?.write_files(&dir, "6_persistent_absence")?;

    // 7. ASB per 1,000 by month.
    let months: Vec<String> = (0..24)
        .map(|i| format!("{}-{:02}", 2023 + i / 12, i % 12 + 1))
        .collect();
    let asb = AsbByMonth {
        series: vec![
            MonthlySeries {
                label: "Pilot areas".into(),
                values: (0..24)
                    .map(|i| 4.0 + (i as f64 * 0.9).sin() * 0.5 - if i >= 12 { 1.2 } else { 0.0 })
                    .collect(),
            },
            MonthlySeries {
                label: "Comparison areas".into(),
                values: (0..24)
                    .map(|i| 3.6 + (i as f64 * 0.7).cos() * 0.4)
                    .collect(),
            },
        ],
        months,
        start_index: 12,
        start_label: "Pilot starts (2024-01)".into(),
    };
    asb_by_month(&asb, &opts)?.write_files(&dir, "7_asb_by_month")?;
    println!("wrote charts to {}", dir.display());
    Ok(())
}
