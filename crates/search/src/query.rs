//! From a request to a tantivy query.
//!
//! Each whitespace-separated term of the text must match, in one of two ways:
//! - as a **substring** (after normalisation) of the name, summary or other text — the phrase of
//!   its character pairs on the gram fields, so partial words and codes match;
//! - or as **words**: every jieba word of the term appears among the entry's words (企业地址 finds
//!   企业注册地址).
//!
//! Matches in the name weigh most, then the summary; each matching clause scores its field's
//! fixed weight (no corpus statistics, so nothing about hidden entries reaches the ranking).
//! Visibility and filters constrain without scoring.

use tantivy::Term;
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, PhraseQuery, Query, TermQuery, TermSetQuery};
use tantivy::schema::{Field, IndexRecordOption};

use crate::analyzer::{self, Normalized};
use crate::facets::Dimension;
use crate::request::{SearchRequest, Viewer};
use crate::schema::Fields;

const NAME_BOOST: f32 = 4.0;
const SUMMARY_BOOST: f32 = 1.5;

/// One term of the query text, normalised.
#[derive(Debug, Clone)]
pub struct QueryTerm {
    /// Runs of word characters (a term such as "PM2.5" has two).
    pub runs: Vec<Vec<char>>,
    /// jieba's words of the term.
    pub words: Vec<String>,
}

/// The terms of the query text (empty when it has no word characters).
pub fn terms(q: &str) -> Vec<QueryTerm> {
    q.split_whitespace()
        .filter_map(|t| {
            let n = Normalized::new(t);
            let runs: Vec<Vec<char>> =
                analyzer::runs(&n.chars).into_iter().map(|(s, e)| n.chars[s..e].to_vec()).collect();
            if runs.is_empty() {
                return None;
            }
            let words = analyzer::words(&n.string(), false).into_iter().map(|(_, _, w)| w).collect();
            Some(QueryTerm { runs, words })
        })
        .collect()
}

/// The strings to highlight for these terms.
pub fn needles(terms: &[QueryTerm]) -> Vec<Vec<char>> {
    let mut out: Vec<Vec<char>> = Vec::new();
    for t in terms {
        out.extend(t.runs.iter().cloned());
        out.extend(t.words.iter().filter(|w| w.chars().count() >= 2).map(|w| w.chars().collect()));
    }
    out
}

/// A match in a field scores the field's weight, whatever the corpus holds: BM25's word
/// statistics would count entries the searcher may not see (other departments' drafts, classified
/// entries), and scores or their order would then betray words in them.
fn boosted(q: Box<dyn Query>, weight: f32) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(q, weight))
}

fn any_of(clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(clauses.into_iter().map(|q| (Occur::Should, q)).collect()))
}

fn all_of(clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(clauses.into_iter().map(|q| (Occur::Must, q)).collect()))
}

/// The run as a substring of `field`: its character, its pair, or the phrase of its pairs.
fn gram_query(field: Field, run: &[char]) -> Box<dyn Query> {
    if run.len() <= 2 {
        let t = Term::from_field_text(field, &run.iter().collect::<String>());
        return Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs));
    }
    // Pairs at offsets 0, 2, 4 … (and the last pair, overlapping, for an odd length) cover every
    // character at its place: the same matches as every overlapping pair, with fewer position
    // lists to read.
    let pair = |i: usize| (i, Term::from_field_text(field, &run[i..i + 2].iter().collect::<String>()));
    let mut pairs: Vec<(usize, Term)> = (0..run.len() - 1).step_by(2).map(pair).collect();
    if run.len() % 2 == 1 {
        pairs.push(pair(run.len() - 2));
    }
    Box::new(PhraseQuery::new_with_offset(pairs))
}

/// The fields a term is looked for in, with their weights: the public's other text is its own
/// (only what the portal may show of an entry).
fn weighted_fields(f: &Fields, grams: bool, viewer: Viewer) -> [(Field, f32); 3] {
    let public = viewer == Viewer::Public;
    if grams {
        let other = if public { f.public_grams } else { f.other_grams };
        [(f.name_grams, NAME_BOOST), (f.summary_grams, SUMMARY_BOOST), (other, 1.0)]
    } else {
        let other = if public { f.public_words } else { f.other_words };
        [(f.name_words, NAME_BOOST), (f.summary_words, SUMMARY_BOOST), (other, 1.0)]
    }
}

fn term_query(f: &Fields, t: &QueryTerm, viewer: Viewer) -> Box<dyn Query> {
    let substring = all_of(
        t.runs
            .iter()
            .map(|run| {
                any_of(
                    weighted_fields(f, true, viewer).iter().map(|(fd, b)| boosted(gram_query(*fd, run), *b)).collect(),
                )
            })
            .collect(),
    );
    if t.words.is_empty() {
        return substring;
    }
    let words = all_of(
        t.words
            .iter()
            .map(|w| {
                any_of(
                    weighted_fields(f, false, viewer)
                        .iter()
                        .map(|(fd, b)| {
                            let q: Box<dyn Query> =
                                Box::new(TermQuery::new(Term::from_field_text(*fd, w), IndexRecordOption::WithFreqs));
                            boosted(q, *b)
                        })
                        .collect(),
                )
            })
            .collect(),
    );
    any_of(vec![substring, words])
}

fn filter(q: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(q, 0.0))
}

fn u64_terms(field: Field, values: &[u64]) -> Box<dyn Query> {
    Box::new(TermSetQuery::new(values.iter().map(|v| Term::from_field_u64(field, *v))))
}

/// The whole query: text, visibility, filters.
pub fn build(f: &Fields, req: &SearchRequest, terms: &[QueryTerm]) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> =
        terms.iter().map(|t| (Occur::Must, term_query(f, t, req.viewer))).collect();
    if clauses.is_empty() {
        clauses.push((Occur::Must, filter(Box::new(AllQuery))));
    }
    if let Viewer::Department(d) = req.viewer {
        let public = Box::new(TermQuery::new(Term::from_field_u64(f.public, 1), IndexRecordOption::Basic));
        let own = Box::new(TermQuery::new(Term::from_field_u64(f.department, d as u64), IndexRecordOption::Basic));
        clauses.push((Occur::Must, filter(any_of(vec![public, own]))));
    }
    if req.viewer == Viewer::Public {
        let open = Box::new(TermQuery::new(Term::from_field_u64(f.open, 1), IndexRecordOption::Basic));
        clauses.push((Occur::Must, filter(open)));
    }
    if let Some(code) = &req.category {
        let t = Term::from_field_text(f.category_prefix, code);
        clauses.push((Occur::Must, filter(Box::new(TermQuery::new(t, IndexRecordOption::Basic)))));
    }
    for (dim, values) in &req.filters {
        clauses.push((Occur::Must, filter(u64_terms(f.dim(*dim), values))));
    }
    // Withdrawn entries stay findable, but only when asked for by status.
    if !req.has_filter(Dimension::Status) {
        let withdrawn =
            crate::facets::position(domain::catalog::ResourceStatus::ALL, &domain::catalog::ResourceStatus::Withdrawn);
        clauses.push((Occur::MustNot, u64_terms(f.dim(Dimension::Status), &[withdrawn])));
    }
    Box::new(BooleanQuery::new(clauses))
}
