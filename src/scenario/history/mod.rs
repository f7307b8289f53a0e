//! Throughput histories for `fulcrum forecast`: a comma-separated list of per-period counts,
//! or a CSV file holding either a column of per-period counts or a column of item finish
//! dates (turned into per-period counts, zero periods included, periods of days counted in
//! working days); the `--split-rate`, `--holidays` and `--window` notations in [`notations`].
//! Parsing only: whether a history can forecast anything is checked in
//! [`simulate::forecast`](crate::simulate::forecast).

use std::path::{Path, PathBuf};

use crate::model::history::{PeriodGrid, count_per_period};
use crate::model::{Calendar, Date, PeriodLength, PeriodUnit};

use super::fields::{Quantity, show};
use super::limits::{self, Bounded, Exceeded, MAX_HISTORY_ROWS, MAX_ITEMS};

pub mod notations;
pub use notations::{Window, parse_holidays, parse_split_rate, parse_window};

/// Why a history (or a split rate) was rejected. Messages say what was found and what to do.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The list of counts is empty or blank.
    #[error("the throughput history is empty: give at least one per-period count")]
    Empty,
    /// An entry of the list is not a number.
    #[error("history entry {position} is `{text}`, not a number: write counts like 3,5,2")]
    NotANumber {
        /// The entry's position in the list, from 1.
        position: usize,
        /// The entry, cut to 40 characters.
        text: String,
    },
    /// An entry of the list is negative, infinite or NaN.
    #[error("history entry {position} is {value}: counts must be finite and at least 0")]
    Negative {
        /// The entry's position in the list, from 1.
        position: usize,
        /// The number read.
        value: f64,
    },
    /// An entry of the list is more than 1,000,000 items per period, the limit of a capacity.
    #[error(
        "history entry {position} is {}: more than {} items per period; count in a larger unit",
        show(*value),
        show(Quantity::Days.limit())
    )]
    TooBig {
        /// The entry's position in the list, from 1.
        position: usize,
        /// The count read.
        value: f64,
    },
    /// The list or the count column has more than [`MAX_ITEMS`] periods.
    #[error(
        "the history has {count} periods, more than the {MAX_ITEMS} a forecast may use: keep the \
         most recent {MAX_ITEMS}"
    )]
    TooLong {
        /// The number of periods given: entries of the list, or rows of the column.
        count: usize,
    },
    /// The history file has more than `limit` bytes.
    #[error(
        "{} is larger than {}, the most a history file may have",
        path.display(),
        limits::bytes_in_words(*limit)
    )]
    TooLarge {
        /// The history file.
        path: PathBuf,
        /// The most bytes a history file may have.
        limit: u64,
    },
    /// The history file cannot be opened.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The history file.
        path: PathBuf,
        /// Why it cannot be opened.
        source: std::io::Error,
    },
    /// A row of the history file cannot be read as CSV, or its first cell is not a count or a
    /// date like the rows before it.
    #[error("{}:{line}: {message}", path.display())]
    Csv {
        /// The history file.
        path: PathBuf,
        /// The row's line in the file, from 1; 0 when the CSV reader does not know it.
        line: usize,
        /// What is wrong with the row.
        message: String,
    },
    /// An entry of `--holidays` is not a date `YYYY-MM-DD`.
    #[error("--holidays: {why}")]
    Holidays {
        /// The entry.
        text: String,
        /// Why it is not a date.
        why: String,
    },
    /// `--window` is neither a number of periods above 0 nor a length.
    #[error("--window `{text}`: {why}")]
    Window {
        /// The `--window` argument, as given.
        text: String,
        /// What is wrong with it.
        why: String,
    },
    /// No finish date of the history file is on or after `--since`.
    #[error("{}: no finish date on or after --since {since}", path.display())]
    NoneSince {
        /// The history file.
        path: PathBuf,
        /// The `--since` day.
        since: Date,
    },
    /// The history file has more than [`MAX_HISTORY_ROWS`] rows.
    #[error(
        "{}: more than {MAX_HISTORY_ROWS} data rows, the most a history file may have",
        path.display()
    )]
    TooManyRows {
        /// The history file.
        path: PathBuf,
    },
    /// A line of the history file is longer than `limit` bytes.
    #[error(
        "{}: a line is longer than {limit} bytes, the most a history file's line may have: is it a CSV file?",
        path.display()
    )]
    LongLine {
        /// The history file.
        path: PathBuf,
        /// The most bytes a line may have.
        limit: usize,
    },
    /// The finish dates span more than [`MAX_ITEMS`] periods.
    #[error(
        "{}: the finish dates span {days} days, more than {MAX_ITEMS} periods of {period}: give a recent part of the history, or a longer --period",
        path.display()
    )]
    TooManyPeriods {
        /// The history file.
        path: PathBuf,
        /// Calendar days from the first finish date (on or after `--since`) to the last, both
        /// included.
        days: i64,
        /// The length of the periods the dates are counted in.
        period: PeriodLength,
    },
    /// The history file has no data row: it is empty, blank, or a header alone.
    #[error("{}: no data rows: expected a column of per-period counts or of finish dates (YYYY-MM-DD)", path.display())]
    NoRows {
        /// The history file.
        path: PathBuf,
    },
    /// The finish dates do not fill one whole period.
    #[error(
        "{}: the finish dates span {days} day(s), less than one {period} period: give a longer history or a shorter --period",
        path.display()
    )]
    TooShort {
        /// The history file.
        path: PathBuf,
        /// Calendar days from the first period's start (`--since`, else the first finish date)
        /// to the last finish date, both included.
        days: i64,
        /// The length of the periods the dates are counted in.
        period: PeriodLength,
    },
    /// `--split-rate` is not a number or interval above 0 and at most 100 (items per backlog
    /// item).
    #[error("--split-rate `{text}`: {why}")]
    SplitRate {
        /// The `--split-rate` argument, as given.
        text: String,
        /// What is wrong with it.
        why: String,
    },
}

/// Where a history came from and what it holds.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// Items finished in each period, oldest first.
    pub counts: Vec<f64>,
    /// For a history of finish dates: the first day of the first period.
    pub first_day: Option<Date>,
    /// For a history of finish dates: days at the end that did not fill a whole period and
    /// were left out (a partial period would understate throughput).
    pub days_left_out: i64,
    /// For a history of finish dates: the periods counted (their dates, on the calendar).
    pub grid: Option<PeriodGrid>,
}

/// Parses `3,5,2,...` (spaces allowed; a trailing comma is not an entry).
pub fn parse_list(text: &str) -> Result<Vec<f64>, HistoryError> {
    if text.trim().is_empty() {
        return Err(HistoryError::Empty);
    }
    let mut counts = Vec::new();
    let entries: Vec<&str> = text.split(',').map(str::trim).collect();
    let last = entries.len().saturating_sub(1);
    for (k, entry) in entries.into_iter().enumerate() {
        if entry.is_empty() && k == last && k > 0 {
            break;
        }
        counts.push(count(entry, k + 1)?);
        if counts.len() > MAX_ITEMS {
            return Err(HistoryError::TooLong { count: last + 1 });
        }
    }
    check_counts(&counts)?;
    if counts.is_empty() {
        return Err(HistoryError::Empty);
    }
    Ok(counts)
}

/// Every count within the magnitude limit of a capacity.
fn check_counts(counts: &[f64]) -> Result<(), HistoryError> {
    match counts.iter().position(|&c| c > Quantity::Days.limit()) {
        Some(k) => Err(HistoryError::TooBig {
            position: k + 1,
            value: counts[k],
        }),
        None => Ok(()),
    }
}

/// One per-period count: a finite number, at least 0.
fn count(text: &str, position: usize) -> Result<f64, HistoryError> {
    let value: f64 = text.parse().map_err(|_| HistoryError::NotANumber {
        position,
        text: shorten(text),
    })?;
    if !value.is_finite() || value < 0.0 {
        return Err(HistoryError::Negative { position, value });
    }
    Ok(value)
}

/// Reads a history CSV (see [`parse_csv`]) as a stream: at most
/// [`limits::MAX_HISTORY_BYTES`], in lines of at most [`limits::MAX_HISTORY_LINE_BYTES`].
pub fn read_csv(path: &Path, period: Option<PeriodLength>) -> Result<History, HistoryError> {
    read_csv_on(path, &DateCounting::new(period))
}

/// How finish dates become per-period counts.
#[derive(Clone, Debug, PartialEq)]
pub struct DateCounting {
    /// Period length (default: one day).
    pub period: PeriodLength,
    /// Working days (periods of days only).
    pub calendar: Calendar,
    /// Count only dates from this day on; period 1 starts on it.
    pub since: Option<Date>,
}

impl DateCounting {
    /// Periods of `period` (default one day) on the default calendar for that length
    /// (weekends off for days), from the first date.
    pub fn new(period: Option<PeriodLength>) -> DateCounting {
        let period = period.unwrap_or(PeriodLength {
            count: 1,
            unit: PeriodUnit::Day,
        });
        DateCounting {
            period,
            calendar: Calendar::for_period(period, None, Vec::new()),
            since: None,
        }
    }
}

/// Reads a history CSV, counting finish dates as `counting` says (see [`parse_csv_on`]), as a
/// stream: at most [`limits::MAX_HISTORY_BYTES`], in lines of at most
/// [`limits::MAX_HISTORY_LINE_BYTES`].
pub fn read_csv_on(path: &Path, counting: &DateCounting) -> Result<History, HistoryError> {
    let (file, size) = limits::open_input(path).map_err(|source| HistoryError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let too_large = || HistoryError::TooLarge {
        path: path.to_path_buf(),
        limit: limits::MAX_HISTORY_BYTES,
    };
    if size.is_some_and(|size| size > limits::MAX_HISTORY_BYTES) {
        return Err(too_large());
    }
    let reader = Bounded::new(
        file,
        limits::MAX_HISTORY_BYTES,
        limits::MAX_HISTORY_LINE_BYTES,
    );
    parse_csv_from(path, reader, counting)
}

/// A cell or entry for a message: at most 40 characters of it.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// A history CSV: its first column holds either per-period counts or item finish dates
/// (`YYYY-MM-DD`, optionally followed by a time); a header row is allowed; blank lines are
/// skipped. Finish dates become counts per `period` (default: per day) from the first date's
/// day, including periods in which nothing finished; a partial last period is left out. Only
/// the first column must be UTF-8 text: the others are not read.
pub fn parse_csv(
    path: &Path,
    text: &str,
    period: Option<PeriodLength>,
) -> Result<History, HistoryError> {
    parse_csv_on(path, text, &DateCounting::new(period))
}

/// [`parse_csv`] with finish dates counted per `counting.period` on `counting.calendar`
/// (a finish on a day off counts on the next working day), from `counting.since` or the
/// first date.
pub fn parse_csv_on(
    path: &Path,
    text: &str,
    counting: &DateCounting,
) -> Result<History, HistoryError> {
    parse_csv_from(path, text.as_bytes(), counting)
}

fn parse_csv_from(
    path: &Path,
    input: impl std::io::Read,
    counting: &DateCounting,
) -> Result<History, HistoryError> {
    let csv_error = |line: usize, message: String| HistoryError::Csv {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input);
    let mut column = Column::default();
    for (rows, record) in reader.byte_records().enumerate() {
        if rows >= MAX_HISTORY_ROWS {
            return Err(HistoryError::TooManyRows {
                path: path.to_path_buf(),
            });
        }
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            match e.kind() {
                csv::ErrorKind::Io(io) => match limits::exceeded(io) {
                    Some(Exceeded::Size(limit)) => HistoryError::TooLarge {
                        path: path.to_path_buf(),
                        limit,
                    },
                    Some(Exceeded::Line(limit)) => HistoryError::LongLine {
                        path: path.to_path_buf(),
                        limit,
                    },
                    None => csv_error(line, format!("cannot read: {io}")),
                },
                _ => csv_error(line, format!("not readable as CSV: {e}")),
            }
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(<[u8]>::is_empty) {
            continue;
        }
        let cell = std::str::from_utf8(record.get(0).unwrap_or_default()).map_err(|e| {
            csv_error(
                line,
                format!(
                    "the first column is not UTF-8 text (byte {} of the cell): save the file as UTF-8",
                    e.valid_up_to() + 1
                ),
            )
        })?;
        column
            .push(line, cell)
            .map_err(|message| csv_error(line, message))?;
    }
    column.into_history(path, counting)
}

/// The first column of a history CSV as it is read: counts or finish dates, whichever the
/// first data row holds.
#[derive(Default)]
struct Column {
    counts: Vec<f64>,
    dates: Vec<Date>,
    seen_data: bool,
}

impl Column {
    /// The history the column holds: its counts, or its dates counted as `counting` says.
    fn into_history(self, path: &Path, counting: &DateCounting) -> Result<History, HistoryError> {
        let Column {
            counts,
            mut dates,
            seen_data,
        } = self;
        if !seen_data {
            return Err(HistoryError::NoRows {
                path: path.to_path_buf(),
            });
        }
        if dates.is_empty() {
            if counts.len() > MAX_ITEMS {
                return Err(HistoryError::TooLong {
                    count: counts.len(),
                });
            }
            return Ok(History {
                counts,
                first_day: None,
                days_left_out: 0,
                grid: None,
            });
        }
        if let Some(since) = counting.since {
            dates.retain(|&d| d >= since);
            if dates.is_empty() {
                return Err(HistoryError::NoneSince {
                    path: path.to_path_buf(),
                    since,
                });
            }
        }
        let period = counting.period;
        let (first, last) = dates
            .iter()
            .fold((dates[0], dates[0]), |(lo, hi), &d| (lo.min(d), hi.max(d)));
        let days = last.to_days() - first.to_days() + 1;
        if days as f64 / period.calendar_days() > MAX_ITEMS as f64 {
            return Err(HistoryError::TooManyPeriods {
                path: path.to_path_buf(),
                days,
                period,
            });
        }
        counts_from_dates(&mut dates, counting).map_err(|days| HistoryError::TooShort {
            path: path.to_path_buf(),
            days,
            period,
        })
    }

    /// Reads the first cell of the row on `line`: a header (the first line, if it is
    /// neither), a count or a date, like the rows before it.
    fn push(&mut self, line: usize, cell: &str) -> Result<(), String> {
        let shown = shorten(cell);
        let as_date = date_prefix(cell);
        let as_number = cell.parse::<f64>().ok();
        if !self.seen_data && as_date.is_none() && as_number.is_none() {
            if line == 1 {
                return Ok(()); // a header
            }
            return Err(format!(
                "`{shown}` is neither a count nor a date (YYYY-MM-DD)"
            ));
        }
        let dated = if self.seen_data {
            !self.dates.is_empty()
        } else {
            as_date.is_some()
        };
        self.seen_data = true;
        if dated {
            let date = as_date.ok_or_else(|| {
                format!("`{shown}` is not a date of the form YYYY-MM-DD, like the rows above")
            })?;
            self.dates.push(date);
            return Ok(());
        }
        let value =
            as_number.ok_or_else(|| format!("`{shown}` is not a number, like the counts above"))?;
        if !value.is_finite() || value < 0.0 {
            return Err(format!(
                "{value} is not a count: counts must be finite and at least 0"
            ));
        }
        if value > Quantity::Days.limit() {
            return Err(format!(
                "{} items in one period is more than {}: count in a larger unit",
                show(value),
                show(Quantity::Days.limit())
            ));
        }
        self.counts.push(value);
        Ok(())
    }
}

/// `YYYY-MM-DD` at the start of a cell, alone or followed by a time (`T...` or ` ...`).
fn date_prefix(cell: &str) -> Option<Date> {
    let head = cell.get(..10)?;
    let rest = &cell[10..];
    if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
        return None;
    }
    head.parse().ok()
}

/// Items finished per period, from the first date's day (or `since`) to the end of the last
/// complete period. Err(days spanned) when not even one period is complete.
fn counts_from_dates(dates: &mut [Date], counting: &DateCounting) -> Result<History, i64> {
    dates.sort_unstable();
    let first = counting.since.unwrap_or(dates[0]);
    let last = dates[dates.len() - 1];
    let (grid, days_left_out) =
        PeriodGrid::covering(first, last, counting.period, counting.calendar.clone());
    if grid.periods == 0 {
        return Err(last.to_days() - first.to_days() + 1);
    }
    let (counts, _) = count_per_period(dates.iter().copied(), &grid);
    Ok(History {
        counts,
        first_day: Some(grid.first_day),
        days_left_out,
        grid: Some(grid),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn csv(text: &str, period: Option<&str>) -> Result<History, HistoryError> {
        parse_csv(Path::new("h.csv"), text, period.map(|p| p.parse().unwrap()))
    }

    #[test]
    fn lists_parse_and_reject_bad_entries() {
        assert_eq!(parse_list("3, 5,2,").unwrap(), vec![3.0, 5.0, 2.0]);
        assert!(matches!(parse_list(""), Err(HistoryError::Empty)));
        assert!(matches!(
            parse_list("3,x,2"),
            Err(HistoryError::NotANumber { position: 2, .. })
        ));
        assert!(matches!(
            parse_list("3,-1"),
            Err(HistoryError::Negative { position: 2, .. })
        ));
        assert!(matches!(
            parse_list("3,,2"),
            Err(HistoryError::NotANumber { position: 2, .. })
        ));
        assert!(matches!(
            parse_list("inf"),
            Err(HistoryError::Negative { .. })
        ));
    }

    #[test]
    fn a_count_column_with_a_header_is_read_as_is() {
        let h = csv("done\n3\n0\n\n5\n", None).unwrap();
        assert_eq!(h.counts, vec![3.0, 0.0, 5.0]);
        assert_eq!(h.first_day, None);
    }

    #[test]
    fn finish_dates_become_daily_counts_with_zero_days() {
        let h = csv(
            "finished,id\n2027-01-04,a\n2027-01-04T10:00:00,b\n2027-01-07,c\n",
            None,
        )
        .unwrap();
        assert_eq!(h.counts, vec![2.0, 0.0, 0.0, 1.0]);
        assert_eq!(h.first_day, Date::new(2027, 1, 4));
    }

    #[test]
    fn finish_dates_aggregate_to_whole_periods() {
        // Two full weeks (4 + 1 items) and two days of a third week, left out.
        let h = csv(
            "2027-01-04\n2027-01-05\n2027-01-05\n2027-01-10\n2027-01-15\n2027-01-19\n",
            Some("1w"),
        )
        .unwrap();
        assert_eq!(h.counts, vec![4.0, 1.0]);
        assert_eq!(h.days_left_out, 2);
        assert!(matches!(
            csv("2027-01-04\n2027-01-05\n", Some("1w")),
            Err(HistoryError::TooShort { days: 2, .. })
        ));
    }

    #[test]
    fn bad_rows_name_their_line() {
        let e = csv("count\n3\n4\nfive\n", None).unwrap_err();
        assert!(e.to_string().starts_with("h.csv:4: `five`"), "{e}");
        let e = csv("3\n-2\n", None).unwrap_err();
        assert!(e.to_string().starts_with("h.csv:2:"), "{e}");
        let e = csv("2027-01-04\n2027-13-01\n", None).unwrap_err();
        assert!(e.to_string().starts_with("h.csv:2:"), "{e}");
        assert!(matches!(
            csv("header only\n", None),
            Err(HistoryError::NoRows { .. })
        ));
        let e = csv("count\nabc\n", None).unwrap_err();
        assert!(e.to_string().starts_with("h.csv:2:"), "{e}");
    }

    #[test]
    fn histories_are_bounded_in_length_and_magnitude() {
        let long = vec!["1"; MAX_ITEMS + 1].join(",");
        assert!(matches!(
            parse_list(&long),
            Err(HistoryError::TooLong { count: 10_001 })
        ));
        assert_eq!(
            parse_list(&vec!["1"; MAX_ITEMS].join(",")).unwrap().len(),
            MAX_ITEMS
        );
        assert!(matches!(
            parse_list("3,2e6"),
            Err(HistoryError::TooBig { position: 2, .. })
        ));
        let e = csv("count\n3\n2e6\n", None).unwrap_err();
        assert!(e.to_string().starts_with("h.csv:3: 2000000 items"), "{e}");
        let e = csv(&format!("count\n{}", "1\n".repeat(MAX_ITEMS + 1)), None).unwrap_err();
        assert!(matches!(e, HistoryError::TooLong { count: 10_001 }), "{e}");
        // Two dates 30 years apart are 10,958 days: too many daily periods, fine weekly.
        let text = "1990-01-01\n2019-12-31\n";
        assert!(matches!(
            csv(text, None),
            Err(HistoryError::TooManyPeriods { .. })
        ));
        assert!(csv(text, Some("1w")).is_ok());
        let e = csv(&format!("{}\n", "x".repeat(5000)), None).unwrap_err();
        assert!(e.to_string().len() < 200, "{e}");
    }

    #[test]
    fn only_the_first_column_must_be_utf8() {
        let h = parse_csv_from(
            Path::new("h.csv"),
            &b"count,title\n3,caf\xe9\n4,x\n"[..],
            &DateCounting::new(None),
        );
        assert_eq!(h.unwrap().counts, vec![3.0, 4.0]);
        let e = parse_csv_from(
            Path::new("h.csv"),
            &b"count\n3\n4\xff\n"[..],
            &DateCounting::new(None),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "h.csv:3: the first column is not UTF-8 text (byte 2 of the cell): save the file as UTF-8"
        );
    }

    #[test]
    fn a_file_is_read_as_a_bounded_stream() {
        let endless = Bounded::new(
            std::io::repeat(b'1'),
            1 << 30,
            limits::MAX_HISTORY_LINE_BYTES,
        );
        let e = parse_csv_from(Path::new("zero"), endless, &DateCounting::new(None)).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("zero: a line is longer than 1048576 bytes"),
            "{e}"
        );
        let rows = std::io::repeat(b'\n')
            .take(1 << 20)
            .chain(std::io::repeat(b'1'));
        let e = parse_csv_from(
            Path::new("big"),
            Bounded::new(rows, 1 << 20, 100),
            &DateCounting::new(None),
        )
        .unwrap_err();
        assert!(
            matches!(
                e,
                HistoryError::TooLarge {
                    limit: 1_048_576,
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn daily_finish_dates_count_working_days() {
        // Fri 2027-01-08, Sat, Sun, Mon 2027-01-11: the weekend's items count on Monday.
        let h = csv(
            "2027-01-08\n2027-01-09\n2027-01-10\n2027-01-11\n2027-01-12\n",
            None,
        )
        .unwrap();
        assert_eq!(h.counts, vec![1.0, 3.0, 1.0]);
        let all = DateCounting {
            calendar: Calendar::every_day(),
            ..DateCounting::new(None)
        };
        let h = parse_csv_on(
            Path::new("h.csv"),
            "2027-01-08\n2027-01-09\n2027-01-10\n2027-01-11\n2027-01-12\n",
            &all,
        )
        .unwrap();
        assert_eq!(h.counts, vec![1.0; 5]);
        let holiday = DateCounting {
            calendar: Calendar::new(true, vec!["2027-01-11".parse().unwrap()]),
            ..DateCounting::new(None)
        };
        let h = parse_csv_on(
            Path::new("h.csv"),
            "2027-01-08\n2027-01-09\n2027-01-10\n2027-01-11\n2027-01-12\n",
            &holiday,
        )
        .unwrap();
        assert_eq!(h.counts, vec![1.0, 4.0]);
    }
}
