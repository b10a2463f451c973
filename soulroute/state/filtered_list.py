"""The filtered-list piece: a list the database filters and pages, with its filters kept in the address bar.

The controls are public vars named like the fields of the filter model (a domain input model, so whatever
arrives, from a control or from the address bar, is validated the same way). What the query uses is the
validated `_filters`; the controls only show it. A state that uses this piece says which model, which short
name each field has in the address, and which page the list is on.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar
from urllib.parse import urlencode

import reflex as rx
from pydantic import BaseModel

from soulroute.domain.errors import ValidationFailed

ANY = "any"  # a select's "no filter" option
INVALID_IN_ADDRESS = "Some filters in the address were not valid and were cleared."


class FilteredList(rx.State, mixin=True):
    filter_errors: dict[str, str] = {}
    notice: str = ""

    FILTER_MODEL: ClassVar[Any]  # a DomainInput: .parse(dict) validates, raising ValidationFailed
    URL_KEYS: ClassVar[dict[str, str]]  # model field -> its name in the address bar
    LIST_PATH: ClassVar[str]
    SELECTS: ClassVar[tuple[str, ...]] = ()  # controls whose "no filter" value is "any" (others are blank)

    def _filters_now(self) -> BaseModel:
        return getattr(self, "_filters", None) or self.FILTER_MODEL()

    def _control_values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.URL_KEYS}

    def _parse_filters(self, values: dict[str, Any]) -> BaseModel:
        """Validate control or address values ("", "any" and None mean no filter). Raises ValidationFailed."""
        clean = {
            k: self._typed(k, v.strip() if isinstance(v, str) else v)
            for k, v in values.items()
            if k in self.URL_KEYS and v is not None and (not isinstance(v, str) or v.strip() not in ("", ANY))
        }
        return self._validate(clean)

    def _typed(self, name: str, value: Any) -> Any:
        """A number from the address bar for a numeric control (page, page size); anything else as it is."""
        numeric = isinstance(getattr(self, name), int) and not isinstance(getattr(self, name), bool)
        return int(value) if numeric and isinstance(value, str) and value.isdigit() else value

    def _use_filters(self, filters: BaseModel) -> None:
        """Make `filters` the query's, and show them in the controls."""
        self._filters = filters
        self.filter_errors = {}
        for name in self.URL_KEYS:
            value = getattr(filters, name)
            if isinstance(value, int) and not isinstance(value, bool):
                setattr(self, name, value)  # page numbers and sizes
            elif value is None:
                setattr(self, name, ANY if name in self.SELECTS else "")
            else:
                setattr(self, name, str(getattr(value, "value", value)))

    def _validate(self, values: dict[str, Any]) -> BaseModel:
        return self.FILTER_MODEL.parse(values)

    def _filters_from_address(self) -> None:
        """on_load: the filters in the address bar; invalid ones are dropped, with a notice."""
        params = self.router.url.query_parameters
        values = {name: params.get(key) for name, key in self.URL_KEYS.items() if params.get(key) not in (None, "")}
        self.notice = ""
        try:
            self._use_filters(self._parse_filters(values))
        except ValidationFailed:
            self._use_filters(self.FILTER_MODEL())
            self.notice = INVALID_IN_ADDRESS

    def _refilter(self, changes: dict[str, Any]) -> bool:
        """Apply control changes; False (messages by the controls) when they do not validate."""
        try:
            filters = self._parse_filters(self._control_values() | changes)
        except ValidationFailed as exc:
            self.filter_errors = exc.errors
            return False
        self._use_filters(filters)
        self.notice = ""
        return True

    def _address(self) -> str:
        defaults = self.FILTER_MODEL()
        values = {
            key: str(getattr(getattr(self._filters_now(), name), "value", getattr(self._filters_now(), name)))
            for name, key in self.URL_KEYS.items()
            if getattr(self._filters_now(), name) not in (None, getattr(defaults, name))
        }
        query = urlencode(values)
        return self.LIST_PATH + (f"?{query}" if query else "")

    def _keep_in_address(self) -> rx.event.EventSpec:
        """Into the address bar without a navigation, so a reload or a shared link keeps the choice."""
        return rx.call_script(f"window.history.replaceState(window.history.state, '', {json.dumps(self._address())})")
