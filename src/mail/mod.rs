//! `plan mail`'s edges: the messages built from letters, and the SMTP client.

pub mod message;
pub mod smtp;
