//! The crate's `Error` as Python exceptions.
//!
//! Every `outcomes::ErrorKind` variant becomes an instance of one class of
//! `outcomes.errors` (defined in Python, so each can also be a `ValueError`,
//! `OSError`...), carrying what the variant carries as attributes: `file`,
//! `row`, `column`, `key`, `value`, `rule`, `detail`. The message is the
//! crate's own `Display`, which never holds a person identifier.

use outcomes::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The fields of one error, as keyword arguments of its Python class.
struct Fields {
    class: &'static str,
    kind: &'static str,
    file: Option<String>,
    row: Option<u64>,
    column: Option<String>,
    key: Option<String>,
    value: Option<String>,
    rule: Option<String>,
    detail: Option<String>,
    extra: Vec<(&'static str, Option<String>)>,
}

impl Fields {
    fn new(class: &'static str, kind: &'static str) -> Self {
        Fields {
            class,
            kind,
            file: None,
            row: None,
            column: None,
            key: None,
            value: None,
            rule: None,
            detail: None,
            extra: Vec::new(),
        }
    }
}

fn fields(e: &Error) -> Fields {
    match e.kind() {
        ErrorKind::InvalidValue {
            location,
            value,
            rule,
        } => Fields {
            file: Some(location.source.clone()),
            row: location.row,
            column: location.column.clone(),
            value: Some(value.clone()),
            rule: Some(rule.clone()),
            ..Fields::new("InvalidValueError", "invalid_value")
        },
        ErrorKind::MissingColumn {
            source_name,
            column,
            present,
        } => Fields {
            file: Some(source_name.clone()),
            column: Some(column.clone()),
            extra: vec![("present", Some(present.clone()))],
            ..Fields::new("MissingColumnError", "missing_column")
        },
        ErrorKind::Malformed { location, detail } => Fields {
            file: Some(location.source.clone()),
            row: location.row,
            column: location.column.clone(),
            detail: Some(detail.clone()),
            ..Fields::new("MalformedFileError", "malformed")
        },
        ErrorKind::UnknownColumn {
            source_name,
            column,
            nearest,
            expected,
        } => Fields {
            file: Some(source_name.clone()),
            column: Some(column.clone()),
            extra: vec![
                ("nearest", nearest.clone()),
                ("expected", Some(expected.clone())),
            ],
            ..Fields::new("UnknownColumnError", "unknown_column")
        },
        ErrorKind::InvalidParameter { name, value, rule } => Fields {
            key: Some(name.clone()),
            value: Some(value.clone()),
            rule: Some(rule.clone()),
            ..Fields::new("InvalidParameterError", "invalid_parameter")
        },
        ErrorKind::InsufficientData { what, detail } => Fields {
            detail: Some(detail.clone()),
            extra: vec![("what", Some(what.clone()))],
            ..Fields::new("InsufficientDataError", "insufficient_data")
        },
        ErrorKind::Numerical { what, detail } => Fields {
            detail: Some(detail.clone()),
            extra: vec![("what", Some(what.clone()))],
            ..Fields::new("NumericalError", "numerical")
        },
        ErrorKind::Io { path, source } => Fields {
            file: Some(path.display().to_string()),
            detail: Some(source.to_string()),
            ..Fields::new("FileError", "io")
        },
        ErrorKind::Frame { context, message } => Fields {
            detail: Some(message.clone()),
            extra: vec![("what", Some(context.clone()))],
            ..Fields::new("FrameError", "frame")
        },
        // `ErrorKind` is non-exhaustive: a kind added later is still an
        // `OutcomesError` with its message.
        _ => Fields::new("OutcomesError", "other"),
    }
}

/// The Python exception for a crate error.
pub fn to_py(e: Error) -> PyErr {
    Python::attach(|py| build(py, &e).unwrap_or_else(|err| err))
}

fn build(py: Python<'_>, e: &Error) -> PyResult<PyErr> {
    let f = fields(e);
    let module = py.import("outcomes.errors")?;
    let class = module.getattr(f.class)?;
    let kw = PyDict::new(py);
    kw.set_item("kind", f.kind)?;
    kw.set_item("file", f.file)?;
    kw.set_item("row", f.row)?;
    kw.set_item("column", f.column)?;
    kw.set_item("key", f.key)?;
    kw.set_item("value", f.value)?;
    kw.set_item("rule", f.rule)?;
    kw.set_item("detail", f.detail)?;
    for (k, v) in f.extra {
        kw.set_item(k, v)?;
    }
    let instance = class.call((e.to_string(),), Some(&kw))?;
    Ok(PyErr::from_value(instance))
}

/// `Result<T, outcomes::Error>` to `PyResult<T>`.
pub trait IntoPy<T> {
    /// Map the crate's error to its Python exception.
    fn py_err(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for outcomes::Result<T> {
    fn py_err(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}
