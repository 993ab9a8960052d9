//! Generic item names: names whose meaning depends on the record they sit in (the 编号 of a
//! licence is not the 编号 of a case; the 有效期至 of a residence permit is not that of a
//! business licence). Two departments both having an item called 备注 is no duplicate
//! collection, so these names never match each other. A register element is matched by its name
//! whatever it is: the register is deliberate, the catalogue is not.

use std::collections::HashSet;
use std::sync::OnceLock;

use super::synonyms::SynonymTable;
use crate::text::name_key;

/// The generic names, as clerks write them. Compared after `name_key`.
#[rustfmt::skip]
pub const GENERIC_NAMES: &[&str] = &[
    // Record keeping.
    "序号", "编号", "代码", "编码", "名称", "备注", "说明", "描述", "内容", "状态", "类型", "类别", "分类", "标志",
    "标识", "主键", "流水号", "记录编号", "业务编号", "版本号", "有效标志", "是否有效", "删除标志", "数据来源",
    "来源", "附件", "证照文件", "备注说明", "id", "uuid", "name", "remark", "remarks", "status", "type", "memo",
    "createtime", "updatetime", "createdat", "updatedat",
    // Times of the record or of the act it records.
    "日期", "时间", "年度", "年份", "月份", "统计年月", "统计日期", "统计期", "统计年度", "创建时间", "创建日期",
    "更新时间", "更新日期", "修改时间", "录入时间", "入库时间", "同步时间", "数据更新时间", "时间戳", "登记日期",
    "登记时间", "受理日期", "受理时间", "办结日期", "办结时间", "审核日期", "审核时间", "审批日期", "批准日期",
    "发证日期", "签发日期", "发布时间", "发布日期", "上报时间", "上报日期", "报告日期", "填报日期", "备案日期",
    "认定日期", "评定日期", "监测日期", "检查日期", "变更日期", "注销日期", "撤销日期", "开始日期", "结束日期",
    "开始时间", "结束时间", "有效期", "有效期起", "有效期至", "有效期限", "有效期开始日期", "有效期截止日期",
    // People and bodies acting on the record.
    "创建人", "更新人", "录入人", "操作人", "经办人", "审核人", "审批人", "负责人", "联系人", "填报人", "填报单位",
    "单位", "部门", "所属部门", "单位名称", "机构名称", "发证机关", "发证机构", "签发机关", "审批机关", "登记机关",
    "主管部门",
    // Outcomes of the act.
    "审核意见", "审核状态", "审核结果", "审批意见", "审批结果", "办理状态", "办理结果", "处理结果", "处理意见",
    "注销原因", "变更事项", "变更内容",
    // Numbers whose object the record gives.
    "证照编号", "证书编号", "证件编号", "许可证编号", "许可证号", "文号", "案件编号", "备案编号", "登记编号",
    "项目编号", "项目代码", "证件号码", "证件类型",
    // Contacts and places in general.
    "地址", "联系地址", "通讯地址", "联系电话", "电话", "咨询电话", "传真", "邮箱", "电子邮箱", "邮政编码", "邮编",
    "经度", "纬度", "坐标", "几何信息", "位置",
    // Quantities.
    "金额", "数量", "数值", "计量单位", "单价", "合计", "总计", "比例", "同比增长", "环比增长", "指标名称", "指标值",
    "面积", "规格型号", "项目名称", "等级", "级别",
];

/// Endings that make a name an attribute of the act a record is about (the 日期 of a penalty, the
/// 金额 of a subsidy, the 等级 of a risk): 处罚决定日期 in two departments' entries is two
/// different dates. A name with such an ending is generic unless it is in a synonym group (出生日期,
/// 死亡日期 name the same datum wherever they appear) or a register element.
pub const GENERIC_ENDINGS: &[&str] = &[
    "日期", "时间", "年月", "年度", "金额", "次数", "人数", "状态", "类型", "类别", "等级", "级别", "编号", "文号",
    "依据", "措施", "事实", "行为", "内容", "标准", "形式", "意见", "结果", "原因", "说明", "备注",
];

fn generic_keys() -> &'static HashSet<String> {
    static KEYS: OnceLock<HashSet<String>> = OnceLock::new();
    KEYS.get_or_init(|| GENERIC_NAMES.iter().map(|n| name_key(n)).collect())
}

/// Whether a normalised item name is generic (see the module docs): one of [`GENERIC_NAMES`], or
/// a name with one of the [`GENERIC_ENDINGS`] that `table` does not know as a synonym. An empty
/// name is generic too.
pub fn is_generic(key: &str, table: &SynonymTable) -> bool {
    key.is_empty()
        || generic_keys().contains(key)
        || (table.group(key).is_none() && GENERIC_ENDINGS.iter().any(|e| key.ends_with(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_names_in_any_width_or_case() {
        let t = SynonymTable::builtin();
        let names = ["序号", "备注", "名称", "状态", "类型", "日期", "编号", "说明", "创建时间", "更新时间", "ID"];
        for n in names.into_iter().chain(["create_time", "備註"]) {
            assert!(is_generic(&name_key(n), t), "{n}");
        }
        // Attributes of an act, whatever the act.
        for n in ["处罚决定日期", "补贴金额", "风险等级", "预警编号", "处罚决定书文号", "审核意见"]
        {
            assert!(is_generic(&name_key(n), t), "{n}");
        }
        // The same datum wherever it appears.
        for n in ["公民身份号码", "企业名称", "出生日期", "死亡日期", "婚姻状况", "注册资本", "姓名", "不动产权证书号"]
        {
            assert!(!is_generic(&name_key(n), t), "{n}");
        }
        // A register element's names join the table, so its own dated names are not generic.
        let mut t = t.clone();
        t.add_group(["首次执业日期", "执业开始日期"]);
        assert!(!is_generic(&name_key("首次执业日期"), &t));
    }
}
