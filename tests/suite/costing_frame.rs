//! The column-wise costing (`io::window_costs`) agrees with the typed
//! costing (`costs::costing::cost_by_person_window`) on the sample cohort.

use std::collections::HashMap;
use std::path::Path;

use outcomes::cohort::DataWindow;
use outcomes::costs::{self, CostingOptions, DeflatorSeries, PriceYear, ServiceUse, UnitCostTable};
use outcomes::io::{self, Source};
use outcomes::measures::service_use::{CategorySet, Window};
use outcomes::synthetic::SyntheticSpec;

#[test]
fn frame_and_typed_costing_agree_on_the_sample() {
    let spec = SyntheticSpec::sample();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let w = DataWindow::new(spec.data_start, spec.extract_date).unwrap();
    let cohort = io::load_cohort(&Source::new(data.join("cohort.csv")), w)
        .unwrap()
        .data;
    let cats = CategorySet::default();
    let events =
        io::load_service_events(&Source::new(data.join("service_use.csv")), &cohort, &cats)
            .unwrap()
            .data;
    let table = UnitCostTable::illustrative().unwrap();
    let deflators = DeflatorSeries::illustrative().unwrap();
    let options = CostingOptions::new(PriceYear::parse("2024/25").unwrap());
    let costed: Vec<costs::CostCategory> = cats
        .codes()
        .iter()
        .filter_map(|c| costs::CostCategory::new(c.as_str()).ok())
        .filter(|k| table.chosen(k).is_ok())
        .collect();
    let rates = costs::costing::category_rates(&costed, &table, &deflators, &options).unwrap();
    let windows = Window::before_after_12_months();
    let frame = io::window_costs(&cohort, &events, &windows, &rates).unwrap();

    // Typed path: the same events as records, windowed by the same rule.
    let records_in = events.to_records(&cats).unwrap();
    let mut records = Vec::new();
    for e in &records_in {
        let Some(m) = cohort.get(&e.person) else {
            continue;
        };
        let Ok(cat) = costs::CostCategory::new(e.category.code()) else {
            continue;
        };
        if table.chosen(&cat).is_err() {
            continue;
        }
        for (win, label) in windows.iter().zip([
            outcomes::cohort::Phase::Before,
            outcomes::cohort::Phase::After,
        ]) {
            if win.contains(m.index_date, e.date) {
                records.push(ServiceUse {
                    person: e.person.pseudonym().to_string(),
                    category: cat.clone(),
                    window: label,
                    count: outcomes::measures::service_use::Count::amount(f64::from(e.count))
                        .unwrap(),
                });
            }
        }
    }
    let typed =
        costs::costing::cost_by_person_window(&records, &table, &deflators, &options).unwrap();
    let mut typed_by: HashMap<(String, outcomes::cohort::Phase), f64> = HashMap::new();
    for t in &typed {
        typed_by.insert((t.person.clone(), t.window), t.total.amount());
    }
    let before = frame.per_person("before", None).unwrap();
    let after = frame.per_person("after", None).unwrap();
    let mut total = 0.0;
    for (i, p) in frame.people().iter().enumerate() {
        for (v, label) in [
            (before[i], outcomes::cohort::Phase::Before),
            (after[i], outcomes::cohort::Phase::After),
        ] {
            let t = typed_by
                .get(&(p.pseudonym().to_string(), label))
                .copied()
                .unwrap_or(0.0);
            assert!((v - t).abs() <= 1e-9 * t.abs().max(1.0), "{v} vs {t}");
            total += v;
        }
    }
    assert!(total > 0.0);
    // Totals equal the sum of the agencies' shares.
    for win in ["before", "after"] {
        let by_agency: f64 = frame
            .totals_by_agency(win)
            .unwrap()
            .iter()
            .map(|(_, v)| v)
            .sum();
        let all: f64 = frame.per_person(win, None).unwrap().iter().sum();
        assert!((by_agency - all).abs() < 1e-6 * all.max(1.0));
    }
    // The shipped table prices every built-in category.
    assert_eq!(
        frame.uncosted_events(),
        0,
        "the sample has categories with no unit cost"
    );
}

/// By category and by agency, per person: the frame path (before/after and
/// the quarters −4…+8, in one call with overlapping windows) agrees with the
/// typed path, the quarters add up to the 12-month windows, and the totals
/// by category, by agency and by (category, agency) all sum to the grand
/// total.
#[test]
fn frame_and_typed_agree_by_category_and_agency() {
    use outcomes::measures::service_use::Scenario;
    let spec = SyntheticSpec::sample();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let w = DataWindow::new(spec.data_start, spec.extract_date).unwrap();
    let cohort = io::load_cohort(&Source::new(data.join("cohort.csv")), w)
        .unwrap()
        .data;
    let cats = CategorySet::default();
    let events =
        io::load_service_events(&Source::new(data.join("service_use.csv")), &cohort, &cats)
            .unwrap()
            .data;
    let table = UnitCostTable::illustrative().unwrap();
    let deflators = DeflatorSeries::illustrative().unwrap();
    let options = CostingOptions::new(PriceYear::parse("2024/25").unwrap());
    let costed: Vec<costs::CostCategory> = cats
        .codes()
        .iter()
        .filter_map(|c| costs::CostCategory::new(c.as_str()).ok())
        .filter(|k| table.chosen(k).is_ok())
        .collect();
    let rates = costs::costing::category_rates(&costed, &table, &deflators, &options).unwrap();
    let mut windows = Window::before_after_12_months().to_vec();
    windows.extend(Window::quarters(-4, 8));
    let frame = io::window_costs(&cohort, &events, &windows, &rates).unwrap();
    assert_eq!(frame.count_kind(), io::CountKind::Exact);
    assert_eq!(frame.categories(), costed.as_slice());

    // The per-person summary frame carries the same costs, person by person.
    let summary = io::SummaryBuilder::new(&cohort, &windows)
        .costs(&events, &rates)
        .build()
        .unwrap();
    for w in &windows {
        let total = frame
            .per_person_for(
                w.label(),
                outcomes::measures::service_use::Scenario::Mid,
                None,
            )
            .unwrap();
        let got = summary.values(io::COST_TOTAL, w.label()).unwrap();
        assert_eq!(got, total.iter().map(|v| Some(*v)).collect::<Vec<_>>());
        for c in &costed {
            let want = frame
                .per_person_by_category(
                    w.label(),
                    c,
                    outcomes::measures::service_use::Scenario::Mid,
                )
                .unwrap();
            let got = summary
                .values(&format!("cost_{}", c.as_str()), w.label())
                .unwrap();
            assert_eq!(got, want.iter().map(|v| Some(*v)).collect::<Vec<_>>());
        }
    }
    assert!(summary
        .values(io::COST_TOTAL, "after")
        .unwrap()
        .iter()
        .any(|v| v.is_some_and(|x| x > 0.0)));

    // Typed path, windowed by the same rule.
    let mut records = Vec::new();
    for e in &events.to_records(&cats).unwrap() {
        let m = cohort.get(&e.person).unwrap();
        let Ok(cat) = costs::CostCategory::new(e.category.code()) else {
            continue;
        };
        if table.chosen(&cat).is_err() {
            continue;
        }
        for (win, label) in windows[..2].iter().zip([
            outcomes::cohort::Phase::Before,
            outcomes::cohort::Phase::After,
        ]) {
            if win.contains(m.index_date, e.date) {
                records.push(ServiceUse {
                    person: e.person.pseudonym().to_string(),
                    category: cat.clone(),
                    window: label,
                    count: outcomes::measures::service_use::Count::amount(f64::from(e.count))
                        .unwrap(),
                });
            }
        }
    }
    let typed =
        costs::costing::cost_by_person_window(&records, &table, &deflators, &options).unwrap();
    let typed_by: HashMap<(String, outcomes::cohort::Phase), &costs::PersonWindowCost<String>> =
        typed
            .iter()
            .map(|t| ((t.person.clone(), t.window), t))
            .collect();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
    let mut compared = 0;
    for (label, win, quarters) in [
        ("before", outcomes::cohort::Phase::Before, -4..=-1),
        ("after", outcomes::cohort::Phase::After, 0..=3),
    ] {
        for cat in &costed {
            let f = frame
                .per_person_by_category(label, cat, Scenario::Mid)
                .unwrap();
            // The four quarters make up the 12 months.
            let mut q_sum = vec![0.0; f.len()];
            for k in quarters.clone() {
                let q = frame
                    .per_person_by_category(&format!("Q{k:+}"), cat, Scenario::Mid)
                    .unwrap();
                for (s, v) in q_sum.iter_mut().zip(q) {
                    *s += v;
                }
            }
            for (i, p) in frame.people().iter().enumerate() {
                let t = typed_by
                    .get(&(p.pseudonym().to_string(), win))
                    .and_then(|t| t.by_category.get(cat))
                    .map_or(0.0, |g| g.amount());
                assert!(close(f[i], t), "{label} {cat}: {} vs {t}", f[i]);
                assert!(close(f[i], q_sum[i]), "{label} {cat}: quarters");
                compared += usize::from(t > 0.0);
                for s in [Scenario::Low, Scenario::High] {
                    let b = frame.per_person_by_category(label, cat, s).unwrap();
                    assert_eq!(b[i], f[i], "exact counts: low = mid = high");
                }
            }
        }
        for agency in frame.agencies() {
            let f = frame
                .per_person_for(label, Scenario::Mid, Some(agency))
                .unwrap();
            assert_eq!(f, frame.per_person(label, Some(agency)).unwrap());
            for (i, p) in frame.people().iter().enumerate() {
                let t = typed_by
                    .get(&(p.pseudonym().to_string(), win))
                    .and_then(|t| t.by_agency.get(agency))
                    .map_or(0.0, |g| g.amount());
                assert!(close(f[i], t), "{label} {agency}: {} vs {t}", f[i]);
            }
        }
        // Totals: by category = by agency = by (category, agency) = grand total
        // = the sum over people.
        let by_cat: f64 = frame
            .totals_by_category(label, Scenario::Mid)
            .unwrap()
            .iter()
            .map(|(_, v)| v)
            .sum();
        let by_agency: f64 = frame
            .totals_by_agency_for(label, Scenario::Mid)
            .unwrap()
            .iter()
            .map(|(_, v)| v)
            .sum();
        let cells = frame
            .totals_by_category_agency(label, Scenario::Mid)
            .unwrap();
        for c in &cells {
            assert_eq!(frame.agency_of(&c.category), Some(&c.agency));
        }
        let by_cell: f64 = cells.iter().map(|c| c.total).sum();
        let total = frame.total(label, Scenario::Mid).unwrap();
        let people: f64 = frame.per_person(label, None).unwrap().iter().sum();
        let typed_total: f64 = typed
            .iter()
            .filter(|t| t.window == win)
            .map(|t| t.total.amount())
            .sum();
        for v in [by_cat, by_agency, by_cell, people, typed_total] {
            assert!(close(v, total), "{label}: {v} vs {total}");
        }
        let range = frame.total_range(label).unwrap();
        assert!(close(range.mid.amount(), total));
        assert_eq!(range.low, range.high);
    }
    assert!(
        compared > 50,
        "the sample has costs to compare ({compared})"
    );
    assert!(frame.per_person("no such window", None).is_err());
    assert!(frame
        .per_person_by_category(
            "before",
            &costs::CostCategory::new("not_costed").unwrap(),
            Scenario::Mid
        )
        .is_err());
}
