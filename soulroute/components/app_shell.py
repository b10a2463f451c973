"""The frame of every signed-in page: a sidebar with role-aware navigation (a menu button on phones),
breadcrumbs, who is signed in, sign-out, and the light/dark switch."""

from __future__ import annotations

import reflex as rx
from reflex.vars import FunctionStringVar

from soulroute.components.shell import MAIN_ID, site_footer, skip_link
from soulroute.state.notifications import NotificationsState
from soulroute.state.session import SessionState

# (label, href, lucide icon, roles that see it)
NAV_ITEMS = [
    ("My tickets", "/tickets", "ticket", ("student",)),
    ("New ticket", "/tickets/new", "circle-plus", ("student",)),
    ("Board", "/board", "layout-grid", ("counselor",)),
    ("My caseload", "/caseload", "briefcase", ("counselor",)),
    ("Profile", "/profile", "user-round-cog", ("counselor",)),
    ("Oversight", "/admin", "shield-check", ("admin",)),
    ("Analytics", "/admin/analytics", "chart-column", ("admin",)),
    ("Accounts", "/admin/accounts", "users", ("admin",)),
    ("Audit", "/admin/audit", "scroll-text", ("admin",)),
    ("Notifications", "/notifications", "bell", ("student", "counselor", "admin")),
]
ROLE_LABEL = {"student": "Student", "counselor": "Counselor", "admin": "Admin"}
# A link within the app swaps the page without a page load, and focus fell back to <body>: a keyboard user
# started again at the top (skip link, sidebar). After such a move focus goes to the new page's heading, so
# a screen reader announces the page and the next Tab is its first control. A page load is left alone (the
# skip link stays the first stop); the address tells a move from the same page mounted twice (React's strict
# mode does that in development). A page still loading swaps its heading for the loaded one ("Ticket" for
# the ticket's title) or shows it late: focus follows, for a while, unless it has gone elsewhere.
FOCUS_AFTER_MOVE = FunctionStringVar.create(
    """(() => {
  const main = document.getElementById('main');
  const moved = window.soulrouteShown && window.soulrouteShown !== location.href;
  window.soulrouteShown = location.href;
  if (!moved || !main) return;
  const toHeading = () => {
    const h = main.querySelector('h1[tabindex]') || main;
    h.focus({preventScroll: true});
    return h;
  };
  let heading = toHeading();
  const follow = new MutationObserver(() => {
    const here = document.activeElement;
    const lost = !heading.isConnected && (!here || here === document.body);
    const shown = heading === main && here === main && main.querySelector('h1[tabindex]');
    if (lost || shown) heading = toHeading();
    else if (here && here !== heading && here !== document.body) follow.disconnect();
  });
  follow.observe(main, {childList: true, subtree: true});
  setTimeout(() => follow.disconnect(), 15000);
})"""
)


# The navigation items that say how many conversations have a new message (the student's and the counselor's).
WITH_MESSAGES = ("/tickets", "/caseload")


def _new_messages() -> rx.Component:
    count = NotificationsState.unread_messages
    return rx.cond(
        count > 0,
        rx.badge(
            count,
            rx.el.span(" with new messages", class_name="sr-only"),
            color_scheme="red",
            variant="solid",
            size="1",
            class_name="nav-count",
        ),  # fmt: skip
    )


def nav_link(label: str, href: str, icon: str) -> rx.Component:
    current = rx.State.router.page.path == href
    return rx.el.li(
        rx.link(
            rx.icon(icon, size=18, aria_hidden="true"),
            rx.text(label, as_="span"),
            _new_messages() if href in WITH_MESSAGES else rx.fragment(),
            href=href,
            class_name="nav-link",
            aria_current=rx.cond(current, "page", None),
            underline="none",
        )
    )


def nav_items() -> rx.Component:
    return rx.el.ul(
        *[
            rx.cond(
                rx.Var.create(list(roles)).contains(SessionState.user_role),
                nav_link(label, href, icon),
            )
            for label, href, icon, roles in NAV_ITEMS
        ],
        class_name="nav-list",
    )


def bell(*, load: bool = False) -> rx.Component:
    """Notifications with the unread count (issue 7). `load`: this copy fetches the count when the page
    mounts (the sidebar's; the phone bar shows the same state)."""
    unread = NotificationsState.unread
    return rx.link(
        rx.icon("bell", size=20, aria_hidden="true"),
        rx.cond(unread > 0, rx.badge(NotificationsState.unread_badge, color_scheme="red", variant="solid", size="1")),
        href="/notifications",
        aria_label=NotificationsState.bell_label,
        title=NotificationsState.bell_label,
        class_name="nav-bell",
        underline="none",
        style={"display": "inline-flex", "alignItems": "center", "gap": "0.25rem", "padding": "0.5rem"},
        on_mount=NotificationsState.load_count if load else None,
    )


def user_panel() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Signed in as ",
            rx.text(SessionState.user_name, as_="span", weight="bold"),
            as_="p",
            size="2",
        ),
        rx.badge(
            rx.match(
                SessionState.user_role, ("student", "Student"), ("counselor", "Counselor"), ("admin", "Admin"), ""
            ),
            variant="soft",
            color_scheme="violet",
        ),
        rx.hstack(
            rx.button(
                rx.icon("log-out", size=16, aria_hidden="true"),
                "Sign out",
                on_click=SessionState.sign_out,
                variant="soft",
                color_scheme="gray",
                size="2",
            ),
            rx.color_mode.button(aria_label="Switch light and dark mode", size="2", variant="soft"),
            spacing="2",
        ),
        spacing="2",
        align="start",
        class_name="user-panel",
    )


def sidebar() -> rx.Component:
    return rx.el.nav(
        rx.flex(
            rx.link("SoulRoute", href="/", weight="bold", size="5", high_contrast=True, underline="none"),
            bell(load=True),
            justify="between",
            align="center",
        ),
        nav_items(),
        user_panel(),
        aria_label="Main",
        class_name="sidebar",
    )


def phone_bar() -> rx.Component:
    return rx.el.header(
        rx.link("SoulRoute", href="/", weight="bold", size="4", high_contrast=True, underline="none"),
        rx.spacer(),
        bell(),
        rx.drawer.root(
            rx.drawer.trigger(
                rx.icon_button(rx.icon("menu", aria_hidden="true"), aria_label="Open menu", variant="soft", size="3")
            ),
            rx.drawer.overlay(),
            rx.drawer.portal(
                rx.drawer.content(
                    rx.drawer.title("Menu", class_name="sr-only"),
                    rx.drawer.description("Navigation", class_name="sr-only"),
                    rx.el.nav(nav_items(), user_panel(), aria_label="Main", class_name="drawer-nav"),
                    rx.drawer.close(
                        rx.icon_button(rx.icon("x", aria_hidden="true"), aria_label="Close menu", variant="ghost"),
                        class_name="drawer-close",
                    ),
                    class_name="drawer-content",
                )
            ),
            direction="left",
        ),
        class_name="phone-bar",
    )


def breadcrumbs(crumbs: list[tuple[str | rx.Var, str | None]]) -> rx.Component:
    """`Tickets / New`: each crumb a link but the last, which is the current page."""
    items = []
    for i, (label, href) in enumerate(crumbs):
        last = i == len(crumbs) - 1
        items.append(
            rx.el.li(
                rx.text(label, as_="span", aria_current="page", class_name="crumb-current")
                if last or href is None
                else rx.link(label, href=href)
            )
        )
    return rx.el.nav(rx.el.ol(*items, class_name="crumbs"), aria_label="Breadcrumb")


def app_shell(*children: rx.Component, crumbs: list[tuple[str | rx.Var, str | None]]) -> rx.Component:
    """Signed-in page frame. Content shows once the server has confirmed who is here."""
    return rx.box(
        skip_link(),
        phone_bar(),
        rx.box(
            sidebar(),
            rx.el.main(
                breadcrumbs(crumbs),
                rx.cond(
                    SessionState.signed_in,
                    rx.fragment(*children),
                    rx.center(rx.spinner(size="3"), rx.text("Loading…", as_="p"), padding="8", spacing="3"),
                ),
                id=MAIN_ID,
                tab_index=-1,
                class_name="app-main",
                on_mount=FOCUS_AFTER_MOVE,
            ),
            class_name="app-body",
        ),
        site_footer(beside_sidebar=True),
        rx.moment(interval=15_000, on_change=SessionState.check_session, display="none"),
        class_name="page",
    )
