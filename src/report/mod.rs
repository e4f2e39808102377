//! Writers for cleared tables: CSV, JSON, Markdown, HTML and Excel (`.xlsx`).
//!
//! Every writer takes a [`ClearedTable`](crate::disclosure::ClearedTable),
//! the output of [`Policy::apply`](crate::disclosure::Policy::apply), and
//! writes the policy that cleared it into the output (a comment line, a
//! metadata field, a footnote, a table footer, a `Disclosure` sheet).
//! Suppressed cells are written as the policy's symbol (GSS `c` by default),
//! not-available cells as `x` and not-applicable cells as `z`.
//!
//! An uncleared [`Table`](crate::disclosure::Table) cannot be written: this
//! does not compile.
//!
//! ```compile_fail
//! use outcomes::disclosure::{Cell, Column, Table};
//! let mut t = Table::new("t", vec![Column::count("n")]).unwrap();
//! t.push_row(vec![Cell::Count(3)]).unwrap();
//! let mut out = Vec::new();
//! outcomes::report::write_csv(&t, &mut out).unwrap(); // expected `&ClearedTable`, found `&Table`
//! ```
//!
//! Nor can a cleared table be made without a policy (its fields are private
//! and it has no public constructor):
//!
//! ```compile_fail
//! let c = outcomes::disclosure::ClearedTable { title: String::new() };
//! ```
//!
//! The same table through a policy writes fine:
//!
//! ```
//! use outcomes::disclosure::{Cell, Column, Policy, Table};
//! let mut t = Table::new("t", vec![Column::count("n")])?;
//! t.push_row(vec![Cell::Count(3)])?;
//! let cleared = Policy::default().apply(&t)?;
//! let mut out = Vec::new();
//! outcomes::report::write_csv(&cleared, &mut out)?;
//! let text = String::from_utf8(out).unwrap();
//! assert!(text.contains("Minimum cell size 10"));
//! assert!(text.ends_with("n\nc\n"));
//! # Ok::<(), outcomes::Error>(())
//! ```

mod csv;
mod html;
mod json;
mod markdown;
mod xlsx;

pub use self::csv::write_csv;
pub use html::{to_html, write_html};
pub use json::{to_json, write_json};
pub use markdown::{to_markdown, write_markdown};
pub use xlsx::{write_xlsx, xlsx_bytes};

use crate::error::Error;

/// An output error on a writer with no path.
pub(crate) fn io_error(what: &str, e: std::io::Error) -> Error {
    Error::io(format!("<{what} output>"), e)
}

/// One line of text: newlines and carriage returns replaced by spaces.
pub(crate) fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect()
}

/// `png` as a `data:image/png;base64,...` URI for an `<img src>`.
pub(crate) fn png_data_uri(png: &[u8]) -> String {
    format!("data:image/png;base64,{}", base64(png))
}

/// Standard base64 (RFC 4648, with padding).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b0 = chunk.first().copied().unwrap_or(0) as u32;
        let b1 = chunk.get(1).copied().unwrap_or(0) as u32;
        let b2 = chunk.get(2).copied().unwrap_or(0) as u32;
        let n = (b0 << 16) | (b1 << 8) | b2;
        let sextet = |shift: u32| char::from(ALPHABET[((n >> shift) & 63) as usize]);
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if chunk.len() > 1 { sextet(6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(0) } else { '=' });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        // RFC 4648 section 10 test vectors.
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foob"), "Zm9vYg==");
        assert_eq!(base64(b"fooba"), "Zm9vYmE=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
