//! How numbers read in text, the same in every command and on `serve`'s page: thousands
//! separators ("2,968"), a unit after a space ("321 d"), counted nouns with the right plural
//! ("1 strategy"), tech shares ("12.5%"), and "mean ± half-width" with as many digits as the
//! half-width needs.

use crate::model::{Scenario, Team, Workforce};

/// `x` rounded to `places` decimals, with a comma between thousands: `2,968`, `-1,234.5`.
pub fn grouped(x: f64, places: usize) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let text = format!("{:.places$}", x.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    // "-0" is not a number anyone writes.
    if x < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '-');
    }
    out
}

/// A whole number of things: `10,000`.
pub fn count(n: u64) -> String {
    grouped(n as f64, 0)
}

/// `n` followed by the noun, singular for one: `1 strategy`, `5 strategies`, `10,000 trials`.
pub fn counted(n: u64, singular: &str, plural: &str) -> String {
    format!("{} {}", count(n), if n == 1 { singular } else { plural })
}

/// A probability as a whole percentage, never rounded to a certainty it is not: `66%`, `<1%`
/// for 0.3%, `>99%` for 99.7%, `0%` and `100%` only when exact.
pub fn percent(p: f64) -> String {
    if !p.is_finite() {
        return "–".to_string();
    }
    let rounded = (p * 100.0).round();
    if p > 0.0 && rounded == 0.0 {
        "<1%".to_string()
    } else if p < 1.0 && rounded == 100.0 {
        ">99%".to_string()
    } else {
        format!("{rounded:.0}%")
    }
}

/// A tech share as a percentage, whole unless it is not: `10%`, `12.5%`.
pub fn share(share: f64) -> String {
    let p = share * 100.0;
    if (p - p.round()).abs() < 1e-6 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// Decimals that show `half` (a 95% half-width) to at least one significant digit, and at
/// least `places`: 0.004 at 3 places stays 3, 0.00012 needs 4.
pub fn places_for(half: f64, places: usize) -> usize {
    if !(half.is_finite() && half > 0.0) {
        return places;
    }
    let needed = (-half.log10().floor()) as i64;
    (needed.max(places as i64) as usize).min(9)
}

/// A signed mean and the half-width of its 95% interval, to the digits the half-width needs:
/// `+0.054 ±0.004`, `+0.0541 ±0.0001`; an exact zero width is `±0`.
pub fn signed_with_half_width(mean: f64, half: f64) -> String {
    if half == 0.0 {
        return format!("{mean:+.3} ±0");
    }
    let places = places_for(half, 3);
    format!("{mean:+.places$} ±{half:.places$}")
}

/// A signed whole number for a change in a sentence, grouped, with a true minus sign:
/// `+1,036`, `−36` (a rounded −0 is `+0`).
pub fn signed_whole(x: f64) -> String {
    let rounded = x.round();
    let sign = if rounded < 0.0 { "−" } else { "+" };
    format!("{sign}{}", grouped(rounded.abs(), 0))
}

/// What a team's capacity is measured in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Engineers × focus days: engineer-days.
    EngineerDays,
    /// A throughput history: items finished per period.
    Items,
    /// `capacity` drawn directly: whatever unit the scenario's author used.
    Units,
}

impl Unit {
    /// The unit of one team.
    pub fn of_team(team: &Team) -> Unit {
        match &team.workforce {
            Workforce::Engineers(_) => Unit::EngineerDays,
            Workforce::Throughput(_) => Unit::Items,
            Workforce::Capacity(_) => Unit::Units,
        }
    }

    /// The unit every team shares (totals over teams are in it), else [`Unit::Units`].
    pub fn of_scenario(scenario: &Scenario) -> Unit {
        let mut units = scenario.teams.iter().map(Unit::of_team);
        let first = units.next().unwrap_or(Unit::EngineerDays);
        if units.all(|u| u == first) {
            first
        } else {
            Unit::Units
        }
    }

    /// The unit after a number in a table: `d`, `items`, `units`.
    pub fn short(self) -> &'static str {
        match self {
            Unit::EngineerDays => "d",
            Unit::Items => "items",
            Unit::Units => "units",
        }
    }

    /// The unit in a sentence or a column header: `engineer-days`, `items`, `units`.
    pub fn long(self) -> &'static str {
        match self {
            Unit::EngineerDays => "engineer-days",
            Unit::Items => "items",
            Unit::Units => "units",
        }
    }
}

/// A whole amount and its unit: `321 d`, `2,968 engineer-days`.
pub fn amount(x: f64, unit: &str) -> String {
    format!("{} {unit}", grouped(x, 0))
}

/// A number as the CSVs write it: up to 6 decimals, no trailing zeros, empty for NaN.
pub fn num(x: f64) -> String {
    if x.is_nan() {
        return String::new();
    }
    if x == 0.0 {
        return "0".into();
    }
    if x.abs() >= 1e-4 && x.abs() < 1e15 {
        let s = format!("{x:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" { "0".into() } else { s.into() }
    } else {
        // Scientific notation with 6 significant digits: 1.5e-7, 2.34567e20.
        let s = format!("{x:.5e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        format!("{mantissa}e{exponent}")
    }
}

/// `P85` for 0.85, `P97.5` for 0.975.
pub fn percentile_name(q: f64) -> String {
    format!("P{}", num(q * 100.0))
}

pub use crate::model::proportion_ci95;

/// A probability with its 95% interval, `73% [71–75%]`, each bound with the decimals it needs
/// not to read as a certainty it is not: `>99% [99.6–100%]`, never `>99% [100–100%]`.
pub fn percent_with_interval(p: f64, [lo, hi]: [f64; 2]) -> String {
    if !p.is_finite() {
        return "–".to_string();
    }
    format!("{} [{}–{}%]", percent(p), bound(lo), bound(hi))
}

/// One bound of a percentage interval: whole percent unless that rounds to 0 or 100 when the
/// bound is not exactly there; then up to two decimals.
fn bound(x: f64) -> String {
    let exact = x <= 0.0 || x >= 1.0;
    for places in 0..=2 {
        let text = format!("{:.places$}", x * 100.0);
        let rounded: f64 = text.parse().unwrap_or(0.0);
        if exact || (rounded > 0.0 && rounded < 100.0) {
            return text;
        }
    }
    if x < 0.5 {
        "<0.01".into()
    } else {
        ">99.99".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_the_same_everywhere() {
        assert_eq!(grouped(2968.4, 0), "2,968");
        assert_eq!(grouped(999.0, 0), "999");
        assert_eq!(grouped(1_234_567.0, 0), "1,234,567");
        assert_eq!(grouped(-1234.54, 1), "-1,234.5");
        assert_eq!(grouped(-0.2, 0), "0");
        assert_eq!(grouped(31.94, 1), "31.9");
        assert_eq!(count(10_000), "10,000");
        assert_eq!(percent_with_interval(0.73, [0.71, 0.75]), "73% [71–75%]");
        assert_eq!(
            percent_with_interval(0.999, [0.9963, 1.0]),
            ">99% [99.6–100%]"
        );
        assert_eq!(
            percent_with_interval(0.999, [0.9951, 0.9998]),
            ">99% [99.5–99.98%]"
        );
        assert_eq!(percent_with_interval(f64::NAN, [0.0, 1.0]), "–");
        // Wilson at 2,000 of 2,000: 1 − (z²/n) / (1 + z²/n) = 0.99808, not a certainty.
        let [lo, hi] = proportion_ci95(1.0, 2000);
        assert!((lo - 0.99808).abs() < 1e-5 && hi == 1.0, "{lo} {hi}");
        let [lo, hi] = proportion_ci95(0.5, 10_000);
        assert!(
            (lo - 0.4902).abs() < 1e-4 && (hi - 0.5098).abs() < 1e-4,
            "{lo} {hi}"
        );
        assert_eq!(counted(1, "strategy", "strategies"), "1 strategy");
        assert_eq!(counted(5, "strategy", "strategies"), "5 strategies");
        assert_eq!(counted(0, "risk", "risks"), "0 risks");
        assert_eq!(amount(321.2, "d"), "321 d");
        assert_eq!(percent(0.66), "66%");
        assert_eq!(percent(0.003), "<1%");
        assert_eq!(percent(0.997), ">99%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(share(0.1), "10%");
        assert_eq!(share(0.125), "12.5%");
    }

    #[test]
    fn a_half_width_gets_the_digits_it_needs() {
        assert_eq!(signed_with_half_width(0.054, 0.004), "+0.054 ±0.004");
        assert_eq!(signed_with_half_width(0.05412, 0.00012), "+0.0541 ±0.0001");
        assert_eq!(signed_with_half_width(0.0, 0.0), "+0.000 ±0");
        assert_eq!(signed_with_half_width(-0.3, 0.0004), "-0.3000 ±0.0004");
        assert_eq!(places_for(0.03, 2), 2);
        assert_eq!(places_for(0.0009, 2), 4);
    }
}
