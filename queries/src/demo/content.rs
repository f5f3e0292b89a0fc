//! The realistic content the demo draws from: units and departments named in the seeds, powers
//! with their legal basis and flow, risk points by step, posts and measures.

/// A power template.
pub struct PowerT {
    /// 权力名称.
    pub name: &'static str,
    /// Category id.
    pub category: &'static str,
    /// 权力项目.
    pub item: &'static str,
    /// 行使依据.
    pub basis: &'static str,
    /// 行使界限.
    pub limits: &'static str,
}

/// What one scheme's demo units look like.
pub struct Profile {
    /// The preset id.
    pub scheme: &'static str,
    /// The first unit's name, and the pattern for the others (`{n}` is the unit number).
    pub first_unit: (&'static str, &'static str),
    /// Other units: id prefix and name pattern.
    pub unit_pattern: (&'static str, &'static str),
    /// Departments (id, name).
    pub departments: &'static [(&'static str, &'static str)],
    /// Powers.
    pub powers: &'static [PowerT],
}

/// Flow steps (环节) with the handling subject and a time limit.
pub const STEPS: &[(&str, &str, &str)] = &[
    ("受理", "窗口经办人员", "当场"),
    ("审核", "科室负责人", "5个工作日"),
    ("审批", "分管领导", "10个工作日"),
    ("公示", "办公室", "7日"),
    ("发放", "经办科室", "15个工作日"),
    ("验收", "验收小组", "10个工作日"),
    ("监督检查", "纪检监察室", "每季度"),
];

/// Risk-point phrases; `{p}` is the power name.
pub const RISK_PHRASES: &[&str] = &[
    "对{p}的申请材料审查不严，降低标准办理",
    "利用{p}职权吃拿卡要、收受好处",
    "优亲厚友，对亲属熟人的{p}事项违规照顾",
    "{p}程序不公开，暗箱操作",
    "{p}中自由裁量过大，处理结果畸轻畸重",
    "{p}拖延推诿，不作为、慢作为",
    "{p}中虚报冒领、弄虚作假未被发现",
    "对{p}的监督检查流于形式",
    "{p}资料档案管理混乱，事后无法追溯",
    "个人说了算，{p}未经集体研究",
];

/// Posts (岗位) and whether each is a key post.
pub const POSTS: &[(&str, bool)] = &[
    ("科室负责人", true),
    ("出纳", true),
    ("会计", true),
    ("经办人员", false),
    ("采购员", true),
    ("综合文员", false),
    ("审核员", false),
];

/// Surnames and given names for demo people (never real persons).
pub const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
];
/// Given names.
pub const GIVEN: &[&str] = &[
    "伟", "芳", "敏", "静", "磊", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "平", "刚",
    "建华", "文斌", "晓燕", "国强",
];

/// Reasons a unit gives for stating another level than the grade.
pub const OVERRIDE_REASONS: &[&str] = &[
    "经班子集体研究，结合近三年信访举报情况上调",
    "该事项资金量小且已实行网上公开，经审定下调",
];

/// Measure details added to the catalogue measure's name.
pub const MEASURE_DETAILS: &[&str] = &[
    "每季度开展一次",
    "纳入年度考核",
    "由纪检监察室督办",
    "建立台账，专人负责",
    "结果在单位公开栏公示",
];

const TOWN_DEPTS: &[(&str, &str)] = &[
    ("party-gov-office", "党政办"),
    ("finance-office", "财政所"),
    ("social-affairs", "社会事务办"),
    ("comprehensive-governance", "综合治理办"),
    ("petition-office", "信访办"),
    ("armed-forces", "武装部"),
    ("trade-union", "工会"),
    ("youth-league", "共青团"),
    ("womens-federation", "妇联"),
    ("land-office", "国土所"),
    ("agriculture-station", "农业站"),
    ("rural-economy-station", "农经站"),
    ("family-planning", "计生办"),
    ("culture-station", "文化站"),
    ("labour-security", "劳动保障所"),
    ("judicial-office", "司法所"),
    ("work-safety", "安全生产办"),
];

const TOWN_POWERS: &[PowerT] = &[
    PowerT {
        name: "最低生活保障审批",
        category: "approval",
        item: "城乡低保",
        basis: "《城市居民最低生活保障条例》第七条",
        limits: "按户籍、收入核定，不得擅自提高或降低标准",
    },
    PowerT {
        name: "农村宅基地审核",
        category: "approval",
        item: "宅基地",
        basis: "《中华人民共和国土地管理法》第六十二条",
        limits: "一户一宅，面积不得超过省定标准",
    },
    PowerT {
        name: "惠农补贴发放",
        category: "other",
        item: "涉农资金",
        basis: "财政部《关于做好农资综合补贴工作的通知》",
        limits: "按核定面积足额发放到户，不得截留挪用",
    },
    PowerT {
        name: "计划生育行政处罚",
        category: "penalty",
        item: "社会抚养费征收",
        basis: "《社会抚养费征收管理办法》第三条",
        limits: "按法定标准征收，不得随意减免",
    },
    PowerT {
        name: "镇级财务报账审核",
        category: "internal-management",
        item: "财务管理",
        basis: "《会计法》、镇财务管理制度",
        limits: "单笔五千元以上须经集体研究",
    },
    PowerT {
        name: "小型工程项目发包",
        category: "other",
        item: "工程建设",
        basis: "《中华人民共和国招标投标法》",
        limits: "五十万元以上公开招标，不得肢解发包",
    },
    PowerT {
        name: "安全生产监督检查",
        category: "supervision",
        item: "安全监管",
        basis: "《中华人民共和国安全生产法》第五十九条",
        limits: "检查须两人以上并出示证件",
    },
    PowerT {
        name: "土地违法行为查处",
        category: "penalty",
        item: "土地执法",
        basis: "《中华人民共和国土地管理法》第八十三条",
        limits: "依法定程序立案、调查、处理",
    },
    PowerT {
        name: "民事纠纷调解",
        category: "other",
        item: "人民调解",
        basis: "《中华人民共和国人民调解法》",
        limits: "自愿、平等，不得强迫调解",
    },
    PowerT {
        name: "信访事项办理",
        category: "other",
        item: "信访",
        basis: "《信访条例》第二十二条",
        limits: "十五日内告知受理，六十日内办结",
    },
];

const MINISTRY_DEPTS: &[(&str, &str)] = &[
    ("general-office", "办公厅"),
    ("planning-finance", "规划财务司"),
    ("social-assistance", "社会救助司"),
    ("veterans-placement", "优抚安置局"),
    ("social-welfare", "社会福利和慈善事业促进司"),
    ("personnel", "人事司"),
    ("ngo-management", "民间组织管理局"),
    ("disaster-relief", "救灾司"),
];

const MINISTRY_POWERS: &[PowerT] = &[
    PowerT {
        name: "中央财政救灾资金分配",
        category: "other",
        item: "重大资金物资",
        basis: "《自然灾害救助条例》第二十一条",
        limits: "按灾情评估结果和分配办法测算，集体研究决定",
    },
    PowerT {
        name: "全国性社会团体登记",
        category: "licensing",
        item: "行政审批",
        basis: "《社会团体登记管理条例》第九条",
        limits: "按法定条件和时限审查，不得增设条件",
    },
    PowerT {
        name: "福利彩票公益金项目审批",
        category: "approval",
        item: "重大项目",
        basis: "《彩票管理条例》第三十六条",
        limits: "按公益金使用管理办法立项，结果向社会公告",
    },
    PowerT {
        name: "社会组织执法监察",
        category: "penalty",
        item: "行政处罚",
        basis: "《社会团体登记管理条例》第三十三条",
        limits: "依法定程序立案调查，处罚决定集体研究",
    },
    PowerT {
        name: "干部选拔任用",
        category: "internal-management",
        item: "干部选拔",
        basis: "《党政领导干部选拔任用工作条例》",
        limits: "严格民主推荐、考察、公示程序",
    },
    PowerT {
        name: "军队离退休干部安置",
        category: "other",
        item: "人员安置",
        basis: "《军队离休退休干部移交政府安置管理工作意见》",
        limits: "按计划和标准安置，不得擅自变更",
    },
    PowerT {
        name: "机关政府采购",
        category: "internal-management",
        item: "一般资金物资",
        basis: "《中华人民共和国政府采购法》",
        limits: "限额以上集中采购，不得化整为零",
    },
    PowerT {
        name: "国有资产处置",
        category: "internal-management",
        item: "资产管理",
        basis: "《中央行政单位国有资产管理暂行办法》",
        limits: "评估后公开处置，收入上缴国库",
    },
];

const EDU_DEPTS: &[(&str, &str)] = &[
    ("office", "办公室"),
    ("personnel-section", "人事科"),
    ("planning-finance-section", "计划财务科"),
    ("basic-education", "基础教育科"),
    ("enrolment-office", "招生办"),
    ("inspection-office", "教育督导室"),
    ("no1-middle-school", "第一中学"),
    ("experimental-primary", "实验小学"),
    ("central-school", "中心学校"),
];

const EDU_POWERS: &[PowerT] = &[
    PowerT {
        name: "大宗物品采购",
        category: "internal-management",
        item: "采购",
        basis: "《中华人民共和国政府采购法》",
        limits: "集中采购目录内项目一律进场交易",
    },
    PowerT {
        name: "教辅图书资料征订",
        category: "other",
        item: "征订",
        basis: "教育部《中小学教辅材料管理办法》",
        limits: "学生自愿，不得强制或变相强制征订",
    },
    PowerT {
        name: "招生收费",
        category: "levy",
        item: "收费",
        basis: "《教育收费公示制度》",
        limits: "按核定标准收取，有幅度的按下限执行",
    },
    PowerT {
        name: "教师资格认定",
        category: "licensing",
        item: "资格认定",
        basis: "《教师资格条例》第十三条",
        limits: "按法定条件和程序认定，结果公示",
    },
    PowerT {
        name: "教职工人事调动",
        category: "internal-management",
        item: "人事",
        basis: "《事业单位人事管理条例》",
        limits: "按编制和岗位公开选调",
    },
    PowerT {
        name: "民办学校审批",
        category: "approval",
        item: "办学许可",
        basis: "《中华人民共和国民办教育促进法》第十二条",
        limits: "按设置标准审批，不得降低条件",
    },
    PowerT {
        name: "校舍维修工程",
        category: "other",
        item: "工程建设",
        basis: "《中华人民共和国招标投标法》",
        limits: "限额以上公开招标，验收后付款",
    },
];

const UNIV_DEPTS: &[(&str, &str)] = &[
    ("logistics-group", "后勤集团"),
    ("campus-construction", "校建办"),
    ("equipment-office", "设备处"),
    ("finance-office", "财务处"),
    ("enrolment-employment", "招就处"),
];

const UNIV_POWERS: &[PowerT] = &[
    PowerT {
        name: "基建工程招标",
        category: "other",
        item: "基本建设",
        basis: "《中华人民共和国招标投标法》",
        limits: "依法公开招标，评标专家随机抽取",
    },
    PowerT {
        name: "仪器设备采购",
        category: "internal-management",
        item: "设备采购",
        basis: "《中华人民共和国政府采购法》、学校采购管理办法",
        limits: "十万元以上公开招标",
    },
    PowerT {
        name: "经费报销审核",
        category: "internal-management",
        item: "财务管理",
        basis: "学校财务管理办法",
        limits: "按预算和标准审核，票据须真实合法",
    },
    PowerT {
        name: "招生录取",
        category: "other",
        item: "招生",
        basis: "教育部普通高校招生工作规定",
        limits: "按公布的章程和计划录取，结果公示",
    },
    PowerT {
        name: "后勤物资采购",
        category: "internal-management",
        item: "物资采购",
        basis: "学校后勤管理制度",
        limits: "定点采购，货比三家",
    },
    PowerT {
        name: "毕业生就业推荐",
        category: "other",
        item: "就业",
        basis: "《普通高等学校毕业生就业工作暂行规定》",
        limits: "公开、公平推荐，不得收取费用",
    },
    PowerT {
        name: "工程维修结算审核",
        category: "internal-management",
        item: "维修工程",
        basis: "学校维修工程管理办法",
        limits: "先审计后结算",
    },
];

/// The four profiles, one per preset.
pub const PROFILES: [Profile; 4] = [
    Profile {
        scheme: "town-2012",
        first_unit: ("chengguan-town", "城关镇"),
        unit_pattern: ("town", "第{n}镇"),
        departments: TOWN_DEPTS,
        powers: TOWN_POWERS,
    },
    Profile {
        scheme: "ministry-2012",
        first_unit: ("mca-organs", "民政部直属机关"),
        unit_pattern: ("mca-unit", "民政部直属单位{n}"),
        departments: MINISTRY_DEPTS,
        powers: MINISTRY_POWERS,
    },
    Profile {
        scheme: "education-bureau",
        first_unit: ("city-education-bureau", "市教育局"),
        unit_pattern: ("county-education-bureau", "第{n}县教育局"),
        departments: EDU_DEPTS,
        powers: EDU_POWERS,
    },
    Profile {
        scheme: "university-2010",
        first_unit: ("jxau", "江西农业大学"),
        unit_pattern: ("university", "第{n}高校"),
        departments: UNIV_DEPTS,
        powers: UNIV_POWERS,
    },
];
