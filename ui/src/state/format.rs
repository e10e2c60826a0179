//! How values read on screen: labels for codes, money, minutes and times.
//!
//! Times arrive in UTC; the window passes the tablet's offset from UTC in
//! minutes (east positive), so these stay pure and testable.

use biomend_domain::Money;
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// `"on_hold_parts"` → `"On hold parts"`: codes read as words.
pub fn humanize(code: &str) -> String {
    let words = code.replace(['_', ':'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A work-order kind as people say it: `PM`, not `Pm`.
pub fn kind_label(kind: biomend_domain::work_order::WorkOrderKind) -> String {
    use biomend_domain::work_order::WorkOrderKind::*;
    match kind {
        Pm => "PM".into(),
        Corrective => "Corrective".into(),
        Acceptance => "Acceptance".into(),
        Recall => "Recall".into(),
        Security => "Security".into(),
    }
}

/// A kind code from the wire (`pm`), read the same way.
pub fn kind_code_label(code: &str) -> String {
    biomend_domain::work_order::WorkOrderKind::parse(code)
        .map(kind_label)
        .unwrap_or_else(|| humanize(code))
}

/// Cents as dollars: `$1,234.50`.
pub fn money(m: Money) -> String {
    m.to_string()
}

/// `95` → `"1 h 35 min"`, `40` → `"40 min"`.
pub fn minutes(total: i64) -> String {
    let (h, m) = (total / 60, total % 60);
    match (h, m) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// The local wall-clock time of `t`.
pub fn local(t: DateTime<Utc>, offset_minutes: i32) -> chrono::NaiveDateTime {
    t.naive_utc() + Duration::minutes(i64::from(offset_minutes))
}

/// `14:02` when `t` is on the same local day as `now`, else `Nov 23 14:02`
/// (with the year when it differs).
pub fn clock(t: DateTime<Utc>, now: DateTime<Utc>, offset_minutes: i32) -> String {
    let lt = local(t, offset_minutes);
    let ln = local(now, offset_minutes);
    if lt.date() == ln.date() {
        lt.format("%H:%M").to_string()
    } else if lt.date().year_ce() == ln.date().year_ce() {
        lt.format("%b %-d %H:%M").to_string()
    } else {
        lt.format("%b %-d %Y %H:%M").to_string()
    }
}

use chrono::Datelike;

/// `Nov 25, 2026`.
pub fn date(d: NaiveDate) -> String {
    d.format("%b %-d, %Y").to_string()
}

/// A due date relative to today: `Due today`, `Due in 3 days`,
/// `Overdue by 2 days`, or the date when it is far off.
pub fn due(d: NaiveDate, today: NaiveDate) -> String {
    let days = (d - today).num_days();
    match days {
        0 => "Due today".into(),
        1 => "Due tomorrow".into(),
        -1 => "Overdue by 1 day".into(),
        n if n < 0 => format!("Overdue by {} days", -n),
        n if n <= 14 => format!("Due in {n} days"),
        _ => format!("Due {}", date(d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn codes_read_as_words() {
        assert_eq!(humanize("on_hold_parts"), "On hold parts");
        assert_eq!(humanize("failure:battery"), "Failure battery");
        assert_eq!(humanize(""), "");
        assert_eq!(kind_code_label("pm"), "PM");
        assert_eq!(kind_code_label("corrective"), "Corrective");
        assert_eq!(kind_code_label("odd_kind"), "Odd kind");
    }

    #[test]
    fn minutes_read_as_hours_and_minutes() {
        assert_eq!(minutes(40), "40 min");
        assert_eq!(minutes(120), "2 h");
        assert_eq!(minutes(95), "1 h 35 min");
    }

    #[test]
    fn clock_shows_local_time_and_the_day_only_when_it_differs() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 20, 0, 0).unwrap();
        let t = Utc.with_ymd_and_hms(2026, 11, 25, 19, 2, 0).unwrap();
        // UTC-5: 19:02Z is 14:02 local, the same local day as 15:00.
        assert_eq!(clock(t, now, -300), "14:02");
        let yesterday = Utc.with_ymd_and_hms(2026, 11, 24, 19, 2, 0).unwrap();
        assert_eq!(clock(yesterday, now, -300), "Nov 24 14:02");
        // Just after midnight UTC is still the previous evening in UTC-5.
        let late = Utc.with_ymd_and_hms(2026, 11, 26, 1, 0, 0).unwrap();
        assert_eq!(clock(late, now, -300), "20:00");
        let last_year = Utc.with_ymd_and_hms(2025, 12, 31, 12, 0, 0).unwrap();
        assert_eq!(clock(last_year, now, 0), "Dec 31 2025 12:00");
    }

    #[test]
    fn due_dates_read_relative_to_today() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(due(today, today), "Due today");
        assert_eq!(due(today - Duration::days(2), today), "Overdue by 2 days");
        assert_eq!(due(today + Duration::days(3), today), "Due in 3 days");
        assert_eq!(
            due(NaiveDate::from_ymd_opt(2027, 2, 1).unwrap(), today),
            "Due Feb 1, 2027"
        );
    }
}
