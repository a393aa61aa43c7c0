"""The departments a hall's windows belong to and the matters (事项) they handle.

Data only. A matter says whether it can be finished on the spot (即办件) or is accepted with
a committed limit in working days (承诺件), which materials an application needs (a one-time
notice lists the missing ones, ART2.2), its fees and its legal basis. The committed limits
follow published 办事指南 of development-zone halls (3–15 working days, median 5).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Matter:
    """One matter (事项) of a department's catalogue."""

    code: str
    name_zh: str
    #: 0 = always finished on the spot; otherwise the committed limit in working days
    committed_days: int
    materials: tuple[str, ...]
    fees: str = "不收费"
    legal_basis: str = "《中华人民共和国行政许可法》"

    @property
    def on_the_spot(self) -> bool:
        return self.committed_days == 0


@dataclass(frozen=True)
class DepartmentKind:
    """A seconding department (派驻部门), its leader in charge (ART8.4) and its matters."""

    code: str
    name_zh: str
    name_en: str
    uniformed: bool  # ART3.1: market regulation and taxation wear uniforms
    leader: str
    leader_title: str
    matters: tuple[Matter, ...]


def _m(code: str, name: str, days: int, *materials: str, fees: str = "不收费", basis: str = "") -> Matter:
    return Matter(code, name, days, tuple(materials), fees, basis or "《中华人民共和国行政许可法》")


#: the center itself (行政审批中心): hall staff at the comprehensive, consultation, complaints
#: and delivery windows
CENTER = DepartmentKind(
    "center",
    "行政审批中心办公室",
    "Center office",
    False,
    "何晓东",
    "办公室主任",
    (
        _m("CEN-01", "综合受理·证明材料开具", 0, "申请表", "身份证明"),
        _m("CEN-02", "综合受理·档案查询", 0, "查询申请表", "身份证明"),
        _m("CEN-03", "综合受理·一件事联办", 5, "联办申请表", "身份证明", "营业执照副本"),
    ),
)

#: seconding departments, in the order a hall of the profile's size takes them
DEPARTMENT_KINDS: tuple[DepartmentKind, ...] = (
    DepartmentKind(
        "market",
        "市场监督管理局",
        "Market Regulation Bureau",
        True,
        "陈刚",
        "副局长",
        (
            _m("MKT-01", "个体工商户设立登记", 0, "登记申请书", "经营者身份证明", "经营场所证明"),
            _m(
                "MKT-02",
                "企业设立登记",
                3,
                "设立登记申请书",
                "公司章程",
                "股东身份证明",
                "住所使用证明",
                basis="《中华人民共和国市场主体登记管理条例》",
            ),
            _m(
                "MKT-03",
                "企业变更登记",
                3,
                "变更登记申请书",
                "股东会决议",
                "营业执照正副本",
                basis="《中华人民共和国市场主体登记管理条例》",
            ),
            _m(
                "MKT-04",
                "食品经营许可",
                10,
                "食品经营许可申请书",
                "营业执照复印件",
                "食品安全管理制度",
                "经营场所平面图",
                basis="《中华人民共和国食品安全法》",
            ),
        ),
    ),
    DepartmentKind(
        "tax",
        "税务局",
        "Taxation Bureau",
        True,
        "林静",
        "副局长",
        (
            _m("TAX-01", "发票领用", 0, "发票领用申请", "经办人身份证明", "税务登记信息"),
            _m("TAX-02", "纳税证明开具", 0, "开具申请", "身份证明"),
            _m("TAX-03", "跨区域涉税事项报告", 0, "报告表", "合同复印件"),
            _m(
                "TAX-04",
                "退(抵)税申请",
                10,
                "退税申请表",
                "完税凭证",
                "银行账户信息",
                basis="《中华人民共和国税收征收管理法》",
            ),
        ),
    ),
    DepartmentKind(
        "police",
        "公安分局",
        "Public Security Bureau",
        True,
        "赵永军",
        "副局长",
        (
            _m("POL-01", "户籍迁入", 5, "迁入申请表", "居民户口簿", "房产证明", basis="《中华人民共和国户口登记条例》"),
            _m("POL-02", "居住证办理", 10, "居住证申领登记表", "身份证", "居住证明", "照片回执"),
            _m("POL-03", "无犯罪记录证明", 3, "申请表", "身份证", fees="不收费"),
        ),
    ),
    DepartmentKind(
        "housing",
        "住房和城乡建设局",
        "Housing and Construction Bureau",
        False,
        "郭涛",
        "副局长",
        (
            _m(
                "HSG-01",
                "建筑工程施工许可",
                7,
                "施工许可申请表",
                "用地批准手续",
                "施工图审查合格书",
                "中标通知书",
                "安全施工措施资料",
                basis="《建筑工程施工许可管理办法》",
            ),
            _m(
                "HSG-02",
                "商品房预售许可",
                10,
                "预售许可申请表",
                "建设工程规划许可证",
                "预售方案",
                basis="《城市商品房预售管理办法》",
            ),
            _m("HSG-03", "建筑业企业资质变更", 5, "变更申请表", "营业执照", "资质证书"),
        ),
    ),
    DepartmentKind(
        "social",
        "人力资源和社会保障局",
        "Human Resources and Social Security Bureau",
        False,
        "宋丽",
        "副局长",
        (
            _m("SOC-01", "社会保险参保登记", 0, "参保登记表", "营业执照副本", "经办人身份证"),
            _m("SOC-02", "就业登记", 0, "就业登记表", "劳动合同", "身份证"),
            _m(
                "SOC-03",
                "社会保险关系转移",
                15,
                "转移申请表",
                "参保缴费凭证",
                "身份证",
                basis="《中华人民共和国社会保险法》",
            ),
        ),
    ),
    DepartmentKind(
        "land",
        "自然资源局",
        "Natural Resources Bureau",
        False,
        "孟凡",
        "副局长",
        (
            _m(
                "LND-01",
                "不动产转移登记",
                5,
                "登记申请书",
                "不动产权证书",
                "买卖合同",
                "完税证明",
                basis="《不动产登记暂行条例》",
            ),
            _m(
                "LND-02",
                "建设用地规划许可",
                15,
                "规划许可申请表",
                "用地批准文件",
                "总平面图",
                basis="《中华人民共和国城乡规划法》",
            ),
            _m("LND-03", "不动产登记资料查询", 0, "查询申请表", "身份证明"),
        ),
    ),
    DepartmentKind(
        "medical",
        "医疗保障局",
        "Healthcare Security Bureau",
        False,
        "韩梅",
        "副局长",
        (
            _m("MED-01", "医保参保登记", 0, "参保登记表", "身份证"),
            _m("MED-02", "异地就医备案", 0, "备案表", "身份证", "居住证明"),
            _m(
                "MED-03",
                "定点医药机构申请",
                15,
                "申请表",
                "执业许可证",
                "管理制度",
                basis="《医疗保障基金使用监督管理条例》",
            ),
        ),
    ),
    DepartmentKind(
        "ecology",
        "生态环境分局",
        "Ecology and Environment Bureau",
        False,
        "吕卫东",
        "副局长",
        (
            _m(
                "ECO-01",
                "环境影响报告表审批",
                15,
                "审批申请",
                "环境影响报告表",
                "公众参与说明",
                basis="《中华人民共和国环境影响评价法》",
            ),
            _m("ECO-02", "排污许可登记", 10, "排污许可申请表", "营业执照", "排污口设置图"),
        ),
    ),
    DepartmentKind(
        "transport",
        "交通运输局",
        "Transport Bureau",
        False,
        "冯海",
        "副局长",
        (
            _m(
                "TRN-01",
                "道路货物运输经营许可",
                10,
                "经营申请表",
                "车辆技术资料",
                "驾驶员从业资格证",
                basis="《中华人民共和国道路运输条例》",
            ),
            _m("TRN-02", "道路运输证年审", 0, "道路运输证", "车辆行驶证"),
        ),
    ),
    DepartmentKind(
        "health",
        "卫生健康局",
        "Health Commission",
        False,
        "彭丽华",
        "副主任",
        (
            _m(
                "HLT-01",
                "公共场所卫生许可",
                10,
                "卫生许可申请书",
                "营业执照",
                "卫生管理制度",
                "从业人员健康证明",
                basis="《公共场所卫生管理条例》",
            ),
            _m(
                "HLT-02",
                "医疗机构执业登记",
                15,
                "执业登记申请书",
                "设置批准书",
                "房屋产权证明",
                basis="《医疗机构管理条例》",
            ),
        ),
    ),
    DepartmentKind(
        "culture",
        "文化旅游局",
        "Culture and Tourism Bureau",
        False,
        "唐晓",
        "副局长",
        (
            _m("CUL-01", "娱乐场所经营许可", 10, "申请书", "营业执照", "消防验收意见", basis="《娱乐场所管理条例》"),
            _m("CUL-02", "营业性演出审批", 5, "演出申请表", "演出合同", "节目单"),
        ),
    ),
    DepartmentKind(
        "civil",
        "民政局",
        "Civil Affairs Bureau",
        False,
        "蔡敏",
        "副局长",
        (
            _m("CIV-01", "婚姻登记", 0, "身份证", "户口簿", "照片"),
            _m(
                "CIV-02",
                "社会组织成立登记",
                15,
                "成立登记申请书",
                "章程草案",
                "验资报告",
                "住所证明",
                basis="《社会团体登记管理条例》",
            ),
        ),
    ),
    DepartmentKind(
        "fund",
        "住房公积金中心",
        "Housing Provident Fund Centre",
        False,
        "邓建",
        "副主任",
        (
            _m("FND-01", "住房公积金提取", 0, "提取申请表", "身份证", "购房合同"),
            _m(
                "FND-02",
                "住房公积金贷款",
                10,
                "贷款申请表",
                "购房合同",
                "收入证明",
                "婚姻状况证明",
                basis="《住房公积金管理条例》",
            ),
        ),
    ),
    DepartmentKind(
        "emergency",
        "应急管理局",
        "Emergency Management Bureau",
        False,
        "许强",
        "副局长",
        (
            _m(
                "EMG-01",
                "危险化学品经营许可",
                15,
                "经营许可申请书",
                "安全评价报告",
                "安全管理制度",
                basis="《危险化学品安全管理条例》",
            ),
        ),
    ),
    DepartmentKind(
        "water",
        "水务局",
        "Water Affairs Bureau",
        False,
        "曹军",
        "副局长",
        (
            _m(
                "WAT-01", "取水许可", 15, "取水许可申请书", "水资源论证报告", basis="《取水许可和水资源费征收管理条例》"
            ),
            _m("WAT-02", "排水许可", 10, "排水许可申请表", "排水设施竣工图"),
        ),
    ),
    DepartmentKind(
        "commerce",
        "商务局",
        "Commerce Bureau",
        False,
        "袁芳",
        "副局长",
        (
            _m("COM-01", "对外贸易经营者备案", 0, "备案登记表", "营业执照"),
            _m("COM-02", "外商投资企业信息报告", 0, "信息报告表", "营业执照"),
        ),
    ),
    DepartmentKind(
        "agriculture",
        "农业农村局",
        "Agriculture and Rural Affairs Bureau",
        False,
        "潘德",
        "副局长",
        (
            _m("AGR-01", "农药经营许可", 10, "经营许可申请表", "营业执照", "仓储设施证明", basis="《农药管理条例》"),
            _m("AGR-02", "动物防疫条件合格证", 15, "申请表", "场所平面图", "防疫制度"),
        ),
    ),
    DepartmentKind(
        "fire",
        "消防救援大队",
        "Fire and Rescue Brigade",
        True,
        "杜刚",
        "副大队长",
        (
            _m(
                "FIR-01",
                "公众聚集场所投入使用前消防安全检查",
                10,
                "检查申请表",
                "营业执照",
                "消防安全制度",
                basis="《中华人民共和国消防法》",
            ),
            _m("FIR-02", "建设工程消防验收备案", 5, "备案表", "竣工图纸"),
        ),
    ),
)


def department_kind(code: str) -> DepartmentKind:
    if code == CENTER.code:
        return CENTER
    for kind in DEPARTMENT_KINDS:
        if kind.code == code:
            return kind
    raise KeyError(f"no department kind {code!r}")
