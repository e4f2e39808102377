//! Property tests for `outcomes::stats`: no panic on arbitrary input
//! (NaN, ±inf, huge values, empty slices, mismatched lengths) — errors
//! instead; p-values in [0, 1]; every returned interval contains its
//! estimate; counts are conserved.

use outcomes::stats::*;
use proptest::prelude::*;

const L95: ConfidenceLevel = ConfidenceLevel::NINETY_FIVE;

/// Mostly ordinary values (with deliberate ties), sometimes special ones.
fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        40 => (-20i32..20).prop_map(f64::from),
        40 => -1e4..1e4f64,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => any::<f64>(),
        1 => Just(f64::MAX),
        1 => Just(-f64::MAX),
    ]
}

fn sample() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(value(), 0..25)
}

fn check_test(t: &TestResult) {
    assert!((0.0..=1.0).contains(&t.p_value), "p = {}", t.p_value);
}

fn check_estimate(e: &Estimate) {
    assert!(e.value.is_finite(), "{e:?}");
    assert!(e.ci.contains(e.value), "{e:?}");
    assert!(e.ci.lower <= e.ci.upper, "{e:?}");
}

fn alternatives() -> impl Strategy<Value = Alternative> {
    prop_oneof![
        Just(Alternative::TwoSided),
        Just(Alternative::Less),
        Just(Alternative::Greater)
    ]
}

fn methods() -> impl Strategy<Value = RankTestMethod> {
    prop_oneof![
        Just(RankTestMethod::Auto),
        Just(RankTestMethod::Exact),
        Just(RankTestMethod::Asymptotic)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn paired_tests_never_panic(
        before in sample(),
        after in sample(),
        same_len in any::<bool>(),
        alt in alternatives(),
        method in methods(),
    ) {
        let after = if same_len {
            let mut a = after.clone();
            a.resize(before.len(), 1.0);
            a
        } else {
            after
        };
        if let Ok(d) = describe(&before) {
            prop_assert!(d.min <= d.median && d.median <= d.max);
        }
        if let Ok(e) = mean_ci(&before, L95) {
            check_estimate(&e);
        }
        if let Ok(e) = mean_change(&before, &after, L95) {
            check_estimate(&e);
        }
        if let Ok(r) = paired_t(&before, &after, L95, alt) {
            check_estimate(&r.estimate);
            check_test(&r.test);
        }
        if let Ok(r) = wilcoxon_signed_rank(&before, &after, alt, method) {
            check_test(&r.test);
            prop_assert_eq!(r.test.n + r.n_zero, r.n);
            let m = r.test.n as f64;
            prop_assert!((r.rank_sum_positive + r.rank_sum_negative - m * (m + 1.0) / 2.0).abs() < 1e-9);
        }
        if let Ok(r) = sign_test(&before, &after, alt) {
            check_test(&r.test);
            prop_assert_eq!(r.n_positive + r.n_negative + r.n_zero, r.n);
        }
        if let Ok(Some(e)) = cohens_dz(&before, &after, L95) {
            check_estimate(&e);
        }
        if let Ok(p) = ReliableChangeParams::new(5.0, 0.8, Direction::LowerIsBetter) {
            if let Ok(r) = reliable_change(&before, &after, p, L95) {
                prop_assert_eq!(r.improved + r.no_reliable_change + r.deteriorated, r.n);
                check_estimate(&r.proportion_improved);
            }
        }
        if let Ok(r) = proportion_improving(&before, &after, Direction::HigherIsBetter, L95) {
            prop_assert!(r.count <= r.n);
            check_estimate(&r.estimate);
        }
        if let Ok(r) = proportion_reaching_threshold(&before, 0.0, Direction::HigherIsBetter, L95) {
            check_estimate(&r.estimate);
        }
    }

    #[test]
    fn two_group_tests_never_panic(
        x in sample(),
        y in sample(),
        alt in alternatives(),
        method in methods(),
    ) {
        for v in [VarianceAssumption::Equal, VarianceAssumption::Unequal] {
            if let Ok(r) = two_sample_t(&x, &y, v, L95, alt) {
                check_estimate(&r.estimate);
                check_test(&r.test);
            }
        }
        if let Ok(r) = mann_whitney_u(&x, &y, alt, method) {
            check_test(&r.test);
            prop_assert!((r.u1 + r.u2 - (r.n1 * r.n2) as f64).abs() < 1e-9);
        }
        if let Ok(Some(e)) = cohens_d(&x, &y, L95) {
            check_estimate(&e);
        }
        if let Ok(Some(e)) = hedges_g(&x, &y, L95) {
            check_estimate(&e);
        }
    }

    #[test]
    fn bootstrap_never_panics(x in sample(), y in sample(), seed in any::<u64>()) {
        let cfg = BootstrapConfig::new(200, seed, L95).unwrap();
        let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
        if let Ok(r) = bootstrap_one_sample(&x, mean, cfg) {
            prop_assert!(r.percentile.ci.lower <= r.percentile.ci.upper);
            if let Some(b) = r.bca {
                prop_assert!(b.ci.lower <= b.ci.upper);
            }
        }
        let _ = bootstrap_mean_difference(&x, &y, cfg);
    }

    #[test]
    fn counts_never_panic(
        a in 0u64..60, b in 0u64..60, c in 0u64..60, d in 0u64..60,
        x1 in 0u64..200, n1 in 0u64..200, x2 in 0u64..200, n2 in 0u64..200,
    ) {
        if let Ok(r) = mcnemar_from_counts(a, b, (a + b + c) as usize) {
            check_test(&r.exact);
            check_test(&r.chi_square);
        }
        for corr in [ContinuityCorrection::Yates, ContinuityCorrection::None] {
            if let Ok(r) = chi_square_2x2(Table2x2 { counts: [[a, b], [c, d]] }, corr) {
                check_test(&r.test);
            }
        }
        if let (Ok(g1), Ok(g2)) = (Count::new(x1, n1), Count::new(x2, n2)) {
            let r = proportion_difference(g1, g2, L95).unwrap();
            check_estimate(&r.wald);
            prop_assert!(r.newcombe.contains(r.wald.value));
            prop_assert!(r.newcombe.lower >= -1.0 && r.newcombe.upper <= 1.0);
            for t in [r.chi_square, r.chi_square_yates].iter().flatten() {
                check_test(t);
            }
            let e = proportion_ci(g1, L95);
            check_estimate(&e);
            prop_assert!(e.ci.lower >= 0.0 && e.ci.upper <= 1.0);
        }
    }

    #[test]
    fn p_adjust_is_monotone_and_bounded(p in prop::collection::vec(prop_oneof![0.0..=1.0f64, Just(f64::NAN), Just(2.0)], 0..30)) {
        for m in [PAdjustMethod::Holm, PAdjustMethod::BenjaminiHochberg] {
            if let Ok(adj) = p_adjust(&p, m) {
                for (a, raw) in adj.iter().zip(&p) {
                    prop_assert!(*a >= *raw && *a <= 1.0);
                }
                // order-preserving
                for i in 0..p.len() {
                    for j in 0..p.len() {
                        if p[i] < p[j] {
                            prop_assert!(adj[i] <= adj[j]);
                        }
                    }
                }
            }
        }
    }
}
