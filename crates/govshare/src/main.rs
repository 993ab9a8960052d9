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

/// `mi_option_purge_delay` in mimalloc.h (the same place in the v2 and v3 option lists;
/// libmimalloc-sys does not name it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long mimalloc keeps freed memory before returning it to the kernel. Its default, one
/// second, is shorter than the gap between two row groups of an ingest on a busy worker, so each
/// block's arrays (hundreds of MiB) went back to the kernel and came back as fresh pages it
/// zeroed again: on the 10-million-row benchmark that was 2 to 8 s of system time, varying run to
/// run, against 1.6 to 2 s with this delay (and about 1 s less wall time). Ten seconds covers the
/// gap, and an idle server still returns an upload's memory shortly after it ends.
const PURGE_DELAY_MS: std::ffi::c_long = 10_000;

fn keep_freed_memory_for_reuse() {
    // SAFETY: mi_option_set only stores an integer in mimalloc's option table; it may be called
    // at any time, from any thread, and the option is read afresh on each purge decision.
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS)
    };
}

fn main() -> std::process::ExitCode {
    keep_freed_memory_for_reuse();
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

#[cfg(test)]
mod tests {
    /// Option 15 is the purge delay: it holds mimalloc's default for it (1000 ms in v3, 10 ms in
    /// v2) unless the environment set another, so a renumbering in a newer mimalloc shows here.
    #[test]
    fn option_15_is_the_purge_delay() {
        #[allow(unsafe_code)]
        // SAFETY: reads an integer from mimalloc's option table.
        let value = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        let expected = match std::env::var("MIMALLOC_PURGE_DELAY") {
            Ok(v) => vec![v.parse().expect("MIMALLOC_PURGE_DELAY is a number")],
            Err(_) => vec![1000, 10],
        };
        assert!(expected.contains(&value), "option 15 is {value}, not the purge delay");
    }
}
