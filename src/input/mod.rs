//! Reading input files: the one safe way to open them.

pub mod open;
