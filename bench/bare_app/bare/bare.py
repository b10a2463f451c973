"""One counter state with a trivial handler: the framework's own event path, nothing else."""

import reflex as rx


class CounterState(rx.State):
    count: int = 0

    @rx.event
    def increment(self) -> None:
        self.count += 1


def index() -> rx.Component:
    return rx.vstack(rx.heading(CounterState.count), rx.button("Add one", on_click=CounterState.increment))


app = rx.App()
app.add_page(index, route="/")
