//! The only writers: folders opened without following links, staging and the
//! atomic swap, atomic replacement, locks and the sent log, so that a run only
//! ever writes, moves and removes entries it reached through folders it holds
//! open itself (SPEC §5).

pub mod dir;
pub mod lock;
pub mod out_path;
pub mod replace;
pub mod sent_log;
pub mod sink;
pub mod staging;
