//! Answering one request: validate the `--set`s, plan what the stage allows, run the file's
//! own run and the changed scenario on the same seed and trials, and pair them. The work of a
//! request stops as soon as a newer request of its session arrives or its client leaves; a
//! change whose run would exceed the budget `fulcrum run` asks consent for is refused.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::pipeline::Budget;

use super::engine::{Compiled, Plan, Simulation};
use super::shapes::{Answer, AnswerRequest, InputError, Reply, Stage, StrategyStatus, Timings};
use super::state::{App, PAIRED_MAX, Session};

/// Answers `request` (on a blocking thread).
pub fn answer(app: &App, request: &AnswerRequest) -> Reply {
    answer_unless_left(app, request, &AtomicBool::new(false))
}

/// Answers `request`, giving up (superseded) once `left` says its client went away.
pub fn answer_unless_left(app: &App, request: &AnswerRequest, left: &AtomicBool) -> Reply {
    let started = Instant::now();
    app.count_request();
    let session = app.session(&request.session);
    let generation = session.begin();
    if let Some(answer) = app.cached_answer(&request.sets, request.stage) {
        return Reply::Answer(Box::new(Answer {
            remembered: true,
            recomputed: Vec::new(),
            ..(*answer).clone()
        }));
    }
    let changed = match app.base.compile(&request.sets) {
        Ok(changed) => changed,
        Err(errors) => return Reply::Invalid { errors },
    };
    let (own_trials, own_seed) = changed.trials_and_seed();
    let full = app.settings.trials.unwrap_or(own_trials);
    let trials = match request.stage {
        Stage::Preview => full.min(app.preview_trials),
        Stage::Full => full,
    };
    let estimate = changed.estimate(full, app.pool.current_num_threads());
    if estimate.over_budget() {
        let periods = changed.period_labels().len();
        let message = format!(
            "{}, more than this server runs (a budget of {}): lower `scenario.trials` (now \
             {full}) or `scenario.periods` (now {periods}), or run it with `fulcrum run --yes`",
            estimate.describe(),
            Budget::describe()
        );
        let errors = vec![InputError { set: None, message }];
        return Reply::Invalid { errors };
    }
    let job = Job {
        app,
        session,
        left,
        generation,
        stage: request.stage,
        full,
        trials,
        seed: app.settings.seed.unwrap_or(own_seed),
        paired: trials.min(PAIRED_MAX),
    };
    let mut timings = Timings {
        compile_ms: ms(started),
        ..Timings::default()
    };
    let Some(answer) = job.run(&changed, &mut timings) else {
        return Reply::Superseded;
    };
    timings.total_ms = ms(started);
    let answer = Answer { timings, ..answer };
    job.session.set(generation, "idle", String::new(), 0, None);
    log(request, &answer);
    let complete = answer
        .strategies
        .iter()
        .all(|s| s.status != StrategyStatus::Planning);
    let answer = Arc::new(answer);
    if complete {
        app.remember(&request.sets, request.stage, answer.clone());
    }
    Reply::Answer(Box::new((*answer).clone()))
}

/// One request's work.
struct Job<'a> {
    app: &'a App,
    session: Arc<Session>,
    /// Set when the client went away.
    left: &'a AtomicBool,
    generation: u64,
    stage: Stage,
    /// Trials of the refined answer.
    full: u64,
    trials: u64,
    seed: u64,
    /// Trials kept for pairing.
    paired: u64,
}

/// For each strategy of `changed`, the strategy of the file's own run whose outcomes it has
/// exactly (the same rule in the same world, simulated there), if any.
fn reusable(
    changed: &Compiled,
    file: &Compiled,
    plans: &Plans,
    file_sim: &Simulation,
) -> Vec<Option<usize>> {
    let same_world = changed.same_world(file);
    (0..plans.statuses.len())
        .map(|s| {
            let simulated = plans.statuses[s].0 == StrategyStatus::Simulated;
            changed
                .same_strategy_in(s, file)
                .filter(|&f| same_world && simulated && file_sim.row(f).is_some())
        })
        .collect()
}

/// Each strategy's plan, or why it has none.
struct Plans {
    statuses: Vec<(StrategyStatus, Option<String>)>,
    plans: HashMap<usize, Plan>,
    /// What was solved, in words.
    recomputed: Vec<String>,
}

impl Job<'_> {
    /// Whether a newer request of the session replaced this one, or its client left.
    fn stale(&self) -> bool {
        !self.session.is_current(self.generation) || self.left.load(Ordering::Relaxed)
    }

    fn report(&self, stage: &'static str, what: &str, total: u64, expected: Option<f64>) {
        let what = what.to_string();
        self.session
            .set(self.generation, stage, what, total, expected);
    }

    /// The answer to `changed` (`None`: superseded); `timings` hears where the time went.
    fn run(&self, changed: &Compiled, timings: &mut Timings) -> Option<Answer> {
        // The file's own run first: it also solves (and caches) the file's plans, which every
        // change that leaves the allocator's inputs alone reuses.
        let started = Instant::now();
        self.report("simulating", "the file's own run", self.trials, None);
        let file_sim = self.app.baseline(
            self.seed,
            self.trials,
            self.paired,
            &|done| self.session.advance(self.generation, done),
            &|| self.stale(),
        )?;
        timings.baseline_ms = ms(started);

        let started = Instant::now();
        let plans = self.plans(changed)?;
        timings.plan_ms = ms(started);

        // Strategies with the file's rule in the file's world have the file's outcomes
        // exactly; only the others are simulated.
        let started = Instant::now();
        let file = &self.app.base.scenario;
        let strategies = plans.statuses.len();
        let reused = reusable(changed, file, &plans, &file_sim);
        let include: Vec<usize> = (0..strategies)
            .filter(|&s| plans.statuses[s].0 == StrategyStatus::Simulated && reused[s].is_none())
            .collect();
        let sim = match include.is_empty() {
            true => None,
            false => Some(self.simulate(changed, &plans, &include)?),
        };
        timings.simulate_ms = ms(started);

        let rows: Vec<_> = (0..strategies)
            .map(|s| match reused[s] {
                Some(f) => file_sim.row(f),
                None => sim.as_ref().and_then(|sim| sim.row(s)),
            })
            .collect();
        let file_rows: Vec<_> = (0..strategies)
            .map(|s| changed.namesake_in(s, file).and_then(|f| file_sim.row(f)))
            .collect();
        let (strategies, initiatives, key_results) =
            changed.answer(&rows, file, &file_rows, &plans.statuses);
        // A preview with every trial and every plan is the refined answer already.
        let complete = self.trials == self.full
            && plans
                .statuses
                .iter()
                .all(|(status, _)| *status != StrategyStatus::Planning);
        Some(Answer {
            stage: if complete { Stage::Full } else { self.stage },
            trials: self.trials,
            refined_trials: self.full,
            seed: self.seed,
            paired_trials: file_sim.paired_trials(),
            unchanged: changed.same_as(file),
            simulated: include.len(),
            period_labels: changed.period_labels(),
            strategies,
            initiatives,
            key_results,
            warnings: changed.warnings.clone(),
            remembered: false,
            recomputed: plans.recomputed,
            timings: Timings::default(),
        })
    }

    /// The plans of `changed`'s optimised strategies: from the cache, else solved (only for
    /// the refined answer: a preview leaves them out). `None`: superseded.
    fn plans(&self, changed: &Compiled) -> Option<Plans> {
        let names = changed.strategy_names();
        let mut out = Plans {
            statuses: vec![(StrategyStatus::Simulated, None); names.len()],
            plans: HashMap::new(),
            recomputed: Vec::new(),
        };
        for (s, name) in names.iter().enumerate() {
            let Some(key) = changed.plan_key(s, self.seed) else {
                continue;
            };
            let plan = match (self.app.cached_plan(&key), self.stage) {
                (Some(plan), _) => plan,
                (None, Stage::Preview) => {
                    out.statuses[s] = (StrategyStatus::Planning, None);
                    continue;
                }
                (None, Stage::Full) => {
                    let what = format!("the allocator's plan for `{name}`");
                    self.report("planning", &what, 0, self.app.last_solve(name));
                    let plan = self
                        .app
                        .plan(changed, s, (&key, self.seed), &|| self.stale())?;
                    out.recomputed.push(what);
                    plan
                }
            };
            match plan {
                Ok(plan) => {
                    out.plans.insert(s, plan);
                }
                Err(message) => out.statuses[s] = (StrategyStatus::Infeasible, Some(message)),
            }
        }
        (!self.stale()).then_some(out)
    }

    /// Simulates strategies `include` of `changed`. `None`: superseded.
    fn simulate(&self, changed: &Compiled, plans: &Plans, include: &[usize]) -> Option<Simulation> {
        self.report("simulating", "the changed scenario", self.trials, None);
        changed.simulate(
            include,
            &|s| plans.plans.get(&s).cloned(),
            (self.trials, self.seed, self.paired),
            self.app.runner(),
            &|done| self.session.advance(self.generation, done),
            &|| self.stale(),
        )
    }
}

/// One line on stderr per answer computed, with where its time went.
fn log(request: &AnswerRequest, answer: &Answer) {
    let t = answer.timings;
    let sets = request.sets.len();
    eprintln!(
        "{} answer, {sets} set{}, {} trials, {} of {} strategies simulated: {:.0} ms \
         (plan {:.0}, file's run {:.0}, simulation {:.0})",
        match answer.stage {
            Stage::Preview => "preview",
            Stage::Full => "refined",
        },
        if sets == 1 { "" } else { "s" },
        answer.trials,
        answer.simulated,
        answer.strategies.len(),
        t.total_ms,
        t.plan_ms,
        t.baseline_ms,
        t.simulate_ms
    );
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}
