"""Instructions per request for each page `load.py --mode uncached` measures, under callgrind.

CPU time per request moves by a third between two runs of the same code on a shared machine;
the number of instructions executed does not. This prepares `load.py`'s data set (page cache
off, production settings), then runs itself again under `valgrind --tool=callgrind`: for each
page, a few requests to warm up, then --requests more through the whole middleware stack in one
process, with a callgrind dump after each, and prints millions of instructions per request and
each page's multiple of the liveness probe's. Needs valgrind (`apt-get install valgrind`); takes
a few minutes (Python runs about 50 times slower under callgrind).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/precinct_loadbench \\
    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/page_instructions.py [--requests 10]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# Both runs, this one and the one under callgrind, with the page cache off.
os.environ["PUBLIC_PAGE_CACHE_SECONDS"] = "0"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load  # sets the production environment; Django is set up below

# Set for the run under callgrind: the static files this run collected (its import of load made another folder).
UNDER_CALLGRIND = "PRECINCT_BENCH_STATIC_ROOT"
WARM_UP_REQUESTS = 3


def pages(context: dict) -> list[tuple[str, str, str | None]]:
    return [
        ("liveness (floor)", "/health/live", None),
        ("home", "/", None),
        ("meeting list", "/meetings/", None),
        ("meeting detail", f"/meetings/{context['meeting_slug']}/", None),
        ("program list", "/programs/", None),
        ("my programs (logged in)", "/programs/mine/", context["session_cookie"]),
        ("my activity (logged in)", "/me/activity/", context["session_cookie"]),
    ]


def request_pages(requests: int) -> None:
    """Under callgrind: each page's requests between two dumps named after it."""
    import django

    django.setup()
    from django.test import Client

    from portal.warmup import warm_up

    warm_up()
    for index, (_name, path, cookie) in enumerate(pages(load.create_data())):
        client = Client(HTTP_HOST="127.0.0.1")
        if cookie:
            client.cookies.load(cookie)
        for _ in range(WARM_UP_REQUESTS):
            if client.get(path).status_code != 200:
                raise SystemExit(f"{path} did not answer 200")
        dump(f"warm-up-{index}")
        for _ in range(requests):
            client.get(path)
        dump(f"page-{index}")


def dump(label: str) -> None:
    subprocess.run(["callgrind_control", f"--dump={label}", str(os.getpid())], check=True, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=10, help="requests per page, after the warm-up (default 10)")
    args = parser.parse_args()
    if os.environ.get(UNDER_CALLGRIND):
        os.environ["STATIC_ROOT"] = os.environ[UNDER_CALLGRIND]
        shutil.rmtree(load.VAR_DIR, ignore_errors=True)
        request_pages(args.requests)
        return 0
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is missing: apt-get install valgrind")
    load.ensure_database()
    context = load.prepare()  # migrate and collectstatic here: under callgrind they would take long
    out = Path(tempfile.mkdtemp(prefix="precinct-callgrind-"))
    try:
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--dump-instr=no",
                f"--callgrind-out-file={out / 'callgrind.out'}",
                sys.executable,
                __file__,
                f"--requests={args.requests}",
            ],
            env={**os.environ, UNDER_CALLGRIND: os.environ["STATIC_ROOT"]},
            check=True,
            capture_output=True,
        )
        instructions = {}
        for dump_file in out.glob("callgrind.out.*"):
            head = dump_file.read_text(errors="replace")[:4000]
            label = re.search(r"^desc: Trigger: dump page-(\d+)", head, re.M)
            if label:
                total = int(re.search(r"^(?:summary|totals): (\d+)", head, re.M).group(1))
                instructions[int(label.group(1))] = total / args.requests
    finally:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(load.VAR_DIR, ignore_errors=True)
    floor = instructions[0]
    lines = ["| page | million instructions / request | × floor |", "| --- | ---: | ---: |"]
    for index, (name, _path, _cookie) in enumerate(pages(context)):
        lines.append(f"| {name} | {instructions[index] / 1e6:.1f} | {instructions[index] / floor:.1f} |")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
