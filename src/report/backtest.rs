//! Outputs of `fulcrum backtest`: every forecast against the truth (`backtest.csv`), how often
//! each percentile was right (`calibration.csv`), a chart of forecast ranges against what
//! happened, a self-contained `report.html`, `backtest.json` and the terminal table.

use std::fmt::Write;

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::whatif::backtest::{Backtest, Check, Question, Settings};

use super::OutputDir;
use super::charts::frame::Heading;
use super::charts::style::Plot2d;
use super::charts::{self, LegendItem, Mesh, Swatch, legend, palette, tick, titled};
use super::html::{escape, page_start, strip_xml_prolog};
use super::tables::num;

/// What `backtest.json` records besides the results.
#[derive(Clone, Debug, serde::Serialize)]
pub struct BacktestInfo {
    /// Version of fulcrum that ran the backtest.
    pub fulcrum_version: String,
    /// Where the history came from: `history`, `history-csv FILE` or `scenario FILE team NAME`.
    pub source: String,
    /// The throughput history backtested: items finished per period, oldest first.
    pub history: Vec<f64>,
    /// Length of one history period, e.g. `1w`, `2w`, `1d`, `1mo`, `1q`.
    pub period: String,
    /// First day of the first history period (YYYY-MM-DD); `null` when the history has no
    /// dates.
    pub first_day: Option<String>,
    /// Items of the "when will the next N items be done" question.
    pub backlog: f64,
    /// Periods of the "how many in the next H periods" question.
    pub horizon: usize,
    /// Periods of history before its origin each forecast bootstraps; `null`: all of them.
    pub window: Option<usize>,
    /// Periods of history before the first forecast.
    pub min_history: usize,
    /// Periods between forecast origins.
    pub step: usize,
    /// The percentiles checked, as probabilities in (0, 1), e.g. 0.85 for P85.
    pub percentiles: Vec<f64>,
    /// Master seed of the forecasts' trials.
    pub seed: u64,
    /// Monte Carlo trials each forecast ran.
    pub trials_per_forecast: u64,
    /// Worker threads the backtest used.
    pub threads: usize,
    /// Wall-clock seconds the backtest took, before its files were written.
    pub seconds: f64,
}

/// The backtest and how to label it.
#[derive(Clone, Debug)]
pub struct Labelled<'a> {
    /// The backtest's checked forecasts, calibration and median errors.
    pub backtest: &'a Backtest,
    /// The settings the backtest ran with.
    pub settings: &'a Settings,
    /// What `backtest.json` records besides the results.
    pub info: &'a BacktestInfo,
    /// The last day of each history period (`dates[t - 1]`), when the history has dates.
    pub dates: Option<Vec<String>>,
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

fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>> {
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// `backtest.csv`: per origin and question: the forecast at each percentile, the truth, the
/// median's error and whether each percentile was right.
pub fn checks_csv(b: &Labelled) -> Result<Vec<u8>> {
    let qs = &b.settings.percentiles;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "origin".to_string(),
        "date".into(),
        "history_periods".into(),
        "question".into(),
    ];
    header.extend(
        qs.iter()
            .map(|&q| format!("forecast_{}", name(q).to_lowercase())),
    );
    header.extend(["median".into(), "actual".into(), "error_of_median".into()]);
    header.extend(
        qs.iter()
            .map(|&q| format!("right_{}", name(q).to_lowercase())),
    );
    w.write_record(&header)?;
    for c in &b.backtest.checks {
        let lead = [
            c.origin.to_string(),
            b.date(c.origin),
            c.history.to_string(),
        ];
        if let Some(wh) = &c.when {
            let mut r: Vec<String> = lead.to_vec();
            r.push("when".into());
            r.extend(wh.periods.iter().map(usize::to_string));
            r.push(wh.p50.to_string());
            r.push(wh.actual.map_or_else(String::new, |a| a.to_string()));
            r.push(
                wh.actual
                    .map_or_else(String::new, |a| (a as i64 - wh.p50 as i64).to_string()),
            );
            r.extend((0..qs.len()).map(|k| u8::from(wh.hit(k)).to_string()));
            w.write_record(&r)?;
        }
        if let Some(m) = &c.how_many {
            let mut r: Vec<String> = lead.to_vec();
            r.push("how_many".into());
            r.extend(m.at_least.iter().map(|&x| num(x)));
            r.push(num(m.p50));
            r.push(num(m.actual));
            r.push(num(m.actual - m.p50));
            r.extend((0..qs.len()).map(|k| u8::from(m.hit(k)).to_string()));
            w.write_record(&r)?;
        }
    }
    finish(w)
}

/// `calibration.csv`: per question and percentile.
pub fn calibration_csv(b: &Labelled) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "question",
        "percentile",
        "forecasts",
        "right",
        "observed",
        "claimed",
        "standard_error",
        "effective_checks",
        "verdict",
    ])?;
    for c in &b.backtest.calibration {
        w.write_record([
            c.question.as_str(),
            &num(c.percentile),
            &c.forecasts.to_string(),
            &c.hits.to_string(),
            &num(c.observed),
            &num(c.claimed),
            &num(c.standard_error),
            &num(c.effective),
            c.verdict(),
        ])?;
    }
    finish(w)
}

/// The summary's first line: how many forecasts, from which origins and windows.
fn headline(b: &Labelled) -> String {
    let mut out = String::new();
    let s = b.settings;
    let _ = writeln!(
        out,
        "Backtest of {} on a history of {} of {}: from period {} on, every {}, {}; {} each",
        super::numbers::counted(b.backtest.checks.len() as u64, "forecast", "forecasts"),
        super::numbers::counted(b.info.history.len() as u64, "period", "periods"),
        s.period,
        s.min_history,
        if s.step == 1 {
            "period".to_string()
        } else {
            format!("{} periods", s.step)
        },
        match s.window {
            Some(w) => format!("each from the last {w} periods"),
            None => "each from all the history before it".into(),
        },
        super::numbers::counted(s.trials, "trial", "trials")
    );
    out
}

/// The terminal table.
pub fn summary(b: &Labelled) -> String {
    let mut out = headline(b);
    let width = [Question::When, Question::HowMany]
        .map(|q| b.question(q).chars().count())
        .into_iter()
        .max()
        .unwrap_or(10);
    let _ = writeln!(
        out,
        "  {:<width$}  {:>6}  {:>6}  {:>7}  {:>9}  verdict",
        "question", "pct", "right", "claimed", "forecasts"
    );
    for c in &b.backtest.calibration {
        let _ = writeln!(
            out,
            "  {:<width$}  {:>6}  {:>5.0}%  {:>6.0}%  {:>9}  {} (±{:.0} points)",
            b.question(c.question),
            name(c.percentile),
            c.observed * 100.0,
            c.claimed * 100.0,
            c.forecasts,
            c.verdict(),
            200.0 * c.standard_error
        );
    }
    for e in &b.backtest.errors {
        let unit = e.question.unit();
        let _ = writeln!(
            out,
            "  P50 error, {}: {:+.1} {unit} on average (actual − P50), {:.1} {unit} mean absolute",
            b.question(e.question),
            e.mean,
            e.mean_absolute
        );
    }
    if b.backtest.skipped > 0 {
        let _ = writeln!(
            out,
            "  note: {} origin(s) skipped: their history had finished nothing",
            b.backtest.skipped
        );
    }
    let _ = writeln!(
        out,
        "  A well-calibrated P85 is right about 85% of the time; `claimed` is the chance the forecasts gave (whole periods and items make it a little higher)."
    );
    out
}

/// Forecast ranges against the truth, one panel per question.
struct Ranges<'a> {
    b: &'a Labelled<'a>,
}

/// One forecast on the chart: origin, the range's two ends, the median, what happened
/// (`None`: not done within the history) and whether the highest percentile was right.
struct Bar {
    origin: usize,
    range: (f64, f64),
    median: f64,
    actual: Option<f64>,
    hit: bool,
}

impl Ranges<'_> {
    /// The lowest and highest percentiles and their positions.
    fn ends(&self) -> ((f64, usize), (f64, usize)) {
        let qs = &self.b.settings.percentiles;
        let at = |q: f64| qs.iter().position(|&x| x == q).unwrap_or(0);
        let lo = qs.iter().copied().fold(1.0, f64::min);
        let hi = qs.iter().copied().fold(0.0, f64::max);
        ((lo, at(lo)), (hi, at(hi)))
    }

    fn bars(&self, question: Question) -> Vec<Bar> {
        let ((_, lo), (_, hi)) = self.ends();
        let checks = &self.b.backtest.checks;
        match question {
            Question::When => checks
                .iter()
                .filter_map(|c| {
                    let w = c.when.as_ref()?;
                    Some(Bar {
                        origin: c.origin,
                        range: (w.periods[lo] as f64, w.periods[hi] as f64),
                        median: w.p50 as f64,
                        actual: w.actual.map(|a| a as f64),
                        hit: w.hit(hi),
                    })
                })
                .collect(),
            Question::HowMany => checks
                .iter()
                .filter_map(|c| {
                    let m = c.how_many.as_ref()?;
                    Some(Bar {
                        origin: c.origin,
                        range: (m.at_least[hi], m.at_least[lo]),
                        median: m.p50,
                        actual: Some(m.actual),
                        hit: m.hit(hi),
                    })
                })
                .collect(),
        }
    }
}

impl charts::Figure for Ranges<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let ((lo, _), (hi, _)) = self.ends();
        let area = titled(root, "Backtest: forecast ranges against what happened")?;
        let items = [
            LegendItem::new(
                format!("forecast {} to {}", name(lo), name(hi)),
                palette::PRODUCT,
                Swatch::Fill,
            ),
            LegendItem::new("forecast P50", palette::INK, Swatch::Band),
            LegendItem::new(
                format!("actual, within {}", name(hi)),
                palette::PAYDOWN,
                Swatch::Dot,
            ),
            LegendItem::new(
                format!("actual, beyond {}", name(hi)),
                palette::UNPLANNED,
                Swatch::Dot,
            ),
        ];
        let area = legend(&area, &items)?;
        let (top, bottom) = area.split_vertically(area.dim_in_pixel().1 / 2);
        for (panel, question, y_label) in [
            (&top, Question::When, "periods after the origin"),
            (&bottom, Question::HowMany, "items done"),
        ] {
            self.panel(
                panel,
                &self.b.question(question),
                y_label,
                &self.bars(question),
            )?;
        }
        Ok(())
    }
}

impl Ranges<'_> {
    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        title: &str,
        y_label: &str,
        bars: &[Bar],
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let mut chars = title.chars();
        let heading: String = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        let area = QUESTION_HEADING.draw(area, &format!("{heading}?"))?;
        if bars.is_empty() {
            let (w, h) = area.dim_in_pixel();
            area.draw_text(
                "no forecast could be checked: the history after the origins is too short",
                &charts::text(16).pos(Pos::new(HPos::Center, VPos::Center)),
                ((w / 2) as i32, (h / 2) as i32),
            )?;
            return Ok(());
        }
        let ((x0, x1), y1) = extent(bars);
        let mut ctx = ChartBuilder::on(&area)
            .margin_left(16)
            .margin_right(40)
            .margin_bottom(6)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, 0.0..y1)?;
        let x_fmt = |x: &f64| {
            let t = x.round();
            if (x - t).abs() > 1e-6 || t < 1.0 {
                return String::new();
            }
            match &self.b.dates {
                Some(_) => self.b.date(t as usize),
                None => format!("{t:.0}"),
            }
        };
        let dated = self.b.dates.is_some();
        Mesh {
            x_desc: if dated {
                "forecast made at the end of"
            } else {
                "forecast made after period"
            },
            y_desc: y_label,
            x_labels: if dated { 8 } else { 12 },
            y_labels: 6,
            x_format: &x_fmt,
            y_format: &|y| tick(*y),
            size: 14,
        }
        .draw(&mut ctx)?;
        let half = 0.35f64.min(0.36 * (x1 - x0) / bars.len() as f64);
        for bar in bars {
            draw_bar(&mut ctx, bar, half, y1)?;
        }
        Ok(())
    }
}

/// The heading of each question's panel.
const QUESTION_HEADING: Heading = Heading {
    size: 17,
    centred: false,
    at: (24, 2),
    height: 26,
};

/// The x range (one period beyond the first and last origins) and the top of the y range
/// (10% above the highest bar or outcome, at least 1.1) of `bars`.
fn extent(bars: &[Bar]) -> ((f64, f64), f64) {
    let (x0, x1) = bars
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), r| {
            (a.min(r.origin as f64), b.max(r.origin as f64))
        });
    let y1 = bars
        .iter()
        .flat_map(|r| [r.range.1, r.range.0, r.actual.unwrap_or(0.0)])
        .fold(1.0, f64::max)
        * 1.1;
    ((x0 - 1.0, x1 + 1.0), y1)
}

/// One forecast: its range as a bar `2 × half` wide, its median as a tick, and what really
/// happened as a dot (a triangle at the top edge, `y1`, when not done within the history).
fn draw_bar<DB: DrawingBackend>(
    ctx: &mut Plot2d<'_, DB>,
    bar: &Bar,
    half: f64,
    y1: f64,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let x = bar.origin as f64;
    let (a, b) = bar.range;
    // Ranges of one value stay visible.
    let pad = y1 * 0.006;
    ctx.draw_series(std::iter::once(Rectangle::new(
        [(x - half, a.min(b) - pad), (x + half, a.max(b) + pad)],
        palette::PRODUCT.mix(0.45).filled(),
    )))?;
    ctx.draw_series(std::iter::once(PathElement::new(
        vec![(x - half, bar.median), (x + half, bar.median)],
        palette::INK.stroke_width(2),
    )))?;
    let colour = if bar.hit {
        palette::PAYDOWN
    } else {
        palette::UNPLANNED
    };
    match bar.actual {
        Some(v) => ctx.draw_series(std::iter::once(Circle::new((x, v), 4, colour.filled())))?,
        None => ctx.draw_series(std::iter::once(TriangleMarker::new(
            (x, y1 * 0.97),
            5,
            colour.filled(),
        )))?,
    };
    Ok(())
}

/// Writes every output into `target` (atomically).
pub fn write(target: &super::Destination, b: &Labelled) -> Result<()> {
    let dir = OutputDir::create(target, "backtest")?;
    dir.write("backtest.csv", &checks_csv(b)?)?;
    dir.write("calibration.csv", &calibration_csv(b)?)?;
    let height = 900;
    let svg = charts::save(
        &dir.staged("plots/backtest"),
        (charts::SLIDE.0, height),
        &Ranges { b },
    )?;
    dir.write("report.html", page(b, &svg).as_bytes())?;
    let mut json = serde_json::to_vec_pretty(b.info)?;
    json.push(b'\n');
    dir.write("backtest.json", &json)?;
    dir.commit()
}

fn page(b: &Labelled, svg: &str) -> String {
    let mut h = String::new();
    page_start(&mut h, "Backtest — fulcrum");
    let _ = writeln!(
        h,
        "<h1>Backtest: would these forecasts have been right?</h1>"
    );
    let _ = writeln!(
        h,
        "<p class=\"question\">{} forecasts walked forward through {} periods of {} ({}).</p>",
        b.backtest.checks.len(),
        b.info.history.len(),
        escape(&b.info.period),
        escape(&b.info.source)
    );
    let _ = writeln!(
        h,
        "<p class=\"muted\">Each forecast bootstraps {} and is compared with the periods after it. \
         A well-calibrated P85 is right about 85% of the time. <em>Claimed</em> is the chance \
         the forecasts themselves gave (whole periods and items make it a little higher than \
         the percentile); a verdict needs the observed rate within two standard errors of it.</p>",
        match b.settings.window {
            Some(w) => format!("the last {w} periods before its origin"),
            None => "all the history before its origin".into(),
        }
    );
    calibration_section(&mut h, b);
    let _ = writeln!(
        h,
        "<h2>Forecasts against the truth</h2>\n<figure>{}<figcaption>For each forecast: the \
         bar spans its percentiles, the black tick is its median and the dot what really \
         happened (red when beyond the highest percentile; a triangle at the top: not done \
         within the history). <span class=\"muted\">(plots/backtest.svg, plots/backtest.png)</span></figcaption></figure>",
        strip_xml_prolog(svg)
    );
    checks_table(&mut h, b);
    h.push_str("</body>\n</html>\n");
    // On a phone, a wide table scrolls by itself instead of the whole page.
    h.replace("<table>", "<div style=\"overflow-x:auto\"><table>")
        .replace("</table>", "</table></div>")
}

/// The calibration table and the P50 errors.
fn calibration_section(h: &mut String, b: &Labelled) {
    h.push_str("<h2>Calibration</h2>\n<table>\n<tr><th>question</th><th>percentile</th><th>forecasts</th><th>right</th><th>claimed</th><th>± 2 s.e.</th><th class=\"text\">verdict</th></tr>\n");
    for c in &b.backtest.calibration {
        let class = if c.verdict() == "calibrated" {
            "text"
        } else {
            "text low"
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.0}%</td><td>{:.0}%</td><td>{:.0} points</td><td class=\"{class}\">{}</td></tr>",
            escape(&b.question(c.question)),
            name(c.percentile),
            c.forecasts,
            c.observed * 100.0,
            c.claimed * 100.0,
            200.0 * c.standard_error,
            c.verdict()
        );
    }
    h.push_str("</table>\n");
    for e in &b.backtest.errors {
        let unit = e.question.unit();
        let _ = writeln!(
            h,
            "<p>P50 error, {}: {:+.1} {unit} on average (actual − P50), {:.1} {unit} mean absolute, over {} forecasts.</p>",
            escape(&b.question(e.question)),
            e.mean,
            e.mean_absolute,
            e.forecasts
        );
    }
}

/// The table of every forecast and what happened.
fn checks_table(h: &mut String, b: &Labelled) {
    let date = if b.dates.is_some() {
        "<th class=\"text\">date</th>"
    } else {
        ""
    };
    let _ = writeln!(
        h,
        "<h2>Every forecast</h2>\n<table>\n<tr><th>origin</th>{date}<th>history</th><th class=\"text\">question</th><th>median</th><th>actual</th></tr>"
    );
    for c in &b.backtest.checks {
        row(h, b, c);
    }
    h.push_str("</table>\n");
}

fn row(h: &mut String, b: &Labelled, c: &Check) {
    let date = match &b.dates {
        Some(_) => format!("<td class=\"text\">{}</td>", b.date(c.origin)),
        None => String::new(),
    };
    if let Some(w) = &c.when {
        let _ = writeln!(
            h,
            "<tr><td>{}</td>{date}<td>{}</td><td class=\"text\">when</td><td>{}</td><td>{}</td></tr>",
            c.origin,
            c.history,
            w.p50,
            w.actual
                .map_or_else(|| "not done".into(), |a| a.to_string())
        );
    }
    if let Some(m) = &c.how_many {
        let _ = writeln!(
            h,
            "<tr><td>{}</td>{date}<td>{}</td><td class=\"text\">how many</td><td>{}</td><td>{}</td></tr>",
            c.origin,
            c.history,
            num(m.p50),
            num(m.actual)
        );
    }
}
