//! What-if tooling on top of the pipeline: sweeps of a parameter across a range (with the
//! Pareto frontier of product attainment against final debt) and sensitivity of the outcome
//! to each uncertain input. No I/O: `report` writes what these return.

pub mod sensitivity;
pub mod sweep;
