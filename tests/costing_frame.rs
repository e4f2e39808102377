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
    let costed: Vec<costs::ServiceCategory> = cats
        .codes()
        .iter()
        .filter_map(|c| costs::ServiceCategory::new(c.as_str()).ok())
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
        let Ok(cat) = costs::ServiceCategory::new(e.category.code()) else {
            continue;
        };
        if table.chosen(&cat).is_err() {
            continue;
        }
        for (win, label) in windows
            .iter()
            .zip([costs::Window::Pre, costs::Window::Post])
        {
            if win.contains(m.index_date, e.date) {
                records.push(ServiceUse {
                    person: e.person.pseudonym().to_string(),
                    category: cat.clone(),
                    window: label,
                    count: costs::Count::exact(f64::from(e.count)).unwrap(),
                });
            }
        }
    }
    let typed =
        costs::costing::cost_by_person_window(&records, &table, &deflators, &options).unwrap();
    let mut typed_by: HashMap<(String, costs::Window), f64> = HashMap::new();
    for t in &typed {
        typed_by.insert((t.person.clone(), t.window), t.total.amount());
    }
    let before = frame.per_person("before", None).unwrap();
    let after = frame.per_person("after", None).unwrap();
    let mut total = 0.0;
    for (i, p) in frame.people().iter().enumerate() {
        for (v, label) in [
            (before[i], costs::Window::Pre),
            (after[i], costs::Window::Post),
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
    assert!(
        frame.uncosted_events() > 0,
        "the sample has categories with no unit cost"
    );
}
