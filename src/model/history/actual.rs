//! A plan's tech share next to the one the work items show: per team and planned period, the
//! share of planned work (product + tech, weighed as the import weighs it) that went to tech
//! in the days of that period, and the drift between the two summed up over all of them.

use super::{Bucket, BucketKind, ItemState, Weighing, WorkItem, tech_share};
use crate::model::Date;

/// The tech share a plan set for one team and period.
#[derive(Clone, Debug, PartialEq)]
pub struct Planned {
    /// The plan's team.
    pub team: String,
    /// The plan's period number.
    pub period: usize,
    /// The first day of the period.
    pub start: Date,
    /// The last day of the period.
    pub end: Date,
    /// The planned tech share; `None` where the plan follows the debt instead.
    pub share: Option<f64>,
}

/// One team and planned period: what was planned and what happened.
#[derive(Clone, Debug, PartialEq)]
pub struct Drift {
    /// The plan's row.
    pub planned: Planned,
    /// Product work done in the period (in the import's weight).
    pub product: f64,
    /// Tech work done in the period.
    pub tech: f64,
    /// Items of product or tech work done in the period.
    pub items: u32,
}

impl Drift {
    /// The tech share done: tech ÷ (product + tech); `None` without planned work done.
    pub fn actual(&self) -> Option<f64> {
        tech_share(self.product, self.tech)
    }

    /// Actual minus planned, when both are known.
    pub fn gap(&self) -> Option<f64> {
        Some(self.actual()? - self.planned.share?)
    }
}

/// Each planned row next to the product and tech work `items` show in its days, for its team.
pub fn compare(
    planned: &[Planned],
    items: &[WorkItem],
    buckets: &[Bucket],
    weighing: &Weighing,
) -> Vec<Drift> {
    let mut done: Vec<(&str, Date, BucketKind, f64)> = items
        .iter()
        .filter(|i| i.state == ItemState::Done)
        .filter_map(|i| {
            let kind = buckets.get(i.bucket?)?.kind;
            Some((i.team.as_str(), i.done?, kind, weighing.of(i)))
        })
        .filter(|(_, _, kind, _)| *kind != BucketKind::Ktlo)
        .collect();
    done.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    planned
        .iter()
        .map(|p| {
            let from = done.partition_point(|d| (d.0, d.1) < (p.team.as_str(), p.start));
            let to = done.partition_point(|d| (d.0, d.1) <= (p.team.as_str(), p.end));
            let mut drift = Drift {
                planned: p.clone(),
                product: 0.0,
                tech: 0.0,
                items: 0,
            };
            for &(_, _, kind, w) in &done[from..to] {
                match kind {
                    BucketKind::Tech => drift.tech += w,
                    _ => drift.product += w,
                }
                drift.items += 1;
            }
            drift
        })
        .collect()
}

/// The drift summed up over the rows where both shares are known: how many, the tech share
/// done, and the tech share the plan would have given the same planned work.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DriftSum {
    /// Rows compared.
    pub rows: usize,
    /// Tech ÷ (product + tech) over them.
    pub actual: f64,
    /// The planned shares weighed by each row's planned work done.
    pub planned: f64,
}

impl DriftSum {
    /// Sums `rows` up; `None` when none has both shares.
    pub fn of<'a>(rows: impl IntoIterator<Item = &'a Drift>) -> Option<DriftSum> {
        let (mut n, mut tech, mut work, mut planned) = (0, 0.0, 0.0, 0.0);
        for d in rows {
            let (Some(share), Some(_)) = (d.planned.share, d.actual()) else {
                continue;
            };
            let w = d.product + d.tech;
            n += 1;
            tech += d.tech;
            work += w;
            planned += share * w;
        }
        (n > 0 && work > 0.0).then(|| DriftSum {
            rows: n,
            actual: tech / work,
            planned: planned / work,
        })
    }

    /// Actual minus planned.
    pub fn gap(&self) -> f64 {
        self.actual - self.planned
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::history::Weight;

    fn item(team: &str, done: &str, bucket: usize, estimate: f64) -> WorkItem {
        WorkItem {
            bucket: Some(bucket),
            estimate: Some(estimate),
            ..WorkItem::finished(team, done.parse().unwrap())
        }
    }

    #[test]
    fn each_planned_period_is_compared_with_the_work_of_its_days() {
        let buckets = [
            Bucket {
                name: "product".into(),
                kind: BucketKind::Product,
            },
            Bucket {
                name: "tech".into(),
                kind: BucketKind::Tech,
            },
            Bucket {
                name: "ktlo".into(),
                kind: BucketKind::Ktlo,
            },
        ];
        let items = [
            item("web", "2027-01-04", 0, 3.0),
            item("web", "2027-01-10", 1, 1.0),
            item("web", "2027-01-11", 1, 5.0),
            item("web", "2027-01-12", 2, 8.0),
            item("api", "2027-01-05", 1, 2.0),
        ];
        let plan = |period: usize, start: &str, end: &str, share| Planned {
            team: "web".into(),
            period,
            start: start.parse().unwrap(),
            end: end.parse().unwrap(),
            share,
        };
        let planned = [
            plan(1, "2027-01-04", "2027-01-10", Some(0.5)),
            plan(2, "2027-01-11", "2027-01-17", Some(0.5)),
            plan(3, "2027-01-18", "2027-01-24", Some(0.5)),
        ];
        let points = Weighing::new(Weight::Points, &items);
        let rows = compare(&planned, &items, &buckets, &points);
        assert_eq!(rows[0].actual(), Some(0.25));
        assert_eq!(
            rows[1].actual(),
            Some(1.0),
            "keep-the-lights-on work is outside"
        );
        assert_eq!(rows[2].actual(), None);
        assert_eq!(rows[0].items, 2);
        let sum = DriftSum::of(&rows).unwrap();
        assert_eq!(sum.rows, 2);
        assert!((sum.actual - 6.0 / 9.0).abs() < 1e-12);
        assert!((sum.planned - 0.5).abs() < 1e-12);
    }
}
