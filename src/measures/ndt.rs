//! The New Directions Team (NDT) Assessment, formerly the "Chaos Index".
//!
//! Ten items rated on the past month. Eight are scored 0–4; *risk to
//! others* and *risk from others* are double-weighted on 0, 2, 4, 6, 8 (an
//! odd value there is invalid). The total runs 0–48 and is defined only when
//! all ten items are present, unless a [`PartialPolicy`] says otherwise.
//! Higher means more need: a fall in the total is an improvement.
//!
//! # Copyright
//!
//! The NDT Assessment was developed by the New Directions Team in the London
//! Borough of Merton. Any area using the NDT assessment framework in full or
//! in part must acknowledge copyright to the **South West London and
//! St George's Mental Health NHS Trust**. This crate stores and summarises
//! scores; it does not reproduce the assessment's anchor texts.
//!
//! # The Fulfilling Lives data framework
//!
//! The Common Data Framework (CDF) holds one wide row per person with item
//! columns `NDTENG_`, `NDTISH_`, … and a date column `NDTDATE_` for each wave.
//! In the date column `999` means "not due this quarter" and `997` "due but
//! not done"; in either case the item columns hold `999`. These sentinels are
//! recognised as such and never read as scores ([`ItemValue`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::cohort::PersonId;
use crate::error::{Error, Location, Result};

/// The attribution that must accompany any use of the NDT.
pub const NDT_COPYRIGHT: &str = "The NDT Assessment (New Directions Team, London Borough of \
Merton) is copyright South West London and St George's Mental Health NHS Trust.";

/// The maximum NDT total.
pub const NDT_MAX_TOTAL: u8 = 48;

/// One of the ten NDT items, in the CDF's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NdtItem {
    /// Engagement with frontline services (0–4).
    Engagement,
    /// Intentional self-harm (0–4).
    IntentionalSelfHarm,
    /// Unintentional self-harm (0–4).
    UnintentionalSelfHarm,
    /// Risk to others (0, 2, 4, 6, 8: double-weighted).
    RiskToOthers,
    /// Risk from others (0, 2, 4, 6, 8: double-weighted).
    RiskFromOthers,
    /// Stress and anxiety (0–4).
    StressAndAnxiety,
    /// Social effectiveness (0–4).
    SocialEffectiveness,
    /// Alcohol/drug misuse (0–4).
    AlcoholDrugMisuse,
    /// Impulse control (0–4).
    ImpulseControl,
    /// Housing (0–4).
    Housing,
}

/// The scale an item is scored on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemScale {
    /// Integers 0 to 4.
    ZeroToFour,
    /// Even integers 0 to 8 (double-weighted risk items).
    DoubleWeighted,
}

impl ItemScale {
    /// The largest score on the scale.
    pub fn max(self) -> u8 {
        match self {
            ItemScale::ZeroToFour => 4,
            ItemScale::DoubleWeighted => 8,
        }
    }

    /// True if `v` is a valid score on this scale.
    pub fn is_valid(self, v: i64) -> bool {
        match self {
            ItemScale::ZeroToFour => (0..=4).contains(&v),
            ItemScale::DoubleWeighted => (0..=8).contains(&v) && v % 2 == 0,
        }
    }

    /// The rule, in words, for error messages.
    pub fn rule(self) -> &'static str {
        match self {
            ItemScale::ZeroToFour => "NDT items are scored 0, 1, 2, 3 or 4",
            ItemScale::DoubleWeighted => {
                "risk items are double-weighted: 0, 2, 4, 6 or 8 (odd values are invalid)"
            }
        }
    }
}

impl NdtItem {
    /// All ten items, in the CDF's order.
    pub const ALL: [NdtItem; 10] = [
        NdtItem::Engagement,
        NdtItem::IntentionalSelfHarm,
        NdtItem::UnintentionalSelfHarm,
        NdtItem::RiskToOthers,
        NdtItem::RiskFromOthers,
        NdtItem::StressAndAnxiety,
        NdtItem::SocialEffectiveness,
        NdtItem::AlcoholDrugMisuse,
        NdtItem::ImpulseControl,
        NdtItem::Housing,
    ];

    /// The item's scale.
    pub fn scale(self) -> ItemScale {
        match self {
            NdtItem::RiskToOthers | NdtItem::RiskFromOthers => ItemScale::DoubleWeighted,
            _ => ItemScale::ZeroToFour,
        }
    }

    /// The Fulfilling Lives CDF column prefix, e.g. `NDTENG_`.
    pub fn cdf_prefix(self) -> &'static str {
        match self {
            NdtItem::Engagement => "NDTENG_",
            NdtItem::IntentionalSelfHarm => "NDTISH_",
            NdtItem::UnintentionalSelfHarm => "NDTUSH_",
            NdtItem::RiskToOthers => "NDTRTO_",
            NdtItem::RiskFromOthers => "NDTRFO_",
            NdtItem::StressAndAnxiety => "NDTSAX_",
            NdtItem::SocialEffectiveness => "NDTSE_",
            NdtItem::AlcoholDrugMisuse => "NDTADA_",
            NdtItem::ImpulseControl => "NDTIC_",
            NdtItem::Housing => "NDTHNG_",
        }
    }

    /// The crate's column name for the item in long files, e.g. `engagement`.
    pub fn column(self) -> &'static str {
        match self {
            NdtItem::Engagement => "engagement",
            NdtItem::IntentionalSelfHarm => "intentional_self_harm",
            NdtItem::UnintentionalSelfHarm => "unintentional_self_harm",
            NdtItem::RiskToOthers => "risk_to_others",
            NdtItem::RiskFromOthers => "risk_from_others",
            NdtItem::StressAndAnxiety => "stress_and_anxiety",
            NdtItem::SocialEffectiveness => "social_effectiveness",
            NdtItem::AlcoholDrugMisuse => "alcohol_drug_misuse",
            NdtItem::ImpulseControl => "impulse_control",
            NdtItem::Housing => "housing",
        }
    }

    /// A readable label.
    pub fn label(self) -> &'static str {
        match self {
            NdtItem::Engagement => "Engagement with frontline services",
            NdtItem::IntentionalSelfHarm => "Intentional self-harm",
            NdtItem::UnintentionalSelfHarm => "Unintentional self-harm",
            NdtItem::RiskToOthers => "Risk to others",
            NdtItem::RiskFromOthers => "Risk from others",
            NdtItem::StressAndAnxiety => "Stress and anxiety",
            NdtItem::SocialEffectiveness => "Social effectiveness",
            NdtItem::AlcoholDrugMisuse => "Alcohol/drug misuse",
            NdtItem::ImpulseControl => "Impulse control",
            NdtItem::Housing => "Housing",
        }
    }

    /// The item's position in [`NdtItem::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The CDF sentinel for "due but not done".
pub const SENTINEL_NOT_DONE: i64 = 997;
/// The CDF sentinel for "not due".
pub const SENTINEL_NOT_DUE: i64 = 999;

/// A validated item score: the value is on its item's scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct NdtScore {
    item: NdtItem,
    value: u8,
}

impl NdtScore {
    /// A score for `item`.
    ///
    /// # Errors
    /// If `value` is not on the item's scale (0–4, or 0/2/4/6/8 for the
    /// risk items). Sentinel codes are not scores: use [`ItemValue::parse`].
    pub fn new(item: NdtItem, value: i64) -> Result<Self> {
        if item.scale().is_valid(value) {
            Ok(NdtScore {
                item,
                value: value as u8,
            })
        } else {
            Err(Error::invalid_value(
                Location::source("NDT").column(item.column()),
                value.to_string(),
                item.scale().rule(),
            ))
        }
    }

    /// The item.
    pub fn item(self) -> NdtItem {
        self.item
    }

    /// The score.
    pub fn value(self) -> u8 {
        self.value
    }
}

/// What an item column holds: a score, a CDF sentinel, or nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemValue {
    /// A valid score.
    Score(NdtScore),
    /// 997: the assessment was due but not done.
    NotDone,
    /// 999: the assessment was not due.
    NotDue,
    /// Blank.
    Missing,
}

impl ItemValue {
    /// Read a raw value for `item`.
    ///
    /// # Errors
    /// If the value is neither blank, a sentinel, nor a valid score.
    pub fn parse(item: NdtItem, raw: Option<i64>) -> Result<ItemValue> {
        match raw {
            None => Ok(ItemValue::Missing),
            Some(SENTINEL_NOT_DONE) => Ok(ItemValue::NotDone),
            Some(SENTINEL_NOT_DUE) => Ok(ItemValue::NotDue),
            Some(v) => NdtScore::new(item, v).map(ItemValue::Score),
        }
    }

    /// The score, if there is one.
    pub fn score(self) -> Option<NdtScore> {
        match self {
            ItemValue::Score(s) => Some(s),
            _ => None,
        }
    }
}

/// What to do with an assessment that lacks some items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartialPolicy {
    /// A partial assessment is an error (a rejected row on load).
    Reject,
    /// The total is undefined (`None`); the items present are kept. This is
    /// the default, and what `rowSums(..., na.rm = FALSE)` gives in the
    /// Fulfilling Lives analysis scripts.
    #[default]
    Undefined,
    /// The total is pro-rated: the sum of the items present × 48 ÷ the
    /// maximum those items could score, provided at least `min_items` are
    /// present (otherwise undefined).
    ProRate {
        /// The fewest items that still give a pro-rated total.
        min_items: u8,
    },
}

/// An NDT total in 0–48 (fractional only when pro-rated).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
pub struct NdtTotal(f64);

impl NdtTotal {
    /// The total.
    pub fn value(self) -> f64 {
        self.0
    }
}

/// One NDT assessment of one person on one date.
#[derive(Debug, Clone, PartialEq)]
pub struct NdtAssessment {
    /// Who was assessed.
    pub person: PersonId,
    /// When.
    pub date: NaiveDate,
    /// The ten items in [`NdtItem::ALL`] order; `None` where missing.
    pub items: [Option<NdtScore>; 10],
}

impl NdtAssessment {
    /// An assessment from ten raw item values in [`NdtItem::ALL`] order
    /// (`None` = blank). Sentinels count as missing items.
    ///
    /// # Errors
    /// If any value is off its item's scale.
    pub fn from_raw(person: PersonId, date: NaiveDate, raw: [Option<i64>; 10]) -> Result<Self> {
        let mut items = [None; 10];
        for (i, item) in NdtItem::ALL.iter().enumerate() {
            items[i] = ItemValue::parse(*item, raw[i])?.score();
        }
        Ok(NdtAssessment {
            person,
            date,
            items,
        })
    }

    /// The score on one item.
    pub fn item(&self, item: NdtItem) -> Option<NdtScore> {
        self.items[item.index()]
    }

    /// How many items are present.
    pub fn items_present(&self) -> usize {
        self.items.iter().filter(|s| s.is_some()).count()
    }

    /// The total under a partial-assessment policy.
    ///
    /// # Errors
    /// Under [`PartialPolicy::Reject`], if any item is missing.
    pub fn total(&self, policy: PartialPolicy) -> Result<Option<NdtTotal>> {
        total_of(&self.items, policy).map_err(|rule| {
            Error::invalid_value(
                Location::source("NDT assessment"),
                format!("{} of 10 items", self.items_present()),
                rule,
            )
        })
    }
}

/// The total of ten optional item scores under `policy`; `Err` carries the
/// rule broken (only under [`PartialPolicy::Reject`]). Shared by the typed
/// and the frame paths.
pub(crate) fn total_of(
    items: &[Option<NdtScore>; 10],
    policy: PartialPolicy,
) -> std::result::Result<Option<NdtTotal>, &'static str> {
    let present = items.iter().flatten().count();
    let sum: u32 = items.iter().flatten().map(|s| u32::from(s.value())).sum();
    if present == 10 {
        return Ok(Some(NdtTotal(f64::from(sum))));
    }
    match policy {
        PartialPolicy::Reject => {
            Err("all ten NDT items are required (partial assessments are rejected)")
        }
        PartialPolicy::Undefined => Ok(None),
        PartialPolicy::ProRate { min_items } => {
            if present == 0 || present < usize::from(min_items) {
                return Ok(None);
            }
            let max: u32 = items
                .iter()
                .flatten()
                .map(|s| u32::from(s.item().scale().max()))
                .sum();
            Ok(Some(NdtTotal(
                f64::from(sum) * f64::from(NDT_MAX_TOTAL) / f64::from(max),
            )))
        }
    }
}

/// How to pick the baseline and follow-up assessment of each person.
///
/// | Name | Default | Purpose | Range |
/// |---|---|---|---|
/// | `baseline_before_days` | 90 | how long before the index date a baseline may be | ≥ 0 |
/// | `baseline_after_days` | 90 | how long after the index date a baseline may be | ≥ 0 |
/// | `follow_up_months` | 12 | the follow-up point, in months after the index date | ≥ 1 |
/// | `follow_up_tolerance_days` | 90 | how far from that point a follow-up may be | ≥ 0 |
///
/// The baseline is the assessment nearest the index date within its window
/// (ties: the earlier one). The follow-up is the assessment nearest the
/// follow-up point within the tolerance, and after the baseline (ties: the
/// earlier one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectionRule {
    /// Days before the index date a baseline may be.
    pub baseline_before_days: u32,
    /// Days after the index date a baseline may be.
    pub baseline_after_days: u32,
    /// Months after the index date of the follow-up point.
    pub follow_up_months: u32,
    /// Days either side of the follow-up point.
    pub follow_up_tolerance_days: u32,
}

impl Default for SelectionRule {
    fn default() -> Self {
        SelectionRule {
            baseline_before_days: 90,
            baseline_after_days: 90,
            follow_up_months: 12,
            follow_up_tolerance_days: 90,
        }
    }
}

impl SelectionRule {
    /// Check the rule.
    ///
    /// # Errors
    /// If `follow_up_months` is 0.
    pub fn check(self) -> Result<Self> {
        if self.follow_up_months == 0 {
            return Err(Error::invalid_parameter(
                "follow_up_months",
                0,
                "the follow-up must be at least one month after the index date",
            ));
        }
        Ok(self)
    }

    /// The follow-up target date for an index date.
    pub fn follow_up_date(self, index: NaiveDate) -> Option<NaiveDate> {
        index.checked_add_months(chrono::Months::new(self.follow_up_months))
    }

    /// Pick baseline and follow-up among `dates` (one person's assessment
    /// dates) for `index`. Returns positions into `dates`.
    pub fn select(self, index: NaiveDate, dates: &[NaiveDate]) -> (Option<usize>, Option<usize>) {
        let best =
            |target: NaiveDate, lo: i64, hi: i64, after: Option<NaiveDate>| -> Option<usize> {
                dates
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| {
                        let off = (**d - target).num_days();
                        off >= lo && off <= hi && after.is_none_or(|a| **d > a)
                    })
                    .min_by_key(|(_, d)| ((**d - target).num_days().abs(), **d))
                    .map(|(i, _)| i)
            };
        let baseline = best(
            index,
            -i64::from(self.baseline_before_days),
            i64::from(self.baseline_after_days),
            None,
        );
        let follow = self.follow_up_date(index).and_then(|t| {
            let tol = i64::from(self.follow_up_tolerance_days);
            best(t, -tol, tol, baseline.map(|b| dates[b]))
        });
        (baseline, follow)
    }
}

/// One person's baseline and follow-up, with the change on each item and in
/// the total (follow-up minus baseline: negative is improvement).
#[derive(Debug, Clone, PartialEq)]
pub struct NdtChange {
    /// Who.
    pub person: PersonId,
    /// The baseline assessment's date.
    pub baseline_date: NaiveDate,
    /// The follow-up assessment's date.
    pub follow_up_date: NaiveDate,
    /// Baseline item scores.
    pub baseline: [Option<u8>; 10],
    /// Follow-up item scores.
    pub follow_up: [Option<u8>; 10],
    /// Baseline total, where defined.
    pub baseline_total: Option<f64>,
    /// Follow-up total, where defined.
    pub follow_up_total: Option<f64>,
}

impl NdtChange {
    /// Change on one item, where both are present.
    pub fn item_change(&self, item: NdtItem) -> Option<i32> {
        let i = item.index();
        Some(i32::from(self.follow_up[i]?) - i32::from(self.baseline[i]?))
    }

    /// Change in the total, where both totals are defined.
    pub fn total_change(&self) -> Option<f64> {
        Some(self.follow_up_total? - self.baseline_total?)
    }
}

/// Each person's assessments, in the order given: the index
/// [`baseline_follow_up_indexed`] selects from, built once for any number of
/// selections.
pub type AssessmentsByPerson<'a> = foldhash::HashMap<&'a PersonId, Vec<&'a NdtAssessment>>;

/// Group assessments by person, keeping their order.
pub fn assessments_by_person(assessments: &[NdtAssessment]) -> AssessmentsByPerson<'_> {
    let mut by_person = AssessmentsByPerson::default();
    for a in assessments {
        by_person.entry(&a.person).or_default().push(a);
    }
    by_person
}

/// Baseline and follow-up for each person with both, from assessments and
/// each person's index date. People with no baseline, or no follow-up, are
/// counted in the returned [`SelectionCounts`].
///
/// # Errors
/// If the rule is invalid, or a total is required under
/// [`PartialPolicy::Reject`] and an assessment is partial.
pub fn baseline_follow_up<'a>(
    index_dates: impl IntoIterator<Item = (&'a PersonId, NaiveDate)>,
    assessments: &[NdtAssessment],
    rule: SelectionRule,
    policy: PartialPolicy,
) -> Result<(Vec<NdtChange>, SelectionCounts)> {
    let by_person = assessments_by_person(assessments);
    baseline_follow_up_indexed(index_dates, &by_person, rule, policy)
}

/// [`baseline_follow_up`] from assessments already grouped by person
/// ([`assessments_by_person`]), so that several selections (one per group,
/// say) group a large file once.
///
/// # Errors
/// As [`baseline_follow_up`].
pub fn baseline_follow_up_indexed<'a>(
    index_dates: impl IntoIterator<Item = (&'a PersonId, NaiveDate)>,
    by_person: &AssessmentsByPerson<'_>,
    rule: SelectionRule,
    policy: PartialPolicy,
) -> Result<(Vec<NdtChange>, SelectionCounts)> {
    let rule = rule.check()?;
    let mut out = Vec::new();
    let mut counts = SelectionCounts::default();
    for (person, index) in index_dates {
        counts.people += 1;
        let list = by_person.get(person).map(Vec::as_slice).unwrap_or(&[]);
        let dates: Vec<NaiveDate> = list.iter().map(|a| a.date).collect();
        let (b, f) = rule.select(index, &dates);
        match (b, f) {
            (None, _) => counts.no_baseline += 1,
            (Some(_), None) => counts.no_follow_up += 1,
            (Some(b), Some(f)) => {
                let (ba, fa) = (list[b], list[f]);
                counts.with_both += 1;
                out.push(NdtChange {
                    person: person.clone(),
                    baseline_date: ba.date,
                    follow_up_date: fa.date,
                    baseline: ba.items.map(|s| s.map(NdtScore::value)),
                    follow_up: fa.items.map(|s| s.map(NdtScore::value)),
                    baseline_total: ba.total(policy)?.map(NdtTotal::value),
                    follow_up_total: fa.total(policy)?.map(NdtTotal::value),
                });
            }
        }
    }
    Ok((out, counts))
}

/// How many people had a baseline and follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SelectionCounts {
    /// People considered.
    pub people: usize,
    /// People with both a baseline and a follow-up.
    pub with_both: usize,
    /// People with no baseline in the window.
    pub no_baseline: usize,
    /// People with a baseline but no follow-up within tolerance.
    pub no_follow_up: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn pid(s: &str) -> PersonId {
        PersonId::from_pseudonym(s).unwrap()
    }

    #[test]
    fn scales_and_sentinels() {
        assert!(NdtScore::new(NdtItem::Housing, 4).is_ok());
        assert!(NdtScore::new(NdtItem::Housing, 5).is_err());
        assert!(NdtScore::new(NdtItem::RiskToOthers, 8).is_ok());
        let e = NdtScore::new(NdtItem::RiskToOthers, 3).unwrap_err();
        assert!(e.to_string().contains("odd values are invalid"), "{e}");
        assert!(NdtScore::new(NdtItem::RiskFromOthers, -2).is_err());
        assert_eq!(
            ItemValue::parse(NdtItem::Engagement, Some(997)).unwrap(),
            ItemValue::NotDone
        );
        assert_eq!(
            ItemValue::parse(NdtItem::RiskToOthers, Some(999)).unwrap(),
            ItemValue::NotDue
        );
        let max: u32 = NdtItem::ALL
            .iter()
            .map(|i| u32::from(i.scale().max()))
            .sum();
        assert_eq!(max, 48);
    }

    #[test]
    fn totals_under_each_policy() {
        let full = NdtAssessment::from_raw(
            pid("a"),
            d(2024, 1, 1),
            [
                Some(4),
                Some(4),
                Some(4),
                Some(8),
                Some(8),
                Some(4),
                Some(4),
                Some(4),
                Some(4),
                Some(4),
            ],
        )
        .unwrap();
        assert_eq!(
            full.total(PartialPolicy::Undefined)
                .unwrap()
                .unwrap()
                .value(),
            48.0
        );
        let mut raw = [Some(2); 10];
        raw[3] = None; // risk to others missing
        let part = NdtAssessment::from_raw(pid("a"), d(2024, 1, 1), raw).unwrap();
        assert_eq!(part.total(PartialPolicy::Undefined).unwrap(), None);
        assert!(part.total(PartialPolicy::Reject).is_err());
        // 9 items of 2 = 18 out of a possible 40 → 18 × 48 / 40 = 21.6
        let pr = part
            .total(PartialPolicy::ProRate { min_items: 8 })
            .unwrap()
            .unwrap();
        assert!((pr.value() - 21.6).abs() < 1e-12);
        assert_eq!(
            part.total(PartialPolicy::ProRate { min_items: 10 })
                .unwrap(),
            None
        );
        // a sentinel is a missing item, never a score
        let mut raw = [Some(2); 10];
        raw[0] = Some(999);
        let s = NdtAssessment::from_raw(pid("a"), d(2024, 1, 1), raw).unwrap();
        assert_eq!(s.items_present(), 9);
    }

    #[test]
    fn baseline_and_follow_up_selection() {
        let rule = SelectionRule::default();
        let idx = d(2024, 3, 1);
        let dates = [
            d(2023, 10, 1),
            d(2024, 2, 20),
            d(2024, 3, 9),
            d(2025, 2, 1),
            d(2025, 3, 20),
            d(2026, 1, 1),
        ];
        let (b, f) = rule.select(idx, &dates);
        assert_eq!(b, Some(2)); // 8 days after beats 10 days before
        assert_eq!(f, Some(4)); // 19 days after 2025-03-01 beats 28 days before
        let (b, f) = rule.select(idx, &[d(2025, 3, 1)]);
        assert_eq!((b, f), (None, Some(0)));
        let (b, f) = rule.select(idx, &[d(2024, 3, 1)]);
        assert_eq!((b, f), (Some(0), None));
    }

    #[test]
    fn change_between_baseline_and_follow_up() {
        let p = pid("p1");
        let a1 = NdtAssessment::from_raw(
            p.clone(),
            d(2024, 3, 1),
            [
                Some(3),
                Some(2),
                Some(2),
                Some(6),
                Some(4),
                Some(3),
                Some(3),
                Some(4),
                Some(3),
                Some(4),
            ],
        )
        .unwrap();
        let a2 = NdtAssessment::from_raw(
            p.clone(),
            d(2025, 3, 4),
            [
                Some(2),
                Some(1),
                Some(1),
                Some(2),
                Some(4),
                Some(2),
                Some(2),
                Some(3),
                Some(2),
                Some(1),
            ],
        )
        .unwrap();
        let (ch, counts) = baseline_follow_up(
            [(&p, d(2024, 3, 1))],
            &[a1, a2],
            SelectionRule::default(),
            PartialPolicy::Undefined,
        )
        .unwrap();
        assert_eq!(counts.with_both, 1);
        assert_eq!(ch[0].baseline_total, Some(34.0));
        assert_eq!(ch[0].follow_up_total, Some(20.0));
        assert_eq!(ch[0].total_change(), Some(-14.0));
        assert_eq!(ch[0].item_change(NdtItem::Housing), Some(-3));
    }
}
