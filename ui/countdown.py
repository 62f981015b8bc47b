"""A countdown that ticks in the browser, so a running timer costs the server no reruns."""

from __future__ import annotations

import json
from datetime import datetime

import streamlit as st


def countdown(deadline: datetime, label: str, expired_label: str, remaining_seconds: int) -> None:
    """Show `label` with mm:ss left until `deadline`; the server's own figure is the fallback text."""
    minutes, seconds = divmod(remaining_seconds, 60)
    initial = f"{label} {minutes:02d}:{seconds:02d}" if remaining_seconds else expired_label
    deadline_ms = int(deadline.timestamp() * 1000)
    # role=timer with aria-live off: screen readers can read it on demand without a per-second announcement.
    st.html(
        f"""<div id="netral-countdown" role="timer" aria-live="off"
             style="font-weight:600;font-size:1.1rem;">{initial}</div>
        <script>
        (function() {{
          const el = document.getElementById("netral-countdown");
          const deadline = {deadline_ms};
          const label = {json.dumps(label)}, expired = {json.dumps(expired_label)};
          function tick() {{
            const left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
            const mm = String(Math.floor(left / 60)).padStart(2, "0"), ss = String(left % 60).padStart(2, "0");
            el.textContent = left > 0 ? label + " " + mm + ":" + ss : expired;
            if (left > 0) setTimeout(tick, 1000);
          }}
          tick();
        }})();
        </script>""",
        unsafe_allow_javascript=True,
    )
