//! Time-to-event outcomes from the crate's own data: how long from each
//! person's index date until their first event of chosen service-use
//! categories (an arrest, an eviction, an admission), or until their
//! follow-up ended without one.
//!
//! Follow-up runs from the index date to the earliest of the person's end
//! date, the extract date and the horizon. The first event on or after the
//! index date (found column-wise by `io::first_events`) ends the time
//! with an event if it falls within the follow-up; otherwise the person is
//! censored at the end of follow-up. Times are days since the index date,
//! expressed in months of [`DAYS_PER_MONTH`] days, so that "survival at 12
//! months" is read at 365.25 days for everyone.

use chrono::NaiveDate;

use crate::cohort::{CohortMember, DataWindow, EndReason};
use crate::error::{Error, Result};
use crate::stats::{EventStatus, SurvivalData};

/// Days in the month of a time-to-event time scale: 365.25 / 12.
pub const DAYS_PER_MONTH: f64 = 365.25 / 12.0;

/// A time-to-event outcome for the cohort members with follow-up time.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeToEvent {
    /// The cohort position (frame row) of each person in [`TimeToEvent::data`].
    pub rows: Vec<usize>,
    /// Their times (months) and statuses, aligned with `rows`.
    pub data: SurvivalData,
    /// Members with no follow-up time: their follow-up would end before
    /// their index date (an end date or the extract date before it). They
    /// are counted, never silently dropped: `rows.len() + no_follow_up`
    /// is the cohort's size.
    pub no_follow_up: usize,
    /// Events after the index date that fell after the end of follow-up
    /// (after the end date, or beyond the horizon): censored, not events.
    pub events_after_follow_up: usize,
}

/// The time to each member's first event, censored at the earliest of their
/// end date, the extract date and `horizon_months` (if given) after the
/// index date. `first_event` holds each member's first event on or after
/// the index date, aligned with `members`; an end date whose reason is one
/// of `end_events` is an event too (`[EndReason::Exit]`: the time to leaving
/// support).
///
/// # Errors
/// * `first_event` is not aligned with `members`;
/// * a horizon of zero months;
/// * no member has follow-up time.
pub fn time_to_first_event(
    members: &[CohortMember],
    window: DataWindow,
    first_event: &[Option<NaiveDate>],
    end_events: &[EndReason],
    horizon_months: Option<u32>,
) -> Result<TimeToEvent> {
    if first_event.len() != members.len() {
        return Err(Error::invalid_parameter(
            "first_event",
            format!("{} dates", first_event.len()),
            format!("need one per cohort member ({})", members.len()),
        ));
    }
    if horizon_months == Some(0) {
        return Err(Error::invalid_parameter(
            "horizon_months",
            0,
            "the horizon must be at least one month",
        ));
    }
    let cap = horizon_months.map(|h| f64::from(h) * DAYS_PER_MONTH);
    let mut rows = Vec::with_capacity(members.len());
    let mut time = Vec::with_capacity(members.len());
    let mut status = Vec::with_capacity(members.len());
    let (mut no_follow_up, mut after) = (0, 0);
    for (i, (m, first)) in members.iter().zip(first_event).enumerate() {
        let end = m
            .end_date
            .map_or(window.extract_date, |e| e.min(window.extract_date));
        let mut follow = (end - m.index_date).num_days() as f64;
        if follow < 0.0 {
            no_follow_up += 1;
            continue;
        }
        if let Some(c) = cap {
            follow = follow.min(c);
        }
        let ended = m
            .end_date
            .filter(|_| m.end_reason.is_some_and(|r| end_events.contains(&r)));
        let first = match (*first, ended) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let event = first
            .map(|d| (d - m.index_date).num_days() as f64)
            .filter(|t| *t >= 0.0);
        let (t, s) = match event {
            Some(t) if t <= follow => (t, EventStatus::Event),
            Some(_) => {
                after += 1;
                (follow, EventStatus::Censored)
            }
            None => (follow, EventStatus::Censored),
        };
        rows.push(i);
        time.push(t / DAYS_PER_MONTH);
        status.push(s);
    }
    if rows.is_empty() {
        return Err(Error::insufficient_data(
            "time to event",
            "no cohort member has follow-up time after their index date",
        ));
    }
    Ok(TimeToEvent {
        rows,
        data: SurvivalData::new(&time, &status)?,
        no_follow_up,
        events_after_follow_up: after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cohort::{Group, PersonId};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn member(index: &str, end: Option<&str>) -> CohortMember {
        CohortMember {
            person: PersonId::from_pseudonym("p").unwrap(),
            index_date: d(index),
            group: Group::Programme,
            end_date: end.map(d),
            end_reason: None,
            covariates: Default::default(),
        }
    }

    #[test]
    fn events_and_censoring() {
        let w = DataWindow::new(d("2020-01-01"), d("2021-12-31")).unwrap();
        let members = vec![
            member("2021-01-01", None),               // event on day 31
            member("2021-01-01", Some("2021-03-01")), // event after the end date
            member("2021-01-01", None),               // no event: extract date
            member("2022-06-01", None),               // starts after the extract
            member("2021-01-01", None),               // event beyond the horizon
        ];
        let first = vec![
            Some(d("2021-02-01")),
            Some(d("2021-04-01")),
            None,
            None,
            Some(d("2021-11-01")),
        ];
        let t = time_to_first_event(&members, w, &first, &[], Some(6)).unwrap();
        assert_eq!(t.rows, vec![0, 1, 2, 4]);
        assert_eq!(t.no_follow_up, 1);
        assert_eq!(t.events_after_follow_up, 2);
        assert_eq!(
            t.data.status(),
            &[
                EventStatus::Event,
                EventStatus::Censored,
                EventStatus::Censored,
                EventStatus::Censored
            ]
        );
        let six = 6.0 * DAYS_PER_MONTH / DAYS_PER_MONTH;
        assert_eq!(t.data.time()[0], 31.0 / DAYS_PER_MONTH);
        assert_eq!(t.data.time()[1], 59.0 / DAYS_PER_MONTH);
        assert_eq!(t.data.time()[2], six);
        assert_eq!(t.data.time()[3], six);
        // Without a horizon the extract date censors, and the November
        // event is an event.
        let t = time_to_first_event(&members, w, &first, &[], None).unwrap();
        assert_eq!(t.data.time()[2], 364.0 / DAYS_PER_MONTH);
        assert_eq!(t.data.status()[3], EventStatus::Event);
        assert_eq!(t.events_after_follow_up, 1);
    }

    /// An end date with a chosen reason is an event (the time to leaving
    /// support); other reasons censor.
    #[test]
    fn an_end_reason_can_be_the_event() {
        let w = DataWindow::new(d("2020-01-01"), d("2021-12-31")).unwrap();
        let mut exit = member("2021-01-01", Some("2021-03-01"));
        exit.end_reason = Some(EndReason::Exit);
        let mut moved = member("2021-01-01", Some("2021-03-01"));
        moved.end_reason = Some(EndReason::Moved);
        let mut both = member("2021-01-01", Some("2021-06-01"));
        both.end_reason = Some(EndReason::Exit);
        let members = vec![exit, moved, both];
        let first = vec![None, None, Some(d("2021-02-01"))];
        let t = time_to_first_event(&members, w, &first, &[EndReason::Exit], None).unwrap();
        assert_eq!(
            t.data.status(),
            &[
                EventStatus::Event,
                EventStatus::Censored,
                EventStatus::Event
            ]
        );
        assert_eq!(t.data.time()[0], 59.0 / DAYS_PER_MONTH);
        // The earlier of the two: the service event on day 31.
        assert_eq!(t.data.time()[2], 31.0 / DAYS_PER_MONTH);
    }

    #[test]
    fn misaligned_or_empty_is_an_error() {
        let w = DataWindow::new(d("2020-01-01"), d("2020-12-31")).unwrap();
        let m = vec![member("2021-01-01", None)];
        assert!(time_to_first_event(&m, w, &[], &[], None).is_err());
        assert!(time_to_first_event(&m, w, &[None], &[], None).is_err());
        let m = vec![member("2020-01-01", None)];
        assert!(time_to_first_event(&m, w, &[None], &[], Some(0)).is_err());
    }
}
