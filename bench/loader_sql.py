"""Set-based SQL of the data-set loader (run as the tables' owner, with no app identity set).

Tickets are planned first in a temporary table, inserted open in created_at order, then moved through
the legal transitions with one UPDATE per step (the before-write trigger checks each one, including
counselor capacity, and the history trigger records them)."""

from __future__ import annotations

FIRST_NAMES = (
    "Amara Ben Chloe Diego Elif Farah Gabriel Hana Isaac Jade Kofi Lena Mateo Nia Omar Priya Quinn Rosa "
    "Sami Tara Umar Vera Wei Ximena Yusuf Zara Aiden Bea Caleb Dara Emil Fiona Gus Ines Jonah Kira Luca "
    "Maya Noor Owen"
).split()
LAST_NAMES = (
    "Lee Okafor Novak Silva Haddad Kim Moreau Rossi Schmidt Tanaka Nguyen Patel Garcia Jensen Kowalski "
    "Mensah Ivanova Costa Fischer Sato Ahmed Brennan Dubois Eriksen Fontaine Gupta Horvat Ito Jovanovic "
    "Khan Larsen Mendez Nakamura Oduya Park Quispe Reyes Said Torres Ueda Varga Walsh Xu Yilmaz Zhou "
    "Abbott Bakker Chen Diallo Ebert"
).split()
TITLES = [
    "Feeling overwhelmed before exams",
    "Trouble sleeping for weeks",
    "Panic attacks in lectures",
    "Struggling after a breakup",
    "Homesick and isolated",
    "Falling behind on coursework",
    "Conflict with my roommate",
    "Low mood most days",
    "Worried about my grades",
    "Stress about money and work",
    "Need someone to talk to",
    "Anxious about presentations",
]
SENTENCES = [
    "I have been feeling on edge for most of the semester and it is getting worse.",
    "Some nights I cannot fall asleep until four in the morning and then miss my classes.",
    "My heart races whenever I have to speak in a seminar, even with people I know.",
    "Since my relationship ended I find it hard to focus on anything at all.",
    "I moved here from abroad this year and I do not really have anyone to talk to.",
    "I am three assignments behind and I do not know where to start.",
    "Things at home are tense and I dread going back there at the weekend.",
    "I have lost interest in things I used to enjoy, like music and football.",
    "My scholarship depends on my grades and I keep thinking about failing.",
    "I work twenty hours a week on top of my studies and I am exhausted.",
    "My friends say I seem different lately, and I think they are right.",
    "I would prefer to talk in the evening if that is possible.",
    "I tried the self-help pages on the portal but they did not help much.",
    "I am not in danger, but I would like to talk to someone soon.",
    "It helps to write this down; I have never asked for help before.",
    "I can do a video call or meet in person, whichever is easier.",
]

CATEGORY = """case when {r} < 0.24 then 'anxiety' when {r} < 0.46 then 'stress' when {r} < 0.64 then 'academic'
    when {r} < 0.80 then 'depression' when {r} < 0.92 then 'relationships' else 'other' end::ticket_category"""
URGENCY_OPEN = """case when {r} < 0.30 then 'low' when {r} < 0.72 then 'medium' when {r} < 0.96 then 'high'
    else 'crisis' end::ticket_urgency"""
URGENCY_OTHER = """case when {r} < 0.30 then 'low' when {r} < 0.70 then 'medium' when {r} < 0.92 then 'high'
    else 'crisis' end::ticket_urgency"""
MODE = """case when {r} < 0.45 then 'video' when {r} < 0.70 then 'chat' when {r} < 0.90 then 'in-person'
    else 'audio' end::session_mode"""
DESCRIPTION = """(select string_agg((%(sentences)s::text[])[1 + (({h} >> (4 * k)::int) & 15)], ' ')
    from generate_series(0, 1 + ({h} & 3)) k)"""

USERS = [
    """insert into users (email, display_name, role, created_at)
    select format('admin%%s@bench.university.example', g), format('Admin %%s', (%(last)s::text[])[1 + g %% 50]),
           'admin', now() - interval '500 days'
    from generate_series(1, %(admins)s::int) g""",
    """insert into users (email, display_name, role, created_at)
    select format('counselor%%s@bench.university.example', lpad(g::text, 5, '0')),
           'Dr. ' || (%(first)s::text[])[1 + g %% 40] || ' ' || (%(last)s::text[])[1 + (g / 40) %% 50],
           'counselor', now() - interval '450 days' + random() * interval '60 days'
    from generate_series(1, %(counselors)s::int) g""",
    """insert into users (email, display_name, role, created_at)
    select format('student%%s@bench.university.example', lpad(g::text, 6, '0')),
           (%(first)s::text[])[1 + (g * 7) %% 40] || ' ' || (%(last)s::text[])[1 + (g * 13) %% 50],
           'student', now() - random() * interval '700 days'
    from generate_series(1, %(students)s::int) g""",
    """create temp table bench_students on commit drop as
    select row_number() over (order by email)::int as n, id from users where role = 'student'""",
    "alter table bench_students add primary key (n)",
    # Expertise: 1-3 distinct categories (never 'other': every counselor sees 'other' and crisis).
    """insert into counselor_profiles (user_id, expertise, capacity, accepting_new, on_call_crisis, bio)
    select u.id,
           (select array_agg(c order by c) from (
                select c from unnest('{anxiety,depression,stress,relationships,academic}'::ticket_category[]) c
                where u.id is not null order by random() limit 1 + floor(random() * 3)::int) x),
           5 + floor(random() * 36)::int, random() < 0.9, random() < 0.15,
           'Benchmark counselor profile.'
    from users u where u.role = 'counselor' order by u.email""",
]

# Active tickets (claimed or scheduled) come from free slots, so no counselor is over capacity:
# each counselor is filled to 30-100 % of their capacity, in total at most `max_active` tickets.
SLOTS = [
    """create temp table bench_slots on commit drop as
    select p.user_id as counselor_id, p.expertise, s
    from counselor_profiles p
    cross join lateral generate_series(1, floor(p.capacity * (0.3 + 0.7 * random()))::int) s""",
    """create temp table bench_active on commit drop as
    select * from bench_slots order by random() limit %(max_active)s::int""",
    # Capacity-weighted pick lists per category (crisis and 'other' go to everyone).
    """create temp table bench_pick on commit drop as
    select c.cat, row_number() over (partition by c.cat order by p.user_id, w)::int as k, p.user_id
    from unnest(enum_range(null::ticket_category)) c(cat)
    join counselor_profiles p on c.cat = 'other' or c.cat = any(p.expertise)
    cross join generate_series(1, p.capacity) w""",
    """create temp table bench_pick_n on commit drop as
    select cat, count(*)::int as n from bench_pick group by cat""",
]

PLAN_TABLE = """create temp table bench_plan (
    id uuid primary key default gen_random_uuid(), seq int, grp text, student_n int, counselor_id uuid,
    category ticket_category, urgency ticket_urgency, session_mode session_mode, session_minutes int,
    title text, description text, created_at timestamptz, claimed_at timestamptz, scheduled_at timestamptz,
    h timestamptz, scheduled_time timestamptz, completed_at timestamptz, closed_at timestamptz, wave int,
    scheduled bool not null default false, r1 float8, r2 float8, r3 float8, r4 float8, r_pick float8
) on commit drop"""

_PLAN_COLUMNS = """(seq, grp, student_n, counselor_id, category, urgency, session_mode, session_minutes, title,
    description, created_at, r1, r2, r3, r4, r_pick)"""
_RANDOMS = """random() ra, random() rc, random() ru, random() rm, random() rs, random() rt,
    floor(random() * 2147483647)::bigint rh, random() r1, random() r2, random() r3, random() r4, random() rp"""
_ATTRS = f"""
    least(%(students)s::int, 1 + floor(%(students)s::int * power(rs, 1.3))::int),
    {{counselor}}, {{category}}, {{urgency}}, {MODE.format(r="rm")},
    case when (rm * 1000)::int %% 5 = 0 then 30 else 50 end,
    (%(titles)s::text[])[1 + floor(rt * 12)::int], {DESCRIPTION.format(h="rh")},
    {{created}}, r1, r2, r3, r4, rp"""

_PLAN_ATTRS = _ATTRS.format(
    counselor="null::uuid",
    category=CATEGORY.format(r="rc"),
    urgency="case when grp = 'open' then "
    + URGENCY_OPEN.format(r="ru")
    + " else "
    + URGENCY_OTHER.format(r="ru")
    + " end",
    created="""now() - interval '1 day' * case grp when 'open' then 120 * ra * ra + 0.004
        when 'cancelled' then 2 + 363 * ra when 'completed' then 10 + 20 * ra else 30 + 335 * ra end""",
)
PLAN_ROWS = f"""insert into bench_plan {_PLAN_COLUMNS}
with g as materialized (select g, {_RANDOMS} from generate_series(1, %(n)s::int) g),
grouped as materialized (select g.*, case when g <= %(n_open)s::int then 'open'
        when g <= %(n_open)s::int + %(n_cancel)s::int then 'cancelled'
        when g <= %(n_open)s::int + %(n_cancel)s::int + %(n_completed)s::int then 'completed' else 'closed' end as grp
    from g)
select g, grp, {_PLAN_ATTRS}
from grouped"""

_ACTIVE_ATTRS = _ATTRS.format(
    counselor="counselor_id",
    category="case when rc < 0.1 then 'other'::ticket_category "
    "else expertise[1 + floor(rc * cardinality(expertise))::int] end",
    urgency=URGENCY_OTHER.format(r="ru"),
    created="now() - interval '1 day' * (0.1 + 29.9 * ra)",
)
ACTIVE_ROWS = f"""insert into bench_plan {_PLAN_COLUMNS}
with g as materialized (select a.counselor_id, a.expertise, {_RANDOMS},
        row_number() over (order by a.counselor_id, a.s)::int as g
    from bench_active a)
select %(n)s::int + g, 'active', {_ACTIVE_ATTRS}
from g"""

# Timestamps, counselors, session times (per counselor at least one hour apart, so the exclusion
# constraint on overlapping sessions holds) and the claim waves that keep every counselor within capacity.
PLAN_STEPS = [
    """update bench_plan p set counselor_id = k.user_id
    from bench_pick_n n, bench_pick k
    where p.grp in ('completed', 'closed')
      and n.cat = case when p.urgency = 'crisis' then 'other' else p.category end
      and k.cat = n.cat and k.k = 1 + least(n.n - 1, floor(p.r_pick * n.n)::int)""",
    """update bench_plan set
        claimed_at = created_at + case when urgency = 'crisis' then interval '1 minute' * (5 + 55 * r1)
                                       else interval '1 hour' * (1 + 47 * r1) end,
        scheduled = true
    where grp in ('completed', 'closed')""",
    """update bench_plan set scheduled_at = claimed_at + interval '1 minute' * (10 + 1430 * r2),
        h = date_trunc('hour', claimed_at + interval '1 minute' * (10 + 1430 * r2))
            + interval '1 hour' * (24 + floor(96 * r3))
    where grp in ('completed', 'closed')""",
    """update bench_plan set claimed_at = created_at + (now() - created_at) * (0.05 + 0.5 * r1),
        scheduled = r2 < 0.6
    where grp = 'active'""",
    """update bench_plan set scheduled_at = claimed_at + (now() - claimed_at) * r3,
        h = date_trunc('hour', now()) + interval '1 hour' * (2 + floor(r4 * 14 * 24))
    where grp = 'active' and scheduled""",
    """update bench_plan p set scheduled_time = x.st from (
        select id, j * interval '1 hour' + max(h - j * interval '1 hour')
                   over (partition by counselor_id, grp = 'active' order by j) as st
        from (select id, counselor_id, grp, h,
                     row_number() over (partition by counselor_id, grp = 'active' order by h, id) as j
              from bench_plan where scheduled) s
    ) x where x.id = p.id""",
    """update bench_plan set completed_at = scheduled_time + make_interval(mins => session_minutes)
    where grp in ('completed', 'closed')""",
    """update bench_plan set closed_at = case grp
        when 'closed' then completed_at + interval '1 hour' * (1 + 167 * r4)
        else least(now(), created_at + interval '1 hour' * (1 + 72 * r1)) end
    where grp in ('closed', 'cancelled')""",
    """update bench_plan p set wave = x.w from (
        select b.id, ((row_number() over (partition by b.counselor_id order by b.scheduled_time) - 1)
                      / c.capacity)::int as w
        from bench_plan b join counselor_profiles c on c.user_id = b.counselor_id
        where b.grp in ('completed', 'closed')
    ) x where x.id = p.id""",
]

INSERT_TICKETS = """insert into support_tickets (id, student_id, title, description, category, urgency,
        session_mode, session_minutes, created_at)
    select p.id, s.id, p.title || ' (#' || p.seq || ')', p.description, p.category, p.urgency, p.session_mode,
           p.session_minutes, p.created_at
    from bench_plan p join bench_students s on s.n = p.student_n
    order by p.created_at"""

_FROM = "from bench_plan p where p.id = t.id and {cond}"
CLAIM = (
    "update support_tickets t set status = 'claimed', counselor_id = p.counselor_id, claimed_at = p.claimed_at, "
    "updated_at = p.claimed_at " + _FROM
)
SCHEDULE = (
    "update support_tickets t set status = 'scheduled', scheduled_time = p.scheduled_time, "
    "scheduled_at = p.scheduled_at, updated_at = p.scheduled_at, "
    "meeting_link = case when t.session_mode in ('video', 'audio') "
    "then 'https://meet.jit.si/SoulRoute-bench-' || md5(t.id::text) end, "
    "location = case when t.session_mode = 'in-person' then 'Counseling Center, room ' || (100 + p.seq %% 20) end "
    + _FROM
)
COMPLETE = (
    "update support_tickets t set status = 'completed', completed_at = p.completed_at, "
    "updated_at = p.completed_at " + _FROM
)
CLOSE = (
    "update support_tickets t set status = 'closed', closed_at = p.closed_at, updated_at = p.closed_at, "
    "close_reason = case p.grp when 'cancelled' then 'Cancelled by the student: feeling better now.' "
    "else 'Session held; no follow-up needed.' end " + _FROM
)
HISTORIC = "p.grp in ('completed', 'closed') and p.wave = %(wave)s::int"

# Sanity checks after the load: nobody over capacity, the status mix as planned.
OVER_CAPACITY = """select count(*) from (
    select t.counselor_id from support_tickets t join counselor_profiles p on p.user_id = t.counselor_id
    where t.status in ('claimed', 'scheduled') group by t.counselor_id, p.capacity having count(*) > p.capacity
) x"""
STATUS_COUNTS = "select status::text, count(*) from support_tickets group by 1 order by 1"
