//! The scenario `fulcrum calibrate --scenario` writes: one item team whose `[debt]` and
//! `[incidents]` are the joint posterior draws (`[debt] posterior`, so that each trial takes
//! one joint θ and the posterior's correlations are kept), each parameter's posterior median
//! and interval in a comment saying where it came from, ongoing product work, a roadmap key
//! result and a debt key result, and strategies starting from the history's own split. Plain
//! numbers in, text out: the calibration itself is `whatif`'s.

use std::fmt::Write;

use super::scenario_file::slug;

/// What a calibration found, as the scenario needs it.
#[derive(Clone, Debug)]
pub struct Fitted<'a> {
    /// The team's name.
    pub team: &'a str,
    /// Where the history came from, for the header comment.
    pub source: String,
    /// Length of a period, e.g. `1w`.
    pub period: String,
    /// Periods of history fitted.
    pub periods: usize,
    /// The history's mean tech share.
    pub tech_share: f64,
    /// Each parameter's posterior 5th, 50th and 95th percentile, by the scenario's name:
    /// `debt_initial`, `interest`, …, `throughput`, `throughput_cv`.
    pub parameters: Vec<(&'a str, [f64; 3])>,
    /// The joint draws (`posterior.csv`), as the scenario file names them: relative to its
    /// folder, or absolute.
    pub posterior: String,
}

impl Fitted<'_> {
    fn get(&self, name: &str) -> [f64; 3] {
        self.parameters
            .iter()
            .find(|(n, _)| *n == name)
            .map_or([0.0; 3], |(_, v)| *v)
    }

    fn note(&self, name: &str) -> String {
        let [lo, mid, hi] = self.get(name);
        format!(
            "posterior median {}, 90% {} to {}",
            fmt(mid),
            fmt(lo),
            fmt(hi)
        )
    }
}

/// A number with six significant figures, as TOML reads it.
fn fmt(x: f64) -> String {
    let text = format!("{:.6e}", x);
    let value: f64 = text.parse().unwrap_or(x);
    let plain = format!("{value}");
    if plain.contains('.') || plain.contains('e') {
        plain
    } else {
        format!("{plain}.0")
    }
}

/// Periods the scenario looks ahead: half the history, at least 13, at most 52.
fn horizon(periods: usize) -> usize {
    (periods / 2).clamp(13, 52)
}

/// The scenario's text.
pub fn render(f: &Fitted) -> String {
    let mut s = String::new();
    let periods = horizon(f.periods);
    let throughput = f.get("throughput")[1];
    let cv = f.get("throughput_cv")[1];
    let share = f.tech_share.clamp(0.0, 1.0);
    // A roadmap of about half what the product budget delivers over the horizon.
    let roadmap = (0.5 * throughput * (1.0 - share) * periods as f64).max(1.0);
    let _ = writeln!(
        s,
        "# Calibrated by `fulcrum calibrate` from {}: team {}, {} periods of {}.\n\
         # [debt] and [incidents] are fitted to that history with fulcrum's own trial as the\n\
         # simulator (ABC-SMC; see calibration.json beside posterior.csv). Each trial takes one\n\
         # joint draw of the posterior (a row of posterior.csv), so that the parameters'\n\
         # correlations are kept; the comments give each one's posterior median and 90%\n\
         # interval. Units are the history's: items (or points) per period.\n",
        f.source, f.team, f.periods, f.period
    );
    let _ = writeln!(
        s,
        "[scenario]\nname = \"{}-calibrated\"\nperiods = {periods}\nperiod = \"{}\"\ntrials = 2000\nseed = 42\n",
        slug(f.team),
        f.period
    );
    let _ = writeln!(
        s,
        "[okrs]\nblend = 0.5\n\n[[okrs.key_results]]\nid = \"roadmap\"\nowner = \"product\"\ntarget = 1.0\ndeadline = {periods}\n\n[[okrs.key_results]]\nid = \"debt-down\"\nowner = \"technology\"\nmetric = \"debt\"\nbelow = {}\ndeadline = {periods}\n",
        fmt(0.8 * f.get("debt_initial")[1])
    );
    let _ = writeln!(
        s,
        "[debt]\n# Every trial draws these from one row of the posterior, jointly:\nposterior = \"{}\"",
        toml_string(&f.posterior)
    );
    for name in [
        "interest",
        "accrual",
        "paydown_efficiency",
        "drag_max",
        "drag_half",
    ] {
        let _ = writeln!(s, "# {name}: {}", f.note(name));
    }
    let _ = writeln!(s, "\n[incidents]  # drawn from the posterior too");
    for name in ["base_rate", "debt_sensitivity", "cost"] {
        let _ = writeln!(s, "# {name}: {}", f.note(name));
    }
    let _ = writeln!(
        s,
        "\n[[teams]]\nname = \"{}\"\n# each trial's mean capacity and its spread (throughput, throughput_cv) are the\n# posterior row's; this normal gives their shape. throughput: {}\ncapacity = {{ normal = [{}, {}] }}\n# debt_initial: {}\n",
        toml_string(f.team),
        f.note("throughput"),
        fmt(throughput),
        fmt((cv * throughput).max(1e-3)),
        f.note("debt_initial")
    );
    let team = toml_string(f.team);
    let _ = writeln!(
        s,
        "[[initiatives]]\nid = \"roadmap\"\nkind = \"product\"\nteam = \"{team}\"\neffort = {}  # about half the product budget of the horizon at the history's split\ncontributes = {{ roadmap = 1.0 }}\npriority = 1\n",
        fmt(roadmap)
    );
    let _ = writeln!(
        s,
        "[[initiatives]]\nid = \"ongoing-product\"\nkind = \"product\"\nteam = \"{team}\"\neffort = {}  # open-ended: takes whatever product budget is left\n",
        fmt((throughput * periods as f64 * 10.0).min(900_000.0))
    );
    let _ = writeln!(
        s,
        "[[strategies]]\nname = \"history\"\nrule = \"fixed_share\"\ntech_share = {}  # the history's own split\n\n[[strategies]]\nname = \"more-tech\"\nrule = \"fixed_share\"\ntech_share = {}\n\n[[strategies]]\nname = \"debt-ceiling\"\nrule = \"debt_ceiling\"\nceiling = {}\nabove = {}\nbelow = {}",
        fmt(round2(share)),
        fmt(round2((share + 0.15).min(1.0))),
        fmt(f.get("debt_initial")[1].max(1.0)),
        fmt(round2((share + 0.2).min(1.0))),
        fmt(round2(share))
    );
    s
}

/// `text` escaped for a TOML basic string.
fn toml_string(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
