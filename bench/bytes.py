"""How many bytes Netral costs a trainee's connection: a first visit (login page, empty and warm browser
cache) and one saved quiz answer. Method and results: bench/bytes.md.

    python bench/bytes.py                 # starts its own server on a temporary SQLite database
    python bench/bytes.py --nginx         # ... behind Debian's nginx with deploy/nginx/netral.conf (TLS)
    python bench/bytes.py --url https://netral.example.go.id --insecure   # an existing deployment
    python bench/bytes.py --answers 8 --json bytes.json

First visit: Chromium's DevTools protocol (CDP) reports, for every HTTP request of the page, the bytes
received on the wire (`Network.loadingFinished.encodedDataLength`: headers and the body as sent,
compressed where the server compressed it) and the body after decompression (the sum of
`Network.dataReceived.dataLength`); the websocket's frames are counted by payload
(`Network.webSocketFrameReceived/Sent`). Counting stops when the login form is drawn, the script run has
finished and the network has been idle for 500 ms, plus one second for stragglers.

One answer: Playwright's websocket events (`framesent`, `framereceived`) give each frame's payload; the
count runs from the click on "Simpan & berikutnya" until the next question is drawn and the run finished.
Frame headers (2-14 bytes a frame), TCP/IP and TLS overhead are not included. Streamlit sends the frames
uncompressed unless `server.enableWebsocketCompression` is on; what permessage-deflate would make of the
same frames is estimated by compressing them with zlib as uvicorn's websockets extension does (raw
deflate with a 4 KiB window and memLevel 5, one stream across the messages, a sync flush after each).
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
import tempfile
import zlib
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from playwright.sync_api import BrowserContext, Page, expect, sync_playwright  # noqa: E402

from tests.serverkit import CHROMIUM_ARGS, answer, app_server, counts, register, run_finished, settle  # noqa: E402


@dataclass
class Visit:
    """One page load, as CDP saw it."""

    requests: int = 0
    from_cache: int = 0
    http_wire: int = 0  # bytes received for HTTP responses (headers + body as sent)
    http_body: int = 0  # the same bodies after decompression
    ws_received: int = 0  # websocket payload bytes, server to browser
    ws_sent: int = 0
    by_type: dict[str, int] = field(default_factory=dict)  # wire bytes per resource type
    largest: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total_received(self) -> int:
        return self.http_wire + self.ws_received


def _payload_size(response: dict) -> int:
    data = response.get("payloadData", "")
    if response.get("opcode") == 2:  # binary frames arrive base64-encoded
        return len(base64.b64decode(data))
    return len(data.encode())


def measure_visit(context: BrowserContext, url: str) -> tuple[Visit, Page]:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    visit = Visit()
    seen: dict[str, dict] = {}

    def sent(event: dict) -> None:
        seen.setdefault(event["requestId"], {"url": event["request"]["url"], "type": event.get("type", "Other"),
                                             "wire": 0, "body": 0, "cached": False})

    def cached(event: dict) -> None:
        if event["requestId"] in seen:
            seen[event["requestId"]]["cached"] = True

    def response(event: dict) -> None:
        if event["requestId"] in seen and (event["response"].get("fromDiskCache")
                                          or event["response"].get("fromPrefetchCache")):
            seen[event["requestId"]]["cached"] = True

    def data(event: dict) -> None:
        if event["requestId"] in seen:
            seen[event["requestId"]]["body"] += event.get("dataLength", 0)

    def finished(event: dict) -> None:
        if event["requestId"] in seen:
            seen[event["requestId"]]["wire"] = int(event.get("encodedDataLength", 0))

    def frame_in(event: dict) -> None:
        visit.ws_received += _payload_size(event["response"])

    def frame_out(event: dict) -> None:
        visit.ws_sent += _payload_size(event["response"])

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.requestServedFromCache", cached)
    cdp.on("Network.responseReceived", response)
    cdp.on("Network.dataReceived", data)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.webSocketFrameReceived", frame_in)
    cdp.on("Network.webSocketFrameSent", frame_out)

    page.goto(url)
    expect(page.get_by_role("heading", name="Masuk ke Netral")).to_be_visible(timeout=60000)
    run_finished(page)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)

    for item in seen.values():
        if item["url"].startswith("data:"):
            continue
        visit.requests += 1
        visit.from_cache += item["cached"]
        visit.http_wire += item["wire"]
        visit.http_body += item["body"]
        visit.by_type[item["type"]] = visit.by_type.get(item["type"], 0) + item["wire"]
    visit.largest = sorted(((i["url"].split("?")[0].rsplit("/", 1)[-1] or "/", i["wire"]) for i in seen.values()),
                           key=lambda pair: -pair[1])[:5]
    cdp.detach()
    return visit, page


@dataclass
class Answer:
    sent: int
    received: int
    received_deflated: int  # the same frames through permessage-deflate (estimate, see above)
    frames_sent: int
    frames_received: int
    http: int  # bytes of any HTTP request made during the save (normally none)


def measure_answers(page: Page, base: str, count: int) -> list[Answer]:
    register(page, base)
    page.goto(f"{base}/kuis")
    page.locator(".st-key-start_free_lanjutan-pejabat button").click()
    expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=30000)
    settle(page)
    results: list[Answer] = []
    counter = {"sent": 0, "received": 0, "deflated": 0, "fs": 0, "fr": 0, "http": 0, "on": False,
               "all_received": 0, "all_deflated": 0}
    # As uvicorn configures permessage-deflate (websockets' ServerPerMessageDeflateFactory with
    # server_max_window_bits=12, memLevel 5, context takeover): one raw-deflate stream per connection.
    deflate = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -12, 5)

    def on_frame(direction: str):  # type: ignore[no-untyped-def]
        def record(payload: str | bytes) -> None:
            data = payload if isinstance(payload, bytes) else payload.encode()
            if direction == "received":
                packed = len(deflate.compress(data) + deflate.flush(zlib.Z_SYNC_FLUSH)) - 4  # minus 00 00 ff ff
            if direction == "received":
                counter["all_received"] += len(data)
                counter["all_deflated"] += packed
            if counter["on"]:
                counter[direction] += len(data)
                counter["fs" if direction == "sent" else "fr"] += 1
                if direction == "received":
                    counter["deflated"] += packed
        return record

    def on_socket(socket) -> None:  # type: ignore[no-untyped-def]
        socket.on("framesent", on_frame("sent"))
        socket.on("framereceived", on_frame("received"))

    def on_response(response) -> None:  # type: ignore[no-untyped-def]
        if counter["on"]:
            try:
                counter["http"] += len(response.body())
            except Exception:  # noqa: BLE001 - redirects and aborted requests have no body
                pass

    page.on("websocket", on_socket)
    page.on("response", on_response)
    # The websocket opened before these handlers: reload so that the new connection is observed.
    page.reload()
    expect(page.get_by_test_id("stProgress")).to_be_visible(timeout=30000)
    settle(page)
    for _ in range(count):
        answered, total = counts(page)
        if answered + 1 >= total:
            break
        answer(page)
        before = page.locator('[class*="_verdict"][class*="st-key-a"]').first.get_attribute("class") or ""
        key = next(c for c in before.split() if c.startswith("st-key-a") and c.endswith("_verdict"))
        counter.update(sent=0, received=0, deflated=0, fs=0, fr=0, http=0, on=True)
        page.get_by_role("button", name="Simpan & berikutnya").click()
        expect(page.locator(f".{key}")).to_have_count(0, timeout=30000)
        run_finished(page)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
        counter["on"] = False
        results.append(Answer(counter["sent"], counter["received"], counter["deflated"], counter["fs"], counter["fr"],
                              counter["http"]))
    print(f"(the quiz's websocket so far: {counter['all_received']:,} B received, "
          f"{counter['all_deflated']:,} B with permessage-deflate, estimated)")
    return results


def kib(n: float) -> str:
    return f"{n / 1024:,.1f} KiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="measure this deployment instead of starting a server")
    parser.add_argument("--nginx", action="store_true",
                        help="put the server behind Debian's nginx with deploy/nginx/netral.conf (TLS)")
    parser.add_argument("--insecure", action="store_true", help="accept any TLS certificate (test set-ups)")
    parser.add_argument("--answers", type=int, default=6, help="answers to measure (default 6)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()

    stack = ExitStack()
    if args.url:
        base = args.url.rstrip("/")
    else:
        folder = Path(tempfile.mkdtemp(prefix="netral-bytes-"))
        base = stack.enter_context(app_server(f"sqlite:///{folder / 'bytes.db'}", folder)).url
        if args.nginx:
            from tests.test_deploy_nginx import nginx

            proxy = stack.enter_context(nginx([base.removeprefix("http://")], folder / "nginx"))
            base, args.insecure = proxy.url, True
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            # A warm-up visit in a throw-away context, so the server's first-run costs are not measured.
            warm = browser.new_context(ignore_https_errors=args.insecure)
            measure_visit(warm, base)
            warm.close()

            context = browser.new_context(viewport={"width": 1200, "height": 900}, ignore_https_errors=args.insecure)
            cold, first_page = measure_visit(context, base)
            first_page.close()
            warm_visit, second_page = measure_visit(context, base)  # same browser: its HTTP cache is warm
            second_page.close()
            answers = measure_answers(context.new_page(), base, args.answers)
            browser.close()
    finally:
        stack.close()

    print(f"Netral at {base}")
    for label, visit in (("first visit, empty cache", cold), ("first visit, warm cache", warm_visit)):
        print(f"\n{label}: {kib(visit.total_received)} received "
              f"(HTTP {kib(visit.http_wire)} on the wire, {kib(visit.http_body)} unpacked, in {visit.requests} "
              f"requests, {visit.from_cache} from cache; websocket {kib(visit.ws_received)} in, "
              f"{kib(visit.ws_sent)} out)")
        print("  by type: " + ", ".join(f"{kind} {kib(size)}" for kind, size in
                                        sorted(visit.by_type.items(), key=lambda pair: -pair[1]) if size))
        print("  largest: " + ", ".join(f"{name} {kib(size)}" for name, size in visit.largest if size))
    if answers:
        sent = [a.sent for a in answers]
        received = [a.received for a in answers]
        deflated = [a.received_deflated for a in answers]
        print(f"\none answer ('Simpan & berikutnya'), {len(answers)} measured: "
              f"sent median {statistics.median(sent):,.0f} B (min {min(sent):,}, max {max(sent):,}); "
              f"received median {statistics.median(received):,.0f} B (min {min(received):,}, max {max(received):,}); "
              f"received with permessage-deflate (estimate) median {statistics.median(deflated):,.0f} B; "
              f"frames sent/received {answers[0].frames_sent}/{answers[0].frames_received} (first answer); "
              f"other HTTP bytes {sum(a.http for a in answers):,}")
    if args.json:
        args.json.write_text(json.dumps({"url": base, "cold": asdict(cold), "warm": asdict(warm_visit),
                                         "answers": [asdict(a) for a in answers]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
