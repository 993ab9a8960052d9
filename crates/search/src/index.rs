//! The catalogue index: a tantivy index in a directory (or in memory for tests), written by one
//! writer at a time, read by any number of searches.
//!
//! The index is a derived copy of the store. Each commit records which entry versions it holds
//! (fast fields), so `service::search` can compare it with the store and catch up after a crash,
//! a restart or a change made by another node.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::AllQuery;
use tantivy::schema::Value;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term};

use crate::analyzer::{GRAMS, GramTokenizer, WORDS, WordTokenizer};
use crate::entry::{Entry, Summary};
use crate::error::SearchError;
use crate::facets::{Counts, Dimension, FacetCounter};
use crate::highlight::highlight;
use crate::query;
use crate::request::SearchRequest;
use crate::schema::{self, Fields};

/// Bumped when the schema or the analyzers change: an index of another layout is rebuilt.
const LAYOUT: &str = "govshare-catalog-3";
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

pub struct CatalogIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
}

/// One result row.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    #[serde(flatten)]
    pub entry: Summary,
    pub score: f32,
    /// The name with the query's terms in `<mark>`, HTML-escaped.
    pub name_html: String,
    /// Part of the summary around the first match, marked the same way.
    pub summary_html: String,
}

/// A page of results, with the total and the facet counts of all matching entries.
#[derive(Debug, Clone)]
pub struct Results {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Counts,
}

fn register(index: &Index) {
    index.tokenizers().register(WORDS, TextAnalyzer::from(WordTokenizer));
    index.tokenizers().register(GRAMS, TextAnalyzer::from(GramTokenizer));
}

fn writer_error(e: tantivy::TantivyError) -> SearchError {
    match e {
        tantivy::TantivyError::LockFailure(l, m) => SearchError::Locked(format!("{l:?} {}", m.unwrap_or_default())),
        e => SearchError::Index(e),
    }
}

impl CatalogIndex {
    /// Opens the index in `dir`, creating it (empty) when missing or of another layout.
    pub fn open(dir: &Path) -> Result<CatalogIndex, SearchError> {
        std::fs::create_dir_all(dir).map_err(|e| SearchError::Index(e.into()))?;
        let (schema, fields) = schema::build();
        let existing = Index::open_in_dir(dir).ok().filter(|i| {
            let payload = i.load_metas().ok().and_then(|m| m.payload);
            payload.as_deref() == Some(LAYOUT) && i.schema() == schema
        });
        let index = match existing {
            Some(i) => i,
            None => {
                // Another layout (or a damaged index): start empty; reconciliation fills it.
                for entry in std::fs::read_dir(dir).map_err(|e| SearchError::Index(e.into()))?.flatten() {
                    let p = entry.path();
                    let _ = if p.is_dir() { std::fs::remove_dir_all(&p) } else { std::fs::remove_file(&p) };
                }
                let d = MmapDirectory::open(dir).map_err(|e| SearchError::Index(e.into()))?;
                Index::create(d, schema, Default::default())?
            }
        };
        Self::with_index(index, fields)
    }

    /// An index in memory (tests, benchmarks).
    pub fn in_memory() -> Result<CatalogIndex, SearchError> {
        let (schema, fields) = schema::build();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    fn with_index(index: Index, fields: Fields) -> Result<CatalogIndex, SearchError> {
        register(&index);
        crate::analyzer::warm_up();
        let writer = index.writer(WRITER_MEMORY).map_err(writer_error)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let me = CatalogIndex { index, reader, writer: Mutex::new(writer), fields };
        if me.index.load_metas()?.payload.as_deref() != Some(LAYOUT) {
            me.commit(&mut me.lock())?;
        }
        Ok(me)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn commit(&self, w: &mut IndexWriter) -> Result<(), SearchError> {
        let mut prepared = w.prepare_commit()?;
        prepared.set_payload(LAYOUT);
        prepared.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Replaces these entries (by id) and removes `removed`, in one commit.
    pub fn apply(&self, upserts: &[Entry], removed: &[i64]) -> Result<(), SearchError> {
        let mut w = self.lock();
        for e in upserts {
            w.delete_term(Term::from_field_u64(self.fields.id, e.id as u64));
            w.add_document(e.to_document(&self.fields))?;
        }
        for id in removed {
            w.delete_term(Term::from_field_u64(self.fields.id, *id as u64));
        }
        self.commit(&mut w)
    }

    /// Empties the index and fills it with `entries`, in one commit: searches see the old index
    /// until the new one is complete.
    pub fn replace_all(&self, entries: impl IntoIterator<Item = Entry>) -> Result<usize, SearchError> {
        let mut w = self.lock();
        w.delete_all_documents()?;
        let mut n = 0;
        for e in entries {
            w.add_document(e.to_document(&self.fields))?;
            n += 1;
        }
        self.commit(&mut w)?;
        Ok(n)
    }

    /// The version of every entry the index holds, by id.
    pub fn versions(&self) -> Result<HashMap<i64, i64>, SearchError> {
        let searcher = self.reader.searcher();
        let mut out = HashMap::new();
        for segment in searcher.segment_readers() {
            let ids = segment.fast_fields().u64("id")?;
            let versions = segment.fast_fields().u64("version")?;
            for doc in segment.doc_ids_alive() {
                if let (Some(id), Some(v)) = (ids.first(doc), versions.first(doc)) {
                    out.insert(id as i64, v as i64);
                }
            }
        }
        Ok(out)
    }

    /// The version of one entry in the index.
    pub fn version_of(&self, id: i64) -> Result<Option<i64>, SearchError> {
        let searcher = self.reader.searcher();
        let q = tantivy::query::TermQuery::new(
            Term::from_field_u64(self.fields.id, id as u64),
            tantivy::schema::IndexRecordOption::Basic,
        );
        let docs = searcher.search(&q, &TopDocs::with_limit(1).order_by_fast_field::<u64>("version", Order::Desc))?;
        Ok(docs.first().and_then(|(v, _)| v.map(|v| v as i64)))
    }

    /// Number of entries indexed.
    pub fn len(&self) -> usize {
        self.reader.searcher().num_docs() as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs a search: one page of hits, the total and the facet counts.
    pub fn search(&self, req: &SearchRequest) -> Result<Results, SearchError> {
        req.check()?;
        let terms = query::terms(&req.q);
        let q = query::build(&self.fields, req, &terms);
        let searcher = self.reader.searcher();
        let facets = FacetCounter { fields: Dimension::ALL.iter().map(|d| (*d, d.field_name().to_string())).collect() };
        let top = TopDocs::with_limit(req.limit).and_offset(req.offset);
        let (addresses, total, facets): (Vec<(f32, DocAddress)>, usize, Counts) = if terms.is_empty() {
            // Browsing without words: newest entries first.
            let (docs, total, facets) =
                searcher.search(&q, &(top.order_by_fast_field::<u64>("id", Order::Desc), Count, facets))?;
            (docs.into_iter().map(|(_, a)| (0.0, a)).collect(), total, facets)
        } else {
            searcher.search(&q, &(top.order_by_score(), Count, facets))?
        };
        let needles = query::needles(&terms);
        let mut hits = Vec::with_capacity(addresses.len());
        for (score, addr) in addresses {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let Some(json) = doc.get_first(self.fields.stored).and_then(|v| v.as_str()) else { continue };
            let Ok(mut entry) = serde_json::from_str::<Summary>(json) else { continue };
            // The public's row lists only the items the public may know of.
            let public_items = std::mem::take(&mut entry.public_items);
            if req.viewer == crate::request::Viewer::Public {
                entry.data_items = public_items;
            }
            hits.push(Hit {
                score,
                name_html: highlight(&entry.name, &needles, None),
                summary_html: highlight(&entry.summary, &needles, Some(120)),
                entry,
            });
        }
        Ok(Results { total, hits, facets })
    }

    /// Ids of every entry (for checks and tests).
    pub fn ids(&self) -> Result<Vec<i64>, SearchError> {
        let searcher = self.reader.searcher();
        let n = searcher.num_docs() as usize;
        if n == 0 {
            return Ok(Vec::new());
        }
        let docs = searcher.search(&AllQuery, &TopDocs::with_limit(n).order_by_fast_field::<u64>("id", Order::Asc))?;
        Ok(docs.into_iter().filter_map(|(id, _)| id.map(|i| i as i64)).collect())
    }
}
