"""/admin/analytics: charts (recharts) over the selected period, each with a table view of the same
numbers for those who would rather read them."""

from __future__ import annotations

import reflex as rx

from soulroute.components.admin_parts import admin_section, data_table, figure, native_select
from soulroute.components.app_shell import app_shell
from soulroute.components.forms import page_title
from soulroute.components.tickets import loading_state
from soulroute.state.admin_analytics import AdminAnalyticsState as S

URGENCY_COLORS = {"Crisis": "#e5484d", "High": "#f76b15", "Medium": "#0090ff", "Low": "#8d8d8d"}
CATEGORY_COLORS = {
    "Anxiety": "#6e56cf", "Depression": "#0090ff", "Stress": "#f76b15", "Relationships": "#e93d82",
    "Academic": "#30a46c", "Other": "#8d8d8d",
}  # fmt: skip
PERIODS = [("4", "Last 4 weeks"), ("12", "Last 12 weeks"), ("26", "Last 26 weeks"), ("52", "Last 52 weeks")]


def chart_box(title: str, description: str, chart: rx.Component, table: rx.Component) -> rx.Component:
    """A chart (hidden from screen readers: the table says the same) and its table view."""
    return admin_section(
        title,
        rx.text(description, as_="p", size="2"),
        rx.box(chart, class_name="chart", aria_hidden="true"),
        rx.el.details(rx.el.summary("Table view"), table, class_name="table-view"),
    )


def _axes(x_key: str) -> list[rx.Component]:
    return [
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key=x_key),
        rx.recharts.y_axis(),
        rx.recharts.graphing_tooltip(),
        rx.recharts.legend(),
    ]


def line_chart(data, x_key: str, series: dict[str, str]) -> rx.Component:
    return rx.recharts.line_chart(
        *[
            rx.recharts.line(data_key=k, stroke=c, connect_nulls=True, is_animation_active=False)
            for k, c in series.items()
        ],
        *_axes(x_key),
        data=data,
        width="100%",
        height=280,
        # No keyboard layer: the chart is hidden from assistive technology; its table view says the same.
        custom_attrs={"accessibilityLayer": False},
    )


def bar_chart(data, x_key: str, series: dict[str, str], *, stacked: bool = False) -> rx.Component:
    stack = {"stack_id": "a"} if stacked else {}
    return rx.recharts.bar_chart(
        *[rx.recharts.bar(data_key=k, fill=c, is_animation_active=False, **stack) for k, c in series.items()],
        *_axes(x_key),
        data=data,
        width="100%",
        height=280,
        # No keyboard layer: the chart is hidden from assistive technology; its table view says the same.
        custom_attrs={"accessibilityLayer": False},
    )


def rows_table(caption: str, columns: list[tuple[str, str]], data) -> rx.Component:
    return data_table(
        caption,
        [label for _, label in columns],
        data,
        lambda r: rx.el.tr(*[rx.el.td(r[key].to(str)) for key, _ in columns]),
        label=caption,
    )


RESPONSE_COLUMNS = [
    ("week", "Week"), ("urgency", "Urgency"), ("tickets", "Tickets"), ("claimed", "Claimed"),
    ("claim_median", "To claim: median"), ("claim_p90", "To claim: 90th percentile"), ("scheduled", "Scheduled"),
    ("schedule_median", "Claim to session scheduled: median"), ("schedule_p90", "Claim to scheduled: 90th pct."),
]  # fmt: skip


def crisis_figures() -> rx.Component:
    c = S.crisis
    return rx.box(
        figure("Claim target", c["target"]),
        figure("Crisis tickets", c["tickets"], tone="red"),
        figure("Claimed within target", c["within"], tone="green", extra=rx.text(c["share"], size="2", as_="p")),
        figure("Waiting past target now", c["waiting"], tone="amber", test_id="crisis-waiting"),
        figure("Median to claim", c["median"]),
        figure("90th percentile", c["p90"]),
        class_name="figure-grid",
    )


def content() -> rx.Component:
    return rx.fragment(
        rx.text(S.period_text, as_="p", size="2", data_testid="period"),
        chart_box(
            "Response times",
            "Median minutes from a ticket's creation to its claim, by urgency and week.",
            line_chart(S.claim_chart, "week", URGENCY_COLORS),
            rx.vstack(
                rows_table("Response times over the whole period", RESPONSE_COLUMNS, S.overall_rows),
                rows_table("Response times per week", RESPONSE_COLUMNS, S.response_rows),
                width="100%",
            ),
        ),
        admin_section("Crisis tickets against the target", crisis_figures()),
        chart_box(
            "Crisis claims per week",
            "Crisis tickets claimed within the target, and later (or not yet).",
            bar_chart(
                S.crisis_chart, "week", {"Within target": "#30a46c", "Later or not yet": "#e5484d"}, stacked=True
            ),
            rows_table(
                "Crisis claims per week",
                [("week", "Week"), ("Within target", "Within target"), ("Later or not yet", "Later or not yet")],
                S.crisis_chart,
            ),  # fmt: skip
        ),
        *_activity_charts(),
    )


def _activity_charts() -> list[rx.Component]:
    """Workload, completed sessions, new tickets and the backlog: each chart with its table view."""
    return [
        chart_box(
            "Counselor workload",
            "Active tickets against capacity (the 20 busiest); the table lists everyone.",
            bar_chart(S.workload_chart, "name", {"Active": "#6e56cf", "Capacity": "#c2b5f5"}),
            rows_table(
                "Counselor workload",
                [
                    ("name", "Counselor"),
                    ("active", "Active"),
                    ("capacity", "Capacity"),
                    ("completed", "Sessions completed in the period"),
                ],
                S.workload_rows,
            ),  # fmt: skip
        ),
        chart_box(
            "Sessions completed per week",
            "Sessions marked completed, by the week they were completed.",
            bar_chart(S.completed_chart, "week", {"Sessions completed": "#12a594"}),
            rows_table(
                "Sessions completed per week",
                [("week", "Week"), ("Sessions completed", "Completed")],
                S.completed_chart,
            ),  # fmt: skip
        ),
        _new_tickets_by("category", S.category_chart, CATEGORY_COLORS),
        _new_tickets_by("urgency", S.urgency_chart, URGENCY_COLORS),
        chart_box(
            "Backlog by status",
            "All tickets now, by status.",
            bar_chart(S.backlog_chart, "status", {"Tickets": "#6e56cf"}),
            rows_table("Backlog by status", [("status", "Status"), ("Tickets", "Tickets")], S.backlog_chart),
        ),
    ]


def _new_tickets_by(what: str, data: rx.Var, colors: dict[str, str]) -> rx.Component:
    """New tickets per week, stacked by `what` (category or urgency), one colour a value."""
    title = f"New tickets by {what}"
    return chart_box(
        title,
        f"Tickets opened per week, by {what}.",
        bar_chart(data, "week", colors, stacked=True),
        rows_table(title, [("week", "Week")] + [(k, k) for k in colors], data),
    )


def page() -> rx.Component:
    return app_shell(
        page_title("Analytics"),
        rx.box(
            native_select("Period", "analytics-period", PERIODS, value=S.weeks, on_change=S.choose_period),
            class_name="narrow-input",
        ),
        rx.cond(S.loaded, content(), loading_state("Computing figures…")),
        crumbs=[("Oversight", "/admin"), ("Analytics", None)],
    )
