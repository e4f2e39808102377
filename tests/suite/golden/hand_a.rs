//! NDT, service use and pre/post: one number of each traced by hand from the raw
//! files in `data/sample/` (filled in with the golden tables of part A).
