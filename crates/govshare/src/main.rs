//! The `govshare` binary: one executable, a subcommand per job. Each subcommand parses its
//! arguments into a checked configuration and calls the `service` use cases — never the HTTP API.

mod commands;
mod config;
mod demo;

use clap::Parser;

/// mimalloc keeps freed memory for reuse: an ingest allocates and frees its row groups' arrays
/// block after block, and the system allocator returned them to the kernel each time, which then
/// zeroed fresh pages for the next block (a twentieth of the ingest's CPU).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = config::Cli::parse();
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(commands::run(cli.command)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
