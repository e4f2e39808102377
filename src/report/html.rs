//! HTML table fragment writer.

use std::io::Write;

use crate::disclosure::{ClearedTable, PublishedCell};
use crate::error::Result;

use super::io_error;

/// Escape text for HTML element content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `table` as an HTML `<table>` fragment (no `<html>` or styles): a
/// `<caption>` with the title, `<thead>`, `<tbody>` (total rows have
/// `class="total"`, numeric cells `class="num"`, suppressed cells
/// `class="suppressed"` with the reason in `title`), and a `<tfoot>` stating
/// the disclosure policy and the symbol key. All text is escaped.
pub fn to_html(table: &ClearedTable) -> String {
    let ncol = table.columns().len();
    let mut s = String::from("<table>\n");
    s.push_str(&format!(
        "<caption>{}</caption>\n<thead>\n<tr>",
        escape(table.title())
    ));
    for c in table.columns() {
        s.push_str(&format!("<th scope=\"col\">{}</th>", escape(c.name())));
    }
    s.push_str("</tr>\n</thead>\n<tbody>\n");
    for r in 0..table.n_rows() {
        if table.is_total_row(r) {
            s.push_str("<tr class=\"total\">");
        } else {
            s.push_str("<tr>");
        }
        for c in 0..ncol {
            let text = escape(&table.formatted(r, c).unwrap_or_default());
            let attrs = match table.cell(r, c) {
                Some(PublishedCell::Suppressed(why)) => {
                    format!(
                        " class=\"num suppressed\" title=\"{}\"",
                        escape(why.describe())
                    )
                }
                _ if table.is_numeric_column(c) => " class=\"num\"".to_owned(),
                _ => String::new(),
            };
            s.push_str(&format!("<td{attrs}>{text}</td>"));
        }
        s.push_str("</tr>\n");
    }
    s.push_str(&format!(
        "</tbody>\n<tfoot>\n<tr><td colspan=\"{ncol}\">Disclosure control: {} {}</td></tr>\n</tfoot>\n</table>\n",
        escape(&table.policy().description()),
        escape(&table.symbol_key())
    ));
    s
}

/// Write [`to_html`] of `table`.
///
/// # Errors
/// If writing fails.
pub fn write_html<W: Write>(table: &ClearedTable, mut out: W) -> Result<()> {
    out.write_all(to_html(table).as_bytes())
        .map_err(|e| io_error("html", e))
}
