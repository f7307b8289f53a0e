//! Dates as exporters write them, turned into the team's calendar days: ISO 8601 / RFC 3339
//! timestamps with an offset (`2024-03-01T23:30:00Z`, `…+02:00`: converted to the chosen
//! time zone), ISO dates and local date-times (`2024-03-01`, `2024-03-01 10:00`: taken as
//! written), and Jira's `30/Jul/18 23:33` / `30/Jul/18 11:33 PM` (local, as written).
//!
//! jiff does the parsing and the time-zone arithmetic (with its bundled time-zone database,
//! so the same export gives the same days on every machine).

use jiff::tz::{Offset, TimeZone};

use crate::model::Date;

/// Jira's formats, with two- and four-digit years, 24-hour and AM/PM clocks.
const JIRA_FORMATS: &[&str] = &[
    "%d/%b/%y %H:%M",
    "%d/%b/%y %I:%M %p",
    "%d/%b/%Y %H:%M",
    "%d/%b/%Y %I:%M %p",
    "%d/%b/%y",
    "%d/%b/%Y",
];

/// The time zone whose calendar days items are counted in: `UTC`, a fixed offset such as
/// `+02:00` or `-0530`, or an IANA name such as `Europe/Berlin`.
pub fn parse_time_zone(text: &str) -> Result<TimeZone, String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("utc") || t == "Z" {
        return Ok(TimeZone::UTC);
    }
    if let Some(offset) = fixed_offset(t) {
        return Ok(TimeZone::fixed(offset));
    }
    TimeZone::get(t).map_err(|_| {
        format!("`{t}` is not a time zone: write UTC, an offset such as +02:00, or a name such as Europe/Berlin")
    })
}

/// `+HH:MM`, `-HHMM` or `+HH`.
fn fixed_offset(t: &str) -> Option<Offset> {
    let sign = match t.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = t[1..].chars().filter(|c| *c != ':').collect();
    if !(digits.len() == 2 || digits.len() == 4) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = if digits.len() == 4 {
        digits[2..].parse().ok()?
    } else {
        0
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()
}

/// The years an export's dates may be in: no work tracker is older, and a date beyond them
/// is a placeholder (`9999-12-31`, `1900-01-01`) or a typo that would stretch the history
/// over centuries of empty periods.
pub const YEARS: std::ops::RangeInclusive<i32> = 1970..=2099;

/// The calendar day of a timestamp cell in `zone`; `Ok(None)` for an empty cell. The error
/// says which forms are understood, or that the day is outside [`YEARS`].
pub fn local_date(text: &str, zone: &TimeZone) -> Result<Option<Date>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let day = parse_day(t, zone).ok_or_else(|| {
        format!(
            "`{}` is not a date: expected ISO 8601 (2024-03-01, 2024-03-01T09:30:00Z) or Jira's 30/Jul/18 23:33",
            super::quoted_cell(t)
        )
    })?;
    if !YEARS.contains(&day.year) {
        return Err(format!(
            "{day} is outside the years {} to {} an export's dates may be in: a placeholder for \
             no date? Leave the cell empty, or correct it",
            YEARS.start(),
            YEARS.end()
        ));
    }
    Ok(Some(day))
}

/// The day of a timestamp (in `zone`), a date, a local date-time or a Jira date.
fn parse_day(t: &str, zone: &TimeZone) -> Option<Date> {
    if let Ok(instant) = t.parse::<jiff::Timestamp>() {
        return from_civil(instant.to_zoned(zone.clone()).date());
    }
    if let Some(d) = iso_prefix(t) {
        return Some(d);
    }
    JIRA_FORMATS.iter().find_map(|format| {
        let parsed = jiff::fmt::strtime::parse(format, t).ok()?;
        from_civil(parsed.to_date().ok()?)
    })
}

/// `YYYY-MM-DD` alone or followed by a local time of day (`T10:30`, ` 10:30:15.250`), and
/// nothing else: `2027-01-08Tgarbage` is not a date, nor is a timestamp whose offset could not
/// be read (`…+99:00`).
fn iso_prefix(t: &str) -> Option<Date> {
    let head = t.get(..10)?;
    let rest = &t[10..];
    let time_of_day = |t: &str| {
        t.bytes()
            .all(|b| b.is_ascii_digit() || b == b':' || b == b'.')
            && t.parse::<jiff::civil::Time>().is_ok()
    };
    if !(rest.is_empty() || (rest.starts_with(['T', 't', ' ']) && time_of_day(&rest[1..]))) {
        return None;
    }
    head.parse().ok()
}

/// A timestamp cell as a moment: its day in `zone` and its instant, in seconds since 1970
/// (dates and local date-times read in `zone`; digits alone are seconds since 1970, or
/// milliseconds when they are 12 digits or more, as Opsgenie writes them); `Ok(None)` for an
/// empty cell.
pub fn local_moment(text: &str, zone: &TimeZone) -> Result<Option<(Date, i64)>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let (day, seconds) = parse_moment(t, zone).ok_or_else(|| {
        format!(
            "`{}` is not a date and time: expected ISO 8601 (2024-03-01T09:30:00Z, 2024-03-01 \
             09:30), Jira's 30/Jul/18 23:33, or seconds or milliseconds since 1970",
            super::quoted_cell(t)
        )
    })?;
    if !YEARS.contains(&day.year) {
        return Err(format!(
            "{day} is outside the years {} to {} an export's dates may be in",
            YEARS.start(),
            YEARS.end()
        ));
    }
    Ok(Some((day, seconds)))
}

/// The day and instant of a timestamp, a date or local date-time (in `zone`), a Jira date or
/// a count of seconds or milliseconds since 1970.
fn parse_moment(t: &str, zone: &TimeZone) -> Option<(Date, i64)> {
    let instant = if let Ok(instant) = t.parse::<jiff::Timestamp>() {
        instant
    } else if t.len() >= 9 && t.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = t.parse().ok()?;
        let seconds = if t.len() >= 12 { n / 1000 } else { n };
        jiff::Timestamp::from_second(seconds).ok()?
    } else {
        let civil = if iso_prefix(t).is_some() {
            match t.get(10..) {
                Some("") => t
                    .parse::<jiff::civil::Date>()
                    .ok()?
                    .to_datetime(jiff::civil::Time::midnight()),
                _ => t
                    .replacen(' ', "T", 1)
                    .parse::<jiff::civil::DateTime>()
                    .ok()?,
            }
        } else {
            JIRA_FORMATS.iter().find_map(|format| {
                let parsed = jiff::fmt::strtime::parse(format, t).ok()?;
                parsed.to_datetime().ok().or_else(|| {
                    Some(
                        parsed
                            .to_date()
                            .ok()?
                            .to_datetime(jiff::civil::Time::midnight()),
                    )
                })
            })?
        };
        zone.to_ambiguous_zoned(civil)
            .compatible()
            .ok()?
            .timestamp()
    };
    let day = from_civil(instant.to_zoned(zone.clone()).date())?;
    Some((day, instant.as_second()))
}

fn from_civil(d: jiff::civil::Date) -> Option<Date> {
    Date::new(i32::from(d.year()), d.month() as u32, d.day() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Option<Date> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn offsets_move_timestamps_into_the_team_s_day() {
        let utc = TimeZone::UTC;
        let berlin = parse_time_zone("Europe/Berlin").unwrap();
        let pacific = parse_time_zone("-08:00").unwrap();
        let late = "2024-03-01T23:30:00Z";
        assert_eq!(local_date(late, &utc).unwrap(), day("2024-03-01"));
        assert_eq!(local_date(late, &berlin).unwrap(), day("2024-03-02"));
        assert_eq!(
            local_date("2024-03-02T01:30:00+02:00", &utc).unwrap(),
            day("2024-03-01")
        );
        assert_eq!(
            local_date("2024-03-02T01:30:00.250Z", &pacific).unwrap(),
            day("2024-03-01")
        );
        // Summer time: 22:30 UTC in July is already the next day in Berlin.
        assert_eq!(
            local_date("2024-07-01T22:30:00Z", &berlin).unwrap(),
            day("2024-07-02")
        );
    }

    #[test]
    fn local_and_jira_forms_are_taken_as_written() {
        let berlin = parse_time_zone("Europe/Berlin").unwrap();
        assert_eq!(
            local_date("2024-03-01", &berlin).unwrap(),
            day("2024-03-01")
        );
        assert_eq!(
            local_date("2024-03-01 23:59", &berlin).unwrap(),
            day("2024-03-01")
        );
        assert_eq!(
            local_date("30/Jul/18 23:33", &berlin).unwrap(),
            day("2018-07-30")
        );
        assert_eq!(
            local_date("30/Jul/18 11:33 PM", &berlin).unwrap(),
            day("2018-07-30")
        );
        assert_eq!(
            local_date("02/Jan/2024 9:05 AM", &berlin).unwrap(),
            day("2024-01-02")
        );
        assert_eq!(local_date("  ", &berlin).unwrap(), None);
        assert_eq!(
            local_date("2024-03-01T23:59:30.5", &berlin).unwrap(),
            day("2024-03-01")
        );
        for bad in [
            "2027-01-08Tgarbage",
            "2027-01-08 garbage",
            "2027-01-08T10:00:00+99:00",
            "2027-01-08T25:00",
            "2027-01-08x",
            "30/Jul/18 23:33garbage",
            "30/Jul/18 23:33 +99:00",
        ] {
            assert!(local_date(bad, &berlin).is_err(), "{bad}");
        }
        let e = local_date("yesterday", &berlin).unwrap_err();
        assert!(e.contains("not a date"), "{e}");
        assert!(local_date("2024-02-30", &berlin).is_err());
        let e = local_date("9999-12-31", &berlin).unwrap_err();
        assert!(e.contains("outside the years 1970 to 2099"), "{e}");
        assert!(
            local_date("1969-12-31T23:00:00Z", &berlin).is_ok(),
            "1970 in Berlin"
        );
        assert!(local_date("1900-01-01", &berlin).is_err());
    }

    #[test]
    fn moments_keep_the_time_of_day() {
        let berlin = parse_time_zone("Europe/Berlin").unwrap();
        let utc = TimeZone::UTC;
        let (d, a) = local_moment("2024-03-01T23:30:00Z", &berlin)
            .unwrap()
            .unwrap();
        assert_eq!(Some(d), day("2024-03-02"));
        let (_, b) = local_moment("2024-03-02 02:30", &berlin).unwrap().unwrap();
        assert_eq!(b - a, 2 * 3600, "02:30 in Berlin is 01:30 UTC");
        let (_, c) = local_moment("1709335800000", &utc).unwrap().unwrap();
        assert_eq!(c, a, "milliseconds since 1970");
        let (_, e) = local_moment("02/Mar/24 2:30 AM", &berlin).unwrap().unwrap();
        assert_eq!(e, b);
        let (d, f) = local_moment("2024-03-02", &utc).unwrap().unwrap();
        assert_eq!((Some(d), f % 86_400), (day("2024-03-02"), 0));
        assert_eq!(local_moment(" ", &utc).unwrap(), None);
        for bad in ["2024-03-01Tgarbage", "soon", "2024-13-01 10:00"] {
            assert!(local_moment(bad, &utc).is_err(), "{bad}");
        }
    }

    #[test]
    fn time_zones_parse() {
        assert!(parse_time_zone("UTC").is_ok());
        assert!(parse_time_zone("+0530").is_ok());
        assert!(parse_time_zone("America/New_York").is_ok());
        assert!(parse_time_zone("Mars/Olympus").is_err());
        assert!(parse_time_zone("+25:00").is_err());
    }
}
