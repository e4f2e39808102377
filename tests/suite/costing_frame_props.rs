//! Invariants of the column-wise costing (`io::window_costs_with_counts`)
//! on random cohorts, dated events and banded period counts: costs are never
//! negative, low ≤ mid ≤ high, totals by category and by agency both sum to
//! the grand total, and costing is additive across partitions of the people
//! and of the categories.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Days, NaiveDate};
use outcomes::cohort::{CohortMember, DataWindow, Group, Period, PersonId};
use outcomes::costs::{self, CostingOptions, DeflatorSeries, PriceYear, UnitCostTable};
use outcomes::io::{self, Cohort, Source, WindowCosts};
use outcomes::measures::service_use::Scenario;
use outcomes::measures::service_use::{CategorySet, Count, PeriodCount, Window};
use proptest::prelude::*;

/// Category codes used; those without a unit cost are left uncosted.
const CODES: [&str; 6] = [
    "ae_attendance",
    "arrest",
    "prison_night",
    "eviction",
    "mh_inpatient_day",
    "court_appearance",
];

fn d0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()
}

fn data_window() -> DataWindow {
    DataWindow::new(d0(), NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()).unwrap()
}

fn windows() -> Vec<Window> {
    let mut w = Window::before_after_12_months().to_vec();
    w.extend(Window::quarters(-4, 8));
    w
}

/// A person: index date offset (days after 2021-01-01); events (day offset
/// from the index date, category, count); period counts (day offset,
/// category, low, extra to mid, extra to high).
type PersonSpec = (
    u32,
    Vec<(i32, usize, u32)>,
    Vec<(i32, usize, (f64, f64, f64))>,
);

fn arb_person() -> impl Strategy<Value = PersonSpec> {
    (
        0u32..1200,
        prop::collection::vec((-420i32..800, 0usize..CODES.len(), 0u32..5), 0..8),
        prop::collection::vec(
            (
                -420i32..800,
                0usize..CODES.len(),
                (0.0f64..5.0, 0.0f64..3.0, 0.0f64..6.0),
            ),
            0..4,
        ),
    )
}

struct Built {
    members: Vec<CohortMember>,
    events_csv: String,
    periods: Vec<PeriodCount>,
}

fn build(people: &[PersonSpec]) -> Built {
    let cats = CategorySet::default();
    let w = data_window();
    let clamp = |d: NaiveDate| d.max(w.start).min(w.extract_date);
    let at = |base: NaiveDate, off: i32| {
        if off >= 0 {
            base.checked_add_days(Days::new(off as u64)).unwrap()
        } else {
            base.checked_sub_days(Days::new(off.unsigned_abs() as u64))
                .unwrap()
        }
    };
    let mut members = Vec::new();
    let mut events_csv = String::from("person_id,date,category,count\n");
    let mut periods = Vec::new();
    for (i, (idx, evs, pcs)) in people.iter().enumerate() {
        let person = PersonId::from_pseudonym(format!("P{i:03}")).unwrap();
        let index_date = NaiveDate::from_ymd_opt(2021, 1, 1)
            .unwrap()
            .checked_add_days(Days::new(u64::from(*idx)))
            .unwrap();
        for (off, c, n) in evs {
            let date = clamp(at(index_date, *off));
            events_csv.push_str(&format!(
                "{},{date},{},{n}\n",
                person.pseudonym(),
                CODES[*c]
            ));
        }
        for (off, c, (lo, dm, dh)) in pcs {
            let start = clamp(at(index_date, *off));
            let end = clamp(at(start, 90));
            periods.push(PeriodCount {
                person: person.clone(),
                period: Period::new(start, end).unwrap(),
                category: cats.get(CODES[*c]).unwrap().clone(),
                count: Count::band(*lo, lo + dm, lo + dm + dh).unwrap(),
            });
        }
        members.push(CohortMember {
            person,
            index_date,
            group: Group::Programme,
            end_date: None,
            end_reason: None,
            covariates: BTreeMap::new(),
        });
    }
    Built {
        members,
        events_csv,
        periods,
    }
}

fn temp_file(contents: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("outcomes-costing-props-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("events-{}.csv", N.fetch_add(1, Ordering::Relaxed)));
    std::fs::write(&path, contents).unwrap();
    path
}

fn rates(codes: &[&str]) -> Vec<costs::CategoryRate> {
    let table = UnitCostTable::illustrative().unwrap();
    let deflators = DeflatorSeries::illustrative().unwrap();
    let options = CostingOptions::new(PriceYear::parse("2024/25").unwrap());
    let costed: Vec<costs::CostCategory> = codes
        .iter()
        .map(|c| costs::CostCategory::new(c).unwrap())
        .filter(|k| table.chosen(k).is_ok())
        .collect();
    costs::costing::category_rates(&costed, &table, &deflators, &options).unwrap()
}

/// Cost the members `keep` selects (their events from `file`, the rest
/// rejected at loading) with `rates`.
fn cost(
    b: &Built,
    file: &PathBuf,
    keep: &dyn Fn(usize) -> bool,
    rates: &[costs::CategoryRate],
) -> WindowCosts {
    let members: Vec<CohortMember> = b
        .members
        .iter()
        .enumerate()
        .filter(|(i, _)| keep(*i))
        .map(|(_, m)| m.clone())
        .collect();
    let cohort = Cohort::new(members, data_window()).unwrap();
    let events = io::load_service_events(&Source::new(file), &cohort, &CategorySet::default())
        .unwrap()
        .data;
    let periods: Vec<PeriodCount> = b
        .periods
        .iter()
        .filter(|p| cohort.get(&p.person).is_some())
        .cloned()
        .collect();
    io::window_costs_with_counts(&cohort, &events, &periods, &windows(), rates).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

const SCENARIOS: [Scenario; 3] = [Scenario::Low, Scenario::Mid, Scenario::High];

/// `Σ` over people of each window's total, per scenario.
fn totals(wc: &WindowCosts) -> Vec<f64> {
    let mut out = Vec::new();
    for w in windows() {
        for s in SCENARIOS {
            out.push(wc.total(w.label(), s).unwrap());
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn costing_invariants(
        people in prop::collection::vec(arb_person(), 2..6),
        split in prop::collection::vec(any::<bool>(), 6),
        cat_split in prop::collection::vec(any::<bool>(), CODES.len()),
    ) {
        let b = build(&people);
        // An extract with a header and no rows is refused at loading (a
        // tested error of its own); these invariants need some rows.
        prop_assume!(b.events_csv.lines().count() > 1);
        let file = temp_file(&b.events_csv);
        let all_rates = rates(&CODES);
        prop_assert!(all_rates.len() >= 3);
        let whole = cost(&b, &file, &|_| true, &all_rates);

        for w in windows() {
            let label = w.label();
            // Never negative; low ≤ mid ≤ high for every person and category.
            for cat in whole.categories() {
                let [lo, mid, hi] = SCENARIOS.map(|s| {
                    whole.per_person_by_category(label, cat, s).unwrap()
                });
                for i in 0..lo.len() {
                    prop_assert!(lo[i] >= 0.0);
                    prop_assert!(lo[i] <= mid[i] * (1.0 + 1e-12));
                    prop_assert!(mid[i] <= hi[i] * (1.0 + 1e-12));
                }
            }
            // By category = by agency = grand total = Σ people, each scenario.
            for s in SCENARIOS {
                let total = whole.total(label, s).unwrap();
                let by_cat: f64 = whole.totals_by_category(label, s).unwrap().iter().map(|x| x.1).sum();
                let by_ag: f64 = whole.totals_by_agency_for(label, s).unwrap().iter().map(|x| x.1).sum();
                let by_people: f64 = whole.per_person_for(label, s, None).unwrap().iter().sum();
                prop_assert!(close(by_cat, total));
                prop_assert!(close(by_ag, total));
                prop_assert!(close(by_people, total));
                prop_assert!(total >= 0.0);
            }
            let r = whole.total_range(label).unwrap();
            prop_assert!(r.low.amount() <= r.mid.amount() && r.mid.amount() <= r.high.amount());
        }

        // Additive across a partition of the people (person 0 in the first
        // part and person 1 in the second, so neither is empty).
        let in_a = |i: usize| i == 0 || (i != 1 && split[i]);
        let a = cost(&b, &file, &in_a, &all_rates);
        let bb = cost(&b, &file, &|i| !in_a(i), &all_rates);
        for ((x, y), z) in totals(&a).iter().zip(totals(&bb)).zip(totals(&whole)) {
            prop_assert!(close(x + y, z), "people: {x} + {y} vs {z}");
        }
        prop_assert_eq!(a.uncosted_events() + bb.uncosted_events(), whole.uncosted_events());

        // Additive across a partition of the categories, per person.
        let (r1, r2): (Vec<_>, Vec<_>) = all_rates
            .iter()
            .cloned()
            .enumerate()
            .partition(|(k, _)| *k == 0 || (*k != 1 && cat_split[*k]));
        let r1: Vec<_> = r1.into_iter().map(|x| x.1).collect();
        let r2: Vec<_> = r2.into_iter().map(|x| x.1).collect();
        let c1 = cost(&b, &file, &|_| true, &r1);
        let c2 = cost(&b, &file, &|_| true, &r2);
        for w in windows() {
            for s in SCENARIOS {
                let p1 = c1.per_person_for(w.label(), s, None).unwrap();
                let p2 = c2.per_person_for(w.label(), s, None).unwrap();
                let p = whole.per_person_for(w.label(), s, None).unwrap();
                for i in 0..p.len() {
                    prop_assert!(close(p1[i] + p2[i], p[i]), "categories: {} + {} vs {}", p1[i], p2[i], p[i]);
                }
            }
        }
        let _ = std::fs::remove_file(&file);
    }
}
