//! [`CsvTable`]: a whole CSV file as named text columns (one text buffer
//! per column), with typed accessors whose errors name the file, the 1-based
//! data row, the column and the value, and never an identifier.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

use crate::error::{Error, Location, Result};

// ---------------------------------------------------------------------------
// CsvTable
// ---------------------------------------------------------------------------

/// A whole CSV file held as named text columns.
///
/// The first record is the header. Header names are trimmed of surrounding
/// whitespace; an empty or repeated header name is an error. Every record must
/// have as many fields as the header.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvTable {
    source: String,
    headers: Vec<String>,
    columns: Vec<TextColumn>,
    nrows: usize,
    /// The declared identifier columns (indices into `columns`): no value of
    /// theirs is ever echoed in an error.
    identifiers: Vec<usize>,
}

/// One column's cells as one text buffer and the end of each cell in it:
/// two allocations per column, not one per cell (a file of 11 million rows
/// and six columns is then its own size in memory plus 8 bytes a cell).
#[derive(Debug, Clone, PartialEq, Default)]
struct TextColumn {
    text: String,
    ends: Vec<usize>,
}

impl TextColumn {
    fn push(&mut self, cell: &str) {
        self.text.push_str(cell);
        self.ends.push(self.text.len());
    }

    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start..end)
    }
}

/// The cells of one column of a [`CsvTable`], in row order, as read (not
/// trimmed): what [`CsvTable::column`] returns.
#[derive(Debug, Clone, Copy)]
pub struct Cells<'a> {
    column: &'a TextColumn,
}

impl<'a> Cells<'a> {
    /// Number of cells (the table's rows).
    pub fn len(&self) -> usize {
        self.column.ends.len()
    }

    /// True if the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.column.ends.is_empty()
    }

    /// The cell of 0-based row `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<&'a str> {
        self.column.get(i)
    }

    /// The cells in row order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        let column = self.column;
        (0..column.ends.len()).map(move |i| column.get(i).unwrap_or(""))
    }

    /// The cells as owned strings.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }
}

/// Whether a cell counts as missing: empty, whitespace only, or `NA` (as R's
/// `write.csv` writes a missing value).
pub fn is_blank(value: &str) -> bool {
    let v = value.trim();
    v.is_empty() || v == "NA"
}

impl CsvTable {
    /// Reads the file at `path`; errors name the file by its path.
    ///
    /// # Errors
    /// [`Error::io`] if the file cannot be opened or read, and everything
    /// [`CsvTable::from_reader`] returns.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        Self::from_reader(path.display().to_string(), file)
    }

    /// Reads CSV text from `reader`; `source` names it in errors.
    ///
    /// # Errors
    /// * [`Error::insufficient_data`] if there is no header or no data row;
    /// * [`Error::invalid_value`] for an empty or repeated header name, a
    ///   record with the wrong number of fields or invalid UTF-8 (row named; the
    ///   record's content is not echoed).
    pub fn from_reader<R: Read>(source: impl Into<String>, reader: R) -> Result<Self> {
        let source = source.into();
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(reader);
        let headers: Vec<String> = rdr
            .headers()
            .map_err(|e| csv_error(&source, &e))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        if headers.is_empty() || headers.iter().all(String::is_empty) {
            return Err(Error::insufficient_data(
                format!("reading {source}"),
                "the file has no header row",
            ));
        }
        let mut seen = BTreeSet::new();
        for h in &headers {
            if h.is_empty() {
                return Err(Error::invalid_value(
                    Location::source(&source),
                    "",
                    "every column needs a name in the header row",
                ));
            }
            if !seen.insert(h.as_str()) {
                // Not echoed: a file without a header row has data here.
                return Err(Error::invalid_value(
                    Location::source(&source),
                    "(not shown)",
                    "the first row names a column more than once (is it a header row?)",
                ));
            }
        }
        let mut columns: Vec<TextColumn> = vec![TextColumn::default(); headers.len()];
        let mut nrows = 0usize;
        let mut record = csv::StringRecord::new();
        while rdr
            .read_record(&mut record)
            .map_err(|e| csv_error(&source, &e))?
        {
            for (col, field) in columns.iter_mut().zip(record.iter()) {
                col.push(field);
            }
            nrows += 1;
        }
        if nrows == 0 {
            return Err(Error::insufficient_data(
                format!("reading {source}"),
                "the file has a header but no data rows",
            ));
        }
        Ok(CsvTable {
            source,
            headers,
            columns,
            nrows,
            identifiers: Vec::new(),
        })
    }

    /// Declare the columns that hold identifiers (people, pupils, stores):
    /// no error of this table shows one of their values, in those columns
    /// or in any other (a shifted row can put an identifier anywhere).
    ///
    /// # Errors
    /// [`CsvTable::column`]'s, for a column the file lacks.
    pub fn declare_identifiers(&mut self, columns: &[String]) -> Result<()> {
        for c in columns {
            let j = self.index(c)?;
            if !self.identifiers.contains(&j) {
                self.identifiers.push(j);
            }
        }
        Ok(())
    }

    /// A cell's text as an error may show it: redacted if it equals a value
    /// of a declared identifier column. Only an error calls this, so the
    /// identifier columns are searched here rather than indexed up front.
    fn shown(&self, v: &str) -> String {
        let t = v.trim();
        let is_identifier = !t.is_empty()
            && self.identifiers.iter().any(|&j| {
                self.columns
                    .get(j)
                    .is_some_and(|c| Cells { column: c }.iter().any(|x| x.trim() == t))
            });
        if is_identifier {
            crate::io::REDACTED.to_owned()
        } else {
            v.to_owned()
        }
    }

    /// The name used for the file in errors and reports.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Column names, in file order.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Number of data rows.
    pub fn nrows(&self) -> usize {
        self.nrows
    }

    /// The raw text of a column.
    ///
    /// # Errors
    /// [`Error::missing_column`] naming the file and the column (the first row is not echoed:
    /// without the column it may be data rather than a header).
    pub fn column(&self, name: &str) -> Result<Cells<'_>> {
        let j = self.index(name)?;
        Ok(Cells {
            column: &self.columns[j],
        })
    }

    /// The position of a column (`columns` holds one per header, so it
    /// indexes `columns` too).
    fn index(&self, name: &str) -> Result<usize> {
        self.headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::missing_column(&self.source, name, &self.headers, &[name]))
    }

    /// Which rows are blank ([`is_blank`]) in a column.
    ///
    /// # Errors
    /// As [`CsvTable::column`].
    pub fn blanks(&self, name: &str) -> Result<Vec<bool>> {
        Ok(self.column(name)?.iter().map(is_blank).collect())
    }

    /// A numeric column: `None` for a blank cell.
    ///
    /// # Errors
    /// [`CsvTable::column`]'s, and [`Error::invalid_value`] naming the file,
    /// 1-based data row, column and value for a non-blank cell that is not a
    /// finite number.
    pub fn numeric(&self, name: &str) -> Result<Vec<Option<f64>>> {
        self.parsed(name, "must be a finite number (or blank)", |t| {
            t.parse::<f64>().ok().filter(|x| x.is_finite())
        })
    }

    /// A 0/1 column: `0`/`1` or `true`/`false` (any case); `None` for a blank cell.
    ///
    /// # Errors
    /// [`CsvTable::column`]'s, and [`Error::invalid_value`] naming the file,
    /// row, column and value for any other non-blank cell.
    pub fn binary(&self, name: &str) -> Result<Vec<Option<bool>>> {
        self.parsed(name, "must be 0/1 or true/false (or blank)", |t| match t {
            "1" => Some(true),
            "0" => Some(false),
            _ if t.eq_ignore_ascii_case("true") => Some(true),
            _ if t.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        })
    }

    /// A column's cells read by `parse` (given the trimmed text): `None` for
    /// a blank cell, and where `parse` refuses a cell, an error naming the
    /// file, row, column, value (as [`CsvTable::shown`] allows) and `rule`.
    fn parsed<T>(
        &self,
        name: &str,
        rule: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<Option<T>>> {
        self.column(name)?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if is_blank(v) {
                    return Ok(None);
                }
                parse(v.trim()).map(Some).ok_or_else(|| {
                    Error::invalid_value(self.location(i, name), self.shown(v), rule)
                })
            })
            .collect()
    }

    /// A text column, trimmed: `None` for a blank cell.
    ///
    /// # Errors
    /// As [`CsvTable::column`].
    pub fn text(&self, name: &str) -> Result<Vec<Option<String>>> {
        Ok(self
            .column(name)?
            .iter()
            .map(|v| (!is_blank(v)).then(|| v.trim().to_string()))
            .collect())
    }

    /// True if every non-blank cell of the column is a finite number.
    ///
    /// # Errors
    /// As [`CsvTable::column`].
    pub fn looks_numeric(&self, name: &str) -> Result<bool> {
        Ok(self
            .column(name)?
            .iter()
            .filter(|v| !is_blank(v))
            .all(|v| v.trim().parse::<f64>().is_ok_and(f64::is_finite)))
    }

    pub(super) fn location(&self, row0: usize, column: &str) -> Location {
        Location::source(&self.source)
            .row(row0 as u64 + 1)
            .column(column)
    }
}

fn csv_error(source: &str, e: &csv::Error) -> Error {
    let row = e.position().map(|p| p.line().saturating_sub(1));
    let loc = |l: Location| match row {
        Some(r) if r > 0 => l.row(r),
        _ => l,
    };
    match e.kind() {
        csv::ErrorKind::Io(io) => Error::io(source, std::io::Error::new(io.kind(), io.to_string())),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => Error::invalid_value(
            loc(Location::source(source)),
            format!("{len} fields"),
            format!("every row must have as many fields as the header ({expected_len})"),
        ),
        csv::ErrorKind::Utf8 { .. } => Error::invalid_value(
            loc(Location::source(source)),
            "(not shown)",
            "the file must be UTF-8 text",
        ),
        _ => Error::invalid_value(
            loc(Location::source(source)),
            "(not shown)",
            "the record could not be read as CSV",
        ),
    }
}
