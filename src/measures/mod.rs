//! Typed outcome measures.
//!
//! * [`ndt`]: the New Directions Team Assessment (10 items, two
//!   double-weighted, total 0–48), sentinels, partial-assessment policy,
//!   baseline and follow-up selection.
//! * [`service_use`]: service-use categories, exact or banded counts,
//!   windows relative to each person's index date, and aggregation with
//!   observed time.
//! * [`attendance`]: school attendance and absence in England under the DfE
//!   definitions (register codes as versioned code sets, sessions, rates,
//!   persistent and severe absence), per enrolment, per pupil and per group.
//! * [`asb`]: anti-social behaviour incidents (including police.uk
//!   street-level files), counts per area and period, rates per 1,000
//!   residents against a named population year, and pilot-versus-comparison
//!   area contrasts with exact and Wald Poisson intervals.
//! * [`time_to_event`]: the time from each person's index date to their
//!   first event of chosen service-use categories, censored at the end of
//!   follow-up (for Kaplan–Meier, log-rank and Cox in [`crate::stats`]).
//! * [`synthetic_school`]: a seeded generator of fictional register marks and
//!   ASB incidents in the published file shapes, for tests, examples and
//!   benchmarks.

pub mod asb;
pub mod attendance;
pub mod ndt;
pub mod school_report;
pub mod service_use;
pub mod synthetic_school;
pub mod time_to_event;
