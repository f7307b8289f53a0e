//! The throughput history `forecast` and `backtest` read, the same way: `--history` counts
//! or a `--history-csv` of counts or finish dates, counted on a working-day calendar, cut to
//! a `--window` or `--since`, with a warning when few periods remain.

use std::path::{Path, PathBuf};

use fulcrum::model::history::PeriodGrid;
use fulcrum::model::throughput;
use fulcrum::model::{Calendar, Date, PeriodLength, PeriodUnit};
use fulcrum::scenario::history::{self, DateCounting, Window, parse_holidays, parse_window};

use super::{Failure, bad};

/// Periods below which a bootstrapped history is too short to trust.
pub const FEW_PERIODS: usize = 10;

/// A throughput history on the command line (`forecast` and `backtest` read a scenario's
/// instead when these are absent).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct HistoryFlags {
    /// Items finished per period, oldest first: 3,5,2,6,...
    #[arg(long, value_name = "COUNTS", allow_hyphen_values = true, conflicts_with_all = ["scenario", "history_csv"])]
    pub history: Option<String>,
    /// CSV whose first column holds per-period counts or item finish dates (YYYY-MM-DD).
    #[arg(long, value_name = "FILE", conflicts_with = "scenario")]
    pub history_csv: Option<PathBuf>,
}

/// Which part of a history to use, and its working days.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct WindowFlags {
    /// Use only the last N periods of the history, or those within a length such as 12w or
    /// 6mo (backtest: each forecast uses the last N before it).
    #[arg(long, value_name = "N|LEN")]
    pub window: Option<String>,
    /// Use only the history from this day on (YYYY-MM-DD; needs dates: finish dates or an
    /// export).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Days off besides weekends when periods are days: 2027-12-24,2027-12-25 (repeatable).
    #[arg(long, value_name = "DATES")]
    pub holidays: Vec<String>,
    /// With periods of days, count Saturdays and Sundays as working days.
    #[arg(long)]
    pub all_days: bool,
}

impl WindowFlags {
    /// Refuses `--since` on a scenario's history, which has no dates.
    pub fn refuse_since_on_scenarios(&self) -> Result<(), Failure> {
        match self.since {
            Some(_) => Err(bad(
                "--since needs a dated history: in scenario mode use --window",
            )),
            None => Ok(()),
        }
    }

    /// The holidays given.
    pub fn holiday_dates(&self) -> Result<Vec<Date>, Failure> {
        let mut days = Vec::new();
        for h in &self.holidays {
            days.extend(parse_holidays(h).map_err(bad)?);
        }
        Ok(days)
    }

    /// The calendar for periods of `period`: weekends off for days unless `--all-days`,
    /// `--holidays` off.
    pub fn calendar(&self, period: PeriodLength) -> Result<Calendar, Failure> {
        Ok(Calendar::for_period(
            period,
            Some(!self.all_days),
            self.holiday_dates()?,
        ))
    }

    /// `--since` as a date.
    pub fn since_date(&self) -> Result<Option<Date>, Failure> {
        self.since
            .as_deref()
            .map(|t| t.parse().map_err(|e: String| bad(format!("--since: {e}"))))
            .transpose()
    }

    /// `--window`, parsed.
    pub fn window_spec(&self) -> Result<Option<Window>, Failure> {
        self.window
            .as_deref()
            .map(parse_window)
            .transpose()
            .map_err(bad)
    }
}

/// A history read from the command line.
#[derive(Clone, Debug)]
pub struct LoadedHistory {
    pub counts: Vec<f64>,
    pub period: PeriodLength,
    pub calendar: Calendar,
    /// The first day of the first period counted, for a history of finish dates.
    pub first_day: Option<Date>,
    /// The first day after the history, for a history of finish dates.
    pub next_day: Option<Date>,
    /// `history` or `history-csv FILE`, for the records.
    pub source: String,
}

impl LoadedHistory {
    /// Drops the first `periods` periods (moving the first day past them).
    pub fn drop_first(&mut self, periods: usize) {
        self.first_day = self
            .first_day
            .map(|first| after(first, self.period, &self.calendar, periods));
        self.counts.drain(..periods.min(self.counts.len()));
    }

    /// Drops the idle periods before the team's first finished item (and stragglers a long
    /// gap before its real start); returns how many.
    pub fn cut_leading_idle(&mut self) -> usize {
        let per_year = throughput::per_year(self.period, &self.calendar);
        let span = throughput::active_span(&self.counts, throughput::idle_gap(per_year));
        let cut = if span.is_empty() { 0 } else { span.start };
        self.drop_first(cut);
        cut
    }
}

/// The first day of the period `dropped` periods after the one starting on `first`.
pub fn after(first: Date, period: PeriodLength, calendar: &Calendar, dropped: usize) -> Date {
    let grid = PeriodGrid {
        first_day: first,
        length: period,
        calendar: calendar.clone(),
        periods: dropped + 1,
    };
    grid.start(dropped + 1)
}

impl HistoryFlags {
    /// Reads `--history` or `--history-csv` (one of them is given) as `flags` say: finish
    /// dates counted per `period` (default: one working day), counts per `period` (default:
    /// a week).
    pub fn load(
        &self,
        period: Option<PeriodLength>,
        flags: &WindowFlags,
    ) -> Result<LoadedHistory, Failure> {
        let since = flags.since_date()?;
        let mut loaded = match (self.history.as_deref(), self.history_csv.as_deref()) {
            (Some(list), _) => {
                if since.is_some() {
                    return Err(bad(
                        "--since needs dates: give a --history-csv of finish dates, or use --window",
                    ));
                }
                let period = period.unwrap_or(PeriodLength {
                    count: 1,
                    unit: PeriodUnit::Week,
                });
                LoadedHistory {
                    counts: history::parse_list(list).map_err(bad)?,
                    period,
                    calendar: flags.calendar(period)?,
                    first_day: None,
                    next_day: None,
                    source: "history".into(),
                }
            }
            (None, Some(file)) => load_csv(file, period, since, flags)?,
            (None, None) => return Err(bad("give --history or --history-csv")),
        };
        if let Some(window) = flags.window_spec()? {
            let mut counts = loaded.counts.clone();
            window_counts(&mut counts, window, loaded.period, &loaded.calendar);
            loaded.drop_first(loaded.counts.len() - counts.len());
        }
        warn_if_short(loaded.counts.len());
        Ok(loaded)
    }
}

/// A `--history-csv` of counts (weekly unless `period` says otherwise) or of finish dates
/// (counted per `period`, default one working day, from `since`).
fn load_csv(
    file: &Path,
    period: Option<PeriodLength>,
    since: Option<Date>,
    flags: &WindowFlags,
) -> Result<LoadedHistory, Failure> {
    let day = PeriodLength {
        count: 1,
        unit: PeriodUnit::Day,
    };
    let counting = DateCounting {
        period: period.unwrap_or(day),
        calendar: flags.calendar(period.unwrap_or(day))?,
        since,
    };
    let h = history::read_csv_on(file, &counting).map_err(bad)?;
    if h.days_left_out > 0 && !super::progress::silent() {
        eprintln!(
            "note: the last {} of {} do not fill a whole period and are left out",
            fulcrum::words::numbers::counted(h.days_left_out as u64, "day", "days"),
            file.display()
        );
    }
    let dated = h.grid.is_some();
    if !dated && since.is_some() {
        return Err(bad(format!(
            "--since needs dates, but {} holds per-period counts: use --window",
            file.display()
        )));
    }
    // Counts without dates are weekly unless --period says otherwise.
    let counted = if dated {
        counting.period
    } else {
        period.unwrap_or(PeriodLength {
            count: 1,
            unit: PeriodUnit::Week,
        })
    };
    let loaded = LoadedHistory {
        counts: h.counts,
        period: counted,
        calendar: if dated {
            counting.calendar
        } else {
            flags.calendar(counted)?
        },
        first_day: h.grid.as_ref().map(|g| g.first_day),
        next_day: h.grid.as_ref().map(|g| g.end(g.periods).add_days(1)),
        source: format!("history-csv {}", file.display()),
    };
    Ok(loaded)
}

/// Keeps the last periods of `counts` that `window` asks for.
pub fn window_counts(
    counts: &mut Vec<f64>,
    window: Window,
    period: PeriodLength,
    calendar: &Calendar,
) {
    let keep = window.periods(period, calendar);
    let drop = counts.len().saturating_sub(keep);
    counts.drain(..drop);
}

/// Warns on stderr when a history has fewer than [`FEW_PERIODS`] periods.
pub fn warn_if_short(periods: usize) {
    if periods < FEW_PERIODS && !super::progress::silent() {
        eprintln!(
            "warning: the history has only {}: a forecast bootstrapped from fewer than {FEW_PERIODS} understates how much throughput varies",
            fulcrum::words::numbers::counted(periods as u64, "period", "periods")
        );
    }
}

/// `--percentiles 50,70,85,95`: probabilities in percent, each above 0 and below 100.
pub fn parse_percentiles(text: &str) -> Result<Vec<f64>, Failure> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let value: f64 = part.trim_end_matches('%').parse().map_err(|_| {
            bad(format!(
                "--percentiles: `{part}` is not a number: write percentages like 50,70,85,95"
            ))
        })?;
        if !(value > 0.0 && value < 100.0) {
            return Err(bad(format!(
                "--percentiles: {part} must be above 0 and below 100"
            )));
        }
        let q = value / 100.0;
        if !out.contains(&q) {
            out.push(q);
        }
    }
    if out.is_empty() {
        return Err(bad("--percentiles: give at least one, e.g. 50,85"));
    }
    Ok(out)
}
