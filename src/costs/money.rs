//! Money that carries its price year, UK financial years, and GDP-deflator
//! re-basing.
//!
//! A cost is only meaningful with the year whose prices it is in. [`Gbp`]
//! therefore carries a [`PriceYear`], and arithmetic between two amounts is
//! only allowed when their price years agree: to add a 2006/07 arrest cost to
//! a 2011/12 A&E cost, first re-base both to one year with
//! [`DeflatorSeries::rebase`].
//!
//! Re-basing follows the GMCA Unit Cost Database formula column and the HM
//! Treasury Green Book: `amount × index(to) ÷ index(from)` with a GDP
//! deflator index by financial year (domain.md §3.1, §3.2).

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use crate::error::{Error, Location, Result};

/// Earliest financial year accepted (start year).
pub const MIN_PRICE_YEAR: i32 = 1900;
/// Latest financial year accepted (start year).
pub const MAX_PRICE_YEAR: i32 = 2200;

/// A UK financial year (1 April to 31 March), the unit in which UK public
/// cost data are priced, e.g. `2011/12`.
///
/// Parsed from `"2011/12"`, `"2011-12"`, `"2011/2012"` or `"2011-2012"`
/// (surrounding whitespace ignored); the second year must be the first plus
/// one. Displays as `"2011/12"`. Start years run from [`MIN_PRICE_YEAR`] to
/// [`MAX_PRICE_YEAR`].
///
/// ```
/// use outcomes::costs::PriceYear;
/// let y: PriceYear = "2011-2012".parse().unwrap();
/// assert_eq!(y.to_string(), "2011/12");
/// assert_eq!(y.start_year(), 2011);
/// assert!("2011/13".parse::<PriceYear>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PriceYear {
    start: i32,
}

impl PriceYear {
    /// The financial year starting in April of `start_year`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter) if
    /// `start_year` is outside [`MIN_PRICE_YEAR`]..=[`MAX_PRICE_YEAR`].
    pub fn new(start_year: i32) -> Result<Self> {
        if !(MIN_PRICE_YEAR..=MAX_PRICE_YEAR).contains(&start_year) {
            return Err(Error::invalid_parameter(
                "start_year",
                start_year,
                format!(
                    "a financial year must start between {MIN_PRICE_YEAR} and {MAX_PRICE_YEAR}"
                ),
            ));
        }
        Ok(PriceYear { start: start_year })
    }

    /// Parse `"2011/12"`, `"2011-12"`, `"2011/2012"` or `"2011-2012"`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`](crate::ErrorKind::InvalidValue) located at
    /// `"price year"` if the text is not a financial year.
    pub fn parse(text: &str) -> Result<Self> {
        Self::parse_at(text, Location::source("price year"))
    }

    /// Parse as [`PriceYear::parse`], reporting errors at `location`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`](crate::ErrorKind::InvalidValue) at
    /// `location` if the text is not a financial year.
    pub fn parse_at(text: &str, location: Location) -> Result<Self> {
        const RULE: &str = "a financial year is written YYYY/YY, YYYY-YY, YYYY/YYYY or YYYY-YYYY \
                            with the second year one after the first (e.g. 2011/12)";
        let bad = |rule: &str| Error::invalid_value(location.clone(), text, rule);
        let t = text.trim();
        let Some(sep) = t.find(['/', '-']) else {
            return Err(bad(RULE));
        };
        let (first, rest) = t.split_at(sep);
        let second = &rest[1..];
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if first.len() != 4 || !all_digits(first) || !all_digits(second) {
            return Err(bad(RULE));
        }
        let start: i32 = first.parse().map_err(|_| bad(RULE))?;
        let ok = match second.len() {
            2 => second.parse::<i32>().ok() == Some((start + 1) % 100),
            4 => second.parse::<i32>().ok() == Some(start + 1),
            _ => false,
        };
        if !ok {
            return Err(bad(RULE));
        }
        PriceYear::new(start).map_err(|_| {
            bad(&format!(
                "a financial year must start between {MIN_PRICE_YEAR} and {MAX_PRICE_YEAR}"
            ))
        })
    }

    /// The calendar year in which this financial year starts (2011 for 2011/12).
    pub fn start_year(self) -> i32 {
        self.start
    }

    /// The following financial year, if within range.
    pub fn next(self) -> Option<PriceYear> {
        PriceYear::new(self.start + 1).ok()
    }
}

impl FromStr for PriceYear {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        PriceYear::parse(s)
    }
}

impl fmt::Display for PriceYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:02}", self.start, (self.start + 1).rem_euclid(100))
    }
}

/// An amount of pounds sterling in the prices of one financial year.
///
/// The amount is always finite; it may be negative (a net benefit or a
/// change). Use [`Gbp::non_negative`] where the amount is a cost.
/// Arithmetic between two amounts is allowed only when their price years
/// agree ([`Gbp::checked_add`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gbp {
    amount: f64,
    year: PriceYear,
}

impl Gbp {
    /// `amount` pounds at `year` prices.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter) if
    /// `amount` is NaN or infinite.
    pub fn new(amount: f64, year: PriceYear) -> Result<Self> {
        if !amount.is_finite() {
            return Err(Error::invalid_parameter(
                "amount",
                amount,
                "a money amount must be finite",
            ));
        }
        Ok(Gbp { amount, year })
    }

    /// A cost: `amount` pounds at `year` prices, which must be finite and ≥ 0.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter) if
    /// `amount` is NaN, infinite or negative.
    pub fn non_negative(amount: f64, year: PriceYear) -> Result<Self> {
        let g = Gbp::new(amount, year)?;
        if amount < 0.0 {
            return Err(Error::invalid_parameter(
                "amount",
                amount,
                "a cost must be zero or positive",
            ));
        }
        Ok(g)
    }

    /// £0 at `year` prices.
    pub fn zero(year: PriceYear) -> Self {
        Gbp { amount: 0.0, year }
    }

    /// The amount in pounds.
    pub fn amount(self) -> f64 {
        self.amount
    }

    /// The price year.
    pub fn price_year(self) -> PriceYear {
        self.year
    }

    fn same_year(self, other: Gbp, op: &str) -> Result<()> {
        if self.year != other.year {
            return Err(Error::invalid_parameter(
                "price year",
                format!("{} and {}", self.year, other.year),
                format!(
                    "cannot {op} amounts in {} prices and {} prices; re-base one with DeflatorSeries::rebase first",
                    self.year, other.year
                ),
            ));
        }
        Ok(())
    }

    fn finite(amount: f64, year: PriceYear, what: &str) -> Result<Gbp> {
        if !amount.is_finite() {
            return Err(Error::numerical(
                what.to_string(),
                "the result overflowed to a non-finite amount",
            ));
        }
        Ok(Gbp { amount, year })
    }

    /// `self + other`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter)
    /// naming both years if the price years differ;
    /// [`ErrorKind::Numerical`](crate::ErrorKind::Numerical) on overflow.
    pub fn checked_add(self, other: Gbp) -> Result<Gbp> {
        self.same_year(other, "add")?;
        Gbp::finite(
            self.amount + other.amount,
            self.year,
            "adding money amounts",
        )
    }

    /// `self − other`.
    ///
    /// # Errors
    /// As [`Gbp::checked_add`].
    pub fn checked_sub(self, other: Gbp) -> Result<Gbp> {
        self.same_year(other, "subtract")?;
        Gbp::finite(
            self.amount - other.amount,
            self.year,
            "subtracting money amounts",
        )
    }

    /// `self × factor` (a count or any finite factor), same price year.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter) if
    /// `factor` is not finite; [`ErrorKind::Numerical`](crate::ErrorKind::Numerical)
    /// on overflow.
    pub fn scale(self, factor: f64) -> Result<Gbp> {
        if !factor.is_finite() {
            return Err(Error::invalid_parameter(
                "factor",
                factor,
                "a multiplier must be finite",
            ));
        }
        Gbp::finite(self.amount * factor, self.year, "scaling a money amount")
    }

    /// `self × count`.
    ///
    /// # Errors
    /// [`ErrorKind::Numerical`](crate::ErrorKind::Numerical) on overflow.
    pub fn times(self, count: u64) -> Result<Gbp> {
        self.scale(count as f64)
    }

    /// The sum of `amounts`, all of which must be in `year` prices (the year
    /// is needed so that an empty sum is £0 in a known year).
    ///
    /// # Errors
    /// As [`Gbp::checked_add`].
    pub fn sum<I: IntoIterator<Item = Gbp>>(year: PriceYear, amounts: I) -> Result<Gbp> {
        amounts
            .into_iter()
            .try_fold(Gbp::zero(year), |acc, a| acc.checked_add(a))
    }
}

impl fmt::Display for Gbp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "£{:.2} ({} prices)", self.amount, self.year)
    }
}

/// A GDP deflator index by financial year, used to re-base money between
/// price years.
///
/// The index level is arbitrary (any reference year = 100); only ratios are
/// used. Values must be finite and > 0.
#[derive(Debug, Clone, PartialEq)]
pub struct DeflatorSeries {
    index: BTreeMap<PriceYear, f64>,
}

/// The illustrative series shipped in `data/gdp_deflators.csv`.
const ILLUSTRATIVE_DEFLATORS: &str = include_str!("../../data/gdp_deflators.csv");

impl DeflatorSeries {
    /// A series from `(year, index)` pairs.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter) if
    /// an index is not finite and positive or a year appears twice;
    /// [`ErrorKind::InsufficientData`](crate::ErrorKind::InsufficientData) if
    /// there are no pairs.
    pub fn from_pairs<I: IntoIterator<Item = (PriceYear, f64)>>(pairs: I) -> Result<Self> {
        let mut index = BTreeMap::new();
        for (year, value) in pairs {
            if !(value.is_finite() && value > 0.0) {
                return Err(Error::invalid_parameter(
                    format!("deflator index for {year}"),
                    value,
                    "a deflator index must be finite and greater than 0",
                ));
            }
            if index.insert(year, value).is_some() {
                return Err(Error::invalid_parameter(
                    "deflator year",
                    year,
                    "each financial year may appear only once",
                ));
            }
        }
        if index.is_empty() {
            return Err(Error::insufficient_data(
                "deflator series",
                "the series has no years",
            ));
        }
        Ok(DeflatorSeries { index })
    }

    /// Read a CSV with columns `financial_year` and `gdp_deflator` (other
    /// columns ignored; lines starting `#` are comments).
    ///
    /// # Errors
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) if the file cannot be read;
    /// otherwise as [`DeflatorSeries::from_csv_reader`].
    pub fn from_csv_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        Self::from_csv_reader(file, &path.display().to_string())
    }

    /// Read a deflator CSV from `reader`; `source` names it in errors.
    ///
    /// # Errors
    /// [`ErrorKind::MissingColumn`](crate::ErrorKind::MissingColumn) if a
    /// column is absent; [`ErrorKind::InvalidValue`](crate::ErrorKind::InvalidValue)
    /// naming the row, column and value for an unparseable year or index, a
    /// non-positive index or a repeated year.
    pub fn from_csv_reader<R: Read>(reader: R, source: &str) -> Result<Self> {
        let mut rdr = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(reader);
        let headers = read_headers(&mut rdr, source)?;
        const EXPECTED: [&str; 2] = ["financial_year", "gdp_deflator"];
        crate::names::refuse_near_misses(source, &headers, &EXPECTED)?;
        let year_col = find_column(&headers, source, "financial_year", &EXPECTED)?;
        let idx_col = find_column(&headers, source, "gdp_deflator", &EXPECTED)?;
        let mut index = BTreeMap::new();
        for (i, rec) in rdr.records().enumerate() {
            let row = i as u64 + 1;
            let rec = rec.map_err(|e| csv_error(source, row, e))?;
            let loc = |c: &str| Location::source(source).row(row).column(c);
            let year_text = rec.get(year_col).unwrap_or("");
            let year = PriceYear::parse_at(year_text, loc("financial_year"))?;
            let idx_text = rec.get(idx_col).unwrap_or("");
            let value: f64 = idx_text.parse().map_err(|_| {
                Error::invalid_value(loc("gdp_deflator"), idx_text, "expected a number")
            })?;
            if !(value.is_finite() && value > 0.0) {
                return Err(Error::invalid_value(
                    loc("gdp_deflator"),
                    idx_text,
                    "a deflator index must be finite and greater than 0",
                ));
            }
            if index.insert(year, value).is_some() {
                return Err(Error::invalid_value(
                    loc("financial_year"),
                    year_text,
                    "each financial year may appear only once",
                ));
            }
        }
        if index.is_empty() {
            return Err(Error::insufficient_data(
                format!("deflator series {source}"),
                "the file has no data rows",
            ));
        }
        Ok(DeflatorSeries { index })
    }

    /// The ILLUSTRATIVE series shipped in `data/gdp_deflators.csv`: financial
    /// years 2000/01 to 2024/25, 2022 = 100, each the mean of four quarterly
    /// values of ONS series YBGB (release of 30 June 2025). It approximates,
    /// but is not, HM Treasury's published *GDP deflators at market prices,
    /// and money GDP*; load the current HM Treasury release for real work.
    ///
    /// # Errors
    /// Only if the embedded file were malformed (it is tested not to be).
    pub fn illustrative() -> Result<Self> {
        Self::from_csv_reader(ILLUSTRATIVE_DEFLATORS.as_bytes(), "data/gdp_deflators.csv")
    }

    /// The index for `year`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidParameter`](crate::ErrorKind::InvalidParameter)
    /// naming the year if the series does not cover it.
    pub fn index(&self, year: PriceYear) -> Result<f64> {
        self.index.get(&year).copied().ok_or_else(|| {
            Error::invalid_parameter(
                "price year",
                year,
                format!(
                    "the deflator series has no value for {year} (it covers {} to {})",
                    self.first_year(),
                    self.last_year()
                ),
            )
        })
    }

    /// The first year covered.
    pub fn first_year(&self) -> PriceYear {
        // The map is never empty (checked at construction).
        self.index.keys().next().copied().unwrap_or(PriceYear {
            start: MIN_PRICE_YEAR,
        })
    }

    /// The last year covered.
    pub fn last_year(&self) -> PriceYear {
        self.index.keys().next_back().copied().unwrap_or(PriceYear {
            start: MIN_PRICE_YEAR,
        })
    }

    /// The years covered and their index values, in year order.
    pub fn iter(&self) -> impl Iterator<Item = (PriceYear, f64)> + '_ {
        self.index.iter().map(|(y, v)| (*y, *v))
    }

    /// The multiplier `index(to) ÷ index(from)`.
    ///
    /// # Errors
    /// As [`DeflatorSeries::index`], naming the missing year.
    pub fn factor(&self, from: PriceYear, to: PriceYear) -> Result<f64> {
        Ok(self.index(to)? / self.index(from)?)
    }

    /// `amount` re-based to `to` prices: `amount × index(to) ÷ index(from)`.
    ///
    /// # Errors
    /// As [`DeflatorSeries::index`], naming the missing year.
    pub fn rebase(&self, amount: Gbp, to: PriceYear) -> Result<Gbp> {
        if amount.price_year() == to {
            return Ok(amount);
        }
        let f = self.factor(amount.price_year(), to)?;
        Gbp::finite(amount.amount() * f, to, "re-basing a money amount")
    }
}

pub(crate) fn read_headers<R: Read>(rdr: &mut csv::Reader<R>, source: &str) -> Result<Vec<String>> {
    let h = rdr.headers().map_err(|e| csv_error(source, 0, e))?;
    Ok(h.iter().map(|s| s.trim().to_ascii_lowercase()).collect())
}

/// The position of column `name` among `headers`; `expected` are all the
/// columns the reader looks for (a first row naming none of them is not a
/// header, and is not echoed).
pub(crate) fn find_column(
    headers: &[String],
    source: &str,
    name: &str,
    expected: &[&str],
) -> Result<usize> {
    headers
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| Error::missing_column(source, name, headers, expected))
}

pub(crate) fn csv_error(source: &str, row: u64, e: csv::Error) -> Error {
    let loc = if row == 0 {
        Location::source(source)
    } else {
        Location::source(source).row(row)
    };
    Error::invalid_value(loc, "", format!("the CSV could not be read: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(s: &str) -> PriceYear {
        s.parse().unwrap()
    }

    #[test]
    fn parses_all_forms() {
        for s in ["2011/12", "2011-12", "2011/2012", "2011-2012", " 2011/12 "] {
            assert_eq!(y(s).start_year(), 2011, "{s}");
        }
        assert_eq!(y("1999/00").to_string(), "1999/00");
        assert_eq!(y("1999/2000").to_string(), "1999/00");
    }

    #[test]
    fn rejects_bad_years() {
        for s in [
            "2011/13",
            "2011",
            "11/12",
            "2011/2013",
            "2011/1",
            "",
            "x/y",
            "2011//12",
            "2011/12a",
            "3000/01",
            "+201/12",
        ] {
            let e = PriceYear::parse(s).unwrap_err();
            assert!(e.to_string().contains("financial year"), "{s}: {e}");
        }
    }

    #[test]
    fn add_needs_same_year() {
        let a = Gbp::new(1.0, y("2011/12")).unwrap();
        let b = Gbp::new(2.0, y("2013/14")).unwrap();
        let e = a.checked_add(b).unwrap_err().to_string();
        assert!(e.contains("2011/12") && e.contains("2013/14"), "{e}");
        let c = Gbp::new(2.5, y("2011/12")).unwrap();
        assert_eq!(a.checked_add(c).unwrap().amount(), 3.5);
        assert_eq!(Gbp::sum(y("2011/12"), [a, c, c]).unwrap().amount(), 6.0);
        assert_eq!(Gbp::sum(y("2011/12"), []).unwrap().amount(), 0.0);
        assert!(Gbp::non_negative(-1.0, y("2011/12")).is_err());
        assert!(Gbp::new(f64::NAN, y("2011/12")).is_err());
        assert_eq!(a.times(3).unwrap().amount(), 3.0);
    }

    #[test]
    fn missing_year_is_named() {
        let d = DeflatorSeries::from_pairs([(y("2010/11"), 90.0), (y("2011/12"), 100.0)]).unwrap();
        let e = d
            .rebase(Gbp::new(1.0, y("2010/11")).unwrap(), y("2020/21"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("2020/21"), "{e}");
    }

    #[test]
    fn illustrative_series_loads() {
        let d = DeflatorSeries::illustrative().unwrap();
        assert_eq!(d.first_year(), y("2000/01"));
        assert_eq!(d.last_year(), y("2024/25"));
        assert!((d.index(y("2011/12")).unwrap() - 79.2).abs() < 1e-12);
    }

    #[test]
    fn csv_errors_name_row_column_value() {
        let data = "financial_year,gdp_deflator\n2010/11,90\n2011/13,91\n";
        let e = DeflatorSeries::from_csv_reader(data.as_bytes(), "d.csv")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("d.csv")
                && e.contains("row 2")
                && e.contains("financial_year")
                && e.contains("2011/13"),
            "{e}"
        );
        let data = "financial_year,gdp_deflator\n2010/11,-1\n";
        let e = DeflatorSeries::from_csv_reader(data.as_bytes(), "d.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("row 1") && e.contains("gdp_deflator"), "{e}");
    }
}
