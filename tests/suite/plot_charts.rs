//! Chart rendering invariants: no input panics, every chart renders to a
//! decodable PNG of the requested size and an SVG carrying its title.
//!
//! There is no reference implementation for pictures; these tests check
//! robustness (proptest over arbitrary finite, NaN, infinite, huge and
//! subnormal values and mismatched lengths) and structure only: clean input
//! must render, corrupted input must render or fail with a validation error.
#![cfg(feature = "plot")]

use outcomes::plot::*;
use outcomes::stats::{ConfidenceLevel, Interval};
use outcomes::ErrorKind;
use proptest::prelude::*;

/// A value no chart accepts, or one at an awkward edge: NaN, infinities,
/// huge, negative, subnormal, or any bit pattern.
fn special() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(1e300),
        Just(1e12),
        Just(-1.0),
        Just(-0.0),
        Just(5e-324),
        Just(1e-300),
        any::<f64>(),
    ]
}

/// With probability 1/2, a position (taken modulo the data length) and a
/// special value to put there.
fn corruption() -> impl Strategy<Value = Option<(usize, f64)>> {
    proptest::option::of((any::<usize>(), special()))
}

/// Overwrite one element of `xs` with the corruption, if any.
fn corrupt(xs: &mut [f64], c: Option<(usize, f64)>) {
    if let Some((i, v)) = c {
        if !xs.is_empty() {
            let n = xs.len();
            xs[i % n] = v;
        }
    }
}

/// Value with an optional ordered CI, all in `[lo, hi)`.
fn value_ci(lo: f64, hi: f64) -> impl Strategy<Value = ValueWithCi> {
    (lo..hi, proptest::option::of((lo..hi, lo..hi))).prop_map(|(v, ci)| ValueWithCi {
        value: v,
        ci: ci.map(|(a, b)| Interval::new(a.min(b), a.max(b))),
    })
}

/// Flatten values and CI bounds, for corruption, and rebuild.
fn flatten(vs: &[ValueWithCi]) -> Vec<f64> {
    vs.iter()
        .flat_map(|v| {
            let (l, u) = v.ci.map_or((f64::NAN, f64::NAN), |ci| (ci.lower, ci.upper));
            [v.value, l, u]
        })
        .collect()
}

fn rebuild(vs: &[ValueWithCi], flat: &[f64]) -> Vec<ValueWithCi> {
    vs.iter()
        .zip(flat.chunks(3))
        .map(|(v, c)| ValueWithCi {
            value: c[0],
            ci: v.ci.map(|_| Interval::new(c[1], c[2])),
        })
        .collect()
}

fn small() -> ChartOptions {
    ChartOptions {
        size: ChartSize::new(240, 200).unwrap(),
        title: None,
    }
}

/// On clean input (no corruption and no deliberate defect: every value,
/// label, length and count within the documented rules) the chart must
/// render, as a well-formed PNG of the requested size and an SVG. On
/// corrupted input it may still render (a corruption can land on a valid
/// value such as `-0.0` or `5e-324`), and must then be as well formed; or it
/// fails with a validation error (invalid value, invalid parameter or
/// insufficient data, with a message), never a rendering failure.
fn check_ok(result: outcomes::Result<Chart>, clean: bool) {
    match result {
        Ok(chart) => {
            assert!(chart.svg.starts_with("<svg"));
            let decoder = png::Decoder::new(std::io::Cursor::new(chart.png.as_slice()));
            let reader = decoder.read_info().expect("PNG decodes");
            assert_eq!(reader.info().width, 240);
            assert_eq!(reader.info().height, 200);
        }
        Err(e) => {
            assert!(!clean, "clean input must render, but: {e}");
            assert!(
                matches!(
                    e.kind(),
                    ErrorKind::InvalidValue { .. }
                        | ErrorKind::InvalidParameter { .. }
                        | ErrorKind::InsufficientData { .. }
                ),
                "not a validation error: {e:?}"
            );
            assert!(!e.to_string().trim().is_empty());
        }
    }
}

/// Every label is non-blank.
fn labelled(gs: &[BeforeAfterGroup]) -> bool {
    gs.iter().all(|g| !g.label.trim().is_empty())
}

fn groups(n: std::ops::Range<usize>, hi: f64) -> impl Strategy<Value = Vec<BeforeAfterGroup>> {
    proptest::collection::vec(
        ("[a-zA-Z &<>]{0,12}", value_ci(0.0, hi), value_ci(0.0, hi)).prop_map(
            |(label, before, after)| BeforeAfterGroup {
                label,
                before,
                after,
            },
        ),
        n,
    )
}

/// Corrupt one number among all the groups' values and CI bounds.
fn corrupt_groups(gs: &mut [BeforeAfterGroup], c: Option<(usize, f64)>) {
    let all: Vec<ValueWithCi> = gs.iter().flat_map(|g| [g.before, g.after]).collect();
    let mut flat = flatten(&all);
    corrupt(&mut flat, c);
    let back = rebuild(&all, &flat);
    for (g, pair) in gs.iter_mut().zip(back.chunks(2)) {
        g.before = pair[0];
        g.after = pair[1];
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn ndt_never_panics(
        steps in proptest::collection::vec(0.0..6.0f64, 1..6),
        mean in proptest::collection::vec(value_ci(0.0, 48.0), 6),
        mismatch in proptest::bool::weighted(0.2),
        c in corruption(),
        ct in corruption(),
    ) {
        // Times: cumulative positive steps (strictly increasing unless a
        // step is 0 or corrupted), possibly mismatched in length with means.
        let mut time: Vec<f64> = steps
            .iter()
            .scan(0.0, |t, s| { *t += s; Some(*t) })
            .collect();
        corrupt(&mut time, ct);
        let n = if mismatch { 6 } else { time.len() };
        let clean = c.is_none() && ct.is_none() && n == time.len() && steps.iter().all(|s| *s > 0.0);
        let mean = &mean[..n];
        let mut flat = flatten(mean);
        corrupt(&mut flat, c);
        let mean = rebuild(mean, &flat);
        let data = NdtOverTime {
            time_unit: TimeUnit::Quarters,
            ci_level: ConfidenceLevel::NINETY_FIVE,
            groups: vec![NdtGroupSeries { label: "Programme".into(), time, mean }],
        };
        check_ok(ndt_over_time(&data, &small()), clean);
    }

    #[test]
    fn service_use_never_panics(categories in groups(0..6, 1e4), c in corruption()) {
        let clean = c.is_none() && !categories.is_empty() && labelled(&categories);
        let mut categories = categories;
        corrupt_groups(&mut categories, c);
        let data = ServiceUseBeforeAfter {
            unit: "Contacts per person per quarter".into(),
            periods: PeriodLabels::default(),
            ci_level: ConfidenceLevel::NINETY_FIVE,
            categories,
        };
        check_ok(service_use_before_after(&data, &small()), clean);
    }

    #[test]
    fn persistent_absence_never_panics(groups in groups(0..4, 1.0), c in corruption()) {
        let clean = c.is_none() && !groups.is_empty() && labelled(&groups);
        let mut groups = groups;
        corrupt_groups(&mut groups, c);
        let data = PersistentAbsence {
            periods: PeriodLabels::default(),
            ci_level: ConfidenceLevel::NINETY_FIVE,
            groups,
        };
        check_ok(persistent_absence(&data, &small()), clean);
    }

    #[test]
    fn cost_never_panics(
        costs in proptest::collection::vec((0.0..1e5f64, 0.0..1e5f64), 0..10),
        c in corruption(),
        waterfall in any::<bool>(),
    ) {
        let mut flat: Vec<f64> = costs.iter().flat_map(|&(b, a)| [b, a]).collect();
        corrupt(&mut flat, c);
        let data = CostByAgency {
            price_base: "2024/25 prices".into(),
            periods: PeriodLabels::default(),
            agencies: flat
                .chunks(2)
                .enumerate()
                .map(|(i, p)| AgencyCost { agency: format!("Agency {i}"), before: p[0], after: p[1] })
                .collect(),
        };
        let style = if waterfall { CostChartStyle::Waterfall } else { CostChartStyle::Stacked };
        let clean = c.is_none() && (1..=MAX_AGENCIES).contains(&costs.len());
        check_ok(cost_by_agency(&data, style, &small()), clean);
    }

    #[test]
    fn overlap_never_panics(
        k in prop_oneof![1 => 0usize..2, 5 => 2usize..12],
        shares in proptest::collection::vec(0.0..0.5f64, 48),
        drop in prop_oneof![3 => Just(None), 1 => (0usize..4).prop_map(Some)],
        c in corruption(),
        ce in corruption(),
    ) {
        let mut edges: Vec<f64> = (0..=k).map(|i| i as f64 / k.max(1) as f64).collect();
        corrupt(&mut edges, ce);
        let mut shares = shares;
        corrupt(&mut shares[..4 * k.max(1)], c);
        let mut parts: Vec<Vec<f64>> = (0..4).map(|i| shares[i * k..(i + 1) * k].to_vec()).collect();
        if let Some(d) = drop {
            parts[d].pop();
        }
        let data = PropensityOverlap {
            bin_edges: edges,
            treated_label: "Programme".into(),
            control_label: "Comparison".into(),
            before: OverlapPanel { treated: parts[0].clone(), control: parts[1].clone() },
            after: OverlapPanel { treated: parts[2].clone(), control: parts[3].clone() },
        };
        let clean = c.is_none() && ce.is_none() && drop.is_none() && k >= 1;
        check_ok(propensity_overlap(&data, &small()), clean);
    }

    #[test]
    fn balance_never_panics(
        smds in proptest::collection::vec(("[a-z ]{0,50}", -2.0..2.0f64, -2.0..2.0f64), 0..8),
        threshold in prop_oneof![4 => Just(0.1), 1 => special()],
        c in corruption(),
        signed in any::<bool>(),
    ) {
        let mut flat: Vec<f64> = smds.iter().flat_map(|(_, b, a)| [*b, *a]).collect();
        corrupt(&mut flat, c);
        let data = BalancePlot {
            covariates: smds
                .iter()
                .zip(flat.chunks(2))
                .map(|((name, _, _), p)| CovariateBalance { name: name.clone(), before: p[0], after: p[1] })
                .collect(),
            scale: if signed { SmdScale::Signed } else { SmdScale::Absolute },
            threshold,
        };
        let clean = c.is_none()
            && threshold == 0.1
            && !smds.is_empty()
            && smds.iter().all(|(name, _, _)| !name.trim().is_empty());
        check_ok(balance_plot(&data, &small()), clean);
    }

    #[test]
    fn asb_never_panics(
        n_months in prop_oneof![1 => 0usize..2, 4 => 2usize..10],
        values in proptest::collection::vec(0.0..50.0f64, 20),
        extra in prop_oneof![4 => Just(None), 1 => any::<bool>().prop_map(Some)],
        c in corruption(),
        start in 0usize..10,
    ) {
        let mut values = values;
        corrupt(&mut values[..2 * n_months.max(1)], c);
        let mut pilot = values[..n_months].to_vec();
        let comparison = values[n_months..2 * n_months].to_vec();
        match extra {
            Some(true) => pilot.push(1.0),
            Some(false) => { pilot.pop(); }
            None => {}
        }
        let data = AsbByMonth {
            months: (0..n_months).map(|i| format!("2024-{:02}", i + 1)).collect(),
            series: vec![
                MonthlySeries { label: "Pilot areas".into(), values: pilot },
                MonthlySeries { label: "Comparison areas".into(), values: comparison },
            ],
            start_index: start,
            start_label: "Pilot starts".into(),
        };
        let clean = c.is_none() && extra.is_none() && n_months >= 2 && start < n_months;
        check_ok(asb_by_month(&data, &small()), clean);
    }

    #[test]
    fn size_never_panics(w in 0u32..5000, h in 0u32..5000) {
        let ok = ChartSize::new(w, h).is_ok();
        prop_assert_eq!(ok, (200..=4000).contains(&w) && (200..=4000).contains(&h));
    }
}

/// Valid values at the edges of each domain render (all-zero bars, extreme
/// but accepted magnitudes, subnormal values).
#[test]
fn extreme_valid_values_render() {
    for v in [0.0, 5e-324, 1e-300, 1e12] {
        let data = CostByAgency {
            price_base: "2024/25 prices".into(),
            periods: PeriodLabels::default(),
            agencies: vec![AgencyCost {
                agency: "NHS".into(),
                before: v,
                after: 0.0,
            }],
        };
        for style in [CostChartStyle::Stacked, CostChartStyle::Waterfall] {
            let chart = cost_by_agency(&data, style, &small()).unwrap();
            check_ok(Ok(chart), true);
        }
        let asb = AsbByMonth {
            months: vec!["2024-01".into(), "2024-02".into()],
            series: vec![MonthlySeries {
                label: "Pilot areas".into(),
                values: vec![v, v],
            }],
            start_index: 1,
            start_label: "Start".into(),
        };
        check_ok(Ok(asb_by_month(&asb, &small()).unwrap()), true);
    }
}

/// `write_files` writes both files with the rendered bytes, and the data URI
/// is base64 of the PNG.
#[test]
fn write_files_and_data_uri() {
    let data = PersistentAbsence {
        periods: PeriodLabels::default(),
        ci_level: ConfidenceLevel::NINETY_FIVE,
        groups: vec![BeforeAfterGroup {
            label: "Pilot areas".into(),
            before: ValueWithCi::new(0.2),
            after: ValueWithCi::new(0.15),
        }],
    };
    let chart = persistent_absence(&data, &small()).unwrap();
    let dir = std::env::temp_dir().join(format!("outcomes-plot-test-{}", std::process::id()));
    chart.write_files(&dir, "absence").unwrap();
    assert_eq!(std::fs::read(dir.join("absence.png")).unwrap(), chart.png);
    assert_eq!(
        std::fs::read_to_string(dir.join("absence.svg")).unwrap(),
        chart.svg
    );
    std::fs::remove_dir_all(&dir).unwrap();
    let uri = chart.png_data_uri();
    // The PNG signature 89 50 4E 47 0D 0A 1A 0A encodes as "iVBORw0KGgo".
    assert!(uri.starts_with("data:image/png;base64,iVBORw0KGgo"));
    assert_eq!(
        uri.len(),
        "data:image/png;base64,".len() + chart.png.len().div_ceil(3) * 4
    );
}

/// The smallest size with the most content each chart accepts: long labels,
/// the maximum number of series, agencies, bins and covariates. Layout may be
/// cramped but must not panic (plotters panics on some degenerate areas and
/// axis ranges; the charts must never reach them).
#[test]
fn crowded_charts_at_minimum_size_do_not_panic() {
    render_all_crowded(200, 200, 600, MAX_BAR_GROUPS, None);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Crowded charts at arbitrary sizes, month counts and group counts: one
    /// of the eight renderings per case (a case costs about 0.04 s in the
    /// dev profile, so 64 cases cover more sizes than all eight at 12 did).
    #[test]
    fn crowded_charts_at_any_size_do_not_panic(
        w in 200u32..1200,
        h in 200u32..900,
        months in 2usize..400,
        groups in 1usize..=MAX_BAR_GROUPS,
        which in 0usize..8,
    ) {
        render_all_crowded(w, h, months, groups, Some(which));
    }
}

/// Render every chart (or only rendering `which` of the eight) with long
/// labels and the most content allowed.
fn render_all_crowded(w: u32, h: u32, n_months: usize, n_groups: usize, which: Option<usize>) {
    let want = |k: usize| which.is_none_or(|w| w == k);
    let tiny = ChartOptions {
        size: ChartSize::new(w, h).unwrap(),
        title: Some("A very long title that cannot possibly fit in two hundred pixels".into()),
    };
    let long = |i: usize| format!("A rather long label number {i} that wraps several times over");
    let v = ValueWithCi::with_ci(10.0, 5.0, 15.0);

    let ndt = NdtOverTime {
        time_unit: TimeUnit::Months,
        ci_level: ConfidenceLevel::NINETY_FIVE,
        groups: (0..8)
            .map(|i| NdtGroupSeries {
                label: long(i),
                time: vec![9_999.999_999, 10_000.0],
                mean: vec![v, v],
            })
            .collect(),
    };
    if want(0) {
        check_any(ndt_over_time(&ndt, &tiny));
    }

    let many_groups: Vec<BeforeAfterGroup> = (0..n_groups)
        .map(|i| BeforeAfterGroup {
            label: long(i),
            before: ValueWithCi::with_ci(0.5, 0.4, 0.6),
            after: ValueWithCi::with_ci(0.4, 0.3, 0.5),
        })
        .collect();
    let service = ServiceUseBeforeAfter {
        unit: long(99),
        periods: PeriodLabels {
            before: long(1),
            after: long(2),
        },
        ci_level: ConfidenceLevel::NINETY_FIVE,
        categories: many_groups.clone(),
    };
    if want(1) {
        check_any(service_use_before_after(&service, &tiny));
    }
    let absence = PersistentAbsence {
        periods: PeriodLabels::default(),
        ci_level: ConfidenceLevel::NINETY_FIVE,
        groups: many_groups,
    };
    if want(2) {
        check_any(persistent_absence(&absence, &tiny));
    }

    let costs = CostByAgency {
        price_base: long(0),
        periods: PeriodLabels::default(),
        agencies: (0..MAX_AGENCIES)
            .map(|i| AgencyCost {
                agency: long(i),
                before: 1e12,
                after: if i % 2 == 0 { 0.0 } else { 1e12 },
            })
            .collect(),
    };
    if want(3) {
        check_any(cost_by_agency(&costs, CostChartStyle::Stacked, &tiny));
    }
    if want(4) {
        check_any(cost_by_agency(&costs, CostChartStyle::Waterfall, &tiny));
    }

    let k = MAX_BINS;
    let shares = vec![1.0 / k as f64; k];
    let overlap = PropensityOverlap {
        bin_edges: (0..=k).map(|i| i as f64 / k as f64).collect(),
        treated_label: long(1),
        control_label: long(2),
        before: OverlapPanel {
            treated: shares.clone(),
            control: shares.clone(),
        },
        after: OverlapPanel {
            treated: shares.clone(),
            control: shares,
        },
    };
    if want(5) {
        check_any(propensity_overlap(&overlap, &tiny));
    }

    let balance = BalancePlot {
        covariates: (0..MAX_COVARIATES)
            .map(|i| CovariateBalance {
                name: long(i),
                before: 1e12,
                after: -1e-300,
            })
            .collect(),
        scale: SmdScale::Signed,
        threshold: 0.1,
    };
    if want(6) {
        check_any(balance_plot(&balance, &tiny));
    }

    let n = n_months;
    let asb = AsbByMonth {
        months: (0..n)
            .map(|i| format!("{}-{:02}", 1980 + i / 12, i % 12 + 1))
            .collect(),
        series: (0..8)
            .map(|s| MonthlySeries {
                label: long(s),
                values: (0..n).map(|i| (i * s) as f64).collect(),
            })
            .collect(),
        start_index: n - 1,
        start_label: long(0),
    };
    if want(7) {
        check_any(asb_by_month(&asb, &tiny));
    }
}

/// Like `check_ok` but for any size: a success must decode as PNG.
fn check_any(result: outcomes::Result<Chart>) {
    let chart = result.expect("valid input renders");
    let decoder = png::Decoder::new(std::io::Cursor::new(chart.png.as_slice()));
    let reader = decoder.read_info().expect("PNG decodes");
    assert_eq!(reader.info().width, chart.size.width());
}
