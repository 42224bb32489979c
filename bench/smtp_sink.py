"""A local SMTP sink for the benchmark: accepts every message, appends each recipient to a file.

Usage: python bench/smtp_sink.py PORT OUTPUT_FILE [timestamps]   (runs until terminated)
With "timestamps", each line is "<unix time> <recipient>": when the message was accepted.
"""

import signal
import sys
import threading
import time

from aiosmtpd.controller import Controller


class RecordingHandler:
    def __init__(self, output, timestamps: bool = False):
        self.output = output
        self.timestamps = timestamps

    async def handle_DATA(self, server, session, envelope):
        prefix = f"{time.time():.4f} " if self.timestamps else ""
        self.output.write("".join(f"{prefix}{address}\n" for address in envelope.rcpt_tos))
        return "250 Message accepted"


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]
    with open(path, "a", buffering=1) as output:  # line-buffered: the benchmark reads it while we run
        handler = RecordingHandler(output, timestamps=sys.argv[3:] == ["timestamps"])
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        signal.signal(signal.SIGINT, lambda *_: stopped.set())
        print("ready", flush=True)
        stopped.wait()
        controller.stop()


if __name__ == "__main__":
    main()
