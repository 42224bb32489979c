"""Starts the Celery worker: `python -m portal.worker --queues=default --concurrency=2`.

The same `worker` command as `celery -A portal worker`, with the same options, without the rest of
Celery's command line: `celery` imports all its subcommands first, among them `celery amqp`'s
interactive shell (click_repl, prompt_toolkit, pygments' lexers), about 8 MB in the worker's main
process that each pool process inherits, so 24 MB in a worker of two.
"""

import os
import sys

from celery.bin.base import CLIContext
from celery.bin.worker import worker

from portal.celery import app


def main(argv: list[str]) -> None:
    # What `celery`'s own entry point passes on to its `worker` command, with its defaults.
    no_color = os.environ.get("NO_COLOR", "").lower() not in ("", "0", "false", "no", "off")
    context = CLIContext(app=app, no_color=no_color, workdir=None, quiet=False)
    worker.main(args=argv, prog_name="python -m portal.worker", obj=context)


if __name__ == "__main__":
    main(sys.argv[1:])
