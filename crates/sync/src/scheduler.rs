//! When to sync next, for an app that syncs on a timer: a fixed interval
//! after a success, a jittered [`Backoff`] after a transient failure, soon
//! after a local change, and not on its own after a failure that retrying
//! cannot fix (an outdated app, a refused request) until the user asks.
//! The caller passes `now` and owns the timer, so it is deterministic under
//! test.

use crate::{Backoff, SyncError};
use chrono::{DateTime, Duration, Utc};
use rand::Rng;

/// How long after a successful round the next one starts.
pub const SYNC_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// The sync timer of one device.
#[derive(Debug)]
pub struct Scheduler<R> {
    backoff: Backoff<R>,
    interval: Duration,
    next: Option<DateTime<Utc>>,
}

fn chrono(d: std::time::Duration) -> Duration {
    Duration::from_std(d).unwrap_or(Duration::MAX)
}

impl<R: Rng> Scheduler<R> {
    /// A timer that syncs right away (`now` is due) and then every
    /// `interval`.
    pub fn new(rng: R, interval: std::time::Duration) -> Self {
        Scheduler {
            backoff: Backoff::new(rng),
            interval: chrono(interval),
            next: Some(DateTime::<Utc>::MIN_UTC),
        }
    }

    /// When the next round should start; `None` after a failure only the
    /// user (or an update) can fix.
    pub fn next_at(&self) -> Option<DateTime<Utc>> {
        self.next
    }

    /// Whether a round should start now.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.next.is_some_and(|t| t <= now)
    }

    /// After a successful round: the next one an interval later, and the
    /// backoff starts over.
    pub fn succeeded(&mut self, now: DateTime<Utc>) -> DateTime<Utc> {
        self.backoff.reset();
        let t = now + self.interval;
        self.next = Some(t);
        t
    }

    /// After a failed round: a jittered wait for a transient failure
    /// (offline, server fault), else no automatic retry.
    pub fn failed(&mut self, now: DateTime<Utc>, e: &SyncError) -> Option<DateTime<Utc>> {
        self.next = e
            .is_transient()
            .then(|| now + chrono(self.backoff.next_delay()));
        self.next
    }

    /// The user changed something: sync soon, unless a retry is already
    /// due sooner. After a failure only the user can fix, nothing changes.
    pub fn changed(&mut self, now: DateTime<Utc>) {
        if let Some(t) = self.next
            && self.backoff.attempt() == 0
        {
            self.next = Some(t.min(now));
        }
    }

    /// The user asked for a sync: due now, whatever came before.
    pub fn asked(&mut self, now: DateTime<Utc>) {
        self.next = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_750_000_000, 0).unwrap()
    }

    #[test]
    fn a_new_timer_is_due_and_then_waits_an_interval() {
        let mut s = Scheduler::new(ChaCha8Rng::seed_from_u64(1), SYNC_INTERVAL);
        assert!(s.is_due(t0()));
        let next = s.succeeded(t0());
        assert_eq!(next, t0() + Duration::minutes(5));
        assert!(!s.is_due(t0() + Duration::minutes(4)));
        assert!(s.is_due(next));
    }

    #[test]
    fn transient_failures_back_off_with_jitter_under_a_growing_ceiling() {
        let mut s = Scheduler::new(ChaCha8Rng::seed_from_u64(2), SYNC_INTERVAL);
        for attempt in 0..12 {
            let at = s.failed(t0(), &SyncError::Offline).expect("retries");
            assert!(at >= t0());
            assert!(at <= t0() + chrono(crate::ceiling(attempt)), "{attempt}");
        }
        s.succeeded(t0());
        let at = s.failed(t0(), &SyncError::Offline).unwrap();
        assert!(
            at <= t0() + Duration::seconds(1),
            "a success resets the backoff"
        );
    }

    #[test]
    fn a_failure_retrying_cannot_fix_waits_for_the_user() {
        let mut s = Scheduler::new(ChaCha8Rng::seed_from_u64(3), SYNC_INTERVAL);
        let e = SyncError::ClientTooOld {
            message: "update".into(),
        };
        assert_eq!(s.failed(t0(), &e), None);
        assert!(!s.is_due(t0() + Duration::days(1)));
        s.changed(t0());
        assert!(!s.is_due(t0()), "a local change does not retry it");
        s.asked(t0());
        assert!(s.is_due(t0()));
    }

    #[test]
    fn a_local_change_brings_the_next_round_forward() {
        let mut s = Scheduler::new(ChaCha8Rng::seed_from_u64(4), SYNC_INTERVAL);
        s.succeeded(t0());
        s.changed(t0() + Duration::minutes(1));
        assert!(s.is_due(t0() + Duration::minutes(1)));
    }
}
