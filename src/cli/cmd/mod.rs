//! One file per command: its flags → the application → its summary.

pub mod check;
pub mod init;
pub mod mail;
pub mod split;
pub mod track;
