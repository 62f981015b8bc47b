"""A minimal Streamlit client that speaks the browser's websocket protocol (Streamlit 1.67).

It connects to `ws://HOST:PORT/_stcore/stream` with the `streamlit` subprotocol, sends `BackMsg.rerun_script`
(query string, page, widget states) and reads `ForwardMsg`s until `script_finished`. Like the browser it
keeps the query string and the current page the server reports, remembers the values it gave to widgets,
and reads widget ids from the deltas of the last run. Only what the load generator and the tests need:
radio, multiselect, checkbox, buttons and form submit buttons; exceptions and error boxes are collected.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
WIDGET_TYPES = {"radio", "multiselect", "checkbox", "button", "selectbox", "text_input"}


class ProtocolError(RuntimeError):
    """The server closed the connection, or a run did not finish in time."""


@dataclass(eq=False)  # hashed by identity: a widget of one run is a dict key for submit_form
class Widget:
    kind: str
    id: str
    label: str
    form_id: str
    options: list[str]
    is_form_submitter: bool = False

    @property
    def key(self) -> str:
        """The user key at the end of the element id (`$$ID-<hash>-<key>`), or '' for an unkeyed widget."""
        return self.id.split("-", 2)[2] if self.id.count("-") >= 2 else ""


@dataclass
class Page:
    """What the last finished run put on screen."""

    widgets: list[Widget] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # markdown, headings, alerts, progress texts, in order
    progress: str = ""
    exceptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # st.error boxes

    def find(self, *, kind: str | None = None, key: str | None = None, key_prefix: str | None = None,
             label: str | None = None, form_prefix: str | None = None) -> list[Widget]:
        found = []
        for widget in self.widgets:
            if kind and widget.kind != kind:
                continue
            if key is not None and widget.key != key:
                continue
            if key_prefix is not None and not widget.key.startswith(key_prefix):
                continue
            if label is not None and widget.label != label:
                continue
            if form_prefix is not None and not widget.form_id.startswith(form_prefix):
                continue
            found.append(widget)
        return found

    def one(self, **criteria: Any) -> Widget:
        found = self.find(**criteria)
        if len(found) != 1:
            raise ProtocolError(f"expected one widget {criteria}, found {len(found)}; "
                                f"errors={self.errors} exceptions={[e[:200] for e in self.exceptions]}")
        return found[0]


class StreamlitSession:
    """One browser tab: a websocket session with its query string, page and widget values."""

    def __init__(self, base_url: str, *, cookies: dict[str, str] | None = None, timeout: float = 120.0):
        http = base_url.rstrip("/")
        self.origin = http
        self.ws_url = http.replace("http://", "ws://", 1).replace("https://", "wss://", 1) + "/_stcore/stream"
        self.cookies = dict(cookies or {})
        self.timeout = timeout
        self.query_string = ""
        self.page_script_hash = ""
        self.page = Page()
        self._building = Page()
        self._values: dict[str, WidgetState] = {}
        self._ws: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._finished: asyncio.Queue[int | Exception] = asyncio.Queue()
        self.bytes_received = 0

    async def connect(self) -> None:
        headers = {"Origin": self.origin}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        # No client pings: a busy server may answer late, and that is a latency to measure, not a failure.
        self._ws = await websockets.connect(self.ws_url, subprotocols=["streamlit"], additional_headers=headers,
                                            max_size=None, ping_interval=None, open_timeout=self.timeout,
                                            close_timeout=2)
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - closing anyway
                pass

    async def __aenter__(self) -> StreamlitSession:
        await self.connect()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    # -- reading --------------------------------------------------------------------------------------------

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                self.bytes_received += len(raw)
                message = ForwardMsg()
                message.ParseFromString(raw)
                self._handle(message)
            self._finished.put_nowait(ProtocolError("the server closed the websocket"))
        except Exception as exc:  # noqa: BLE001 - handed to whoever waits for a run
            self._finished.put_nowait(ProtocolError(f"websocket failed: {type(exc).__name__}: {exc}"))

    def _handle(self, message: ForwardMsg) -> None:
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self._building = Page()  # a new run (also after st.rerun or st.switch_page)
            if message.new_session.page_script_hash:
                self.page_script_hash = message.new_session.page_script_hash
        elif kind == "navigation":
            if message.navigation.page_script_hash:
                self.page_script_hash = message.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = message.page_info_changed.query_string
        elif kind == "delta":
            self._delta(message)
        elif kind == "script_finished":
            if message.script_finished in FINISHED:
                self.page = self._building
                live = {widget.id for widget in self.page.widgets}
                # Like the browser, keep values only for the widgets still on screen.
                self._values = {wid: state for wid, state in self._values.items() if wid in live}
            self._finished.put_nowait(message.script_finished)

    def _delta(self, message: ForwardMsg) -> None:
        delta = message.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        body = getattr(element, kind)
        page = self._building
        if kind in WIDGET_TYPES:
            page.widgets.append(Widget(kind=kind, id=body.id, label=body.label, form_id=body.form_id,
                                       options=list(getattr(body, "options", [])),
                                       is_form_submitter=getattr(body, "is_form_submitter", False)))
        elif kind == "exception":
            page.exceptions.append(f"{body.type}: {body.message}\n" + "\n".join(body.stack_trace))
        elif kind == "alert":
            page.texts.append(body.body)
            if body.format == body.ERROR:
                page.errors.append(body.body)
        elif kind == "progress":
            page.progress = body.text
            page.texts.append(body.text)
        elif kind in ("markdown", "heading"):
            page.texts.append(body.body)

    # -- running --------------------------------------------------------------------------------------------

    async def run(self, *, page_name: str | None = None, query_string: str | None = None,
                  set_values: dict[str, WidgetState] | None = None, trigger: str | None = None) -> float:
        """Send one rerun request and wait for the run (and any st.rerun it causes) to finish.

        `set_values` are widget states the user changed (kept for later runs, as the browser does);
        `trigger` is the id of a clicked button, true for this run only. Returns the seconds it took.
        """
        if query_string is not None:
            self.query_string = query_string
        for state in (set_values or {}).values():
            self._values[state.id] = state
        message = BackMsg()
        rerun = message.rerun_script
        rerun.query_string = self.query_string
        if page_name is not None:
            rerun.page_name = page_name
        else:
            rerun.page_script_hash = self.page_script_hash
        rerun.widget_states.widgets.extend(self._values.values())
        if trigger is not None:
            rerun.widget_states.widgets.append(WidgetState(id=trigger, trigger_value=True))
        while not self._finished.empty():  # nothing stale may count as this run's end
            self._finished.get_nowait()
        started = time.perf_counter()
        await self._ws.send(message.SerializeToString())
        deadline = started + self.timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise ProtocolError(f"no script_finished within {self.timeout:.0f} s")
            try:
                outcome = await asyncio.wait_for(self._finished.get(), left)
            except TimeoutError:
                raise ProtocolError(f"no script_finished within {self.timeout:.0f} s") from None
            if isinstance(outcome, Exception):
                raise outcome
            if outcome in FINISHED:
                return time.perf_counter() - started

    async def open(self, page_name: str, query_string: str = "") -> float:
        """Open a page by its URL path, as typing `/page_name?query_string` in the address bar does."""
        return await self.run(page_name=page_name, query_string=query_string)

    async def click(self, widget: Widget) -> float:
        return await self.run(trigger=widget.id)

    async def submit_form(self, submit: Widget, values: dict[Widget, Any]) -> float:
        """Set the form's widgets, then press its submit button (one message, as the browser sends it)."""
        return await self.run(set_values={w.id: state_for(w, v) for w, v in values.items()}, trigger=submit.id)


def state_for(widget: Widget, value: Any) -> WidgetState:
    """The widget state the browser sends for `value` (option labels for radio and multiselect)."""
    state = WidgetState(id=widget.id)
    if widget.kind in ("radio", "selectbox", "text_input"):
        state.string_value = value
    elif widget.kind == "multiselect":
        state.string_array_value.data.extend(value)
    elif widget.kind == "checkbox":
        state.bool_value = bool(value)
    else:
        raise ValueError(f"no value for a {widget.kind}")
    return state

