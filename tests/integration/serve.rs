//! `fulcrum serve`'s request handlers: the answers (paired with the file's run on common
//! random numbers), refusals with the CLI's messages, cancellation of stale work, the
//! download of the changed file, and the HTTP routes' status codes.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use fulcrum::serve::shapes::{Answer, AnswerRequest, Reply, Stage, StrategyStatus};
use fulcrum::serve::{self, App, Settings};
use tower::ServiceExt;

mod process;
mod schedule;

const EXAMPLE: &str = "scenarios/balanced-okrs.toml";

/// The server's state for `file`, with few trials (debug builds simulate slowly).
fn app_with(file: &str, trials: u64, preview: u64, threads: usize) -> App {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let settings = Settings {
        trials: Some(trials),
        seed: None,
        preview_trials: Some(preview),
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    serve::load(&path, settings, pool).unwrap_or_else(|e| panic!("{e}"))
}

fn app() -> App {
    app_with(EXAMPLE, 600, 200, 2)
}

fn ask(app: &App, session: &str, sets: &[&str], stage: Stage) -> Reply {
    serve::answer(
        app,
        &AnswerRequest {
            session: session.into(),
            sets: sets.iter().map(|s| s.to_string()).collect(),
            stage,
        },
    )
}

fn answer(app: &App, sets: &[&str], stage: Stage) -> Answer {
    match ask(app, "test", sets, stage) {
        Reply::Answer(answer) => *answer,
        other => panic!("expected an answer, got {other:?}"),
    }
}

fn errors(app: &App, sets: &[&str]) -> Vec<(Option<usize>, String)> {
    match ask(app, "test", sets, Stage::Preview) {
        Reply::Invalid { errors } => errors.into_iter().map(|e| (e.set, e.message)).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn the_file_itself_differs_from_itself_by_exactly_zero() {
    let app = app();
    let a = answer(&app, &[], Stage::Full);
    assert!(a.unchanged);
    assert_eq!((a.trials, a.paired_trials), (600, 600));
    assert_eq!(a.strategies.len(), 4);
    for s in &a.strategies {
        assert_eq!(s.status, StrategyStatus::Simulated, "{}", s.name);
        let v = s
            .versus_file
            .as_ref()
            .expect("every strategy is in the file");
        for d in [v.blended, v.final_debt, v.incident_days, v.p_product] {
            assert_eq!((d.mean, d.low, d.high, d.p_higher), (0.0, 0.0, 0.0, 0.0));
        }
        assert_eq!(s.debt.as_ref().unwrap().p50.len(), 13);
    }
    // Setting a field to the value it has is no change either.
    assert!(answer(&app, &["okrs.blend=0.6"], Stage::Full).unchanged);
    // Asking again is answered from memory, with the same numbers.
    assert!(!a.remembered);
    let again = answer(&app, &[], Stage::Full);
    assert!(again.remembered);
    let blended = |a: &Answer| {
        a.strategies
            .iter()
            .map(|s| s.blended.unwrap().mean)
            .collect::<Vec<_>>()
    };
    assert_eq!(blended(&again), blended(&a));
}

#[test]
fn a_changed_strategy_moves_its_row_only_and_pairs_exactly() {
    let app = app();
    let file = answer(&app, &[], Stage::Preview);
    let changed = answer(&app, &["strategies.80/20.tech_share=0.45"], Stage::Preview);
    assert!(!changed.unchanged);
    assert_eq!(changed.trials, 200);
    for (before, after) in file.strategies.iter().zip(&changed.strategies) {
        let d = after.versus_file.as_ref().unwrap().blended;
        if after.name == "80/20" {
            assert!(d.mean != 0.0 && d.high > d.low, "{d:?}");
            // Paired over every trial: the mean difference is the difference of the means.
            let means = after.blended.unwrap().mean - before.blended.unwrap().mean;
            assert!((d.mean - means).abs() < 1e-6, "{} vs {means}", d.mean);
            assert_ne!(
                after.debt.as_ref().unwrap().p50,
                before.debt.as_ref().unwrap().p50
            );
        } else {
            // Common random numbers: an unchanged strategy sees the same worlds exactly.
            assert_eq!((d.mean, d.low, d.high), (0.0, 0.0, 0.0), "{}", after.name);
            assert_eq!(after.blended.unwrap().mean, before.blended.unwrap().mean);
        }
    }
}

/// `fulcrum run`'s results for `scenario` on 600 trials of `seed` (no prices): what the
/// server's answers must equal.
fn run_of(scenario: &fulcrum::model::Scenario, seed: u64) -> fulcrum::simulate::Results {
    let settings = fulcrum::simulate::Settings::for_run(scenario, 600, seed);
    let options = fulcrum::pipeline::Options {
        marginal_values: fulcrum::pipeline::MarginalValues::None,
        ..fulcrum::pipeline::Options::new(settings)
    };
    let (policies, _) = fulcrum::pipeline::policies(scenario, &options, &|_| {}).unwrap();
    let names = scenario.strategies.iter().map(|s| s.name.clone()).collect();
    fulcrum::simulate::run(
        scenario,
        policies,
        names,
        &settings,
        fulcrum::simulate::Trials::all(settings.trials),
    )
}

/// Only the changed strategy is simulated; the others are the file's run. That must be
/// exactly what simulating the whole changed scenario gives.
#[test]
fn reused_rows_are_what_a_full_run_of_the_changed_scenario_gives() {
    use fulcrum::simulate::SummaryMetric;
    let app = app();
    let set = "strategies.70/30.tech_share=0.4";
    let a = answer(&app, &[set], Stage::Full);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(EXAMPLE);
    let scenario = fulcrum::scenario::load(&path, &[set.to_string()])
        .unwrap()
        .scenario;
    let results = run_of(&scenario, scenario.seed);
    for (k, s) in a.strategies.iter().enumerate() {
        let blended = results.summary(k, SummaryMetric::BlendedScore);
        let debt = results.summary(k, SummaryMetric::FinalDebt);
        assert_eq!(s.blended.unwrap().mean, blended.mean, "{}", s.name);
        assert_eq!(s.final_debt.unwrap().p50, debt.at(0.5), "{}", s.name);
        if k > 0 {
            // Paired across two runs (the file's and the changed one's) trial by trial.
            let expected = results.paired(k, SummaryMetric::BlendedScore);
            let got = s.vs_first.unwrap();
            assert!((got.mean - expected.mean).abs() < 1e-9, "{}", s.name);
            assert!((got.high - expected.ci95.1).abs() < 1e-6, "{}", s.name);
        }
    }
}

/// `serve --seed S` trains the optimised strategy on S, as `run --seed S` does: every row of
/// the file's own answer, the optimised one included, is the run's.
#[test]
fn serve_with_a_seed_answers_what_run_with_that_seed_prints() {
    use fulcrum::simulate::SummaryMetric;
    let seed = 7;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let settings = Settings {
        trials: Some(600),
        seed: Some(seed),
        preview_trials: Some(200),
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(EXAMPLE);
    let app = serve::load(&path, settings, pool).unwrap();
    let a = answer(&app, &[], Stage::Full);
    assert_eq!(a.seed, seed);
    let scenario = fulcrum::scenario::load(&path, &[]).unwrap().scenario;
    assert_ne!(
        scenario.seed, seed,
        "the test needs a seed other than the file's"
    );
    let results = run_of(&scenario, seed);
    assert!(
        scenario
            .strategies
            .iter()
            .any(|s| fulcrum::pipeline::objective_of(&s.rule).is_some()),
        "the example must have an optimised strategy"
    );
    for (k, s) in a.strategies.iter().enumerate() {
        let blended = results.summary(k, SummaryMetric::BlendedScore);
        assert_eq!(s.blended.unwrap().mean, blended.mean, "{}", s.name);
    }
}

#[test]
fn a_preview_leaves_an_unsolved_plan_to_the_refined_answer() {
    let app = app();
    let preview = answer(&app, &["okrs.blend=0.4"], Stage::Preview);
    let optimised = preview.strategies.iter().find(|s| s.name == "optimised");
    let optimised = optimised.unwrap();
    assert_eq!(optimised.status, StrategyStatus::Planning);
    assert!(optimised.blended.is_none());
    assert!(preview.key_results[0].by_strategy[3].is_none());
    let full = answer(&app, &["okrs.blend=0.4"], Stage::Full);
    assert_eq!(full.trials, 600);
    assert_eq!(
        full.recomputed,
        vec!["the allocator's plan for `optimised`".to_string()]
    );
    assert!(full.strategies.iter().all(|s| s.blended.is_some()));
    // The plan is cached now: a preview of a change the allocator does not read has every
    // strategy.
    let again = answer(
        &app,
        &["okrs.blend=0.4", "strategies.80/20.tech_share=0.3"],
        Stage::Preview,
    );
    assert!(
        again
            .strategies
            .iter()
            .all(|s| s.status == StrategyStatus::Simulated)
    );
}

/// The message the CLI prints on stderr for `validate --set <set>`.
fn cli_stderr(set: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = crate::common::fulcrum(&["validate", EXAMPLE, "--set", set], dir);
    assert_eq!(out.status.code(), Some(2));
    crate::common::text(&out.stderr)
}

#[test]
fn bad_input_is_refused_with_the_cli_message_next_to_its_set() {
    let app = app();
    for (set, expected) in [
        ("okrs.blend=1.5", "must be between 0 and 1"),
        ("teams.chekout.engineers=8", "did you mean `checkout`?"),
        ("debt.accrual=0.4 to 0.2", "0.4 to 0.2"),
        ("strategies.80/20.tech_share=lots", "tech_share"),
        (
            "teams.checkout.hires=[{ period = 99, engineers = 1 }]",
            "99",
        ),
    ] {
        let errors = errors(&app, &["okrs.blend=0.5", set]);
        assert_eq!(errors.len(), 1, "{set}: {errors:?}");
        let (index, message) = &errors[0];
        assert_eq!(
            *index,
            Some(1),
            "{set}: the error points at the second --set"
        );
        assert!(message.contains(expected), "{set}: {message}");
        assert!(
            cli_stderr(set).contains(message.trim_end()),
            "{set}: not the CLI's message:\n{message}"
        );
    }
}

#[test]
fn a_newer_request_cancels_the_stale_one() {
    // A refined answer far too big to finish during the test, unless cancelled (within the
    // budget every answer is held to).
    let app = Arc::new(app_with(EXAMPLE, 2_000_000, 100, 2));
    answer(&app, &[], Stage::Preview); // solves and caches the file's plan
    let slow = {
        let app = app.clone();
        std::thread::spawn(move || {
            let started = Instant::now();
            let reply = ask(
                &app,
                "meeting",
                &["teams.checkout.engineers=7"],
                Stage::Full,
            );
            (reply, started.elapsed())
        })
    };
    // Wait until the stale run is simulating, then move a control in the same session.
    let deadline = Instant::now() + Duration::from_secs(120);
    while app.progress("meeting").done == 0 {
        assert!(Instant::now() < deadline, "the refined run never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(matches!(
        ask(
            &app,
            "meeting",
            &["teams.checkout.engineers=8"],
            Stage::Preview
        ),
        Reply::Answer(_)
    ));
    let (reply, took) = slow.join().unwrap();
    assert!(matches!(reply, Reply::Superseded), "{reply:?}");
    assert!(took < Duration::from_secs(120), "cancelled after {took:?}");
    // Another session's work is its own.
    assert!(matches!(
        ask(
            &app,
            "other",
            &["teams.checkout.engineers=8"],
            Stage::Preview
        ),
        Reply::Answer(_)
    ));
}

#[test]
fn answers_do_not_depend_on_the_thread_count() {
    let json = |threads| {
        let app = app_with(EXAMPLE, 300, 100, threads);
        let mut a = answer(&app, &["teams.platform.engineers=5"], Stage::Full);
        a.timings = Default::default();
        serde_json::to_string(&a).unwrap()
    };
    assert_eq!(json(1), json(2));
}

fn get(app: Arc<App>, uri: &str) -> (StatusCode, Vec<(String, String)>, String) {
    request(app, Request::get(uri).body(Body::empty()).unwrap())
}

fn request(app: Arc<App>, request: Request<Body>) -> (StatusCode, Vec<(String, String)>, String) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let response = serve::router(app).oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    })
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

#[test]
fn the_page_is_self_contained() {
    let (status, headers, page) = get(Arc::new(app()), "/");
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<script>") && page.contains("<style>"));
    // Nothing on the page names another origin, and the browser is told to allow none.
    assert!(!page.contains("http://") && !page.contains("https://"));
    assert!(!page.contains("src=") && !page.contains("<link rel=\"stylesheet\""));
    assert!(header(&headers, "content-security-policy").contains("default-src 'none'"));
}

#[test]
fn the_scenario_route_lists_a_control_for_every_strategy_and_team() {
    let (status, _, body) = get(Arc::new(app()), "/api/scenario");
    assert_eq!(status, StatusCode::OK);
    let info: serde_json::Value = serde_json::from_str(&body).unwrap();
    let paths: Vec<&str> = info["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["controls"].as_array().unwrap())
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    for path in [
        "okrs.blend",
        "strategies.80/20.tech_share",
        "strategies.debt-ceiling.ceiling",
        "strategies.debt-ceiling.above",
        "strategies.optimised.min_tech_share",
        "strategies.optimised.max_tech_share",
        "teams.checkout.engineers",
        "teams.search.hires",
    ] {
        assert!(paths.contains(&path), "{path} missing from {paths:?}");
    }
    let fields = info["fields"].as_array().unwrap();
    assert!(
        fields
            .iter()
            .any(|f| f["path"] == "debt.interest" && f["value"] == "\"0.5% to 1.5%\"")
    );
    assert_eq!(
        (info["trials"].as_u64(), info["preview_trials"].as_u64()),
        (Some(600), Some(200))
    );
}

#[test]
fn the_answer_route_speaks_json_and_refuses_in_its_answer() {
    let app = Arc::new(app());
    let post = |body: &str| {
        request(
            app.clone(),
            Request::post("/api/answer")
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
    };
    let (status, _, body) = post(r#"{"session":"s1","sets":["okrs.blend=0.5"],"stage":"preview"}"#);
    assert_eq!(status, StatusCode::OK);
    let reply: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(reply["status"], "answer");
    assert_eq!(reply["strategies"][0]["name"], "80/20");
    let (status, _, body) = post(r#"{"session":"s1","sets":["okrs.blend=2"],"stage":"preview"}"#);
    assert_eq!(status, StatusCode::OK);
    let reply: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(reply["status"], "invalid");
    assert_eq!(reply["errors"][0]["set"], 0);
    let (status, _, _) = post(r#"{"session":"no spaces","sets":[],"stage":"preview"}"#);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = post(r#"{"session":"s1","stage":"sideways"}"#);
    assert!(status.is_client_error());
    let (status, _, body) = get(app.clone(), "/api/progress?session=s1");
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("\"stage\":\"idle\""), "{body}");
}

#[test]
fn the_download_is_the_file_with_the_changes_written_in() {
    let app = Arc::new(app());
    let (status, headers, text) = get(
        app.clone(),
        "/api/download?set=okrs.blend%3D0.45&set=teams.checkout.engineers%3D7",
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        header(&headers, "content-disposition"),
        "attachment; filename=\"balanced-okrs.toml\""
    );
    let original =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(EXAMPLE)).unwrap();
    assert!(
        text.contains("blend = 0.45 "),
        "comments stay after the value"
    );
    assert!(text.contains("engineers = 7\n"));
    assert_eq!(text.lines().count(), original.lines().count());
    let changed: Vec<(&str, &str)> = original
        .lines()
        .zip(text.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(changed.len(), 2, "{changed:?}");
    let (status, _, message) = get(app, "/api/download?set=okrs.blend%3D3");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message.contains("must be between 0 and 1"), "{message}");
}

#[test]
fn a_json_scenario_without_strategies_is_served_and_downloaded_with_its_comments() {
    let dir = crate::common::scratch("serve-json");
    let file = dir.join("tiny.json");
    std::fs::write(
        &file,
        r#"{
  // The smallest useful scenario.
  "scenario": { "name": "tiny", "periods": 4, "trials": 200 },
  "okrs": { "key_results": [{ "id": "ship", "owner": "product", "target": 1 }] },
  "teams": [{ "name": "core", "engineers": 3 }],
  "initiatives": [
    { "id": "a", "kind": "product", "team": "core", "effort": "30 to 60",
      "contributes": { "ship": 1 } }
  ]
}
"#,
    )
    .unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let settings = Settings {
        trials: None,
        seed: None,
        preview_trials: Some(100),
    };
    let app = Arc::new(serve::load(&file, settings, pool).unwrap_or_else(|e| panic!("{e}")));
    // The implicit product-first strategy has no control: no --set can reach it.
    let titles: Vec<&str> = app.info.groups.iter().map(|g| g.title.as_str()).collect();
    assert_eq!(titles, ["Blend", "Team core"]);
    assert!(
        app.info.warnings[0].contains("strategies"),
        "{:?}",
        app.info.warnings
    );
    let a = answer(&app, &["teams.core.engineers=1"], Stage::Full);
    assert_eq!((a.trials, a.strategies.len()), (200, 1));
    let d = a.strategies[0].versus_file.as_ref().unwrap().blended;
    assert!(d.mean < 0.0, "fewer engineers, less delivered: {d:?}");
    let (status, _, text) = get(app, "/api/download?set=teams.core.engineers%3D1");
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("// The smallest useful scenario."), "{text}");
    assert!(text.contains(r#""engineers": 1"#), "{text}");
}

#[test]
fn a_preview_with_every_trial_and_plan_is_the_refined_answer() {
    let small = app_with(EXAMPLE, 150, 200, 2);
    let a = answer(&small, &["strategies.80/20.tech_share=0.3"], Stage::Preview);
    assert_eq!(
        (a.stage, a.trials, a.refined_trials),
        (Stage::Full, 150, 150)
    );
    // Unless a plan is still missing.
    let b = answer(&small, &["okrs.blend=0.3"], Stage::Preview);
    assert_eq!((b.stage, b.trials), (Stage::Preview, 150));
    let c = answer(&app(), &[], Stage::Preview);
    assert_eq!(
        (c.stage, c.trials, c.refined_trials),
        (Stage::Preview, 200, 600)
    );
}

#[test]
fn the_command_refuses_what_run_refuses_before_listening() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = crate::common::fulcrum(&["serve", "scenarios/missing.toml", "--port", "0"], dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(crate::common::text(&out.stderr).contains("cannot read scenarios/missing.toml"));
    let out = crate::common::fulcrum(
        &["serve", EXAMPLE, "--port", "0", "--preview-trials", "0"],
        dir,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(crate::common::text(&out.stderr).contains("--preview-trials must be at least 1"));
    let scratch = crate::common::scratch("serve-invalid");
    std::fs::write(scratch.join("bad.toml"), "[scenario]\nperiods = 0\n").unwrap();
    let out = crate::common::fulcrum(&["serve", "bad.toml", "--port", "0"], &scratch);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        crate::common::text(&out.stderr).contains("periods"),
        "{}",
        crate::common::text(&out.stderr)
    );
}

/// The routes as the server answers them on 127.0.0.1:8080: only requests naming it.
fn guarded(app: Arc<App>, request: Request<Body>) -> (StatusCode, String) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let address = "127.0.0.1:8080".parse().unwrap();
        let response = serve::guarded(app, address).oneshot(request).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    })
}

/// DNS rebinding: a page elsewhere points a name of its own at the server; its requests
/// carry that name in `Host:` and are refused (421), as are state-changing requests from
/// another origin (403). The server's own names are answered.
#[test]
fn only_requests_that_name_the_server_are_answered() {
    let app = Arc::new(app());
    let get = |host: &str, uri: &str| {
        let request = Request::get(uri).header("host", host).body(Body::empty());
        guarded(app.clone(), request.unwrap())
    };
    for host in ["127.0.0.1:8080", "localhost:8080"] {
        assert_eq!(get(host, "/api/scenario").0, StatusCode::OK, "{host}");
    }
    for host in ["rebound.example:8080", "127.0.0.1:9999", "127.0.0.1"] {
        let (status, body) = get(host, "/api/download");
        assert_eq!(status, StatusCode::MISDIRECTED_REQUEST, "{host}");
        assert!(
            body.contains("answers only to http://localhost:8080/"),
            "{body}"
        );
        assert!(!body.contains("[scenario]"), "no scenario in a refusal");
    }
    let post = |origin: Option<&str>| {
        let mut request = Request::post("/api/answer")
            .header("host", "127.0.0.1:8080")
            .header("content-type", "application/json");
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let body = r#"{"session":"s1","sets":[],"stage":"preview"}"#;
        guarded(app.clone(), request.body(Body::from(body)).unwrap())
    };
    let (status, body) = post(Some("http://evil.example"));
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("may not change anything here"), "{body}");
    assert_eq!(post(Some("null")).0, StatusCode::FORBIDDEN);
    assert_eq!(post(Some("http://127.0.0.1:8080")).0, StatusCode::OK);
    assert_eq!(
        post(None).0,
        StatusCode::OK,
        "a command-line client sends no Origin"
    );
}

/// The server's state without `--trials`: the scenario (and `--set scenario.trials`) decides.
fn app_own_trials(preview: u64) -> App {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let settings = Settings {
        trials: None,
        seed: None,
        preview_trials: Some(preview),
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(EXAMPLE);
    serve::load(&path, settings, pool).unwrap_or_else(|e| panic!("{e}"))
}

/// A change whose refined run would take hours is refused at once, with the CLI's estimate,
/// for a preview too.
#[test]
fn a_change_beyond_the_budget_is_refused_with_its_estimate() {
    let app = app_own_trials(200);
    let started = Instant::now();
    let sets = &["scenario.trials=1000000000"];
    let refused = errors(&app, sets);
    assert!(started.elapsed() < Duration::from_secs(5));
    let message = &refused[0].1;
    assert!(message.contains("this would take about"), "{message}");
    assert!(message.contains("more than this server runs"), "{message}");
    assert!(
        message.contains("lower `scenario.trials` (now 1000000000)"),
        "{message}"
    );
}

/// A long run of one session does not hold up another's preview: the runs take turns on the
/// pool a slice at a time. When its client leaves, the long run stops at its next slice.
#[test]
fn a_preview_does_not_wait_behind_a_long_run_and_an_abandoned_run_stops() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let app = Arc::new(app_own_trials(200));
    // The file's own preview first, so both requests below need only their own simulation.
    answer(&app, &[], Stage::Preview);
    let left = Arc::new(AtomicBool::new(false));
    let long = {
        let (app, left) = (app.clone(), left.clone());
        std::thread::spawn(move || {
            let request = AnswerRequest {
                session: "long".into(),
                sets: vec!["scenario.trials=150000".into()],
                stage: Stage::Full,
            };
            let started = Instant::now();
            let reply = serve::answer_unless_left(&app, &request, &left);
            (reply, started.elapsed())
        })
    };
    // Wait until the long run simulates.
    let waited = Instant::now();
    while app.progress("long").done == 0 {
        assert!(
            waited.elapsed() < Duration::from_secs(120),
            "the long run started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let started = Instant::now();
    match ask(
        &app,
        "short",
        &["strategies.80/20.tech_share=0.35"],
        Stage::Preview,
    ) {
        Reply::Answer(a) => assert_eq!(a.trials, 200),
        other => panic!("{other:?}"),
    }
    let preview = started.elapsed();
    assert!(
        app.progress("long").done < 150_000,
        "the long run was still going"
    );
    assert!(
        preview < Duration::from_secs(20),
        "the preview took {preview:?}"
    );
    left.store(true, Ordering::Relaxed);
    let stopped = Instant::now();
    let (reply, _) = long.join().unwrap();
    assert!(matches!(reply, Reply::Superseded), "{reply:?}");
    assert!(
        stopped.elapsed() < Duration::from_secs(10),
        "stopped at its next slice"
    );
}
