//! The plan-folder contract that split writes and track and mail read.

pub mod manifest;
pub mod plan_csv;
