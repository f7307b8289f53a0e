//! The request handlers: the page, the scenario's controls, answers (a fast preview, then the
//! refined run), progress, and the download of the changed file. Simulation runs on blocking
//! threads and the rayon pool, never on the async executor.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::shapes::{
    Answer, AnswerRequest, InputError, Progress, Reply, Stage, StrategyStatus, Timings,
};
use super::state::{App, PAIRED_MAX};

/// The page: one file, its script and style inline.
const PAGE: &str = include_str!("page.html");

/// Longest session id and `--set` argument accepted, and most `--set`s per request.
const MAX_SESSION: usize = 64;
const MAX_SET: usize = 4_000;
const MAX_SETS: usize = 200;

/// `GET /`: the page. The content security policy lets it reach this server only.
pub async fn page() -> Response {
    let mut response = axum::response::Html(PAGE).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
             img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'",
        ),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /api/scenario`: the controls and the file's fields.
pub async fn scenario(State(app): State<Arc<App>>) -> Response {
    Json(app.info.clone()).into_response()
}

/// `POST /api/answer`.
pub async fn answer(State(app): State<Arc<App>>, Json(request): Json<AnswerRequest>) -> Response {
    if let Err(message) = check(&request.session, &request.sets) {
        return refused(StatusCode::BAD_REQUEST, message);
    }
    let job = tokio::task::spawn_blocking(move || run(&app, &request)).await;
    match job {
        // A refusal is an answer too (status `invalid`): browsers log every 4xx as an error.
        Ok(reply) => Json(reply).into_response(),
        Err(error) => refused(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the simulation failed: {error}"),
        ),
    }
}

/// `?session=...` of `GET /api/progress`.
#[derive(serde::Deserialize)]
pub struct SessionQuery {
    session: String,
}

/// `GET /api/progress`.
pub async fn progress(
    State(app): State<Arc<App>>,
    Query(query): Query<SessionQuery>,
) -> Json<Progress> {
    Json(app.progress(&query.session))
}

/// `GET /api/download?set=...&set=...`: the scenario file with the `--set`s written in.
pub async fn download(State(app): State<Arc<App>>, RawQuery(query): RawQuery) -> Response {
    let sets: Vec<String> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(|(key, _)| key == "set")
        .map(|(_, value)| value.into_owned())
        .collect();
    if let Err(message) = check("download", &sets) {
        return refused(StatusCode::BAD_REQUEST, message);
    }
    let job = tokio::task::spawn_blocking(move || app.base.rewritten(&sets)).await;
    match job {
        Ok(Ok((name, text))) => {
            let disposition = format!("attachment; filename=\"{}\"", name.replace('"', ""));
            let mut response = text.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Ok(Err(errors)) => {
            let text: Vec<String> = errors.into_iter().map(|e| e.message).collect();
            (StatusCode::UNPROCESSABLE_ENTITY, text.join("\n")).into_response()
        }
        Err(error) => refused(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("writing the file failed: {error}"),
        ),
    }
}

/// A refusal the page shows as it is.
fn refused(status: StatusCode, message: String) -> Response {
    let reply = Reply::Invalid {
        errors: vec![InputError { set: None, message }],
    };
    (status, Json(reply)).into_response()
}

/// Requests larger than a page sends are refused before any work.
fn check(session: &str, sets: &[String]) -> Result<(), String> {
    if session.is_empty()
        || session.len() > MAX_SESSION
        || !session
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "the session must be 1 to {MAX_SESSION} letters, digits, `-` or `_`"
        ));
    }
    if sets.len() > MAX_SETS {
        return Err(format!(
            "at most {MAX_SETS} --set assignments, got {}",
            sets.len()
        ));
    }
    if let Some(long) = sets.iter().find(|s| s.len() > MAX_SET) {
        return Err(format!(
            "a --set assignment is at most {MAX_SET} characters, got {}",
            long.len()
        ));
    }
    Ok(())
}

/// Answers one request (on a blocking thread): validate, plan what the stage allows, run the
/// file's baseline and the changed scenario on the same seed and trials, pair them.
pub fn run(app: &App, request: &AnswerRequest) -> Reply {
    let started = Instant::now();
    app.count_request();
    let session = app.session(&request.session);
    let generation = session.begin();
    let stale = || !session.is_current(generation);
    if let Some(answer) = app.cached_answer(&request.sets, request.stage) {
        return Reply::Answer(Box::new(Answer {
            timings: Timings {
                total_ms: ms(started),
                ..answer.timings
            },
            recomputed: Vec::new(),
            ..(*answer).clone()
        }));
    }
    let changed = match app.base.compile(&request.sets) {
        Ok(changed) => changed,
        Err(errors) => return Reply::Invalid { errors },
    };
    let mut timings = Timings {
        compile_ms: ms(started),
        ..Timings::default()
    };
    let (own_trials, own_seed) = changed.trials_and_seed();
    let full = app.settings.trials.unwrap_or(own_trials);
    let seed = app.settings.seed.unwrap_or(own_seed);
    let trials = match request.stage {
        Stage::Preview => full.min(app.preview_trials),
        Stage::Full => full,
    };
    let paired = trials.min(PAIRED_MAX);
    let names = changed.strategy_names();

    // The file's own run first: it also solves (and caches) the file's plans, which every
    // change that leaves the allocator's inputs alone reuses.
    let baseline = Instant::now();
    session.set(
        generation,
        "simulating",
        "the file's own run".into(),
        trials,
        None,
    );
    let Some(file_sim) = app.baseline(
        seed,
        trials,
        paired,
        &|done| session.advance(generation, done),
        &stale,
    ) else {
        return Reply::Superseded;
    };
    timings.baseline_ms = ms(baseline);

    let planning = Instant::now();
    let mut statuses = vec![(StrategyStatus::Simulated, None); names.len()];
    let mut plans = std::collections::HashMap::new();
    let mut recomputed = Vec::new();
    for (s, name) in names.iter().enumerate() {
        let Some(key) = changed.plan_key(s) else {
            continue;
        };
        let plan = match (app.cached_plan(&key), request.stage) {
            (Some(plan), _) => plan,
            (None, Stage::Preview) => {
                statuses[s] = (StrategyStatus::Planning, None);
                continue;
            }
            (None, Stage::Full) => {
                let what = format!("the allocator's plan for `{name}`");
                session.set(
                    generation,
                    "planning",
                    what.clone(),
                    0,
                    app.last_solve(name),
                );
                let Some(plan) = app.plan(&changed, s, &key, &stale) else {
                    return Reply::Superseded;
                };
                recomputed.push(what);
                plan
            }
        };
        match plan {
            Ok(plan) => {
                plans.insert(s, plan);
            }
            Err(message) => statuses[s] = (StrategyStatus::Infeasible, Some(message)),
        }
    }
    timings.plan_ms = ms(planning);
    if stale() {
        return Reply::Superseded;
    }

    // Strategies with the file's rule in the file's world have the file's outcomes exactly;
    // only the others are simulated.
    let simulating = Instant::now();
    let file = &app.base.scenario;
    let same_world = changed.same_world(file);
    let reused: Vec<Option<usize>> = (0..names.len())
        .map(|s| {
            let simulated = statuses[s].0 == StrategyStatus::Simulated;
            let reuse = changed
                .same_strategy_in(s, file)
                .filter(|_| same_world && simulated);
            reuse.filter(|&f| file_sim.row(f).is_some())
        })
        .collect();
    let include: Vec<usize> = (0..names.len())
        .filter(|&s| statuses[s].0 == StrategyStatus::Simulated && reused[s].is_none())
        .collect();
    let sim = if include.is_empty() {
        None
    } else {
        session.set(
            generation,
            "simulating",
            "the changed scenario".into(),
            trials,
            None,
        );
        let sim = app.pool.install(|| {
            changed.simulate(
                &include,
                &|s| plans.get(&s).cloned(),
                trials,
                seed,
                paired,
                &|done| session.advance(generation, done),
                &stale,
            )
        });
        match sim {
            Some(sim) => Some(sim),
            None => return Reply::Superseded,
        }
    };
    timings.simulate_ms = ms(simulating);
    let rows: Vec<_> = (0..names.len())
        .map(|s| match reused[s] {
            Some(f) => file_sim.row(f),
            None => sim.as_ref().and_then(|sim| sim.row(s)),
        })
        .collect();
    let file_rows: Vec<_> = (0..names.len())
        .map(|s| changed.namesake_in(s, file).and_then(|f| file_sim.row(f)))
        .collect();
    let (strategies, initiatives, key_results) = changed.answer(&rows, file, &file_rows, &statuses);
    let unchanged = changed.same_as(file);
    timings.total_ms = ms(started);
    let answer = Answer {
        stage: request.stage,
        trials,
        seed,
        paired_trials: file_sim.paired_trials(),
        unchanged,
        period_labels: changed.period_labels(),
        strategies,
        initiatives,
        key_results,
        warnings: changed.warnings.clone(),
        recomputed,
        timings,
    };
    session.set(generation, "idle", String::new(), 0, None);
    eprintln!(
        "{} answer, {} set{}, {trials} trials, {} of {} strategies simulated: {:.0} ms \
         (plan {:.0}, file's run {:.0}, simulation {:.0})",
        match request.stage {
            Stage::Preview => "preview",
            Stage::Full => "refined",
        },
        request.sets.len(),
        if request.sets.len() == 1 { "" } else { "s" },
        include.len(),
        names.len(),
        timings.total_ms,
        timings.plan_ms,
        timings.baseline_ms,
        timings.simulate_ms
    );
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

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}
