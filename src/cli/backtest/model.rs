//! `fulcrum backtest --export FILE`: the whole debt model walked forward through a team's
//! export, calibrated at every origin, against the throughput bootstrap of each bucket's own
//! series. The exports are read as `calibrate` reads them (the same flags, the same series).

use std::ops::Range;
use std::path::{Path, PathBuf};

use fulcrum::model::throughput::{self, Method};
use fulcrum::pipeline::Estimate;
use fulcrum::report;
use fulcrum::report::backtest::model::{ModelInfo, ModelLabelled};
use fulcrum::scenario::import::scenario_file;
use fulcrum::simulate::forecast::DEFAULT_PERCENTILES;
use fulcrum::whatif::calibrate::walk::{self, ModelBacktest, Settings};
use fulcrum::whatif::calibrate::{MIN_PERIODS, Observed};

use super::super::calibrate::{headcount_of, observed, priors_of};
use super::super::history::{WindowFlags, parse_percentiles};
use super::super::import::{ExportFlags, incidents_of, read, rules_of, some_of};
use super::super::job::{Done, Job, Seeded, drive};
use super::super::progress::Progress;
use super::super::{Failure, bad, write_failure};
use super::{BacktestArgs, TRIALS};

/// Particles of each origin's calibration unless --particles says otherwise: the walk runs
/// one calibration per origin, so it samples lighter than `calibrate`'s 1000.
const PARTICLES: usize = 400;
/// Most particles a calibration takes (as `calibrate`).
const MAX_PARTICLES: usize = 20_000;

pub(super) fn backtest(args: &BacktestArgs) -> Result<(), Failure> {
    if args.keep_idle || args.backlog.is_some() {
        return Err(bad(
            "--keep-idle and --backlog apply to a throughput history; with --export the team's window is the one `import` finds, and the question is how much of each bucket is done in the next --horizon periods",
        ));
    }
    let flags = ExportFlags {
        reading: args.reading.clone(),
        team: None,
        period: args.period.clone().unwrap_or_else(|| "1w".into()),
        // --window is the bootstraps' rolling window, as without --export.
        window: WindowFlags {
            window: None,
            ..args.window.clone()
        },
    };
    let rules = rules_of(&flags)?;
    let read = read(&args.export, &flags, rules)?;
    let incidents = incidents_of(&flags, &read)?;
    let headcount = headcount_of(args.headcount.as_deref(), &read)?;
    let teams = observed(&read, incidents.as_ref().map(|i| &i.0), &headcount)?;
    let names: Vec<String> = teams.iter().map(|t| t.0.team.clone()).collect();
    let (team, first_day, _) = match &args.team {
        Some(name) => teams
            .into_iter()
            .find(|t| &t.0.team == name)
            .ok_or_else(|| {
                bad(format!(
                    "--team {name}: no such team in the exports (teams: {})",
                    some_of(&names, 12)
                ))
            })?,
        None if teams.len() == 1 => teams.into_iter().next().expect("one team"),
        None => {
            return Err(bad(format!(
                "the exports hold {} teams: choose one with --team (teams: {})",
                names.len(),
                some_of(&names, 12)
            )));
        }
    };
    let mut settings = settings(args, &team, &read.history.grid)?;
    if let Some(path) = &args.priors {
        settings.priors = priors_of(path)?;
    }
    walk::refuse(&team, &settings).map_err(bad)?;
    let files = read
        .exports
        .files
        .iter()
        .map(|(f, format)| format!("{f} ({})", format.name()))
        .collect();
    let job = ModelJob {
        args,
        team,
        first_day,
        files,
        settings,
    };
    drive(job, args.job_flags())
}

/// The walk's settings from the flags: a year of history before the first origin (at least
/// what a calibration needs), a quarter between origins.
fn settings(
    args: &BacktestArgs,
    team: &Observed,
    grid: &fulcrum::model::history::PeriodGrid,
) -> Result<Settings, Failure> {
    let per_year = team.periods_per_year.max(1);
    let percentiles = match &args.percentiles {
        Some(text) => parse_percentiles(text)?,
        None => DEFAULT_PERCENTILES.to_vec(),
    };
    let (trials, seed) = args.simulation.trials_and_seed(Some((TRIALS, 42)))?;
    let particles = args.particles.unwrap_or(PARTICLES);
    if !(10..=MAX_PARTICLES).contains(&particles) {
        return Err(bad(format!(
            "--particles {particles}: give 10 to {MAX_PARTICLES}"
        )));
    }
    let mut bootstraps: Vec<Method> = args.method.iter().filter_map(|m| m.bootstrap()).collect();
    // The debt model is always judged; the bootstraps are its yardsticks.
    if bootstraps.is_empty() {
        bootstraps.push(Method::Calibrated);
    }
    let window = args
        .window
        .window_spec()?
        .map(|w| w.periods(grid.length, &grid.calendar));
    Ok(Settings {
        horizon: args.horizon,
        min_history: args.min_history.unwrap_or(per_year.max(MIN_PERIODS)),
        step: args.step.unwrap_or((per_year / 4).max(1)),
        percentiles,
        sampler: walk::sampler(particles, seed),
        bootstraps,
        period: grid.length,
        per_year: throughput::per_year(grid.length, &grid.calendar),
        window,
        trials,
        priors: Vec::new(),
    })
}

/// The whole-model backtest of one team: a single unit (each origin's calibration spreads over
/// the pool), its progress counted in simulations.
struct ModelJob<'a> {
    args: &'a BacktestArgs,
    team: Observed,
    first_day: String,
    files: Vec<String>,
    settings: Settings,
}

impl Job for ModelJob<'_> {
    type State = ModelBacktest;
    const DOING: &'static str = "backtesting the model";
    const COUNTED: &'static str = "simulations at most";

    fn seeded(&self) -> Seeded {
        Seeded {
            trials: self.settings.sampler.particles as u64,
            seed: self.settings.sampler.seed,
        }
    }

    fn units(&self) -> u64 {
        1
    }

    fn folder(&self) -> PathBuf {
        let stem = self.args.export[0]
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("history");
        Path::new("output").join(format!(
            "{}-{}-backtest",
            scenario_file::slug(stem),
            scenario_file::slug(&self.team.team)
        ))
    }

    fn estimate(&self, _: &Range<u64>, threads: usize) -> (Estimate, String) {
        (
            walk::cost(&self.team, &self.settings, threads),
            format!(
                "--step (now {}: each origin is a calibration), --particles (now {}) or a later --min-history (the estimate is the sampler's whole budget at every origin; most calibrations stop well before it)",
                self.settings.step, self.settings.sampler.particles
            ),
        )
    }

    fn steps(&self, _: &Range<u64>) -> u64 {
        walk::steps(&self.team, &self.settings)
    }

    fn run(&self, _: Range<u64>, progress: &Progress) -> Result<Self::State, Failure> {
        walk::run(&self.team, &self.settings, &|done| progress.update(done)).map_err(bad)
    }

    fn finish(self, result: Self::State, done: Done) -> Result<(), Failure> {
        let s = &self.settings;
        let info = ModelInfo {
            fulcrum_version: env!("CARGO_PKG_VERSION").to_string(),
            files: self.files,
            team: self.team.team.clone(),
            period: s.period.to_string(),
            first_day: self.first_day,
            periods: self.team.series.periods(),
            horizon: s.horizon,
            min_history: s.min_history,
            step: s.step,
            percentiles: s.percentiles.clone(),
            bootstraps: s.bootstraps.iter().map(|m| m.to_string()).collect(),
            particles: s.sampler.particles,
            max_simulations: s.sampler.max_simulations,
            seed: s.sampler.seed,
            trials_per_forecast: s.trials,
            priors_file: self.args.priors.as_ref().map(|p| p.display().to_string()),
            threads: done.threads,
            seconds: done.started.elapsed().as_secs_f64(),
            simulations: result.simulations,
        };
        let labelled = ModelLabelled {
            backtest: &result,
            info: &info,
        };
        report::backtest::model::write(&done.target, &labelled).map_err(write_failure)?;
        print!("{}", report::backtest::model::summary(&labelled));
        println!(
            "{} in {:.1} s → {}/",
            fulcrum::words::numbers::counted(result.origins.len() as u64, "origin", "origins"),
            done.started.elapsed().as_secs_f64(),
            done.target.path.display()
        );
        Ok(())
    }
}
