use chrono::NaiveDate;

use super::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn fields(e: ValidationErrors) -> Vec<String> {
    e.0.into_iter().map(|f| f.field).collect()
}

#[test]
fn a_complete_registration_passes() {
    let r = DeveloperRegistration {
        name: "张三".into(),
        organisation: None,
        email: "zhangsan@example.com".into(),
        intended_use: "开发公交到站查询小程序".into(),
    };
    r.validate().unwrap();
}

#[test]
fn a_registration_names_every_problem() {
    let r = DeveloperRegistration {
        name: " ".into(),
        organisation: Some("单".repeat(101)),
        email: "zhangsan@".into(),
        intended_use: "看看".into(),
    };
    assert_eq!(fields(r.validate().unwrap_err()), ["name", "organisation", "email", "intended_use"]);
}

#[test]
fn emails_phones_and_urls() {
    for ok in ["a@b.cn", "li.si+dev@mail.example.org"] {
        assert!(is_email(ok), "{ok}");
    }
    for bad in ["", "a@b", "a@.cn", "a b@c.cn", "a@b..cn", "@b.cn", "张@b.cn"] {
        assert!(!is_email(bad), "{bad}");
    }
    for ok in ["13800138000", "0591-87654321", "059187654321"] {
        assert!(is_phone(ok), "{ok}");
    }
    for bad in ["12800138000", "1380013800", "87654321", "0591-8765-43-21"] {
        assert!(!is_phone(bad), "{bad}");
    }
    for ok in ["https://bus.example.cn/app", "http://localhost:8080/x"] {
        assert!(is_web_url(ok), "{ok}");
    }
    for bad in
        ["javascript:alert(1)", "ftp://x.cn", "https://", "https://nodot", "https://a.cn/\"onclick", "example.cn"]
    {
        assert!(!is_web_url(bad), "{bad}");
    }
}

#[test]
fn an_app_needs_a_web_address_a_contact_and_a_dataset() {
    let mut a = AppSubmission {
        name: "公交到站".into(),
        description: "实时查询本市公交线路和站点信息".into(),
        url: "https://bus.example.cn".into(),
        developer: "某某科技有限公司".into(),
        contact: "0591-87654321".into(),
        datasets: vec!["110000/000001".into()],
    };
    a.validate().unwrap();
    a.url = "javascript:alert(1)".into();
    a.contact = "微信 abc".into();
    a.datasets.clear();
    assert_eq!(fields(a.validate().unwrap_err()), ["url", "contact", "datasets"]);
}

#[test]
fn an_open_application_has_a_period_of_at_most_a_year_from_today() {
    let today = day("2026-11-24");
    let mut a = OpenApplication {
        applicant: "王五".into(),
        organisation: "某某大学交通研究所".into(),
        contact: "wangwu@example.edu.cn".into(),
        purpose: "研究城市交通拥堵成因，撰写学术论文".into(),
        intended_use: "仅用于统计分析，不对外提供".into(),
        period_from: today,
        period_to: day("2027-06-30"),
    };
    a.validate(today).unwrap();
    a.period_from = day("2026-11-01");
    assert_eq!(fields(a.validate(today).unwrap_err()), ["period_from"]);
    a.period_from = today;
    a.period_to = day("2027-12-31");
    assert_eq!(fields(a.validate(today).unwrap_err()), ["period_to"]);
    a.period_to = day("2026-11-23");
    let e = a.validate(today).unwrap_err();
    assert!(e.0[0].message.contains("结束日期不能早于开始日期"), "{e}");
}

#[test]
fn a_refusal_needs_a_reason() {
    check_decision_reason(true, "").unwrap();
    check_decision_reason(false, "用途与开放条件不符").unwrap();
    assert_eq!(fields(check_decision_reason(false, "  ").unwrap_err()), ["reason"]);
}

#[test]
fn keys_and_references() {
    let key = format!("{API_KEY_PREFIX}{}", "ab12".repeat(16));
    assert!(looks_like_api_key(&key));
    assert!(!looks_like_api_key("gs_abc"));
    assert!(!looks_like_api_key(&key.replace('a', "z")));
    let r = reference_code(&[0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
    assert_eq!(r.len(), 14);
    assert!(r.starts_with("KF"));
    assert_eq!(normalize_reference(&format!(" {}-", r.to_lowercase())), r);
    assert_eq!(AppStatus::parse("approved"), Some(AppStatus::Approved));
    assert_eq!(OpenRequestStatus::Refused.label(), "不予同意");
}
