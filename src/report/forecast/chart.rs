//! The charts of `fulcrum forecast`, in the house style at slide size with dates on x when a
//! start is known: `plots/forecast` (when will it be done: the chance of finishing in each
//! period with the percentiles marked, over the chance of being done by each period) and
//! `plots/how_many` (per period, at least how many items are done with each percentile's
//! chance).

use std::path::Path;

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::report::kit::charts::axis::PeriodAxis;
use crate::report::kit::charts::frame::{LegendItem, Swatch, frame, titled};
use crate::report::kit::charts::style::{
    Mesh, Plot2d, Stroke, bold, line, pace_change, palette, plot_on, text, tick,
};
use crate::report::kit::charts::{Figure, Plot, SLIDE};
use crate::simulate::forecast::{Forecast, ForecastResults};
use crate::words::dates;
use crate::words::numbers::num;

/// The periods shown: from the first with a finish to the last (or the horizon), padded by
/// half a period, and the axis over them.
fn window(forecast: &Forecast, results: &ForecastResults) -> ((f64, f64), PeriodAxis) {
    let hist = &results.finish;
    let finished = |t: &usize| hist.count(*t) > 0;
    let first = (1..=hist.periods()).find(finished).unwrap_or(1);
    let last = (1..=hist.periods()).rev().find(finished).unwrap_or(1);
    let last = last.max(forecast.horizon.unwrap_or(0).min(hist.periods()));
    let first = first.min(forecast.horizon.unwrap_or(first).max(1));
    let axis = PeriodAxis::over(&forecast.scenario, last);
    ((first as f64 - 0.5, last as f64 + 0.5), axis)
}

fn mesh<'a>(
    axis: &'a PeriodAxis,
    description: &'a str,
    y_desc: &'a str,
    format: &'a dyn Fn(&f64) -> String,
    y_format: &'a dyn Fn(&f64) -> String,
) -> Mesh<'a> {
    Mesh {
        x_desc: description,
        y_desc,
        x_labels: axis.ticks(1100).min(12),
        y_labels: 6,
        x_format: format,
        y_format,
        size: 15,
    }
}

/// When it will be done: bars, percentiles, and the cumulative curve below.
struct When<'a> {
    forecast: &'a Forecast,
    results: &'a ForecastResults,
}

impl When<'_> {
    fn bars<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let ((lo, hi), axis) = window(self.forecast, self.results);
        let periods = (lo.ceil() as usize)..=(hi.floor() as usize);
        let r = self.results;
        let share = |t: usize| r.p_done_by(t) - r.p_done_by(t.saturating_sub(1));
        let peak = periods.clone().map(share).fold(0.0, f64::max).max(1e-9);
        let mut ctx = plot_on(area, (lo, hi), (0.0, peak * 1.3), (44, 90))?;
        let percent = |y: &f64| format!("{:.0}%", y * 100.0);
        mesh(
            &axis,
            "",
            "P(done in period)",
            &|x| axis.label(*x),
            &percent,
        )
        .draw(&mut ctx)?;
        ctx.draw_series(periods.map(|t| {
            let x = t as f64;
            Rectangle::new(
                [(x - 0.42, 0.0), (x + 0.42, share(t))],
                palette::PRODUCT.filled(),
            )
        }))?;
        self.percentiles(&mut ctx, peak)
    }

    fn percentiles<DB: DrawingBackend>(&self, ctx: &mut Plot2d<'_, DB>, peak: f64) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let names = super::percentiles(self.forecast);
        for (k, (name, q)) in names.into_iter().enumerate() {
            let Some(t) = self.results.percentile(q) else {
                continue;
            };
            let x = t as f64;
            // Staggered so neighbouring percentiles' labels do not overlap.
            let y = peak * (1.25 - 0.08 * k as f64);
            ctx.draw_series([PathElement::new(
                vec![(x, 0.0), (x, y)],
                palette::INK.stroke_width(1),
            )])?;
            ctx.draw_series([Text::new(
                format!(" {name}: {}", dates::period(&self.forecast.scenario, t)),
                (x, y),
                text(14).pos(Pos::new(HPos::Left, VPos::Center)),
            )])?;
        }
        Ok(())
    }

    fn curve<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let ((lo, hi), axis) = window(self.forecast, self.results);
        let mut ctx = plot_on(area, (lo, hi), (0.0, 1.0), (56, 90))?;
        let description = axis.description();
        let percent = |y: &f64| format!("{:.0}%", y * 100.0);
        mesh(
            &axis,
            &description,
            "P(done by period)",
            &|x| axis.label(*x),
            &percent,
        )
        .draw(&mut ctx)?;
        let first = lo.ceil() as usize;
        let points: Vec<(f64, f64)> = (first.saturating_sub(1)..=hi.floor() as usize)
            .map(|t| (t as f64, self.results.p_done_by(t)))
            .collect();
        line(
            &mut ctx,
            &points,
            palette::UNPLANNED,
            2,
            Stroke::of(0),
            (0, 0),
        )?;
        if let Some((h, p, _)) = &self.results.at_horizon {
            let x = *h as f64;
            ctx.draw_series([PathElement::new(
                vec![(x, 0.0), (x, 1.0)],
                palette::INK.stroke_width(1),
            )])?;
            ctx.draw_series([Text::new(
                format!(" horizon {h}: {:.1}% done", p * 100.0),
                (x, 0.1),
                bold(14).pos(Pos::new(HPos::Left, VPos::Center)),
            )])?;
        }
        Ok(())
    }
}

impl Figure for When<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let title = format!(
            "When will it be done? {} trials, periods of {}",
            tick(self.results.trials as f64),
            self.forecast.scenario.period_length
        );
        let area = titled(root, &title)?;
        let (_, h) = area.dim_in_pixel();
        let (top, bottom) = area.split_vertically(h * 9 / 20);
        self.bars(&top)?;
        self.curve(&bottom)
    }
}

/// How many by when: per period, at least how many items with each percentile's chance.
struct HowMany<'a> {
    forecast: &'a Forecast,
    results: &'a ForecastResults,
}

impl HowMany<'_> {
    fn legend(&self) -> Vec<LegendItem> {
        let forecast = self.forecast;
        forecast
            .percentiles
            .iter()
            .enumerate()
            .map(|(k, q)| {
                let label = match &self.results.at_horizon {
                    Some((h, _, items)) => format!(
                        "{}% chance: at least {} by period {}",
                        num(q * 100.0),
                        items.at_least.get(k).map_or_else(String::new, |n| num(*n)),
                        dates::period(&forecast.scenario, *h)
                    ),
                    None => format!("{}% chance", num(q * 100.0)),
                };
                LegendItem::new(label, palette::series(k), Swatch::Line(Stroke::of(k)))
            })
            .collect()
    }
}

impl Figure for HowMany<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let area = frame(
            root,
            "How many by when: at least this many items done",
            &self.legend(),
        )?;
        let ((lo, hi), axis) = window(self.forecast, self.results);
        let rows: Vec<_> = self
            .results
            .rows
            .iter()
            .filter(|r| (r.period as f64) >= lo && (r.period as f64) <= hi)
            .collect();
        let values = || rows.iter().flat_map(|r| r.items.at_least.iter().copied());
        let top = values().filter(|x| x.is_finite()).fold(1.0, f64::max);
        let bottom = (values().filter(|x| x.is_finite()).fold(top, f64::min) * 0.9).floor();
        let mut ctx = plot_on(&area, (lo, hi), (bottom.max(0.0), top * 1.04), (56, 90))?;
        let description = axis.description();
        let whole = |y: &f64| tick(y.round());
        mesh(
            &axis,
            &description,
            "items done",
            &|x| axis.label(*x),
            &whole,
        )
        .draw(&mut ctx)?;
        for k in 0..self.forecast.percentiles.len() {
            let points: Vec<(f64, f64)> = rows
                .iter()
                .filter_map(|r| r.items.at_least.get(k).map(|&n| (r.period as f64, n)))
                .collect();
            line(
                &mut ctx,
                &points,
                palette::series(k),
                3,
                Stroke::of(k),
                (k, 4),
            )?;
        }
        if let Some((h, _, _)) = &self.results.at_horizon {
            let x = *h as f64;
            ctx.draw_series([PathElement::new(
                vec![(x, bottom.max(0.0)), (x, top * 1.04)],
                palette::INK.stroke_width(1),
            )])?;
        }
        Ok(())
    }
}

/// The history: items finished per period, the periods resampled shaded, their mean dashed
/// and the last change of pace marked.
struct History<'a> {
    forecast: &'a Forecast,
}

impl Figure for History<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let tp = &self.forecast.throughput;
        let n = tp.history.len();
        let area = titled(
            root,
            &format!(
                "The history: {} periods, the last {} resampled ({})",
                n,
                tp.sampled().len(),
                tp.method
            ),
        )?;
        let items = [
            LegendItem::new("resampled", palette::PRODUCT, Swatch::Fill),
            LegendItem::new("not resampled", palette::IDLE, Swatch::Fill),
            LegendItem::new(
                "mean of the resampled periods",
                palette::UNPLANNED,
                Swatch::Line(Stroke::of(1)),
            ),
        ];
        let area = crate::report::kit::charts::frame::legend(&area, &items)?;
        let top = tp.history.iter().copied().fold(1.0, f64::max) * 1.15;
        let mut ctx = plot_on(&area, (0.5, n as f64 + 0.5), (0.0, top), (56, 80))?;
        let label = |x: &f64| {
            let t = x.round();
            if (x - t).abs() > 1e-6 || t < 1.0 {
                String::new()
            } else {
                format!("{t:.0}")
            }
        };
        Mesh {
            x_desc: "period of the history",
            y_desc: "items finished",
            x_labels: 12,
            y_labels: 6,
            x_format: &label,
            y_format: &|y| tick(*y),
            size: 15,
        }
        .draw(&mut ctx)?;
        ctx.draw_series(tp.history.iter().enumerate().map(|(i, &v)| {
            let x = (i + 1) as f64;
            let colour = if tp.window.contains(&i) {
                palette::PRODUCT
            } else {
                palette::IDLE
            };
            Rectangle::new([(x - 0.42, 0.0), (x + 0.42, v)], colour.filled())
        }))?;
        let from = tp.window.start as f64 + 0.5;
        line(
            &mut ctx,
            &[(from, tp.mean()), (n as f64 + 0.5, tp.mean())],
            palette::UNPLANNED,
            2,
            Stroke::of(1),
            (0, 0),
        )?;
        if let Some(shift) = &tp.shift {
            pace_change(&mut ctx, shift, (0.5, n as f64 + 0.5), top)?;
        }
        Ok(())
    }
}

/// Writes `plots/forecast`, `plots/how_many` and `plots/history` into `folder`.
pub fn write(folder: &Path, forecast: &Forecast, results: &ForecastResults) -> Result<Vec<Plot>> {
    let when = || {
        Plot::draw(
            folder,
            "plots/forecast",
            "When will it be done?",
            "Top: the chance of finishing in each period, with the percentiles marked. Bottom: \
             the chance of being done by the end of each period."
                .into(),
            SLIDE,
            &When { forecast, results },
        )
    };
    let how_many = || {
        Plot::draw(
            folder,
            "plots/how_many",
            "How many by when",
            "Per period, at least how many items are done with each percentile's chance (the \
             legend gives the numbers at the horizon)."
                .into(),
            SLIDE,
            &HowMany { forecast, results },
        )
    };
    let history = || {
        Plot::draw(
            folder,
            "plots/history",
            "The history it is drawn from",
            "Items finished per period; the periods the forecast resamples in colour, their mean \
             dashed, and the last lasting change of pace marked."
                .into(),
            SLIDE,
            &History { forecast },
        )
    };
    // Drawn side by side on the ambient pool; the list keeps this order.
    let (when, (how_many, history)) = rayon::join(when, || rayon::join(how_many, history));
    Ok(vec![when?, how_many?, history?])
}
