//! A fuzz target for loading scenarios (and, in [`exports`], one for reading the exports
//! `fulcrum import` takes): proptest generators mutate the example scenarios
//! (fields replaced by extreme numbers or wrong types, tables deleted or duplicated, random
//! bytes, long lines, truncation), in TOML and in JSON, and every input must
//!
//! - load without a panic, fast;
//! - if rejected, give located problems whose rendering is bounded in size;
//! - if accepted, plan and simulate (a couple of trials) without a solver failure, a panic, a
//!   hang or a non-finite result: what validates is what the engine accepts.
//!
//! `cargo test` runs it for a few seconds from a fixed seed. A campaign runs it for longer,
//! from fresh seeds, and writes what it finds to `target/tmp/fuzz-findings/`:
//! `FULCRUM_FUZZ_SECONDS=1200 cargo test --release --test integration fuzz:: -- --ignored --nocapture`
//! (recipe in `docs/src/developer/fuzzing.md`). Both targets run through [`harness`].

mod exports;
mod harness;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fulcrum::allocate;
use fulcrum::model::{Owner, Rule, Scenario};
use fulcrum::pipeline;
use fulcrum::scenario::{self, Format, LoadError, Problems};
use fulcrum::simulate::{Settings, SummaryMetric};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use harness::{Tallied, campaign, load_budget, panic_message, smoke};

const SEEDS: [(&str, &str); 6] = [
    (
        "balanced-okrs",
        include_str!("../../scenarios/balanced-okrs.toml"),
    ),
    (
        "enterprise-portfolio",
        include_str!("../../scenarios/enterprise-portfolio.toml"),
    ),
    (
        "legacy-platform",
        include_str!("../../scenarios/legacy-platform.toml"),
    ),
    (
        "startup-hiring",
        include_str!("../../scenarios/startup-hiring.toml"),
    ),
    (
        "throughput-forecast",
        include_str!("../../scenarios/throughput-forecast.toml"),
    ),
    // The `init` template, with its placeholders filled in by `seed_text`.
    ("template", ""),
];

/// The text of seed `k`.
fn seed_text(k: usize) -> String {
    match SEEDS[k] {
        ("template", _) => scenario::template("template", "template.toml"),
        (_, text) => text.to_string(),
    }
}

/// Planning and simulating an accepted input may take at most this long.
const ENGINE_BUDGET: Duration = Duration::from_secs(60);
/// Programs larger than this are not planned in the fuzz loop: they are slow by design.
const MAX_VARIABLES: usize = 2_000;
/// A rendering of problems is never longer than this.
const MAX_RENDERED: usize = 64_000;

/// One generated input.
#[derive(Clone, Debug)]
struct Input {
    file: String,
    format: Format,
    text: String,
    /// What was done to the seed, for the report.
    mutations: Vec<String>,
}

/// A change to the parsed seed.
#[derive(Clone, Debug)]
enum Structural {
    /// Replace the `n`-th leaf value (in depth-first order) with this value.
    SetLeaf(usize, toml::Value),
    /// Remove the `n`-th key of any table (a field or a whole section).
    DeleteKey(usize),
    /// Duplicate the `n`-th element of any array.
    DuplicateElement(usize),
    /// Add a key to the `n`-th table.
    AddKey(usize, String, toml::Value),
}

/// A change to the written text.
#[derive(Clone, Debug)]
enum Textual {
    /// Insert bytes at a position (a fraction of the length).
    InsertBytes(f64, Vec<u8>),
    /// Insert a line of `count` copies of `piece`.
    LongLine(f64, String, usize),
    /// Keep only the first part of the text.
    Truncate(f64),
    /// Replace the `n`-th number in the text with this literal.
    NumberLiteral(usize, String),
    /// Duplicate the `n`-th line.
    DuplicateLine(usize),
}

fn extreme_number() -> impl Strategy<Value = toml::Value> {
    use toml::Value::{Float, Integer};
    prop_oneof![
        Just(Float(1e308)),
        Just(Float(-1e308)),
        Just(Float(1e15)),
        Just(Float(1e12)),
        Just(Float(1e7)),
        Just(Float(1_000_001.0)),
        Just(Float(5e-324)),
        Just(Float(-0.0)),
        Just(Float(f64::NAN)),
        Just(Float(f64::INFINITY)),
        Just(Integer(i64::MAX)),
        Just(Integer(i64::MIN)),
        Just(Integer(0)),
        Just(Integer(-1)),
        Just(Integer(2600)),
        Just(Integer(10_000)),
        any::<i64>().prop_map(Integer),
        any::<f64>().prop_map(Float),
        (-1e3f64..1e3).prop_map(Float),
    ]
}

fn table(pairs: Vec<(&str, toml::Value)>) -> toml::Value {
    toml::Value::Table(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn floats(values: &[f64]) -> toml::Value {
    toml::Value::Array(values.iter().map(|&x| toml::Value::Float(x)).collect())
}

/// Values a field should never be, and some it may be.
fn hostile_value() -> impl Strategy<Value = toml::Value> {
    use toml::Value::{Array, Boolean, String as Str};
    let text = prop_oneof![
        Just("0 to 1e308".to_string()),
        Just("1e308%".to_string()),
        Just("0% to 18446744073709551615%".to_string()),
        Just("120 to 9223372036854775807".to_string()),
        Just("20%".to_string()),
        Just("-150%".to_string()),
        Just("2027-03-15".to_string()),
        Just(String::new()),
        Just("../escape".to_string()),
        Just("=HYPERLINK(\"http://x\")".to_string()),
        Just("\u{1b}[31mred".to_string()),
        Just("lots".to_string()),
        "[a-z0-9 %.+-]{0,12}",
        (1usize..400).prop_map(|n| "a".repeat(n)),
    ];
    prop_oneof![
        4 => extreme_number(),
        2 => text.prop_map(Str),
        1 => any::<bool>().prop_map(Boolean),
        1 => Just(Array(Vec::new())),
        1 => Just(table(Vec::new())),
        1 => Just(toml::Value::Datetime("2027-03-15".parse().unwrap())),
        1 => Just(table(vec![("lognormal", floats(&[0.0, 120.0]))])),
        1 => Just(table(vec![("samples", floats(&[3.0, 1e308]))])),
        1 => Just(table(vec![("pert", floats(&[1.0, 1e308, 1e308]))])),
        1 => Just(table(vec![("normal", floats(&[0.0, 1e308]))])),
        1 => Just(table(vec![("uniform", floats(&[-1e308, 1e308]))])),
        1 => (1usize..12_000).prop_map(|n| table(vec![("samples", floats(&vec![5.0; n]))])),
        1 => (0usize..12_000).prop_map(|n| Array(vec![toml::Value::Integer(3); n])),
    ]
}

/// Values a field may well have: mutations with these mostly validate, and reach the engine.
fn plausible_value() -> impl Strategy<Value = toml::Value> {
    use toml::Value::{Float, Integer, String as Str};
    prop_oneof![
        (0.0f64..1.0).prop_map(Float),
        (0.0f64..2000.0).prop_map(Float),
        (1i64..60).prop_map(Integer),
        (1i64..30, 1i64..30).prop_map(|(a, b)| Str(format!("{} to {}", a.min(b), a.max(b) + 1))),
        (0i64..100).prop_map(|p| Str(format!("{p}%"))),
    ]
}

/// Values at the limits of the kinds of quantity: accepted, and the largest the engine must
/// then cope with together.
fn limit_value() -> impl Strategy<Value = toml::Value> {
    use toml::Value::{Float, String as Str};
    prop_oneof![
        Just(Float(1e6)),
        Just(Float(-1e6)),
        Just(Float(1e4)),
        Just(Float(100.0)),
        Just(Float(1.0)),
        Just(Float(0.999)),
        Just(Str("100%".into())),
        Just(Str("10000%".into())),
        Just(Str("1 to 1e6".into())),
    ]
}

fn structural() -> impl Strategy<Value = Structural> {
    prop_oneof![
        6 => (any::<usize>(), hostile_value()).prop_map(|(n, v)| Structural::SetLeaf(n, v)),
        6 => (any::<usize>(), plausible_value()).prop_map(|(n, v)| Structural::SetLeaf(n, v)),
        3 => (any::<usize>(), limit_value()).prop_map(|(n, v)| Structural::SetLeaf(n, v)),
        2 => any::<usize>().prop_map(Structural::DeleteKey),
        2 => any::<usize>().prop_map(Structural::DuplicateElement),
        1 => (any::<usize>(), "[a-z_]{1,12}", hostile_value())
            .prop_map(|(n, k, v)| Structural::AddKey(n, k, v)),
    ]
}

fn textual() -> impl Strategy<Value = Textual> {
    let piece = prop_oneof![
        Just("=".to_string()),
        Just("[".to_string()),
        Just("{a=".to_string()),
        Just("\"".to_string()),
        Just("1, ".to_string()),
        Just("é".to_string()),
        Just("x = 1\n".to_string()),
    ];
    let literal = prop_oneof![
        Just("18446744073709551615".to_string()),
        Just("1e999".to_string()),
        Just("-1e999".to_string()),
        Just("0x7fffffffffffffff".to_string()),
        Just("1_000_000_000_000".to_string()),
        Just("9223372036854775808".to_string()),
        Just("-0".to_string()),
        Just("nan".to_string()),
    ];
    prop_oneof![
        2 => (0.0..1.0, prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, b)| Textual::InsertBytes(at, b)),
        1 => (0.0..1.0, piece, 1usize..120_000).prop_map(|(at, p, n)| Textual::LongLine(at, p, n)),
        1 => (0.0..1.0).prop_map(Textual::Truncate),
        2 => (any::<usize>(), literal).prop_map(|(n, l)| Textual::NumberLiteral(n, l)),
        1 => any::<usize>().prop_map(Textual::DuplicateLine),
    ]
}

fn input() -> impl Strategy<Value = Input> {
    (
        0..SEEDS.len(),
        prop::bool::weighted(0.3),
        prop::collection::vec(structural(), 0..4),
        prop::collection::vec(textual(), 0..2),
    )
        .prop_map(|(seed, json, structural, textual)| build(seed, json, &structural, &textual))
}

/// The seed with its mutations applied, written as TOML or JSON.
fn build(seed: usize, json: bool, structural: &[Structural], textual: &[Textual]) -> Input {
    let name = SEEDS[seed].0;
    let text = seed_text(seed);
    let mut root = toml::Value::Table(text.parse::<toml::Table>().expect("the seeds are valid"));
    let mut mutations = vec![format!("seed {name}")];
    for change in structural {
        mutations.push(format!("{change:?}").chars().take(200).collect());
        apply(&mut root, change);
    }
    let (format, mut text) = if json {
        (
            Format::Json,
            serde_json::to_string_pretty(&to_json(&root)).expect("JSON values serialise"),
        )
    } else {
        let toml::Value::Table(table) = root else {
            unreachable!("the root stays a table")
        };
        (Format::Toml, toml::to_string(&table).unwrap_or_default())
    };
    for change in textual {
        mutations.push(format!("{change:?}").chars().take(200).collect());
        text = apply_text(text, change);
    }
    let extension = if json { "json" } else { "toml" };
    Input {
        file: format!("{name}.{extension}"),
        format,
        text,
        mutations,
    }
}

/// Applies a structural change, counting leaves, keys, arrays or tables depth-first.
fn apply(root: &mut toml::Value, change: &Structural) {
    fn walk(value: &mut toml::Value, f: &mut dyn FnMut(&mut toml::Value) -> bool) -> bool {
        if f(value) {
            return true;
        }
        match value {
            toml::Value::Table(t) => t.iter_mut().any(|(_, v)| walk(v, f)),
            toml::Value::Array(a) => a.iter_mut().any(|v| walk(v, f)),
            _ => false,
        }
    }
    let count = |root: &mut toml::Value, pick: &dyn Fn(&toml::Value) -> usize| {
        let mut n = 0;
        walk(root, &mut |v| {
            n += pick(v);
            false
        });
        n
    };
    let is_leaf =
        |v: &toml::Value| usize::from(!matches!(v, toml::Value::Table(_) | toml::Value::Array(_)));
    let keys = |v: &toml::Value| match v {
        toml::Value::Table(t) => t.len(),
        _ => 0,
    };
    let elements = |v: &toml::Value| match v {
        toml::Value::Array(a) => a.len(),
        _ => 0,
    };
    let tables = |v: &toml::Value| usize::from(matches!(v, toml::Value::Table(_)));
    let nth = |root: &mut toml::Value,
               total: usize,
               n: usize,
               pick: &dyn Fn(&toml::Value) -> usize,
               act: &mut dyn FnMut(&mut toml::Value, usize)| {
        if total == 0 {
            return;
        }
        let mut left = n % total;
        walk(root, &mut |v| {
            let here = pick(v);
            if left < here {
                act(v, left);
                true
            } else {
                left -= here;
                false
            }
        });
    };
    match change {
        Structural::SetLeaf(n, value) => {
            let total = count(root, &is_leaf);
            nth(root, total, *n, &is_leaf, &mut |v, _| *v = value.clone());
        }
        Structural::DeleteKey(n) => {
            let total = count(root, &keys);
            nth(root, total, *n, &keys, &mut |v, k| {
                if let toml::Value::Table(t) = v
                    && let Some(key) = t.keys().nth(k).cloned()
                {
                    t.remove(&key);
                }
            });
        }
        Structural::DuplicateElement(n) => {
            let total = count(root, &elements);
            nth(root, total, *n, &elements, &mut |v, k| {
                if let toml::Value::Array(a) = v {
                    let copy = a[k].clone();
                    a.insert(k, copy);
                }
            });
        }
        Structural::AddKey(n, key, value) => {
            let total = count(root, &tables);
            nth(root, total, *n, &tables, &mut |v, _| {
                if let toml::Value::Table(t) = v {
                    t.insert(key.clone(), value.clone());
                }
            });
        }
    }
}

fn apply_text(text: String, change: &Textual) -> String {
    let at = |fraction: f64, text: &str| {
        let mut i = (fraction * text.len() as f64) as usize;
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i.min(text.len())
    };
    match change {
        Textual::InsertBytes(f, bytes) => {
            let i = at(*f, &text);
            let mut raw = text.into_bytes();
            raw.splice(i..i, bytes.iter().copied());
            // Bytes that are not UTF-8 are what `Document::read` refuses before parsing; the
            // loader from text gets them as replacement characters.
            String::from_utf8_lossy(&raw).into_owned()
        }
        Textual::LongLine(f, piece, count) => {
            let i = at(*f, &text);
            let line = piece.repeat(*count);
            format!("{}\n{line}\n{}", &text[..i], &text[i..])
        }
        Textual::Truncate(f) => text[..at(*f, &text)].to_string(),
        Textual::NumberLiteral(n, literal) => {
            let numbers: Vec<(usize, usize)> = number_tokens(&text);
            if numbers.is_empty() {
                return text;
            }
            let (start, end) = numbers[n % numbers.len()];
            format!("{}{literal}{}", &text[..start], &text[end..])
        }
        Textual::DuplicateLine(n) => {
            let lines: Vec<&str> = text.lines().collect();
            if lines.is_empty() {
                return text;
            }
            let k = n % lines.len();
            let mut out: Vec<&str> = lines[..=k].to_vec();
            out.extend(&lines[k..]);
            out.join("\n")
        }
    }
}

/// Byte ranges of the numbers written after `= ` or `: ` in the text.
fn number_tokens(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 2 < bytes.len() {
        if (bytes[i] == b'=' || bytes[i] == b':') && bytes[i + 1] == b' ' {
            let start = i + 2;
            let mut end = start;
            while end < bytes.len()
                && (bytes[end].is_ascii_digit() || b"-+.eE_".contains(&bytes[end]))
            {
                end += 1;
            }
            if end > start && bytes[start..end].iter().any(u8::is_ascii_digit) {
                out.push((start, end));
            }
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// A TOML value as JSON (dates become strings, as JSON scenarios write them).
fn to_json(value: &toml::Value) -> serde_json::Value {
    match value {
        toml::Value::String(s) => serde_json::Value::String(s.clone()),
        toml::Value::Integer(i) => serde_json::Value::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Array(a) => serde_json::Value::Array(a.iter().map(to_json).collect()),
        toml::Value::Table(t) => {
            serde_json::Value::Object(t.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// What happened to one input.
#[derive(Debug, Default)]
struct Tally {
    cases: u64,
    rejected: u64,
    accepted: u64,
    planned_and_simulated: u64,
    infeasible: u64,
    skipped_large: u64,
}

/// Checks every property on one input; `Err` says which failed.
fn check(input: &Input, engine: bool, tally: &mut Tally) -> Result<(), String> {
    tally.cases += 1;
    let started = Instant::now();
    let loaded = catch_unwind(AssertUnwindSafe(|| {
        scenario::load_str(&input.file, &input.text, input.format)
    }))
    .map_err(|panic| format!("loading panicked: {}", panic_message(&*panic)))?;
    let elapsed = started.elapsed();
    if elapsed > load_budget() {
        return Err(format!("loading took {elapsed:?}"));
    }
    let problems = match &loaded {
        Ok(loaded) => &loaded.warnings,
        Err(LoadError::Invalid(problems)) => problems,
        Err(other) => return Err(format!("unexpected load error: {other}")),
    };
    check_rendering(problems)?;
    let Ok(loaded) = loaded else {
        tally.rejected += 1;
        return Ok(());
    };
    tally.accepted += 1;
    if engine {
        check_engine(&loaded.scenario, tally)?;
    }
    Ok(())
}

/// Every problem is located, and the rendering of all of them is bounded in size.
fn check_rendering(problems: &Problems) -> Result<(), String> {
    if let Some(p) = problems.items.iter().find(|p| p.span.is_none()) {
        return Err(format!("a problem without a location: {}", p.message));
    }
    let rendered = catch_unwind(AssertUnwindSafe(|| problems.render(false)))
        .map_err(|panic| format!("rendering panicked: {}", panic_message(&*panic)))?;
    if rendered.len() > MAX_RENDERED {
        return Err(format!("{} bytes of messages", rendered.len()));
    }
    // The snippet's header names the same place as the message: the excerpt of a long or
    // odd line keeps the source's line and column.
    for problem in problems.items.iter().take(5) {
        let Some(location) = problem.location(&problems.sources) else {
            continue;
        };
        let one = problem.render(&problems.sources, false);
        if !one.contains(&format!("╭─[{location}]")) {
            return Err(format!(
                "the snippet of `{location}` names another place:\n{one}"
            ));
        }
    }
    Ok(())
}

/// Plans and simulates two trials within [`ENGINE_BUDGET`]: no solver failure, no panic, and
/// finite outcomes. A hang leaves its thread running, so it ends the fuzzing run.
fn check_engine(scenario: &Scenario, tally: &mut Tally) -> Result<(), String> {
    let optimised = scenario.strategies.iter().find_map(|s| match s.rule {
        Rule::Optimised {
            min_tech_share,
            max_tech_share,
            ..
        } => Some(allocate::Guardrails {
            min_tech_share,
            max_tech_share,
        }),
        _ => None,
    });
    if let Some(guardrails) = optimised
        && allocate::program_size(scenario, &guardrails).variables > MAX_VARIABLES
    {
        tally.skipped_large += 1;
        return Ok(());
    }
    let (sender, receiver) = mpsc::channel();
    let owned = scenario.clone();
    std::thread::spawn(move || {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let options = pipeline::Options {
                marginal_values: pipeline::MarginalValues::None,
                ..pipeline::Options::new(Settings::for_run(&owned, 2, 7))
            };
            pipeline::run(&owned, &options, &|_| {})
        }));
        sender.send(outcome.map_err(|p| panic_message(&*p))).ok();
    });
    let outcome = receiver
        .recv_timeout(ENGINE_BUDGET)
        .map_err(|_| format!("planning and simulating 2 trials took more than {ENGINE_BUDGET:?}"))?
        .map_err(|panic| format!("the engine panicked: {panic}"))?;
    match outcome {
        Ok(output) => {
            tally.planned_and_simulated += 1;
            // A side without key results, or whose key results all weigh 0, has no score (NaN,
            // an empty cell), and a side without key results no "all met"; all else is finite.
            let has = |owner| {
                scenario
                    .key_results_of(owner)
                    .any(|(_, kr)| kr.weight > 0.0)
            };
            for (s, name) in output.results.strategies.iter().enumerate() {
                for metric in SummaryMetric::ALL {
                    let mean = output.results.summary(s, metric).mean;
                    let not_applicable = match metric {
                        SummaryMetric::ProductScore => !has(Owner::Product),
                        SummaryMetric::TechnologyScore => !has(Owner::Technology),
                        // "All met" of a side with no key results at all is no number either.
                        SummaryMetric::AllProductKrsMet => {
                            !scenario.has_key_results(Owner::Product)
                        }
                        SummaryMetric::AllTechnologyKrsMet => {
                            !scenario.has_key_results(Owner::Technology)
                        }
                        _ => false,
                    };
                    if !(mean.is_finite() || (mean.is_nan() && not_applicable)) {
                        return Err(format!("`{name}`: {} is {mean}", metric.name()));
                    }
                }
            }
            Ok(())
        }
        // Deadlines no policy meets, or growth beyond the statistics' range: refused, with
        // a located message (exit 2).
        Err(pipeline::RunError::Optimise { .. } | pipeline::RunError::Unrepresentable(_)) => {
            tally.infeasible += 1;
            Ok(())
        }
    }
}

/// Runs generated inputs from `seed` for `seconds` or `cases` inputs, whichever comes first;
/// returns the tally and the failures.
fn fuzz(seed: u64, seconds: f64, cases: u64, engine: bool) -> (Tally, Vec<(String, Input)>) {
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let strategy = input();
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    while Instant::now() < deadline && tally.cases < cases {
        let input = strategy
            .new_tree(&mut runner)
            .expect("the generator never rejects")
            .current();
        if let Err(why) = check(&input, engine, &mut tally) {
            let hang = why.contains("took more than");
            failures.push((why, input));
            if hang {
                break; // the engine's thread is still busy
            }
        }
    }
    (tally, failures)
}

/// Writes each failure to `target/tmp/fuzz-findings/` with what failed in a header comment.
fn save(failures: &[(String, Input)]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-findings");
    std::fs::create_dir_all(&dir).unwrap();
    for (k, (why, input)) in failures.iter().enumerate() {
        let comment = if input.format == Format::Json {
            "//"
        } else {
            "#"
        };
        let mut header = format!("{comment} {why}\n");
        for m in &input.mutations {
            header.push_str(&format!("{comment} {m}\n"));
        }
        let name = format!("{k:03}-{}", input.file);
        std::fs::write(dir.join(name), format!("{header}{}", input.text)).unwrap();
    }
    dir
}

fn report(seed: u64, tally: &Tally, failures: &[(String, Input)]) -> String {
    let mut text = format!("seed {seed}: {tally:?}\n");
    for (why, input) in failures.iter().take(20) {
        text.push_str(&format!("- {why} ({})\n", input.mutations.join("; ")));
    }
    text
}

/// A few seconds of fuzzing in every `cargo test`: the first 30 inputs of a fixed seed, the
/// same ones however busy the machine is, so a failure here is reproducible.
#[test]
fn loading_mutated_examples_never_fails_its_properties() {
    smoke(
        30,
        |seed, seconds, most| fuzz(seed, seconds, most, true),
        report,
        save,
    );
}

/// The campaign: `FULCRUM_FUZZ_SECONDS` seconds (default 60) from `FULCRUM_FUZZ_SEED` (default:
/// the clock), engine checks included.
#[test]
#[ignore = "a long fuzzing campaign: FULCRUM_FUZZ_SECONDS=1200 cargo test --release --test integration fuzz:: -- --ignored"]
fn fuzzing_campaign() {
    campaign(
        |seed, seconds| fuzz(seed, seconds, u64::MAX, true),
        report,
        save,
    );
}

impl Tallied for Tally {
    fn cases(&self) -> u64 {
        self.cases
    }
    fn both_outcomes(&self) -> bool {
        self.rejected > 0 && self.accepted > 0
    }
}

/// The generator itself: unmutated seeds are valid in both formats, and mutations change them.
#[test]
fn the_generator_starts_from_valid_scenarios_in_both_formats() {
    for seed in 0..SEEDS.len() {
        for json in [false, true] {
            let input = build(seed, json, &[], &[]);
            let loaded = scenario::load_str(&input.file, &input.text, input.format);
            assert!(
                loaded.is_ok(),
                "{}: {:?}",
                input.file,
                loaded.err().map(|e| e.to_string())
            );
        }
    }
    let input = build(
        0,
        false,
        &[Structural::SetLeaf(3, toml::Value::Float(1e308))],
        &[Textual::NumberLiteral(0, "18446744073709551615".into())],
    );
    assert!(input.text.contains(&format!("{}", 1e308)));
    assert!(input.text.contains("18446744073709551615"));
    assert!(scenario::load_str(&input.file, &input.text, input.format).is_err());
}
