//! Column kernels of the validation engine: the boolean mask of a check,
//! computed directly on polars' arrow arrays, and split across cores for a
//! large column.
//!
//! A mask is true where a row fails the check and false elsewhere (a null
//! value never fails a rule: blanks are the `required` check's business).
//! Masks carry no nulls, so they combine with plain bitwise `|` and `&`.
//!
//! Text checks work on the string *views* of polars' `Utf8View` arrays. Two
//! equal 16-byte views within one array are the same text, so a check
//! already answered for a view is not asked again: consecutive equal values
//! (an extract sorted by person) and the few distinct views of a
//! dictionary-encoded Parquet column (a category code) cost one comparison
//! each. The answer itself always comes from the caller's predicate on the
//! text, so the result is the predicate's, value by value.

use polars::prelude::*;
use polars_arrow::array::{Array, BooleanArray, PrimitiveArray, Utf8ViewArray};
use polars_arrow::bitmap::Bitmap;
use polars_arrow::datatypes::ArrowDataType;
use polars_arrow::types::NativeType;

use super::rules::NearHint;
use crate::error::{Error, Result};

/// Below this many values, work on the calling thread.
pub(crate) const PARALLEL_MIN: usize = 200_000;

/// How far ahead of a scan to ask for memory. A freshly read column is not
/// in cache, and on the machines measured the hardware prefetcher did not
/// keep up with a scan that does work per row: asking 2 KiB ahead made the
/// per-row text checks three times faster.
const AHEAD_BYTES: usize = 2048;

/// Ask the CPU to start loading `values[i]` (a hint: no effect on results,
/// and nothing happens past the end of the slice).
#[inline(always)]
pub(crate) fn prefetch<T>(values: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(v) = values.get(i) {
        // SAFETY: a prefetch never faults and reads nothing into the
        // program's state; the address is inside the slice.
        unsafe {
            std::arch::x86_64::_mm_prefetch(
                std::ptr::from_ref(v).cast::<i8>(),
                std::arch::x86_64::_MM_HINT_T0,
            );
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (values, i);
}

/// Ask for the 64 views [`AHEAD_BYTES`] past `block` (four views to a cache
/// line), one block-scan ahead of use.
#[inline(always)]
fn prefetch_block<T>(views: &[T], block: usize) {
    for k in (0..64).step_by(4) {
        prefetch(views, block + AHEAD_BYTES / 16 + k);
    }
}

/// Pack a predicate over a slice of values, eight to a byte, in a form the
/// compiler vectorises (about four times faster than bit by bit).
fn pack_values<T: Copy>(values: &[T], pred: impl Fn(T) -> bool) -> Bitmap {
    let mut bytes: Vec<u8> = Vec::with_capacity(values.len().div_ceil(8));
    let ahead = AHEAD_BYTES / std::mem::size_of::<T>().max(1);
    let mut chunks = values.chunks_exact(8);
    for (n, c) in (&mut chunks).enumerate() {
        prefetch(values, n * 8 + ahead);
        let mut b = 0u8;
        for (k, &v) in c.iter().enumerate() {
            b |= u8::from(pred(v)) << k;
        }
        bytes.push(b);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut b = 0u8;
        for (k, &v) in rest.iter().enumerate() {
            b |= u8::from(pred(v)) << k;
        }
        bytes.push(b);
    }
    Bitmap::from_u8_vec(bytes, values.len())
}

fn bool_array(bits: Bitmap) -> BooleanArray {
    BooleanArray::new(ArrowDataType::Boolean, bits, None)
}

/// `f` applied to consecutive slices of `ca`, one per core for a large
/// column; the results in order.
pub(crate) fn par_map<T: PolarsDataType, U: PolarsDataType>(
    ca: &ChunkedArray<T>,
    f: &(dyn Fn(&ChunkedArray<T>) -> ChunkedArray<U> + Sync),
) -> Vec<ChunkedArray<U>> {
    let n = ca.len();
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get().min(16));
    if n < PARALLEL_MIN || threads == 1 {
        return vec![f(ca)];
    }
    let per = n.div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|i| {
                let part = ca.slice((i * per) as i64, per);
                s.spawn(move || f(&part))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Join the parts [`par_map`] made, in order (their chunks, not copied).
pub(crate) fn join<T>(parts: Vec<ChunkedArray<T>>) -> Result<ChunkedArray<T>>
where
    T: PolarsDataType<IsNested = FalseT, IsObject = FalseT>,
    for<'a> T::Physical<'a>: polars::polars_utils::total_ord::TotalOrd,
    ChunkedArray<T>: Default,
{
    let mut parts = parts.into_iter();
    let mut out = parts.next().unwrap_or_default();
    for p in parts {
        out.append(&p)
            .map_err(|e| Error::frame("joining column parts", e))?;
    }
    Ok(out)
}

/// True where a value is present and `fails(value)`.
/// A large column is split across cores.
pub(crate) fn numeric_mask<T>(
    ca: &ChunkedArray<T>,
    fails: impl Fn(T::Native) -> bool + Copy + Sync,
) -> Result<BooleanChunked>
where
    T: PolarsNumericType,
    T::Native: NativeType,
{
    let part = |p: &ChunkedArray<T>| -> BooleanChunked {
        BooleanChunked::from_chunk_iter(
            PlSmallStr::EMPTY,
            p.downcast_iter().map(|arr: &PrimitiveArray<T::Native>| {
                let bits = pack_values(arr.values().as_slice(), fails);
                let bits = match arr.validity() {
                    Some(valid) => &bits & valid,
                    None => bits,
                };
                bool_array(bits)
            }),
        )
    };
    join(par_map(ca, &part))
}

/// True where a value is present and outside `lo..=hi` (either bound may
/// be open).
pub(crate) fn outside_mask<T>(
    ca: &ChunkedArray<T>,
    lo: Option<T::Native>,
    hi: Option<T::Native>,
) -> Result<BooleanChunked>
where
    T: PolarsNumericType,
    T::Native: NativeType,
{
    match (lo, hi) {
        (Some(lo), Some(hi)) => numeric_mask(ca, move |x| x < lo || x > hi),
        (Some(lo), None) => numeric_mask(ca, move |x| x < lo),
        (None, Some(hi)) => numeric_mask(ca, move |x| x > hi),
        (None, None) => Ok(BooleanChunked::full(PlSmallStr::EMPTY, false, ca.len())),
    }
}

/// True where a text value is null or empty: a blank cell.
pub(crate) fn blank_mask(ca: &StringChunked) -> BooleanChunked {
    BooleanChunked::from_chunk_iter(
        PlSmallStr::EMPTY,
        ca.downcast_iter().map(|arr: &Utf8ViewArray| {
            let empty = pack_values(arr.views().as_slice(), |v| v.length == 0);
            bool_array(match arr.validity() {
                Some(valid) => &empty | &!valid,
                None => empty,
            })
        }),
    )
}

/// How a text check walks a column; either way the answer is the
/// predicate's, value by value, and only the speed differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextWalk {
    /// Values come in runs (an extract grouped by person): the predicate is
    /// asked once per run.
    Runs,
    /// Few distinct values in any order (a code list): the predicate is asked
    /// once per distinct view, remembered in a small cache.
    Distinct,
}

/// A text check: whether a text fails, given a position hint the check may
/// keep between calls on one thread (see [`TextSet::contains_near`]).
///
/// [`TextSet::contains_near`]: super::rules::TextSet::contains_near
pub(crate) trait TextCheck: Sync {
    /// Whether `t` fails.
    fn fails(&self, t: &str, hint: &mut NearHint) -> bool;

    /// Get ready to be asked about `batch` soon, in that order: a hint (by
    /// default, nothing), which a check may use to start its memory loads
    /// early.
    fn prepare(&self, _batch: &[&str], _hint: &NearHint, _scratch: &mut Vec<u64>) {}
}

impl<F: Fn(&str, &mut NearHint) -> bool + Sync> TextCheck for F {
    fn fails(&self, t: &str, hint: &mut NearHint) -> bool {
        self(t, hint)
    }
}

/// Slots of the per-array cache of answered views (a power of two; small
/// enough to stay in the first-level cache).
const SLOTS: usize = 256;

/// [`TextWalk::Distinct`] on one array: each row's view is looked up in a
/// small cache of views already answered (two equal views within one array
/// are the same text); a miss asks the predicate.
fn distinct_array_mask(arr: &Utf8ViewArray, fails: &dyn TextCheck, hint: &mut NearHint) -> Bitmap {
    let views = arr.views().as_slice();
    let n = views.len();
    let valid = arr.validity();
    // Slot state: 0 empty, 1 passes, 2 fails (so `state >> 1` is the answer).
    let mut keys = [0u128; SLOTS];
    let mut states = [0u8; SLOTS];
    let mut out = vec![0u64; n.div_ceil(64)];
    let mut block = 0;
    while block < n {
        let end = (block + 64).min(n);
        prefetch_block(views, block);
        let mut word = 0u64;
        for (k, view) in views[block..end].iter().enumerate() {
            let v = view.as_u128();
            let h = (v as u64 ^ (v >> 64) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let slot = (h >> (64 - SLOTS.trailing_zeros())) as usize;
            if keys[slot] != v || states[slot] == 0 {
                let i = block + k;
                if valid.is_some_and(|m| !m.get_bit(i)) {
                    continue;
                }
                // SAFETY: `i` is an index of this array's views, and present.
                let fails = fails.fails(unsafe { arr.value_unchecked(i) }, hint);
                keys[slot] = v;
                states[slot] = if fails { 2 } else { 1 };
            }
            word |= u64::from(states[slot] >> 1) << k;
        }
        out[block / 64] = word;
        block = end;
    }
    let bits = words_to_bitmap(&out, n);
    match valid {
        Some(valid) => &bits & valid,
        None => bits,
    }
}

/// A bitmap of `n` bits from words of 64.
fn words_to_bitmap(words: &[u64], n: usize) -> Bitmap {
    let bytes: Vec<u8> = words
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .take(n.div_ceil(8))
        .collect();
    Bitmap::from_u8_vec(bytes, n)
}

/// [`TextWalk::Runs`] on one array, 64 rows at a time: where a run of equal
/// views (and equal validity) starts is found branch-free, then the
/// predicate is asked once per run while those rows are still in cache. A
/// run whose text equals the previous run's (the same pseudonym read twice
/// from a CSV file, in different buffers) reuses its answer.
fn runs_array_mask(arr: &Utf8ViewArray, fails: &dyn TextCheck, hint: &mut NearHint) -> Bitmap {
    let views = arr.views().as_slice();
    let n = views.len();
    let valid = arr.validity();
    let mut out = vec![0u64; n.div_ceil(64)];
    // The run being walked: its first row and whether it fails.
    let mut run: Option<(usize, bool)> = None;
    // The last present run's first row and answer.
    let mut last: Option<(usize, bool)> = None;
    let mut visit = |s: usize, out: &mut [u64], hint: &mut NearHint| {
        if let Some((from, true)) = run {
            set_range(out, from, s);
        }
        if s >= n {
            return;
        }
        let answer = if valid.is_some_and(|m| !m.get_bit(s)) {
            false
        } else {
            let out = match last {
                Some((li, out)) if same_text(arr, li, s) => out,
                // SAFETY: `s` is an index of this array's views, and present.
                _ => fails.fails(unsafe { arr.value_unchecked(s) }, hint),
            };
            last = Some((s, out));
            out
        };
        run = Some((s, answer));
    };
    let mut batch: Vec<&str> = Vec::with_capacity(64);
    let mut scratch: Vec<u64> = Vec::with_capacity(64);
    let mut block = 0;
    while block < n {
        let end = (block + 64).min(n);
        prefetch_block(views, block);
        let mut starts = 0u64;
        for i in block..end {
            let differs = i == 0 || views[i].as_u128() != views[i - 1].as_u128();
            starts |= u64::from(differs) << (i - block);
        }
        if let Some(m) = valid {
            for i in block.max(1)..end {
                starts |= u64::from(m.get_bit(i) != m.get_bit(i - 1)) << (i - block);
            }
        }
        // Out of order, lookups go to random places in memory: ask for the
        // block's all at once, so their loads overlap.
        if hint.is_cold() {
            batch.clear();
            let mut bits = starts;
            while bits != 0 {
                let s = block + bits.trailing_zeros() as usize;
                if valid.is_none_or(|m| m.get_bit(s)) {
                    // SAFETY: `s` is an index of this array's views, and present.
                    batch.push(unsafe { arr.value_unchecked(s) });
                }
                bits &= bits - 1;
            }
            fails.prepare(&batch, hint, &mut scratch);
        }
        while starts != 0 {
            visit(block + starts.trailing_zeros() as usize, &mut out, hint);
            starts &= starts - 1;
        }
        block = end;
    }
    visit(n, &mut out, hint);
    let bits = words_to_bitmap(&out, n);
    match valid {
        Some(valid) => &bits & valid,
        None => bits,
    }
}

/// Set bits `from..to` of a bitmap held as words.
fn set_range(words: &mut [u64], from: usize, to: usize) {
    for i in from..to {
        words[i / 64] |= 1 << (i % 64);
    }
}

/// Whether rows `a` and `b` of `arr` (both present) hold the same text:
/// compared within the view when the text is inline (12 bytes or fewer),
/// else by length and prefix first.
#[inline]
fn same_text(arr: &Utf8ViewArray, a: usize, b: usize) -> bool {
    let views = arr.views();
    let (va, vb) = (views[a], views[b]);
    if va.length != vb.length {
        return false;
    }
    if va.length <= 12 {
        // Length (4 bytes) then the text: compare those bytes, not padding.
        let keep = 32 + 8 * va.length;
        let mask = if keep >= 128 {
            u128::MAX
        } else {
            (1u128 << keep) - 1
        };
        return (va.as_u128() ^ vb.as_u128()) & mask == 0;
    }
    // SAFETY: both rows are this array's, and present.
    va.prefix == vb.prefix && unsafe { arr.value_unchecked(a) == arr.value_unchecked(b) }
}

/// True where a text value is present and `fails(value)`; a large column is
/// split across cores.
pub(crate) fn text_mask(
    ca: &StringChunked,
    walk: TextWalk,
    fails: &dyn TextCheck,
) -> Result<BooleanChunked> {
    let part = |p: &StringChunked| -> BooleanChunked {
        let mut hint = NearHint::default();
        BooleanChunked::from_chunk_iter(
            PlSmallStr::EMPTY,
            p.downcast_iter().map(|arr| {
                bool_array(match walk {
                    TextWalk::Runs => runs_array_mask(arr, fails, &mut hint),
                    TextWalk::Distinct => distinct_array_mask(arr, fails, &mut hint),
                })
            }),
        )
    };
    join(par_map(ca, &part))
}

/// Whether any value of a mask is true, and how many.
pub(crate) fn count_true(mask: &BooleanChunked) -> usize {
    mask.downcast_iter()
        .map(|arr| arr.values().set_bits())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn pack_matches_the_predicate_at_every_length() {
        for len in [0usize, 1, 7, 8, 63, 64, 65, 127, 128, 200] {
            let f = |i: usize| (i * 7 + i / 3).is_multiple_of(5);
            let mut words = vec![0u64; len.div_ceil(64)];
            set_range(&mut words, 0, 0);
            for i in (0..len).filter(|&i| f(i)) {
                set_range(&mut words, i, i + 1);
            }
            let bits = words_to_bitmap(&words, len);
            assert_eq!(bits.len(), len);
            for i in 0..len {
                assert_eq!(bits.get_bit(i), f(i), "len {len} bit {i}");
            }
            let values: Vec<i32> = (0..len as i32).collect();
            let bits = pack_values(&values, |v| v % 3 == 1);
            for i in 0..len {
                assert_eq!(bits.get_bit(i), i % 3 == 1, "len {len} value {i}");
            }
        }
    }

    /// Runs, repeats across a gap, long and short texts, blanks and nulls,
    /// over several chunks and across the parallel threshold: the mask is the
    /// predicate's answer value by value.
    #[test]
    fn text_mask_equals_the_predicate_value_by_value() {
        let set: HashSet<&str> = ["ambulance_call_out", "ae", "x"].into_iter().collect();
        let pool = [
            Some("ambulance_call_out"),
            Some("ambulance_call_our"),
            Some("ambulance_call_out_"),
            Some("ae"),
            Some("ae"),
            Some(""),
            None,
            Some("x"),
            Some("a_long_text_nobody_allowed"),
        ];
        let fails = |s: &str, _: &mut NearHint| !set.contains(s);
        for n in [0, 1, 100, PARALLEL_MIN + 777] {
            let mut ca: StringChunked =
                (0..n).map(|i| pool[(i * 5 + i / 7) % pool.len()]).collect();
            let more: StringChunked = (0..n / 3).map(|i| pool[i % pool.len()]).collect();
            ca.append(&more).unwrap();
            for walk in [TextWalk::Runs, TextWalk::Distinct] {
                let got = text_mask(&ca, walk, &fails).unwrap();
                assert_eq!(got.len(), ca.len());
                assert_eq!(got.null_count(), 0);
                for (i, g) in got.iter().enumerate() {
                    let want = ca.get(i).is_some_and(|s| !set.contains(s));
                    assert_eq!(g, Some(want), "{walk:?} n {n} row {i}");
                }
            }
            let blank = blank_mask(&ca);
            for (i, b) in blank.iter().enumerate() {
                assert_eq!(b, Some(ca.get(i).is_none_or(str::is_empty)), "row {i}");
            }
        }
    }

    #[test]
    fn numeric_mask_is_false_on_nulls() {
        let ca: Int64Chunked = [Some(-1), None, Some(0), Some(5), Some(i64::MAX), None]
            .into_iter()
            .collect();
        let m: Vec<_> = numeric_mask(&ca, |v| !(0..=4).contains(&v))
            .unwrap()
            .iter()
            .collect();
        assert_eq!(
            m,
            [true, false, false, true, true, false].map(Some).to_vec()
        );
        assert_eq!(count_true(&numeric_mask(&ca, |v| v >= 0).unwrap()), 3);
        for (lo, hi) in [
            (Some(0), Some(4)),
            (Some(0), None),
            (None, Some(4)),
            (None, None),
        ] {
            let got: Vec<_> = outside_mask(&ca, lo, hi).unwrap().iter().collect();
            let want: Vec<_> = ca
                .iter()
                .map(|v| {
                    Some(v.is_some_and(|v| lo.is_some_and(|l| v < l) || hi.is_some_and(|h| v > h)))
                })
                .collect();
            assert_eq!(got, want, "{lo:?}..={hi:?}");
        }
    }
}
