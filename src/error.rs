//! The crate's one error type.
//!
//! Every fallible function in `outcomes` returns [`Result<T>`], whose error is
//! [`Error`]: an opaque, boxed value with a [`kind`](Error::kind) that callers
//! can match on. Data errors always say *where*: the file (or dataset), the
//! 1-based data row, the column, the offending value and the rule it broke.
//! They never carry a person's identifier: where a row is about a person, the
//! row number is the locator.

use std::fmt;
use std::path::PathBuf;

/// `Result` with the crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Where in the input a problem was found.
///
/// `row` is the 1-based data row (the header is not counted), matching the
/// `source_row` column of every rejection table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// File name or dataset label (e.g. `"service_use.csv"` or `"cohort"`).
    pub source: String,
    /// 1-based data row, when the problem is in one row.
    pub row: Option<u64>,
    /// Column name, when the problem is in one column.
    pub column: Option<String>,
}

impl Location {
    /// A location naming only the source.
    pub fn source(source: impl Into<String>) -> Self {
        Location {
            source: source.into(),
            row: None,
            column: None,
        }
    }

    /// This location with a column.
    pub fn column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }

    /// This location with a 1-based data row.
    pub fn row(mut self, row: u64) -> Self {
        self.row = Some(row);
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(row) = self.row {
            write!(f, ", row {row}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column `{column}`")?;
        }
        Ok(())
    }
}

/// What went wrong. Matched through [`Error::kind`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A value in the input broke a rule.
    #[error("{location}: value {value:?} is invalid: {rule}")]
    InvalidValue {
        /// Where the value was found.
        location: Location,
        /// The offending value as text (never a person identifier).
        value: String,
        /// The rule broken, in words.
        rule: String,
    },
    /// A required column is absent from an input.
    #[error("{source_name}: required column `{column}` is missing (columns present: {present})")]
    MissingColumn {
        /// File or dataset.
        source_name: String,
        /// The column that was expected.
        column: String,
        /// The columns that were found, comma-separated.
        present: String,
    },
    /// An input that cannot be read as what it claims to be: an empty file,
    /// lone-CR line endings, text that is not UTF-8, a ragged row, an unclosed
    /// quote, a first row that is not a header, a column named twice.
    #[error("{location}: {detail}")]
    Malformed {
        /// Where: the file, and the row and column where known.
        location: Location,
        /// What is wrong and, where it helps, how to mend it.
        detail: String,
    },
    /// A column the dataset does not have: a misspelling of an expected one, or
    /// a column loading will not guess the meaning of.
    #[error(
        "{source_name}: column `{column}` is not one this dataset has{}; expected: {expected} \
         (rename it, or map it with the source's column mapping)",
        nearest.as_ref().map_or_else(String::new, |n| format!(" (did you mean `{n}`?)"))
    )]
    UnknownColumn {
        /// File or dataset.
        source_name: String,
        /// The column as named in the file.
        column: String,
        /// The expected column it is nearest to, when it looks like a misspelling.
        nearest: Option<String>,
        /// The expected columns, comma-separated.
        expected: String,
    },
    /// A parameter given by the caller is out of its range.
    #[error("parameter `{name}` = {value}: {rule}")]
    InvalidParameter {
        /// Parameter name as documented.
        name: String,
        /// The value given, as text.
        value: String,
        /// The rule broken, in words.
        rule: String,
    },
    /// A group, sample or table that must not be empty is empty or too small.
    #[error("{what}: {detail}")]
    InsufficientData {
        /// What was being computed.
        what: String,
        /// Why the data do not suffice.
        detail: String,
    },
    /// A numerical procedure failed (perfect separation, singular design...).
    #[error("{what}: {detail}")]
    Numerical {
        /// What was being computed.
        what: String,
        /// What failed, naming the covariate or term involved where known.
        detail: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An error from the data-frame engine, with context. Its inner variants
    /// are deliberately not exposed.
    #[error("{context}: {message}")]
    Frame {
        /// What the crate was doing.
        context: String,
        /// The engine's message.
        message: String,
    },
}

/// The crate's error: a boxed [`ErrorKind`].
pub struct Error(Box<ErrorKind>);

impl Error {
    /// The kind of error, to match on.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// Consume the error, returning its kind.
    pub fn into_kind(self) -> ErrorKind {
        *self.0
    }

    /// A value that broke a rule, at a location.
    pub fn invalid_value(
        location: Location,
        value: impl Into<String>,
        rule: impl Into<String>,
    ) -> Self {
        ErrorKind::InvalidValue {
            location,
            value: value.into(),
            rule: rule.into(),
        }
        .into()
    }

    /// A required column is absent from an input whose first row names
    /// `present`. The present names are listed only when the first row is a
    /// header: when it names none of the `expected` columns it is taken for
    /// data (a file without a header row), and nothing of it is echoed, since
    /// it may hold an identifier.
    pub fn missing_column(
        source: impl Into<String>,
        column: impl Into<String>,
        present: &[String],
        expected: &[&str],
    ) -> Self {
        let source = source.into();
        if present.iter().any(|p| p.contains(['\n', '\r'])) {
            return Error::malformed(
                Location::source(source),
                "the header row runs over several lines (a quote opened in it is not closed), \
                 so it holds data; its text is not shown",
            );
        }
        if !present.iter().any(|p| expected.contains(&p.as_str())) {
            return Error::malformed(
                Location::source(source),
                format!(
                    "the first row is not a header naming the columns: none of the expected \
                     columns ({}) is there (its values are not shown: they may be data)",
                    expected.join(", ")
                ),
            );
        }
        ErrorKind::MissingColumn {
            source_name: source,
            column: column.into(),
            present: present.join(", "),
        }
        .into()
    }

    /// An input that cannot be read as what it claims to be, at a location.
    pub fn malformed(location: Location, detail: impl Into<String>) -> Self {
        ErrorKind::Malformed {
            location,
            detail: detail.into(),
        }
        .into()
    }

    /// A column the dataset does not have, with the nearest expected name when
    /// it looks like a misspelling of one.
    pub fn unknown_column(
        source: impl Into<String>,
        column: impl Into<String>,
        nearest: Option<&str>,
        expected: &[&str],
    ) -> Self {
        ErrorKind::UnknownColumn {
            source_name: source.into(),
            column: column.into(),
            nearest: nearest.map(str::to_string),
            expected: expected.join(", "),
        }
        .into()
    }

    /// A caller-supplied parameter out of range.
    pub fn invalid_parameter(
        name: impl Into<String>,
        value: impl fmt::Display,
        rule: impl Into<String>,
    ) -> Self {
        ErrorKind::InvalidParameter {
            name: name.into(),
            value: value.to_string(),
            rule: rule.into(),
        }
        .into()
    }

    /// Data that do not suffice for a computation (empty group, n too small).
    pub fn insufficient_data(what: impl Into<String>, detail: impl Into<String>) -> Self {
        ErrorKind::InsufficientData {
            what: what.into(),
            detail: detail.into(),
        }
        .into()
    }

    /// A numerical failure (separation, singular matrix, no convergence).
    pub fn numerical(what: impl Into<String>, detail: impl Into<String>) -> Self {
        ErrorKind::Numerical {
            what: what.into(),
            detail: detail.into(),
        }
        .into()
    }

    /// An I/O failure on a path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ErrorKind::Io {
            path: path.into(),
            source,
        }
        .into()
    }

    /// A data-frame engine failure, with what the crate was doing.
    ///
    /// The engine's message is scrubbed of what it may quote from the data:
    /// only its first line is kept, with every `` `...` `` stretch (where
    /// polars puts a value it could not parse) replaced by `` `…` ``, so no
    /// identifier can reach a message through it.
    pub fn frame(context: impl Into<String>, message: impl fmt::Display) -> Self {
        ErrorKind::Frame {
            context: context.into(),
            message: scrub_engine_message(&message.to_string()),
        }
        .into()
    }

    /// True if the error is about the input data (a value, a column, too little data).
    pub fn is_data(&self) -> bool {
        matches!(
            *self.0,
            ErrorKind::InvalidValue { .. }
                | ErrorKind::MissingColumn { .. }
                | ErrorKind::InsufficientData { .. }
        )
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error(Box::new(kind))
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&*self.0)
    }
}

/// The first line of an engine message, with backtick-quoted stretches (the
/// values it quotes) withheld. An unclosed backtick withholds the rest.
fn scrub_engine_message(msg: &str) -> String {
    let line = msg.lines().next().unwrap_or("");
    let mut out = String::with_capacity(line.len());
    let mut parts = line.split('`');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let rest: Vec<&str> = parts.collect();
    for (i, part) in rest.iter().enumerate() {
        if i % 2 == 0 {
            out.push_str("`…`");
        } else {
            out.push_str(part);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_error_names_file_row_column_value_and_rule() {
        let e = Error::invalid_value(
            Location::source("ndt.csv").row(17).column("NDTRTO"),
            "3",
            "risk items take 0, 2, 4, 6 or 8",
        );
        let s = e.to_string();
        assert!(s.contains("ndt.csv"), "{s}");
        assert!(s.contains("row 17"), "{s}");
        assert!(s.contains("`NDTRTO`"), "{s}");
        assert!(s.contains("\"3\""), "{s}");
        assert!(s.contains("0, 2, 4, 6 or 8"), "{s}");
        assert!(e.is_data());
    }

    /// An engine message never carries a value it quotes (fuzzing found
    /// polars quoting a row, identifier and all, in a parse error).
    #[test]
    fn engine_messages_are_scrubbed_of_quoted_values() {
        let e = Error::frame(
            "counting marks",
            "could not parse `\"M\nSECRET-1,900001,PM,\"O` as dtype `str` at column 'code'\n\nmore",
        );
        let s = e.to_string();
        assert!(!s.contains("SECRET"), "{s}");
        assert_eq!(s, "counting marks: could not parse `…`");
        let e = Error::frame("x", "value `SECRET-2` not in `set` here");
        assert_eq!(e.to_string(), "x: value `…` not in `…` here");
    }

    #[test]
    fn error_is_send_sync_and_small() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Error>();
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }
}
