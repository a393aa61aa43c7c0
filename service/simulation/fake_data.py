"""Invented people, companies and contact details — never real ones.

Staff names are drawn by index (the same profile always names the same people); clients'
names, organisations and phone numbers come from the simulation's seeded random stream and
reach the ledger only through sealed personal fields (ART2.5.2, PIPL). Phone numbers use
the 170/171 virtual-operator ranges and an ``0000`` block no real subscriber holds here.
"""

from __future__ import annotations

import random

SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭",
    "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹", "袁", "邓", "许", "傅",
    "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛", "叶", "阎",
)  # fmt: skip
GIVEN_NAMES = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
    "霞", "平", "刚", "桂英", "华", "建华", "玉兰", "晓东", "海燕", "志强", "婷", "雪", "浩", "晨", "悦", "冰",
    "鑫", "宇", "欣", "佳", "博", "琳", "凯", "倩", "亮", "蕾", "斌", "颖", "峰", "晶", "阳", "蓉",
)  # fmt: skip
COMPANY_PREFIXES = ("营口", "北海", "辽宁", "鲅鱼圈", "渤海", "滨海", "海港", "金港")
COMPANY_CORES = (
    "鑫源", "恒达", "宏远", "华泰", "盛世", "通达", "海纳", "瑞丰", "东方", "新港", "兴业", "凯旋", "远航", "信诚",
)  # fmt: skip
COMPANY_TRADES = (
    "贸易有限公司", "建筑工程有限公司", "物流有限公司", "餐饮管理有限公司", "科技有限公司", "商贸中心",
    "机械制造有限公司", "食品有限公司", "装饰工程有限公司", "化工有限公司",
)  # fmt: skip


def staff_name(index: int) -> str:
    """The ``index``-th invented staff name (stable across runs and seeds)."""
    surname = SURNAMES[(index * 7) % len(SURNAMES)]
    given = GIVEN_NAMES[(index * 11 + index // len(GIVEN_NAMES)) % len(GIVEN_NAMES)]
    return surname + given


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def company_name(rng: random.Random) -> str:
    return rng.choice(COMPANY_PREFIXES) + rng.choice(COMPANY_CORES) + rng.choice(COMPANY_TRADES)


def phone_number(rng: random.Random) -> str:
    """An invented mobile number (virtual-operator range, a block kept for examples)."""
    return f"{rng.choice(('170', '171'))}0000{rng.randrange(10_000):04d}"
