//! `outcomes._outcomes`: the native module of the Python package `outcomes`.
//!
//! A thin layer over the `outcomes` crate: every function here converts its
//! arguments (polars frames and series in, through pyo3-polars without
//! copying the arrow buffers), calls one public entry point of the crate,
//! and converts the result (frames out, the crate's serde forms as dicts,
//! which the Python package wraps in dataclasses). Nothing is computed here
//! that the crate does not compute; the crate's `Error` becomes a Python
//! exception of `outcomes.errors` with its file, row, column and key
//! (`errors.rs`). Person identifiers are pseudonymised by the crate's
//! loaders before anything reaches Python: every loader takes a `Key`.

mod bench;
mod compare;
mod costs;
mod disclosure;
mod errors;
mod evaluate;
mod frames;
mod load;
mod stats;

use pyo3::prelude::*;

#[pymodule]
fn _outcomes(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;

    m.add_class::<load::Key>()?;
    m.add_class::<load::DataWindow>()?;
    m.add_class::<load::Cohort>()?;
    m.add_class::<load::ServiceEvents>()?;
    m.add_class::<load::NdtAssessments>()?;
    m.add_class::<load::Table>()?;
    m.add_function(wrap_pyfunction!(load::load_cohort, m)?)?;
    m.add_function(wrap_pyfunction!(load::load_service_use, m)?)?;
    m.add_function(wrap_pyfunction!(load::load_ndt, m)?)?;
    m.add_function(wrap_pyfunction!(load::load_table, m)?)?;

    m.add_class::<stats::WindowCounts>()?;
    m.add_class::<stats::Pairs>()?;
    m.add_function(wrap_pyfunction!(stats::window_counts, m)?)?;
    m.add_function(wrap_pyfunction!(stats::paired_statistics, m)?)?;
    m.add_function(wrap_pyfunction!(stats::binary_change, m)?)?;
    m.add_function(wrap_pyfunction!(stats::reliable_change, m)?)?;
    m.add_function(wrap_pyfunction!(stats::describe, m)?)?;
    m.add_function(wrap_pyfunction!(stats::bootstrap_mean, m)?)?;
    m.add_function(wrap_pyfunction!(stats::ndt_baseline_follow_up, m)?)?;

    m.add_class::<compare::Matching>()?;
    m.add_function(wrap_pyfunction!(compare::propensity_score, m)?)?;
    m.add_function(wrap_pyfunction!(compare::nearest_neighbour, m)?)?;
    m.add_function(wrap_pyfunction!(compare::balance, m)?)?;
    m.add_function(wrap_pyfunction!(compare::matched_comparison, m)?)?;
    m.add_function(wrap_pyfunction!(compare::did, m)?)?;

    m.add_class::<costs::UnitCosts>()?;
    m.add_class::<costs::Deflators>()?;
    m.add_function(wrap_pyfunction!(costs::cost_pre_post, m)?)?;
    m.add_function(wrap_pyfunction!(costs::matched_cost_offset, m)?)?;
    m.add_function(wrap_pyfunction!(costs::cost_benefit, m)?)?;

    m.add_class::<disclosure::Policy>()?;
    m.add_class::<disclosure::Release>()?;
    m.add_class::<disclosure::Table>()?;
    m.add_class::<disclosure::ClearedTable>()?;
    m.add_function(wrap_pyfunction!(disclosure::write_xlsx, m)?)?;

    m.add_function(wrap_pyfunction!(evaluate::evaluate, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate::sample_dir, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate::write_sample, m)?)?;
    m.add_function(wrap_pyfunction!(evaluate::generate, m)?)?;

    m.add_function(wrap_pyfunction!(bench::synthetic_scores, m)?)?;
    m.add_function(wrap_pyfunction!(bench::rust_matching_seconds, m)?)?;
    m.add_function(wrap_pyfunction!(bench::rust_pre_post_seconds, m)?)?;
    Ok(())
}
