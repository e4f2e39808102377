//! The whole evaluation from a spec, the bundled sample and the seeded
//! synthetic cohorts.

use std::path::{Path, PathBuf};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use outcomes::evaluate::{self as ev_api, EvaluationSpec, Progress};
use outcomes::synthetic::{self, SyntheticSpec};
use outcomes::Error;

use crate::disclosure::{ClearedTable, Policy};
use crate::errors::{to_py, IntoPy};

/// `data/sample/` of the source tree this package was built from.
fn source_sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/sample")
}

/// The folder of the bundled sample (the repository's `data/sample/`).
#[pyfunction]
pub fn sample_dir() -> PyResult<PathBuf> {
    let p = source_sample();
    match p.canonicalize() {
        Ok(c) if c.join("evaluation.toml").exists() => Ok(c),
        _ => Err(to_py(Error::io(
            &p,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "the bundled sample is not beside this build (installed from a wheel?): \
                 write it with outcomes.write_sample(dir)",
            ),
        ))),
    }
}

/// Run the evaluation a spec describes (`evaluate::run`) and write its
/// report folder (`evaluate::write_report`): every table cleared by the
/// spec's disclosure policy, the report audited as one release.
#[pyfunction]
#[pyo3(signature = (spec=None, out=None, progress=false))]
pub fn evaluate<'py>(
    py: Python<'py>,
    spec: Option<PathBuf>,
    out: Option<PathBuf>,
    progress: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let path = match spec {
        Some(p) => p,
        None => sample_dir()?.join("evaluation.toml"),
    };
    let s = EvaluationSpec::from_path(&path).py_err()?;
    let p = if progress {
        Progress::stderr()
    } else {
        Progress::quiet()
    };
    let ev = py.detach(|| ev_api::run(&s, &p)).py_err()?;
    let d = PyDict::new(py);
    let files = PyList::empty(py);
    if let Some(dir) = &out {
        let written = py.detach(|| ev_api::write_report(&ev, dir)).py_err()?;
        for f in written {
            files.append(dir.join(f))?;
        }
        d.set_item("rejected_rows", ev_api::rejected_rows_path(&ev, dir))?;
    } else {
        d.set_item("rejected_rows", py.None())?;
    }
    d.set_item("out", out)?;
    d.set_item("files", files)?;
    d.set_item("name", &ev.name)?;
    d.set_item(
        "policy",
        Policy {
            inner: ev.policy.clone(),
        },
    )?;
    let tables = PyDict::new(py);
    for t in ev.tables() {
        tables.set_item(
            &t.stem,
            Py::new(
                py,
                ClearedTable {
                    inner: t.table.clone(),
                },
            )?,
        )?;
    }
    d.set_item("tables", tables)?;
    let accounts = PyList::empty(py);
    for a in &ev.accounts {
        let e = PyDict::new(py);
        e.set_item("file", &a.file)?;
        e.set_item("rows_read", a.rows_read)?;
        e.set_item("accepted", a.accepted)?;
        e.set_item("rejected", a.rejected)?;
        e.set_item("by_reason", pythonize::pythonize(py, &a.by_reason)?)?;
        accounts.append(e)?;
    }
    d.set_item("accounts", accounts)?;
    d.set_item("run", pythonize::pythonize(py, &ev.run)?)?;
    Ok(d)
}

/// Write the bundled sample's data files (`cohort.csv`, `service_use.csv`,
/// `ndt.csv`, `ndt_wide.csv`: the same bytes as `data/sample/`) to `dir`.
#[pyfunction]
pub fn write_sample<'py>(py: Python<'py>, dir: PathBuf) -> PyResult<Bound<'py, PyDict>> {
    let n = synthetic::write_sample(&dir, &SyntheticSpec::sample()).py_err()?;
    let d = PyDict::new(py);
    d.set_item("cohort", n.cohort)?;
    d.set_item("service_use", n.service_use)?;
    d.set_item("ndt", n.ndt)?;
    d.set_item("ndt_wide", n.ndt_wide)?;
    Ok(d)
}

/// A seeded synthetic cohort of `people` fictional people (the generator
/// behind the benchmarks, `outcomes generate`): `cohort.csv` and
/// `service_use.csv` (about `events_per_person` events each), and `ndt.csv`
/// if `ndt`.
#[pyfunction]
#[pyo3(signature = (dir, people, events_per_person=20.0, seed=20240401, effect=0.3, ndt=false))]
pub fn generate<'py>(
    py: Python<'py>,
    dir: PathBuf,
    people: usize,
    events_per_person: f64,
    seed: u64,
    effect: f64,
    ndt: bool,
) -> PyResult<Bound<'py, PyDict>> {
    if people == 0 || !(events_per_person.is_finite() && events_per_person > 0.0) {
        return Err(to_py(Error::invalid_parameter(
            "people, events_per_person",
            format!("{people}, {events_per_person}"),
            "must be positive",
        )));
    }
    let spec = SyntheticSpec {
        effect,
        ..SyntheticSpec::large(people, events_per_person, seed)
    };
    std::fs::create_dir_all(&dir).map_err(|e| to_py(Error::io(&dir, e)))?;
    let (c, e, n) = py
        .detach(|| -> outcomes::Result<(usize, usize, usize)> {
            let ps = synthetic::people(&spec)?;
            let c = synthetic::write_cohort(&dir.join("cohort.csv"), &ps)?;
            let e = synthetic::write_service_events(&dir.join("service_use.csv"), &spec, &ps)?;
            let n = if ndt {
                synthetic::write_ndt(&dir.join("ndt.csv"), &spec, &ps)?
            } else {
                0
            };
            Ok((c, e, n))
        })
        .py_err()?;
    let d = PyDict::new(py);
    d.set_item("cohort", c)?;
    d.set_item("service_use", e)?;
    d.set_item("ndt", n)?;
    d.set_item("data_start", spec.data_start.to_string())?;
    d.set_item("extract_date", spec.extract_date.to_string())?;
    Ok(d)
}
