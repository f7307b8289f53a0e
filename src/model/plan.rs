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
        let shares = &self.tech_share[team];
        shares[(period - 1).min(shares.len() - 1)]
    }
}
