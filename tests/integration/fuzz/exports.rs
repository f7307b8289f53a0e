//! A fuzz target for reading work-item exports (`fulcrum import`): proptest generators mutate
//! the import fixtures and the hostile exports of `tests/data/import/` (cells replaced by
//! stray quotes, impossible or far dates, control characters and long text; rows duplicated,
//! deleted or the header repeated; JSON values replaced; random bytes, long lines, truncation;
//! written with CRLF or CR line ends, a byte order mark, as UTF-16 or Latin-1), and every
//! input must
//!
//! - be read without a panic, fast;
//! - if refused, give a problem at a line (only an empty file or a cut UTF-16 one is refused
//!   as a whole), rendered without a control character;
//! - if read, lose no row silently: every data row of the file (the csv reader's records, or
//!   the JSON array's elements) is an item, a repeat of one, or a pull request left out, and
//!   every row whose cells the import reads hold line breaks is reported; no item holds a
//!   control character;
//! - and, for one input in [`END_TO_END_EVERY`], through the binary: exit 0 or 2, no escape
//!   sequence on the terminal or in a file written, nothing written on exit 2, and a
//!   `scenario.toml` only when it validates.
//!
//! `cargo test` runs the first inputs of a fixed seed; a campaign runs for longer from fresh
//! seeds (recipe in `docs/src/developer/fuzzing.md`) and writes what it finds to
//! `target/tmp/fuzz-findings/exports/`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fulcrum::scenario::import::{self, Exports, ReadOptions, rules::Columns};
use fulcrum::scenario::{self, Format};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use super::harness::{Tallied, campaign, load_budget, panic_message, smoke};

/// One input in this many also goes through the binary, end to end.
const END_TO_END_EVERY: u64 = 10;
/// The most bytes the import prints on either stream for one small export.
const MAX_TERMINAL: usize = 64_000;
/// The binary's budget for one small input, charts and all.
const END_TO_END_BUDGET: Duration = Duration::from_secs(30);

/// The import fixtures and the hostile exports: the seeds and the corpus.
fn seeds() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/import");
    let mut seeds = Vec::new();
    for dir in [root.clone(), root.join("hostile")] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_file() && !name.starts_with('.') && !name.ends_with(".toml") {
                seeds.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    seeds.sort();
    seeds
}

/// One generated export.
#[derive(Clone, Debug)]
struct Input {
    /// The file name it is written under (its extension and the team named after it).
    file: String,
    bytes: Vec<u8>,
    /// What was done to the seed, for the report.
    mutations: Vec<String>,
}

/// A change to an export's bytes.
#[derive(Clone, Debug)]
enum Mutation {
    /// Replace the `n`-th cell (cells of every line, split at commas) with this text.
    Cell(usize, String),
    /// Replace the `n`-th JSON value (after `": `) with this text.
    JsonValue(usize, String),
    /// Duplicate the `n`-th line.
    DuplicateLine(usize),
    /// Delete the `n`-th line.
    DeleteLine(usize),
    /// Insert the first line again before the `n`-th.
    RepeatHeader(usize),
    /// Insert bytes at a position (a fraction of the length).
    InsertBytes(f64, Vec<u8>),
    /// Insert a line of `count` copies of a byte.
    LongLine(f64, u8, usize),
    /// Keep only the first part.
    Truncate(f64),
}

/// How the text is finally written.
#[derive(Clone, Copy, Debug)]
enum Encoding {
    AsIs,
    Crlf,
    Cr,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Latin1,
}

fn hostile_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\"".to_string()),
        Just("\"Fix login".to_string()),
        Just("\"a \"\"quoted\"\" b\"".to_string()),
        Just("\"two\nlines\"".to_string()),
        Just("9999-12-31".to_string()),
        Just("0001-01-01".to_string()),
        Just("1969-12-31T23:59:59Z".to_string()),
        Just("2099-12-31".to_string()),
        Just("2027-01-08Tgarbage".to_string()),
        Just("2027-01-08T10:00:00+99:00".to_string()),
        Just("2027-02-30".to_string()),
        Just("30/Feb/27 10:00".to_string()),
        Just("30/Jul/18 11:33 PM".to_string()),
        Just(String::new()),
        Just("\u{1b}[31mred".to_string()),
        Just("\u{202e}evil".to_string()),
        Just("=HYPERLINK(\"http://x\")".to_string()),
        Just("Reopened".to_string()),
        Just("Won't Do".to_string()),
        Just("Bug".to_string()),
        Just("tech-debt".to_string()),
        Just("id".to_string()),
        Just("18446744073709551616".to_string()),
        Just("\t\r\0".to_string()),
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]( [0-2][0-9]:[0-5][0-9])?",
        "[ -~]{0,12}",
        (1usize..3_000).prop_map(|n| "x".repeat(n)),
    ]
}

fn json_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\"2027-01-08Tgarbage\"".to_string()),
        Just("\"9999-12-31T00:00:00Z\"".to_string()),
        Just("\"2027-01-08T10:00:00+99:00\"".to_string()),
        Just("null".to_string()),
        Just("true".to_string()),
        Just("1e999".to_string()),
        Just("-1".to_string()),
        Just("18446744073709551616".to_string()),
        Just("{}".to_string()),
        Just("[]".to_string()),
        Just("\"\\u001b[31mred\"".to_string()),
        Just("\"OPEN\"".to_string()),
        Just("\"NOT_PLANNED\"".to_string()),
        Just("[{\"name\": 5}]".to_string()),
        Just("\"x\", \"isPullRequest\": true".to_string()),
        Just("\"x\", \"pull_request\": {}".to_string()),
        Just("7, \"number\": 8".to_string()),
        "\"[ -~]{0,12}\"",
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        6 => (any::<usize>(), hostile_cell()).prop_map(|(n, v)| Mutation::Cell(n, v)),
        4 => (any::<usize>(), json_value()).prop_map(|(n, v)| Mutation::JsonValue(n, v)),
        2 => any::<usize>().prop_map(Mutation::DuplicateLine),
        1 => any::<usize>().prop_map(Mutation::DeleteLine),
        1 => any::<usize>().prop_map(Mutation::RepeatHeader),
        2 => (0.0..1.0, prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, b)| Mutation::InsertBytes(at, b)),
        1 => (0.0..1.0, prop_oneof![Just(b'x'), Just(b'"'), Just(b','), Just(b'\r')], 1usize..1_200_000)
            .prop_map(|(at, b, n)| Mutation::LongLine(at, b, n)),
        1 => (0.0..1.0).prop_map(Mutation::Truncate),
    ]
}

fn encoding() -> impl Strategy<Value = Encoding> {
    prop_oneof![
        8 => Just(Encoding::AsIs),
        2 => Just(Encoding::Crlf),
        1 => Just(Encoding::Cr),
        1 => Just(Encoding::Utf8Bom),
        1 => Just(Encoding::Utf16Le),
        1 => Just(Encoding::Utf16Be),
        1 => Just(Encoding::Latin1),
    ]
}

fn input(seeds: &[(String, Vec<u8>)]) -> impl Strategy<Value = Input> + '_ {
    (
        0..seeds.len(),
        prop::collection::vec(mutation(), 0..4),
        encoding(),
    )
        .prop_map(move |(k, mutations, encoding)| build(&seeds[k], &mutations, encoding))
}

/// The seed with its mutations applied, then written in `encoding`.
fn build(seed: &(String, Vec<u8>), mutations: &[Mutation], encoding: Encoding) -> Input {
    let mut bytes = seed.1.clone();
    let mut said = vec![format!("seed {}", seed.0)];
    for m in mutations {
        said.push(format!("{m:?}").chars().take(200).collect());
        bytes = apply(bytes, m);
    }
    if let Ok(text) = std::str::from_utf8(&bytes) {
        said.push(format!("{encoding:?}"));
        bytes = encode(text, encoding);
    }
    Input {
        file: seed.0.clone(),
        bytes,
        mutations: said,
    }
}

fn apply(bytes: Vec<u8>, m: &Mutation) -> Vec<u8> {
    let at = |f: f64, len: usize| ((f * len as f64) as usize).min(len);
    let mut lines: Vec<Vec<u8>> = bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    let nth_line = |n: usize, lines: &Vec<Vec<u8>>| n % lines.len().max(1);
    match m {
        Mutation::Cell(n, value) => {
            let cells: usize = lines.iter().map(|l| l.split(|&b| b == b',').count()).sum();
            let mut left = n % cells.max(1);
            for line in &mut lines {
                let mut parts: Vec<Vec<u8>> =
                    line.split(|&b| b == b',').map(<[u8]>::to_vec).collect();
                if left < parts.len() {
                    parts[left] = value.as_bytes().to_vec();
                    *line = parts.join(&b',');
                    break;
                }
                left -= parts.len();
            }
            lines.join(&b'\n')
        }
        Mutation::JsonValue(n, value) => {
            let starts: Vec<usize> = bytes
                .windows(3)
                .enumerate()
                .filter(|(_, w)| w == b"\": ")
                .map(|(i, _)| i + 3)
                .collect();
            if starts.is_empty() {
                return bytes;
            }
            let start = starts[n % starts.len()];
            let end = start
                + bytes[start..]
                    .iter()
                    .position(|&b| b == b',' || b == b'\n' || b == b'}')
                    .unwrap_or(bytes.len() - start);
            [&bytes[..start], value.as_bytes(), &bytes[end..]].concat()
        }
        Mutation::DuplicateLine(n) => {
            let k = nth_line(*n, &lines);
            let copy = lines[k].clone();
            lines.insert(k, copy);
            lines.join(&b'\n')
        }
        Mutation::DeleteLine(n) => {
            let k = nth_line(*n, &lines);
            lines.remove(k);
            lines.join(&b'\n')
        }
        Mutation::RepeatHeader(n) => {
            let k = nth_line(*n, &lines);
            let header = lines[0].clone();
            lines.insert(k, header);
            lines.join(&b'\n')
        }
        Mutation::InsertBytes(f, inserted) => {
            let i = at(*f, bytes.len());
            [&bytes[..i], inserted, &bytes[i..]].concat()
        }
        Mutation::LongLine(f, b, count) => {
            let i = at(*f, bytes.len());
            [&bytes[..i], b"\n", &vec![*b; *count], b"\n", &bytes[i..]].concat()
        }
        Mutation::Truncate(f) => bytes[..at(*f, bytes.len())].to_vec(),
    }
}

fn encode(text: &str, encoding: Encoding) -> Vec<u8> {
    let utf16 = |bom: [u8; 2], unit: fn(u16) -> [u8; 2]| {
        let mut out = bom.to_vec();
        for u in text.encode_utf16() {
            out.extend(unit(u));
        }
        out
    };
    match encoding {
        Encoding::AsIs => text.as_bytes().to_vec(),
        Encoding::Crlf => text.replace('\n', "\r\n").into_bytes(),
        Encoding::Cr => text.replace('\n', "\r").into_bytes(),
        Encoding::Utf8Bom => [b"\xef\xbb\xbf", text.as_bytes()].concat(),
        Encoding::Utf16Le => utf16([0xff, 0xfe], u16::to_le_bytes),
        Encoding::Utf16Be => utf16([0xfe, 0xff], u16::to_be_bytes),
        Encoding::Latin1 => text
            .chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
            .collect(),
    }
}

/// What happened to the inputs.
#[derive(Debug, Default)]
struct Tally {
    cases: u64,
    refused: u64,
    read: u64,
    items: u64,
    end_to_end: u64,
    scenarios_written: u64,
}

impl Tallied for Tally {
    fn cases(&self) -> u64 {
        self.cases
    }
    fn both_outcomes(&self) -> bool {
        self.refused > 0 && self.read > 0
    }
}

/// The folder the inputs are written in for reading.
fn work_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-exports");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn options() -> ReadOptions {
    ReadOptions {
        zone: import::parse_time_zone("Europe/Berlin").unwrap(),
        team: None,
        columns: Columns::default(),
    }
}

/// Checks every property on one input; `Err` says which failed.
fn check(input: &Input, dir: &Path, end_to_end: bool, tally: &mut Tally) -> Result<(), String> {
    tally.cases += 1;
    let path = dir.join(&input.file);
    std::fs::write(&path, &input.bytes).unwrap();
    let started = Instant::now();
    let read = catch_unwind(AssertUnwindSafe(|| import::read_all(&[&path], &options())))
        .map_err(|panic| format!("reading panicked: {}", panic_message(&*panic)))?;
    let elapsed = started.elapsed();
    if elapsed > load_budget() {
        return Err(format!("reading took {elapsed:?}"));
    }
    match &read {
        Err(problem) => {
            tally.refused += 1;
            let whole_file = ["the file is empty", "odd number of bytes"]
                .iter()
                .any(|m| problem.message.contains(m));
            if problem.line.is_none() && !whole_file {
                return Err(format!("a problem without a line: {problem}"));
            }
            let shown = problem.to_string();
            if shown.chars().any(|c| c.is_control() && c != '\n') {
                return Err(format!("a control character in the message: {shown:?}"));
            }
            if shown.len() > MAX_TERMINAL {
                return Err(format!("a message of {} bytes", shown.len()));
            }
        }
        Ok(exports) => {
            tally.read += 1;
            tally.items += exports.items.len() as u64;
            no_row_lost(input, &path, exports)?;
        }
    }
    if end_to_end {
        through_the_binary(&path, dir, read.is_ok(), tally)?;
    }
    Ok(())
}

/// Every data row is an item, a repeat or a pull request; rows with line breaks in cells the
/// import reads are reported; no item holds a control character.
fn no_row_lost(input: &Input, path: &Path, exports: &Exports) -> Result<(), String> {
    if let Some(item) = exports.items.iter().find(|i| {
        [&i.id, &i.team, &i.title, &i.item_type, &i.status]
            .into_iter()
            .chain(&i.labels)
            .any(|t| t.chars().any(char::is_control))
    }) {
        return Err(format!("a control character in item {item:?}"));
    }
    let text = decoded(&input.bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let accounted = exports.items.len() + exports.repeats.len() + exports.pull_requests;
    if exports.files[0].1 == import::ExportFormat::GitHub {
        let elements = serde_json::from_str::<Vec<serde_json::Value>>(text).map_or(0, |v| v.len());
        if accounted != elements {
            return Err(format!(
                "{elements} issues, but {accounted} items, repeats and pull requests"
            ));
        }
        return Ok(());
    }
    let rows = oracle_rows(text);
    if accounted != rows.len() {
        return Err(format!(
            "{} data rows, but {accounted} items and repeats",
            rows.len()
        ));
    }
    for item in &exports.items {
        let line = item.source.rsplit(':').next().and_then(|l| l.parse().ok());
        if !rows.iter().any(|r| Some(r.0) == line) {
            return Err(format!(
                "item {} is from {}, where no row starts",
                item.id, item.source
            ));
        }
    }
    for (first, last, breaks_read) in rows {
        let span = format!("{}:{first}–{last}", path.display());
        if breaks_read && !exports.multi_line_rows.contains(&span) {
            return Err(format!(
                "the row on lines {first} to {last} holds line breaks in a cell read, unreported"
            ));
        }
    }
    Ok(())
}

/// The text of bytes the import accepted: UTF-16 after a byte order mark, else UTF-8.
fn decoded(bytes: &[u8]) -> String {
    let utf16 = |unit: fn([u8; 2]) -> u16| {
        char::decode_utf16(bytes[2..].chunks_exact(2).map(|p| unit([p[0], p[1]])))
            .map(|c| c.unwrap_or('\u{fffd}'))
            .collect()
    };
    match bytes.get(..2) {
        Some([0xff, 0xfe]) => utf16(u16::from_le_bytes),
        Some([0xfe, 0xff]) => utf16(u16::from_be_bytes),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// The columns each CSV format reads, by its header (the oracle's own list).
fn read_columns(headers: &[String]) -> Vec<&'static str> {
    let has = |n: &str| headers.iter().any(|h| h.eq_ignore_ascii_case(n));
    if has("Issue key") {
        vec![
            "Issue key",
            "Issue Type",
            "Status",
            "Created",
            "Resolved",
            "Resolution",
            "Summary",
            "Labels",
            "Custom field (Team)",
            "Project name",
            "Project key",
            "Custom field (Start date)",
        ]
    } else if has("ID") && has("Completed") {
        vec![
            "ID",
            "Team",
            "Title",
            "Status",
            "Labels",
            "Created",
            "Started",
            "Completed",
            "Canceled",
        ]
    } else {
        vec![
            "id",
            "team",
            "type",
            "labels",
            "created",
            "started",
            "done",
            "title",
            "status",
            "cancelled",
            "canceled",
        ]
    }
}

/// The data rows of a CSV as the csv reader finds them: first and last line, and whether a
/// cell of a column the format reads holds a line break. Blank rows are left out.
fn oracle_rows(text: &str) -> Vec<(usize, usize, bool)> {
    let header_line = text.split(['\n', '\r']).next().unwrap_or("");
    let delimiter = [b',', b'\t', b';']
        .into_iter()
        .find(|d| header_line.as_bytes().contains(d))
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let read = read_columns(&headers);
    let b = text.as_bytes();
    let ends: Vec<usize> = (0..b.len())
        .filter(|&i| b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')))
        .collect();
    let line_of = |offset: usize| 1 + ends.partition_point(|&e| e < offset);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.unwrap();
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut start = record.position().unwrap().byte() as usize;
        while matches!(text.as_bytes().get(start), Some(b'\n' | b'\r')) {
            start += 1;
        }
        let first = line_of(start);
        let breaks: usize = record
            .iter()
            .map(|c| c.replace("\r\n", "\n").matches(['\n', '\r']).count())
            .sum();
        // A cell read with a line break, or any cell holding a line with as many delimiters
        // as a row (rows swallowed by a stray quote), must be reported.
        let delimiters = headers.len().saturating_sub(1).max(1);
        let breaks_read = record.iter().enumerate().any(|(c, cell)| {
            let read_here = headers
                .get(c)
                .is_some_and(|h| read.iter().any(|r| h.eq_ignore_ascii_case(r)));
            let rows_inside = cell
                .split(['\n', '\r'])
                .skip(1)
                .any(|l| l.matches(char::from(delimiter)).count() >= delimiters);
            (read_here && cell.trim().contains(['\n', '\r'])) || rows_inside
        });
        rows.push((first, first + breaks, breaks_read));
    }
    rows
}

/// The binary on the input: exit 0 or 2, no escape sequence shown or written, nothing written
/// on exit 2, and a scenario only when it validates.
fn through_the_binary(
    path: &Path,
    dir: &Path,
    read: bool,
    tally: &mut Tally,
) -> Result<(), String> {
    tally.end_to_end += 1;
    let out = dir.join("out");
    std::fs::remove_dir_all(&out).ok();
    std::fs::remove_file(dir.join("s.toml")).ok();
    let started = Instant::now();
    // The outputs go to files: a pipe nobody reads while the child runs would block it.
    let (stdout, stderr) = (dir.join("stdout"), dir.join("stderr"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_fulcrum"))
        .args([
            "import",
            &path.display().to_string(),
            "--out",
            "out",
            "--scenario",
            "s.toml",
        ])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(Stdio::from(std::fs::File::create(&stdout).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(&stderr).unwrap()))
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > END_TO_END_BUDGET {
            child.kill().ok();
            child.wait().ok();
            return Err(format!("the import took more than {END_TO_END_BUDGET:?}"));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let output = (
        std::fs::read(&stdout).unwrap(),
        std::fs::read(&stderr).unwrap(),
    );
    let code = status.code();
    let stderr = String::from_utf8_lossy(&output.1);
    if stderr.contains("panicked") || !matches!(code, Some(0 | 2)) {
        return Err(format!("exit {code:?}: {stderr}"));
    }
    if read && code == Some(2) && !stderr.contains("error:") {
        return Err(format!("refused without an error: {stderr}"));
    }
    for (what, bytes) in [("stdout", &output.0), ("stderr", &output.1)] {
        if bytes.contains(&0x1b) {
            return Err(format!("an escape sequence on {what}"));
        }
        if bytes.len() > MAX_TERMINAL {
            return Err(format!("{} bytes on {what}", bytes.len()));
        }
    }
    if code == Some(2) {
        if out.exists() || dir.join("s.toml").exists() {
            return Err("refused, but wrote".into());
        }
        return Ok(());
    }
    let written = dir.join("s.toml");
    if written.exists() {
        tally.scenarios_written += 1;
        let text = std::fs::read_to_string(&written).unwrap();
        if let Err(e) = scenario::load_str("s.toml", &text, Format::Toml) {
            return Err(format!("a scenario that does not validate: {e}"));
        }
        if !out.join("scenario.toml").exists() {
            return Err("--scenario written, but not scenario.toml".into());
        }
    }
    for entry in std::fs::read_dir(&out).unwrap() {
        let file = entry.unwrap().path();
        if file.is_file() && std::fs::read(&file).unwrap().contains(&0x1b) {
            return Err(format!("an escape sequence in {}", file.display()));
        }
    }
    Ok(())
}

/// Runs generated inputs from `seed` for `seconds` or `cases` inputs, whichever comes first.
fn fuzz(seed: u64, seconds: f64, cases: u64) -> (Tally, Vec<(String, Input)>) {
    let seeds = seeds();
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let strategy = input(&seeds);
    let dir = work_dir().join(format!("{seed}"));
    std::fs::create_dir_all(&dir).unwrap();
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    while Instant::now() < deadline && tally.cases < cases {
        let input = strategy
            .new_tree(&mut runner)
            .expect("the generator never rejects")
            .current();
        let end_to_end = tally.cases % END_TO_END_EVERY == 0;
        if let Err(why) = check(&input, &dir, end_to_end, &mut tally) {
            failures.push((why, input));
        }
    }
    (tally, failures)
}

/// Writes each failure to `target/tmp/fuzz-findings/exports/`, with what failed and the
/// mutations beside it in `NNN-<file>.txt`.
fn save(failures: &[(String, Input)]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-findings/exports");
    std::fs::create_dir_all(&dir).unwrap();
    for (k, (why, input)) in failures.iter().enumerate() {
        std::fs::write(dir.join(format!("{k:03}-{}", input.file)), &input.bytes).unwrap();
        let said = format!("{why}\n{}\n", input.mutations.join("\n"));
        std::fs::write(dir.join(format!("{k:03}-{}.txt", input.file)), said).unwrap();
    }
    dir
}

fn report(seed: u64, tally: &Tally, failures: &[(String, Input)]) -> String {
    let mut text = format!("exports, seed {seed}: {tally:?}\n");
    for (why, input) in failures.iter().take(20) {
        let why: String = why.chars().take(300).collect();
        text.push_str(&format!("- {why} ({})\n", input.mutations.join("; ")));
    }
    text
}

/// In every `cargo test`: the first 60 inputs of a fixed seed (6 through the binary).
#[test]
fn reading_mutated_exports_never_fails_its_properties() {
    smoke(60, fuzz, report, save);
}

/// The campaign: `FULCRUM_FUZZ_SECONDS` seconds (default 60) from `FULCRUM_FUZZ_SEED`
/// (default: the clock).
#[test]
#[ignore = "a long fuzzing campaign: FULCRUM_FUZZ_SECONDS=1200 cargo test --release --test integration fuzz:: -- --ignored"]
fn fuzzing_campaign() {
    campaign(|seed, seconds| fuzz(seed, seconds, u64::MAX), report, save);
}

/// The generator: unmutated seeds are read as their tests say (the hostile ones refused or
/// warned), and every encoding of a good one reads the same items.
#[test]
fn the_export_generator_starts_from_its_fixtures() {
    let seeds = seeds();
    assert!(seeds.len() >= 19, "{} seeds", seeds.len());
    let generic = seeds.iter().find(|(n, _)| n == "generic.csv").unwrap();
    let dir = work_dir().join("generator");
    std::fs::create_dir_all(&dir).unwrap();
    let mut counts = Vec::new();
    for encoding in [
        Encoding::AsIs,
        Encoding::Crlf,
        Encoding::Cr,
        Encoding::Utf8Bom,
        Encoding::Utf16Le,
        Encoding::Utf16Be,
    ] {
        let input = build(generic, &[], encoding);
        let mut tally = Tally::default();
        check(&input, &dir, false, &mut tally).unwrap();
        let path = dir.join(&input.file);
        counts.push(import::read_all(&[&path], &options()).unwrap().items.len());
    }
    assert!(counts.iter().all(|&n| n == 96), "{counts:?}");
    let latin1 = build(
        generic,
        &[Mutation::Cell(9, "Café".into())],
        Encoding::Latin1,
    );
    assert!(latin1.bytes.contains(&0xe9));
}
