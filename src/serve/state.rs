//! What the server keeps between requests: the scenario, caches of plans, of the file's own
//! runs and of answers, and one session per open page, whose generation counter lets a newer
//! request cancel the work of an older one.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::engine::{Base, Compiled, Plan, Simulation};
use super::pool::{Runner, Turns, lock};
use super::shapes::{Answer, Info, Progress, Stage};

/// Trials kept per run for the paired differences from the file (their per-trial outcomes
/// are held in memory).
pub const PAIRED_MAX: u64 = 20_000;
/// Sessions remembered at most; the longest unseen is forgotten first.
const SESSIONS: usize = 64;
/// Answers and plans remembered at most (then the cache starts again).
const CACHED: usize = 64;
/// The file's runs remembered at most (by seed and trials).
const BASELINES: usize = 6;

/// The server's settings.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// `--trials`: overrides the scenario's `trials` for the refined answer.
    pub trials: Option<u64>,
    /// `--seed`: overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Trials of a preview; `None`: as many as the machine simulates in about 250 ms, 1,000
    /// to 2,000 (see [`preview_trials`](super::preview_trials)).
    pub preview_trials: Option<u64>,
}

/// Everything the server holds.
pub struct App {
    /// The scenario file.
    pub base: Base,
    /// What `GET /api/scenario` returns.
    pub info: Info,
    /// The command line's settings.
    pub settings: Settings,
    /// Trials of a preview (the setting, or as calibrated at start-up).
    pub preview_trials: u64,
    /// Where simulations run.
    pub pool: rayon::ThreadPool,
    /// Turns on the pool, so that every request's simulation advances.
    pub turns: Turns,
    plans: Mutex<HashMap<String, Result<Plan, String>>>,
    /// Held while the allocator solves, so stale requests do not pile up solves.
    planner: Mutex<()>,
    /// Seconds the last solve of each strategy took, for the progress estimate.
    solve_seconds: Mutex<HashMap<String, f64>>,
    /// The file's own runs, by (seed, trials).
    baselines: Mutex<HashMap<(u64, u64), Arc<BaselineSlot>>>,
    /// Answers by their `--set`s and stage.
    answers: Mutex<HashMap<AnswerKey, Arc<Answer>>>,
    sessions: Mutex<HashMap<String, Arc<Session>>>,
    /// Answers asked for so far: background work gives way when it moves.
    requests: AtomicU64,
}

/// One of the file's runs: empty until computed (or while a cancelled computation left it).
type BaselineSlot = Mutex<Option<Arc<Simulation>>>;
/// The `--set`s and stage of an answer.
type AnswerKey = (Vec<String>, Stage);

impl App {
    /// The server's state for `base`.
    pub fn new(
        base: Base,
        info: Info,
        settings: Settings,
        preview_trials: u64,
        pool: rayon::ThreadPool,
    ) -> App {
        App {
            base,
            info,
            settings,
            preview_trials,
            pool,
            turns: Turns::default(),
            plans: Mutex::default(),
            planner: Mutex::default(),
            solve_seconds: Mutex::default(),
            baselines: Mutex::default(),
            answers: Mutex::default(),
            sessions: Mutex::default(),
            requests: AtomicU64::new(0),
        }
    }

    /// Where and how simulations run: on the pool, a slice of [`App::preview_trials`] trials
    /// (about 250 ms) per turn.
    pub fn runner(&self) -> Runner<'_> {
        Runner {
            pool: &self.pool,
            turns: &self.turns,
            slice: self.preview_trials.max(1),
        }
    }

    /// Counts a request for an answer.
    pub fn count_request(&self) {
        self.requests.fetch_add(1, Ordering::SeqCst);
    }

    /// Requests for answers so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }

    /// The session called `id`, created if new.
    pub fn session(&self, id: &str) -> Arc<Session> {
        let mut sessions = lock(&self.sessions);
        if !sessions.contains_key(id) && sessions.len() >= SESSIONS {
            let oldest = sessions
                .iter()
                .min_by_key(|(_, s)| *lock(&s.seen))
                .map(|(id, _)| id.clone());
            if let Some(oldest) = oldest {
                sessions.remove(&oldest);
            }
        }
        let session = sessions.entry(id.to_string()).or_default().clone();
        *lock(&session.seen) = Instant::now();
        session
    }

    /// The progress of session `id` (idle when unknown).
    pub fn progress(&self, id: &str) -> Progress {
        let session = lock(&self.sessions).get(id).cloned();
        session.map_or_else(Progress::default, |s| s.progress())
    }

    /// A cached plan: `None` when it was never solved.
    pub fn cached_plan(&self, key: &str) -> Option<Result<Plan, String>> {
        lock(&self.plans).get(key).cloned()
    }

    /// How long the last solve of strategy `name` took.
    pub fn last_solve(&self, name: &str) -> Option<f64> {
        lock(&self.solve_seconds).get(name).copied()
    }

    /// Strategy `s`'s plan, solved if it is not cached yet; one solve at a time. `None` when
    /// `stale` says the request was superseded while waiting for the solver.
    pub fn plan(
        &self,
        scenario: &Compiled,
        s: usize,
        (key, seed): (&str, u64),
        stale: &dyn Fn() -> bool,
    ) -> Option<Result<Plan, String>> {
        let _solver = lock(&self.planner);
        if let Some(plan) = self.cached_plan(key) {
            return Some(plan);
        }
        if stale() {
            return None;
        }
        let started = Instant::now();
        let plan = scenario.solve(s, seed);
        let name = scenario.strategy_names()[s].clone();
        lock(&self.solve_seconds).insert(name, started.elapsed().as_secs_f64());
        let mut plans = lock(&self.plans);
        if plans.len() >= CACHED {
            plans.clear();
        }
        plans.insert(key.to_string(), plan.clone());
        Some(plan)
    }

    /// The file's own run on `seed` and `trials` (every strategy whose plan exists), keeping
    /// `paired` trials; computed once and shared. `None` when `cancelled` stopped it (the next
    /// request computes it again).
    pub fn baseline(
        &self,
        seed: u64,
        trials: u64,
        paired: u64,
        progress: &(dyn Fn(u64) + Sync),
        cancelled: &(dyn Fn() -> bool + Sync),
    ) -> Option<Arc<Simulation>> {
        let slot = {
            let mut baselines = lock(&self.baselines);
            // Each holds its trials' outcomes: keep a few (a new seed or trial count is rare).
            if baselines.len() >= BASELINES && !baselines.contains_key(&(seed, trials)) {
                baselines.clear();
            }
            baselines.entry((seed, trials)).or_default().clone()
        };
        // Held while computing: a second request for the same run waits for this one.
        let mut slot = lock(&slot);
        if let Some(simulation) = slot.as_ref() {
            return Some(simulation.clone());
        }
        let file = &self.base.scenario;
        let mut plans = HashMap::new();
        let mut include = Vec::new();
        for s in 0..file.strategy_names().len() {
            match file.plan_key(s, seed) {
                None => include.push(s),
                Some(key) => {
                    if let Some(Ok(plan)) = self.plan(file, s, (&key, seed), &|| false) {
                        plans.insert(s, plan);
                        include.push(s);
                    }
                }
            }
        }
        let simulation = file.simulate(
            &include,
            &|s| plans.get(&s).cloned(),
            (trials, seed, paired),
            self.runner(),
            progress,
            cancelled,
        )?;
        let simulation = Arc::new(simulation);
        *slot = Some(simulation.clone());
        Some(simulation)
    }

    /// A remembered answer.
    pub fn cached_answer(&self, sets: &[String], stage: Stage) -> Option<Arc<Answer>> {
        lock(&self.answers).get(&(sets.to_vec(), stage)).cloned()
    }

    /// Remembers an answer (answers are deterministic: the same sets give the same answer).
    pub fn remember(&self, sets: &[String], stage: Stage, answer: Arc<Answer>) {
        let mut answers = lock(&self.answers);
        if answers.len() >= CACHED {
            answers.clear();
        }
        answers.insert((sets.to_vec(), stage), answer);
    }
}

/// One open page. Each request takes a new generation; work of an older generation is stale
/// and stops at its next check.
#[derive(Debug)]
pub struct Session {
    generation: AtomicU64,
    done: AtomicU64,
    status: Mutex<Status>,
    seen: Mutex<Instant>,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            generation: AtomicU64::new(0),
            done: AtomicU64::new(0),
            status: Mutex::default(),
            seen: Mutex::new(Instant::now()),
        }
    }
}

/// What the session's newest request is doing.
#[derive(Clone, Debug)]
struct Status {
    stage: &'static str,
    what: String,
    total: u64,
    started: Instant,
    expected: Option<f64>,
}

impl Default for Status {
    fn default() -> Self {
        Status {
            stage: "idle",
            what: String::new(),
            total: 0,
            started: Instant::now(),
            expected: None,
        }
    }
}

impl Session {
    /// Starts a request: every older request of this session is stale from now on.
    pub fn begin(&self) -> u64 {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        self.set(generation, "idle", String::new(), 0, None);
        generation
    }

    /// Whether `generation` is still the newest request.
    pub fn is_current(&self, generation: u64) -> bool {
        self.generation.load(Ordering::SeqCst) == generation
    }

    /// Records what the request `generation` is doing (ignored once it is stale).
    pub fn set(
        &self,
        generation: u64,
        stage: &'static str,
        what: String,
        total: u64,
        expected: Option<f64>,
    ) {
        let mut status = lock(&self.status);
        if self.is_current(generation) {
            *status = Status {
                stage,
                what,
                total,
                started: Instant::now(),
                expected,
            };
            self.done.store(0, Ordering::SeqCst);
        }
    }

    /// Trials done so far by the request `generation`.
    pub fn advance(&self, generation: u64, done: u64) {
        if self.is_current(generation) {
            self.done.fetch_max(done, Ordering::Relaxed);
        }
    }

    fn progress(&self) -> Progress {
        let status = lock(&self.status).clone();
        Progress {
            stage: status.stage.to_string(),
            what: status.what,
            done: self.done.load(Ordering::Relaxed),
            total: status.total,
            elapsed: status.started.elapsed().as_secs_f64(),
            expected: status.expected,
        }
    }
}
