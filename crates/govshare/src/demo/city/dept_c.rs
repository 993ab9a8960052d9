//! Department resources (3 部门信息资源) of culture and tourism, veterans affairs, urban
//! management, administrative approval, the government-data bureau, industry, the housing
//! provident fund, real-estate registration, meteorology and the disabled persons' federation.

use domain::catalog::ShareMethod::*;
use domain::catalog::UpdateCycle::*;

use super::build::{R, d};

pub(super) fn resources() -> Vec<R> {
    let mut v = culture_tourism();
    v.extend(veterans());
    v.extend(urban_management());
    v.extend(approval());
    v.extend(data_bureau());
    v.extend(industry());
    v.extend(provident_fund());
    v.extend(real_estate());
    v.extend(meteorology());
    v.extend(disabled_persons());
    v
}

fn culture_tourism() -> Vec<R> {
    vec![
        d("wlj", "A级旅游景区名录")
            .div("资源开发处")
            .sum("本市A级旅游景区的名称、等级、地址、评定日期和咨询电话。")
            .sheet("xlsx")
            .items("景区名称 k; 景区等级 C2 r; 景区地址; 评定日期; 咨询电话 C30; 所在行政区划代码")
            .open()
            .cycle(Irregular)
            .tags("旅游景区 A级景区"),
        d("wlj", "旅行社经营许可信息")
            .div("市场管理处")
            .sum("本市旅行社及分社的经营许可证号、经营范围和质量保证金情况。")
            .db("mysql")
            .items(
                "许可证编号 C30 k; 旅行社名称 r; 统一社会信用代码; 经营范围 C500; 经营场所; 质量保证金金额; 发证日期",
            )
            .open()
            .cycle(Monthly)
            .tags("旅行社 经营许可"),
        d("wlj", "公共文化场馆信息")
            .div("公共服务处")
            .sum("图书馆、文化馆、博物馆、美术馆等公共文化场馆的地址、开放时间和位置。")
            .db("mysql")
            .items("场馆编号 C20 k; 场馆名称 r; 场馆类型 C2; 地址; 开放时间 C200; 联系电话; 经度; 纬度; 是否免费开放 L")
            .via(&[Api, BulkDownload])
            .open()
            .cycle(Quarterly)
            .tags("公共文化 图书馆 博物馆"),
        d("wlj", "互联网上网服务营业场所许可信息")
            .div("市场管理处")
            .sum("网吧等互联网上网服务营业场所的经营许可、经营地址和计算机台数。")
            .db("mysql")
            .items("许可证编号 C30 k; 场所名称 r; 统一社会信用代码; 经营地址; 计算机台数 I; 法定代表人; 发证日期")
            .cycle(Monthly)
            .tags("网吧 经营许可"),
        d("wlj", "文物保护单位信息")
            .div("文物保护处")
            .sum("各级文物保护单位的保护级别、类别、年代、地址和保护范围。")
            .db("mysql")
            .items("文物保护单位名称 k; 保护级别 C2 r; 类别 C20; 年代 C50; 地址; 公布批次 C20; 保护范围 C1000")
            .open()
            .cycle(Yearly)
            .tags("文物保护 文化遗产"),
        d("wlj", "旅游接待统计信息")
            .div("产业发展处")
            .sum("节假日和月度的旅游接待人次、旅游收入和重点景区客流。")
            .sheet("xlsx")
            .items("统计期 C8 k; 景区名称 k; 接待人次 I; 旅游收入 Y; 同比增长 N8")
            .cycle(Monthly)
            .draft()
            .tags("旅游统计 客流"),
    ]
}

fn veterans() -> Vec<R> {
    vec![
        d("tyjrj", "退役军人基本信息")
            .div("移交安置处")
            .sum("本市接收安置的退役军人的入伍、退役和安置信息，用于落实优待政策时核验身份。")
            .db("KingbaseES")
            .items("公民身份号码 k; 姓名 r; 入伍日期; 退役日期; 退役方式 C2; 安置方式 C2; 安置地行政区划代码")
            .cond("仅限人力资源和社会保障、医疗保障、住房和城乡建设、教育部门落实退役军人就业、医疗、住房、子女教育优待政策时按公民身份号码核验身份")
            .via(&[Verification])
            .cycle(Monthly)
            .tags("退役军人 优待"),
        d("tyjrj", "优抚对象抚恤补助发放信息")
            .div("优抚处")
            .sum("伤残军人、烈士遗属、在乡老复员军人等优抚对象的抚恤补助标准和发放记录。")
            .db("KingbaseES")
            .items("公民身份号码 k; 姓名 r; 优抚对象类别 C2; 抚恤补助标准 Y; 发放年月 C6 k; 发放金额")
            .cond("仅限民政、财政部门和审计机关用于救助对象比对和资金监管")
            .via(&[Exchange])
            .cycle(Monthly)
            .tags("优抚 抚恤"),
        d("tyjrj", "军人档案信息")
            .div("移交安置处")
            .sum("移交本市安置的军队转业干部和退役军人的纸质档案数字化扫描件。")
            .img("tif")
            .deny("《中华人民共和国保守国家秘密法》第十三条及《中华人民共和国退役军人保障法》关于退役军人档案管理的规定：档案含有军事秘密，按涉密档案管理")
            .secret()
            .cycle(Irregular)
            .tags("档案 涉密"),
        d("tyjrj", "光荣牌悬挂信息")
            .div("思想政治和权益维护处")
            .sum("为军人家庭、退役军人家庭和烈士家庭悬挂光荣牌的登记信息。")
            .sheet("xlsx")
            .items("登记编号 C30 k; 户主姓名 r; 家庭类别 C2; 家庭住址 C200; 悬挂日期; 所在行政区划代码")
            .cycle(Irregular)
            .tags("光荣牌 拥军优属"),
    ]
}

fn urban_management() -> Vec<R> {
    vec![
        d("cgj", "城市管理行政处罚信息")
            .div("城市管理综合执法支队")
            .sum("城市管理综合执法领域的行政处罚决定。")
            .db("mysql")
            .items("处罚决定书文号 C100 k; 当事人名称 r; 当事人证件号码 C30 c; 违法行为 C500; 处罚依据 C1000; 罚款金额; 处罚决定日期")
            .open()
            .cycle(Daily)
            .tags("行政处罚 双公示 城管执法"),
        d("cgj", "城市公共停车场泊位信息")
            .div("停车管理处")
            .sum("公共停车场的位置、总泊位数、实时空余泊位数和收费标准，通过接口实时提供。")
            .api("REST")
            .items("停车场编号 C20 k; 停车场名称 r; 地址; 经度; 纬度; 总泊位数 I; 空余泊位数 I; 收费标准 C200; 更新时间")
            .open()
            .cycle(Realtime)
            .tags("停车场 泊位 出行"),
        d("cgj", "数字城管案件信息")
            .div("数字化城市管理指挥中心")
            .sum("数字城管系统采集的市容环境、设施部件类问题案件及派遣、处置、核查和结案情况。")
            .db("oracle")
            .items("案件编号 C30 k; 问题类别 C4; 问题描述 C1000; 发生地址; 经度; 纬度; 上报时间; 处置单位名称; 结案时间; 案件状态 C2")
            .cond("仅限案件处置责任部门和各区城市管理部门查询本辖区、本部门案件")
            .via(&[Api, OnlineQuery])
            .cycle(Realtime)
            .tags("数字城管 市容"),
        d("cgj", "户外广告设施设置许可信息")
            .div("市容景观处")
            .sum("大型户外广告设施的设置许可，含设置位置、规格和许可期限。")
            .db("mysql")
            .items("许可证编号 C30 k; 设置单位名称 r; 统一社会信用代码; 设置地点 C200; 广告规格 C50; 许可日期; 有效期至")
            .cycle(Monthly)
            .tags("户外广告 许可"),
        d("cgj", "生活垃圾分类收运处置信息")
            .div("环境卫生管理处")
            .sum("各区生活垃圾分类收集量、转运量和末端处置量的日报数据。")
            .sheet("csv")
            .items("统计日期 k; 所在行政区划代码 k; 厨余垃圾量 N10; 可回收物量 N10; 有害垃圾量 N10; 其他垃圾量 N10; 处置设施名称")
            .cycle(Daily)
            .tags("垃圾分类 环境卫生"),
    ]
}

fn approval() -> Vec<R> {
    vec![
        d("xzspj", "行政许可办件信息")
            .div("政务服务科")
            .sum("集中审批事项的申请、受理、办结信息，含承诺时限和实际用时。")
            .db("mysql")
            .items(
                "办件编号 C50 k; 事项编码 C50 r; 事项名称; 申请人名称; 申请人证件号码 C30; 受理时间; 办结时间; \
                 办理结果 C2; 承诺时限 I; 实际用时 I",
            )
            .cond("仅限事项主管部门和纪检监察机关查询本部门、本领域办件；申请人信息仅在办理关联事项时使用")
            .via(&[Api, OnlineQuery])
            .cycle(Realtime)
            .tags("办件 行政许可 政务服务"),
        d("xzspj", "公共场所卫生许可信息")
            .div("社会事务审批科")
            .sum("住宿、游泳、美容美发等公共场所卫生许可证的核发信息。")
            .db("mysql")
            .items("许可证号 C30 k; 单位名称 r; 统一社会信用代码; 法定代表人; 经营场所; 经营项目 C200; 发证日期; 有效期至")
            .open()
            .cycle(Weekly)
            .tags("卫生许可 公共场所"),
        d("xzspj", "施工图设计文件审查信息")
            .div("投资建设审批科")
            .sum("房屋建筑和市政工程施工图设计文件审查合格书及审查机构。")
            .db("mysql")
            .items("审查合格书编号 C30 k; 工程名称 r; 建设单位名称; 审查机构名称; 审查结论 C2; 审查日期")
            .cycle(Daily)
            .tags("施工图审查 工程建设"),
        d("xzspj", "政务服务好差评信息")
            .div("政务服务科")
            .sum("企业群众对政务服务事项办理的评价等级、评价渠道和差评整改情况。")
            .db("mysql")
            .items("评价编号 C30 k; 办件编号 C50; 事项名称; 评价渠道 C2; 评价等级 I; 评价时间; 评价人手机号码 ns; 整改情况 C500")
            .open_if("向社会公开评价汇总结果和差评整改情况，不公开评价人信息")
            .cycle(Daily)
            .tags("好差评 政务服务"),
    ]
}

fn data_bureau() -> Vec<R> {
    vec![
        d("zwsj", "政务信息系统目录")
            .div("数据资源处")
            .sum("全市政务部门在用政务信息系统的名称、建设单位、部署方式、等保级别和所产生的信息资源。")
            .db("Dm")
            .items(
                "系统编号 C30 k; 系统名称 r; 建设单位名称; 上线日期; 部署方式 C2; 等级保护级别 C1; 涉及信息资源 C1000",
            )
            .cond("仅限各政务部门和审计机关用于信息系统整合共享和项目审核")
            .via(&[OnlineQuery, BulkDownload])
            .cycle(Quarterly)
            .tags("信息系统 目录"),
        d("zwsj", "数据共享调用日志")
            .div("平台运行处")
            .sum("共享交换平台的资源调用流水，含调用部门、调用方式、返回记录数和调用结果。")
            .db("Dm")
            .items("调用流水号 C50 k; 资源代码 C50 r; 调用部门名称; 调用时间; 调用方式 C2; 返回记录数 I; 调用结果 C2")
            .cond("仅限数据提供部门查询本部门资源被调用情况，审计机关可查询全量")
            .via(&[OnlineQuery])
            .cycle(Realtime)
            .tags("共享 调用日志 平台运行"),
        d("zwsj", "12345政务服务便民热线工单信息")
            .div("12345热线管理处")
            .sum("12345热线受理的咨询、求助、投诉、建议工单及承办、办结和满意度情况。")
            .db("Dm")
            .items(
                "工单编号 C30 k; 来电时间; 诉求类型 C2; 诉求内容 M; 诉求人姓名 ns; 诉求人手机号码 ns; 承办单位名称; \
                 办结时间; 满意度 C1",
            )
            .cond("仅限工单承办部门查询本部门承办工单；诉求人姓名、手机号码不共享")
            .via(&[Api, OnlineQuery])
            .cycle(Realtime)
            .tags("12345 热线 诉求"),
        d("zwsj", "政务服务中心窗口排队信息")
            .div("政务服务中心管理处")
            .sum("市民服务中心各窗口的实时排队人数和预计等候时长，通过接口提供。")
            .api("REST")
            .items("窗口编号 C10 k; 窗口名称 r; 业务类型 C50; 排队人数 I; 预计等候分钟 I; 更新时间")
            .open()
            .cycle(Realtime)
            .tags("排队 政务服务中心"),
        d("zwsj", "公共数据开放清单")
            .div("数据资源处")
            .sum("全市公共数据开放目录清单，含开放主体、开放类型和开放条件。")
            .sheet("xlsx")
            .items("数据集编号 C30 k; 数据集名称 r; 开放主体 C200; 开放类型 C1; 开放条件 C500; 更新周期 C2; 上线日期")
            .open()
            .cycle(Monthly)
            .tags("数据开放 清单"),
    ]
}

fn industry() -> Vec<R> {
    vec![
        d("gxj", "规模以上工业企业名录")
            .div("运行监测协调处")
            .sum("全市规模以上工业企业名录及所属行业、所在区和纳规时间。")
            .db("oracle")
            .items("统一社会信用代码 k; 企业名称 r; 行业代码 C4; 所在行政区划代码; 纳规时间 D; 企业状态 C1")
            .cond("仅限统计、税务、发展改革部门用于工业经济运行监测和惠企政策兑现")
            .cycle(Monthly)
            .tags("规上工业 企业名录"),
        d("gxj", "专精特新中小企业名单")
            .div("中小企业处")
            .sum("认定的省级和市级专精特新中小企业名单及认定批次。")
            .sheet("xlsx")
            .items("统一社会信用代码 k; 企业名称 r; 认定级别 C2; 认定批次 C20; 主导产品 C200; 认定日期; 有效期至")
            .open()
            .cycle(Yearly)
            .tags("专精特新 中小企业"),
        d("gxj", "重点用能单位能耗信息")
            .div("节能与综合利用处")
            .sum("重点用能单位月度综合能耗、电力和煤炭消费量。")
            .db("oracle")
            .items("统一社会信用代码 k; 单位名称 r; 统计年月 C6 k; 综合能耗 N14; 用电量 N14; 煤炭消费量 N14; 单位产值能耗 N10")
            .cond("仅限发展改革、统计、生态环境部门用于能耗双控、碳排放核算和有序用电")
            .via(&[Exchange])
            .cycle(Monthly)
            .tags("能耗 节能 碳排放"),
        d("gxj", "工业企业技术改造项目备案信息")
            .div("投资与技术改造处")
            .sum("工业企业技术改造项目的备案信息和计划投资。")
            .db("oracle")
            .items("项目代码 C24 k; 项目名称 r; 企业名称; 统一社会信用代码; 建设内容 M; 计划投资 Y; 备案日期")
            .cycle(Monthly)
            .draft()
            .tags("技术改造 项目备案"),
    ]
}

fn provident_fund() -> Vec<R> {
    vec![
        d("gjj", "住房公积金缴存信息")
            .div("归集管理部")
            .sum("住房公积金个人账户的缴存单位、缴存基数、月缴存额和账户状态。")
            .db("oracle")
            .items("个人公积金账号 C20 k; 公民身份号码 r; 姓名; 单位名称; 缴存基数 Y; 月缴存额 Y; 账户状态 C1; 开户日期")
            .cond("仅限不动产登记、住房和城乡建设（住房保障）、民政（社会救助核对）部门按公民身份号码查询缴存状态和缴存基数")
            .via(&[Verification, Api])
            .cycle(Monthly)
            .tags("公积金 缴存"),
        d("gjj", "住房公积金贷款信息")
            .div("信贷管理部")
            .sum("住房公积金个人住房贷款的借款人、贷款金额、期限、抵押房屋和还款状态。")
            .db("oracle")
            .items("贷款合同编号 C30 k; 借款人身份号码 r; 借款人姓名; 贷款金额; 贷款期限 I; 抵押房屋坐落 C200; 放款日期; 还款状态 C1")
            .cond("仅限不动产登记部门办理抵押登记、住房和城乡建设部门审核住房保障资格时查询")
            .via(&[Api, OnlineQuery])
            .cycle(Daily)
            .tags("公积金 贷款"),
        d("gjj", "住房公积金提取信息")
            .div("归集管理部")
            .sum("住房公积金提取的提取原因、提取金额和提取日期。")
            .db("oracle")
            .items("提取流水号 C30 k; 公民身份号码 r; 姓名; 提取原因 C2; 提取金额; 提取日期")
            .cond("仅限民政部门社会救助家庭经济状况核对时查询")
            .via(&[OnlineQuery])
            .cycle(Daily)
            .tags("公积金 提取"),
        d("gjj", "住房公积金缴存单位信息")
            .div("归集管理部")
            .sum("住房公积金缴存单位的登记信息、缴存人数和缴存比例。")
            .db("oracle")
            .items("单位公积金账号 C20 k; 单位名称 r; 统一社会信用代码; 缴存人数 I; 单位缴存比例 N5; 开户日期; 单位状态 C1")
            .cycle(Monthly)
            .tags("公积金 缴存单位"),
    ]
}

fn real_estate() -> Vec<R> {
    vec![
        d("bdc", "不动产登记簿信息")
            .div("登记科")
            .sum("不动产登记簿记载的不动产单元、权利人、坐落、面积、用途和权利类型。")
            .db("oracle")
            .items(
                "不动产单元号 C28 k; 不动产权证书号 C50 r; 权利人名称; 权利人证件号码 C30; 坐落 C200; 面积 N12; 用途 C20; \
                 权利类型 C4; 登记时间",
            )
            .cond("仅限因履行职责需要的政务部门依《不动产登记暂行条例》第二十七条查询，查询结果不得用于其他目的")
            .via(&[OnlineQuery, Api, Verification])
            .cycle(Realtime)
            .tags("不动产 登记簿"),
        d("bdc", "不动产抵押登记信息")
            .div("登记科")
            .sum("不动产抵押权的设立、变更和注销登记，含抵押权人、被担保债权数额和债务履行期限。")
            .db("oracle")
            .items("不动产登记证明号 C50 k; 不动产单元号 C28 r; 抵押权人名称; 抵押人名称; 被担保债权数额 Y; 债务履行期限起 D; 债务履行期限止 D; 登记时间")
            .cond("仅限住房公积金管理中心、税务部门和人民法院在贷款审批、税费征收和执行时查询")
            .via(&[OnlineQuery, Api])
            .cycle(Daily)
            .tags("不动产 抵押"),
        d("bdc", "不动产查封登记信息")
            .div("登记科")
            .sum("人民法院等国家机关依法查封、解封不动产的登记信息。")
            .db("oracle")
            .items("查封文号 C100 k; 不动产单元号 C28 r; 查封机关名称; 查封类型 C2; 查封起始日期; 查封终止日期; 解封日期")
            .cond("仅限人民法院、公安、税务等依法实施查封的机关和房屋交易监管部门查询")
            .via(&[OnlineQuery])
            .cycle(Daily)
            .tags("不动产 查封"),
    ]
}

fn meteorology() -> Vec<R> {
    vec![
        d("qxj", "城市天气预报")
            .div("气象台")
            .sum("全市及各区未来七天逐日天气预报，含天气现象、气温、风向风力和降水概率。")
            .api("REST")
            .items("预报区域行政区划代码 k; 预报日期 k; 天气现象 C20; 最高气温 N4; 最低气温 N4; 风向 C10; 风力 C10; 降水概率 N3; 发布时间")
            .open()
            .cycle(Daily)
            .tags("天气预报 气象"),
        d("qxj", "气象灾害预警信号")
            .div("气象台")
            .sum("暴雨、台风、高温、大风、雷电等气象灾害预警信号的发布、变更和解除信息。")
            .api("REST")
            .items("预警编号 C30 k; 预警类型 C10 r; 预警级别 C2 r; 影响区域 C500; 发布时间; 解除时间; 防御指南 C1000")
            .via(&[Api, Exchange])
            .open()
            .cycle(Realtime)
            .tags("预警信号 气象灾害"),
        d("qxj", "自动气象站观测资料")
            .div("气象观测站")
            .sum("全市区域自动气象站的气温、降水、风、湿度、气压逐小时观测资料，以BUFR表格驱动码编码。")
            .selfdesc("表格驱动码")
            .via(&[BulkDownload, Exchange])
            .open_if("向社会开放整点观测资料；逐分钟资料依《气象资料共享管理办法》向科研教育机构有条件提供")
            .cycle(Realtime)
            .tags("气象观测 自动站"),
        d("qxj", "天气雷达组合反射率拼图")
            .div("气象台")
            .sum("多普勒天气雷达组合反射率拼图，每六分钟一幅。")
            .img("png")
            .via(&[Api])
            .open()
            .cycle(Realtime)
            .tags("雷达 降水"),
    ]
}

fn disabled_persons() -> Vec<R> {
    vec![
        d("cl", "持证残疾人基本信息")
            .div("组织联络部")
            .sum("持第二代残疾人证的残疾人的残疾类别、残疾等级、户籍地址和证件有效期。")
            .db("mysql")
            .items("残疾人证号 C20 k; 公民身份号码 r; 姓名; 残疾类别 C1; 残疾等级 C1; 户籍地址; 发证日期; 有效期至")
            .cond("仅限民政、人力资源和社会保障、医疗保障、教育部门落实残疾人两项补贴、就业扶持、医疗救助和教育资助时核验残疾人身份与等级")
            .via(&[Verification, Api])
            .cycle(Monthly)
            .tags("残疾人 残疾人证"),
        d("cl", "残疾人就业登记信息")
            .div("残疾人就业服务中心")
            .sum("残疾人就业和按比例安排残疾人就业单位的登记信息。")
            .db("mysql")
            .items("公民身份号码 k; 姓名 r; 就业形式 C2; 就业单位名称; 就业单位统一社会信用代码; 就业登记日期")
            .cond("仅限税务部门核定残疾人就业保障金、人力资源和社会保障部门落实就业扶持政策时使用")
            .via(&[Exchange])
            .cycle(Quarterly)
            .tags("残疾人 就业"),
        d("cl", "残疾人辅助器具适配信息")
            .div("康复部")
            .sum("为残疾人适配的辅助器具品类、适配日期和补贴金额。")
            .db("mysql")
            .items("适配编号 C30 k; 公民身份号码 r; 姓名; 辅具名称; 适配日期; 补贴金额")
            .cond("仅限医疗保障、民政部门在落实康复救助政策时核验，防止重复补贴")
            .via(&[Verification])
            .cycle(Monthly)
            .draft()
            .tags("辅助器具 康复"),
    ]
}
