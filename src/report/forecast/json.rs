//! What `fulcrum forecast --json` prints, for scripts: `forecast.json`'s fields and where the
//! results went. `schema` names its version and changes only when a field changes meaning or
//! goes.

use serde::Serialize;

/// What `fulcrum forecast --json` prints: `forecast.json`'s fields, and where the results went.
#[derive(Clone, Debug, Serialize)]
pub struct Forecast<'a> {
    /// `fulcrum.forecast/1`.
    pub schema: &'static str,
    /// What `forecast.json` records, its fields at the top level of this document.
    #[serde(flatten)]
    pub info: &'a super::ForecastInfo,
    /// The results folder.
    pub output: String,
}
