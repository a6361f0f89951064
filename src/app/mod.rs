//! The application without the command line: the plan file, checked
//! configuration and each command's orchestration.

pub mod plan_file;
