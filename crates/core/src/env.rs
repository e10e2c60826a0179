//! The two things a use case needs from the outside world besides the
//! store: the time and fresh ids. Both are injected so tests (and, later,
//! sync simulations) are deterministic.

use chrono::{DateTime, Local, NaiveDate, Utc};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::Mutex;

/// A source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
    /// The calendar date where the device is; due dates are local dates.
    fn today(&self) -> NaiveDate;
}

/// The device's real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
    fn today(&self) -> NaiveDate {
        Local::now().date_naive()
    }
}

/// A clock that stands still until moved; for tests and demos.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        FixedClock(Mutex::new(at))
    }
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }
    pub fn advance(&self, d: chrono::Duration) {
        let mut g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *g += d;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
    fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// Mints UUIDv7 ids: the time part from the clock, the random part from a
/// ChaCha stream seeded by the OS (or by a test's seed).
#[derive(Debug)]
pub struct IdGen(ChaCha8Rng);

impl IdGen {
    pub fn from_os() -> Self {
        let mut seed = [0u8; 32];
        // An OS without a random source cannot run Biomend safely anyway;
        // fall back to the time so ids stay unique on this device.
        if getrandom::fill(&mut seed).is_err() {
            let t = Utc::now().timestamp_nanos_opt().unwrap_or_default();
            seed[..8].copy_from_slice(&t.to_le_bytes());
        }
        IdGen(ChaCha8Rng::from_seed(seed))
    }
    pub fn seeded(seed: u64) -> Self {
        IdGen(ChaCha8Rng::seed_from_u64(seed))
    }
    pub fn bytes(&mut self) -> [u8; 10] {
        let mut b = [0u8; 10];
        self.0.fill_bytes(&mut b);
        b
    }
}
