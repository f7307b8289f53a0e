//! Outputs of `fulcrum backtest`: every forecast of every method against the truth
//! (`backtest.csv`), how often each percentile was right (`calibration.csv`), each method's
//! accuracy (`scores.csv`), the first method's forecast ranges against what happened and a
//! reliability diagram of every method ([`chart`]), a self-contained `report.html`,
//! `backtest.json` and the terminal table.

mod chart;
pub mod model;

use std::fmt::Write;

use anyhow::Result;

use crate::model::throughput::{LevelShift, Method};
use crate::simulate::forecast::backtest::{Backtest, MethodBacktest, Question, Settings};
use crate::simulate::forecast::walk::{Origin, Stated};

use super::forecast::ShiftInfo;
use super::kit::output::{Destination, OutputDir};
use crate::report::kit::charts;
use crate::report::kit::csv::CsvWriter;
use crate::report::kit::page::{escape, page_start, strip_xml_prolog};
use crate::words::numbers;
use crate::words::numbers::num;

/// What `backtest.json` records besides the results.
#[derive(Clone, Debug, serde::Serialize)]
pub struct BacktestInfo {
    /// Version of fulcrum that ran the backtest.
    pub fulcrum_version: String,
    /// Where the history came from: `history`, `history-csv FILE` or `scenario FILE team NAME`.
    pub source: String,
    /// The throughput history backtested: items finished per period, oldest first (the
    /// team's active span: idle stretches at its ends cut).
    pub history: Vec<f64>,
    /// Periods cut from the start of the history given, before the team's first activity.
    pub cut_before: usize,
    /// Periods cut from its end, after the team's last activity.
    pub cut_after: usize,
    /// Length of one history period, e.g. `1w`, `2w`, `1d`, `1mo`, `1q`.
    pub period: String,
    /// First day of the first history period (YYYY-MM-DD); `null` when the history has no
    /// dates.
    pub first_day: Option<String>,
    /// Items of the "when will the next N items be done" question.
    pub backlog: f64,
    /// Periods of the "how many in the next H periods" question.
    pub horizon: usize,
    /// Periods of history before its origin each forecast uses; `null`: as each method
    /// chooses.
    pub window: Option<usize>,
    /// Periods of history before the first forecast.
    pub min_history: usize,
    /// Periods between forecast origins.
    pub step: usize,
    /// The percentiles checked, as probabilities in (0, 1), e.g. 0.85 for P85.
    pub percentiles: Vec<f64>,
    /// The methods judged, in order.
    pub methods: Vec<MethodInfo>,
    /// The method that did best on this history (the calibrated one with the best quantile
    /// score, else the one whose percentiles strayed least).
    pub best: Option<String>,
    /// The last lasting change of pace in the history: the first period (1-based) at the new
    /// pace and the mean count per period before and after it.
    pub level_shift: Option<ShiftInfo>,
    /// Master seed of the forecasts' trials.
    pub seed: u64,
    /// Monte Carlo trials each forecast ran.
    pub trials_per_forecast: u64,
    /// Worker threads the backtest used.
    pub threads: usize,
    /// Wall-clock seconds the backtest took, before its files were written.
    pub seconds: f64,
}

/// One method's verdict in `backtest.json`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct MethodInfo {
    /// `calibrated` or `iid`.
    pub method: String,
    /// `calibrated`, `over-promises`, `too cautious` or `few checks`.
    pub verdict: String,
    /// Forecasts checked.
    pub forecasts: usize,
}

impl MethodInfo {
    /// The record of one method's backtest.
    pub fn of(m: &MethodBacktest) -> MethodInfo {
        MethodInfo {
            method: m.method.to_string(),
            verdict: m.verdict().to_string(),
            forecasts: m.origins.len(),
        }
    }
}

/// The backtest and how to label it.
#[derive(Clone, Debug)]
pub struct Labelled<'a> {
    /// Every method's forecasts, calibration and scores.
    pub backtest: &'a Backtest,
    /// The settings the backtest ran with.
    pub settings: &'a Settings,
    /// What `backtest.json` records besides the results.
    pub info: &'a BacktestInfo,
    /// The last day of each history period (`dates[t - 1]`), when the history has dates.
    pub dates: Option<Vec<String>>,
    /// The last level shift of the history (its `at` indexes the history backtested).
    pub shift: Option<LevelShift>,
}

impl Labelled<'_> {
    fn date(&self, t: usize) -> String {
        self.dates
            .as_ref()
            .and_then(|d| d.get(t.wrapping_sub(1)).cloned())
            .unwrap_or_default()
    }

    fn question(&self, q: Question) -> String {
        match q {
            Question::When => format!(
                "when will the next {} items be done",
                num(self.settings.backlog)
            ),
            Question::HowMany => format!("how many in the next {} periods", self.settings.horizon),
        }
    }
}

fn name(q: f64) -> String {
    format!("P{}", num(q * 100.0))
}

/// What a method does, in a few words.
pub fn method_words(method: Method) -> &'static str {
    match method {
        Method::Calibrated => {
            "four-week blocks of the last year, chances corrected by how often they came true before"
        }
        Method::Iid => {
            "every period drawn independently from all the history (the classic bootstrap)"
        }
    }
}

/// The statements of `question` at origin `o`, when it was asked.
fn stated(o: &Origin, question: Question) -> Option<&Stated> {
    match question {
        Question::When => Some(&o.when),
        Question::HowMany => o.how_many.as_ref(),
    }
}

/// `backtest.csv`: per method, origin and question: the answer at each percentile and the
/// level it was read at, the median, the truth and whether each percentile came true (empty
/// while the history does not reach its outcome).
pub fn checks_csv(b: &Labelled) -> Result<Vec<u8>> {
    let qs = &b.settings.percentiles;

    let mut header: Vec<String> = [
        "method",
        "origin",
        "date",
        "history_periods",
        "block",
        "question",
    ]
    .map(String::from)
    .to_vec();
    let lower = |prefix: &'static str| {
        qs.iter()
            .map(move |&q| format!("{prefix}_{}", name(q).to_lowercase()))
    };
    header.extend(lower("forecast"));
    header.extend(lower("level"));
    header.extend(["median".into(), "actual".into(), "error_of_median".into()]);
    header.extend(lower("right"));
    let mut w = CsvWriter::new(&header)?;
    for m in &b.backtest.methods {
        for o in &m.origins {
            for question in Question::ALL {
                let Some(s) = stated(o, question) else {
                    continue;
                };
                let mut r = vec![
                    m.method.to_string(),
                    o.origin.to_string(),
                    b.date(o.origin),
                    o.used.to_string(),
                    o.block.to_string(),
                    question.as_str().into(),
                ];
                let each = |f: &dyn Fn(&crate::simulate::forecast::walk::Statement) -> String| {
                    s.statements
                        .iter()
                        .map(|st| st.as_ref().map_or_else(String::new, f))
                        .collect::<Vec<_>>()
                };
                r.extend(each(&|st| num(st.value)));
                r.extend(each(&|st| num(st.level)));
                let opt = |x: Option<f64>| x.map_or_else(String::new, num);
                r.push(opt(s.median));
                r.push(opt(s.actual));
                r.push(opt(s.actual.zip(s.median).map(|(a, m)| a - m)));
                r.extend(each(&|st| {
                    st.hit.map_or_else(String::new, |h| u8::from(h).to_string())
                }));
                w.row(&r)?;
            }
        }
    }
    w.finish()
}

/// `calibration.csv`: per method, question and percentile.
pub fn calibration_csv(b: &Labelled) -> Result<Vec<u8>> {
    let mut w = CsvWriter::new([
        "method",
        "question",
        "percentile",
        "forecasts",
        "right",
        "observed",
        "claimed",
        "standard_error",
        "effective_checks",
        "p_value",
        "verdict",
    ])?;
    for m in &b.backtest.methods {
        for c in &m.calibration {
            w.row([
                m.method.as_str(),
                c.question.as_str(),
                &num(c.percentile),
                &c.forecasts.to_string(),
                &c.hits.to_string(),
                &num(c.observed),
                &num(c.claimed),
                &num(c.standard_error),
                &num(c.effective),
                &num(c.p_value),
                c.verdict(),
            ])?;
        }
    }
    w.finish()
}

/// `scores.csv`: per method and question, the quantile score and the median's error on the
/// origins every method was scored on, with the method's verdict.
pub fn scores_csv(b: &Labelled) -> Result<Vec<u8>> {
    let mut w = CsvWriter::new([
        "method",
        "question",
        "forecasts",
        "quantile_score",
        "mean_error",
        "mean_absolute_error",
        "verdict",
    ])?;
    for m in &b.backtest.methods {
        for s in &m.scores {
            w.row([
                m.method.as_str(),
                s.question.as_str(),
                &s.forecasts.to_string(),
                &num(s.quantile_score),
                &num(s.mean_error),
                &num(s.mean_absolute_error),
                m.verdict(),
            ])?;
        }
    }
    w.finish()
}

/// The summary's first line: how many forecasts, from which origins and windows.
fn headline(b: &Labelled) -> String {
    let mut out = String::new();
    let s = b.settings;
    let _ = writeln!(
        out,
        "Backtest of {} on a history of {} of {}: from period {} on, every {}, {}; {} each",
        numbers::counted(b.backtest.checks() as u64, "forecast", "forecasts"),
        numbers::counted(b.info.history.len() as u64, "period", "periods"),
        s.period,
        s.min_history,
        if s.step == 1 {
            "period".to_string()
        } else {
            format!("{} periods", s.step)
        },
        match s.window {
            Some(w) => format!("each from the last {w} periods"),
            None => "each from the history before it".into(),
        },
        numbers::counted(s.trials, "trial", "trials")
    );
    if b.info.cut_before + b.info.cut_after > 0 {
        let _ = writeln!(
            out,
            "  note: the team's active span only: {} cut before its first activity, {} after its last",
            numbers::counted(b.info.cut_before as u64, "idle period", "idle periods"),
            numbers::counted(b.info.cut_after as u64, "period", "periods"),
        );
    }
    out
}

/// The terminal table: per method, how often each percentile was right, then its scores.
pub fn summary(b: &Labelled) -> String {
    let mut out = headline(b);
    let width = Question::ALL
        .map(|q| b.question(q).chars().count())
        .into_iter()
        .max()
        .unwrap_or(10);
    for m in &b.backtest.methods {
        let _ = writeln!(
            out,
            "method {}: {} — {}",
            m.method,
            method_words(m.method),
            m.verdict()
        );
        let _ = writeln!(
            out,
            "  {:<width$}  {:>6}  {:>6}  {:>7}  {:>9}  verdict",
            "question", "pct", "right", "claimed", "forecasts"
        );
        for c in &m.calibration {
            let _ = writeln!(
                out,
                "  {:<width$}  {:>6}  {:>5.0}%  {:>6.0}%  {:>9}  {} (±{:.0} points, p = {})",
                b.question(c.question),
                name(c.percentile),
                c.observed * 100.0,
                c.claimed * 100.0,
                c.forecasts,
                c.verdict(),
                200.0 * c.standard_error,
                p_value(c.p_value),
            );
        }
        for s in &m.scores {
            let unit = s.question.unit();
            let _ = writeln!(
                out,
                "  {}: quantile score {:.2} {unit}; P50 off by {:+.1} {unit} on average, {:.1} {unit} mean absolute",
                b.question(s.question),
                s.quantile_score,
                s.mean_error,
                s.mean_absolute_error
            );
        }
        if m.skipped > 0 {
            let _ = writeln!(
                out,
                "  note: {} origin(s) skipped: the history they used had finished nothing",
                m.skipped
            );
        }
    }
    if let Some(shift) = &b.info.level_shift {
        let _ = writeln!(
            out,
            "warning: the pace changed at period {}{}: {} → {} items per period (CUSUM test, p = {}); forecasts from before it lean on the old pace",
            shift.period,
            match b.date(shift.period) {
                d if d.is_empty() => String::new(),
                d => format!(" (ending {d})"),
            },
            num(round2(shift.before)),
            num(round2(shift.after)),
            p_value(shift.p_value),
        );
    }
    if b.backtest.methods.len() > 1
        && let Some(best) = b.backtest.best()
    {
        let _ = writeln!(
            out,
            "Best on this history: {} ({}).",
            best.method,
            best.verdict()
        );
    }
    let _ = writeln!(
        out,
        "A well-calibrated P85 is right about 85% of the time; `claimed` is the chance the forecasts gave; a verdict is an exact binomial test on the independent checks."
    );
    out
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A p-value as it reads: three decimals, or "< 0.001".
fn p_value(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".into()
    } else {
        format!("{p:.3}")
    }
}

/// Writes every output into `target` (atomically).
pub fn write(target: &Destination, b: &Labelled) -> Result<()> {
    let dir = OutputDir::create(target, "backtest")?;
    dir.write("backtest.csv", &checks_csv(b)?)?;
    dir.write("calibration.csv", &calibration_csv(b)?)?;
    dir.write("scores.csv", &scores_csv(b)?)?;
    let ranges = charts::save(
        &dir.staged("plots/backtest"),
        (charts::SLIDE.0, 900),
        &chart::Ranges { b },
    )?;
    let reliability = charts::save(
        &dir.staged("plots/calibration"),
        charts::SLIDE,
        &chart::Reliability { b },
    )?;
    dir.write("report.html", page(b, &ranges, &reliability).as_bytes())?;
    let mut json = serde_json::to_vec_pretty(b.info)?;
    json.push(b'\n');
    dir.write("backtest.json", &json)?;
    dir.commit()
}

fn page(b: &Labelled, ranges: &str, reliability: &str) -> String {
    let mut h = String::new();
    page_start(&mut h, "Backtest — fulcrum");
    let _ = writeln!(
        h,
        "<h1>Backtest: would these forecasts have been right?</h1>"
    );
    let _ = writeln!(
        h,
        "<p class=\"question\">{} forecasts per method walked forward through {} periods of {} ({}).</p>",
        b.backtest.checks(),
        b.info.history.len(),
        escape(&b.info.period),
        escape(&b.info.source)
    );
    let _ = writeln!(
        h,
        "<p class=\"muted\">Each forecast uses only {} and is compared with the periods after \
         it. A well-calibrated P85 is right about 85% of the time. <em>Claimed</em> is the \
         chance the forecasts themselves gave; a verdict is an exact binomial test of the \
         observed rate against it, on the independent checks (neighbouring forecasts share \
         most of their future). The quantile score is the mean pinball loss of the \
         statements (lower is better; Gneiting &amp; Raftery 2007).</p>",
        match b.settings.window {
            Some(w) => format!("the last {w} periods before its origin"),
            None => "the history before its origin".into(),
        }
    );
    if let Some(shift) = &b.info.level_shift {
        let _ = writeln!(
            h,
            "<p class=\"low\">The pace changed at period {}: {} → {} items per period (CUSUM \
             test, p = {}); the chart marks it.</p>",
            shift.period,
            num(round2(shift.before)),
            num(round2(shift.after)),
            p_value(shift.p_value)
        );
    }
    for m in &b.backtest.methods {
        method_section(&mut h, b, m);
    }
    let _ = writeln!(
        h,
        "<h2>Right how often, against the chance claimed</h2>\n<figure>{}<figcaption>On the \
         diagonal, a method is right as often as it says. <span class=\"muted\">(plots/calibration.svg, \
         plots/calibration.png)</span></figcaption></figure>",
        strip_xml_prolog(reliability)
    );
    let _ = writeln!(
        h,
        "<h2>Forecasts against the truth</h2>\n<figure>{}<figcaption>For each forecast of the \
         first method: the bar spans its percentiles, the black tick is its median and the dot \
         what really happened (red when beyond the highest percentile; a triangle at the top: \
         not done within the history). <span class=\"muted\">(plots/backtest.svg, \
         plots/backtest.png)</span></figcaption></figure>",
        strip_xml_prolog(ranges)
    );
    checks_table(&mut h, b);
    h.push_str("</body>\n</html>\n");
    // On a phone, a wide table scrolls by itself instead of the whole page.
    h.replace("<table>", "<div style=\"overflow-x:auto\"><table>")
        .replace("</table>", "</table></div>")
}

/// One method's calibration table and scores.
fn method_section(h: &mut String, b: &Labelled, m: &MethodBacktest) {
    let _ = writeln!(
        h,
        "<h2>Method {}: {}</h2>\n<p>{}.</p>",
        m.method,
        escape(m.verdict()),
        escape(method_words(m.method))
    );
    h.push_str("<table>\n<tr><th>question</th><th>percentile</th><th>forecasts</th><th>right</th><th>claimed</th><th>± 2 s.e.</th><th>p</th><th class=\"text\">verdict</th></tr>\n");
    for c in &m.calibration {
        let class = if c.verdict() == "calibrated" {
            "text"
        } else {
            "text low"
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.0}%</td><td>{:.0}%</td><td>{:.0} points</td><td>{}</td><td class=\"{class}\">{}</td></tr>",
            escape(&b.question(c.question)),
            name(c.percentile),
            c.forecasts,
            c.observed * 100.0,
            c.claimed * 100.0,
            200.0 * c.standard_error,
            escape(&p_value(c.p_value)),
            c.verdict()
        );
    }
    h.push_str("</table>\n");
    for s in &m.scores {
        let unit = s.question.unit();
        let _ = writeln!(
            h,
            "<p>{}: quantile score {:.2} {unit}; P50 off by {:+.1} {unit} on average (actual − P50), {:.1} {unit} mean absolute, over {} forecasts.</p>",
            escape(&b.question(s.question)),
            s.quantile_score,
            s.mean_error,
            s.mean_absolute_error,
            s.forecasts
        );
    }
}

/// The table of the first method's forecasts and what happened.
fn checks_table(h: &mut String, b: &Labelled) {
    let Some(m) = b.backtest.methods.first() else {
        return;
    };
    let date = if b.dates.is_some() {
        "<th class=\"text\">date</th>"
    } else {
        ""
    };
    let _ = writeln!(
        h,
        "<h2>Every forecast ({})</h2>\n<table>\n<tr><th>origin</th>{date}<th>history</th><th class=\"text\">question</th><th>median</th><th>actual</th></tr>",
        m.method
    );
    for o in &m.origins {
        row(h, b, o);
    }
    h.push_str("</table>\n");
}

fn row(h: &mut String, b: &Labelled, o: &Origin) {
    let date = match &b.dates {
        Some(_) => format!("<td class=\"text\">{}</td>", b.date(o.origin)),
        None => String::new(),
    };
    for question in Question::ALL {
        let Some(s) = stated(o, question) else {
            continue;
        };
        let actual = match (question, s.actual) {
            (_, Some(a)) => num(a),
            (Question::When, None) => "not done".into(),
            (Question::HowMany, None) => "—".into(),
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td>{date}<td>{}</td><td class=\"text\">{}</td><td>{}</td><td>{}</td></tr>",
            o.origin,
            o.used,
            question.as_str().replace('_', " "),
            s.median.map_or_else(|| "—".into(), num),
            actual
        );
    }
}
