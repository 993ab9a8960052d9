//! The enumerations of the compilation guide (STANDARDS.md §1.5). Each value has an English code
//! for the API, the guide's Chinese label for spreadsheets, and accepts the guide's number.

use crate::labels::labelled_enum;

labelled_enum! {
    /// 共享类型 (国发〔2016〕51号 第九条).
    pub enum ShareType: "共享类型" {
        Unconditional = ("unconditional", "无条件共享", "1", "无条件"),
        Conditional = ("conditional", "有条件共享", "2", "有条件"),
        NotShared = ("not_shared", "不予共享", "3", "不予"),
    }
}

labelled_enum! {
    /// 共享方式: how consumers get the data (第十二条: 系统对接、前置机共享、在线查询、部门批量下载).
    pub enum ShareMethod: "共享方式" {
        Api = ("api", "接口", "接口方式", "系统对接"),
        OnlineQuery = ("online_query", "在线查询"),
        BulkDownload = ("bulk_download", "批量下载", "部门批量下载", "文件"),
        Exchange = ("exchange", "库表交换", "前置机", "前置机共享", "数据库"),
        Verification = ("verification", "核验"),
        Offline = ("offline", "邮件或介质", "介质", "邮件"),
    }
}

labelled_enum! {
    /// 开放属性 (seed 002; newer regulations use three values).
    pub enum OpenType: "开放类型" {
        Unconditional = ("unconditional", "无条件开放", "1"),
        Conditional = ("conditional", "有条件开放", "2"),
        NotOpen = ("not_open", "不予开放", "3", "否", "不开放"),
    }
}

labelled_enum! {
    /// 信息资源格式分类 (STANDARDS.md §1.5.1).
    pub enum FormatClass: "格式分类" {
        ElectronicFile = ("electronic_file", "电子文件"),
        Spreadsheet = ("spreadsheet", "电子表格"),
        Database = ("database", "数据库"),
        Image = ("image", "图形图像"),
        Streaming = ("streaming", "流媒体"),
        SelfDescribing = ("self_describing", "自描述格式"),
        Interface = ("interface", "服务接口", "接口"),
        Other = ("other", "其他"),
    }
}

impl FormatClass {
    /// The sub-types the guide lists for this class; `其他` is always accepted too.
    pub fn subtypes(self) -> &'static [&'static str] {
        match self {
            FormatClass::ElectronicFile => &["OFD", "wps", "xml", "txt", "doc", "docx", "html", "pdf", "ppt"],
            FormatClass::Spreadsheet => &["et", "xls", "xlsx", "csv"],
            FormatClass::Database => &[
                "Dm",
                "KingbaseES",
                "access",
                "dbf",
                "dbase",
                "sybase",
                "oracle",
                "sql server",
                "db2",
                "mysql",
                "PostgreSQL",
                "GaussDB",
                "OceanBase",
            ],
            FormatClass::Image => &["jpg", "gif", "bmp", "png", "tif"],
            FormatClass::Streaming => &["swf", "rm", "mpg", "mp4"],
            FormatClass::SelfDescribing => &["表格驱动码"],
            FormatClass::Interface => &["REST", "SOAP", "WebService"],
            FormatClass::Other => &[],
        }
    }

    /// Whether resources of this class are structured and must list their data items (§1.6 rule 5).
    pub fn is_structured(self) -> bool {
        matches!(self, FormatClass::Spreadsheet | FormatClass::Database)
    }
}

labelled_enum! {
    /// 信息项数据类型 (STANDARDS.md §1.5.2; the Visual FoxPro letters the guide uses).
    pub enum DataType: "数据类型" {
        C = ("C", "字符型"),
        N = ("N", "数值型"),
        Y = ("Y", "货币型"),
        D = ("D", "日期型"),
        T = ("T", "日期时间型"),
        L = ("L", "逻辑型"),
        M = ("M", "备注型"),
        G = ("G", "通用型"),
        B = ("B", "双精度型"),
        I = ("I", "整型"),
        F = ("F", "浮点型"),
    }
}

impl DataType {
    /// Character data must declare its length (§1.6 rule 5).
    pub fn needs_length(self) -> bool {
        matches!(self, DataType::C)
    }
}

labelled_enum! {
    /// 更新周期 (STANDARDS.md §1.5.5).
    pub enum UpdateCycle: "更新周期" {
        Realtime = ("realtime", "实时"),
        Daily = ("daily", "每日"),
        Weekly = ("weekly", "每周"),
        TenDays = ("ten_days", "每旬"),
        Monthly = ("monthly", "每月"),
        Quarterly = ("quarterly", "每季度"),
        HalfYearly = ("half_yearly", "每半年"),
        Yearly = ("yearly", "每年"),
        Irregular = ("irregular", "不定期", "不定时", "其他"),
    }
}

impl UpdateCycle {
    /// The longest gap, in calendar days, between two updates before data counts as overdue.
    /// `None` for irregular updates.
    pub fn max_age_days(self) -> Option<u32> {
        match self {
            UpdateCycle::Realtime | UpdateCycle::Daily => Some(1),
            UpdateCycle::Weekly => Some(7),
            UpdateCycle::TenDays => Some(10),
            UpdateCycle::Monthly => Some(31),
            UpdateCycle::Quarterly => Some(92),
            UpdateCycle::HalfYearly => Some(183),
            UpdateCycle::Yearly => Some(366),
            UpdateCycle::Irregular => None,
        }
    }
}

labelled_enum! {
    /// The kind of identifier a data item holds, so that data can be checked against it.
    pub enum IdentifierKind: "标识类型" {
        CitizenId = ("citizen_id", "公民身份号码", "身份证号"),
        CreditCode = ("credit_code", "统一社会信用代码"),
        OrgCode = ("org_code", "组织机构代码"),
        RegionCode = ("region_code", "行政区划代码"),
        Mobile = ("mobile", "手机号码"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_code_label_and_number() {
        assert_eq!(ShareType::parse("conditional"), Some(ShareType::Conditional));
        assert_eq!(ShareType::parse("有条件共享"), Some(ShareType::Conditional));
        assert_eq!(ShareType::parse("2"), Some(ShareType::Conditional));
        assert_eq!(ShareType::parse("maybe"), None);
        let err = "maybe".parse::<ShareType>().unwrap_err();
        assert!(err.to_string().contains("无条件共享"), "{err}");
    }

    #[test]
    fn serializes_as_english_code() {
        assert_eq!(serde_json::to_string(&UpdateCycle::HalfYearly).unwrap(), "\"half_yearly\"");
        let d: DataType = serde_json::from_str("\"字符型\"").unwrap();
        assert_eq!(d, DataType::C);
        assert!(serde_json::from_str::<DataType>("\"Z\"").is_err());
    }

    #[test]
    fn every_label_round_trips() {
        for v in ShareMethod::ALL {
            assert_eq!(ShareMethod::parse(v.label()), Some(*v));
            assert_eq!(ShareMethod::parse(v.code()), Some(*v));
        }
        for v in FormatClass::ALL {
            assert_eq!(FormatClass::parse(v.label()), Some(*v));
        }
    }
}
