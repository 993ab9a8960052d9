//! The demo city (示例市): departments, categories, catalogue entries, accounts, data and share
//! applications and grants, seeded through the same use cases a clerk's actions go through, then
//! served.

mod apps;
pub mod city;
mod elements;
mod open;
mod seed;
mod sharing;
pub mod synth;

use std::path::PathBuf;

use anyhow::{Context, bail};

use crate::config::{DemoArgs, StoreArgs};

/// One account of the demo, as written to `demo-accounts.json`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DemoAccount {
    pub role: String,
    pub department: String,
    pub username: String,
    pub token: String,
    /// Shown in the printed table.
    #[serde(default)]
    pub featured: bool,
}

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let listen = crate::config::parse_listen(&args.listen)?;
    let dir = match args.data {
        Some(d) => d,
        None => fresh_dir()?,
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("无法创建数据目录 {}", dir.display()))?;
    let accounts_file = dir.join("demo-accounts.json");
    let store_args = StoreArgs {
        data: dir.clone(),
        database_url: None,
        calendars: Vec::new(),
        datasets_url: None,
        code_scheme: "guide-2017".into(),
    };
    let svc = crate::commands::services(&store_args).await?;
    let accounts: Vec<DemoAccount> = if accounts_file.exists() {
        let text = std::fs::read_to_string(&accounts_file)?;
        serde_json::from_str(&text).with_context(|| format!("{} 已损坏", accounts_file.display()))?
    } else {
        if svc.store.count_users().await? > 0 {
            bail!("数据目录 {} 已有数据但不是示例数据，请换一个空目录", dir.display());
        }
        eprintln!("正在生成示例市数据……");
        let accounts = seed::seed(&svc, &dir).await?;
        std::fs::write(&accounts_file, serde_json::to_vec_pretty(&accounts)?)?;
        accounts
    };
    println!("示例市数据目录：{}", dir.display());
    println!("{}", sharing::summary(&svc).await?);
    println!("示例账号（全部账号及令牌见 {}）：", accounts_file.display());
    for a in accounts.iter().filter(|a| a.featured) {
        println!("  {:<14} {:<28} {:<16} {}", a.role, a.department, a.username, a.token);
    }
    println!("示例账号的网页登录密码均为：{}", seed::DEMO_PASSWORD);
    println!(
        "试一试：curl -H 'Authorization: Bearer <令牌>' 'http://{listen}/api/v1/resources?share_type=conditional'"
    );
    if args.no_serve {
        // Sign everything the seeding appended, so that a cut-off tail is detectable.
        svc.audit.checkpoint_now(&svc.store, chrono::Utc::now()).await?;
        return Ok(());
    }
    crate::commands::serve(listen, svc).await
}

fn fresh_dir() -> anyhow::Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let base = std::env::temp_dir();
    for i in 0..100 {
        let p = base.join(format!("govshare-demo-{stamp}-{i}"));
        if !p.exists() {
            return Ok(p);
        }
    }
    bail!("无法在 {} 下创建新的示例数据目录", base.display())
}
