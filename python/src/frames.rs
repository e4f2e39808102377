//! polars frames and series across the boundary (pyo3-polars: the arrow
//! buffers are handed over, not copied row by row), and the typed columns the
//! library's functions take.

use polars::prelude::*;
use pyo3::prelude::*;
use pyo3_polars::{PyDataFrame, PySeries};

use outcomes::{Error, Location};

use crate::errors::{to_py, IntoPy};

/// A polars DataFrame for Python.
pub fn to_py_frame(py: Python<'_>, df: DataFrame) -> PyResult<Py<PyAny>> {
    Ok(PyDataFrame(df).into_pyobject(py)?.unbind())
}

/// A polars Series for Python.
pub fn to_py_series(py: Python<'_>, s: Series) -> PyResult<Py<PyAny>> {
    Ok(PySeries(s).into_pyobject(py)?.unbind())
}

/// A frame from named columns (all of one height).
pub fn frame(columns: Vec<Column>) -> PyResult<DataFrame> {
    DataFrame::new_infer_height(columns)
        .map_err(|e| Error::frame("building a result frame", e))
        .py_err()
}

/// The Series in `obj`: a polars Series as is; anything else (a list, a
/// numpy array, a pandas Series) through `polars.Series(name, obj)`.
pub fn series(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Series> {
    let py = obj.py();
    let pl = py.import("polars")?;
    let cls = pl.getattr("Series")?;
    let s = if obj.is_instance(&cls)? {
        obj.clone()
    } else {
        cls.call1((name, obj))?
    };
    Ok(s.extract::<PySeries>()?.0)
}

/// The frame in `obj`: a polars DataFrame as is; anything else (a dict of
/// columns, a pandas DataFrame, an arrow table) through `polars.DataFrame(obj)`.
pub fn data_frame(obj: &Bound<'_, PyAny>) -> PyResult<DataFrame> {
    let py = obj.py();
    let pl = py.import("polars")?;
    let cls = pl.getattr("DataFrame")?;
    let d = if obj.is_instance(&cls)? {
        obj.clone()
    } else {
        cls.call1((obj,))?
    };
    Ok(d.extract::<PyDataFrame>()?.0)
}

fn missing(name: &str, row: usize) -> PyErr {
    to_py(Error::invalid_value(
        Location::source(name).row(row as u64 + 1),
        "",
        "a missing value (null) where a number is needed",
    ))
}

fn cast(s: &Series, name: &str, dtype: &DataType, what: &str) -> PyResult<Series> {
    s.strict_cast(dtype).map_err(|_| {
        to_py(Error::invalid_parameter(
            name,
            format!("a column of {}", s.dtype()),
            format!("must be {what}"),
        ))
    })
}

/// Every value of a numeric Series as `f64`, refusing nulls (naming the
/// first one's 1-based position).
pub fn f64_values(s: &Series, name: &str) -> PyResult<Vec<f64>> {
    let s = cast(s, name, &DataType::Float64, "numbers")?;
    let ca = s
        .f64()
        .map_err(|e| Error::frame("reading numbers", e))
        .py_err()?;
    if ca.null_count() > 0 {
        let first = ca.iter().position(|v| v.is_none()).unwrap_or(0);
        return Err(missing(name, first));
    }
    Ok(match ca.cont_slice() {
        Ok(slice) => slice.to_vec(),
        Err(_) => ca.into_no_null_iter().collect(),
    })
}

/// `obj` (Series, list, array) as `f64` values.
pub fn f64_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<f64>> {
    f64_values(&series(obj, name)?, name)
}

/// Every value of a Series as `bool`: booleans, or numbers that are 0 or 1.
pub fn bool_values(s: &Series, name: &str) -> PyResult<Vec<bool>> {
    let b = if s.dtype() == &DataType::Boolean {
        s.clone()
    } else {
        let x = f64_values(s, name)?;
        if let Some((i, v)) = x.iter().enumerate().find(|(_, v)| **v != 0.0 && **v != 1.0) {
            return Err(to_py(Error::invalid_value(
                Location::source(name).row(i as u64 + 1),
                v.to_string(),
                "must be 0 or 1 (or a boolean)",
            )));
        }
        return Ok(x.into_iter().map(|v| v == 1.0).collect());
    };
    let ca = b
        .bool()
        .map_err(|e| Error::frame("reading booleans", e))
        .py_err()?;
    if ca.null_count() > 0 {
        let first = ca.iter().position(|v| v.is_none()).unwrap_or(0);
        return Err(missing(name, first));
    }
    // The arrow bitmaps read word by word, not through the boxed per-value
    // iterator of `ChunkedArray::iter` (about 10 ns a value: a tenth of the
    // matching benchmark's time at 1.1 million units).
    let mut out = Vec::with_capacity(ca.len());
    for arr in ca.downcast_iter() {
        out.extend(arr.values().iter());
    }
    Ok(out)
}

/// `obj` (Series, list, array) as `bool` values.
pub fn bool_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<bool>> {
    bool_values(&series(obj, name)?, name)
}

/// Every value of a Series as text (numbers written as Rust writes them).
pub fn text_values(s: &Series, name: &str) -> PyResult<Vec<String>> {
    let t = cast(s, name, &DataType::String, "text")?;
    let ca = t
        .str()
        .map_err(|e| Error::frame("reading text", e))
        .py_err()?;
    if ca.null_count() > 0 {
        let first = ca.iter().position(|v| v.is_none()).unwrap_or(0);
        return Err(to_py(Error::invalid_value(
            Location::source(name).row(first as u64 + 1),
            "",
            "a missing value (null) where a category is needed",
        )));
    }
    Ok(ca.iter().map(|v| v.unwrap_or("").to_string()).collect())
}

/// Whether a Series holds numbers.
pub fn is_numeric(s: &Series) -> bool {
    s.dtype().is_primitive_numeric() || s.dtype() == &DataType::Boolean
}

/// The frame as CSV text, every cell written as the library's own CSV
/// readers expect (a float as Rust writes it: the shortest text that reads
/// back as the same number; a null as a blank), for the library functions
/// that take a whole table (`compare::report::CsvTable`).
pub fn frame_csv(df: &DataFrame) -> PyResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| to_py(Error::frame("writing the frame as a table", e));
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    w.write_record(&names).map_err(err)?;
    let cols: Vec<Vec<String>> = df
        .columns()
        .iter()
        .map(|c| column_text(c.as_materialized_series()))
        .collect::<PyResult<_>>()?;
    for i in 0..df.height() {
        w.write_record(cols.iter().map(|c| c[i].as_str()))
            .map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| to_py(Error::frame("writing the frame as a table", e)))
}

fn column_text(s: &Series) -> PyResult<Vec<String>> {
    let name = s.name().to_string();
    let frame_err = |e: PolarsError| to_py(Error::frame(format!("reading column {name}"), e));
    Ok(match s.dtype() {
        DataType::Float32 | DataType::Float64 => {
            let f = s.cast(&DataType::Float64).map_err(frame_err)?;
            f.f64()
                .map_err(frame_err)?
                .iter()
                .map(|v| v.map_or_else(String::new, |x| x.to_string()))
                .collect()
        }
        DataType::Boolean => s
            .bool()
            .map_err(frame_err)?
            .iter()
            .map(|v| v.map_or_else(String::new, |b| u8::from(b).to_string()))
            .collect(),
        dt if dt.is_integer() => {
            let i = s.cast(&DataType::Int64).map_err(frame_err)?;
            i.i64()
                .map_err(frame_err)?
                .iter()
                .map(|v| v.map_or_else(String::new, |x| x.to_string()))
                .collect()
        }
        _ => {
            let t = s.cast(&DataType::String).map_err(frame_err)?;
            t.str()
                .map_err(frame_err)?
                .iter()
                .map(|v| v.map_or_else(String::new, str::to_string))
                .collect()
        }
    })
}
