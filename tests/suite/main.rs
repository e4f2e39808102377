//! The integration tests, gathered into one binary so that a build links polars once.
//!
//! Each module is one former test file; reference tests that need `../shared/reference-data`
//! go through [`common::reference_data`], which fails under `OUTCOMES_REQUIRE_REFERENCE=1`.

mod asb_poisson;
mod asb_props;
mod attendance;
mod attendance_example;
mod attendance_frame;
mod attendance_props;
#[cfg(feature = "cli")]
mod cli;
mod common;
mod cost_offset_comparison;
mod costing_frame;
mod costing_frame_props;
mod costs;
mod did_reference;
mod did_spec;
mod disclosure;
mod evaluate;
mod examples_compare;
mod fuzz;
mod golden;
mod loading;
mod loading_props;
mod loading_refuses;
mod matching_complexity;
mod matching_reference;
mod matching_ties;
mod ols_reference;
mod one_name;
mod plot_charts;
mod provenance;
mod reference_values;
mod release_disclosure;
mod report;
mod sample_readers_props;
mod school_did_reference;
mod school_spec;
mod sensitivity;
mod stats_proptest;
mod stats_reference;
mod summary;
mod survival;
mod weighting;
