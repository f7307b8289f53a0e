//! fulcrum: simulation and capacity forecasting for engineering organisations that must split
//! one finite team between product goals and technology goals.
//!
//! The pipeline runs one way: [`scenario`] (load and validate a file) → [`model`] (compiled,
//! pure types) → [`allocate`] (the LP plan) and [`simulate`] (Monte Carlo) → [`report`]
//! (CSV, plots, HTML, terminal). [`whatif`] drives allocate and simulate for sweeps and
//! sensitivity. [`serve`] puts all of it behind an interactive what-if page. [`words`] is how
//! numbers, periods and a policy's split read in text, for report and serve alike.

#![warn(missing_docs)]

pub mod allocate;
pub mod model;
pub mod optimise;
pub mod pipeline;
pub mod report;
pub mod scenario;
pub mod serve;
pub mod shard;
pub mod simulate;
pub mod whatif;
pub mod words;
