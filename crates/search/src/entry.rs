//! What the index holds of one catalogue entry, and how it becomes a document.

use domain::catalog::{FormatClass, OpenType, ResourceSpec, ResourceStatus, ShareType, UpdateCycle};
use tantivy::TantivyDocument;

use crate::facets::{Dimension, category_value, position};
use crate::schema::Fields;

/// One catalogue entry as the index sees it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub version: i64,
    pub code: String,
    pub department_id: i64,
    pub status: ResourceStatus,
    /// Whether every department may see it (see `domain::catalog::visible_to_all`).
    pub public: bool,
    /// Whether the public portal lists it (政府数据开放, seed 002): published, not classified, and
    /// 有条件开放 or 无条件开放 with its data opened after review (see `domain::open::listed`).
    pub open: bool,
    /// Names of the category and its ancestors (人口 › 户籍 …), searched as text.
    pub category_names: Vec<String>,
    /// The data items the public may know of (`domain::open::public_items`); only these are
    /// searched, and listed in a result row, for the public.
    pub public_items: Vec<String>,
    pub spec: ResourceSpec,
}

/// The part of an entry shown in a result row (stored in the index, so a search never waits for
/// the store).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Summary {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub summary: String,
    pub provider: String,
    pub department_id: i64,
    pub category: String,
    pub status: String,
    pub share_type: String,
    pub open_type: String,
    pub format: String,
    pub update_cycle: String,
    pub data_items: Vec<String>,
    /// Stored for the public's rows (which list these as `data_items`); never in a result.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub public_items: Vec<String>,
}

impl Entry {
    pub fn summary(&self) -> Summary {
        let s = &self.spec;
        Summary {
            id: self.id,
            code: self.code.clone(),
            name: s.name.clone(),
            summary: s.summary.clone(),
            provider: s.provider_name.clone(),
            department_id: self.department_id,
            category: s.category.as_str().to_string(),
            status: self.status.code().to_string(),
            share_type: s.share_type.code().to_string(),
            open_type: s.open_type.code().to_string(),
            format: s.format.class.code().to_string(),
            update_cycle: s.update_cycle.code().to_string(),
            data_items: s.data_items.iter().map(|i| i.name.clone()).collect(),
            public_items: if self.open { self.public_items.clone() } else { Vec::new() },
        }
    }

    /// The text departments search besides name and summary: data items (names and
    /// descriptions), provider and its division, categories, tags, the code, share conditions and
    /// format details.
    fn other_text(&self) -> Vec<String> {
        let s = &self.spec;
        let mut out = self.common_text();
        for item in &s.data_items {
            out.push(item.name.clone());
            out.extend(item.description.clone());
        }
        out.extend(s.share_condition.clone());
        out
    }

    /// The text the public searches besides name and summary: as departments, but only the data
    /// items the public may know of (a column removed in the confidentiality review, or an item
    /// 不予开放, is not found through the portal), the open conditions instead of the share
    /// conditions (which are for departments).
    fn public_text(&self) -> Vec<String> {
        let s = &self.spec;
        let mut out = self.common_text();
        for item in s.data_items.iter().filter(|i| self.public_items.contains(&i.name)) {
            out.push(item.name.clone());
            out.extend(item.description.clone());
        }
        out.extend(s.open_condition.clone());
        out
    }

    fn common_text(&self) -> Vec<String> {
        let s = &self.spec;
        let mut out = vec![self.code.clone(), s.provider_name.clone()];
        out.extend(s.provider_division.clone());
        out.extend(self.category_names.iter().cloned());
        out.extend(s.tags.iter().cloned());
        out.extend(s.format.subtype.clone());
        out
    }

    pub fn to_document(&self, f: &Fields) -> TantivyDocument {
        let s = &self.spec;
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.id, self.id as u64);
        doc.add_u64(f.version, self.version as u64);
        doc.add_u64(f.department, self.department_id as u64);
        doc.add_u64(f.public, u64::from(self.public));
        doc.add_u64(f.open, u64::from(self.open));
        let code = s.category.as_str();
        for len in [1, 3, 6] {
            if code.len() >= len {
                doc.add_text(f.category_prefix, &code[..len]);
            }
        }
        if code.len() > 6 {
            doc.add_text(f.category_prefix, code);
        }
        doc.add_text(f.stored, serde_json::to_string(&self.summary()).unwrap_or_default());
        doc.add_text(f.name_words, &s.name);
        doc.add_text(f.name_grams, &s.name);
        doc.add_text(f.summary_words, &s.summary);
        doc.add_text(f.summary_grams, &s.summary);
        for t in self.other_text() {
            doc.add_text(f.other_words, &t);
            doc.add_text(f.other_grams, &t);
        }
        if self.open {
            for t in self.public_text() {
                doc.add_text(f.public_words, &t);
                doc.add_text(f.public_grams, &t);
            }
        }
        for (d, field) in &f.dims {
            let v = match d {
                Dimension::Category => category_value(code),
                Dimension::Provider => Some(self.department_id as u64),
                Dimension::ShareType => Some(position(ShareType::ALL, &s.share_type)),
                Dimension::OpenType => Some(position(OpenType::ALL, &s.open_type)),
                Dimension::Format => Some(position(FormatClass::ALL, &s.format.class)),
                Dimension::UpdateCycle => Some(position(UpdateCycle::ALL, &s.update_cycle)),
                Dimension::Status => Some(position(ResourceStatus::ALL, &self.status)),
            };
            if let Some(v) = v {
                doc.add_u64(*field, v);
            }
        }
        doc
    }
}
