//! The pure planning core: no file, terminal, environment or clock access.

pub mod address;
pub mod allocate;
pub mod calendar;
pub mod diag;
pub mod layout;
pub mod limits;
pub mod model;
pub mod plan;
pub mod season;
pub mod track;
pub mod unplanned;
