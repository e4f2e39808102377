//! The cost offset against a matched comparison group
//! (`costs::costing::comparison_offset`): hand-worked cases, the
//! cluster-robust standard error against R, and identical groups.

use outcomes::cohort::Group;
use outcomes::compare::{MatchCounts, MatchWork, Matching};
use outcomes::costs::{comparison_offset, Gbp, MatchedCosts, PriceYear};
use outcomes::stats::{BootstrapConfig, ConfidenceLevel};
use outcomes::ErrorKind;

fn y() -> PriceYear {
    PriceYear::parse("2024/25").unwrap()
}

fn gbp(x: f64) -> Gbp {
    Gbp::new(x, y()).unwrap()
}

fn person(group: Group, pre: f64, post: f64, weight: f64, set: usize) -> MatchedCosts {
    MatchedCosts {
        group,
        pre: gbp(pre),
        post: gbp(post),
        weight,
        set,
    }
}

fn config(seed: u64) -> BootstrapConfig {
    BootstrapConfig::new(9999, seed, ConfidenceLevel::NINETY_FIVE).unwrap()
}

/// Three 1:1 matched pairs (programme Δ, comparison Δ):
/// set 1 (100→40 = −60, 80→70 = −10), set 2 (200→150 = −50, 100→120 = +20),
/// set 3 (50→80 = +30, 60→30 = −30).
fn pairs() -> Vec<MatchedCosts> {
    use Group::{Comparison as C, Programme as P};
    vec![
        person(P, 100.0, 40.0, 1.0, 1),
        person(C, 80.0, 70.0, 1.0, 1),
        person(P, 200.0, 150.0, 1.0, 2),
        person(C, 100.0, 120.0, 1.0, 2),
        person(P, 50.0, 80.0, 1.0, 3),
        person(C, 60.0, 30.0, 1.0, 3),
    ]
}

/// Hand-worked: programme mean change (−60 − 50 + 30)/3 = −80/3, comparison
/// (−10 + 20 − 30)/3 = −20/3, DiD −20; with a programme cost of 15 the net
/// offset per person is 20 − 15 = 5.
///
/// CR1 standard error, R 4.2.2, sandwich 3.0.2, lmtest 0.9.40:
/// `d <- data.frame(pre=c(100,80,200,100,50,60), post=c(40,70,150,120,80,30),
/// treat=c(1,0,1,0,1,0), subclass=c(1,1,2,2,3,3)); d$delta <- d$post - d$pre;
/// ct <- coeftest(lm(delta ~ treat, d), vcov. = vcovCL, cluster = ~subclass);
/// confint(ct)` gives treat −20, SE 45.18480570575319, t −0.44263,
/// p 0.680917696768207 (`ct[2, 4]`), CI (−145.453132631052, 105.4531326310518).
///
/// Bootstrap: with one programme and one comparison person of weight 1 in
/// every set, the resampled DiD is the mean of 3 set differences drawn with
/// replacement from d = (−50, −70, 60); its exact bootstrap SD is
/// `sqrt(Σ(d − d̄)²/3 / 3) = sqrt(9800/9) = 32.998`, and each extreme (all
/// three draws the same set) has probability 1/27 = 3.7% > 2.5%, so the
/// 95% percentile interval is (−70, 60) (about 370 of 9,999 replicates at
/// each end, needing more than 250).
#[test]
fn hand_worked_pairs() {
    let r = comparison_offset(&pairs(), gbp(15.0), config(20240101)).unwrap();
    let close = |a: f64, b: f64, tol: f64| (a - b).abs() <= tol;
    assert_eq!(r.programme.n, 3);
    assert_eq!(r.comparison.n, 3);
    assert_eq!(r.sets, 3);
    assert!(close(r.programme.mean_pre.amount(), 350.0 / 3.0, 1e-9));
    assert!(close(r.programme.mean_post.amount(), 90.0, 1e-9));
    assert!(close(r.programme.mean_change.amount(), -80.0 / 3.0, 1e-9));
    assert!(close(r.comparison.mean_change.amount(), -20.0 / 3.0, 1e-9));
    assert!(close(r.did.amount(), -20.0, 1e-9));
    assert!(close(r.net_offset_per_person.amount(), 5.0, 1e-9));

    let cr = &r.did_cluster_robust;
    assert!(close(cr.estimate, -20.0, 1e-9));
    assert!(close(cr.std_error, 45.18480570575319, 1e-9));
    assert!(close(cr.ci.lower, -145.453132631052, 1e-8));
    assert!(close(cr.ci.upper, 105.4531326310518, 1e-8));
    assert!(close(cr.p_value.unwrap(), 0.680917696768207, 1e-9));
    assert_eq!(cr.estimator, "CR1");
    assert_eq!(cr.clusters, Some(3));

    let b = &r.did_bootstrap;
    assert!(close(b.percentile.value, -20.0, 1e-9));
    assert_eq!(b.percentile.n, 3);
    let se = b.percentile.std_error.unwrap();
    // Monte Carlo error of a bootstrap SD with B = 9999 is about 1%.
    assert!(close(se, (9800.0f64 / 9.0).sqrt(), 0.04 * 33.0), "{se}");
    assert_eq!(
        (b.percentile.ci.lower, b.percentile.ci.upper),
        (-70.0, 60.0)
    );
    // Net offset interval: −did − 15 reflected.
    assert_eq!(
        (r.net_offset_percentile.lower, r.net_offset_percentile.upper),
        (-75.0, 55.0)
    );
    // Seeded: the same seed gives the same result.
    let again = comparison_offset(&pairs(), gbp(15.0), config(20240101)).unwrap();
    assert_eq!(again.did_bootstrap, r.did_bootstrap);
}

/// Unequal matching weights (MatchIt-style: 2:1 sets with weight 1/2 per
/// control, one 1:1 set, rescaled so the control weights sum to the 5
/// matched controls: 5/6 and 5/3). Comparison weighted mean change
/// `((5/6)(−10 − 30 + 20 − 10) + (5/3)(−30)) / 5 = −15`, DiD
/// `−80/3 + 15 = −35/3`.
///
/// R 4.2.2, sandwich 3.0.2, lmtest 0.9.40:
/// `d <- data.frame(pre=c(100,80,90,200,100,110,50,60),
/// post=c(40,70,60,150,120,100,80,30), treat=c(1,0,0,1,0,0,1,0),
/// subclass=c(1,1,1,2,2,2,3,3), w=c(1,5/6,5/6,1,5/6,5/6,1,5/3));
/// coeftest(lm(post - pre ~ treat, d, weights = w), vcov. = vcovCL, cluster
/// = ~subclass)` gives treat −11.6666666666667, SE 38.9859898862067, CI
/// (−107.0619473478436, 83.7286140145103).
#[test]
fn hand_worked_weights() {
    use Group::{Comparison as C, Programme as P};
    let people = vec![
        person(P, 100.0, 40.0, 1.0, 1),
        person(C, 80.0, 70.0, 5.0 / 6.0, 1),
        person(C, 90.0, 60.0, 5.0 / 6.0, 1),
        person(P, 200.0, 150.0, 1.0, 2),
        person(C, 100.0, 120.0, 5.0 / 6.0, 2),
        person(C, 110.0, 100.0, 5.0 / 6.0, 2),
        person(P, 50.0, 80.0, 1.0, 3),
        person(C, 60.0, 30.0, 5.0 / 3.0, 3),
        // Unmatched: weight 0, left out.
        person(C, 1e6, 0.0, 0.0, 4),
    ];
    let r = comparison_offset(&people, gbp(0.0), config(7)).unwrap();
    assert_eq!((r.comparison.n, r.sets), (5, 3));
    assert!((r.comparison.weight - 5.0).abs() < 1e-12);
    assert!((r.comparison.mean_change.amount() + 15.0).abs() < 1e-9);
    assert!((r.did.amount() + 35.0 / 3.0).abs() < 1e-9);
    assert!((r.net_offset_per_person.amount() - 35.0 / 3.0).abs() < 1e-9);
    let cr = &r.did_cluster_robust;
    assert!((cr.estimate + 11.6666666666667).abs() < 1e-9);
    assert!((cr.std_error - 38.9859898862067).abs() < 1e-9);
    assert!((cr.ci.lower + 107.0619473478436).abs() < 1e-8);
    assert!((cr.ci.upper - 83.7286140145103).abs() < 1e-8);
    assert!(r.did_bootstrap.percentile.ci.contains(r.did.amount()));
}

/// Identical groups (each set's comparison person has the programme
/// person's costs): the DiD is 0, every bootstrap replicate is 0 and the
/// cluster-robust standard error is 0.
#[test]
fn identical_groups_give_zero() {
    use Group::{Comparison as C, Programme as P};
    let mut people = Vec::new();
    for (k, (pre, post)) in [(120.0, 40.0), (0.0, 300.0), (75.5, 75.5), (1000.0, 10.0)]
        .into_iter()
        .enumerate()
    {
        people.push(person(P, pre, post, 1.0, k));
        people.push(person(C, pre, post, 1.0, k));
    }
    let r = comparison_offset(&people, gbp(250.0), config(1)).unwrap();
    assert_eq!(r.did.amount(), 0.0);
    assert_eq!(r.programme.mean_change, r.comparison.mean_change);
    let b = &r.did_bootstrap.percentile;
    assert_eq!((b.ci.lower, b.ci.upper), (0.0, 0.0));
    assert_eq!(b.std_error, Some(0.0));
    assert!(r.did_cluster_robust.std_error.abs() < 1e-9);
    assert_eq!(r.net_offset_per_person.amount(), -250.0);
    assert_eq!(
        (r.net_offset_percentile.lower, r.net_offset_percentile.upper),
        (-250.0, -250.0)
    );
}

#[test]
fn bad_input_is_a_clear_error() {
    let cfg = config(1);
    // One group only.
    let only: Vec<MatchedCosts> = pairs()
        .into_iter()
        .filter(|p| p.group == Group::Programme)
        .collect();
    let e = comparison_offset(&only, gbp(0.0), cfg).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::InsufficientData { .. }),
        "{e}"
    );
    // A person in neither group, named by row.
    let mut p = pairs();
    p[3].group = Group::Unknown;
    let e = comparison_offset(&p, gbp(0.0), cfg).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::InvalidParameter { .. }),
        "{e}"
    );
    assert!(e.to_string().contains("row 4"), "{e}");
    // A negative weight; another price year; a negative programme cost.
    let mut p = pairs();
    p[0].weight = -1.0;
    assert!(comparison_offset(&p, gbp(0.0), cfg).is_err());
    let mut p = pairs();
    p[1].post = Gbp::new(70.0, PriceYear::parse("2020/21").unwrap()).unwrap();
    let e = comparison_offset(&p, gbp(0.0), cfg).unwrap_err();
    assert!(e.to_string().contains("2020/21"), "{e}");
    assert!(comparison_offset(&pairs(), gbp(-1.0), cfg).is_err());
    // One set only.
    let one: Vec<MatchedCosts> = pairs().into_iter().take(2).collect();
    assert!(comparison_offset(&one, gbp(0.0), cfg).is_err());
}

/// `MatchedCosts::from_matching` keeps positive-weight rows with their
/// subclass, and the offset equals the one from the pairs built by hand.
#[test]
fn from_matching_uses_weights_and_subclasses() {
    let groups = [
        Group::Programme,
        Group::Comparison,
        Group::Programme,
        Group::Comparison,
        Group::Programme,
        Group::Comparison,
        Group::Comparison,
    ];
    let pre = [100.0, 80.0, 200.0, 100.0, 50.0, 60.0, 999.0].map(gbp);
    let post = [40.0, 70.0, 150.0, 120.0, 80.0, 30.0, 0.0].map(gbp);
    let matching = Matching {
        sets: Vec::new(),
        weights: vec![1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0],
        subclass: Some(vec![
            Some(1),
            Some(1),
            Some(2),
            Some(2),
            Some(3),
            Some(3),
            None,
        ]),
        discarded: vec![false; 7],
        caliper_width: None,
        counts: MatchCounts::default(),
        work: MatchWork::default(),
    };
    let people = MatchedCosts::from_matching(&matching, &groups, &pre, &post).unwrap();
    assert_eq!(people, pairs());
    assert!(MatchedCosts::from_matching(&matching, &groups[..6], &pre, &post).is_err());
}
