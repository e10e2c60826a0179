//! The PM timeline of one asset: due dates, when each PM was done, and
//! the attempts before it. The inventory reads it to set each schedule's
//! last-done and next-due dates, and the history reads it to emit the PM
//! work orders, so both must get the same answer without sharing state:
//! every draw here is a hash of (seed, asset, occurrence), not a shared
//! random stream.

use crate::ctx::Life;
use crate::params::DemoParams;
use crate::util::{mix, stream, unit};
use biomend_domain::pm::{PmPlan, add_months};
use chrono::{Duration, NaiveDate};

/// PM work orders are generated this many days before they are due.
pub(crate) const LEAD_DAYS: i64 = 14;

#[derive(Clone, Copy, Debug)]
pub(crate) struct PmOcc {
    pub due: NaiveDate,
    pub opened: NaiveDate,
    /// `None`: not done by "today" (open PM work order).
    pub done: Option<NaiveDate>,
    /// A documented attempt: the device was in use on this day.
    pub in_use: Option<NaiveDate>,
    /// The device could not be found (it is missing).
    pub not_located: bool,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct PmCursor {
    pub due: NaiveDate,
    pub seq: u32,
    pub last_done: Option<NaiveDate>,
    finished: bool,
}

impl PmCursor {
    pub fn new(p: &DemoParams, plan: &PmPlan, life: &Life) -> PmCursor {
        let floor = p.history_start() + Duration::days(LEAD_DAYS);
        let mut due = plan.first_due(life.start);
        let step = u32::from(plan.interval_months.max(1));
        let mut guard = 0;
        while due < floor && guard < 400 {
            due = add_months(due, step);
            guard += 1;
        }
        PmCursor {
            due,
            seq: 0,
            last_done: None,
            finished: false,
        }
    }

    /// The day the next PM work order opens, if there is one.
    pub fn peek_opened(&self) -> Option<NaiveDate> {
        (!self.finished).then(|| self.due - Duration::days(LEAD_DAYS))
    }

    pub fn next(
        &mut self,
        p: &DemoParams,
        plan: &PmPlan,
        life: &Life,
        asset: usize,
    ) -> Option<PmOcc> {
        if self.finished {
            return None;
        }
        let due = self.due;
        let opened = due - Duration::days(LEAD_DAYS);
        if opened > p.as_of || life.retired_on.is_some_and(|r| due > r) {
            self.finished = true;
            return None;
        }
        let mut occ = PmOcc {
            due,
            opened,
            done: None,
            in_use: None,
            not_located: false,
        };
        if life.missing_since.is_some_and(|m| due > m) {
            self.finished = true;
            occ.not_located = true;
            return Some(occ);
        }
        let h = mix(p.seed ^ stream::PM, asset as u64, u64::from(self.seq));
        let window = (plan.interval_days() as f64 * 0.10).floor() as i64;
        let u = unit(h);
        let v = unit(mix(h, 1, 0));
        // Most PMs land close to the due date, some anywhere in the window,
        // and a few late: those are the compliance misses reports show.
        let offset = if u < 0.80 {
            (v * 21.0) as i64 - 10
        } else if u < 0.93 {
            (v * (2 * window + 1) as f64) as i64 - window
        } else {
            window + 1 + (v * 60.0) as i64
        };
        let done = (due + Duration::days(offset)).max(opened).max(life.start);
        if life.retired_on.is_some_and(|r| done > r) {
            self.finished = true;
            return None;
        }
        if unit(mix(h, 2, 0)) < 0.06 {
            let back = 1 + (unit(mix(h, 3, 0)) * 3.0) as i64;
            occ.in_use = Some((done - Duration::days(back)).max(opened));
        }
        if done > p.as_of {
            self.finished = true;
            occ.in_use = occ.in_use.filter(|d| *d <= p.as_of);
            return Some(occ);
        }
        occ.done = Some(done);
        self.last_done = Some(done);
        self.due = plan.next_due(due, done);
        self.seq += 1;
        Some(occ)
    }
}
