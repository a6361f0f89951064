//! The writers' ground rules: folders opened without following links, so
//! that a run only ever writes, moves and removes entries it reached through
//! folders it holds open itself (SPEC §5).

pub mod dir;
pub mod replace;
