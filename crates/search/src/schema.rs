//! The index's fields. Text is indexed twice (words for relevance, grams for substrings); facets and
//! visibility are numeric fast fields.

use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions};

use crate::analyzer::{GRAMS, WORDS};
use crate::facets::Dimension;

/// Fields of the catalogue index.
#[derive(Clone)]
pub struct Fields {
    /// The resource's id (unique key of a document).
    pub id: Field,
    /// The entry's version when indexed: what reconciliation compares with the store.
    pub version: Field,
    /// Department that provides the entry.
    pub department: Field,
    /// 1 if every department may see the entry (published and not classified), else 0.
    pub public: Field,
    /// 1 if the public portal lists the entry, else 0.
    pub open: Field,
    /// Every prefix of the category code (1, 101, 101001 …), for category filters.
    pub category_prefix: Field,
    /// The stored entry as JSON, for result rows.
    pub stored: Field,
    pub name_words: Field,
    pub name_grams: Field,
    pub summary_words: Field,
    pub summary_grams: Field,
    /// Data items, provider, categories, tags, code, share conditions: what departments search.
    pub other_words: Field,
    pub other_grams: Field,
    /// The same for the public: only the data items the public may know of, and no share
    /// conditions (see `Entry::public_text`).
    pub public_words: Field,
    pub public_grams: Field,
    /// One numeric fast field per facet dimension.
    pub dims: Vec<(Dimension, Field)>,
}

fn text(analyzer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(analyzer).set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// The schema and its fields.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let id = b.add_u64_field("id", INDEXED | FAST);
    let version = b.add_u64_field("version", FAST);
    let department = b.add_u64_field("department", INDEXED | FAST);
    let public = b.add_u64_field("public", INDEXED | FAST);
    let open = b.add_u64_field("open", INDEXED | FAST);
    let category_prefix = b.add_text_field("category_prefix", tantivy::schema::STRING);
    let stored = b.add_text_field("stored", STORED);
    let name_words = b.add_text_field("name_words", text(WORDS));
    let name_grams = b.add_text_field("name_grams", text(GRAMS));
    let summary_words = b.add_text_field("summary_words", text(WORDS));
    let summary_grams = b.add_text_field("summary_grams", text(GRAMS));
    let other_words = b.add_text_field("other_words", text(WORDS));
    let other_grams = b.add_text_field("other_grams", text(GRAMS));
    let public_words = b.add_text_field("public_words", text(WORDS));
    let public_grams = b.add_text_field("public_grams", text(GRAMS));
    let dims = Dimension::ALL.iter().map(|d| (*d, b.add_u64_field(d.field_name(), INDEXED | FAST))).collect();
    let fields = Fields {
        id,
        version,
        department,
        public,
        open,
        category_prefix,
        stored,
        name_words,
        name_grams,
        summary_words,
        summary_grams,
        other_words,
        other_grams,
        public_words,
        public_grams,
        dims,
    };
    (b.build(), fields)
}

impl Fields {
    pub fn dim(&self, d: Dimension) -> Field {
        self.dims.iter().find(|(x, _)| *x == d).map(|(_, f)| *f).expect("every dimension has a field")
    }
}
