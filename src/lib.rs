//! `plan` compiles a sales-target plan from spreadsheets.
//!
//! Data flows one way: [`input`] reads the input tables into the [`engine`]'s
//! model, [`engine::plan::make_plan`] computes an exact plan (pure: no files,
//! no clock), [`render`] turns it into bytes and [`store`] writes the output
//! folder atomically. [`cli`] parses flags and turns outcomes into exit codes.

// A `Problem` carries its whole location; errors are rare, so its size is no cost.
#![allow(clippy::result_large_err)]

pub mod app;

pub mod engine;
pub mod folder;
pub mod input;
pub mod mail;
pub mod os;
pub mod render;
pub mod store;
