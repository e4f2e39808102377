//! `outcomes`: measure and evaluate the outcomes of programmes that support
//! people facing multiple disadvantage (homelessness, substance misuse,
//! offending, mental ill-health, domestic abuse) and families who need early
//! help.
//!
//! Every statistic agrees with the reference implementation reviewers trust
//! (R's MatchIt, sandwich and `did`; scipy; the DfE's definitions; the Green
//! Book) and says which: see [`_documentation::methods`].
//!
//! # An evaluation from end to end
//!
//! Load a cohort and its service use (pseudonymising identifiers with a key
//! you hold), count use per person in the 12 months before and after each
//! person's start, and test the change:
//!
//! ```
//! use outcomes::cohort::{DataWindow, Group, Pseudonymiser};
//! use outcomes::compare::pre_post::{self, CoveragePolicy};
//! use outcomes::io::{self, Source};
//! use outcomes::measures::service_use::{CategorySet, Window};
//! use outcomes::stats::ConfidenceLevel;
//!
//! # fn main() -> Result<(), outcomes::Error> {
//! let data = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample");
//! let key = Pseudonymiser::new(b"a key you keep somewhere safe")?;
//! let window = DataWindow::new("2021-04-01".parse().unwrap(), "2025-03-31".parse().unwrap())?;
//!
//! let cohort = io::load_cohort(
//!     &Source::new(format!("{data}/cohort.csv")).pseudonymise(key.clone()),
//!     window,
//! )?;
//! let events = io::load_service_events(
//!     &Source::new(format!("{data}/service_use.csv")).pseudonymise(key),
//!     &cohort.data,
//!     &CategorySet::default(),
//! )?;
//! // Every row is accepted or rejected with a reason.
//! let s = &events.summary;
//! assert_eq!(s.accepted + s.rejected, s.rows_read);
//!
//! let counts = io::window_counts(
//!     &cohort.data,
//!     &events.data,
//!     &Window::before_after_12_months(),
//!     &["ae_attendance".to_string()],
//! )?;
//! let ae = pre_post::service_use_per_quarter(
//!     &counts, "ae_attendance", "before", "after", CoveragePolicy::default(),
//! )?;
//! let result = pre_post::paired_statistics(&ae.before, &ae.after, ConfidenceLevel::NINETY_FIVE, None)?;
//! println!("A&E per person per quarter: {:.2} -> {:.2}", result.mean_before, result.mean_after);
//! # Ok(())
//! # }
//! ```
//!
//! # Overview
//!
//! - [`cohort`]: who is in the evaluation. [`cohort::PersonId`] (a pseudonym
//!   that never prints), [`cohort::Pseudonymiser`] (HMAC-SHA256 under your
//!   key), [`cohort::Group`], [`cohort::DataWindow`], [`cohort::Period`].
//! - [`measures`]: typed outcome measures: the NDT assessment
//!   ([`measures::ndt`]), service use ([`measures::service_use`]), school
//!   attendance ([`measures::attendance`]) and anti-social behaviour
//!   ([`measures::asb`]).
//! - [`io`]: loading CSV and Parquet with total validation (accepted rows +
//!   a [`io::Rejection`] for every row turned away), and column-wise
//!   aggregation for large cohorts. The only module that uses polars.
//! - [`stats`]: named results ([`stats::Estimate`], [`stats::TestResult`]):
//!   paired and two-group tests, effect sizes, reliable change, bootstrap,
//!   multiplicity, OLS with robust and clustered variance.
//! - [`compare`]: pre/post change, propensity scores, nearest-neighbour
//!   matching and balance, difference-in-differences.
//! - [`costs`]: unit costs with price years, deflators, cost offsets and
//!   cost-benefit analysis on the Green Book schedule.
//! - [`disclosure`] and [`report`]: statistical disclosure control as a type
//!   gate, and writers that accept only cleared tables.
//! - `plot` (feature `plot`, on by default): the report's charts as SVG and
//!   PNG, with an embedded font, so nothing is needed from the system.
//! - [`synthetic`]: the seeded generator behind `data/sample/` and the
//!   benchmarks.
//!
//! # NDT copyright
//!
//! The NDT Assessment (New Directions Team, London Borough of Merton) is
//! copyright South West London and St George's Mental Health NHS Trust. Any
//! area using the NDT assessment framework in full or in part must
//! acknowledge that copyright.
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

pub mod cohort;
pub mod compare;
pub mod costs;
pub mod disclosure;
pub mod error;
/// The whole evaluation from a spec: load, measure, compare, cost, clear
/// every table through one disclosure policy, and write the report folder
/// (with charts under the default `plot` feature).
pub mod evaluate;
pub mod io;
pub mod measures;
mod names;
#[cfg(feature = "plot")]
pub mod plot;
pub mod report;
pub mod rng;
pub mod stats;
pub mod synthetic;

pub use error::{Error, ErrorKind, Location, Result};

/// The design notes and the methods, as rustdoc pages.
pub mod _documentation {
    #[doc = include_str!("../DESIGN.md")]
    pub mod design {}
    #[doc = include_str!("../METHODS.md")]
    pub mod methods {}
}
