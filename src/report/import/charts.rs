//! The import's charts: the investment balance (per team, each bucket's share of the work
//! finished in each period, by the import's weight, with the tech share as a line), the
//! throughput run chart and the cycle-time histogram, each team's panel over its own window;
//! and the plan against what happened (per team, the planned and the actual tech share).
//! Built from the shared chart blocks in `report::kit::charts`.

use std::path::Path;

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::model::history::actual::Drift;
use crate::model::history::{BucketKind, History, TeamHistory, percentile, tech_share};
use crate::report::kit::charts::frame::Heading;
use crate::report::kit::charts::stacked::draw_layers;
use crate::report::kit::charts::style::Plot2d;
use crate::report::kit::charts::{
    self, LegendItem, Mesh, PeriodAxis, Plot, StackStyle, Swatch, legend, palette, tick, titled,
};

use super::{Imported, bucket_name, cycle_times};

/// The colour of bucket `b` (the last index: unmatched).
fn colour(h: &History, b: usize) -> RGBColor {
    let Some(bucket) = h.buckets.get(b) else {
        return palette::IDLE;
    };
    let first_of_kind = h.buckets.iter().position(|x| x.kind == bucket.kind) == Some(b);
    match (bucket.kind, first_of_kind) {
        (BucketKind::Product, true) => palette::PRODUCT,
        (BucketKind::Tech, true) => palette::TECH,
        (BucketKind::Ktlo, true) => palette::UNPLANNED,
        _ => palette::series(b + 2),
    }
}

/// The most teams a chart draws a panel for: more would make an image tens of thousands of
/// pixels high (and gigabytes to draw); the tables hold every team.
const MAX_PANELS: usize = 24;

/// The teams drawn: all of them, or the [`MAX_PANELS`] that finished the most items (the
/// first by name among equals), in the history's order.
fn charted(h: &History) -> Vec<&TeamHistory> {
    let with_window = h.teams.iter().filter(|t| t.periods() > 0).count();
    if with_window <= MAX_PANELS {
        return h.teams.iter().filter(|t| t.periods() > 0).collect();
    }
    let done: Vec<u32> = h
        .teams
        .iter()
        .map(|t| t.done_per_bucket().iter().sum())
        .collect();
    let mut order: Vec<usize> = (0..h.teams.len()).collect();
    order.sort_by_key(|&j| std::cmp::Reverse(done[j]));
    order.truncate(MAX_PANELS);
    order.sort_unstable();
    order.into_iter().map(|j| &h.teams[j]).collect()
}

/// Small multiples, one per team: stacked bars per period and lines over them, each panel
/// over the team's own periods.
struct TeamPanels {
    title: String,
    y_label: String,
    legend: Vec<LegendItem>,
    panels: Vec<TeamPanel>,
    y_max: f64,
    percent: bool,
    /// Teams without a panel (beyond [`MAX_PANELS`]).
    left_out: usize,
}

impl charts::Figure for TeamPanels {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let area = titled(root, &self.title)?;
        let area = legend(&area, &self.legend)?;
        let n = self.panels.len().max(1);
        let cols = if n == 1 { 1 } else { 2 };
        let rows = n.div_ceil(cols);
        for (cell, panel) in area.split_evenly((rows, cols)).iter().zip(&self.panels) {
            self.panel(cell, panel)?;
        }
        Ok(())
    }
}

/// One panel: its title, its axis, the stacked layers and the lines over them.
type TeamPanel = (
    String,
    PeriodAxis,
    Vec<(RGBColor, Vec<f64>)>,
    Vec<(RGBColor, Vec<Option<f64>>)>,
);

impl TeamPanels {
    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        panel: &TeamPanel,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (name, axis, layers, lines) = panel;
        let area = Heading::PANEL.draw(area, name)?;
        let periods = axis.periods.max(1);
        let mut ctx = ChartBuilder::on(&area)
            .margin_left(6)
            .margin_right(18)
            .margin_bottom(4)
            .x_label_area_size(48)
            .y_label_area_size(80)
            .build_cartesian_2d(0.5..periods as f64 + 0.5, 0.0..self.y_max)?;
        let (width, _) = area.dim_in_pixel();
        let description = axis.description();
        Mesh {
            x_desc: &description,
            y_desc: &self.y_label,
            x_labels: axis.ticks(width.saturating_sub(80)),
            y_labels: 6,
            x_format: &|x| axis.label(*x),
            y_format: &|y| {
                if self.percent {
                    format!("{:.0}%", y * 100.0)
                } else {
                    tick(*y)
                }
            },
            size: 13,
        }
        .draw(&mut ctx)?;
        let stack = layers.iter().map(|(colour, values)| (values, *colour));
        draw_layers(&mut ctx, stack, axis.periods, StackStyle::Bars)?;
        for (colour, values) in lines {
            broken_line(&mut ctx, values, *colour)?;
        }
        if !layers.is_empty() && layers.iter().all(|(_, v)| v.iter().all(|&x| x == 0.0)) {
            ctx.draw_series(std::iter::once(Text::new(
                "no items finished in these periods",
                (periods as f64 / 2.0 + 0.5, self.y_max / 2.0),
                charts::text(16).pos(Pos::new(HPos::Center, VPos::Center)),
            )))?;
        }
        Ok(())
    }
}

/// A line with a dot at each point; a period without a value breaks it rather than bridging
/// the gap.
fn broken_line<DB: DrawingBackend>(
    ctx: &mut Plot2d<'_, DB>,
    values: &[Option<f64>],
    colour: RGBColor,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let mut run: Vec<(f64, f64)> = Vec::new();
    for (t, v) in values.iter().enumerate().chain([(values.len(), &None)]) {
        match v {
            Some(v) => run.push(((t + 1) as f64, *v)),
            None if !run.is_empty() => {
                ctx.draw_series(LineSeries::new(run.iter().copied(), colour.stroke_width(3)))?;
                ctx.draw_series(run.iter().map(|&p| Circle::new(p, 4, colour.filled())))?;
                run.clear();
            }
            None => {}
        }
    }
    Ok(())
}

/// The axis of a team's own window.
fn axis(h: &History, team: &TeamHistory) -> PeriodAxis {
    PeriodAxis {
        periods: team.periods(),
        dates: Some(
            (0..team.periods())
                .map(|k| h.grid.end(team.period(k)).to_string())
                .collect(),
        ),
        unit: h.grid.length.to_string(),
    }
}

fn size(teams: usize) -> (u32, u32) {
    let rows = teams.max(1).div_ceil(if teams <= 1 { 1 } else { 2 }) as u32;
    (charts::SLIDE.0, (140 + 300 * rows).max(charts::SLIDE.1))
}

/// Buckets in drawing order, bottom first: product, tech, keep-the-lights-on, unmatched.
fn stack_order(h: &History) -> Vec<usize> {
    let mut order: Vec<usize> = (0..h.buckets.len()).collect();
    order.sort_by_key(|&b| (h.buckets[b].kind, b));
    order.push(h.buckets.len());
    order
}

fn bucket_legend(h: &History) -> Vec<LegendItem> {
    stack_order(h)
        .into_iter()
        .map(|b| LegendItem::new(bucket_name(h, b), colour(h, b), Swatch::Fill))
        .collect()
}

impl TeamPanels {
    /// One panel per team of `h`: the buckets stacked, `layer(team, totals, bucket)` high,
    /// under the line `line(team, totals)` (legend `line_label`), on a y axis up to 1, where
    /// `totals` are the team's items finished per period.
    fn of(
        h: &History,
        (title, y_label, line_label): (&str, &str, &str),
        layer: impl Fn(&TeamHistory, &[u32], usize) -> Vec<f64>,
        line: impl Fn(&TeamHistory, &[u32]) -> Vec<Option<f64>>,
    ) -> TeamPanels {
        let mut legend = bucket_legend(h);
        legend.push(LegendItem::new(line_label, palette::INK, Swatch::Band));
        let drawn = charted(h);
        let left_out = h.teams.iter().filter(|t| t.periods() > 0).count() - drawn.len();
        let panels = drawn
            .into_iter()
            .map(|team| {
                let totals = team.total();
                let layers = stack_order(h)
                    .into_iter()
                    .map(|b| (colour(h, b), layer(team, &totals, b)))
                    .collect();
                let line = line(team, &totals);
                (
                    team.team.clone(),
                    axis(h, team),
                    layers,
                    vec![(palette::INK, line)],
                )
            })
            .collect();
        TeamPanels {
            title: title.into(),
            y_label: y_label.into(),
            legend,
            panels,
            y_max: 1.0,
            percent: false,
            left_out,
        }
    }

    /// Saves the panels as `stem`.svg and .png in `folder`, with `caption` for the report.
    fn save(self, folder: &Path, stem: &str, caption: &str) -> Result<Plot> {
        let svg = charts::save(&folder.join(stem), size(self.panels.len()), &self)?;
        let caption = if self.left_out > 0 {
            format!(
                "{caption} The {} teams that finished the most items are drawn; {} more are \
                 in the tables.",
                self.panels.len(),
                self.left_out
            )
        } else {
            caption.to_string()
        };
        Ok(Plot {
            stem: stem.into(),
            title: self.title,
            caption,
            svg,
        })
    }
}

/// The investment balance: per team, each bucket's share of the work finished in each
/// period (by the import's weight), and the tech share of planned work as a line.
pub(super) fn balance_chart(folder: &Path, h: &History) -> Result<Plot> {
    let share = |team: &TeamHistory, _: &[u32], b: usize| {
        let totals = team.total_weight();
        team.weight[b]
            .iter()
            .zip(&totals)
            .map(|(&w, &all)| if all > 0.0 { w / all } else { 0.0 })
            .collect()
    };
    let tech_line = |team: &TeamHistory, _: &[u32]| {
        let product = team.weight_of_kinds(&h.buckets, &[BucketKind::Product]);
        let tech = team.weight_of_kinds(&h.buckets, &[BucketKind::Tech]);
        product
            .iter()
            .zip(&tech)
            .map(|(&p, &t)| tech_share(p, t))
            .collect()
    };
    let unit = h.weighing.by.unit();
    let title = format!("Where capacity went: each bucket's share of the {unit} finished");
    let y_label = format!("share of the {unit} finished");
    let labels = (
        title.as_str(),
        y_label.as_str(),
        "tech share of planned work: tech ÷ (product + tech)",
    );
    let figure = TeamPanels {
        percent: true,
        ..TeamPanels::of(h, labels, share, tech_line)
    };
    figure.save(
        folder,
        "plots/balance",
        &format!(
            "Each bar is one period of one team's own window: the share of the {unit} it \
             finished in each bucket. The line is the tech share of planned work, tech ÷ \
             (product + tech), the number a fixed-share strategy sets; periods without planned \
             work have no point."
        ),
    )
}

/// The throughput run chart: items finished per period by bucket, with each team's median.
pub(super) fn throughput_chart(folder: &Path, h: &History) -> Result<Plot> {
    let items = |team: &TeamHistory, _: &[u32], b: usize| {
        team.done[b].iter().map(|&n| f64::from(n)).collect()
    };
    let median_line = |_: &TeamHistory, totals: &[u32]| {
        let mut sorted: Vec<i64> = totals.iter().map(|&x| i64::from(x)).collect();
        sorted.sort_unstable();
        let median = percentile(&sorted, 0.5).map(|m| m as f64);
        vec![median; sorted.len()]
    };
    let busiest = h
        .teams
        .iter()
        .flat_map(|team| team.total())
        .fold(1.0f64, |top, n| top.max(f64::from(n)));
    let labels = (
        "Throughput: items finished per period",
        "items finished",
        "median items per period",
    );
    let figure = TeamPanels {
        y_max: busiest * 1.1,
        ..TeamPanels::of(h, labels, items, median_line)
    };
    figure.save(
        folder,
        "plots/throughput",
        "Items each team finished in each period of its own window, stacked by bucket, with \
         the median period as a line: the history a forecast bootstraps. Runs of periods far \
         from the median are changes a forecast from the whole history will miss.",
    )
}

/// The cycle-time histogram with its percentiles.
struct CycleHistogram {
    title: String,
    /// (bucket colour, sorted days) per bucket.
    layers: Vec<(String, RGBColor, Vec<i64>)>,
    all: Vec<i64>,
}

/// The histogram's bins: `count` bins of `width` days, the last holding everything beyond
/// the 99th percentile.
struct Bins {
    width: i64,
    count: usize,
}

impl Bins {
    /// At most about 60 bins up to the 99th percentile of the sorted `days`.
    fn of(days: &[i64]) -> Bins {
        let top = percentile(days, 0.99).unwrap_or(1).max(1);
        let width = (top as f64 / 60.0).ceil().max(1.0) as i64;
        Bins {
            width,
            count: ((top + width - 1) / width) as usize,
        }
    }

    /// The bin of a cycle time of `d` days.
    fn of_days(&self, d: i64) -> usize {
        (((d - 1).max(0) / self.width) as usize).min(self.count - 1)
    }

    /// Where bin `i` starts on the x axis.
    fn left(&self, i: usize) -> f64 {
        (i as i64 * self.width) as f64 + 0.5
    }
}

impl charts::Figure for CycleHistogram {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let area = titled(root, &self.title)?;
        let mut items: Vec<LegendItem> = self
            .layers
            .iter()
            .map(|(n, c, _)| LegendItem::new(n, *c, Swatch::Fill))
            .collect();
        items.push(LegendItem::new(
            "P50 / P85 / P95",
            palette::INK,
            Swatch::Tick,
        ));
        let area = legend(&area, &items)?;
        let bins = Bins::of(&self.all);
        let mut counts = vec![vec![0u32; bins.count]; self.layers.len()];
        for (k, (_, _, v)) in self.layers.iter().enumerate() {
            for &d in v {
                counts[k][bins.of_days(d)] += 1;
            }
        }
        let peak = (0..bins.count)
            .map(|i| counts.iter().map(|c| c[i]).sum::<u32>())
            .max()
            .unwrap_or(1)
            .max(1);
        let mut ctx = ChartBuilder::on(&area)
            .margin_left(16)
            .margin_right(40)
            .margin_bottom(8)
            .x_label_area_size(56)
            .y_label_area_size(90)
            .build_cartesian_2d(0.5..bins.left(bins.count), 0.0..f64::from(peak) * 1.25)?;
        let x_desc = if bins.width > 1 {
            let width = bins.width;
            format!("cycle time (days; bins of {width} days; the last holds everything beyond P99)")
        } else {
            "cycle time (days; the last bar holds everything beyond P99)".into()
        };
        Mesh {
            x_desc: &x_desc,
            y_desc: "items",
            x_labels: 12,
            y_labels: 8,
            x_format: &|x| tick(*x),
            y_format: &|y| tick(*y),
            size: 15,
        }
        .draw(&mut ctx)?;
        let colours = self.layers.iter().map(|(_, colour, _)| *colour);
        draw_bins(&mut ctx, &bins, counts.iter().zip(colours))?;
        self.draw_percentiles(&mut ctx, &bins, f64::from(peak))
    }
}

/// Each layer's counts per bin, stacked bottom first.
fn draw_bins<'c, DB: DrawingBackend>(
    ctx: &mut Plot2d<'_, DB>,
    bins: &Bins,
    layers: impl Iterator<Item = (&'c Vec<u32>, RGBColor)>,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let mut base = vec![0u32; bins.count];
    for (counts, colour) in layers {
        ctx.draw_series((0..bins.count).filter(|&i| counts[i] > 0).map(|i| {
            let x0 = bins.left(i);
            let (b, v) = (f64::from(base[i]), f64::from(counts[i]));
            Rectangle::new(
                [(x0 + 0.1, b), (x0 + bins.width as f64 - 0.1, b + v)],
                colour.filled(),
            )
        }))?;
        for (b, n) in base.iter_mut().zip(counts) {
            *b += n;
        }
    }
    Ok(())
}

impl CycleHistogram {
    /// A labelled line at the 50th, 85th and 95th percentiles, staggered below `peak`.
    fn draw_percentiles<DB: DrawingBackend>(
        &self,
        ctx: &mut Plot2d<'_, DB>,
        bins: &Bins,
        peak: f64,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        for (k, q) in [0.5, 0.85, 0.95].into_iter().enumerate() {
            if let Some(d) = percentile(&self.all, q) {
                let x = bins.left(bins.of_days(d)) + bins.width as f64 / 2.0;
                let y = peak * (1.2 - 0.08 * k as f64);
                ctx.draw_series(std::iter::once(PathElement::new(
                    vec![(x, 0.0), (x, y)],
                    palette::INK.stroke_width(2),
                )))?;
                ctx.draw_series(std::iter::once(Text::new(
                    format!(" P{:.0} {d} d", q * 100.0),
                    (x, y),
                    charts::text(15).pos(Pos::new(HPos::Left, VPos::Center)),
                )))?;
            }
        }
        Ok(())
    }
}

pub(super) fn cycle_chart(folder: &Path, imported: &Imported) -> Result<Option<Plot>> {
    let h = imported.history;
    let all = cycle_times(imported, None, None);
    if all.is_empty() {
        return Ok(None);
    }
    let layers = stack_order(h)
        .into_iter()
        .map(|b| {
            let key = (b < h.buckets.len()).then_some(b);
            (
                bucket_name(h, b).to_string(),
                colour(h, b),
                cycle_times(imported, None, Some(key)),
            )
        })
        .filter(|(_, _, v)| !v.is_empty())
        .collect();
    let figure = CycleHistogram {
        title: format!(
            "Cycle time of the {} items finished in the history",
            all.len()
        ),
        layers,
        all,
    };
    let svg = charts::save(&folder.join("plots/cycle_times"), charts::SLIDE, &figure)?;
    Ok(Some(Plot {
        stem: "plots/cycle_times".into(),
        title: figure.title,
        caption: "Calendar days from start (or, without a start date, creation) to done, both \
                  days counted, stacked by bucket; the lines mark the 50th, 85th and 95th \
                  percentiles: 85% of items took at most the P85."
            .into(),
        svg,
    }))
}

/// The plan against what happened: per team, the planned tech share and the one done in
/// each planned period, as two lines (a period without planned work done has no point).
pub(super) fn drift_chart(folder: &Path, rows: &[Drift]) -> Result<Option<Plot>> {
    let mut teams: Vec<&str> = rows.iter().map(|d| d.planned.team.as_str()).collect();
    teams.dedup();
    teams.sort_unstable();
    teams.dedup();
    if rows.iter().all(|d| d.actual().is_none()) {
        return Ok(None);
    }
    let left_out = teams.len().saturating_sub(MAX_PANELS);
    let panels: Vec<TeamPanel> = teams
        .iter()
        .take(MAX_PANELS)
        .map(|team| {
            let mine: Vec<&Drift> = rows.iter().filter(|d| d.planned.team == *team).collect();
            let axis = PeriodAxis {
                periods: mine.len(),
                dates: Some(mine.iter().map(|d| d.planned.end.to_string()).collect()),
                unit: "plan period".into(),
            };
            let planned = mine.iter().map(|d| d.planned.share).collect();
            let actual = mine.iter().map(|d| d.actual()).collect();
            (
                team.to_string(),
                axis,
                Vec::new(),
                vec![(palette::DRAG, planned), (palette::TECH, actual)],
            )
        })
        .collect();
    let figure = TeamPanels {
        title: "Plan against actual: the tech share planned and the one done".into(),
        y_label: "tech share of planned work".into(),
        legend: vec![
            LegendItem::new("planned", palette::DRAG, Swatch::Band),
            LegendItem::new("done: tech ÷ (product + tech)", palette::TECH, Swatch::Band),
        ],
        panels,
        y_max: 1.0,
        percent: true,
        left_out,
    };
    figure
        .save(
            folder,
            "plots/plan_vs_actual",
            "Per team and planned period, the tech share the plan set (grey) and the share of \
             the product and tech work finished in the period's days that went to tech \
             (orange). Where the orange line runs under the grey one, tech work lost out to \
             product work against the plan.",
        )
        .map(Some)
}
