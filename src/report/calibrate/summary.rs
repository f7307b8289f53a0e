//! The terminal summary of `fulcrum calibrate`: per team, prior against posterior per
//! parameter, how much the history narrowed each, the share of capacity lost to debt now and
//! in a year, the pairs the history cannot tell apart, and the predictive check's verdict.

use std::fmt::Write;

use crate::whatif::calibrate::Calibration;
use crate::whatif::calibrate::check::Confounded;

use super::LITTLE_LEARNED;

/// A number in a few significant figures.
pub(super) fn short(x: f64) -> String {
    let a = x.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else if a >= 0.001 {
        format!("{x:.4}")
    } else {
        format!("{x:.2e}")
    }
}

pub(super) fn range(i: &[f64; 3]) -> String {
    format!("{} – {}", short(i[0]), short(i[2]))
}

/// The share of capacity lost to debt at the end of the history and a year later, in words.
pub(super) fn drag_sentence(fit: &Calibration) -> String {
    let [_, end] = &fit.drag;
    let ahead = &fit.ahead;
    let pct = |x: f64| format!("{:.0}%", 100.0 * x);
    format!(
        "Debt takes {} of the team's capacity now (90%: {} to {}); in a year ({} periods) at the \
         split the history ended on ({} tech), {} (90%: {} to {}).",
        pct(end.posterior[1]),
        pct(end.posterior[0]),
        pct(end.posterior[2]),
        ahead.periods,
        pct(ahead.tech_share),
        pct(ahead.drag[1]),
        pct(ahead.drag[0]),
        pct(ahead.drag[2])
    )
}

/// A confounded pair in words.
pub(super) fn confounded_sentence(pair: &Confounded) -> String {
    format!(
        "The history cannot tell {} from {}: only a combination of them is pinned (posterior \
         correlation {:+.2}).",
        pair.first, pair.second, pair.correlation
    )
}

/// The terminal summary of every team's calibration.
pub fn summary(fits: &[Calibration]) -> String {
    let mut out = String::new();
    for fit in fits {
        team_summary(&mut out, fit);
    }
    out
}

fn team_summary(out: &mut String, fit: &Calibration) {
    let last = fit.generations.last();
    let _ = writeln!(
        out,
        "{}: {} periods, {} simulations of fulcrum's trial, {} generations (last tolerance {})",
        fit.team,
        fit.observed.periods(),
        fit.simulations,
        fit.generations.len(),
        last.map_or("-".into(), |g| short(g.epsilon))
    );
    let _ = writeln!(
        out,
        "  {:<20} {:>22} {:>22} {:>15}",
        "parameter", "prior 90%", "posterior 90%", "width vs prior"
    );
    for n in fit.parameters.iter().chain(&fit.drag) {
        let learned = match n.ratio > LITTLE_LEARNED {
            true => "  (little learned)",
            false => "",
        };
        let _ = writeln!(
            out,
            "  {:<20} {:>22} {:>22} {:>14.0}%{learned}",
            n.parameter,
            range(&n.prior),
            range(&n.posterior),
            100.0 * n.ratio
        );
    }
    let _ = writeln!(out, "  {}", drag_sentence(fit));
    for pair in &fit.confounded {
        let _ = writeln!(out, "  {}", confounded_sentence(pair));
    }
    let _ = writeln!(out, "  predictive check: {}", fit.check.verdict);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers_keep_a_few_figures() {
        assert_eq!(short(1234.5), "1234");
        assert_eq!(short(0.0123), "0.0123");
        assert_eq!(short(2.5), "2.50");
        assert_eq!(short(0.0), "0");
    }
}
