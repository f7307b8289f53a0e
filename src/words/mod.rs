//! How fulcrum's answers read in words, the same in every command and on `serve`'s page:
//! numbers ([`numbers`]: separators, units, percentages and intervals), periods ([`dates`])
//! and a policy's split with what it buys ([`policy`]). Text only: no I/O.

pub mod dates;
pub mod numbers;
pub mod policy;
