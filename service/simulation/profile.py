"""Hall profiles as data: who works where, and how often each thing happens.

``standard_profile(scale)`` is the development-zone hall of DOMAIN.md ("This hall and bigger
ones") and DOMAIN-RESEARCH §6: 14 departments (3 uniformed), 24 windows (18 department
windows, 3 comprehensive, a consultation desk, a complaints desk, a delivery/fees window),
52 people (40 at windows — 34 seconded, 6 hall staff —, 8 hall management acting as
manager, office, inspectors, committee and reviewer accounts, 4 security staff on the duty
roster), ≈ 260 visitors, 60 phone inquiries and 150 cases per working day. ``scale=10`` is
a city centre: ten times the windows, people and demand (departments up to the catalogue's
19 plus the center). ``demo_profile()`` is the small hall of ``hall-ledger demo``: five
departments, eight windows, a dozen staff.

Every rate is a *default* of the simulation, named after the figure it reproduces; the
engine draws from them with its seeded random stream. Volumes are per working day of the
whole hall (they scale); behaviour rates are per person-day, per case or per item (they do
not).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from domain.envelope import Actor
from service.simulation.departments import CENTER, DEPARTMENT_KINDS, DepartmentKind, department_kind
from service.simulation.fake_data import staff_name


@dataclass(frozen=True)
class WindowSpec:
    code: str
    name_zh: str
    name_en: str
    department: str
    kind: str = "department"


@dataclass(frozen=True)
class StaffSpec:
    staff_no: str
    name: str
    department: str
    employment: str  # seconded | hall
    window: str | None  # None: on the duty roster only (security staff)
    posted_on: date


@dataclass(frozen=True)
class FindingRate:
    """Inspection findings of one rule (and item) per month, for 40 window staff (DOMAIN-RESEARCH §6)."""

    rule: str
    item: str | None
    per_month: float
    evidence: str


#: what inspection rounds (巡查, 暗访) find in a month, per 40 window staff; lateness, missed
#: punches, overdue cases, second notices, end-of-day checks, overdue virus checks and unfiled
#: moves come from the facts themselves (the detector flags them), not from rounds.
INSPECTION_FINDINGS: tuple[FindingRate, ...] = (
    FindingRate("ART6.1", "phone", 3.0, "办理间隙玩手机 / playing with a phone between clients"),
    FindingRate("ART6.1", None, 3.0, "串岗聊天、大声喧哗 / chatting at another window, loud talk"),
    FindingRate("ART3.1", "no_badge", 1.5, "未佩戴胸牌 / no badge at the window"),
    FindingRate("ART3.1", "no_uniform", 1.5, "未着制服 / not in uniform (uniformed department)"),
    FindingRate("ART3.2", None, 1.0, "跷二郎腿、脚搭桌椅 / legs crossed, feet on the chair"),
    FindingRate("ART4.1", None, 3.0, "桌面堆放私人物品 / personal items piled on the desk"),
    FindingRate("ART6.6", None, 0.5, "上班时间网购 / online shopping at work"),
    FindingRate("ART2.1", "not_handled", 0.5, "暗访咨询时答复“不归我管”且未引导 / told a mystery client 'not my job'"),
    FindingRate("ART1.1", "three_greetings", 1.0, "未做到来有迎声、离有送声 / no greeting, no farewell"),
    FindingRate("ART9.6", None, 0.3, "窗口内使用电水壶 / an electric kettle at the window"),
    FindingRate("ART6.3", "unauthorised_fee", 0.05, "收取无依据的“加急费” / took an 'express fee' with no legal basis"),
)


@dataclass(frozen=True)
class Rates:
    """How often things happen. Volumes are per working day for the whole hall."""

    # ── demand (DOMAIN.md: 260 visitors, 60 phone inquiries, 150 cases per working day) ──
    cases: float = 150.0
    consultations: float = 91.0  # 35 % of visitors ask at the desk only
    hall_inquiries: float = 40.0  # a visitor's first question to someone at a window (首问)
    phone_inquiries: float = 60.0
    disclosure_requests: float = 0.4
    publications_per_department_week: float = 1.0
    publications_withdrawn: float = 0.05
    #: day factors: Monday, Friday, the last two working days of a month, the first after a holiday
    monday: float = 1.3
    friday: float = 0.9
    month_end: float = 1.2
    after_holiday: float = 1.5

    # ── cases (ART2.2, ART2.3, ART7.2, ART7.6) ──
    on_the_spot: float = 0.60
    joint: float = 0.04
    upward: float = 0.01
    urgent: float = 0.005
    rejected: float = 0.02
    one_time_notice: float = 0.20
    second_notice: float = 0.03  # of notices: a second notice follows
    second_notice_new: float = 0.2  # of second notices: it asks for a material the first did not list
    second_notice_explained: float = 0.5  # of those: the applicant changed the application (dismissed)
    resubmitted: float = 0.85  # of notices: the applicant comes back within 10 working days
    early: float = 0.30  # of committed cases: finished at least a working day early
    overdue: float = 0.005  # of committed cases: finished after the deadline
    late_entry: float = 0.005  # of committed cases: finished in time, the completion recorded days later
    extended: float = 0.02
    suspended: float = 0.01
    rated: float = 0.85
    #: 好差评 levels (国办发〔2019〕51号): 97 % satisfied or better, 2.4 % basic, 0.6 % bad
    levels: tuple[tuple[str, float], ...] = (
        ("very_satisfied", 0.82),
        ("satisfied", 0.15),
        ("basically_satisfied", 0.024),
        ("dissatisfied", 0.004),
        ("very_dissatisfied", 0.002),
    )
    contested: float = 0.25  # of bad ratings
    excluded: float = 0.40  # of contested ratings

    # ── first inquiries (ART2.1) and consultations (ART2.5) ──
    handed_over: float = 0.10
    escalated: float = 0.04
    referred: float = 0.12
    out_of_scope: float = 0.05
    handling_limits: float = 0.03

    # ── disclosure on request (ART2.4.2) ──
    disclosure_correction: float = 0.10
    disclosure_abandoned: float = 0.20  # of corrections
    disclosure_extended: float = 0.05
    disclosure_late: float = 0.03

    # ── attendance (ART6.5, ART7.5), per person and working day ──
    late: float = 0.0095  # ≈ 8 a month for 40 staff (DOMAIN-RESEARCH §6)
    early_leave: float = 0.0015
    missed_punch: float = 0.0036
    unexcused_absence: float = 0.0004
    leave: float = 0.02  # leave requests started per person-day (1–3 days each)
    short_absence: float = 0.01  # stepped away with the sign displayed, back within minutes
    left_post_per_month: float = 2.0  # posts found empty by an inspector, no sign (per 40 staff)

    # ── supervision ──
    rounds_per_day: int = 2
    covert_rounds_per_week: float = 1.0
    findings: tuple[FindingRate, ...] = INSPECTION_FINDINGS
    finding_confirmed: float = 0.90
    candidate_dismissed: float = 0.05  # detected candidates dismissed beyond known data-entry errors
    appealed: float = 0.08
    overturned: float = 0.35
    remedy_on_time: float = 0.90
    complaints_per_month: float = 2.0
    complaint_verified: float = 0.5
    #: behaviour after a warning: the person's propensity is multiplied by this
    deterrence: float = 0.3

    # ── duty and security (ART9) ──
    swaps_per_month: float = 6.0
    incidents_per_month: float = 1.0
    hazards_per_month: float = 2.0
    cleaning_requests_per_month: float = 3.0
    end_of_day_failure: float = 0.002  # per window and day (power left on, door unlocked)
    virus_threats: float = 0.01
    virus_check_skipped: float = 0.01
    credential_incidents_per_month: float = 0.15

    # ── assets (ART5.2, ART10.1) ──
    asset_moves_per_month: float = 5.0
    unfiled_moves_per_month: float = 0.5
    count_fraction: float = 0.10  # a quarterly spot count covers a tenth of the books
    count_every_working_days: int = 60
    count_discrepancy: float = 0.01

    # ── people and evaluation ──
    praise_per_month: float = 3.0
    rotations_per_month: float = 0.3  # seconded staff replaced with the committee's consent (ART8.2)
    erasures_per_month: float = 0.5  # clients asking for their personal data to be erased (PIPL §47)
    service_stars: int = 4
    red_flag_windows: int = 3
    suspension_working_days: int = 20
    #: a showcase (the demo): rare processes also happen on a fixed rhythm, and rare breaches
    #: are a little more frequent, so that a few weeks show each process at work
    showcase: bool = False


@dataclass(frozen=True)
class HallProfile:
    name: str
    scale: int
    hall_name_zh: str
    hall_name_en: str
    departments: tuple[DepartmentKind, ...]
    windows: tuple[WindowSpec, ...]
    staff: tuple[StaffSpec, ...]
    inspectors: tuple[Actor, ...]
    rates: Rates = field(default_factory=Rates)
    #: how much more prone to breaches a fifth of the window staff are (they cause ≈ 60 % of
    #: them once warnings have deterred some: 8× alone would be ≈ 67 %, DOMAIN.md)
    prone_factor: float = 8.0
    #: the first simulated day unless the store already records later events
    start: date = date(2026, 10, 12)
    #: when the hall and its departments were set up (valid time of the organisation)
    founded: date = date(2024, 1, 2)
    #: assets per window: categories and how many
    window_assets: tuple[tuple[str, int], ...] = (
        ("computer", 1), ("printer", 1), ("document_camera", 1), ("rating_device", 1), ("id_reader", 1),
        ("furniture", 6),
    )  # fmt: skip
    #: assets of the center (cameras, queue screens, servers, back-office computers)
    hall_assets: tuple[tuple[str, int], ...] = (
        ("camera", 30), ("queue_screen", 10), ("server", 3), ("computer", 36), ("printer", 6), ("network", 8),
        ("furniture", 60),
    )  # fmt: skip

    @property
    def window_staff(self) -> tuple[StaffSpec, ...]:
        return tuple(s for s in self.staff if s.window is not None)

    def department(self, code: str) -> DepartmentKind:
        for kind in self.departments:
            if kind.code == code:
                return kind
        raise KeyError(code)

    def findings_per_day(self, working_days_per_month: float = 21.0) -> float:
        people = len(self.window_staff) / 40.0
        return sum(f.per_month for f in self.rates.findings) * people / working_days_per_month


# ── the accounts that act in every hall ──────────────────────────────────────

MANAGER = Actor("mgr-zhang", "hall_manager")  # 中心主任
OFFICE = Actor("office-he", "hall_manager")  # 中心办公室: books, roster, leave
COMMITTEE = Actor("cmte-zhao", "committee")  # 管委会
REVIEWER = Actor("rev-sun", "appeal_reviewer")  # 考评小组
WINDOW_LEAD = Actor("lead-qian", "window_lead")  # 首席代表
RATING_SYSTEM = Actor("haochaping", "system")  # 好差评系统
ATTENDANCE_TERMINAL = Actor("kaoqin-terminal", "system")  # 考勤机
ANTIVIRUS = Actor("antivirus-console", "system")  # 杀毒软件管理端


def staff_actor(staff_no: str) -> Actor:
    """The account a staff member records their own work with."""
    return Actor(f"staff-{staff_no.lower()}", "staff")


# ── the profiles ─────────────────────────────────────────────────────────────


def _inspectors(count: int) -> tuple[Actor, ...]:
    named = (Actor("insp-li", "inspector"), Actor("insp-wu", "inspector"))
    return named[:count] + tuple(Actor(f"insp-{n:02d}", "inspector") for n in range(3, count + 1))


def _posting_date(index: int) -> date:
    """Postings spread over the two and a half years before the profile's start."""
    year, month = 2024 + (index * 5) % 3, 1 + (index * 7) % 12
    return date(min(year, 2026), month if year < 2026 else min(month, 6), 1 + (index * 3) % 27)


def standard_profile(scale: int = 1) -> HallProfile:
    """The ×``scale`` development-zone hall (×1: 14 departments, 24 windows, 52 people)."""
    if scale < 1:
        raise ValueError("the scale is a whole factor ≥ 1")
    n_departments = min(13 * scale, len(DEPARTMENT_KINDS))
    seconding = DEPARTMENT_KINDS[:n_departments]
    departments = (CENTER, *seconding)
    windows: list[WindowSpec] = []
    n_center = {"comprehensive": 3, "consultation": 1, "complaints": 1, "delivery": 1}
    center_titles = {
        "comprehensive": ("综合受理窗口", "General intake"),
        "consultation": ("咨询服务台", "Consultation desk"),
        "complaints": ("投诉督查窗口", "Complaints and supervision"),
        "delivery": ("出件收费窗口", "Delivery and fees"),
    }
    number = 0
    for kind, count in n_center.items():
        for _ in range(count * scale):
            number += 1
            zh, en = center_titles[kind]
            windows.append(WindowSpec(f"W{number:03d}", zh, en, "center", kind))
    # 18 department windows at ×1: every department one, the busiest five a second
    department_windows = 18 * scale
    per_department = [1] * len(seconding)
    extra = department_windows - len(seconding)
    i = 0
    while extra > 0:
        per_department[i % len(seconding)] += 1
        extra -= 1
        i += 1
    for kind, count in zip(seconding, per_department, strict=True):
        for k in range(count):
            number += 1
            windows.append(
                WindowSpec(f"W{number:03d}", f"{kind.name_zh}窗口{k + 1}", f"{kind.name_en} {k + 1}", kind.code)
            )
    staff: list[StaffSpec] = []
    index = 0

    def add(department: str, employment: str, window: str | None) -> None:
        nonlocal index
        index += 1
        staff.append(
            StaffSpec(f"S{index:04d}", staff_name(index), department, employment, window, _posting_date(index))
        )

    center_windows = [w for w in windows if w.department == "center"]
    dept_windows = [w for w in windows if w.department != "center"]
    for w in center_windows:  # 6 hall staff at ×1, one per center window
        add("center", "hall", w.code)
    # 34 seconded staff at ×1 over 18 department windows: two at most windows
    seconded = 34 * scale
    for n in range(seconded):
        w = dept_windows[n % len(dept_windows)]
        add(w.department, "seconded", w.code)
    for _ in range(4 * scale):  # security staff, on the duty roster only
        add("center", "hall", None)
    base = HallProfile(name="", scale=1, hall_name_zh="", hall_name_en="", departments=(), windows=(), staff=(),
                       inspectors=())  # fmt: skip
    return HallProfile(
        hall_assets=tuple((category, n * scale) for category, n in base.hall_assets),
        name=f"standard-x{scale}",
        scale=scale,
        hall_name_zh="北海行政审批中心",
        hall_name_en="Beihai Administrative Approval Center",
        departments=departments,
        windows=tuple(windows),
        staff=tuple(staff),
        inspectors=_inspectors(2 * scale),
        rates=scaled(Rates(), scale),
    )


def scaled(rates: Rates, factor: float) -> Rates:
    """The volumes (per working day of the whole hall) times ``factor``; behaviour unchanged."""
    return replace(
        rates,
        cases=rates.cases * factor,
        consultations=rates.consultations * factor,
        hall_inquiries=rates.hall_inquiries * factor,
        phone_inquiries=rates.phone_inquiries * factor,
        disclosure_requests=rates.disclosure_requests * factor,
        rounds_per_day=max(1, round(rates.rounds_per_day * factor)) if factor >= 1 else rates.rounds_per_day,
        covert_rounds_per_week=rates.covert_rounds_per_week * max(factor, 1.0),
        complaints_per_month=rates.complaints_per_month * factor,
        swaps_per_month=rates.swaps_per_month * factor,
        incidents_per_month=rates.incidents_per_month * factor,
        hazards_per_month=rates.hazards_per_month * factor,
        cleaning_requests_per_month=rates.cleaning_requests_per_month * factor,
        asset_moves_per_month=rates.asset_moves_per_month * factor,
        unfiled_moves_per_month=rates.unfiled_moves_per_month * factor,
        praise_per_month=rates.praise_per_month * factor,
        rotations_per_month=rates.rotations_per_month * factor,
        erasures_per_month=rates.erasures_per_month * factor,
        credential_incidents_per_month=rates.credential_incidents_per_month * factor,
        service_stars=max(1, round(rates.service_stars * factor)),
        red_flag_windows=max(1, round(rates.red_flag_windows * factor)),
    )


# ── the demo hall ────────────────────────────────────────────────────────────

DEMO_WINDOWS = (
    WindowSpec("W01", "综合受理窗口", "General intake", "center", "comprehensive"),
    WindowSpec("W02", "咨询服务台", "Consultation desk", "center", "consultation"),
    WindowSpec("W03", "企业登记窗口", "Business registration", "market"),
    WindowSpec("W04", "食品经营许可窗口", "Food business licences", "market"),
    WindowSpec("W07", "办税服务窗口", "Tax services", "tax"),
    WindowSpec("W08", "发票领用窗口", "Invoices", "tax"),
    WindowSpec("W11", "建设工程审批窗口", "Construction permits", "housing"),
    WindowSpec("W14", "社会保险窗口", "Social insurance", "social"),
)

DEMO_STAFF = (
    StaffSpec("S001", "王芳", "center", "hall", "W01", date(2024, 3, 1)),
    StaffSpec("S002", "李娜", "center", "hall", "W02", date(2025, 4, 1)),
    StaffSpec("S003", "赵磊", "market", "seconded", "W03", date(2025, 5, 6)),
    StaffSpec("S004", "孙悦", "market", "seconded", "W03", date(2024, 9, 2)),
    StaffSpec("S005", "周杰", "market", "seconded", "W04", date(2025, 1, 6)),
    StaffSpec("S006", "吴婷", "tax", "seconded", "W07", date(2024, 11, 4)),
    StaffSpec("S007", "郑浩", "tax", "seconded", "W07", date(2025, 8, 4)),
    StaffSpec("S008", "冯雪", "tax", "seconded", "W08", date(2024, 6, 3)),
    StaffSpec("S009", "陈晨", "housing", "seconded", "W11", date(2025, 2, 10)),
    StaffSpec("S010", "褚明", "housing", "seconded", "W11", date(2026, 3, 2)),
    StaffSpec("S011", "卫静", "social", "seconded", "W14", date(2024, 12, 2)),
    StaffSpec("S012", "蒋伟", "social", "seconded", "W14", date(2025, 7, 7)),
    StaffSpec("S020", "魏强", "center", "hall", None, date(2024, 1, 2)),  # security, on the roster
)


def demo_profile() -> HallProfile:
    """The small hall of ``hall-ledger demo``: 5 departments, 8 windows, a dozen staff."""
    people = len([s for s in DEMO_STAFF if s.window]) / 40.0
    rates = replace(
        scaled(Rates(), people),
        rounds_per_day=1,
        covert_rounds_per_week=0.5,
        # a small hall's visitors: enough of each process to see it at work in a few weeks
        cases=12.0,
        consultations=4.0,
        hall_inquiries=3.0,
        phone_inquiries=4.0,
        disclosure_requests=0.25,
        publications_per_department_week=0.5,
        swaps_per_month=2.0,
        hazards_per_month=1.0,
        asset_moves_per_month=2.0,
        unfiled_moves_per_month=1.0,
        count_every_working_days=12,
        count_fraction=0.25,
        praise_per_month=2.0,
        erasures_per_month=1.0,
        rotations_per_month=0.0,  # the story replaces 郑浩
        showcase=True,
        contested=1.0,
        excluded=0.5,
        candidate_dismissed=0.1,
        publications_withdrawn=0.3,
        credential_incidents_per_month=0.0,
        service_stars=2,
        red_flag_windows=2,
        suspension_working_days=10,
    )
    return HallProfile(
        name="demo",
        scale=1,
        hall_name_zh="北海行政审批中心",
        hall_name_en="Beihai Administrative Approval Center",
        departments=(CENTER, *(department_kind(c) for c in ("market", "tax", "housing", "social"))),
        windows=DEMO_WINDOWS,
        staff=DEMO_STAFF,
        inspectors=_inspectors(2),
        rates=rates,
        # one prone person in seven: a milder skew keeps the storyline readable
        prone_factor=3.0,
        window_assets=(("computer", 1), ("printer", 1), ("rating_device", 1), ("furniture", 2)),
        hall_assets=(("camera", 4), ("queue_screen", 1), ("server", 1), ("computer", 2), ("furniture", 4)),
    )


def profile_named(name: str, scale: int = 1) -> HallProfile:
    """``demo`` or ``standard`` (×``scale``)."""
    if name == "demo":
        return demo_profile()
    if name == "standard":
        return standard_profile(scale)
    raise KeyError(f"unknown profile {name!r}; known: demo, standard")
