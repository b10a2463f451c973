"""Demo data: one admin, four counselors, five students and 26 tickets over every status, category,
urgency and mode, with invented text. Idempotent: a second load adds nothing.

Loaded as the owner with no app identity, so the schema lets it give tickets a realistic past
(creation and claim times in the last days); every transition still goes through the triggers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from soulroute.auth.passwords import hash_password
from soulroute.db.accounts import upsert_counselor_profile, upsert_user
from soulroute.db.models import SessionMode, TicketCategory, UserRole
from soulroute.db.session import as_owner

DOMAIN = "university.example"
PASSWORDS = {
    UserRole.ADMIN: "admin-demo-pass-2026",
    UserRole.COUNSELOR: "counselor-demo-pass-2026",
    UserRole.STUDENT: "student-demo-pass-2026",
}
_NS = uuid.UUID("6f1d3c52-6a8e-4c1e-9f53-2f4f8a9e0b11")

C, M = TicketCategory, SessionMode
ADMIN = ("admin", "Morgan Reyes")
COUNSELORS = [
    ("dr.lee", "Dr. Jordan Lee", [C.ANXIETY, C.STRESS], 5, True, "CBT for anxiety and exam stress."),
    ("dr.okafor", "Dr. Amara Okafor", [C.DEPRESSION, C.RELATIONSHIPS], 4, True, "Mood, grief and relationships."),
    ("dr.novak", "Dr. Petra Novak", [C.ACADEMIC, C.STRESS], 6, False, "Study skills, burnout, perfectionism."),
    ("dr.silva", "Dr. Rafael Silva", [C.RELATIONSHIPS, C.OTHER], 3, False, "Family, identity, adjusting to campus."),
]
STUDENTS = [("sam", "Sam Carter"), ("priya", "Priya Natarajan"), ("lucas", "Lucas Meyer"), ("mei", "Mei Chen"),
            ("tom", "Tomás García")]  # fmt: skip


@dataclass(frozen=True)
class DemoTicket:
    student: str
    title: str
    description: str
    category: TicketCategory
    urgency: str
    mode: SessionMode
    status: str = "open"
    counselor: str | None = None
    age_hours: float = 2
    start_in_hours: float | None = None  # scheduled time relative to now
    location: str | None = None


T = DemoTicket
TICKETS = [
    T("sam", "Panic attacks before presentations", "My heart races and I freeze whenever I have to present in "
      "seminar. It is getting worse and I skipped class twice this week.", C.ANXIETY, "high", M.VIDEO, age_hours=1.5),
    T("priya", "I don't feel safe tonight", "Everything feels too heavy right now and I keep thinking I can't do "
      "this anymore. I need to talk to someone soon.", C.DEPRESSION, "crisis", M.AUDIO, age_hours=0.1),
    T("lucas", "Falling behind in every course", "I started the semester well but now I am behind in four courses "
      "and I do not know where to begin catching up.", C.ACADEMIC, "medium", M.IN_PERSON, age_hours=20),
    T("mei", "Roommate conflict is wearing me down", "Constant arguments with my roommate about noise and guests. I "
      "dread going home and sleep badly.", C.RELATIONSHIPS, "low", M.CHAT, age_hours=30),
    T("tom", "Homesick and can't settle in", "First year abroad. I miss my family a lot and feel like I do not "
      "belong here yet. Hard to make friends.", C.OTHER, "medium", M.VIDEO, age_hours=6),
    T("sam", "Constant worry about grades", "I check the grade portal many times a day and can't stop thinking "
      "about failing, even though my marks are fine.", C.ANXIETY, "medium", M.CHAT, age_hours=50),
    T("priya", "Exhausted by part-time job and studies", "Working 20 hours a week plus a full course load. I feel "
      "burnt out and irritable all the time.", C.STRESS, "medium", M.AUDIO, age_hours=8),
    T("lucas", "Thesis deadline panic", "My thesis draft is due in ten days and I have barely written anything. "
      "I can't sleep because of it.", C.STRESS, "high", M.VIDEO, age_hours=3),
    T("mei", "Low mood since the breakup", "Since my relationship ended last month I have trouble getting out of "
      "bed and lost interest in things I used to enjoy.", C.DEPRESSION, "medium", M.VIDEO, age_hours=40),
    T("tom", "Overwhelmed, thoughts of hurting myself", "I have had thoughts of hurting myself this week. I have "
      "not acted on them but they scare me.", C.OTHER, "crisis", M.AUDIO, "claimed", "dr.silva", age_hours=0.4),
    T("sam", "Social anxiety in group projects", "I avoid speaking in my group project meetings and my teammates "
      "think I don't care. I do, I just freeze.", C.ANXIETY, "low", M.IN_PERSON, "claimed", "dr.lee", 26),
    T("priya", "Trouble concentrating", "I read the same page five times and nothing sticks. My attention has "
      "been terrible for a month.", C.ACADEMIC, "low", M.CHAT, "claimed", "dr.novak", 28),
    T("lucas", "Sleep problems during exams", "During exam weeks I sleep three or four hours a night and then "
      "crash afterwards. I want to break the cycle.", C.STRESS, "medium", M.VIDEO, "scheduled", "dr.lee", 48,
      start_in_hours=0.1),
    T("mei", "Arguments with my parents about my major", "My parents want me to switch to medicine. Every call "
      "ends in an argument and I feel guilty.", C.RELATIONSHIPS, "medium", M.AUDIO, "scheduled", "dr.okafor", 70,
      start_in_hours=26),
    T("tom", "Feeling numb most days", "Most days I feel nothing at all. I go through the motions but it is like "
      "watching someone else's life.", C.DEPRESSION, "high", M.IN_PERSON, "scheduled", "dr.okafor", 30,
      start_in_hours=50, location="Health Center, room 2.14"),
    T("sam", "Perfectionism is slowing me down", "I rewrite every assignment many times and submit late because "
      "nothing feels good enough.", C.ACADEMIC, "low", M.CHAT, "scheduled", "dr.novak", 90, start_in_hours=74),
    T("priya", "Worried about a friend", "A close friend has been withdrawing and drinking a lot. I don't know how "
      "to help without making it worse.", C.OTHER, "medium", M.VIDEO, "scheduled", "dr.silva", 55, start_in_hours=5),
    T("lucas", "Test anxiety in math", "I know the material but blank out in math exams. My hands shake and I "
      "can't read the questions.", C.ANXIETY, "medium", M.VIDEO, "completed", "dr.lee", 200, start_in_hours=-20),
    T("mei", "Stress about internship applications", "Rejections from internships are piling up and I feel like "
      "a failure compared to my classmates.", C.STRESS, "low", M.AUDIO, "completed", "dr.novak", 300,
      start_in_hours=-44),
    T("tom", "Lonely on weekends", "Weekends are the hardest. Everyone seems to have plans and I stay in my room "
      "the whole time.", C.RELATIONSHIPS, "low", M.CHAT, "completed", "dr.okafor", 260, start_in_hours=-70),
    T("sam", "Motivation gone after a bad grade", "One bad grade and now I can't make myself study at all. I feel "
      "stuck and ashamed.", C.DEPRESSION, "medium", M.VIDEO, "closed", "dr.okafor", 600, start_in_hours=-400),
    T("priya", "Nervous about exchange semester", "I leave for an exchange semester soon and I am anxious about "
      "being alone in a new country.", C.ANXIETY, "low", M.CHAT, "closed", "dr.lee", 700, start_in_hours=-500),
    T("lucas", "Changed my mind, feeling better", "I was stressed about moving flats but it worked out in the end. "
      "Thanks anyway.", C.STRESS, "low", M.AUDIO, "closed", None, 120),
    T("mei", "Grief after losing my grandmother", "My grandmother passed away two weeks ago. I keep going to class "
      "but I cry a lot and cannot focus.", C.DEPRESSION, "high", M.IN_PERSON, "open", age_hours=12),
    T("tom", "Questions about study accommodations", "I think I might have ADHD and want to know how to get "
      "assessed and what support exists.", C.ACADEMIC, "low", M.IN_PERSON, age_hours=75),
    T("sam", "Can't stop overthinking at night", "At night my mind replays every conversation of the day. It "
      "takes me hours to fall asleep.", C.ANXIETY, "low", M.AUDIO, age_hours=9),
]  # fmt: skip


def demo_email(handle: str) -> str:
    return f"{handle}@{DOMAIN}"


def load_demo_data(now: datetime | None = None) -> int:
    """Load the demo accounts and tickets; returns how many tickets were added (0 when already there)."""
    now = now or datetime.now(UTC)
    hashes = {role: hash_password(password) for role, password in PASSWORDS.items()}  # one Argon2 run per role
    with as_owner() as s:
        ids: dict[str, uuid.UUID] = {}
        ids["admin"] = upsert_user(s, email=demo_email(ADMIN[0]), display_name=ADMIN[1], role=UserRole.ADMIN,
                                   password_hash=hashes[UserRole.ADMIN])  # fmt: skip
        for handle, name, expertise, capacity, on_call, bio in COUNSELORS:
            uid = upsert_user(s, email=demo_email(handle), display_name=name, role=UserRole.COUNSELOR,
                              password_hash=hashes[UserRole.COUNSELOR])  # fmt: skip
            exists = s.execute(text("select 1 from counselor_profiles where user_id = :u"), {"u": uid}).scalar()
            if not exists:
                upsert_counselor_profile(
                    s, uid, expertise=expertise, capacity=capacity, on_call_crisis=on_call, bio=bio
                )
            ids[handle] = uid
        for handle, name in STUDENTS:
            ids[handle] = upsert_user(s, email=demo_email(handle), display_name=name, role=UserRole.STUDENT,
                                      password_hash=hashes[UserRole.STUDENT])  # fmt: skip
        added = sum(_load_ticket(s, t, ids, now) for t in TICKETS)
    return added


def _load_ticket(s, t: DemoTicket, ids: dict[str, uuid.UUID], now: datetime) -> bool:
    key = uuid.uuid5(_NS, t.title)
    created = now - timedelta(hours=t.age_hours)
    tid = s.execute(
        text(
            """
            insert into support_tickets (student_id, title, description, category, urgency, session_mode,
                                         idempotency_key, created_at)
            values (:s, :title, :d, :c, :u, :m, :k, :created)
            on conflict (student_id, idempotency_key) do nothing returning id
            """
        ),
        {"s": ids[t.student], "title": t.title, "d": t.description, "c": t.category.value, "u": t.urgency,
         "m": t.mode.value, "k": key, "created": created},
    ).scalar()  # fmt: skip
    if tid is None:
        return False
    counselor = ids[t.counselor] if t.counselor else None
    start = now + timedelta(hours=t.start_in_hours) if t.start_in_hours is not None else None
    claimed = created + timedelta(minutes=7 if t.urgency == "crisis" else 95)
    steps: list[tuple[str, dict]] = []
    if t.status in ("claimed", "scheduled", "completed") or (t.status == "closed" and counselor):
        steps.append(("status = 'claimed', counselor_id = :c, claimed_at = :at", {"c": counselor, "at": claimed}))
    if start is not None:
        link = f"https://meet.jit.si/SoulRoute-demo-{key.hex[:20]}" if t.mode in (M.VIDEO, M.AUDIO) else None
        steps.append(
            (
                "status = 'scheduled', scheduled_time = :st, meeting_link = :l, location = :loc, scheduled_at = :at",
                {"st": start, "l": link, "loc": t.location, "at": claimed + timedelta(hours=3)},
            )
        )
    if t.status in ("completed", "closed") and start is not None:
        steps.append(("status = 'completed', completed_at = :at", {"at": start + timedelta(minutes=50)}))
    if t.status == "closed":
        reason = "Goals reached" if counselor else "Student cancelled: feeling better"
        at = (start + timedelta(days=2)) if start else created + timedelta(hours=5)
        steps.append(("status = 'closed', close_reason = :r, closed_at = :at", {"r": reason, "at": at}))
    actor = counselor or ids[t.student]
    for assignment, params in steps:
        s.execute(text("select set_config('soulroute.actor_id', :a, true)"), {"a": str(actor)})
        s.execute(text(f"update support_tickets set {assignment} where id = :id"), {**params, "id": tid})
    return True


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, email, password) of every demo account."""
    rows = [("admin", demo_email(ADMIN[0]), PASSWORDS[UserRole.ADMIN])]
    rows += [("counselor", demo_email(c[0]), PASSWORDS[UserRole.COUNSELOR]) for c in COUNSELORS]
    rows += [("student", demo_email(h), PASSWORDS[UserRole.STUDENT]) for h, _ in STUDENTS]
    return rows


def print_demo_logins() -> None:
    print("\nDemo accounts (invented people; change or remove before real use):")
    for role, email, password in demo_logins():
        print(f"  {role:<10} {email:<32} {password}")
    print()
