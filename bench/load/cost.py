"""What one trainee's steps cost the server, alone: CPU milliseconds (from /proc/PID/stat) and kilobytes sent
for opening the quiz page, starting, each save, submit + result page, and a plain rerun of the quiz and
result pages.

    python -m bench.load.cost                                   # the app's own settings
    python -m bench.load.cost --server-option runner.postScriptGC=false --server-option server.fileWatcherType=none
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from pathlib import Path

from bench.load.run import cpu_seconds, database, prepare_trainees, start_server
from bench.load.stclient import StreamlitSession
from bench.load.trainee import SUBMIT, answer_question, progress


async def one_trainee(base: str, cookie: str, pid: int, quiz: str, reruns: int) -> dict[str, float]:
    costs: dict[str, float] = {}
    async with StreamlitSession(base, cookies={"netral_session": cookie}) as session:
        mark = cpu_seconds(pid)
        received = 0

        def took(name: str, count: int = 1) -> None:
            nonlocal mark, received
            now = cpu_seconds(pid)
            costs[name] = round(1000 * (now - mark) / count, 1)
            costs[name + " KB"] = round((session.bytes_received - received) / 1024 / count, 1)
            mark, received = now, session.bytes_received

        await session.open("kuis")
        if not session.page.find(kind="button", key=f"start_free_{quiz}"):
            await session.open("kuis")  # the first session of a fresh server lands on the home page
        took("open quiz page")
        await session.click(session.page.one(kind="button", key=f"start_free_{quiz}"))
        took("start")
        for _ in range(reruns):
            await session.run()
        took("plain rerun, question page", reruns)
        rng = random.Random(1)
        saves = 0
        started = time.perf_counter()
        while progress(session)[0] < progress(session)[1]:
            await answer_question(session, rng)
            saves += 1
        costs["save wall ms (alone)"] = round(1000 * (time.perf_counter() - started) / saves, 1)
        took("save (form submit + rerun)", saves)
        page = session.page
        await session.submit_form(page.one(kind="button", label=SUBMIT, form_prefix="submit_"),
                                  {page.one(kind="checkbox", form_prefix="submit_"): True})
        took("submit + result page")
        for _ in range(reruns):
            await session.run()
        took("plain rerun, result page", reruns)
    return costs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--quiz", default="lanjutan-pejabat")
    parser.add_argument("--trainees", type=int, default=3, help="one after the other; the first pays warm-up")
    parser.add_argument("--reruns", type=int, default=10)
    parser.add_argument("--server-option", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="netral-cost-"))
    with database(args.database, workdir) as url:
        accounts = prepare_trainees(url, args.trainees)
        process, base = start_server(url, workdir / "server.log", args.server_option)
        try:
            for index, (_, cookie) in enumerate(accounts):
                costs = asyncio.run(one_trainee(base, cookie, process.pid, args.quiz, args.reruns))
                print(f"trainee {index + 1}: " + ", ".join(f"{name} {value:g}" for name, value in costs.items()))
        finally:
            process.terminate()
            process.wait(timeout=20)
    print(f"server CPU ms per step; options: {args.server_option or 'none (the app config)'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
