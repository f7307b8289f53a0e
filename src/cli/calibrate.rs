//! `fulcrum calibrate`: read work-item exports as `import` reads them, take each team's
//! product, tech and keep-the-lights-on series (and incidents, when an incident export is
//! given), fit the debt, drag and incident model to them with fulcrum's own trial as the
//! simulator, and write the posterior, the checks and (with `--scenario`) a scenario that runs.

use std::ops::Range;
use std::path::{Path, PathBuf};

use fulcrum::model::Date;
use fulcrum::model::history::BucketKind;
use fulcrum::model::history::incidents::IncidentHistory;
use fulcrum::model::prior::Marginal;
use fulcrum::pipeline::Estimate;
use fulcrum::report;
use fulcrum::report::NewFile;
use fulcrum::report::calibrate::{CalibrationInfo, TeamInfo};
use fulcrum::scenario::import::headcount::{self, HeadcountChange};
use fulcrum::scenario::import::{calibrated, priors, scenario_file};
use fulcrum::whatif::calibrate::Calibration;
use fulcrum::whatif::calibrate::forward::Series;
use fulcrum::whatif::calibrate::prior::{Prior, PriorScale};
use fulcrum::whatif::calibrate::smc::Settings;
use fulcrum::whatif::calibrate::{self, Observed};

use super::import::{ExportFlags, Read, incidents_of, read, rules_of, some_of};
use super::job::{Done, Flags, Job, Seeded, drive};
use super::progress::Progress;
use super::{BudgetFlags, Failure, OutputFlags, SimulationFlags, bad, write_failure};

/// Arguments of `fulcrum calibrate`.
#[derive(clap::Args, Debug)]
pub struct CalibrateArgs {
    /// Export files, read as `fulcrum import` reads them: generic CSV, Jira CSV, Linear CSV or
    /// GitHub issues JSON.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    export: ExportFlags,
    /// Headcount table: a CSV of `team,from,engineers` rows, each the engineers a team had
    /// from a day on, so that a team that grew is not read as one whose debt fell
    #[arg(long, value_name = "FILE")]
    headcount: Option<PathBuf>,
    /// Calibrate only this team (default: every team with a long enough history).
    #[arg(long, value_name = "NAME")]
    only: Option<String>,
    /// Particles of the sampler: more narrows the Monte Carlo error of the posterior, and
    /// takes longer.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    particles: usize,
    /// Priors file: a [priors] table replacing coordinates of the default prior, e.g.
    /// log_accrual = { normal = [-1.9, 0.4] } or interest = { uniform = [0.0, 0.01] }
    #[arg(long, value_name = "FILE")]
    priors: Option<PathBuf>,
    /// Master seed. The same exports and seed give the same posterior on any thread count.
    #[arg(long, value_name = "S", default_value_t = fulcrum::scenario::DEFAULT_SEED)]
    seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "T")]
    threads: Option<usize>,
    /// Also write a scenario with the fitted [debt] and [incidents] to this file (which must
    /// not exist yet); needs a single team (--only).
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    /// Results folder (default: output/<first export's name>-calibrate).
    #[command(flatten)]
    output: OutputFlags,
    #[command(flatten)]
    budget: BudgetFlags,
}

/// Most particles a calibration takes.
const MAX_PARTICLES: usize = 20_000;

/// Each team's observed series from what was read: weight per bucket kind per period of the
/// team's window, and the incidents opened in it when an incident export was given.
pub(super) fn observed(
    read: &Read,
    incidents: Option<&IncidentHistory>,
    headcount: &[HeadcountChange],
) -> Result<Vec<(Observed, String, Vec<String>)>, Failure> {
    let history = &read.history;
    let grid = &history.grid;
    // Periods of days count working days: a year of them is 5/7 of its days, less holidays.
    let working = match grid.length.unit {
        fulcrum::model::PeriodUnit::Day if grid.calendar.weekends_off() => {
            5.0 / 7.0 - grid.calendar.holidays().len().min(20) as f64 / 365.25
        }
        _ => 1.0,
    };
    let periods_per_year = (grid.length.per_year() * working).round().max(1.0) as usize;
    history
        .teams
        .iter()
        .map(|team| {
            let kind = |k| team.weight_of_kinds(&history.buckets, &[k]);
            let periods = team.periods();
            let opened = incidents.map(|all| {
                all.teams
                    .iter()
                    .find(|t| t.team == team.team && t.window == team.window)
                    .map_or(vec![0.0; periods], |t| {
                        t.opened.iter().map(|&n| f64::from(n)).collect()
                    })
            });
            let first_day = match periods {
                0 => String::new(),
                _ => history.grid.start(team.period(0)).to_string(),
            };
            let period_ends: Vec<String> = (0..periods)
                .map(|k| history.grid.end(team.period(k)).to_string())
                .collect();
            let series = Series {
                product: kind(BucketKind::Product),
                tech: kind(BucketKind::Tech),
                ktlo: kind(BucketKind::Ktlo),
                incidents: opened.unwrap_or_default(),
            };
            let starts: Vec<Date> = (0..periods)
                .map(|k| history.grid.start(team.period(k)))
                .collect();
            let changes: Vec<&HeadcountChange> =
                headcount.iter().filter(|c| c.team == team.team).collect();
            let capacity = headcount::relative_capacity(&changes, &starts)
                .map_err(|why| bad(format!("{}: {why}", changes[0].source)))?
                .unwrap_or_default();
            Ok((
                Observed {
                    team: team.team.clone(),
                    series,
                    periods_per_year,
                    capacity,
                },
                first_day,
                period_ends,
            ))
        })
        .collect()
}

/// The `--headcount` table's changes, each of a team the exports have.
pub(super) fn headcount_of(
    path: Option<&Path>,
    read: &Read,
) -> Result<Vec<HeadcountChange>, Failure> {
    let Some(path) = path else {
        return Ok(Vec::new());
    };
    let changes = headcount::read(path, &read.options).map_err(bad)?;
    let teams: Vec<&str> = read.history.teams.iter().map(|t| t.team.as_str()).collect();
    if let Some(stray) = changes.iter().find(|c| !teams.contains(&c.team.as_str())) {
        return Err(bad(format!(
            "{}: no team `{}` in the exports (teams: {}); the headcount table names teams as \
             the exports do",
            stray.source,
            stray.team,
            some_of(&teams.iter().map(|t| t.to_string()).collect::<Vec<_>>(), 8)
        )));
    }
    Ok(changes)
}

/// The teams to calibrate: `--only`'s, else every team with a history long enough.
fn chosen(
    args: &CalibrateArgs,
    all: Vec<(Observed, String, Vec<String>)>,
) -> Result<Vec<(Observed, String, Vec<String>)>, Failure> {
    if let Some(only) = &args.only {
        let names: Vec<&str> = all.iter().map(|t| t.0.team.as_str()).collect();
        let names = names.join(", ");
        return match all.into_iter().find(|t| &t.0.team == only) {
            Some(team) => Ok(vec![team]),
            None => Err(bad(format!(
                "--only {only}: no such team in the exports (teams: {names})"
            ))),
        };
    }
    let (long, short): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|t| t.0.series.periods() >= calibrate::MIN_PERIODS);
    if long.is_empty() {
        return Err(bad(format!(
            "no team has {} periods of history or more, which calibration needs: give a \
             longer export, or a shorter --period",
            calibrate::MIN_PERIODS
        )));
    }
    let (fit, idle): (Vec<_>, Vec<_>) = long.into_iter().partition(|t| {
        let s = &t.0.series;
        s.product.iter().chain(&s.tech).sum::<f64>() > 0.0
    });
    if fit.is_empty() {
        return Err(bad(
            "no team with a long enough history finished any product or tech work: there is \
             nothing to fit (check the bucket rules with `fulcrum import`)",
        ));
    }
    if !super::progress::silent() {
        for (teams, why) in [
            (
                &short,
                format!("with fewer than {} periods", calibrate::MIN_PERIODS),
            ),
            (&idle, "that finished no product or tech work".to_string()),
        ] {
            if !teams.is_empty() {
                let names: Vec<String> = teams.iter().map(|t| t.0.team.clone()).collect();
                eprintln!(
                    "warning: {} team(s) {why} are not calibrated: {}",
                    teams.len(),
                    some_of(&names, 8)
                );
            }
        }
    }
    Ok(fit)
}

/// The `--priors` file's entries, each checked against the default prior's coordinates.
pub(super) fn priors_of(path: &Path) -> Result<Vec<(String, Marginal)>, Failure> {
    let entries = priors::read(path).map_err(bad)?;
    let mut check = Prior::default_on(PriorScale {
        total: 1.0,
        ktlo: 1.0,
    });
    for e in &entries {
        check
            .replace(&e.name, e.marginal)
            .map_err(|why| bad(format!("{}:{}: {why}", path.display(), e.line)))?;
    }
    Ok(entries.into_iter().map(|e| (e.name, e.marginal)).collect())
}

/// `to` as a path relative to the folder `from` (both made absolute lexically), or `to`
/// absolute when they share no root.
fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let from = if from.as_os_str().is_empty() {
        Path::new(".")
    } else {
        from
    };
    let (Ok(from), Ok(to)) = (std::path::absolute(from), std::path::absolute(to)) else {
        return to.to_path_buf();
    };
    let (a, b): (Vec<_>, Vec<_>) = (from.components().collect(), to.components().collect());
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return to;
    }
    let mut path: PathBuf = a[common..].iter().map(|_| "..").collect();
    path.extend(&b[common..]);
    path
}

/// The `--scenario` text for `fit`, naming the joint draws `posterior` (relative to the folder
/// the scenario is written into, `folder`), checked as `fulcrum validate` checks it.
fn scenario_text(
    fit: &Calibration,
    info: &CalibrationInfo,
    posterior: &Path,
    folder: &Path,
) -> Result<String, Failure> {
    let (product, tech): (f64, f64) = (
        fit.observed.product.iter().sum(),
        fit.observed.tech.iter().sum(),
    );
    let fitted = calibrated::Fitted {
        team: &fit.team,
        source: info.files.join(", "),
        period: info.period.clone(),
        periods: fit.observed.periods(),
        tech_share: fulcrum::model::history::tech_share(product, tech).unwrap_or(0.0),
        parameters: fit
            .parameters
            .iter()
            .map(|n| (n.parameter.as_str(), n.posterior))
            .collect(),
        posterior: relative_path(folder, posterior)
            .to_string_lossy()
            .replace('\\', "/"),
    };
    let text = calibrated::render(&fitted);
    scenario_file::check_in(&text, Some(folder)).map_err(|why| {
        Failure::Runtime(anyhow::anyhow!(
            "the calibrated scenario does not validate (a bug in fulcrum; nothing was written): {why}"
        ))
    })?;
    Ok(text)
}

/// One calibration: the teams' histories, each fitted in turn (a unit), the sampler's work
/// within a team spread over the pool.
struct CalibrateJob<'a> {
    args: &'a CalibrateArgs,
    read: Read,
    /// Each team's observed series, first day and period ends.
    teams: Vec<(Observed, String, Vec<String>)>,
    priors: Vec<Prior>,
    settings: Settings,
    /// The `--scenario` file, reserved before any work.
    new_file: Option<NewFile>,
}

impl Job for CalibrateJob<'_> {
    type State = Vec<Calibration>;
    const DOING: &'static str = "calibrating";
    const COUNTED: &'static str = "simulations at most";

    fn seeded(&self) -> Seeded {
        Seeded {
            trials: self.settings.particles as u64,
            seed: self.settings.seed,
        }
    }

    fn units(&self) -> u64 {
        self.teams.len() as u64
    }

    fn folder(&self) -> PathBuf {
        let stem = self.args.files[0]
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("history");
        Path::new("output").join(format!("{}-calibrate", scenario_file::slug(stem)))
    }

    fn estimate(&self, units: &Range<u64>, threads: usize) -> (Estimate, String) {
        let teams = &self.teams[units.start as usize..units.end as usize];
        let observed: Vec<&Observed> = teams.iter().map(|t| &t.0).collect();
        (
            calibrate::estimate(&observed, &self.settings, threads),
            "the number of teams (calibrate one with --only), the history's length (--window, or \
             a longer --period) or --particles (the estimate is the sampler's whole budget; most \
             calibrations stop well before it)"
                .to_string(),
        )
    }

    fn steps(&self, units: &Range<u64>) -> u64 {
        (units.end - units.start) * self.settings.most_simulations()
    }

    fn run(&self, units: Range<u64>, progress: &Progress) -> Result<Self::State, Failure> {
        let per_team = self.settings.most_simulations();
        Ok(units
            .map(|k| {
                let k = k as usize;
                let before = k as u64 * per_team;
                let fit = calibrate::calibrate_with(
                    &self.teams[k].0,
                    &self.priors[k],
                    &self.settings,
                    &|done| progress.update(before + done.min(per_team)),
                );
                progress.update(before + per_team);
                fit
            })
            .collect())
    }

    fn finish(self, fits: Self::State, done: Done) -> Result<(), Failure> {
        let info = CalibrationInfo {
            fulcrum_version: env!("CARGO_PKG_VERSION").to_string(),
            files: self
                .read
                .exports
                .files
                .iter()
                .map(|(f, format)| format!("{f} ({})", format.name()))
                .collect(),
            period: self.read.history.grid.length.to_string(),
            weight: self.read.history.weighing.by.as_str().to_string(),
            priors_file: self.args.priors.as_ref().map(|p| p.display().to_string()),
            settings: self.settings,
            teams: fits
                .iter()
                .zip(&self.teams)
                .map(|(fit, team)| TeamInfo::of(fit, team.1.clone(), team.2.clone()))
                .collect(),
        };
        // The scenario names posterior.csv, so it is checked once the results are written.
        report::calibrate::write(&done.target, &info, &fits).map_err(write_failure)?;
        let scenario_text = match &self.args.scenario {
            Some(path) => {
                let folder = path.parent().unwrap_or(Path::new(""));
                let posterior = done.target.path.join("posterior.csv");
                Some(scenario_text(&fits[0], &info, &posterior, folder)?)
            }
            None => None,
        };
        if let (Some(file), Some(text)) = (self.new_file, &scenario_text) {
            file.write(text.as_bytes()).map_err(write_failure)?;
        }
        print!("{}", report::calibrate::summary(&fits));
        match &self.args.scenario {
            Some(path) => println!("→ {}/ and {}", done.target.path.display(), path.display()),
            None => println!("→ {}/", done.target.path.display()),
        }
        Ok(())
    }
}

pub fn calibrate(args: &CalibrateArgs) -> Result<(), Failure> {
    if !(10..=MAX_PARTICLES).contains(&args.particles) {
        return Err(bad(format!(
            "--particles {}: give 10 to {MAX_PARTICLES}",
            args.particles
        )));
    }
    let rules = rules_of(&args.export)?;
    if args.scenario.is_some() && args.only.is_none() {
        return Err(bad(
            "--scenario writes one team's fitted [debt] and [incidents] (the scenario file \
             holds one [debt] section): name the team with --only",
        ));
    }
    let new_file = match &args.scenario {
        Some(path) => Some(NewFile::reserve(path).map_err(bad)?),
        None => None,
    };
    let read = read(&args.files, &args.export, rules)?;
    let incidents = incidents_of(&args.export, &read)?;
    if let Some((_, notes)) = &incidents
        && !super::progress::silent()
    {
        for note in notes {
            eprintln!("warning: {note}");
        }
    }
    let headcount = headcount_of(args.headcount.as_deref(), &read)?;
    let all = observed(&read, incidents.as_ref().map(|i| &i.0), &headcount)?;
    let teams = chosen(args, all)?;
    let mut settings = Settings::standard(args.seed);
    settings.particles = args.particles;
    let observed: Vec<Observed> = teams.iter().map(|t| t.0.clone()).collect();
    calibrate::refuse(&observed).map_err(bad)?;
    let replaced = match &args.priors {
        Some(path) => priors_of(path)?,
        None => Vec::new(),
    };
    let priors = observed
        .iter()
        .map(|team| calibrate::prior_of(team, &replaced))
        .collect::<Result<Vec<_>, String>>()
        .map_err(|why| {
            let file = args.priors.as_deref().unwrap_or(Path::new("--priors"));
            bad(format!("{}: {why}", file.display()))
        })?;
    let simulation = SimulationFlags {
        trials: None,
        seed: Some(args.seed),
        threads: args.threads,
    };
    let job = CalibrateJob {
        args,
        read,
        teams,
        priors,
        settings,
        new_file,
    };
    let flags = Flags {
        simulation: &simulation,
        output: &args.output,
        budget: &args.budget,
    };
    drive(job, flags)
}
