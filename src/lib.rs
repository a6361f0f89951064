//! `plan` compiles a sales-target plan from spreadsheets.
//!
//! Data flows one way, left to right:
//!
//! ```text
//! input files ─▶ input ─▶ engine (pure) ─▶ render ─▶ bytes ─▶ store ─▶ the plan folder
//!                  │          model, plan,     plan.csv,          staging, swap,     │
//!                  │          layout, track    workbooks          locks, sent log    │
//!                  └──────── folder: the plan folder's files, manifest, plan.csv ◀───┘
//!                                                     mail ─▶ SMTP server / .eml files
//! ```
//!
//! [`app`] runs each command over these rooms (the plan file and flags
//! checked into a [`app::config::Config`], then split, check, track, mail or
//! init), with one [`app::error::Error`] whose kind gives the exit code.
//! [`os`] is the floor: the safe way to open a file to read. The command line
//! itself is the binary's (`src/cli`), not the library's. README "Layout"
//! gives the map and the allowed directions, which `tests/layers.rs` enforces.

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
