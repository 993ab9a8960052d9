//! The use cases of govshare run end to end on a real SQLite store in a tempdir, with a fixed
//! clock: the catalogue lifecycle, code rules, permissions (三员分立 included), validation,
//! optimistic concurrency, catalogue currency (第八条), tokens and passwords, import and the audit
//! trail.

mod world;

#[tokio::test]
async fn smoke() {
    let t = std::time::Instant::now();
    let _w = world::World::new().await;
    eprintln!("world in {:?}", t.elapsed());
}
