//! The application without the command line: the plan file, the checked
//! configuration, each command's orchestration and the one error type.

pub mod checks;
pub mod config;
pub mod error;
pub mod init;
pub mod mail;
pub mod pipeline;
pub mod plan_file;
pub mod report;
pub mod split;
pub mod track;
