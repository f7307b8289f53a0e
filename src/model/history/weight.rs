//! What an item weighs in the investment balance: one (items), its estimate (story points,
//! Linear's `Estimate`, the hours of an original estimate) or its cycle time (days from start
//! to done: the time the work took, as Swarmia and LinearB weigh it). A done item without a
//! weight of its own weighs the median of those with one, so that unestimated work neither
//! vanishes from the balance nor counts as a typical item of any size.

use super::{ItemState, WorkItem};

/// What an item weighs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weight {
    /// Every item weighs 1.
    Items,
    /// Its estimate: story points, Linear's `Estimate`, or hours.
    Points,
    /// Its cycle time in days.
    CycleTime,
}

impl Weight {
    /// Every weight, in the order `--weight` lists them.
    pub const ALL: [Weight; 3] = [Weight::Points, Weight::Items, Weight::CycleTime];

    /// The word on the command line and in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Weight::Items => "items",
            Weight::Points => "points",
            Weight::CycleTime => "cycle-time",
        }
    }

    /// What a weight is counted in, for sentences: `items`, `points`, `days of cycle time`.
    pub fn unit(self) -> &'static str {
        match self {
            Weight::Items => "items",
            Weight::Points => "points",
            Weight::CycleTime => "days of cycle time",
        }
    }

    /// The weight used unless `--weight` says otherwise: points when at least half the done
    /// items carry an estimate, else items.
    pub fn default_for(items: &[WorkItem]) -> Weight {
        let done = items.iter().filter(|i| i.state == ItemState::Done);
        let (all, estimated) = done.fold((0, 0), |(a, e), i| {
            (a + 1, e + usize::from(i.estimate.is_some()))
        });
        if all > 0 && 2 * estimated >= all {
            Weight::Points
        } else {
            Weight::Items
        }
    }
}

impl std::str::FromStr for Weight {
    type Err = String;

    fn from_str(s: &str) -> Result<Weight, String> {
        Weight::ALL
            .into_iter()
            .find(|w| w.as_str() == s)
            .ok_or_else(|| format!("unknown weight `{s}`: expected points, items or cycle-time"))
    }
}

/// How the done items of an import are weighed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Weighing {
    /// By what.
    pub by: Weight,
    /// What a done item without a weight of its own weighs: the median of the others' (1 for
    /// items, and when no item has one).
    pub fill: f64,
    /// Done items with a weight of their own.
    pub known: usize,
    /// Done items in all.
    pub done: usize,
}

impl Weighing {
    /// The weighing of `items` by `by`.
    pub fn new(by: Weight, items: &[WorkItem]) -> Weighing {
        let done: Vec<&WorkItem> = items
            .iter()
            .filter(|i| i.state == ItemState::Done)
            .collect();
        let mut own: Vec<f64> = done.iter().filter_map(|i| own_weight(by, i)).collect();
        own.sort_by(f64::total_cmp);
        let fill = match own.len() {
            0 => 1.0,
            n if n % 2 == 1 => own[n / 2],
            n => (own[n / 2 - 1] + own[n / 2]) / 2.0,
        };
        Weighing {
            by,
            fill,
            known: own.len(),
            done: done.len(),
        }
    }

    /// What `item` weighs.
    pub fn of(&self, item: &WorkItem) -> f64 {
        own_weight(self.by, item).unwrap_or(self.fill)
    }

    /// Done items weighed the median, without a weight of their own.
    pub fn filled(&self) -> usize {
        self.done - self.known
    }
}

/// The weight an item carries itself, if any.
fn own_weight(by: Weight, item: &WorkItem) -> Option<f64> {
    match by {
        Weight::Items => Some(1.0),
        Weight::Points => item.estimate,
        Weight::CycleTime => item.cycle_time().map(|(days, _)| days as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Date;

    fn item(estimate: Option<f64>, started: &str, done: &str) -> WorkItem {
        let day = |t: &str| t.parse::<Date>().ok();
        WorkItem {
            created: day(started),
            started: day(started),
            estimate,
            ..WorkItem::finished("a", day(done).unwrap())
        }
    }

    #[test]
    fn items_without_a_weight_weigh_the_median() {
        let items = [
            item(Some(1.0), "2027-01-04", "2027-01-04"),
            item(Some(8.0), "2027-01-04", "2027-01-13"),
            item(Some(3.0), "2027-01-04", "2027-01-05"),
            item(None, "2027-01-04", "2027-01-06"),
        ];
        let points = Weighing::new(Weight::Points, &items);
        assert_eq!((points.fill, points.known, points.filled()), (3.0, 3, 1));
        assert_eq!(points.of(&items[1]), 8.0);
        assert_eq!(points.of(&items[3]), 3.0);
        let days = Weighing::new(Weight::CycleTime, &items);
        assert_eq!(days.of(&items[1]), 10.0, "both days counted");
        assert_eq!(days.fill, 2.5, "the median of 1, 10, 2, 3");
        assert_eq!(Weighing::new(Weight::Items, &items).of(&items[1]), 1.0);
        assert_eq!(Weight::default_for(&items), Weight::Points);
        assert_eq!(Weight::default_for(&items[3..]), Weight::Items);
        assert_eq!("cycle-time".parse::<Weight>(), Ok(Weight::CycleTime));
        assert!("hours".parse::<Weight>().is_err());
    }
}
