//! The `govshare` binary: one executable, a subcommand per job.

mod demo;

fn main() {}
