//! What-if tooling on top of the pipeline: sweeps of a parameter across a range (with the
//! Pareto frontier of product attainment against final debt), sensitivity of the outcome
//! to each uncertain input, and the calibration of the debt, drag and incident model to a
//! team's history. No I/O: `report` writes what these return. (Walk-forward backtests of
//! throughput forecasts are the forecasting wing's: `simulate::forecast::backtest`.)

pub mod calibrate;
pub mod sensitivity;
pub mod sweep;
