//! `report.html`: one self-contained page per run (inline SVG and CSS, nothing fetched from
//! anywhere) with the scenario's question, the headline tables and every chart.
//!
//! Only deterministic inputs go in: the run's timings and thread count stay in `run.json`, so
//! the same scenario, seed and trials give the same bytes.

use std::fmt::Write;

use crate::model::{Measure, Owner, Scenario};
use crate::pipeline::StrategyPlan;
use crate::simulate::{Results, SummaryMetric};

use super::RunInfo;
use crate::report::kit::charts::Plot;
use crate::report::kit::page::{escape, figure, page_start};
use crate::words::dates;

use super::summary::AT_RISK;

fn pct(p: f64) -> String {
    if p.is_nan() {
        "–".into()
    } else {
        format!("{:.0}%", p * 100.0)
    }
}

fn signed(x: f64, digits: usize) -> String {
    format!("{x:+.digits$}")
}

/// The whole page.
pub fn render(
    scenario: &Scenario,
    results: &Results,
    allocations: &[StrategyPlan],
    plots: &[Plot],
    info: &RunInfo,
) -> String {
    let mut h = String::new();
    let title = escape(&scenario.name);
    page_start(&mut h, &format!("{title} — fulcrum report"));
    let _ = writeln!(h, "<h1>{title}</h1>");
    let question = scenario.question.as_deref().unwrap_or(&scenario.name);
    let _ = writeln!(h, "<p class=\"question\">{}</p>", escape(question));
    let _ = writeln!(
        h,
        "<p class=\"muted\">{} trials, seed {}, {} periods of {}{}; blend {:.0}% product, {:.0}% technology.</p>",
        info.trials,
        info.seed,
        scenario.periods,
        scenario.period_length,
        match (scenario.start, scenario.period_end_date(scenario.periods)) {
            (Some(a), Some(b)) => format!(" ({a} to {b})"),
            _ => String::new(),
        },
        scenario.blend * 100.0,
        (1.0 - scenario.blend) * 100.0
    );

    answer(&mut h, scenario, results, allocations);
    headline(&mut h, scenario, results);

    let _ = writeln!(h, "<h2>Charts</h2>");
    for plot in plots {
        figure(&mut h, plot);
    }

    key_results(&mut h, scenario, results);
    at_risk(&mut h, scenario, results);
    if !allocations.is_empty() {
        marginal_values(&mut h, scenario, results, allocations);
    }
    if results.strategies.len() > 1 {
        comparison(&mut h, results);
    }
    settings(&mut h, info);
    h.push_str("</body>\n</html>\n");
    h
}

/// The summary: the answer in plain sentences, before any table.
fn answer(h: &mut String, scenario: &Scenario, results: &Results, allocations: &[StrategyPlan]) {
    let _ = writeln!(h, "<h2>Summary</h2>\n<div class=\"answer\">");
    if let Some(split) = super::summary::split(scenario, results, allocations) {
        // Three teams' clauses or more read better as a list than as one paragraph.
        if split.clauses.len() > 2 {
            let _ = writeln!(
                h,
                "<p>Recommended split ({}):</p>\n<ul>",
                escape(&split.strategy)
            );
            for clause in &split.clauses {
                let _ = writeln!(h, "<li>{}</li>", escape(clause));
            }
            h.push_str("</ul>\n");
        } else {
            let _ = writeln!(h, "<p>{}</p>", escape(&split.sentence()));
        }
        let _ = writeln!(h, "<p>{}</p>", escape(&split.buys));
    }
    for sentence in super::summary::after_split(scenario, results, allocations) {
        let _ = writeln!(h, "<p>{}</p>", escape(&sentence));
    }
    h.push_str("</div>\n");
    split_table(h, scenario, results, allocations);
}

/// The recommended (best) strategy's split as a compact table: one row per team and phase.
fn split_table(
    h: &mut String,
    scenario: &Scenario,
    results: &Results,
    allocations: &[StrategyPlan],
) {
    let best = super::summary::best(results);
    let Some(policy) = crate::pipeline::policy_of(scenario, allocations, best) else {
        return;
    };
    let Some(teams) = policy.phases(scenario) else {
        return;
    };
    let _ = writeln!(
        h,
        "<h3>Recommended split: {}</h3>",
        escape(&results.strategies[best])
    );
    table_start(
        h,
        "<th>team</th><th>periods</th><th>until</th><th>tech share</th>",
    );
    let end = |t: usize| {
        scenario
            .period_end_date(t)
            .map_or("–".into(), |d| d.to_string())
    };
    // A ramp (short steps one way, as the sentence above says it) is one row.
    let share = crate::words::numbers::share;
    for (team, phases) in scenario.teams.iter().zip(&teams) {
        for segment in crate::words::policy::segments(phases, scenario.periods) {
            let (Some(from), Some(to)) = (segment.first(), segment.last()) else {
                continue;
            };
            let tech = if segment.len() == 1 {
                share(from.tech_share)
            } else {
                format!("{} → {}", share(from.tech_share), share(to.tech_share))
            };
            let _ = writeln!(
                h,
                "<tr><td class=\"text\">{}</td><td>{}–{}</td><td>{}</td><td>{tech}</td></tr>",
                escape(&team.name),
                from.first,
                to.last,
                end(to.last),
            );
        }
    }
    table_end(h);
}

/// Opens a table inside a wrapper that scrolls sideways on narrow screens; `header` is the
/// header row's cells.
fn table_start(h: &mut String, header: &str) {
    let _ = writeln!(h, "<div class=\"scroll\"><table>\n<tr>{header}</tr>");
}

fn table_end(h: &mut String) {
    h.push_str("</table></div>\n");
}

/// The headline table: the same content as the terminal's run table.
fn headline(h: &mut String, scenario: &Scenario, results: &Results) {
    use SummaryMetric as M;
    let _ = writeln!(h, "<h2>Strategies</h2>");
    table_start(
        h,
        "<th>strategy</th><th>blended score</th><th>P10–P90</th>\
         <th>vs first (95% CI)</th><th>P(all product KRs)</th><th>final debt P50 / P90</th>\
         <th>incident days</th>",
    );
    let has_product = scenario.has_key_results(Owner::Product);
    for (s, name) in results.strategies.iter().enumerate() {
        let score = results.summary(s, M::BlendedScore);
        let debt = results.summary(s, M::FinalDebt);
        let versus = if s == 0 {
            "baseline".to_string()
        } else {
            let d = results.paired(s, M::BlendedScore);
            format!("{} ± {:.3}", signed(d.mean, 3), (d.ci95.1 - d.ci95.0) / 2.0)
        };
        let product = if has_product {
            pct(results.summary(s, M::AllProductKrsMet).mean)
        } else {
            "–".into()
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{:.3}</td><td>{:.2}–{:.2}</td><td>{}</td><td>{}</td>\
             <td>{:.0} / {:.0}</td><td>{:.0}</td></tr>",
            escape(name),
            score.mean,
            score.at(0.10),
            score.at(0.90),
            escape(&versus),
            product,
            debt.at(0.50),
            debt.at(0.90),
            results.summary(s, M::IncidentDays).mean
        );
    }
    table_end(h);
}

fn strategy_headers(results: &Results) -> String {
    results
        .strategies
        .iter()
        .map(|name| format!("<th>{}</th>", escape(name)))
        .collect()
}

/// Probability of meeting each key result, per strategy.
fn key_results(h: &mut String, scenario: &Scenario, results: &Results) {
    let _ = writeln!(h, "<h2>Key results: probability met at the deadline</h2>");
    if scenario.key_results.is_empty() {
        let _ = writeln!(h, "<p>The scenario has no key results.</p>");
        return;
    }
    table_start(
        h,
        &format!(
            "<th>key result</th><th class=\"text\">owner</th><th class=\"text\">goal</th>\
             <th>deadline</th>{}",
            strategy_headers(results)
        ),
    );
    for (k, kr) in scenario.key_results.iter().enumerate() {
        let goal = match &kr.measure {
            Measure::Delivery { target } => format!("value ≥ {target}"),
            Measure::Metric { metric, goal, team } => {
                let side = match goal {
                    crate::model::Goal::Below(x) => format!("≤ {x}"),
                    crate::model::Goal::Above(x) => format!("≥ {x}"),
                };
                let scope =
                    team.map_or(String::new(), |j| format!(" ({})", scenario.teams[j].name));
                format!("{}{scope} {side}", metric.as_str())
            }
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td><td>{}</td>",
            escape(&kr.id),
            kr.owner.as_str(),
            escape(&goal),
            dates::period(scenario, kr.deadline)
        );
        for s in 0..results.strategies.len() {
            let st = results.key_result(s, k);
            let _ = write!(
                h,
                "<td title=\"mean attainment {:.2}\">{}</td>",
                st.attainment.mean,
                pct(st.p_met)
            );
        }
        h.push_str("</tr>\n");
    }
    table_end(h);
}

/// Initiatives whose deadline is likely missed under at least one strategy.
fn at_risk(h: &mut String, scenario: &Scenario, results: &Results) {
    let _ = writeln!(
        h,
        "<h2>Initiatives at risk</h2>\n<p>Initiatives with less than a {} chance of finishing by \
         their deadline under at least one strategy.</p>",
        pct(AT_RISK)
    );
    let mut rows: Vec<(usize, Vec<f64>)> = scenario
        .initiatives
        .iter()
        .enumerate()
        .filter_map(|(i, initiative)| {
            initiative.deadline?;
            let p: Vec<f64> = (0..results.strategies.len())
                .map(|s| {
                    results
                        .initiative(s, i, initiative.deadline)
                        .p_by_deadline
                        .unwrap_or(f64::NAN)
                })
                .collect();
            p.iter().any(|&x| x < AT_RISK).then_some((i, p))
        })
        .collect();
    if rows.is_empty() {
        let _ = writeln!(h, "<p>None.</p>");
        return;
    }
    rows.sort_by(|a, b| {
        let worst = |p: &[f64]| p.iter().copied().fold(f64::INFINITY, f64::min);
        worst(&a.1).total_cmp(&worst(&b.1)).then(a.0.cmp(&b.0))
    });
    table_start(
        h,
        &format!(
            "<th>initiative</th><th class=\"text\">team</th><th class=\"text\">kind</th>\
             <th>deadline</th>{}",
            strategy_headers(results)
        ),
    );
    for (i, p) in rows {
        let initiative = &scenario.initiatives[i];
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td><td>{}</td>",
            escape(&initiative.id),
            escape(&scenario.teams[initiative.team].name),
            initiative.kind.as_str(),
            initiative
                .deadline
                .map_or(String::new(), |d| dates::period(scenario, d))
        );
        for x in p {
            let class = if x < AT_RISK { " class=\"low\"" } else { "" };
            let _ = write!(h, "<td{class}>{}</td>", pct(x));
        }
        h.push_str("</tr>\n");
    }
    table_end(h);
}

/// Each optimised strategy: the policy found, its promise as simulated, and what would help
/// most (each priced change, re-optimised, with its 95% interval).
fn marginal_values(
    h: &mut String,
    scenario: &Scenario,
    results: &Results,
    allocations: &[StrategyPlan],
) {
    let _ = writeln!(
        h,
        "<h2>What would help most</h2>\n<p>For each optimised strategy: the policy the \
         simulation found best, and how much each change would add to its expected blended \
         score (the policy searched again for the change, both judged on the same sampled \
         worlds; ± is the 95% interval).</p>"
    );
    for plan in allocations {
        let _ = writeln!(h, "<h3>{}</h3>", escape(plan.of.name(scenario)));
        let _ = writeln!(h, "<p>Policy: {}.", escape(&super::plan::rule(plan)));
        if let Some((simulated, s)) = plan.simulated(Some(results)) {
            let _ = write!(h, " {}.", escape(&super::plan::promise(plan, simulated, s)));
        }
        h.push_str("</p>\n");
        if plan.prices.is_empty() {
            continue;
        }
        table_start(
            h,
            "<th>change</th><th>blended score</th><th>what it does (95% intervals)</th>\
             <th>re-optimised policy</th>",
        );
        for price in &plan.prices {
            let effects = price
                .effects
                .as_ref()
                .and_then(|e| super::plan::effects_line(scenario, e))
                .unwrap_or_default();
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&super::plan::describe(scenario, plan, &price.change)),
                escape(&super::plan::value(price)),
                escape(&effects),
                escape(&price.policy)
            );
        }
        table_end(h);
    }
}

/// Paired differences from the first strategy, with how often each strategy came out higher,
/// the same or lower trial by trial (ties on their own: scores that saturate tie often).
fn comparison(h: &mut String, results: &Results) {
    use SummaryMetric as M;
    let first = escape(&results.strategies[0]);
    let shares = "and in how many trials it came out higher, the same or lower";
    let _ = writeln!(
        h,
        "<h2>Comparison with {first}</h2>\n<p>Each strategy minus {first}, paired trial by trial \
         on the same sampled worlds (common random numbers): mean difference, its 95% confidence \
         interval, {shares}.</p>"
    );
    let last = "<th>higher</th><th>same</th><th>lower</th>";
    table_start(
        h,
        &format!(
            "<th>strategy</th><th class=\"text\">metric</th><th>mean difference</th>\
             <th>95% CI</th>{last}"
        ),
    );
    let metrics = [
        (M::BlendedScore, 3),
        (M::ProductScore, 3),
        (M::TechnologyScore, 3),
        (M::FinalDebt, 0),
        (M::IncidentDays, 0),
        (M::InitiativesDone, 2),
    ];
    for (s, name) in results.strategies.iter().enumerate().skip(1) {
        for (metric, digits) in metrics {
            let d = results.paired(s, metric);
            if d.mean.is_nan() {
                // A side without key results has no score to compare (said in the summary).
                continue;
            }
            let tail = match super::summary::outcomes(results, s, 0, metric) {
                Some(o) => format!(
                    "<td>{}</td><td>{}</td><td>{}</td>",
                    pct(o.higher),
                    pct(o.equal),
                    pct(o.lower)
                ),
                None => "<td></td><td></td><td></td>".to_string(),
            };
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"text\">{}</td><td>{}</td><td>{} … {}</td>{tail}</tr>",
                escape(name),
                metric.name(),
                signed(d.mean, digits),
                signed(d.ci95.0, digits),
                signed(d.ci95.1, digits),
            );
        }
    }
    table_end(h);
}

fn settings(h: &mut String, info: &RunInfo) {
    let _ = writeln!(h, "<h2>Settings</h2>");
    table_start(h, "<th>setting</th><th class=\"text\">value</th>");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(
            h,
            "<tr><td>{k}</td><td class=\"text\">{}</td></tr>",
            escape(&v)
        );
    };
    row("fulcrum version", info.fulcrum_version.clone());
    row("scenario", info.scenario.clone());
    row("scenario file", info.scenario_file.clone());
    row("scenario hash", info.scenario_hash.clone());
    row(
        "overrides",
        if info.overrides.is_empty() {
            "none".into()
        } else {
            info.overrides.join(" ")
        },
    );
    row("seed", info.seed.to_string());
    row("trials", info.trials.to_string());
    row("periods", info.periods.to_string());
    row("strategies", info.strategies.join(", "));
    table_end(h);
    h.push_str("<p class=\"muted\">Timings and thread count are in run.json.</p>\n");
}
