//! A seeded generator of synthetic cohorts: people, NDT assessments and
//! service use, with realistic skew and a programme effect you can dial.
//!
//! Everything it makes is fictional. The same [`SyntheticSpec`] (seed
//! included) always gives byte-identical files. The bundled sample in
//! `data/sample/` was made with [`SyntheticSpec::sample`]; benchmarks use the
//! same generator at scale.
//!
//! The model, per person:
//! - a latent need `u ~ Gamma(shape 1.5, mean 1)`, shared by every outcome,
//!   which gives service use its heavy right skew and correlates it with NDT;
//! - monthly service use `Poisson(base rate × u × effect)`, where the effect
//!   multiplier is 1 before the index date and, after it, `1 − effect` for
//!   the programme group and `1 − effect / 4` for the comparison group
//!   (regression to the mean);
//! - NDT items drawn around a severity `20 + 12u` (scaled to each item's
//!   range), falling by `effect × 10` points over the first year for the
//!   programme group, assessed roughly quarterly from the index date.

use std::io::Write;
use std::path::Path;

use chrono::{Datelike, Months, NaiveDate};

use crate::cohort::{Group, Period};
use crate::error::{Error, Result};
use crate::measures::ndt::NdtItem;
use crate::measures::service_use::{CountUnit, ServiceCategory};
use crate::rng::Rng;

/// What to generate.
///
/// | Name | Default (`sample`) | Purpose | Range |
/// |---|---|---|---|
/// | `people` | 300 | cohort size | ≥ 1 |
/// | `seed` | 20240401 | the random seed | any |
/// | `programme_share` | 0.5 | share of people in the programme group | 0–1 |
/// | `effect` | 0.3 | proportional fall in service use after the start (programme) | 0–1 |
/// | `data_start` | 2021-04-01 | first day of the extract | |
/// | `extract_date` | 2025-03-31 | day the extract was taken | > `data_start` |
/// | `enrol_from`, `enrol_to` | 2022-04-01, 2024-03-31 | index dates are drawn uniformly here | inside the data window |
/// | `events_per_person_year` | ≈ 6.5 | scales the base rates | > 0 |
/// | `faults` | 0.01 | share of rows given a deliberate fault (to show rejection) | 0–0.5 |
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticSpec {
    /// Number of people.
    pub people: usize,
    /// Random seed.
    pub seed: u64,
    /// Share of people in the programme group.
    pub programme_share: f64,
    /// Proportional reduction in service use after the index date for the
    /// programme group (0.3 = 30% fewer events).
    pub effect: f64,
    /// First day covered by the extract.
    pub data_start: NaiveDate,
    /// Day the extract was taken.
    pub extract_date: NaiveDate,
    /// Earliest index date.
    pub enrol_from: NaiveDate,
    /// Latest index date.
    pub enrol_to: NaiveDate,
    /// Multiplies every base rate (1.0 gives about 6.5 events per person-year).
    pub rate_scale: f64,
    /// Share of rows given a deliberate, documented fault.
    pub faults: f64,
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

impl SyntheticSpec {
    /// The spec of the bundled sample (`data/sample/`).
    pub fn sample() -> Self {
        SyntheticSpec {
            people: 300,
            seed: 20_240_401,
            programme_share: 0.5,
            effect: 0.3,
            data_start: ymd(2021, 4, 1),
            extract_date: ymd(2025, 3, 31),
            enrol_from: ymd(2022, 4, 1),
            enrol_to: ymd(2024, 3, 31),
            rate_scale: 1.0,
            faults: 0.01,
        }
    }

    /// A large clean cohort for benchmarks: `people` people, about
    /// `events_per_person` service-use events each over the window.
    pub fn large(people: usize, events_per_person: f64, seed: u64) -> Self {
        let base = SyntheticSpec::sample();
        // The sample's base rates give about 21 events per person over the
        // four-year window; scale to the target.
        SyntheticSpec {
            people,
            seed,
            rate_scale: events_per_person / EVENTS_PER_PERSON_AT_SCALE_1,
            faults: 0.0,
            ..base
        }
    }

    fn check(&self) -> Result<()> {
        let p = |name: &str, v: f64, lo: f64, hi: f64| {
            if v.is_finite() && (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(Error::invalid_parameter(
                    name,
                    v,
                    format!("must be in [{lo}, {hi}]"),
                ))
            }
        };
        p("programme_share", self.programme_share, 0.0, 1.0)?;
        p("effect", self.effect, 0.0, 1.0)?;
        p("faults", self.faults, 0.0, 0.5)?;
        p("rate_scale", self.rate_scale, 1e-6, 1e6)?;
        if self.people == 0 {
            return Err(Error::invalid_parameter("people", 0, "must be at least 1"));
        }
        let w = Period::new(self.data_start, self.extract_date)?;
        let e = Period::new(self.enrol_from, self.enrol_to)?;
        if w.intersect(&e) != Some(e) {
            return Err(Error::invalid_parameter(
                "enrol_from..enrol_to",
                e,
                "the enrolment period must lie inside the data window",
            ));
        }
        Ok(())
    }
}

/// Mean events per person over the sample's window at `rate_scale` 1
/// (measured on the generator; used to scale benchmark cohorts).
const EVENTS_PER_PERSON_AT_SCALE_1: f64 = 21.0;

/// Base monthly rates per category at need `u = 1`.
const BASE_RATES: [(ServiceCategory, f64); 13] = [
    (ServiceCategory::AeAttendance, 0.12),
    (ServiceCategory::AmbulanceCallout, 0.05),
    (ServiceCategory::NonElectiveAdmission, 0.025),
    (ServiceCategory::HospitalInpatientDay, 0.01),
    (ServiceCategory::MentalHealthInpatientDay, 0.006),
    (ServiceCategory::MentalHealthCommunityContact, 0.08),
    (ServiceCategory::Arrest, 0.05),
    (ServiceCategory::PoliceCustodyNight, 0.025),
    (ServiceCategory::CourtAppearance, 0.02),
    (ServiceCategory::PrisonNight, 0.003),
    (ServiceCategory::DrugAlcoholTreatmentContact, 0.06),
    (ServiceCategory::Eviction, 0.004),
    (ServiceCategory::RoughSleepingNight, 0.02),
];

/// The sum of [`BASE_RATES`].
const TOTAL_BASE_RATE: f64 =
    0.12 + 0.05 + 0.025 + 0.01 + 0.006 + 0.08 + 0.05 + 0.025 + 0.02 + 0.003 + 0.06 + 0.004 + 0.02;

/// Typical length of a spell for day categories (days per spell).
fn spell_days(c: &ServiceCategory, rng: &mut Rng) -> u32 {
    let mean = match c {
        ServiceCategory::HospitalInpatientDay => 5.0,
        ServiceCategory::MentalHealthInpatientDay => 21.0,
        ServiceCategory::PoliceCustodyNight => 1.2,
        ServiceCategory::PrisonNight => 45.0,
        ServiceCategory::RoughSleepingNight => 9.0,
        _ => 1.0,
    };
    1 + rng.poisson(mean - 1.0).min(365) as u32
}

/// One generated person (raw identifier included: these are fictional).
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticPerson {
    /// A fictional raw identifier, e.g. `SYN-000042`.
    pub raw_id: String,
    /// Programme or comparison.
    pub group: Group,
    /// The index date.
    pub index_date: NaiveDate,
    /// End date, if the person exited, died or moved.
    pub end: Option<(NaiveDate, &'static str)>,
    /// Age at the index date.
    pub age: u32,
    /// `F` or `M`.
    pub sex: &'static str,
    /// One of five fictional areas.
    pub area: &'static str,
    /// Arrests in the year before the index date (a covariate).
    pub prior_arrests: u64,
    /// Latent need (not written to files).
    pub need: f64,
}

/// Seeded propensity scores for matching benchmarks: `n_treated` treated
/// units then `n_control` controls, logit-normal (`N(-1.7, 1)` treated,
/// `N(-2.2, 1)` controls on the linear scale), shuffled together so that data
/// order carries no information. Returns `(score, treated)`.
pub fn matching_scores(n_treated: usize, n_control: usize, seed: u64) -> (Vec<f64>, Vec<bool>) {
    let mut rng = Rng::new(seed);
    let mut units: Vec<(f64, bool)> = (0..n_treated + n_control)
        .map(|i| {
            let treated = i < n_treated;
            let eta = if treated { -1.7 } else { -2.2 } + rng.normal();
            (1.0 / (1.0 + (-eta).exp()), treated)
        })
        .collect();
    rng.shuffle(&mut units);
    units.into_iter().unzip()
}

/// Generate the people of a cohort.
///
/// # Errors
/// If the spec is invalid.
pub fn people(spec: &SyntheticSpec) -> Result<Vec<SyntheticPerson>> {
    spec.check()?;
    let mut rng = Rng::new(spec.seed);
    let span = (spec.enrol_to - spec.enrol_from).num_days().max(0) as u64;
    let areas = ["Area A", "Area B", "Area C", "Area D", "Area E"];
    let mut out = Vec::with_capacity(spec.people);
    for i in 0..spec.people {
        let need = rng.gamma(1.5) / 1.5;
        // The programme enrols people with higher need: selection on need.
        let p_prog = (spec.programme_share * (0.6 + 0.4 * need.min(2.0))).clamp(0.0, 1.0);
        let group = if rng.bernoulli(p_prog) {
            Group::Programme
        } else {
            Group::Comparison
        };
        let index_date = spec.enrol_from + chrono::Days::new(rng.below(span + 1));
        let end = if rng.bernoulli(0.12) {
            let after = 60 + rng.below(600);
            let d = index_date + chrono::Days::new(after);
            let reason = match rng.below(10) {
                0 => "death",
                1..=3 => "moved",
                _ => "exit",
            };
            (d <= spec.extract_date).then_some((d, reason))
        } else {
            None
        };
        let age = 19 + (rng.gamma(6.0) * 3.5) as u32 % 50;
        let prior_rate = 0.05 * 12.0 * need * spec.rate_scale.min(4.0);
        out.push(SyntheticPerson {
            raw_id: format!("SYN-{:06}", i + 1),
            group,
            index_date,
            end,
            age,
            sex: if rng.bernoulli(0.72) { "M" } else { "F" },
            area: areas[rng.below(areas.len() as u64) as usize],
            prior_arrests: rng.poisson(prior_rate),
            need,
        });
    }
    Ok(out)
}

fn month_start(d: NaiveDate) -> NaiveDate {
    ymd(d.year(), d.month(), 1)
}

/// Write the cohort file (`person_id,index_date,group,end_date,end_reason,
/// age,sex,area,prior_arrests`). Returns the number of rows written.
///
/// # Errors
/// On I/O failure.
pub fn write_cohort(path: &Path, people: &[SyntheticPerson]) -> Result<usize> {
    let mut w = writer(path)?;
    let io = |e| Error::io(path, e);
    writeln!(
        w,
        "person_id,index_date,group,end_date,end_reason,age,sex,area,prior_arrests"
    )
    .map_err(io)?;
    for p in people {
        let (end, reason) = p
            .end
            .map_or((String::new(), ""), |(d, r)| (d.to_string(), r));
        writeln!(
            w,
            "{},{},{},{},{},{},{},{},{}",
            p.raw_id,
            p.index_date,
            p.group.code(),
            end,
            reason,
            p.age,
            p.sex,
            p.area,
            p.prior_arrests
        )
        .map_err(io)?;
    }
    w.flush().map_err(io)?;
    Ok(people.len())
}

fn writer(path: &Path) -> Result<std::io::BufWriter<std::fs::File>> {
    let f = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    Ok(std::io::BufWriter::with_capacity(1 << 20, f))
}

/// Faults planted in generated files (documented in `data/README.md`).
const EVENT_FAULTS: [&str; 4] = [
    "unknown_category",
    "negative_count",
    "after_extract",
    "bad_date",
];

/// Write service-use events (`person_id,date,category,count`), month by
/// month for each person over the data window. Returns rows written.
///
/// # Errors
/// On I/O failure or an invalid spec.
pub fn write_service_events(
    path: &Path,
    spec: &SyntheticSpec,
    people: &[SyntheticPerson],
) -> Result<usize> {
    spec.check()?;
    let mut rng = Rng::new(spec.seed ^ 0x5E41_1CE5);
    let mut w = writer(path)?;
    let io = |e| Error::io(path, e);
    writeln!(w, "person_id,date,category,count").map_err(io)?;
    let mut rows = 0usize;
    let first_month = month_start(spec.data_start);
    for p in people {
        let last = p
            .end
            .map_or(spec.extract_date, |(d, _)| d.min(spec.extract_date));
        let mut m = first_month;
        while m <= last {
            let next = m
                .checked_add_months(Months::new(1))
                .unwrap_or(NaiveDate::MAX);
            let days_in_month = (next - m).num_days().max(1) as u64;
            let after = m >= p.index_date;
            let mult = if !after {
                1.0
            } else if p.group == Group::Programme {
                1.0 - spec.effect
            } else {
                1.0 - spec.effect / 4.0
            };
            // Poisson splitting: draw the month's total, then each event's
            // category in proportion to its rate (same distribution as one
            // Poisson draw per category, at a fraction of the cost).
            let lambda = TOTAL_BASE_RATE * p.need * mult * spec.rate_scale;
            let n = rng.poisson(lambda);
            for _ in 0..n {
                let u = rng.uniform() * TOTAL_BASE_RATE;
                let mut acc = 0.0;
                let mut cat = &BASE_RATES[BASE_RATES.len() - 1].0;
                for (c, r) in &BASE_RATES {
                    acc += r;
                    if u < acc {
                        cat = c;
                        break;
                    }
                }
                let date = m + chrono::Days::new(rng.below(days_in_month));
                if date < spec.data_start || date > last {
                    continue;
                }
                let count = if cat.unit() == CountUnit::Days {
                    spell_days(cat, &mut rng)
                } else {
                    1
                };
                let (mut date_s, mut cat_s, mut count_s) =
                    (date.to_string(), cat.code().to_string(), count.to_string());
                if spec.faults > 0.0 && rng.bernoulli(spec.faults) {
                    match EVENT_FAULTS[rng.below(EVENT_FAULTS.len() as u64) as usize] {
                        "unknown_category" => cat_s = "a_and_e".into(),
                        "negative_count" => count_s = "-1".into(),
                        "after_extract" => {
                            date_s = (spec.extract_date + chrono::Days::new(30)).to_string()
                        }
                        _ => date_s = format!("{}-02-30", date.year()),
                    }
                }
                writeln!(w, "{},{},{},{}", p.raw_id, date_s, cat_s, count_s).map_err(io)?;
                rows += 1;
            }
            m = next;
        }
    }
    w.flush().map_err(io)?;
    Ok(rows)
}

/// NDT item scores for a person at a date.
fn ndt_items(
    p: &SyntheticPerson,
    spec: &SyntheticSpec,
    date: NaiveDate,
    rng: &mut Rng,
) -> [i64; 10] {
    let months = crate::cohort::months_between(p.index_date, date).max(0) as f64;
    let progress = (months / 12.0).min(1.0);
    let drop = if p.group == Group::Programme {
        spec.effect * 10.0 * progress
    } else {
        spec.effect * 2.5 * progress
    };
    let severity = (20.0 + 12.0 * p.need.min(2.0) - drop).clamp(0.0, 48.0) / 48.0;
    std::array::from_fn(|k| {
        let item = NdtItem::ALL[k];
        let max = f64::from(item.scale().max());
        let x = (severity * max + rng.normal() * max * 0.15)
            .round()
            .clamp(0.0, max) as i64;
        match item.scale() {
            crate::measures::ndt::ItemScale::DoubleWeighted => x - x % 2,
            crate::measures::ndt::ItemScale::ZeroToFour => x,
        }
    })
}

/// Assessment dates: roughly quarterly from about the index date.
fn ndt_dates(p: &SyntheticPerson, spec: &SyntheticSpec, rng: &mut Rng) -> Vec<NaiveDate> {
    let last = p
        .end
        .map_or(spec.extract_date, |(d, _)| d.min(spec.extract_date));
    let mut out = Vec::new();
    for q in 0..12u32 {
        let Some(target) = p.index_date.checked_add_months(Months::new(3 * q)) else {
            break;
        };
        let jitter = rng.below(29) as i64 - 14;
        let d = target + chrono::Duration::days(jitter);
        if d > last || d < spec.data_start {
            continue;
        }
        // Some reviews are missed.
        if q > 0 && rng.bernoulli(0.15) {
            continue;
        }
        out.push(d);
    }
    out
}

/// Write NDT assessments in long form (`person_id,date,<ten items>`).
/// Returns rows written.
///
/// # Errors
/// On I/O failure or an invalid spec.
pub fn write_ndt(path: &Path, spec: &SyntheticSpec, people: &[SyntheticPerson]) -> Result<usize> {
    spec.check()?;
    let mut rng = Rng::new(spec.seed ^ 0x0ED7_0001);
    let mut w = writer(path)?;
    let io = |e| Error::io(path, e);
    let header: Vec<&str> = NdtItem::ALL.iter().map(|i| i.column()).collect();
    writeln!(w, "person_id,date,{}", header.join(",")).map_err(io)?;
    let mut rows = 0;
    for p in people {
        for d in ndt_dates(p, spec, &mut rng) {
            let mut items = ndt_items(p, spec, d, &mut rng).map(|v| v.to_string());
            if spec.faults > 0.0 && rng.bernoulli(spec.faults * 2.0) {
                match rng.below(3) {
                    0 => items[3] = "3".into(),    // odd risk score
                    1 => items[9] = "5".into(),    // off the 0-4 scale
                    _ => items[4] = String::new(), // a missing item
                }
            }
            writeln!(w, "{},{},{}", p.raw_id, d, items.join(",")).map_err(io)?;
            rows += 1;
        }
    }
    w.flush().map_err(io)?;
    Ok(rows)
}

/// Write NDT assessments in the Fulfilling Lives CDF wide layout: one row
/// per person with `NDTDATE_k` and `NDTENG_k`... for waves k = 1..=`waves`
/// (six-monthly from the index date), using 999 (not due) and 997 (due, not
/// done) as the CDF does. Returns rows written.
///
/// # Errors
/// On I/O failure or an invalid spec.
pub fn write_ndt_wide(
    path: &Path,
    spec: &SyntheticSpec,
    people: &[SyntheticPerson],
    waves: u32,
) -> Result<usize> {
    spec.check()?;
    let mut rng = Rng::new(spec.seed ^ 0x0ED7_0002);
    let mut w = writer(path)?;
    let io = |e| Error::io(path, e);
    let mut header = vec!["person_id".to_string()];
    for k in 1..=waves {
        header.push(format!("NDTDATE_{k}"));
        for i in NdtItem::ALL {
            header.push(format!("{}{k}", i.cdf_prefix()));
        }
    }
    writeln!(w, "{}", header.join(",")).map_err(io)?;
    for p in people {
        let last = p
            .end
            .map_or(spec.extract_date, |(d, _)| d.min(spec.extract_date));
        let mut cells = vec![p.raw_id.clone()];
        for k in 1..=waves {
            let target = p.index_date.checked_add_months(Months::new(6 * (k - 1)));
            let status = match target {
                Some(t) if t <= last => {
                    if rng.bernoulli(0.1) {
                        None // due, not done
                    } else {
                        Some(t)
                    }
                }
                _ => Some(NaiveDate::MIN), // not due
            };
            match status {
                Some(t) if t != NaiveDate::MIN => {
                    cells.push(t.to_string());
                    cells.extend(
                        ndt_items(p, spec, t, &mut rng)
                            .iter()
                            .map(|v| v.to_string()),
                    );
                }
                Some(_) => {
                    cells.push("999".into());
                    cells.extend(std::iter::repeat_n("999".to_string(), 10));
                }
                None => {
                    cells.push("997".into());
                    cells.extend(std::iter::repeat_n("999".to_string(), 10));
                }
            }
        }
        writeln!(w, "{}", cells.join(",")).map_err(io)?;
    }
    w.flush().map_err(io)?;
    Ok(people.len())
}

/// Generate the whole sample into `dir`: `cohort.csv`, `service_use.csv`,
/// `ndt.csv` and `ndt_wide.csv`. Returns the rows written to each.
///
/// # Errors
/// On I/O failure or an invalid spec.
pub fn write_sample(dir: &Path, spec: &SyntheticSpec) -> Result<SampleCounts> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let ps = people(spec)?;
    Ok(SampleCounts {
        cohort: write_cohort(&dir.join("cohort.csv"), &ps)?,
        service_use: write_service_events(&dir.join("service_use.csv"), spec, &ps)?,
        ndt: write_ndt(&dir.join("ndt.csv"), spec, &ps)?,
        ndt_wide: write_ndt_wide(&dir.join("ndt_wide.csv"), spec, &ps, 4)?,
    })
}

/// Rows written per file by [`write_sample`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleCounts {
    /// `cohort.csv`.
    pub cohort: usize,
    /// `service_use.csv`.
    pub service_use: usize,
    /// `ndt.csv`.
    pub ndt: usize,
    /// `ndt_wide.csv`.
    pub ndt_wide: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_files() {
        let dir = std::env::temp_dir().join(format!("outcomes-syn-{}", std::process::id()));
        let spec = SyntheticSpec {
            people: 40,
            ..SyntheticSpec::sample()
        };
        let a = write_sample(&dir.join("a"), &spec).unwrap();
        let b = write_sample(&dir.join("b"), &spec).unwrap();
        assert_eq!(a, b);
        for f in ["cohort.csv", "service_use.csv", "ndt.csv", "ndt_wide.csv"] {
            assert_eq!(
                std::fs::read(dir.join("a").join(f)).unwrap(),
                std::fs::read(dir.join("b").join(f)).unwrap(),
                "{f}"
            );
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn invalid_specs_are_errors() {
        let bad = SyntheticSpec {
            effect: 1.5,
            ..SyntheticSpec::sample()
        };
        assert!(people(&bad).is_err());
        let bad = SyntheticSpec {
            people: 0,
            ..SyntheticSpec::sample()
        };
        assert!(people(&bad).is_err());
    }
}
