//! A hybrid logical clock: wall-clock milliseconds plus a counter, so
//! events on one device stay in order even when its clock goes backwards,
//! and a device that hears of a later event orders its own after it.
//!
//! The clock orders events for the audit trail only. It never decides
//! which of two conflicting changes wins: the server does, by
//! compare-and-set on the value each change started from.

use crate::ProtocolError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One reading of the hybrid logical clock. Ordered by wall time, then
/// counter, then node, so two devices never produce equal values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Hlc {
    /// Unix time in milliseconds, never behind the last value issued.
    pub millis: u64,
    /// Orders events within one millisecond (or while the wall clock lags).
    pub counter: u32,
    /// The device that issued the value.
    pub node: u32,
}

/// Length of the text form: 16 + 1 + 8 + 1 + 8.
const TEXT_LEN: usize = 34;

impl Hlc {
    /// The value for a new local event, after `last` (the previous value
    /// this device issued, if any) at wall time `now_millis`. Never at or
    /// below `last`, whatever the wall clock says.
    pub fn tick(last: Option<Hlc>, now_millis: u64, node: u32) -> Hlc {
        match last {
            Some(l) if l.millis >= now_millis => Hlc { node, ..l.bump() },
            _ => Hlc {
                millis: now_millis,
                counter: 0,
                node,
            },
        }
    }

    /// The value after receiving `remote` at wall time `now_millis`: later
    /// than both this value and `remote`, keeping this node.
    pub fn observe(self, remote: Hlc, now_millis: u64) -> Hlc {
        let millis = self.millis.max(remote.millis).max(now_millis);
        let counter = match (millis == self.millis, millis == remote.millis) {
            (true, true) => self.counter.max(remote.counter).checked_add(1),
            (true, false) => self.counter.checked_add(1),
            (false, true) => remote.counter.checked_add(1),
            (false, false) => Some(0),
        };
        match counter {
            Some(counter) => Hlc {
                millis,
                counter,
                node: self.node,
            },
            // Four billion events in one millisecond: borrow the next one.
            None => Hlc {
                millis: millis + 1,
                counter: 0,
                node: self.node,
            },
        }
    }

    /// The next value on the same node.
    fn bump(self) -> Hlc {
        match self.counter.checked_add(1) {
            Some(counter) => Hlc { counter, ..self },
            None => Hlc {
                millis: self.millis + 1,
                counter: 0,
                ..self
            },
        }
    }
}

/// Fixed-width lowercase hex, `mmmmmmmmmmmmmmmm-cccccccc-nnnnnnnn`, so the
/// text sorts exactly like the value (and a TEXT column orders by it).
impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:016x}-{:08x}-{:08x}",
            self.millis, self.counter, self.node
        )
    }
}

impl FromStr for Hlc {
    type Err = ProtocolError;
    fn from_str(s: &str) -> Result<Hlc, ProtocolError> {
        let bad = || ProtocolError::BadHlc(s.to_string());
        let b = s.as_bytes();
        if !s.is_ascii() || b.len() != TEXT_LEN || b[16] != b'-' || b[25] != b'-' {
            return Err(bad());
        }
        // Only the form Display writes: lowercase hex digits.
        let hex = |part: &str| {
            part.bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        };
        let (m, c, n) = (&s[..16], &s[17..25], &s[26..]);
        if !(hex(m) && hex(c) && hex(n)) {
            return Err(bad());
        }
        Ok(Hlc {
            millis: u64::from_str_radix(m, 16).map_err(|_| bad())?,
            counter: u32::from_str_radix(c, 16).map_err(|_| bad())?,
            node: u32::from_str_radix(n, 16).map_err(|_| bad())?,
        })
    }
}

impl From<Hlc> for String {
    fn from(h: Hlc) -> String {
        h.to_string()
    }
}

impl TryFrom<String> for Hlc {
    type Error = ProtocolError;
    fn try_from(s: String) -> Result<Hlc, ProtocolError> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 24 * 60 * 60 * 1000;
    const T: u64 = 1_772_463_600_000; // 2026-03-02T15:00:00Z

    #[test]
    fn first_tick_takes_the_wall_clock() {
        assert_eq!(
            Hlc::tick(None, T, 7),
            Hlc {
                millis: T,
                counter: 0,
                node: 7
            }
        );
    }

    #[test]
    fn ticks_in_one_millisecond_count_up() {
        let a = Hlc::tick(None, T, 7);
        let b = Hlc::tick(Some(a), T, 7);
        let c = Hlc::tick(Some(b), T, 7);
        assert!(a < b && b < c);
        assert_eq!((b.millis, b.counter, c.counter), (T, 1, 2));
        // A later wall clock resets the counter.
        let d = Hlc::tick(Some(c), T + 5, 7);
        assert_eq!((d.millis, d.counter), (T + 5, 0));
    }

    #[test]
    fn a_clock_going_backwards_never_moves_the_hlc_back() {
        let a = Hlc::tick(None, T, 7);
        let b = Hlc::tick(Some(a), T - DAY, 7);
        assert!(b > a, "{b} must follow {a}");
        assert_eq!((b.millis, b.counter), (T, 1));
        let c = Hlc::tick(Some(b), T - DAY + 1, 7);
        assert!(c > b);
        // Once the wall clock passes the HLC again, it takes over.
        let d = Hlc::tick(Some(c), T + 1, 7);
        assert_eq!((d.millis, d.counter), (T + 1, 0));
    }

    #[test]
    fn observing_a_remote_clock_a_day_ahead_orders_later_events_after_it() {
        let local = Hlc::tick(None, T, 7);
        let remote = Hlc {
            millis: T + DAY,
            counter: 3,
            node: 9,
        };
        let seen = local.observe(remote, T + 10);
        assert!(seen > remote && seen > local);
        assert_eq!(
            seen,
            Hlc {
                millis: T + DAY,
                counter: 4,
                node: 7
            }
        );
        // Local events keep following it while the wall clock lags.
        let next = Hlc::tick(Some(seen), T + 20, 7);
        assert!(next > seen);
        assert_eq!((next.millis, next.counter), (T + DAY, 5));
    }

    #[test]
    fn observe_takes_the_largest_of_three() {
        let local = Hlc {
            millis: T,
            counter: 4,
            node: 1,
        };
        let remote = Hlc {
            millis: T,
            counter: 9,
            node: 2,
        };
        assert_eq!(local.observe(remote, T - 5).counter, 10);
        assert_eq!(local.observe(remote, T + 5), Hlc::tick(None, T + 5, 1));
        let behind = Hlc {
            millis: T - DAY,
            counter: 0,
            node: 2,
        };
        assert_eq!(local.observe(behind, T - 5).counter, 5);
    }

    #[test]
    fn counter_overflow_borrows_the_next_millisecond() {
        let full = Hlc {
            millis: T,
            counter: u32::MAX,
            node: 1,
        };
        let next = Hlc::tick(Some(full), T, 1);
        assert_eq!((next.millis, next.counter), (T + 1, 0));
        assert!(next > full);
        assert!(full.observe(full, T) > full);
    }

    #[test]
    fn text_form_is_fixed_width_and_sorts_like_the_value() {
        let h = Hlc {
            millis: T,
            counter: 1,
            node: 0xdead_beef,
        };
        assert_eq!(h.to_string(), "0000019caf103180-00000001-deadbeef");
        assert_eq!(h.to_string().parse::<Hlc>(), Ok(h));
        let mut values = [
            Hlc::tick(None, T, u32::MAX),
            Hlc::tick(None, 0, 0),
            Hlc {
                millis: T,
                counter: 0x10,
                node: 0,
            },
            Hlc {
                millis: T,
                counter: 0x9,
                node: 5,
            },
            Hlc {
                millis: u64::MAX,
                counter: u32::MAX,
                node: u32::MAX,
            },
            Hlc {
                millis: 0xa,
                counter: 0,
                node: 0,
            },
        ];
        let mut texts: Vec<String> = values.iter().map(Hlc::to_string).collect();
        values.sort();
        texts.sort();
        assert!(texts.iter().all(|t| t.len() == TEXT_LEN));
        assert_eq!(texts, values.iter().map(Hlc::to_string).collect::<Vec<_>>());
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(json, "\"0000019caf103180-00000001-deadbeef\"");
        assert_eq!(serde_json::from_str::<Hlc>(&json).unwrap(), h);
    }

    #[test]
    fn only_the_canonical_text_parses() {
        for bad in [
            "",
            "0000019caf103180-00000001",
            "0000019CAF27AD80-00000001-deadbeef",
            "0000019caf103180_00000001-deadbeef",
            "+000019caf27ad80-00000001-deadbeef",
            "0000019caf103180-0000000g-deadbeef",
            "0000019caf103180-00000001-deadbeef0",
            "0000019caf103180-00000001-deadbeé",
        ] {
            assert_eq!(
                bad.parse::<Hlc>(),
                Err(ProtocolError::BadHlc(bad.to_string())),
                "{bad:?}"
            );
        }
    }
}
