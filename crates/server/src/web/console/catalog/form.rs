//! The register/revise form: every field of the compilation guide, data items as table rows (a
//! "more rows" button re-renders the form without JavaScript, keeping what was typed), and the
//! 一数一源 collection decisions for the items another department collects. The form posts to the
//! same service calls as the API (`catalog::create` / `update`); a refusal re-renders the form
//! with each message next to its field.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::account::{Action, Actor};
use domain::catalog::{
    CategoryCode, DataItem, DataType, Format, FormatClass, IdentifierKind, OpenType, ResourceCode, ResourceSpec,
    ShareMethod, ShareType, UpdateCycle,
};
use domain::elements::{CollectionChoice, CollectionDecision};
use serde::Deserialize;
use service::signin::SessionUser;
use store::model::Resource;

use super::{Options, data_type_options, identifier_options, is_refusal, open_type_options, options, resource_href};
use crate::AppState;
use crate::web::page::{Chrome, FormErrors, WebResult, render};
use crate::web::session::{Console, ConsoleForm};

/// Blank item rows offered on a new form, and added by "增加信息项行".
const BLANK_ROWS: usize = 5;
/// Most item rows a form may carry (the domain allows fewer items; this bounds the page).
const MAX_ROWS: usize = 600;

/// The form as posted: every value as typed (strings), so that a refusal shows it back.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ResourceForm {
    #[serde(default)]
    op: String,
    #[serde(default)]
    expected_version: Option<i64>,
    #[serde(default)]
    category: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    provider_division: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    format_class: String,
    #[serde(default)]
    format_subtype: String,
    #[serde(default)]
    format_other_desc: String,
    #[serde(default)]
    share_type: String,
    #[serde(default)]
    share_condition: String,
    #[serde(default)]
    share_basis: String,
    #[serde(default)]
    share_methods: Vec<String>,
    #[serde(default)]
    open_type: String,
    #[serde(default)]
    open_condition: String,
    #[serde(default)]
    update_cycle: String,
    #[serde(default)]
    related_codes: String,
    #[serde(default)]
    classified: Option<String>,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    item_name: Vec<String>,
    #[serde(default)]
    item_type: Vec<String>,
    #[serde(default)]
    item_length: Vec<String>,
    #[serde(default)]
    item_description: Vec<String>,
    #[serde(default)]
    item_identifier: Vec<String>,
    #[serde(default)]
    item_share_type: Vec<String>,
    #[serde(default)]
    item_share_condition: Vec<String>,
    #[serde(default)]
    item_share_basis: Vec<String>,
    #[serde(default)]
    item_open_type: Vec<String>,
    #[serde(default)]
    item_open_condition: Vec<String>,
    /// Row numbers whose checkbox is ticked (an unticked box sends nothing).
    #[serde(default)]
    item_key: Vec<usize>,
    #[serde(default)]
    item_required: Vec<usize>,
    #[serde(default)]
    item_base: Vec<usize>,
    #[serde(default)]
    decision_item: Vec<String>,
    #[serde(default)]
    decision_choice: Vec<String>,
    #[serde(default)]
    decision_source: Vec<String>,
    #[serde(default)]
    decision_reason: Vec<String>,
}

/// One data item row of the form.
pub(super) struct ItemRow {
    index: usize,
    name: String,
    data_type: String,
    length: String,
    description: String,
    identifier: String,
    share_type: String,
    share_condition: String,
    share_basis: String,
    open_type: String,
    open_condition: String,
    is_key: bool,
    required: bool,
    base_item: bool,
    /// Messages by column (`name`, `length` …), and for the row as a whole under "".
    errors: BTreeMap<String, Vec<String>>,
}

impl ItemRow {
    fn blank(index: usize) -> ItemRow {
        ItemRow {
            index,
            name: String::new(),
            data_type: "C".into(),
            length: String::new(),
            description: String::new(),
            identifier: String::new(),
            share_type: String::new(),
            share_condition: String::new(),
            share_basis: String::new(),
            open_type: String::new(),
            open_condition: String::new(),
            is_key: false,
            required: false,
            base_item: false,
            errors: BTreeMap::new(),
        }
    }

    fn is_blank(&self) -> bool {
        [&self.name, &self.length, &self.description, &self.share_condition, &self.share_basis, &self.open_condition]
            .iter()
            .all(|s| s.trim().is_empty())
    }

    pub fn has(&self, col: &str) -> bool {
        self.errors.contains_key(col)
    }

    pub fn err(&self, col: &str) -> String {
        self.errors.get(col).map(|m| m.join("；")).unwrap_or_default()
    }

    pub fn has_any(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn type_options(&self) -> Options {
        data_type_options(&self.data_type)
    }

    pub fn identifier_options(&self) -> Options {
        identifier_options(&self.identifier)
    }

    pub fn share_options(&self) -> Options {
        options(ShareType::ALL, ShareType::code, ShareType::label, &self.share_type)
    }

    pub fn open_options(&self) -> Options {
        open_type_options(&self.open_type)
    }
}

/// One collection decision row (一数一源).
pub(super) struct DecisionRow {
    index: usize,
    item: String,
    choice: String,
    source: String,
    reason: String,
    /// What the register says about the item (who collects it, what to do).
    advice: String,
    errors: BTreeMap<String, Vec<String>>,
}

impl DecisionRow {
    pub fn has(&self, col: &str) -> bool {
        self.errors.contains_key(col)
    }

    pub fn err(&self, col: &str) -> String {
        self.errors.get(col).map(|m| m.join("；")).unwrap_or_default()
    }

    pub fn choice_options(&self) -> Options {
        options(CollectionChoice::ALL, CollectionChoice::code, CollectionChoice::label, &self.choice)
    }
}

#[derive(Template)]
#[template(path = "console/catalog/form.html")]
struct FormPage {
    chrome: Chrome,
    /// The form's action URL.
    action: String,
    /// The resource being revised (None: a new entry).
    code: Option<String>,
    /// Where "cancel" goes: the resource page, or the catalogue.
    back_href: String,
    published: bool,
    expected_version: Option<i64>,
    f: ResourceForm,
    categories: Options,
    format_classes: Options,
    subtypes: Vec<&'static str>,
    share_types: Options,
    share_methods: Options,
    open_types: Options,
    update_cycles: Options,
    items: Vec<ItemRow>,
    decisions: Vec<DecisionRow>,
    /// The form was checked (or refused): say so even if no item overlaps.
    checked: bool,
    errors: FormErrors,
}

impl FormPage {
    pub fn classified(&self) -> bool {
        self.f.classified.is_some()
    }
}

fn text(v: &[String], i: usize) -> String {
    v.get(i).cloned().unwrap_or_default()
}

fn opt_text(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// Splits a list typed into one box (codes, tags) on commas, 顿号, semicolons and new lines.
fn split_list(s: &str) -> Vec<String> {
    s.split([',', '，', '、', ';', '；', '\n', '\r'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl ResourceForm {
    /// The form of an existing entry.
    fn of(r: &Resource) -> ResourceForm {
        let s = &r.spec;
        let items = &s.data_items;
        let col = |f: &dyn Fn(&DataItem) -> String| items.iter().map(f).collect::<Vec<_>>();
        let flags = |f: &dyn Fn(&DataItem) -> bool| {
            items.iter().enumerate().filter(|(_, i)| f(i)).map(|(n, _)| n).collect::<Vec<_>>()
        };
        ResourceForm {
            op: String::new(),
            expected_version: Some(r.version),
            category: s.category.as_str().to_string(),
            name: s.name.clone(),
            provider_division: s.provider_division.clone().unwrap_or_default(),
            summary: s.summary.clone(),
            format_class: s.format.class.code().into(),
            format_subtype: s.format.subtype.clone().unwrap_or_default(),
            format_other_desc: s.format.other_desc.clone().unwrap_or_default(),
            share_type: s.share_type.code().into(),
            share_condition: s.share_condition.clone().unwrap_or_default(),
            share_basis: s.share_basis.clone().unwrap_or_default(),
            share_methods: s.share_methods.iter().map(|m| m.code().to_string()).collect(),
            open_type: s.open_type.code().into(),
            open_condition: s.open_condition.clone().unwrap_or_default(),
            update_cycle: s.update_cycle.code().into(),
            related_codes: s.related_codes.iter().map(|c| c.as_str().to_string()).collect::<Vec<_>>().join("\n"),
            classified: s.classified.then(|| "on".into()),
            tags: s.tags.join("，"),
            item_name: col(&|i| i.name.clone()),
            item_type: col(&|i| i.data_type.code().into()),
            item_length: col(&|i| i.length.map(|l| l.to_string()).unwrap_or_default()),
            item_description: col(&|i| i.description.clone().unwrap_or_default()),
            item_identifier: col(&|i| i.identifier.map(|k| k.code().to_string()).unwrap_or_default()),
            item_share_type: col(&|i| i.share_type.map(|k| k.code().to_string()).unwrap_or_default()),
            item_share_condition: col(&|i| i.share_condition.clone().unwrap_or_default()),
            item_share_basis: col(&|i| i.share_basis.clone().unwrap_or_default()),
            item_open_type: col(&|i| i.open_type.map(|k| k.code().to_string()).unwrap_or_default()),
            item_open_condition: col(&|i| i.open_condition.clone().unwrap_or_default()),
            item_key: flags(&|i| i.is_key),
            item_required: flags(&|i| i.required),
            item_base: flags(&|i| i.base_item),
            decision_item: s.collection_decisions.iter().map(|d| d.item.clone()).collect(),
            decision_choice: s.collection_decisions.iter().map(|d| d.choice.code().to_string()).collect(),
            decision_source: s.collection_decisions.iter().map(|d| d.source.clone().unwrap_or_default()).collect(),
            decision_reason: s.collection_decisions.iter().map(|d| d.reason.clone().unwrap_or_default()).collect(),
        }
    }

    fn rows(&self) -> Vec<ItemRow> {
        let n = self.item_name.len().min(MAX_ROWS);
        (0..n)
            .map(|i| ItemRow {
                index: i,
                name: text(&self.item_name, i),
                data_type: text(&self.item_type, i),
                length: text(&self.item_length, i),
                description: text(&self.item_description, i),
                identifier: text(&self.item_identifier, i),
                share_type: text(&self.item_share_type, i),
                share_condition: text(&self.item_share_condition, i),
                share_basis: text(&self.item_share_basis, i),
                open_type: text(&self.item_open_type, i),
                open_condition: text(&self.item_open_condition, i),
                is_key: self.item_key.contains(&i),
                required: self.item_required.contains(&i),
                base_item: self.item_base.contains(&i),
                errors: BTreeMap::new(),
            })
            .collect()
    }

    /// The decisions as typed (rows without a choice are undecided and left out of the spec).
    fn decision_rows(&self) -> Vec<DecisionRow> {
        (0..self.decision_item.len().min(MAX_ROWS))
            .map(|i| DecisionRow {
                index: i,
                item: text(&self.decision_item, i),
                choice: text(&self.decision_choice, i),
                source: text(&self.decision_source, i),
                reason: text(&self.decision_reason, i),
                advice: String::new(),
                errors: BTreeMap::new(),
            })
            .collect()
    }
}

/// What reading the form gave: the spec (when the category could be read), the form rows each
/// spec item came from, and the messages about values that could not be read at all.
struct Reading {
    spec: Option<ResourceSpec>,
    item_rows: Vec<usize>,
    decision_rows: Vec<usize>,
    errors: FormErrors,
}

fn add(errors: &mut FormErrors, field: impl Into<String>, message: impl Into<String>) {
    let message = message.into();
    errors.general.push(message.clone());
    errors.fields.entry(field.into()).or_default().push(message);
}

/// Reads the typed values into a `ResourceSpec`. Only the reading is done here (a number that is
/// not a number, a choice that is not one of the list); every rule is the domain's.
fn read(f: &ResourceForm) -> Reading {
    let mut errors = FormErrors::default();
    let category = match f.category.trim() {
        "" => {
            add(&mut errors, "category", "请选择信息资源分类");
            None
        }
        c => match CategoryCode::parse(c) {
            Ok(c) => Some(c),
            Err(e) => {
                add(&mut errors, "category", e.message);
                None
            }
        },
    };
    fn pick<T>(
        errors: &mut FormErrors,
        field: &str,
        raw: &str,
        parse: fn(&str) -> Option<T>,
        what: &str,
        default: T,
    ) -> T {
        match parse(raw) {
            Some(v) => v,
            None => {
                add(errors, field, format!("请选择{what}"));
                default
            }
        }
    }
    let class =
        pick(&mut errors, "format.class", &f.format_class, FormatClass::parse, "信息资源格式分类", FormatClass::Other);
    let share_type =
        pick(&mut errors, "share_type", &f.share_type, ShareType::parse, "共享类型", ShareType::Conditional);
    let open_type = pick(&mut errors, "open_type", &f.open_type, OpenType::parse, "开放类型", OpenType::NotOpen);
    let update_cycle =
        pick(&mut errors, "update_cycle", &f.update_cycle, UpdateCycle::parse, "更新周期", UpdateCycle::Irregular);
    let mut share_methods = Vec::new();
    for m in &f.share_methods {
        match ShareMethod::parse(m) {
            Some(v) if !share_methods.contains(&v) => share_methods.push(v),
            Some(_) => {}
            None => add(&mut errors, "share_methods", format!("共享方式“{m}”不在可选范围内")),
        }
    }
    let mut related_codes = Vec::new();
    for c in split_list(&f.related_codes) {
        match ResourceCode::parse(&c) {
            Ok(code) => related_codes.push(code),
            Err(_) => add(&mut errors, "related_codes", format!("关联资源代码“{c}”格式不对，应如 101001/000001")),
        }
    }
    let mut data_items = Vec::new();
    let mut item_rows = Vec::new();
    for row in f.rows() {
        if row.is_blank() {
            continue;
        }
        let i = row.index;
        let mut ok = true;
        let data_type = match DataType::parse(&row.data_type) {
            Some(t) => t,
            None => {
                add(&mut errors, format!("data_items[{i}].data_type"), format!("第{}行：请选择数据类型", i + 1));
                ok = false;
                DataType::C
            }
        };
        let length = match row.length.trim() {
            "" => None,
            l => match l.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    add(
                        &mut errors,
                        format!("data_items[{i}].length"),
                        format!("第{}行：数据长度“{l}”应为正整数（字节数）", i + 1),
                    );
                    ok = false;
                    None
                }
            },
        };
        let mut enum_or_none = |raw: &str, col: &str, what: &str| -> Option<String> {
            let raw = raw.trim();
            if raw.is_empty() {
                return None;
            }
            Some(raw.to_string()).filter(|_| {
                let known = match col {
                    "identifier" => IdentifierKind::parse(raw).is_some(),
                    "share_type" => ShareType::parse(raw).is_some(),
                    _ => OpenType::parse(raw).is_some(),
                };
                if !known {
                    add(
                        &mut errors,
                        format!("data_items[{i}].{col}"),
                        format!("第{}行：{what}“{raw}”不在可选范围内", i + 1),
                    );
                }
                known
            })
        };
        let identifier =
            enum_or_none(&row.identifier, "identifier", "标识类型").and_then(|s| IdentifierKind::parse(&s));
        let item_share = enum_or_none(&row.share_type, "share_type", "共享类型").and_then(|s| ShareType::parse(&s));
        let item_open = enum_or_none(&row.open_type, "open_type", "开放类型").and_then(|s| OpenType::parse(&s));
        if !ok {
            continue;
        }
        item_rows.push(i);
        data_items.push(DataItem {
            name: row.name.trim().to_string(),
            data_type,
            length,
            description: opt_text(&row.description),
            is_key: row.is_key,
            required: row.required,
            base_item: row.base_item,
            identifier,
            share_type: item_share,
            share_condition: opt_text(&row.share_condition),
            share_basis: opt_text(&row.share_basis),
            open_type: item_open,
            open_condition: opt_text(&row.open_condition),
        });
    }
    let mut collection_decisions = Vec::new();
    let mut decision_rows = Vec::new();
    for d in f.decision_rows() {
        if d.choice.trim().is_empty() {
            continue;
        }
        match CollectionChoice::parse(&d.choice) {
            Some(choice) => {
                decision_rows.push(d.index);
                collection_decisions.push(CollectionDecision {
                    item: d.item.trim().to_string(),
                    choice,
                    source: opt_text(&d.source),
                    reason: opt_text(&d.reason),
                });
            }
            None => add(
                &mut errors,
                format!("collection_decisions[{}].choice", d.index),
                format!("信息项“{}”的采集决定不在可选范围内", d.item),
            ),
        }
    }
    let spec = category.map(|category| ResourceSpec {
        category,
        name: f.name.trim().to_string(),
        provider_name: String::new(),
        provider_code: String::new(),
        provider_division: opt_text(&f.provider_division),
        summary: f.summary.trim().to_string(),
        format: Format { class, subtype: opt_text(&f.format_subtype), other_desc: opt_text(&f.format_other_desc) },
        data_items,
        share_type,
        share_condition: opt_text(&f.share_condition),
        share_basis: opt_text(&f.share_basis),
        share_methods,
        open_type,
        open_condition: opt_text(&f.open_condition),
        update_cycle,
        publish_date: None,
        related_codes,
        classified: f.classified.is_some(),
        tags: split_list(&f.tags),
        collection_decisions,
    });
    Reading { spec, item_rows, decision_rows, errors }
}

/// Re-addresses the domain's messages (about spec items and decisions) to the form's rows, and
/// gathers per-element messages (`related_codes[2]`) under their box.
fn to_form_rows(e: FormErrors, item_rows: &[usize], decision_rows: &[usize]) -> FormErrors {
    let mut out = FormErrors { fields: BTreeMap::new(), general: e.general };
    for (field, msgs) in e.fields {
        let field = remap(&field, "data_items[", item_rows)
            .or_else(|| remap(&field, "collection_decisions[", decision_rows))
            .unwrap_or_else(|| if field.starts_with("related_codes[") { "related_codes".into() } else { field });
        out.fields.entry(field).or_default().extend(msgs);
    }
    out
}

fn remap(field: &str, prefix: &str, rows: &[usize]) -> Option<String> {
    let rest = field.strip_prefix(prefix)?;
    let (n, tail) = rest.split_once(']')?;
    let n: usize = n.parse().ok()?;
    Some(format!("{prefix}{}]{tail}", rows.get(n).copied().unwrap_or(n)))
}

fn merge(mut a: FormErrors, b: FormErrors) -> FormErrors {
    a.general.extend(b.general);
    for (k, v) in b.fields {
        a.fields.entry(k).or_default().extend(v);
    }
    a
}

/// Everything the form page needs besides the typed values.
struct FormContext<'a> {
    state: &'a AppState,
    user: &'a SessionUser,
    /// The entry being revised.
    resource: Option<&'a Resource>,
}

impl FormContext<'_> {
    fn department(&self) -> i64 {
        self.resource.map_or(self.user.actor.department_id, |r| r.department_id)
    }

    fn action(&self) -> String {
        match self.resource {
            Some(r) => format!("{}/edit", resource_href(&r.code)),
            None => "/console/catalog/new".into(),
        }
    }

    /// Renders the form with `errors` spread over its fields and rows.
    async fn page(
        &self,
        f: ResourceForm,
        spec: Option<&ResourceSpec>,
        errors: FormErrors,
        extra_rows: usize,
        checked: bool,
        status: StatusCode,
    ) -> WebResult {
        let svc = &self.state.svc;
        let actor: &Actor = &self.user.actor;
        let title = match self.resource {
            Some(r) => format!("修改目录：{}", r.spec.name),
            None => "登记信息资源".to_string(),
        };
        let active = if self.resource.is_some() { "/console/catalog" } else { "/console/catalog/new" };
        let chrome = Chrome::console(self.state, self.user, title, active).await;
        let mut items = f.rows();
        // Blank rows to type into: `extra_rows` more when asked, else at least two.
        let blank_at_end = items.iter().rev().take_while(|r| r.is_blank()).count();
        let want = if extra_rows > 0 { extra_rows } else { 2usize.saturating_sub(blank_at_end) };
        for _ in 0..want {
            if items.len() >= MAX_ROWS {
                break;
            }
            items.push(ItemRow::blank(items.len()));
        }
        for (field, msgs) in &errors.fields {
            if let Some(rest) = field.strip_prefix("data_items[")
                && let Some((n, tail)) = rest.split_once(']')
                && let Ok(n) = n.parse::<usize>()
                && let Some(row) = items.get_mut(n)
            {
                row.errors.entry(tail.trim_start_matches('.').to_string()).or_default().extend(msgs.iter().cloned());
            }
        }
        // 一数一源: the items another department collects, with the decision typed for each.
        let mut decisions = f.decision_rows();
        if let Some(spec) = spec.filter(|s| !s.data_items.is_empty())
            && let Ok(report) = service::elements::overlaps_for(svc, actor, Some(self.department()), spec).await
        {
            for o in report.overlaps.iter().filter(|o| o.needs_decision()) {
                let advice = o.advice();
                match decisions.iter_mut().find(|d| d.item.trim() == o.item.trim()) {
                    Some(d) => d.advice = advice,
                    None => decisions.push(DecisionRow {
                        index: decisions.len(),
                        item: o.item.clone(),
                        choice: String::new(),
                        source: o.source().map(|r| r.code.clone()).unwrap_or_default(),
                        reason: String::new(),
                        advice,
                        errors: BTreeMap::new(),
                    }),
                }
            }
        }
        for (field, msgs) in &errors.fields {
            if let Some(rest) = field.strip_prefix("collection_decisions[")
                && let Some((n, tail)) = rest.split_once(']')
                && let Ok(n) = n.parse::<usize>()
                && let Some(row) = decisions.get_mut(n)
            {
                row.errors.entry(tail.trim_start_matches('.').to_string()).or_default().extend(msgs.iter().cloned());
            }
        }
        let mut categories: Options = service::catalog::list_categories(svc)
            .await?
            .into_iter()
            .filter(|c| c.code.can_hold_resources())
            .map(|c| {
                let code = c.code.as_str().to_string();
                let selected = code == f.category.trim();
                (code.clone(), format!("{code} {}", c.name), selected)
            })
            .collect();
        if !f.category.trim().is_empty() && !categories.iter().any(|c| c.2) {
            categories.insert(0, (f.category.trim().to_string(), f.category.trim().to_string(), true));
        }
        let mut subtypes: Vec<&'static str> =
            FormatClass::ALL.iter().flat_map(|c| c.subtypes().iter().copied()).collect();
        subtypes.push("其他");
        let page = FormPage {
            chrome,
            action: self.action(),
            code: self.resource.map(|r| r.code.clone()),
            back_href: self.resource.map_or_else(|| "/console/catalog".to_string(), |r| resource_href(&r.code)),
            published: self.resource.is_some_and(|r| r.status.code_frozen()),
            expected_version: f.expected_version,
            categories,
            format_classes: options(FormatClass::ALL, FormatClass::code, FormatClass::label, &f.format_class),
            subtypes,
            share_types: options(ShareType::ALL, ShareType::code, ShareType::label, &f.share_type),
            share_methods: super::share_method_options(&f.share_methods),
            open_types: open_type_options(&f.open_type),
            update_cycles: options(UpdateCycle::ALL, UpdateCycle::code, UpdateCycle::label, &f.update_cycle),
            items,
            decisions,
            checked,
            errors,
            f,
        };
        let mut res = render(&page)?;
        *res.status_mut() = status;
        Ok(res)
    }

    /// Handles a posted form: more rows, a check, or saving.
    async fn submit(&self, f: ResourceForm) -> WebResult {
        let svc = &self.state.svc;
        let actor = &self.user.actor;
        let reading = read(&f);
        if f.op == "add_rows" {
            let spec = reading.spec.clone();
            return self.page(f, spec.as_ref(), FormErrors::default(), BLANK_ROWS, false, StatusCode::OK).await;
        }
        let Reading { spec, item_rows, decision_rows, errors } = reading;
        let Some(spec) = spec else {
            return self.page(f, None, errors, 0, true, StatusCode::UNPROCESSABLE_ENTITY).await;
        };
        let refusal = |e: service::ServiceError| -> Result<FormErrors, crate::web::page::WebError> {
            Ok(to_form_rows(FormErrors::from_service(e)?, &item_rows, &decision_rows))
        };
        // The values that could be read are checked by the domain too, so that every message
        // shows at once.
        if !errors.is_empty() || f.op == "check" {
            let checked = match service::catalog::check_for(svc, actor, self.department(), spec.clone()).await {
                Ok(()) => FormErrors::default(),
                Err(e) if is_refusal(&e) => refusal(e)?,
                Err(e) => return Err(e.into()),
            };
            let all = merge(errors, checked);
            let status = if all.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            return self.page(f, Some(&spec), all, 0, true, status).await;
        }
        let saved = match self.resource {
            Some(r) => service::catalog::update(svc, actor, &r.code, f.expected_version, spec.clone()).await,
            None => service::catalog::create(svc, actor, None, spec.clone()).await,
        };
        match saved {
            Ok(r) => {
                let done = if self.resource.is_some() { "updated" } else { "created" };
                Ok(Redirect::to(&format!("{}?done={done}", resource_href(&r.code))).into_response())
            }
            Err(e) if is_refusal(&e) => {
                let errors = refusal(e)?;
                self.page(f, Some(&spec), errors, 0, true, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// `GET /console/catalog/new`: a blank form.
pub(super) async fn new_form(State(state): State<AppState>, Console(user): Console) -> WebResult {
    user.actor.authorize(Action::EditCatalog, Some(user.actor.department_id)).map_err(service::ServiceError::from)?;
    let ctx = FormContext { state: &state, user: &user, resource: None };
    let f = ResourceForm {
        share_type: ShareType::Conditional.code().into(),
        open_type: OpenType::NotOpen.code().into(),
        format_class: FormatClass::Database.code().into(),
        update_cycle: UpdateCycle::Monthly.code().into(),
        ..Default::default()
    };
    ctx.page(f, None, FormErrors::default(), BLANK_ROWS, false, StatusCode::OK).await
}

/// `POST /console/catalog/new`.
pub(super) async fn create(
    State(state): State<AppState>,
    ConsoleForm { user: Console(user), form }: ConsoleForm<ResourceForm>,
) -> WebResult {
    let ctx = FormContext { state: &state, user: &user, resource: None };
    ctx.submit(form).await
}

/// `GET /console/catalog/{code}/edit`: the entry's current values.
pub(super) async fn edit_form(
    State(state): State<AppState>,
    Console(user): Console,
    Path(code): Path<String>,
) -> WebResult {
    let r = service::catalog::get(&state.svc, &user.actor, &code).await?;
    user.actor.authorize(Action::EditCatalog, Some(r.department_id)).map_err(service::ServiceError::from)?;
    let ctx = FormContext { state: &state, user: &user, resource: Some(&r) };
    let f = ResourceForm::of(&r);
    ctx.page(f, Some(&r.spec), FormErrors::default(), 0, false, StatusCode::OK).await
}

/// `POST /console/catalog/{code}/edit`.
pub(super) async fn update(
    State(state): State<AppState>,
    Path(code): Path<String>,
    ConsoleForm { user: Console(user), form }: ConsoleForm<ResourceForm>,
) -> WebResult {
    let r = service::catalog::get(&state.svc, &user.actor, &code).await?;
    let ctx = FormContext { state: &state, user: &user, resource: Some(&r) };
    ctx.submit(form).await
}
