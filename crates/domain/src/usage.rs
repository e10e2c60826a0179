//! Usage windows: when a department uses a device type, so maintenance can
//! be placed where it disturbs care least.

use crate::ids::{DepartmentId, DeviceTypeId, UsageWindowId};
use chrono::{Datelike, NaiveDateTime, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UsageWindow {
    pub id: UsageWindowId,
    pub department_id: DepartmentId,
    /// `None` means every device type in the department.
    pub device_type_id: Option<DeviceTypeId>,
    /// Bit 0 = Monday … bit 6 = Sunday.
    pub weekdays: u8,
    pub starts: NaiveTime,
    pub ends: NaiveTime,
}

pub const WEEKDAYS: u8 = 0b001_1111;
pub const EVERY_DAY: u8 = 0b111_1111;

impl UsageWindow {
    pub fn on_day(&self, day: Weekday) -> bool {
        self.weekdays & (1 << day.num_days_from_monday()) != 0
    }

    /// Is the device busy at this local time? A window whose end is before
    /// its start runs past midnight (e.g. 19:00–07:00 night shift).
    pub fn is_busy(&self, at: NaiveDateTime) -> bool {
        let t = at.time();
        if self.starts <= self.ends {
            self.on_day(at.weekday()) && t >= self.starts && t < self.ends
        } else {
            (self.on_day(at.weekday()) && t >= self.starts)
                || (self.on_day(at.weekday().pred()) && t < self.ends)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    #[test]
    fn or_busy_weekdays_daytime() {
        let w = UsageWindow {
            id: UsageWindowId::new(0, [0; 10]),
            department_id: DepartmentId::new(0, [0; 10]),
            device_type_id: None,
            weekdays: WEEKDAYS,
            starts: NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
            ends: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
        };
        assert!(w.is_busy(at(2026, 11, 23, 9))); // Monday
        assert!(!w.is_busy(at(2026, 11, 23, 17)));
        assert!(!w.is_busy(at(2026, 11, 22, 9))); // Sunday
    }

    #[test]
    fn overnight_window_wraps_midnight() {
        let w = UsageWindow {
            id: UsageWindowId::new(0, [0; 10]),
            department_id: DepartmentId::new(0, [0; 10]),
            device_type_id: None,
            weekdays: 1, // Monday nights
            starts: NaiveTime::from_hms_opt(19, 0, 0).unwrap(),
            ends: NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
        };
        assert!(w.is_busy(at(2026, 11, 23, 22))); // Monday 22:00
        assert!(w.is_busy(at(2026, 11, 24, 3))); // Tuesday 03:00, Monday's night
        assert!(!w.is_busy(at(2026, 11, 24, 22))); // Tuesday night not in mask
    }
}
