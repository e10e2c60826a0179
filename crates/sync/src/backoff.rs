//! The retry schedule: exponential backoff with full jitter.
//!
//! Attempt `n` (from 0) waits a uniformly random time between zero and
//! `min(MAX_DELAY, BASE_DELAY * 2^n)`. Full jitter spreads the retries of
//! a ward's worth of tablets coming back online at once; the cap keeps a
//! device that was offline all night trying every few minutes. A success
//! resets the schedule.

use rand::Rng;
use std::time::Duration;

/// The ceiling of the first retry.
pub const BASE_DELAY: Duration = Duration::from_secs(1);
/// No retry waits longer than this.
pub const MAX_DELAY: Duration = Duration::from_secs(5 * 60);

/// The longest wait before retry `attempt` (from 0):
/// `min(MAX_DELAY, BASE_DELAY * 2^attempt)`.
pub fn ceiling(attempt: u32) -> Duration {
    let factor = 1u32.checked_shl(attempt).unwrap_or(u32::MAX);
    BASE_DELAY.saturating_mul(factor).min(MAX_DELAY)
}

/// The wait before retry `attempt`: uniform in `0..=ceiling(attempt)`, in
/// whole milliseconds, drawn from `rng`.
pub fn delay(attempt: u32, rng: &mut impl Rng) -> Duration {
    let max = u64::try_from(ceiling(attempt).as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rng.random_range(0..=max))
}

/// The retry schedule of one sync loop. The RNG is injected (seed it in
/// tests; seed it from the OS in the app).
#[derive(Debug)]
pub struct Backoff<R> {
    rng: R,
    attempt: u32,
}

impl<R: Rng> Backoff<R> {
    pub fn new(rng: R) -> Self {
        Backoff { rng, attempt: 0 }
    }

    /// How many failures in a row so far.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// After a failure: how long to wait before the next try.
    pub fn next_delay(&mut self) -> Duration {
        let d = delay(self.attempt, &mut self.rng);
        self.attempt = self.attempt.saturating_add(1);
        d
    }

    /// After a success: the next failure starts from the base again.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn ceilings_double_from_one_second_up_to_five_minutes() {
        let secs: Vec<u64> = (0..12).map(|a| ceiling(a).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
        assert_eq!(ceiling(31), MAX_DELAY);
        assert_eq!(ceiling(32), MAX_DELAY, "no overflow past 2^31");
        assert_eq!(ceiling(u32::MAX), MAX_DELAY);
    }

    #[test]
    fn delays_stay_within_zero_and_the_ceiling() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for attempt in [0, 1, 2, 5, 8, 9, 20, u32::MAX] {
            let draws: Vec<Duration> = (0..500).map(|_| delay(attempt, &mut rng)).collect();
            assert!(draws.iter().all(|d| *d <= ceiling(attempt)), "{attempt}");
            // Full jitter: draws spread over the whole range, not near the top.
            let max = ceiling(attempt).as_millis() as f64;
            let mean = draws.iter().map(|d| d.as_millis() as f64).sum::<f64>() / 500.0;
            assert!(
                (0.4 * max..0.6 * max).contains(&mean),
                "attempt {attempt}: mean {mean} of {max}"
            );
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_schedule() {
        let run = || {
            let mut b = Backoff::new(ChaCha8Rng::seed_from_u64(42));
            (0..10).map(|_| b.next_delay()).collect::<Vec<_>>()
        };
        assert_eq!(run(), run());
    }

    #[test]
    fn attempts_grow_on_failure_and_reset_on_success() {
        let mut b = Backoff::new(ChaCha8Rng::seed_from_u64(7));
        for n in 0..12 {
            assert_eq!(b.attempt(), n);
            assert!(b.next_delay() <= ceiling(n));
        }
        b.reset();
        assert_eq!(b.attempt(), 0);
        assert!(
            b.next_delay() <= BASE_DELAY,
            "after a reset, back to the base"
        );
        assert_eq!(b.attempt(), 1);
    }
}
