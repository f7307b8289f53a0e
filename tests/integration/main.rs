//! Every integration test, in one test crate: one binary to compile and link instead of one
//! per file, to keep a cold `cargo test --release` close to the release build (see
//! `docs/src/developer/testing.md`). Each module is one subject; `cargo test --release --test integration
//! cli::` runs one of them.

mod common;

mod allocate;
mod answer;
mod backtest;
mod backtest_model;
mod calibrate;
mod cli;
mod csv_guard;
mod docs;
mod forecast;
mod fuzz;
mod import;
mod joint;
mod limits;
mod loader_properties;
mod mcp;
mod optimise;
mod output;
mod reactive;
mod regressions;
mod report;
mod schema;
mod serve;
mod serve_browser;
mod shape;
mod shard;
mod simulate;
mod validation;
mod whatif;
