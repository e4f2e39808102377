//! `outcomes`: measure and evaluate the outcomes of programmes that support
//! people facing multiple disadvantage.
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

pub mod cohort;
pub mod compare;
pub mod costs;
pub mod disclosure;
pub mod error;
pub mod io;
pub mod measures;
pub mod report;
pub mod rng;
pub mod stats;
pub mod synthetic;

pub use error::{Error, ErrorKind, Location, Result};
