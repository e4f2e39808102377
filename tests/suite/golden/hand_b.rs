//! Costs, CBA, matching, attendance and ASB: one number of each traced by hand
//! from the raw files in `data/sample/` (filled in with the golden tables of part B).
