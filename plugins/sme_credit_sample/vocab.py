"""Fixed vocabularies: regions, courts, industries, name parts, counterparties, case causes.

Region codes are real GB/T 2260 district codes; the court code in a case number is the province abbreviation
plus the last four digits of the district code, e.g. 310115 -> 沪0115 (as in `(2025)沪0115民初12345号`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    code: str  # GB/T 2260 district code
    province: str  # abbreviation used in case numbers
    city: str  # prefix of company names
    admin: str  # full administrative name: court, treasury and individual-business names start with it
    weight: float  # share of the bank's customers
    power_company: str

    @property
    def court(self) -> str:
        return f"{self.admin}人民法院"

    @property
    def court_code(self) -> str:
        return f"{self.province}{self.code[2:]}"

    @property
    def treasury(self) -> str:
        return f"国家金库{self.admin}支库"

    @property
    def water_company(self) -> str:
        return f"{self.city}市水务集团有限公司"

    # Collection accounts of the treasury and the utilities (synthetic numbers, one per district).
    @property
    def treasury_account(self) -> str:
        return f"2701{self.code}000001"

    @property
    def power_account(self) -> str:
        return f"3100{self.code}000008"

    @property
    def water_account(self) -> str:
        return f"3200{self.code}000009"


_SH, _ZJ, _GD, _JS = "国网上海市电力公司", "国网浙江省电力有限公司", "广东电网有限责任公司", "国网江苏省电力有限公司"
REGIONS: tuple[Region, ...] = (
    Region("310115", "沪", "上海", "上海市浦东新区", 9, _SH),
    Region("310104", "沪", "上海", "上海市徐汇区", 4, _SH),
    Region("310112", "沪", "上海", "上海市闵行区", 5, _SH),
    Region("310117", "沪", "上海", "上海市松江区", 4, _SH),
    Region("330106", "浙", "杭州", "杭州市西湖区", 5, _ZJ),
    Region("330110", "浙", "杭州", "杭州市余杭区", 5, _ZJ),
    Region("330212", "浙", "宁波", "宁波市鄞州区", 4, _ZJ),
    Region("330782", "浙", "义乌", "义乌市", 4, _ZJ),
    Region("440305", "粤", "深圳", "深圳市南山区", 5, "深圳供电局有限公司"),
    Region("440306", "粤", "深圳", "深圳市宝安区", 5, "深圳供电局有限公司"),
    Region("440106", "粤", "广州", "广州市天河区", 4, _GD),
    Region("320506", "苏", "苏州", "苏州市吴中区", 5, _JS),
    Region("320106", "苏", "南京", "南京市鼓楼区", 3, _JS),
    Region("320211", "苏", "无锡", "无锡市滨湖区", 3, _JS),
    Region("510107", "川", "成都", "成都市武侯区", 4, "国网四川省电力公司"),
    Region("370203", "鲁", "青岛", "青岛市市北区", 3, "国网山东省电力公司"),
    Region("420106", "鄂", "武汉", "武汉市武昌区", 3, "国网湖北省电力有限公司"),
    Region("350206", "闽", "厦门", "厦门市湖里区", 3, "国网福建省电力有限公司"),
    Region("110105", "京", "北京", "北京市朝阳区", 5, "国网北京市电力公司"),
    Region("120116", "津", "天津", "天津市滨海新区", 3, "国网天津市电力公司"),
    Region("500112", "渝", "重庆", "重庆市渝北区", 3, "国网重庆市电力公司"),
    Region("430104", "湘", "长沙", "长沙市岳麓区", 2, "国网湖南省电力有限公司"),
    Region("410105", "豫", "郑州", "郑州市金水区", 2, "国网河南省电力公司"),
    Region("610113", "陕", "西安", "西安市雁塔区", 2, "国网陕西省电力有限公司"),
)

# Birthplace prefixes of legal representatives (real district codes, some outside the bank's regions).
BIRTHPLACE_CODES = tuple(r.code for r in REGIONS) + (
    "340104",
    "360102",
    "130102",
    "210102",
    "230102",
    "450103",
    "530102",
    "411302",
    "421002",
    "362502",
)

# Counterparties come from anywhere; these cities prefix their names.
COUNTERPARTY_CITIES = (
    "上海",
    "杭州",
    "深圳",
    "广州",
    "苏州",
    "南京",
    "无锡",
    "宁波",
    "成都",
    "青岛",
    "武汉",
    "厦门",
    "北京",
    "天津",
    "重庆",
    "长沙",
    "郑州",
    "西安",
    "佛山",
    "东莞",
    "温州",
    "绍兴",
    "台州",
    "嘉兴",
    "合肥",
    "常州",
    "南通",
    "泉州",
    "昆山",
    "义乌",
    "济南",
    "福州",
    "金华",
    "湖州",
    "中山",
    "珠海",
)


@dataclass(frozen=True)
class Industry:
    code: str  # GB/T 4754 section letter + 2-digit division
    weight: float  # share of companies
    words: tuple[str, ...]  # industry word in a company name

    @property
    def section(self) -> str:
        return self.code[0]


INDUSTRIES: tuple[Industry, ...] = (
    Industry("A01", 0.6, ("农业科技", "生态农业")),
    Industry("A05", 0.4, ("农业服务",)),
    Industry("B10", 0.3, ("矿业",)),
    Industry("C13", 1.5, ("食品",)),
    Industry("C14", 1.2, ("食品",)),
    Industry("C17", 1.4, ("纺织",)),
    Industry("C18", 1.8, ("服饰",)),
    Industry("C19", 0.6, ("皮具",)),
    Industry("C21", 1.0, ("家具",)),
    Industry("C22", 1.0, ("纸业", "包装材料")),
    Industry("C23", 0.8, ("印刷",)),
    Industry("C24", 0.5, ("文体用品",)),
    Industry("C26", 1.2, ("化工",)),
    Industry("C29", 1.8, ("塑料制品", "橡塑制品")),
    Industry("C30", 1.2, ("建材", "新型建材")),
    Industry("C33", 2.5, ("金属制品", "五金制品")),
    Industry("C34", 3.0, ("机械制造", "机械设备")),
    Industry("C35", 1.5, ("智能装备", "专用设备")),
    Industry("C36", 1.0, ("汽车零部件",)),
    Industry("C38", 1.8, ("电气", "电器")),
    Industry("C39", 2.0, ("电子科技", "电子")),
    Industry("C40", 0.6, ("仪器仪表",)),
    Industry("D44", 0.3, ("新能源科技",)),
    Industry("D46", 0.2, ("水务",)),
    Industry("E47", 3.0, ("建筑工程", "建设工程")),
    Industry("E48", 1.6, ("市政工程", "路桥工程")),
    Industry("E49", 1.6, ("机电安装工程", "安装工程")),
    Industry("E50", 2.8, ("装饰工程", "建筑装饰工程")),
    Industry("F51", 16.0, ("贸易", "商贸", "进出口", "供应链管理", "实业")),
    Industry("F52", 6.0, ("超市", "百货", "商业")),
    Industry("G54", 3.0, ("物流", "运输")),
    Industry("G58", 1.5, ("货运代理", "国际货运代理")),
    Industry("G59", 1.0, ("仓储",)),
    Industry("H61", 1.5, ("酒店管理", "宾馆")),
    Industry("H62", 5.5, ("餐饮管理", "餐饮")),
    Industry("I64", 1.8, ("网络科技",)),
    Industry("I65", 3.2, ("信息技术", "软件", "科技")),
    Industry("J69", 0.2, ("金融信息服务",)),
    Industry("K70", 2.0, ("房地产开发", "物业管理", "房地产经纪")),
    Industry("L71", 1.5, ("设备租赁", "汽车租赁")),
    Industry("L72", 5.5, ("企业管理咨询", "广告", "人力资源", "会展服务", "商务咨询")),
    Industry("M73", 0.8, ("生物科技",)),
    Industry("M74", 2.2, ("工程设计", "检测技术", "工程咨询")),
    Industry("M75", 2.0, ("科技发展", "技术服务")),
    Industry("N77", 0.8, ("环保科技", "环境工程")),
    Industry("N78", 0.7, ("园林绿化工程",)),
    Industry("O80", 0.8, ("家政服务",)),
    Industry("O81", 1.2, ("汽车服务", "维修服务")),
    Industry("O82", 0.5, ("清洁服务",)),
    Industry("P83", 1.0, ("教育科技", "教育咨询")),
    Industry("Q84", 0.5, ("医疗管理",)),
    Industry("Q85", 0.3, ("养老服务",)),
    Industry("R87", 0.5, ("影视传媒", "文化传媒")),
    Industry("R88", 0.6, ("文化传播", "文化艺术")),
    Industry("R89", 0.3, ("体育发展",)),
)

# Individual businesses (个体工商户): industry code and the shop word that ends their name.
INDIVIDUAL_BUSINESSES: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("F52", 4.0, ("便利店", "副食品店", "服装店", "五金店")),
    ("F51", 2.0, ("五金经营部", "建材经营部", "日用品经营部")),
    ("H62", 3.0, ("餐饮店", "面馆", "小吃店")),
    ("O80", 0.6, ("家政服务部",)),
    ("O81", 1.0, ("汽车修理部", "家电维修部")),
)

# Industry risk coefficients (domain brief: C, F, E hold most bad loans, then L, K, B; D, N, P, Q, J, I lower).
SECTION_RISK = {
    "A": 1.1,
    "B": 1.2,
    "C": 1.3,
    "D": 0.6,
    "E": 1.4,
    "F": 1.35,
    "G": 1.0,
    "H": 1.15,
    "I": 0.8,
    "J": 0.8,
    "K": 1.25,
    "L": 1.15,
    "M": 0.9,
    "N": 0.7,
    "O": 1.0,
    "P": 0.7,
    "Q": 0.7,
    "R": 1.0,
}
# How deep the Spring Festival shutdown cuts a month's sales (share lost for the days inside the shutdown).
SECTION_FESTIVAL_DIP = {"C": 0.75, "E": 0.85, "G": 0.6, "B": 0.7, "H": 0.2, "F": 0.45, "O": 0.3, "R": 0.3}
DEFAULT_FESTIVAL_DIP = 0.5
# Electricity intensity: kWh per yuan of sales (manufacturing uses power, traders hardly any).
SECTION_KWH_PER_YUAN = {
    "A": 0.05,
    "B": 0.15,
    "C": 0.08,
    "D": 0.05,
    "E": 0.012,
    "F": 0.004,
    "G": 0.01,
    "H": 0.06,
    "I": 0.01,
    "J": 0.004,
    "K": 0.006,
    "L": 0.006,
    "M": 0.01,
    "N": 0.03,
    "O": 0.03,
    "P": 0.02,
    "Q": 0.03,
    "R": 0.02,
}
# Retail, catering and consumer services are paid largely by card and QR code (POS settlements).
POS_DIVISIONS = frozenset({"F52", "H61", "H62", "O80", "O81", "O82", "R89"})

TRADE_NAME_FIRST = "宏华鑫盛恒瑞泰嘉德益博兴汇通金银天海东新永长安福康祥荣昌隆丰源信诚茂创晟远大佳美凯豪冠龙鹏飞宇辰星明辉正和合众协同联万亿升腾卓越"
TRADE_NAME_SECOND = (
    "达源丰泰信诚茂创晟科远祥荣昌隆盛华鑫恒瑞嘉德益博兴汇通发利宝辉明阳宇航峰林森海川江山石桥邦联力强杰伟鼎顺美成光"
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范"
    "金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_NAME_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力鹏飞斌宇浩凯俊峰海燕晨婷雪琳颖欣怡佳思雨博志鑫嘉子轩梓涵宏亮春晓"

# Card and QR-code acquirers: the counterparty of POS settlement credits.
ACQUIRERS = (
    "银联商务股份有限公司",
    "拉卡拉支付股份有限公司",
    "财付通支付科技有限公司",
    "支付宝（中国）网络技术有限公司",
)
PAYROLL_COUNTERPARTY = "批量代发工资"

CIVIL_CAUSES = ("买卖合同纠纷", "服务合同纠纷", "租赁合同纠纷", "承揽合同纠纷", "劳动争议", "借款合同纠纷")
SECTION_CIVIL_CAUSES = {
    "E": ("建设工程施工合同纠纷", "建设工程分包合同纠纷", "劳务合同纠纷"),
    "G": ("运输合同纠纷", "仓储合同纠纷"),
    "C": ("承揽合同纠纷", "买卖合同纠纷"),
    "F": ("买卖合同纠纷",),
    "H": ("服务合同纠纷", "租赁合同纠纷"),
    "K": ("商品房销售合同纠纷", "物业服务合同纠纷"),
}
# What a firm running out of money gets sued for.
DEBT_CAUSES = ("金融借款合同纠纷", "借款合同纠纷", "民间借贷纠纷", "买卖合同纠纷", "劳动争议", "租赁合同纠纷")
