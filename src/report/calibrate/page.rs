//! The calibration's self-contained `report.html`, on the shared page kit: per team, the
//! answer in sentences (share of capacity lost to debt now and in a year, the predictive
//! check's verdict, what the history cannot tell apart), prior against posterior per
//! parameter, the charts, the predictive check per summary, and where the priors come from.

use std::fmt::Write;

use crate::report::kit::charts::Plot;
use crate::report::kit::page::{escape, figure, page_start};
use crate::whatif::calibrate::Calibration;
use crate::whatif::calibrate::check::FLAG_P;
use crate::words::numbers::percent;

use super::summary::{confounded_sentence, drag_sentence, range, short};
use super::{CalibrationInfo, LITTLE_LEARNED};

/// What the page adds to the shared style: long words wrap, flagged cells are red.
const STYLE: &str = "<style>p, li, td.text { overflow-wrap: break-word; }\n\
     td.flag { color: #b00; font-weight: 600; }\n\
     td:not(.text) { white-space: nowrap; }\n\
     @media (max-width: 520px) { table { font-size: 0.82em; } \
     th, td { padding: 0.25em 0.35em; } }</style>\n</head>";

/// The page: every team's calibration, its charts (`plots[k]` are team k's), then the sources.
pub(super) fn page(info: &CalibrationInfo, fits: &[Calibration], plots: &[Vec<Plot>]) -> String {
    let mut p = String::new();
    page_start(
        &mut p,
        "The model fitted to the team's history — fulcrum calibrate",
    );
    let mut p = p.replacen("</head>", STYLE, 1);
    let _ = writeln!(p, "<h1>The model fitted to the team's history</h1>");
    let names: Vec<&str> = fits.iter().map(|f| f.team.as_str()).collect();
    let _ = writeln!(
        p,
        "<p class=\"question\">Debt, drag and incidents of {} fitted to {}, periods of {}, \
         work weighed by {}.</p>",
        escape(&names.join(", ")),
        escape(&info.files.join(", ")),
        escape(&info.period),
        escape(&info.weight)
    );
    let _ = writeln!(
        p,
        "<p class=\"muted\">Every number below comes from running fulcrum's own trial on the \
         team's past with the history's own tech share each period, and keeping the parameters \
         under which the simulated past looks like the real one (ABC population Monte Carlo, \
         {} particles, seed {}). The joint draws are in <code>posterior.csv</code>, everything \
         else in <code>calibration.json</code>.</p>",
        info.settings.particles, info.settings.seed
    );
    for (fit, plots) in fits.iter().zip(plots) {
        team_section(&mut p, fit, plots);
    }
    sources(&mut p);
    if let Some(file) = &info.priors_file {
        let _ = writeln!(
            p,
            "<p><strong>These defaults were partly replaced</strong> by the priors file {}: \
             the prior used is in <code>calibration.json</code> (<code>teams[].prior</code>).</p>",
            escape(file)
        );
    }
    p.push_str("</body>\n</html>\n");
    p
}

fn team_section(p: &mut String, fit: &Calibration, plots: &[Plot]) {
    let _ = writeln!(p, "<h2>{}</h2>\n<div class=\"answer\">", escape(&fit.team));
    let mut sentences = vec![
        drag_sentence(fit),
        narrowed_sentence(fit),
        format!("Predictive check: {}.", fit.check.verdict),
    ];
    sentences.extend(fit.confounded.iter().map(confounded_sentence));
    for s in sentences {
        let _ = writeln!(p, "<p>{}</p>", escape(&s));
    }
    let _ = writeln!(p, "</div>");
    if let (Some(low), Some(high)) = (
        fit.capacity.iter().copied().reduce(f64::min),
        fit.capacity.iter().copied().reduce(f64::max),
    ) {
        let _ = writeln!(
            p,
            "<p class=\"muted\">Capacity follows the headcount table: from {} to {} of the \
             last period's, which <code>throughput</code> is.</p>",
            percent(low),
            percent(high)
        );
    }
    let _ = writeln!(
        p,
        "<p class=\"muted\">{} periods; {} simulations of fulcrum's trial in {} generations, \
         the last tolerance {}.</p>",
        fit.observed.periods(),
        fit.simulations,
        fit.generations.len(),
        fit.generations
            .last()
            .map_or("–".into(), |g| short(g.epsilon))
    );
    parameters_table(p, fit);
    for c in plots {
        figure(p, c);
    }
    check_table(p, fit);
}

/// Which parameters the history pinned and which it said little about, in one sentence.
fn narrowed_sentence(fit: &Calibration) -> String {
    let (little, learned): (Vec<_>, Vec<_>) = fit
        .parameters
        .iter()
        .partition(|n| n.ratio > LITTLE_LEARNED);
    let names = |v: &[&crate::whatif::calibrate::check::Narrowing]| {
        v.iter()
            .map(|n| n.parameter.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (learned.is_empty(), little.is_empty()) {
        (true, _) => "The history narrowed no parameter much: the posterior is about the prior, \
                      so the scenario's numbers are the priors' (cited below)."
            .into(),
        (false, true) => format!("The history narrowed every parameter: {}.", names(&learned)),
        (false, false) => format!(
            "The history narrowed {} to less than {:.0}% of the prior's 90% width; it said \
             little about {}, whose posteriors are about their priors.",
            names(&learned),
            100.0 * LITTLE_LEARNED,
            names(&little)
        ),
    }
}

fn parameters_table(p: &mut String, fit: &Calibration) {
    let _ = writeln!(
        p,
        "<h3>Prior against posterior</h3>\n<div class=\"scroll\"><table>\n<tr>\
         <th>parameter</th><th>prior 90%</th><th>posterior median</th><th>posterior 90%</th>\
         <th>width vs prior</th></tr>"
    );
    for n in fit.parameters.iter().chain(&fit.drag) {
        let _ = writeln!(
            p,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.0}%{}</td></tr>",
            escape(&n.parameter),
            range(&n.prior),
            short(n.posterior[1]),
            range(&n.posterior),
            100.0 * n.ratio,
            if n.ratio > LITTLE_LEARNED {
                " <span class=\"muted\">(little learned)</span>"
            } else {
                ""
            }
        );
    }
    p.push_str("</table></div>\n");
    let _ = writeln!(
        p,
        "<p class=\"muted\">Units are the history's (items or points a period). \
         <em>debt_initial</em> and <em>drag_half</em> are in the same units; drag at the \
         start and end is the share of capacity lost to debt. Parameters named as the \
         scenario file names them; <em>throughput_cv</em> is the period-to-period variation of \
         capacity.</p>"
    );
}

fn check_table(p: &mut String, fit: &Calibration) {
    let _ = writeln!(
        p,
        "<h3>Predictive check per summary</h3>\n<p>Each summary of the observed history \
         against the same summary of histories simulated from the posterior. A two-sided \
         p-value under {FLAG_P} (in red) is a feature of the data the model does not \
         reproduce.</p>\n<div class=\"scroll\"><table>\n<tr><th>summary</th><th>observed</th>\
         <th>simulated 90%</th><th>p-value</th></tr>"
    );
    for s in &fit.check.summaries {
        let class = if s.p_value < FLAG_P {
            " class=\"flag\""
        } else {
            ""
        };
        let _ = writeln!(
            p,
            "<tr><td>{}</td><td{class}>{}</td><td>{}</td><td{class}>{:.3}</td></tr>",
            escape(&s.summary),
            short(s.observed),
            range(&s.predicted),
            s.p_value
        );
    }
    p.push_str("</table></div>\n");
}

/// Where the priors come from, and the method.
fn sources(p: &mut String) {
    p.push_str(
        "<h2>Where the priors come from</h2>\n<ul>\n\
         <li>Share of capacity lost to debt at the start: centred near 23%, covering about \
         10–40% (Besker, Martini &amp; Bosch 2019, <em>Journal of Systems and Software</em> \
         156: developers waste 23% of their time on technical debt; Stripe, <em>The Developer \
         Coefficient</em>, 2018: about 17 of 41 hours a week on maintenance).</li>\n\
         <li>Accrual, debt added per unit of product work: centred on 0.15 (McKinsey 2020, \
         2023: 10–20% of the new-product budget is diverted to debt).</li>\n\
         <li>Interest: uniform on 0–3% a period: nothing published pins it.</li>\n\
         <li>Throughput and keep-the-lights-on work: centred on what the history measured.</li>\n\
         </ul>\n<p>Method: ABC population Monte Carlo (Beaumont, Cornuet, Marin &amp; Robert \
         2009, <em>Biometrika</em> 96) with tolerances set from the previous population (Del \
         Moral, Doucet &amp; Jasra 2012, <em>Statistics and Computing</em> 22); proven by \
         simulation-based calibration (Talts et al. 2018, arXiv:1804.06788). The predictive \
         check follows Gelman, Meng &amp; Stern (1996, <em>Statistica Sinica</em> 6).</p>\n",
    );
}
