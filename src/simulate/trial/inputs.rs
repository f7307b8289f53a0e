//! The uncertain inputs each trial draws, for sensitivity analysis: what a trial's outcome can
//! be traced back to.

use super::{Engine, Scratch};

impl Engine<'_> {
    /// Names of the per-trial inputs [`Engine::sampled_inputs`] reports, in its order.
    pub fn sampled_input_names(&self) -> Vec<String> {
        let sc = self.scenario;
        let mut names = Vec::new();
        for team in &sc.teams {
            let t = &team.name;
            names.extend([
                format!("initial debt · {t}"),
                format!("debt interest · {t}"),
                format!("debt accrual · {t}"),
                format!("paydown efficiency · {t}"),
                format!("incident base rate · {t}"),
                format!("attrition · {t}"),
            ]);
        }
        for initiative in &sc.initiatives {
            names.push(format!("work · {}", initiative.id));
            for (k, _) in &initiative.contributes {
                names.push(format!(
                    "value · {} → {}",
                    initiative.id, sc.key_results[*k].id
                ));
            }
            names.push(format!("on-done debt · {}", initiative.id));
        }
        for risk in &sc.risks {
            names.push(format!("risk days · {}", risk.id));
        }
        names
    }

    /// The per-trial inputs the last [`Engine::run_trial`] on `scratch` drew, appended to
    /// `out` in the order of [`Engine::sampled_input_names`].
    pub fn sampled_inputs(&self, scratch: &Scratch, out: &mut Vec<f64>) {
        for team in &scratch.teams {
            out.extend([
                team.debt,
                team.interest,
                team.accrual,
                team.efficiency,
                team.base_rate,
                team.hazard,
            ]);
        }
        for (i, draws) in scratch.initiatives.iter().enumerate() {
            out.push(draws.work);
            out.extend(
                self.contributions[i]
                    .iter()
                    .map(|&slot| scratch.contributions[slot]),
            );
            out.push(draws.debt);
        }
        for &(period, impact) in &scratch.risks {
            out.push(if period > 0 { impact } else { 0.0 });
        }
    }
}
