//! The per-person summary frame (`io::SummaryBuilder`) agrees with the
//! typed paths on the bundled sample: service-use counts
//! (`io::window_counts` and `measures::service_use::aggregate`), the NDT
//! baseline / 12-month follow-up (`measures::ndt::baseline_follow_up`, long
//! and wide files), and the pre/post pairs (`compare::pre_post`).

use std::path::{Path, PathBuf};

use outcomes::cohort::{DataWindow, Group};
use outcomes::compare::pre_post::{self, CoveragePolicy};
use outcomes::io::{self, Cohort, MeasureKind, NdtWindowRule, Source, SummaryBuilder, NDT_TOTAL};
use outcomes::measures::ndt::{self, NdtItem, PartialPolicy, SelectionRule};
use outcomes::measures::service_use::{self, CategorySet, Window};
use outcomes::stats::ConfidenceLevel;
use outcomes::synthetic::SyntheticSpec;

fn sample() -> (PathBuf, Cohort) {
    let spec = SyntheticSpec::sample();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let w = DataWindow::new(spec.data_start, spec.extract_date).unwrap();
    let cohort = io::load_cohort(&Source::new(data.join("cohort.csv")), w)
        .unwrap()
        .data;
    (data, cohort)
}

#[test]
fn service_use_agrees_with_window_counts_and_typed_aggregate() {
    let (data, cohort) = sample();
    let cats = CategorySet::default();
    let events =
        io::load_service_events(&Source::new(data.join("service_use.csv")), &cohort, &cats)
            .unwrap()
            .data;
    let mut windows = Window::before_after_12_months().to_vec();
    windows.extend(Window::quarters(-4, 8));
    let codes = cats.codes();
    let s = SummaryBuilder::new(&cohort, &windows)
        .service_use(&events, &codes)
        .build()
        .unwrap();
    let wc = io::window_counts(&cohort, &events, &windows, &codes).unwrap();
    let typed = service_use::aggregate(
        cohort.members(),
        cohort.data_window(),
        &windows,
        &cats,
        &events.to_records(&cats).unwrap(),
        &[],
    );
    // Every person, window and category is a row, zeros included.
    let records = s.to_records();
    assert_eq!(records.len(), cohort.len() * windows.len() * codes.len());
    assert_eq!(records.len(), typed.len());
    let mut nonzero = 0;
    for (r, t) in records.iter().zip(&typed) {
        assert_eq!(
            (&r.person, &r.window, &r.measure),
            (&t.person, &t.window, &t.category)
        );
        assert_eq!(r.value, Some(t.count.mid()));
        assert_eq!(r.observed_days, t.observed_days);
        nonzero += usize::from(t.count.mid() > 0.0);
    }
    assert!(nonzero > 100, "{nonzero}");
    for w in &windows {
        assert_eq!(
            s.observed_days(w.label()).unwrap(),
            wc.observed_days(w.label()).unwrap()
        );
        for c in &codes {
            let v: Vec<f64> = s
                .values(c, w.label())
                .unwrap()
                .into_iter()
                .map(|x| x.unwrap())
                .collect();
            assert_eq!(v, wc.counts(w.label(), c).unwrap());
        }
    }
    // The pre/post pairs are those of `service_use_per_quarter`.
    for policy in [CoveragePolicy::Exclude, CoveragePolicy::default()] {
        let a = pre_post::summary_pairs(&s, "ae_attendance", "before", "after", policy).unwrap();
        let b = pre_post::service_use_per_quarter(&wc, "ae_attendance", "before", "after", policy)
            .unwrap();
        assert_eq!(a.kind, MeasureKind::Count);
        assert_eq!(a.undefined, 0);
        assert_eq!(a.values, b);
        assert!(b.coverage.excluded > 0 && b.coverage.included > 0);
    }
}

fn ndt_agrees(cohort: &Cohort, assessments: &[ndt::NdtAssessment]) {
    let windows = Window::before_after_12_months();
    let s = SummaryBuilder::new(cohort, &windows)
        .ndt(
            assessments,
            PartialPolicy::Undefined,
            NdtWindowRule::default(),
        )
        .build()
        .unwrap();
    let programme: Vec<usize> = cohort
        .members()
        .iter()
        .enumerate()
        .filter(|(_, m)| m.group == Group::Programme)
        .map(|(i, _)| i)
        .collect();
    let (changes, counts) = ndt::baseline_follow_up(
        programme
            .iter()
            .map(|&i| (&cohort.members()[i].person, cohort.members()[i].index_date)),
        assessments,
        SelectionRule::default(),
        PartialPolicy::Undefined,
    )
    .unwrap();
    assert!(counts.with_both > 20, "{counts:?}");
    let before = s.values(NDT_TOTAL, "before").unwrap();
    let after = s.values(NDT_TOTAL, "after").unwrap();
    // Each person with a baseline and follow-up: the same totals and items.
    let mut k = 0;
    for &i in &programme {
        let m = &cohort.members()[i];
        if let Some(c) = changes.get(k).filter(|c| c.person == m.person) {
            k += 1;
            assert_eq!(before[i], c.baseline_total);
            assert_eq!(after[i], c.follow_up_total);
            for item in NdtItem::ALL {
                let b = s.values(&io::ndt_item_measure(item), "before").unwrap()[i];
                let a = s.values(&io::ndt_item_measure(item), "after").unwrap()[i];
                assert_eq!(b, c.baseline[item.index()].map(f64::from));
                assert_eq!(a, c.follow_up[item.index()].map(f64::from));
            }
        }
    }
    assert_eq!(k, changes.len());
    // The pairs: people with both totals defined, as in the typed change.
    let pairs =
        pre_post::summary_pairs(&s, NDT_TOTAL, "before", "after", CoveragePolicy::Exclude).unwrap();
    let typed: Vec<(f64, f64)> = changes
        .iter()
        .filter_map(|c| Some((c.baseline_total?, c.follow_up_total?)))
        .collect();
    let mine: Vec<(f64, f64)> = pairs
        .values
        .people
        .iter()
        .zip(pairs.values.before.iter().zip(&pairs.values.after))
        .filter(|(p, _)| cohort.get(p).is_some_and(|m| m.group == Group::Programme))
        .map(|(_, (b, a))| (*b, *a))
        .collect();
    assert_eq!(mine, typed);
    assert_eq!(pairs.kind, MeasureKind::Score);
    assert_eq!(
        pairs.undefined + pairs.values.coverage.included,
        cohort.len()
    );
    let st = pairs
        .statistics(ConfidenceLevel::NINETY_FIVE, None)
        .unwrap();
    assert_eq!(st.n, pairs.values.coverage.included);
}

#[test]
fn ndt_agrees_with_baseline_follow_up_selection() {
    let (data, cohort) = sample();
    let long = io::load_ndt(
        &Source::new(data.join("ndt.csv")),
        &cohort,
        PartialPolicy::Undefined,
    )
    .unwrap()
    .data;
    ndt_agrees(&cohort, &long.assessments);
    let wide = io::load_ndt_wide(
        &Source::new(data.join("ndt_wide.csv")),
        &cohort,
        PartialPolicy::Undefined,
    )
    .unwrap()
    .data;
    ndt_agrees(&cohort, &wide.assessments);
}

/// `io::first_events` (one pass over the event columns) agrees with the
/// first event on or after each index date found from the typed records,
/// and its first-year counts with `io::window_counts` over months 0..12,
/// for one category and for two together.
#[test]
fn first_events_agree_with_the_typed_records() {
    let (data, cohort) = sample();
    let cats = CategorySet::default();
    let events =
        io::load_service_events(&Source::new(data.join("service_use.csv")), &cohort, &cats)
            .unwrap()
            .data;
    let records = events.to_records(&cats).unwrap();
    for wanted in [
        vec!["arrest".to_string()],
        vec!["arrest".to_string(), "ae_attendance".to_string()],
    ] {
        let fe = io::first_events(&cohort, &events, &wanted, 12).unwrap();
        let got = fe.first.clone();
        assert_eq!(got.len(), cohort.len());
        // The first year's events are those of the window of months 0..12.
        let year = Window::new("year", 0, 12).unwrap();
        let wc = io::window_counts(&cohort, &events, &[year], &wanted).unwrap();
        let mut in_year = vec![0.0; cohort.len()];
        for c in &wanted {
            for (t, v) in in_year.iter_mut().zip(wc.counts("year", c).unwrap()) {
                *t += v;
            }
        }
        assert_eq!(fe.within, in_year);
        assert!(in_year.iter().any(|v| *v > 0.0));
        let mut some = 0;
        for (m, g) in cohort.members().iter().zip(&got) {
            let expected = records
                .iter()
                .filter(|e| {
                    e.person == m.person
                        && e.count > 0
                        && e.date >= m.index_date
                        && wanted.iter().any(|w| w == e.category.code())
                })
                .map(|e| e.date)
                .min();
            assert_eq!(*g, expected);
            some += usize::from(g.is_some());
        }
        assert!(some > 20 && some < cohort.len(), "{wanted:?}: {some}");
    }
}
