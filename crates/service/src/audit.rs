//! The audit trail (全过程管理, 国发〔2016〕51号 第十四条、第二十条): every use case that changes
//! or reads something calls [`record`]. Events are appended in batches by one writer task per
//! process (group commit: whatever arrived while the previous batch was being written goes into
//! the next transaction), each with its position in an RFC 6962 Merkle log; the writer keeps the
//! log's frontier and signs a checkpoint (Ed25519, the platform key) at most every second or every
//! [`CHECKPOINT_EVERY`] events. [`verify`] recomputes everything and names the first entry that
//! was edited, removed or reordered, or the tail that was cut off.

use std::sync::{Arc, OnceLock};

use base64::Engine;
use chrono::{DateTime, Utc};
use domain::account::{Action, Actor};
use ledger::{Checkpoint, Hash, MerkleLog, SignedCheckpoint, SigningKey, VerifyingKey};
use serde_json::Value;
use store::Store;
use store::model::{AuditEvent, AuditFilter, AuditLeaf, NewAuditEvent, Page, PageRequest, StoredCheckpoint};
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::{Result, ServiceError, Services};

/// A checkpoint is signed after this many new events even within the same second.
pub const CHECKPOINT_EVERY: i64 = 4096;
/// The largest batch one transaction writes.
const MAX_BATCH: usize = 1024;
/// The origin line of this platform's checkpoints.
pub const ORIGIN: &str = "govshare/audit";

/// Appends one event. `action` is `object.verb`, e.g. `resource.publish`. Returns the event id
/// once it is stored (with its leaf) — a request never succeeds with its audit event lost. An
/// event of a system account names the system in its detail (`"system": {"id", "name"}`), so
/// every read a business system makes is attributed to it.
pub async fn record(
    svc: &Services,
    actor: Option<&Actor>,
    action: &str,
    object_type: &str,
    object_id: Option<String>,
    mut detail: Value,
) -> Result<i64> {
    if let (Some(s), Some(d)) = (actor.and_then(|a| a.system.as_ref()), detail.as_object_mut()) {
        d.insert("system".to_string(), serde_json::json!({"id": s.id, "name": s.name}));
    }
    let event = NewAuditEvent {
        at: svc.clock.now(),
        user_id: actor.map(|a| a.user_id),
        username: actor.map(|a| a.username.clone()),
        department_id: actor.map(|a| a.department_id),
        action: action.to_string(),
        object_type: object_type.to_string(),
        object_id,
        detail,
    };
    svc.audit.append(&svc.store, event).await
}

/// The audit trail, for auditors (三员分立: not for admins).
pub async fn list(svc: &Services, actor: &Actor, filter: &AuditFilter, page: PageRequest) -> Result<Page<AuditEvent>> {
    actor.authorize(Action::ReadAudit, None)?;
    Ok(svc.store.list_audit(filter, page).await?)
}

struct Job {
    event: NewAuditEvent,
    reply: oneshot::Sender<std::result::Result<i64, String>>,
}

/// The process's audit writer and Merkle frontier. Cheap to clone.
#[derive(Clone)]
pub struct AuditLedger {
    inner: Arc<Inner>,
}

struct Inner {
    key: SigningKey,
    sender: OnceLock<mpsc::Sender<Job>>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// None until loaded from the store (latest checkpoint + leaves after it).
    log: Option<MerkleLog>,
    checkpointed: i64,
    checkpointed_at: Option<DateTime<Utc>>,
}

impl AuditLedger {
    /// A ledger signing with `key` (the platform key, kept in the data directory).
    pub fn new(key: SigningKey) -> AuditLedger {
        AuditLedger { inner: Arc::new(Inner { key, sender: OnceLock::new(), state: Mutex::new(State::default()) }) }
    }

    /// A ledger with a fresh random key (tests, throwaway demos).
    pub fn ephemeral() -> AuditLedger {
        let mut secret = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut secret);
        AuditLedger::new(ledger::signing_key_from_bytes(&secret))
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.inner.key.verifying_key()
    }

    async fn append(&self, store: &Arc<dyn Store>, event: NewAuditEvent) -> Result<i64> {
        let sender = self.inner.sender.get_or_init(|| {
            let (tx, rx) = mpsc::channel(8192);
            tokio::spawn(writer(self.clone(), store.clone(), rx));
            tx
        });
        let (reply, answer) = oneshot::channel();
        let internal = |m: String| ServiceError::Internal(m.into());
        sender.send(Job { event, reply }).await.map_err(|_| internal("audit writer stopped".into()))?;
        answer.await.map_err(|_| internal("audit writer dropped the event".into()))?.map_err(internal)
    }

    /// Loads the frontier on first use: the latest checkpoint's, then the leaves after it. Events
    /// recorded before the log existed are given positions first.
    async fn ensure_loaded<'a>(&self, store: &Arc<dyn Store>, st: &'a mut State) -> Result<&'a mut MerkleLog> {
        if st.log.is_none() {
            loop {
                let ids = store.unlogged_audit_events(10_000).await?;
                if ids.is_empty() {
                    break;
                }
                store.log_audit_events(&ids).await?;
            }
            let (log, size) = match store.latest_audit_checkpoint().await? {
                Some(c) => {
                    let log: MerkleLog = serde_json::from_str(&c.frontier)
                        .map_err(|e| ServiceError::Internal(format!("bad checkpoint frontier: {e}").into()))?;
                    (log, c.tree_size)
                }
                None => (MerkleLog::new(), 0),
            };
            st.checkpointed = size;
            st.log = Some(log);
        }
        let log = st.log.as_mut().ok_or_else(|| ServiceError::Internal("audit log not loaded".into()))?;
        Ok(log)
    }

    /// Adds leaves the writer just stored (catching up on other writers' leaves first) and signs a
    /// checkpoint when one is due.
    async fn absorb(&self, store: &Arc<dyn Store>, leaves: &[AuditLeaf], now: DateTime<Utc>) -> Result<()> {
        let mut st = self.inner.state.lock().await;
        let log = self.ensure_loaded(store, &mut st).await?;
        let mut size = log.size() as i64;
        for leaf in leaves {
            if leaf.seq <= size {
                continue; // already read while catching up
            }
            while leaf.seq > size + 1 {
                let more = store.audit_leaves_after(size, 10_000).await?;
                if more.is_empty() {
                    return Err(ServiceError::Internal(format!("audit log gap after {size}").into()));
                }
                for l in more.iter().take_while(|l| l.seq < leaf.seq) {
                    log.append(l.leaf_hash);
                }
                size = log.size() as i64;
            }
            log.append(leaf.leaf_hash);
            size += 1;
        }
        let due = size - st.checkpointed >= CHECKPOINT_EVERY
            || st.checkpointed_at.is_none_or(|t| (now - t).num_milliseconds() >= 1000);
        if due && size > st.checkpointed {
            self.checkpoint_locked(store, &mut st, now).await?;
        }
        Ok(())
    }

    async fn checkpoint_locked(&self, store: &Arc<dyn Store>, st: &mut State, now: DateTime<Utc>) -> Result<()> {
        let log = self.ensure_loaded(store, st).await?;
        // Catch up on leaves other writers appended.
        loop {
            let more = store.audit_leaves_after(log.size() as i64, 10_000).await?;
            if more.is_empty() {
                break;
            }
            for l in more {
                if l.seq == log.size() as i64 + 1 {
                    log.append(l.leaf_hash);
                }
            }
        }
        let size = log.size() as i64;
        // Nothing new since the last checkpoint (e.g. a one-shot command that recorded nothing).
        if size == 0 || size == st.checkpointed {
            return Ok(());
        }
        let log = st.log.as_ref().ok_or_else(|| ServiceError::Internal("audit log not loaded".into()))?;
        let cp = Checkpoint {
            tree_size: size as u64,
            root: log.root(),
            timestamp: store::time::fmt(now),
            origin: ORIGIN.to_string(),
        };
        let signed = ledger::sign(&self.inner.key, &cp).map_err(|e| ServiceError::Internal(Box::new(e)))?;
        let frontier = serde_json::to_string(log).map_err(|e| ServiceError::Internal(Box::new(e)))?;
        store
            .append_audit_checkpoint(&StoredCheckpoint {
                tree_size: size,
                root: cp.root.to_string(),
                at: cp.timestamp.clone(),
                origin: cp.origin.clone(),
                key_id: signed.key_id.clone(),
                signature: base64::engine::general_purpose::STANDARD.encode(signed.signature),
                frontier,
            })
            .await?;
        st.checkpointed = size;
        st.checkpointed_at = Some(now);
        Ok(())
    }

    /// Signs a checkpoint over everything stored now (before a verification, at shutdown).
    pub async fn checkpoint_now(&self, store: &Arc<dyn Store>, now: DateTime<Utc>) -> Result<i64> {
        let mut st = self.inner.state.lock().await;
        self.checkpoint_locked(store, &mut st, now).await?;
        Ok(st.checkpointed)
    }
}

/// The writer task: group commit of whatever is waiting, up to [`MAX_BATCH`] events.
async fn writer(ledger: AuditLedger, store: Arc<dyn Store>, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let events: Vec<NewAuditEvent> = jobs.iter().map(|j| j.event.clone()).collect();
        match store.append_audit_batch(&events).await {
            Ok(leaves) => {
                // Checkpoints are timed and stamped by the wall clock (events carry the service clock).
                let now = Utc::now();
                if let Err(e) = ledger.absorb(&store, &leaves, now).await {
                    // The events are stored with their leaves; only the checkpoint is late.
                    tracing::warn!(error = %e, "audit checkpoint failed");
                }
                for (job, leaf) in jobs.into_iter().zip(leaves) {
                    let _ = job.reply.send(Ok(leaf.event_id));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "audit append failed");
                for job in jobs {
                    let _ = job.reply.send(Err(format!("audit append failed: {e}")));
                }
            }
        }
    }
}

/// The outcome of a verification.
#[derive(Debug)]
pub struct Verification {
    pub entries: u64,
    pub checkpoints: usize,
    /// Entries covered by the last checkpoint (later ones are only chained, not yet signed).
    pub checkpointed: u64,
    pub root: Hash,
}

/// Why the log does not verify, in words a clerk can act on.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{0}")]
    Ledger(#[from] ledger::VerifyFailure),
    #[error("第{seq}条审计记录（编号{event_id}）已被删除，但其日志位置仍在")]
    EventMissing { seq: i64, event_id: i64 },
    #[error("审计记录（编号{0}）没有进入防篡改日志：它是绕过平台直接写入数据库的")]
    Unlogged(i64),
    #[error("第{0}个检查点已损坏，无法读取")]
    BadCheckpoint(usize),
    #[error("{0}")]
    Store(String),
}

/// Recomputes every leaf from the events as stored, replays the Merkle log and checks every
/// signed checkpoint with `key` (pin the platform's public key to detect a replaced key file).
pub async fn verify(store: &Arc<dyn Store>, key: &VerifyingKey) -> std::result::Result<Verification, VerifyError> {
    let st = |e: store::StoreError| VerifyError::Store(e.to_string());
    if let Some(id) = store.unlogged_audit_events(1).await.map_err(st)?.first() {
        return Err(VerifyError::Unlogged(*id));
    }
    let mut checkpoints = Vec::new();
    for (i, c) in store.audit_checkpoints().await.map_err(st)?.into_iter().enumerate() {
        checkpoints.push(parse_checkpoint(&c).ok_or(VerifyError::BadCheckpoint(i + 1))?);
    }
    // Replayed page by page: memory stays flat however long the log.
    let mut verifier = ledger::LogVerifier::new(&checkpoints, key)?;
    let mut after = 0i64;
    loop {
        let page = store.ledger_entries(after, 20_000).await.map_err(st)?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for e in page {
            // A stored value that is not even a hash cannot match anything.
            let stored: Hash = e.stored_leaf.parse().unwrap_or(Hash([0; 32]));
            let recomputed = match e.recomputed_leaf {
                Some(h) => h,
                None => return Err(VerifyError::EventMissing { seq: e.seq, event_id: e.event_id }),
            };
            verifier.push(e.seq.max(0) as u64, stored, recomputed)?;
        }
    }
    let report = verifier.finish()?;
    Ok(Verification {
        entries: report.entries_checked,
        checkpoints: report.checkpoints_checked,
        checkpointed: report.checkpointed_size,
        root: report.final_root,
    })
}

fn parse_checkpoint(c: &StoredCheckpoint) -> Option<SignedCheckpoint> {
    let sig = base64::engine::general_purpose::STANDARD.decode(&c.signature).ok()?;
    Some(SignedCheckpoint {
        checkpoint: Checkpoint {
            tree_size: u64::try_from(c.tree_size).ok()?,
            root: c.root.parse().ok()?,
            timestamp: c.at.clone(),
            origin: c.origin.clone(),
        },
        signature: sig.try_into().ok()?,
        key_id: c.key_id.clone(),
    })
}
