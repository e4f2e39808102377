//! CSV writer.

use std::io::Write;

use crate::disclosure::ClearedTable;
use crate::error::Result;

use super::{io_error, one_line};

/// Write `table` as CSV: two comment lines starting `# ` (the title, then the
/// disclosure policy and symbol key), then the header and the rows. Read it
/// back with a CSV reader that skips `#` comments (e.g. `csv::ReaderBuilder::comment(Some(b'#'))`,
/// `pandas.read_csv(comment="#")` or R `read.csv(comment.char = "#")`).
///
/// # Errors
/// If writing fails.
pub fn write_csv<W: Write>(table: &ClearedTable, mut out: W) -> Result<()> {
    writeln!(out, "# {}", one_line(table.title())).map_err(|e| io_error("csv", e))?;
    writeln!(
        out,
        "# Disclosure control: {} {}",
        one_line(&table.policy().description()),
        table.symbol_key()
    )
    .map_err(|e| io_error("csv", e))?;
    let mut w = ::csv::Writer::from_writer(out);
    let to_io = |e: ::csv::Error| io_error("csv", std::io::Error::other(e.to_string()));
    w.write_record(table.columns().iter().map(|c| c.name()))
        .map_err(to_io)?;
    for r in 0..table.n_rows() {
        let fields: Vec<String> = (0..table.columns().len())
            .map(|c| table.formatted(r, c).unwrap_or_default())
            .collect();
        w.write_record(&fields).map_err(to_io)?;
    }
    w.flush().map_err(|e| io_error("csv", e))?;
    Ok(())
}
