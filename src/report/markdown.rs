//! Markdown writer.

use std::io::Write;

use crate::disclosure::ClearedTable;
use crate::error::Result;

use super::{io_error, one_line};

fn escape(s: &str) -> String {
    one_line(s).replace('\\', "\\\\").replace('|', "\\|")
}

/// `table` as a Markdown (GitHub-flavoured) table: a bold title carrying a
/// footnote marker, the table (numbers right-aligned, total rows in bold),
/// and the footnote stating the disclosure policy and the symbol key.
pub fn to_markdown(table: &ClearedTable) -> String {
    let mut s = format!("**{}**[^disclosure]\n\n", escape(table.title()));
    let header: Vec<String> = table.columns().iter().map(|c| escape(c.name())).collect();
    s.push_str(&format!("| {} |\n", header.join(" | ")));
    let align: Vec<&str> = (0..table.columns().len())
        .map(|c| {
            if table.is_numeric_column(c) {
                "---:"
            } else {
                ":---"
            }
        })
        .collect();
    s.push_str(&format!("|{}|\n", align.join("|")));
    for r in 0..table.n_rows() {
        let cells: Vec<String> = (0..table.columns().len())
            .map(|c| {
                let t = escape(&table.formatted(r, c).unwrap_or_default());
                if table.is_total_row(r) && !t.is_empty() {
                    format!("**{t}**")
                } else {
                    t
                }
            })
            .collect();
        s.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    s.push_str(&format!(
        "\n[^disclosure]: Disclosure control: {} {}\n",
        escape(&table.policy().description()),
        table.symbol_key()
    ));
    s
}

/// Write [`to_markdown`] of `table`.
///
/// # Errors
/// If writing fails.
pub fn write_markdown<W: Write>(table: &ClearedTable, mut out: W) -> Result<()> {
    out.write_all(to_markdown(table).as_bytes())
        .map_err(|e| io_error("markdown", e))
}
