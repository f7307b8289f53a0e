//! A plan the simulator can execute as a policy: what the allocator hands the simulator.

/// Each team's planned tech share per period and the order work is taken up in.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// `tech_share[team][period - 1]`, each in [0, 1].
    pub tech_share: Vec<Vec<f64>>,
    /// Initiative indices, in the order budgets should flow to them.
    pub order: Vec<usize>,
}

impl Plan {
    /// Planned tech share of `team` in `period` (1-based). Beyond the plan's horizon the last
    /// period's share holds.
    #[inline]
    pub fn share(&self, team: usize, period: usize) -> f64 {
        scheduled(&self.tech_share, team, period)
    }
}

/// The tech share of `team` in `period` (1-based) of a schedule `tech_share[team][period - 1]`
/// (a plan's, a `schedule` rule's, a reactive rule's base); beyond its last period the last
/// share holds.
#[inline]
pub fn scheduled(tech_share: &[Vec<f64>], team: usize, period: usize) -> f64 {
    let shares = &tech_share[team];
    shares[(period - 1).min(shares.len() - 1)]
}

/// A run of consecutive periods with one tech share: periods `first..=last` (1-based).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Phase {
    /// Its first period.
    pub first: usize,
    /// Its last period.
    pub last: usize,
    /// The tech share throughout, in [0, 1].
    pub tech_share: f64,
}

/// One team's shares per period (from period 1, the last holding to `periods`) as phases:
/// consecutive periods whose shares agree to the whole percent are one phase, so a schedule
/// reads as the few steps a leadership team would agree on.
pub fn phases_of(shares: &[f64], periods: usize) -> Vec<Phase> {
    let whole = |s: f64| (s * 100.0).round();
    let mut phases: Vec<Phase> = Vec::new();
    for t in 1..=periods.max(1) {
        let Some(&share) = shares.get(t - 1).or(shares.last()) else {
            break;
        };
        match phases.last_mut() {
            Some(p) if whole(p.tech_share) == whole(share) => p.last = t,
            _ => phases.push(Phase {
                first: t,
                last: t,
                tech_share: share,
            }),
        }
    }
    phases
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_shares_to_the_percent_are_one_phase() {
        let phases = phases_of(&[0.1, 0.1, 0.101, 0.3, 0.6], 7);
        let spans: Vec<_> = phases.iter().map(|p| (p.first, p.last)).collect();
        assert_eq!(spans, [(1, 3), (4, 4), (5, 7)]);
        assert_eq!(phases[2].tech_share, 0.6);
        assert_eq!(phases_of(&[0.2], 3).len(), 1);
        assert!(phases_of(&[], 3).is_empty());
    }
}
