//! `outcomes generate`: a seeded synthetic cohort (every person fictional).

use std::path::PathBuf;

use clap::Args;
use outcomes::synthetic::{self, SyntheticSpec};
use outcomes::{Error, Result};
use serde::Serialize;

use crate::common::{self, Done};
use crate::init;
use crate::progress::Reporter;

/// Write a seeded synthetic cohort: `cohort.csv`, `service_use.csv`,
/// `ndt.csv` and a starter `evaluation.toml` for them, for demonstrations
/// and benchmarks. The same options always write the same bytes. Every
/// person is fictional.
///
/// With `--sample` it writes the bundled sample exactly (300 people with a
/// few deliberately faulty rows, as `data/sample/`).
///
/// Example: outcomes generate --people 100000 --events-per-person 20 --out big
#[derive(Debug, Args)]
pub(crate) struct GenerateCmd {
    /// The folder to write.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Number of people.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 10_000,
        conflicts_with = "sample"
    )]
    people: usize,
    /// Service-use events per person over the four-year window (about).
    #[arg(
        long,
        value_name = "X",
        default_value_t = 20.0,
        conflicts_with = "sample"
    )]
    events_per_person: f64,
    /// Proportional fall in the programme group's service use after its
    /// start (0.3 = 30% fewer events), in [0, 1].
    #[arg(
        long,
        value_name = "E",
        default_value_t = 0.3,
        conflicts_with = "sample"
    )]
    effect: f64,
    /// The random seed.
    #[arg(
        long,
        value_name = "SEED",
        default_value_t = 20_240_401,
        conflicts_with = "sample"
    )]
    seed: u64,
    /// Write the bundled sample's exact files instead (with its planted faults).
    #[arg(long)]
    sample: bool,
    /// Print what was written as JSON.
    #[arg(long)]
    json: bool,
}

/// What was written.
#[derive(Debug, Serialize)]
struct Written {
    dir: String,
    people: usize,
    service_use_rows: usize,
    ndt_rows: usize,
    seed: u64,
    effect: f64,
}

/// Run `generate`.
///
/// # Errors
/// An option out of range (naming it), a folder that cannot be written.
pub(crate) fn run(cmd: &GenerateCmd, r: &Reporter) -> Result<Done> {
    std::fs::create_dir_all(&cmd.out).map_err(|e| Error::io(&cmd.out, e))?;
    let written = if cmd.sample {
        let spec = SyntheticSpec::sample();
        r.stage(&format!(
            "writing the bundled sample to {}",
            cmd.out.display()
        ));
        let n = synthetic::write_sample(&cmd.out, &spec)?;
        Written {
            dir: cmd.out.display().to_string(),
            people: n.cohort,
            service_use_rows: n.service_use,
            ndt_rows: n.ndt,
            seed: spec.seed,
            effect: spec.effect,
        }
    } else {
        if !(cmd.events_per_person.is_finite() && cmd.events_per_person > 0.0) {
            return Err(Error::invalid_parameter(
                "--events-per-person",
                cmd.events_per_person,
                "must be a positive number",
            ));
        }
        if cmd.people == 0 {
            return Err(Error::invalid_parameter(
                "--people",
                0,
                "must be at least 1",
            ));
        }
        if !(0.0..=1.0).contains(&cmd.effect) {
            return Err(Error::invalid_parameter(
                "--effect",
                cmd.effect,
                "must be in [0, 1]",
            ));
        }
        let spec = SyntheticSpec {
            effect: cmd.effect,
            ..SyntheticSpec::large(cmd.people, cmd.events_per_person, cmd.seed)
        };
        r.stage(&format!("generating {} people", cmd.people));
        let people = synthetic::people(&spec)?;
        r.stage("writing cohort.csv");
        let c = synthetic::write_cohort(&cmd.out.join("cohort.csv"), &people)?;
        r.stage("writing service_use.csv");
        let e = synthetic::write_service_events(&cmd.out.join("service_use.csv"), &spec, &people)?;
        r.stage("writing ndt.csv");
        let n = synthetic::write_ndt(&cmd.out.join("ndt.csv"), &spec, &people)?;
        Written {
            dir: cmd.out.display().to_string(),
            people: c,
            service_use_rows: e,
            ndt_rows: n,
            seed: spec.seed,
            effect: spec.effect,
        }
    };
    let toml = cmd.out.join("evaluation.toml");
    if !cmd.sample {
        r.stage("writing evaluation.toml");
        let found = init::recognise(&cmd.out)?;
        common::write_file(&toml, &init::starter_spec("synthetic", &found, &cmd.out))?;
    }
    if cmd.json {
        return Ok(Done::ok(common::json(&written)?));
    }
    Ok(Done::ok(format!(
        "wrote {}: {} people, {} service-use rows, {} NDT rows (seed {}, effect {}){}\n",
        written.dir,
        written.people,
        written.service_use_rows,
        written.ndt_rows,
        written.seed,
        written.effect,
        if cmd.sample { "" } else { ", evaluation.toml" }
    )))
}
