"""A local SMTP sink for the benchmark: accepts every message, appends each recipient to a file.

Usage: python bench/smtp_sink.py PORT OUTPUT_FILE   (runs until terminated)
"""

import signal
import sys
import threading

from aiosmtpd.controller import Controller


class RecordingHandler:
    def __init__(self, output):
        self.output = output

    async def handle_DATA(self, server, session, envelope):
        self.output.write("".join(f"{address}\n" for address in envelope.rcpt_tos))
        return "250 Message accepted"


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]
    with open(path, "a", buffering=1) as output:  # line-buffered: the benchmark reads it while we run
        controller = Controller(RecordingHandler(output), hostname="127.0.0.1", port=port)
        controller.start()
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        signal.signal(signal.SIGINT, lambda *_: stopped.set())
        print("ready", flush=True)
        stopped.wait()
        controller.stop()


if __name__ == "__main__":
    main()
