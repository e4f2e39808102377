//! The evaluation pipeline behind `outcomes evaluate`: load and
//! validate every dataset, measure (NDT, service use, rough sleeping,
//! attendance, anti-social behaviour), compare (pre/post, matched
//! comparison), cost (cost offset, cost-benefit analysis), clear every table
//! through one disclosure [`Policy`](crate::disclosure::Policy), draw the
//! charts from the cleared tables and write a report folder.
//!
//! ```no_run
//! use outcomes::evaluate::{self, EvaluationSpec, Progress};
//!
//! let spec = EvaluationSpec::from_path("data/sample/evaluation.toml")?;
//! let ev = evaluate::run(&spec, &Progress::stderr())?;
//! evaluate::write_report(&ev, std::path::Path::new("report/sample"))?;
//! # Ok::<(), outcomes::Error>(())
//! ```
//!
//! What the pipeline guarantees:
//!
//! * **No identifier leaves the loaders.** Identifiers are pseudonymised on
//!   load (HMAC-SHA256), and nothing written holds a pseudonym either: only
//!   aggregate tables, charts drawn from them, and `run.json` (parameters,
//!   checksums, validation counts).
//! * **Every table passes the policy.** Tables are [`ClearedTable`]s before
//!   any writer or chart sees them; charts read only published cells
//!   (`tables::published`).
//! * **Reproducible.** The same inputs, spec and seed give byte-identical
//!   tables, charts, Markdown, HTML and `run.json` (no wall-clock time).
//!
//! [`ClearedTable`]: crate::disclosure::ClearedTable

#[cfg(feature = "plot")]
mod charts;
#[cfg(not(feature = "plot"))]
#[path = "no_charts.rs"]
mod charts;
pub mod offset;
mod output;
mod pipeline;
pub mod spec;
pub mod tables;

pub use output::{html, markdown, rejected_rows_path, write_report, OutputFile};
pub use pipeline::{
    any, group_pairs, run, Evaluation, FileValidation, InputFile, Item, NamedChart, PolicyRecord,
    Progress, PublishedValidation, RunRecord, Section,
};
pub use spec::EvaluationSpec;
pub use tables::NamedTable;
