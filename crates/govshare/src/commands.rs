//! What each subcommand does.

use std::sync::Arc;

use anyhow::{Context, bail};
use domain::account::{Actor, Role};
use service::Services;
use service::accounts::{self, PlatformIdentity, UserInput};
use service::interchange_io::{self, ImportMode};

use crate::config::{
    self, AdminCommand, AuditCommand, CalendarCommand, CatalogCommand, Command, SearchCommand, StoreArgs,
};

/// Opens the store and builds the services with the configured calendar.
pub async fn services(args: &StoreArgs) -> anyhow::Result<Services> {
    let url = args.database_url()?;
    let store = store::open(&url).await.with_context(|| "无法打开元数据库".to_string())?;
    let datasets = match &args.datasets_url {
        Some(url) => data::storage::DatasetStorage::from_url(url).context("数据集存储配置有误")?,
        None => data::storage::DatasetStorage::local(&args.data)
            .with_context(|| format!("无法使用数据目录 {}", args.data.display()))?,
    };
    let key = audit_key(&args.data)?;
    let settings = service::Settings { spool_dir: Some(args.data.join("tmp")), ..service::Settings::default() };
    let mut svc = Services::new(store)
        .with_datasets(datasets)
        .with_audit_key(key)
        .with_settings(settings)
        .with_search_dir(&args.data.join(SEARCH_DIR));
    svc.calendar = Arc::new(args.calendar()?);
    let scheme = domain::catalog::code::scheme_by_name(&args.code_scheme)
        .with_context(|| format!("编码方案“{}”无效，可选：guide-2017、gbt21063-5", args.code_scheme))?;
    svc.scheme = Arc::from(scheme);
    Ok(svc)
}

/// Removes spooled uploads left in `dir` by a killed process.
fn clear_spool(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut removed = 0;
    for e in entries.flatten() {
        if e.file_type().is_ok_and(|t| t.is_file()) && std::fs::remove_file(e.path()).is_ok() {
            removed += 1;
        }
    }
    if removed > 0 {
        tracing::info!(count = removed, dir = %dir.display(), "removed spooled uploads of a previous run");
    }
}

/// The catalogue's search index, in the data directory.
pub const SEARCH_DIR: &str = "search";

/// The file of the platform's audit signing key, in the data directory.
pub const AUDIT_KEY_FILE: &str = "audit-signing.key";

/// Loads the platform's Ed25519 audit key, creating it (readable by the owner only) on first use.
fn audit_key(data: &std::path::Path) -> anyhow::Result<ledger::SigningKey> {
    let path = data.join(AUDIT_KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            ledger::signing_key_from_text(&text).with_context(|| format!("审计签名密钥文件 {} 已损坏", path.display()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data).with_context(|| format!("无法创建数据目录 {}", data.display()))?;
            let mut secret = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rng(), &mut secret);
            let key = ledger::signing_key_from_bytes(&secret);
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let mut f = opts.open(&path).with_context(|| format!("无法创建审计签名密钥文件 {}", path.display()))?;
            std::io::Write::write_all(&mut f, ledger::signing_key_to_text(&key).as_bytes())?;
            Ok(key)
        }
        Err(e) => Err(e).with_context(|| format!("无法读取审计签名密钥文件 {}", path.display())),
    }
}

pub async fn run(cmd: Command) -> anyhow::Result<()> {
    match cmd {
        Command::Serve(args) => {
            let listen = config::parse_listen(&args.listen)?;
            let identity = PlatformIdentity {
                name: args.platform_name.clone(),
                level: config::parse_level(&args.platform_level)?,
                region_code: args.region_code.clone(),
            };
            let svc = services(&args.store).await?;
            if let Some(b) = accounts::bootstrap(&svc, &identity).await? {
                println!("首次启动：已创建平台管理员（仅显示这一次，请妥善保存）");
                println!("  用户名：{}", b.username);
                println!("  密码：  {}", b.password);
                println!("  令牌：  {}", b.token);
            }
            // Uploads spooled by a process that was killed (this data directory's own spool:
            // nothing else writes there while this server starts).
            clear_spool(&args.store.data.join("tmp"));
            // Files left by publishes that were killed more than an hour ago (younger ones may
            // belong to a publish still running on another node).
            let sweeper = svc.clone();
            tokio::spawn(async move {
                match service::datasets::sweep_orphans(&sweeper, std::time::Duration::from_secs(3600)).await {
                    Ok(removed) if !removed.is_empty() => {
                        tracing::info!(count = removed.len(), "removed orphan dataset files")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "orphan sweep failed"),
                }
            });
            serve(listen, svc).await
        }
        Command::Demo(args) => crate::demo::run(args).await,
        Command::Admin { command: AdminCommand::CreateUser { store, username, name, department, roles, password } } => {
            let svc = services(&store).await?;
            let outcome = async {
                svc.store.seed_categories(&domain::catalog::category::guide_categories()).await?;
                let dept = find_department(&svc, &department).await?;
                let roles = roles
                    .iter()
                    .map(|r| Role::parse(r).with_context(|| format!("角色“{r}”无效，可选：{}", Role::expected())))
                    .collect::<anyhow::Result<Vec<Role>>>()?;
                let user = accounts::create_user_unchecked(
                    &svc,
                    UserInput { username, display_name: name, department_id: dept, roles, password },
                )
                .await?;
                let token = accounts::issue_token_unchecked(&svc, user.id, "命令行创建", None).await?;
                service::audit::record(
                    &svc,
                    None,
                    "user.create",
                    "user",
                    Some(user.id.to_string()),
                    serde_json::json!({"via": "cli", "username": user.username}),
                )
                .await?;
                println!("已创建用户 {}（编号 {}），访问令牌（仅显示这一次）：", user.username, user.id);
                println!("{}", token.secret);
                Ok::<(), anyhow::Error>(())
            }
            .await;
            sign_audit(&svc, outcome).await
        }
        Command::Catalog { command: CatalogCommand::Import { store, file, items, as_user, mode } } => {
            let svc = services(&store).await?;
            let outcome = catalog_import(&svc, file, items, &as_user, &mode).await;
            sign_audit(&svc, outcome).await
        }
        Command::Catalog { command: CatalogCommand::Export { store, out, as_user, sheet } } => {
            let svc = services(&store).await?;
            let actor = actor_of(&svc, &as_user).await?;
            let entries = interchange_io::export_entries(&svc, &actor, Default::default()).await?;
            let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
            let bytes = match ext.as_str() {
                "xlsx" => interchange::export_xlsx(&entries)?,
                "json" => interchange::export_json(&entries),
                "csv" => {
                    let sheet = match sheet.as_str() {
                        "resources" => interchange::Sheet::Resources,
                        "items" => interchange::Sheet::Items,
                        other => bail!("sheet“{other}”无效，可选：resources、items"),
                    };
                    interchange::export_csv(&entries, sheet)
                }
                _ => bail!("请以 .xlsx、.csv 或 .json 作为输出文件扩展名"),
            };
            std::fs::write(&out, bytes).with_context(|| format!("无法写入 {}", out.display()))?;
            println!("已导出{}条目录到 {}", entries.len(), out.display());
            Ok(())
        }
        Command::Calendar { command: CalendarCommand::Deadline { store, from, days } } => {
            let cal = store.calendar()?;
            let from = chrono::NaiveDate::parse_from_str(&from, "%Y-%m-%d")
                .with_context(|| format!("日期“{from}”应为 YYYY-MM-DD"))?;
            println!("{}", cal.add_working_days(from, days)?);
            Ok(())
        }
        Command::Import(args) => import_data(args).await,
        Command::Trace(args) => trace_file(args).await,
        Command::Openapi => {
            println!("{}", server::openapi_json());
            Ok(())
        }
        Command::Synth(args) => {
            let spec = if args.table == "population" {
                None
            } else {
                let svc = services(&args.store).await?;
                let r = svc.store.get_resource_by_code(&args.table).await.with_context(|| {
                    format!("数据目录 {} 中找不到编码为“{}”的目录", args.store.data.display(), args.table)
                })?;
                if r.spec.data_items.is_empty() {
                    bail!("目录“{}”没有信息项，无法生成数据", args.table);
                }
                Some(r.spec)
            };
            if let Some(path) = &args.items_json {
                let items = spec.as_ref().map_or_else(crate::demo::synth::population_items, |s| s.data_items.clone());
                std::fs::write(path, serde_json::to_vec_pretty(&items)?)
                    .with_context(|| format!("无法写入 {}", path.display()))?;
            }
            let started = std::time::Instant::now();
            // write_csv buffers on its own.
            let out = std::fs::File::create(&args.out).with_context(|| format!("无法写入 {}", args.out.display()))?;
            let (rows, seed) = (args.rows, args.seed);
            tokio::task::spawn_blocking(move || match spec {
                None => crate::demo::synth::write_csv(&crate::demo::synth::population_items(), rows, seed, out),
                Some(spec) => crate::demo::synth::write_resource_csv(&spec, rows, seed, out),
            })
            .await?
            .with_context(|| format!("无法生成 {}", args.out.display()))?;
            println!("已生成{rows}行数据到 {}（用时{:.1}秒）", args.out.display(), started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::Search { command: SearchCommand::Rebuild { store } } => {
            let svc = services(&store).await?;
            let started = std::time::Instant::now();
            let n = service::search::rebuild(&svc).await.context("重建目录索引失败")?;
            println!("目录索引已重建：{n}条目录（用时{:.1}秒）", started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::Audit { command: AuditCommand::Key { store } } => {
            let key = audit_key(&store.data)?.verifying_key();
            println!("审计公钥：{}", ledger::verifying_key_to_text(&key));
            println!("密钥编号：{}", ledger::key_id(&key));
            Ok(())
        }
        Command::Audit { command: AuditCommand::Verify { store, public_key } } => {
            let svc = services(&store).await?;
            let key = match public_key {
                Some(k) => ledger::verifying_key_from_text(&k).context("公钥格式有误（应为64位十六进制）")?,
                None => svc.audit.verifying_key(),
            };
            match service::audit::verify(&svc.store, &key).await {
                Ok(v) => {
                    println!(
                        "审计日志完整：共{}条记录，{}个签名检查点均有效（已签名覆盖前{}条），根哈希 {}",
                        v.entries, v.checkpoints, v.checkpointed, v.root
                    );
                    Ok(())
                }
                Err(e) => bail!("审计日志校验失败：{e}"),
            }
        }
        Command::Migrate(store) => {
            let svc = services(&store).await?;
            svc.store.seed_categories(&domain::catalog::category::guide_categories()).await?;
            println!("数据库已是最新结构（{}）", svc.store.backend());
            Ok(())
        }
    }
}

/// `govshare catalog import`: the same import as the API's upload, from a file on disk.
async fn catalog_import(
    svc: &Services,
    file: std::path::PathBuf,
    items: Option<std::path::PathBuf>,
    as_user: &str,
    mode: &str,
) -> anyhow::Result<()> {
    let actor = actor_of(svc, as_user).await?;
    let bytes = std::fs::read(&file).with_context(|| format!("无法读取 {}", file.display()))?;
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let parsed = match ext.as_str() {
        "xlsx" => interchange::import_xlsx(&bytes),
        "json" => interchange::import_json(&bytes),
        "csv" => {
            let items =
                items.map(|p| std::fs::read(&p).with_context(|| format!("无法读取 {}", p.display()))).transpose()?;
            interchange::import_csv(&bytes, items.as_deref())
        }
        _ => bail!("无法判断文件格式：请使用 .xlsx、.csv 或 .json 文件"),
    };
    let mode = match mode {
        "all_or_nothing" => ImportMode::AllOrNothing,
        "valid_only" => ImportMode::ValidRowsOnly,
        "dry_run" => ImportMode::DryRun,
        other => bail!("导入方式“{other}”无效，可选：all_or_nothing、valid_only、dry_run"),
    };
    let report = interchange_io::import(svc, &actor, None, parsed, mode).await?;
    for e in &report.errors {
        println!("{} 第{}行 {}：{}", e.sheet, e.row, e.column.as_deref().unwrap_or(""), e.message);
    }
    println!(
        "共{}行，导入{}条，错误{}处{}",
        report.rows,
        report.imported.len(),
        report.errors.len(),
        if report.committed { "" } else { "（未写入任何数据）" }
    );
    if !report.errors.is_empty() && !report.committed {
        bail!("文件有错误，未导入");
    }
    Ok(())
}

/// Signs a checkpoint over what a one-shot command appended to the audit log, whether it
/// succeeded or not, so that a tail cut off after it is detected by `govshare audit verify`
/// at once rather than only after the next `serve` signs (as `serve` and `demo` do at exit).
async fn sign_audit<T>(svc: &Services, outcome: anyhow::Result<T>) -> anyhow::Result<T> {
    let signed = svc.audit.checkpoint_now(&svc.store, chrono::Utc::now()).await;
    match (outcome, signed) {
        (Ok(v), Ok(_)) => Ok(v),
        (Ok(_), Err(e)) => Err(anyhow::Error::from(e).context("无法签署审计检查点")),
        (Err(e), Err(s)) => {
            tracing::warn!(error = %s, "audit checkpoint failed");
            Err(e)
        }
        (Err(e), Ok(_)) => Err(e),
    }
}

/// `govshare import`: the same publish as the API's upload, from a file on disk.
async fn import_data(args: crate::config::ImportArgs) -> anyhow::Result<()> {
    let svc = services(&args.store).await?;
    let outcome = publish_file(&svc, args).await;
    sign_audit(&svc, outcome).await
}

async fn publish_file(svc: &Services, args: crate::config::ImportArgs) -> anyhow::Result<()> {
    use data::input::{Encoding, InputFormat, InputOptions};
    let actor = actor_of(svc, &args.as_user).await?;
    let format = match &args.format {
        Some(f) => InputFormat::parse(f)
            .with_context(|| format!("文件格式“{f}”无效，可选：csv、xlsx、json、ndjson、parquet"))?,
        None => args
            .file
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(InputFormat::from_name)
            .context("无法从文件名判断格式，请用 --format 指明")?,
    };
    let encoding = match args.encoding.as_deref() {
        None => None,
        Some(e) => Some(Encoding::parse(e).with_context(|| format!("编码“{e}”无效，可选：utf-8、gb18030"))?),
    };
    let mode = data::publish::PublishMode::parse(&args.mode)
        .with_context(|| format!("发布方式“{}”无效，可选：replace、append、upsert", args.mode))?;
    if !args.file.is_file() {
        bail!("找不到文件 {}", args.file.display());
    }
    let upload = service::datasets::Upload {
        path: args.file.clone(),
        options: InputOptions { encoding, ..InputOptions::new(format) },
        mode,
        accept_valid: args.accept_valid,
    };
    let outcome = service::datasets::publish(svc, &actor, &args.resource, upload).await?;
    for r in &outcome.report.first {
        println!("第{}行 {}：{}", r.row, r.column.as_deref().unwrap_or(""), r.reason);
    }
    match (&outcome.version, &outcome.refused) {
        (Some(v), _) => {
            println!(
                "已发布数据版本 {}：共{}行（本次接受{}行，拒绝{}行）",
                v.version, v.row_count, outcome.accepted_rows, outcome.report.total_rejected_rows
            );
            Ok(())
        }
        (None, Some(reason)) => bail!("{reason}"),
        (None, None) => bail!("未发布数据"),
    }
}

/// `govshare trace`: which download a leaked file came from.
async fn trace_file(args: crate::config::TraceArgs) -> anyhow::Result<()> {
    let svc = services(&args.store).await?;
    let outcome = trace_with(&svc, args).await;
    sign_audit(&svc, outcome).await
}

async fn trace_with(svc: &Services, args: crate::config::TraceArgs) -> anyhow::Result<()> {
    let actor = actor_of(svc, &args.as_user).await?;
    if !args.file.is_file() {
        bail!("找不到文件 {}", args.file.display());
    }
    let matches = service::trace::trace(svc, &actor, &args.file, args.resource.as_deref()).await?;
    let Some(first) = matches.first() else {
        println!("没有可比较的下载记录：文件表头不含任何一次下载记录的键列（如公民身份号码），或尚无下载记录。");
        return Ok(());
    };
    let rows = first.score.rows;
    println!("文件共比较{rows}行，与{}次下载的指纹作了比对。", matches.len());
    let found: Vec<&service::trace::TraceMatch> = matches.iter().filter(|m| m.attributed).collect();
    if found.is_empty() {
        if rows < data::fingerprint::MIN_ROWS {
            println!("文件只有{rows}行可比较，至少需要{}行才能认定来源。", data::fingerprint::MIN_ROWS);
        }
        println!(
            "没有下载与该文件匹配（最接近的是下载 #{}，偶然如此的概率上限 1e{:.0}，未达到 1e-9 的认定标准）。",
            first.download.id, first.score.log10_p
        );
        return Ok(());
    }
    let cst = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    for m in found {
        let d = &m.download;
        println!("该文件来自下载 #{}：", d.id);
        println!("  资源：{} {}（数据版本 {}，{} 格式）", m.resource_code, m.resource_name, d.version, d.format);
        println!("  下载人：{}（{}），部门：{}", m.user_display_name, m.username, m.department);
        match d.grant_id {
            Some(g) => println!("  依据授权：#{g}"),
            None => println!("  依据授权：无（无条件共享或本部门数据）"),
        }
        println!("  下载时间：{}（北京时间）", d.at.with_timezone(&cst).format("%Y-%m-%d %H:%M:%S"));
        let s = &m.score;
        println!(
            "  证据：{}行中相邻且键值不同的{}对里有{}对按该下载的指纹升序，平均连续升序{:.1}行；若文件与该下载无关，如此的概率不超过 1e{:.0}",
            s.rows, s.pairs, s.ascending_pairs, s.mean_run_length, s.log10_p
        );
    }
    Ok(())
}

/// Serves until Ctrl-C.
pub async fn serve(listen: std::net::SocketAddr, svc: Services) -> anyhow::Result<()> {
    let listener =
        tokio::net::TcpListener::bind(listen).await.with_context(|| format!("无法监听 {listen}（端口被占用？）"))?;
    let addr = listener.local_addr()?;
    println!("govshare 已启动：http://{addr}  （接口文档 http://{addr}/api/openapi.json）");
    // The sharing watch (第十二条): recompute provisional deadlines once the calendar covers them,
    // escalate applications past their reply deadline and record expired grants, at start and
    // every ten minutes.
    if let Some(warning) = service::deadlines::calendar_warning(&svc) {
        tracing::warn!(last_year = svc.calendar.last_year(), "{warning}");
    }
    let watcher = svc.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            match service::sharing::sweep(&watcher).await {
                Ok(w) if !w.deadlines.is_empty() || !w.escalated.is_empty() || !w.expired.is_empty() => {
                    tracing::info!(
                        deadlines = w.deadlines.len(),
                        escalated = w.escalated.len(),
                        expired = w.expired.len(),
                        "sharing watch"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "sharing watch failed"),
            }
        }
    });
    // The catalogue index catches up with the store (a crash between a catalogue change and its
    // index update, changes made by one-shot commands or by other nodes), at start and every minute.
    let n =
        service::search::reconcile(&svc).await.context("无法打开目录索引（是否有另一个进程正在使用该数据目录？）")?;
    tracing::info!(indexed = n.indexed, removed = n.removed, total = n.total, "search index ready");
    let indexer = svc.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        tick.tick().await;
        loop {
            tick.tick().await;
            if let Err(e) = service::search::reconcile(&indexer).await {
                tracing::warn!(error = %e, "search index reconciliation failed");
            }
        }
    });
    let app = server::router(svc.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    // Sign what was appended since the last checkpoint, so that a cut-off tail is detectable.
    svc.audit.checkpoint_now(&svc.store, chrono::Utc::now()).await?;
    Ok(())
}

async fn find_department(svc: &Services, key: &str) -> anyhow::Result<i64> {
    if let Ok(id) = key.parse::<i64>() {
        return Ok(svc.store.get_department(id).await.with_context(|| format!("部门 {id} 不存在"))?.id);
    }
    match svc.store.find_department_by_code(key).await? {
        Some(d) => Ok(d.id),
        None => bail!("找不到代码为“{key}”的部门"),
    }
}

async fn actor_of(svc: &Services, username: &str) -> anyhow::Result<Actor> {
    let u = svc.store.find_user_by_username(username).await?.with_context(|| format!("用户“{username}”不存在"))?;
    if !u.active {
        bail!("用户“{username}”已停用");
    }
    accounts::actor_for(svc, u).await.with_context(|| format!("用户“{username}”所属的信息系统已停用"))
}
