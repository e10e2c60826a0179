//! Seeded randomness, id minting and time helpers shared by the generators.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// SplitMix64 finalizer: turns (seed, stream, key) into well-mixed bits,
/// so independent parts of the generator get independent streams and a
/// change in one part never shifts another.
pub(crate) fn mix(a: u64, b: u64, c: u64) -> u64 {
    let mut z = a
        .wrapping_add(b.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(c.wrapping_mul(0xD1B5_4A32_D192_ED03));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform number in [0, 1) from mixed bits.
pub(crate) fn unit(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// Named streams: reference data, inventory and history draw from separate
/// generators so, e.g., a bigger inventory leaves the reference ids alone.
pub(crate) mod stream {
    pub const REFERENCE: u64 = 1;
    pub const INVENTORY: u64 = 2;
    pub const HISTORY: u64 = 3;
    pub const PM: u64 = 4;
    pub const LIFECYCLE: u64 = 5;
}

#[derive(Debug)]
pub(crate) struct Gen {
    pub rng: ChaCha8Rng,
}

impl Gen {
    pub fn new(seed: u64, stream: u64) -> Gen {
        Gen {
            rng: ChaCha8Rng::seed_from_u64(mix(seed, stream, 0)),
        }
    }

    /// The 10 random bytes of a UUIDv7.
    pub fn bytes(&mut self) -> [u8; 10] {
        let mut b = [0u8; 10];
        self.rng.fill_bytes(&mut b);
        b
    }

    pub fn f(&mut self) -> f64 {
        self.rng.random::<f64>()
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    /// Uniform in `lo..=hi`.
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            self.rng.random_range(lo..=hi)
        }
    }

    pub fn idx(&mut self, len: usize) -> usize {
        if len <= 1 {
            0
        } else {
            self.rng.random_range(0..len)
        }
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.idx(items.len())]
    }

    /// Index drawn with probability proportional to `weights`.
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.f() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }

    /// Poisson count with small mean (inverse transform).
    pub fn poisson(&mut self, mean: f64) -> u32 {
        if mean <= 0.0 {
            return 0;
        }
        let mut p = (-mean).exp();
        let mut cdf = p;
        let u = self.f();
        let mut k = 0u32;
        while u > cdf && k < 50 {
            k += 1;
            p *= mean / f64::from(k);
            cdf += p;
        }
        k
    }
}

pub(crate) fn at(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN))
        .and_utc()
}

pub(crate) fn ms(t: DateTime<Utc>) -> u64 {
    t.timestamp_millis().max(0) as u64
}

pub(crate) fn day_ms(d: NaiveDate) -> u64 {
    ms(at(d, 8, 0))
}

pub(crate) fn days(n: i64) -> TimeDelta {
    TimeDelta::days(n)
}

pub(crate) fn minutes(n: i64) -> TimeDelta {
    TimeDelta::minutes(n)
}
