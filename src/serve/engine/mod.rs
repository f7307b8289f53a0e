//! The one file through which the server calls the library: reading the scenario, applying
//! `--set` with the CLI's validation, planning, simulating, and reading the results into the
//! page's JSON shapes. The rest of `serve` sees only the types declared here and in `shapes`.

use std::path::Path;

use crate::model::{self, Owner, Rule, Scenario, share_range};
use crate::pipeline::{self, Estimate, PlanFor};
use crate::scenario::{Document, Format, LoadError, Problems, rewrite};
use crate::simulate::policy::Share;
use crate::simulate::stats::Moments;
use crate::simulate::{self, PeriodMetric, Policy, Results, Settings, SummaryMetric, Trials};
use crate::words;

mod controls;

use super::pool::Runner;
use super::shapes::{
    ControlGroup, Difference, Fan, FieldValue, Finish, Info, InitiativeAnswer, InputError,
    KeyResultAnswer, KeyResultChance, Spread, StrategyAnswer, StrategyStatus, VersusFile,
};

/// The scenario file as read at start-up, and the scenario it compiles to.
pub struct Base {
    /// The path as given on the command line.
    pub file: String,
    text: String,
    format: Format,
    document: Document,
    /// The file without changes.
    pub scenario: Compiled,
}

/// A compiled scenario (the file with some `--set`s) and its warnings.
#[derive(Clone)]
pub struct Compiled {
    scenario: Scenario,
    /// Rendered as `fulcrum` prints them.
    pub warnings: Vec<String>,
}

impl Base {
    /// Reads and compiles the file; a file `fulcrum run` would refuse is refused.
    pub fn read(path: &Path) -> Result<Base, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("scenario");
        let file = path.display().to_string();
        let format = Format::of(path);
        let folder = path.parent().unwrap_or(Path::new(""));
        let document = Document::parse(&file, &text, format, stem)?.relative_to(folder);
        let loaded = document.compile()?;
        Ok(Base {
            file,
            text,
            format,
            document,
            scenario: Compiled {
                warnings: rendered(&loaded.warnings)
                    .into_iter()
                    .map(|e| e.message)
                    .collect(),
                scenario: loaded.scenario,
            },
        })
    }

    /// The file with `sets` applied, validated exactly as `fulcrum run --set` validates it.
    pub fn compile(&self, sets: &[String]) -> Result<Compiled, Vec<InputError>> {
        let mut document = self.document.clone();
        let loaded = document
            .set(sets)
            .and_then(|()| document.compile())
            .map_err(|error| match error {
                LoadError::Invalid(problems) => rendered(&problems),
                io => vec![InputError {
                    set: None,
                    message: io.to_string(),
                }],
            })?;
        Ok(Compiled {
            warnings: rendered(&loaded.warnings)
                .into_iter()
                .map(|e| e.message)
                .collect(),
            scenario: loaded.scenario,
        })
    }

    /// The file's text with `sets` written into it (comments and layout kept), and the name
    /// to save it as. Refused unless it is valid and compiles to exactly what `sets` give.
    pub fn rewritten(&self, sets: &[String]) -> Result<(String, String), Vec<InputError>> {
        let changed = self.compile(sets)?;
        let text = rewrite::rewrite(&self.file, &self.text, self.format, sets)
            .map_err(|problems| rendered(&problems))?;
        let check = Document::parse(&self.file, &text, self.format, &changed.scenario.name)
            .and_then(|document| document.compile());
        let same = check.is_ok_and(|loaded| {
            format!("{:?}", loaded.scenario) == format!("{:?}", changed.scenario)
        });
        if !same {
            return Err(vec![InputError {
                set: None,
                message: "these changes cannot be written into the file as it is laid out; \
                          use the command line instead"
                    .into(),
            }]);
        }
        Ok((self.file_name(), text))
    }

    /// The controls and facts the page starts from, with the server's `--trials` and `--seed`.
    pub fn info(&self, trials: Option<u64>, seed: Option<u64>, preview_trials: u64) -> Info {
        let sc = &self.scenario.scenario;
        let mut run_flags = Vec::new();
        if let Some(trials) = trials {
            run_flags.extend(["--trials".to_string(), trials.to_string()]);
        }
        if let Some(seed) = seed {
            run_flags.extend(["--seed".to_string(), seed.to_string()]);
        }
        let trials = trials.unwrap_or(sc.trials);
        let fields = self.fields();
        Info {
            file: self.file.clone(),
            file_name: self.file_name(),
            name: sc.name.clone(),
            question: sc.question.clone(),
            periods: sc.periods,
            period_labels: self.scenario.period_labels(),
            trials,
            preview_trials: trials.min(preview_trials),
            seed: seed.unwrap_or(sc.seed),
            run_flags,
            strategies: self.scenario.strategy_names(),
            groups: self.controls(&fields),
            fields,
            warnings: self.scenario.warnings.clone(),
        }
    }

    /// The scenario's controls, but for strategies the file does not write (the
    /// `product-first` a scenario without strategies gets): `--set` cannot reach those.
    fn controls(&self, fields: &[FieldValue]) -> Vec<ControlGroup> {
        // A strategy's control is `strategies.NAME.` and a field (or a phase's path); the
        // file writes NAME when it writes `strategies.NAME.rule`.
        let written = |path: &str| {
            !path.starts_with("strategies.")
                || fields.iter().any(|f| {
                    f.path.strip_suffix(".rule").is_some_and(|strategy| {
                        strategy.starts_with("strategies.")
                            && path
                                .strip_prefix(strategy)
                                .is_some_and(|r| r.starts_with('.'))
                    })
                })
        };
        let mut groups = self.scenario.controls(&self.document);
        groups.retain(|g| g.controls.iter().all(|c| written(&c.path)));
        groups
    }

    /// The file's name without its folder.
    fn file_name(&self) -> String {
        Path::new(&self.file)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("scenario.toml")
            .to_string()
    }

    /// Every field of the file with its value, as `--set` writes it.
    pub fn fields(&self) -> Vec<FieldValue> {
        rewrite::fields(&self.text, self.format)
            .map(|fields| {
                fields
                    .into_iter()
                    .map(|f| FieldValue {
                        path: f.path,
                        value: f.value,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Each problem rendered as the CLI renders it, with the `--set` it points into (sources are
/// the file, then each `--set` in order).
fn rendered(problems: &Problems) -> Vec<InputError> {
    problems
        .items
        .iter()
        .map(|p| InputError {
            set: p.span.and_then(|span| span.source.0.checked_sub(1)),
            message: p.render(&problems.sources, false),
        })
        .collect()
}

impl Compiled {
    /// The scenario's own trials and seed.
    pub fn trials_and_seed(&self) -> (u64, u64) {
        (self.scenario.trials, self.scenario.seed)
    }

    /// Strategy names, in order.
    pub fn strategy_names(&self) -> Vec<String> {
        self.scenario
            .strategies
            .iter()
            .map(|s| s.name.clone())
            .collect()
    }

    /// Labels of the periods: the number, and the last day when the scenario has a start.
    pub fn period_labels(&self) -> Vec<String> {
        (1..=self.scenario.periods)
            .map(|t| match self.scenario.period_end_date(t) {
                Some(date) => format!("{t} · {date}"),
                None => t.to_string(),
            })
            .collect()
    }

    /// Whether this is the same scenario as `other`, field for field.
    pub fn same_as(&self, other: &Compiled) -> bool {
        format!("{:?}", self.scenario) == format!("{:?}", other.scenario)
    }

    /// For strategy `s`, when it is optimised: the key of its plan searched on `seed`, which
    /// is everything the optimiser reads (the scenario without its strategies and trials, and
    /// the strategy's guardrails; the seed stays, for the search trains on trials of it).
    pub fn plan_key(&self, s: usize, seed: u64) -> Option<String> {
        let rule = &self.scenario.strategies[s].rule;
        if !matches!(rule, Rule::Optimised { .. }) {
            return None;
        }
        let inputs = Scenario {
            name: String::new(),
            question: None,
            trials: 0,
            seed,
            strategies: Vec::new(),
            ..self.scenario.clone()
        };
        Some(format!("{inputs:?}\n{rule:?}"))
    }

    /// Finds the policy of optimised strategy `s` (without marginal values), training on
    /// `seed` as `fulcrum run --seed` does; the error is the message `fulcrum run` prints.
    pub fn solve(&self, s: usize, seed: u64) -> Result<Plan, String> {
        let strategy = &self.scenario.strategies[s];
        let Some(objective) = pipeline::objective_of(&strategy.rule) else {
            return Err(format!("strategy `{}` is not optimised", strategy.name));
        };
        match pipeline::search(&self.scenario, PlanFor::Strategy(s), &objective, seed) {
            Ok(found) => Ok(Plan(found.candidate.policy)),
            Err(error) => Err(format!("error: {error}")),
        }
    }

    /// Simulates `trials` trials of `seed` of the strategies `include` (each optimised one
    /// with its plan from `plan`), keeping the first `paired` trials for pairing, a slice at a
    /// time as `runner` says. The slices merge into exactly the one run (trial i always draws
    /// from its own stream). `None` when `cancelled` said so, between slices.
    pub fn simulate(
        &self,
        include: &[usize],
        plan: &dyn Fn(usize) -> Option<Plan>,
        (trials, seed, paired): (u64, u64, u64),
        runner: Runner,
        progress: &(dyn Fn(u64) + Sync),
        cancelled: &(dyn Fn() -> bool + Sync),
    ) -> Option<Simulation> {
        let mut policies: Vec<Policy> = Vec::new();
        let mut names = Vec::new();
        for &s in include {
            let strategy = &self.scenario.strategies[s];
            let policy = Policy::new(strategy, plan(s).map(|p| p.0)).ok()?;
            policies.push(policy);
            names.push(strategy.name.clone());
        }
        let settings = Settings {
            samples: paired.min(trials),
            ..Settings::for_run(&self.scenario, trials, seed)
        };
        let mut results: Option<Results> = None;
        let mut start = 0;
        while start < trials || results.is_none() {
            let end = (start + runner.slice).min(trials);
            let _turn = runner.turns.take();
            if cancelled() {
                return None;
            }
            let slice = runner.pool.install(|| {
                let progress = |done| progress(start + done);
                let (policies, names) = (policies.clone(), names.clone());
                let trials = Trials::range(start..end)
                    .reporting(&progress)
                    .unless(cancelled);
                simulate::run(&self.scenario, policies, names, &settings, trials)
            });
            // A cancelled slice holds only the chunks it finished: dropped with the answer.
            if cancelled() {
                return None;
            }
            match &mut results {
                None => results = Some(slice),
                Some(results) => results
                    .merge(&slice)
                    .expect("the slices of one run have one shape"),
            }
            start = end;
        }
        Some(Simulation {
            strategies: include.to_vec(),
            policies,
            results: results.expect("at least one slice"),
        })
    }

    /// The up-front cost of the refined run of this scenario on `trials` trials and `threads`
    /// threads, planning included (what `fulcrum run` estimates).
    pub fn estimate(&self, trials: u64, threads: usize) -> Estimate {
        let settings = Settings::for_run(&self.scenario, trials, self.scenario.seed);
        Estimate::of(&self.scenario, &settings, threads)
    }

    /// Seconds one strategy takes per trial, timed on a short run of a 20/80 split on the
    /// ambient rayon pool (any rule costs about the same).
    pub fn seconds_per_strategy_trial(&self) -> f64 {
        const TRIALS: u64 = 512;
        let probe = Scenario {
            strategies: vec![model::Strategy {
                name: "probe".into(),
                rule: Rule::FixedShare { tech_share: 0.2 },
            }],
            ..self.scenario.clone()
        };
        let policies = vec![Policy::by_priority(Share::Fixed(0.2))];
        let settings = Settings::for_run(&probe, TRIALS, probe.seed);
        let started = std::time::Instant::now();
        simulate::run(
            &probe,
            policies,
            vec!["probe".into()],
            &settings,
            Trials::all(settings.trials),
        );
        started.elapsed().as_secs_f64() / TRIALS as f64
    }

    /// Strategy `s`'s rule in words.
    pub fn rule_text(&self, s: usize) -> String {
        let pct = |x: f64| format!("{:.0}%", x * 100.0);
        match self.scenario.strategies[s].rule {
            Rule::FixedShare { tech_share } => format!("fixed share: {} tech", pct(tech_share)),
            Rule::DebtCeiling {
                ceiling,
                above,
                below,
            } => format!(
                "debt ceiling: {} tech above {ceiling} debt-days, else {}",
                pct(above),
                pct(below)
            ),
            Rule::Optimised {
                min_tech_share,
                max_tech_share,
                ..
            } => format!(
                "optimised: the allocator's plan, tech share {}–{}",
                pct(min_tech_share),
                pct(max_tech_share)
            ),
            Rule::Schedule { ref tech_share } => {
                let (lo, hi) = share_range(tech_share);
                format!(
                    "schedule: tech share by team and phase, {}–{}",
                    pct(lo),
                    pct(hi)
                )
            }
            Rule::Reactive(ref rule) => format!(
                "{}: {}",
                rule.form.as_str(),
                crate::words::policy::reactive_in_words(&self.scenario, rule)
            ),
        }
    }

    /// Whether this scenario's world is the file's: the same scenario but for its strategies.
    /// Then a strategy with the file's rule has exactly the file's outcomes (common random
    /// numbers) and need not be simulated again.
    pub fn same_world(&self, file: &Compiled) -> bool {
        let world = |c: &Compiled| {
            format!(
                "{:?}",
                Scenario {
                    strategies: Vec::new(),
                    ..c.scenario.clone()
                }
            )
        };
        world(self) == world(file)
    }

    /// The file's strategy of the same name as strategy `s`, when its rule is the same too.
    pub fn same_strategy_in(&self, s: usize, file: &Compiled) -> Option<usize> {
        let strategy = &self.scenario.strategies[s];
        file.scenario.strategies.iter().position(|f| f == strategy)
    }

    /// The file's strategy of the same name as strategy `s`.
    pub fn namesake_in(&self, s: usize, file: &Compiled) -> Option<usize> {
        let name = &self.scenario.strategies[s].name;
        file.scenario
            .strategies
            .iter()
            .position(|f| &f.name == name)
    }

    /// The table, fans, initiatives and key results: `rows[s]` holds strategy `s`'s outcomes
    /// (`None`: not simulated), `file_rows[s]` the file's same-named strategy's, on the same
    /// seed and trials.
    pub fn answer(
        &self,
        rows: &[Option<Row>],
        file: &Compiled,
        file_rows: &[Option<Row>],
        statuses: &[(StrategyStatus, Option<String>)],
    ) -> (
        Vec<StrategyAnswer>,
        Vec<InitiativeAnswer>,
        Vec<KeyResultAnswer>,
    ) {
        let sc = &self.scenario;
        let strategies = (0..sc.strategies.len())
            .map(|s| self.strategy_answer(s, statuses[s].clone(), rows, file_rows[s]))
            .collect();
        let initiatives = (0..sc.initiatives.len())
            .map(|i| self.initiative_answer(i, rows, file, file_rows))
            .collect();
        let key_results = (0..sc.key_results.len())
            .map(|k| self.key_result_answer(k, rows, file, file_rows))
            .collect();
        (strategies, initiatives, key_results)
    }

    /// Initiative `i`'s finish under each strategy (`rows`), with its chance on time in the
    /// file's own run (`file_rows`) when the file has it.
    fn initiative_answer(
        &self,
        i: usize,
        rows: &[Option<Row>],
        file: &Compiled,
        file_rows: &[Option<Row>],
    ) -> InitiativeAnswer {
        let sc = &self.scenario;
        let initiative = &sc.initiatives[i];
        let file_i = file.scenario.initiative_index(&initiative.id);
        InitiativeAnswer {
            id: initiative.id.clone(),
            kind: initiative.kind.as_str().into(),
            team: sc.teams[initiative.team].name.clone(),
            deadline: initiative.deadline,
            by_strategy: rows
                .iter()
                .zip(file_rows)
                .map(|(&row, &file_row)| {
                    let row = row?;
                    let stats = row.results().initiative(row.slot, i, initiative.deadline);
                    let file_p = file_row.zip(file_i).and_then(|(f, fi)| {
                        let deadline = file.scenario.initiatives[fi].deadline;
                        f.results().initiative(f.slot, fi, deadline).p_by_deadline
                    });
                    Some(Finish {
                        p_done: stats.p_done,
                        p_by_deadline: stats.p_by_deadline,
                        p50: stats.finish[0],
                        p85: stats.finish[1],
                        p95: stats.finish[2],
                        file_p_by_deadline: file_p,
                    })
                })
                .collect(),
        }
    }

    /// Key result `k`'s chance under each strategy (`rows`), with its chance in the file's
    /// own run (`file_rows`) when the file has it.
    fn key_result_answer(
        &self,
        k: usize,
        rows: &[Option<Row>],
        file: &Compiled,
        file_rows: &[Option<Row>],
    ) -> KeyResultAnswer {
        let kr = &self.scenario.key_results[k];
        let file_k = file.scenario.key_results.iter().position(|f| f.id == kr.id);
        KeyResultAnswer {
            id: kr.id.clone(),
            owner: kr.owner.as_str().into(),
            description: kr.description.clone(),
            deadline: kr.deadline,
            by_strategy: rows
                .iter()
                .zip(file_rows)
                .map(|(&row, &file_row)| {
                    let row = row?;
                    let stats = row.results().key_result(row.slot, k);
                    Some(KeyResultChance {
                        p_met: stats.p_met,
                        attainment: stats.attainment.mean,
                        file_p_met: file_row
                            .zip(file_k)
                            .map(|(f, fk)| f.results().key_result(f.slot, fk).p_met),
                    })
                })
                .collect(),
        }
    }

    fn strategy_answer(
        &self,
        s: usize,
        (status, message): (StrategyStatus, Option<String>),
        rows: &[Option<Row>],
        file_row: Option<Row>,
    ) -> StrategyAnswer {
        let mut answer = StrategyAnswer {
            name: self.scenario.strategies[s].name.clone(),
            rule: self.rule_text(s),
            status,
            message,
            blended: None,
            vs_first: None,
            p_product: None,
            p_technology: None,
            final_debt: None,
            incident_days: None,
            debt: None,
            versus_file: None,
            split: Vec::new(),
            buys: None,
        };
        let Some(row) = rows[s] else {
            return answer;
        };
        let (r, k) = (row.results(), row.slot);
        // A reused row is the file's run of the same rule in the same world: the same policy,
        // and key results and initiatives in the same order.
        answer.split = words::policy::clauses(&self.scenario, row.policy());
        answer.buys = Some(words::policy::buys(&self.scenario, r, k));
        let has = |owner| self.scenario.has_key_results(owner);
        answer.blended = Some(spread(r, k, SummaryMetric::BlendedScore));
        if let (true, Some(first)) = (s > 0, rows[0]) {
            answer.vs_first = Some(paired(row, first, SummaryMetric::BlendedScore));
        }
        answer.p_product =
            has(Owner::Product).then(|| r.summary(k, SummaryMetric::AllProductKrsMet).mean);
        answer.p_technology =
            has(Owner::Technology).then(|| r.summary(k, SummaryMetric::AllTechnologyKrsMet).mean);
        answer.final_debt = Some(spread(r, k, SummaryMetric::FinalDebt));
        answer.incident_days = Some(spread(r, k, SummaryMetric::IncidentDays));
        answer.debt = Some(fan(r, k));
        answer.versus_file = file_row.map(|f| {
            let pair = |metric| paired(row, f, metric);
            VersusFile {
                blended: pair(SummaryMetric::BlendedScore),
                product_score: pair(SummaryMetric::ProductScore),
                technology_score: pair(SummaryMetric::TechnologyScore),
                p_product: pair(SummaryMetric::AllProductKrsMet),
                final_debt: pair(SummaryMetric::FinalDebt),
                incident_days: pair(SummaryMetric::IncidentDays),
                debt_p50: fan(f.results(), f.slot).p50,
            }
        });
        answer
    }
}

/// One strategy's outcomes: a run and the strategy's place in it.
#[derive(Clone, Copy)]
pub struct Row<'a> {
    simulation: &'a Simulation,
    slot: usize,
}

impl Row<'_> {
    fn results(&self) -> &Results {
        &self.simulation.results
    }

    fn policy(&self) -> &Policy {
        &self.simulation.policies[self.slot]
    }
}

/// An optimised strategy's policy, ready to simulate.
#[derive(Clone, Debug)]
pub struct Plan(Policy);

/// A simulation of some of a scenario's strategies.
pub struct Simulation {
    /// The scenario's strategy index of each simulated strategy.
    strategies: Vec<usize>,
    /// The policy each executed, in the same order.
    policies: Vec<Policy>,
    results: Results,
}

impl Simulation {
    /// Strategy `s` of the scenario the run was made of, when it was simulated.
    pub fn row(&self, s: usize) -> Option<Row<'_>> {
        let slot = self.strategies.iter().position(|&x| x == s)?;
        Some(Row {
            simulation: self,
            slot,
        })
    }

    /// Trials kept for pairing.
    pub fn paired_trials(&self) -> u64 {
        self.results.samples.trials.len() as u64
    }
}

fn spread(results: &Results, s: usize, metric: SummaryMetric) -> Spread {
    let d = results.summary(s, metric);
    Spread {
        mean: d.mean,
        p10: d.at(0.10),
        p50: d.at(0.50),
        p90: d.at(0.90),
    }
}

fn fan(results: &Results, s: usize) -> Fan {
    let mut fan = Fan {
        p10: Vec::new(),
        p25: Vec::new(),
        p50: Vec::new(),
        p75: Vec::new(),
        p90: Vec::new(),
    };
    for t in 1..=results.periods() {
        let d = results.period(s, t, PeriodMetric::Debt as usize);
        fan.p10.push(d.at(0.10));
        fan.p25.push(d.at(0.25));
        fan.p50.push(d.at(0.50));
        fan.p75.push(d.at(0.75));
        fan.p90.push(d.at(0.90));
    }
    fan
}

/// `a` minus `b`, trial by trial over the trials both kept (the same seed and trial
/// indices: the same sampled worlds).
fn paired(a: Row, b: Row, metric: SummaryMetric) -> Difference {
    let differences: Vec<f64> = a
        .results()
        .samples
        .trials
        .iter()
        .zip(&b.results().samples.trials)
        .map(|(x, y)| x.summary(a.slot, metric) - y.summary(b.slot, metric))
        .collect();
    let mut moments = Moments::default();
    differences.iter().for_each(|&d| moments.add(d));
    let half = moments.ci95();
    let higher = differences.iter().filter(|&&d| d > 0.0).count();
    Difference {
        mean: moments.mean(),
        low: moments.mean() - half,
        high: moments.mean() + half,
        p_higher: higher as f64 / differences.len().max(1) as f64,
    }
}
