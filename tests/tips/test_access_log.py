"""Gunicorn's access log, as deploy/gunicorn.conf.py configures it, keeps no tipster's address."""

import datetime
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from gunicorn.config import Config

from tests.tips.conftest import TIPSTER_ADDRESS, TIPSTER_AGENT


def access_line(path: str, records: list) -> str:
    config = Config()
    conf = runpy.run_path(str(Path(settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"))
    config.set("logger_class", conf["logger_class"])
    config.set("accesslog", "-")
    logger = config.logger_class(config)
    handler = logging.Handler()
    handler.emit = records.append
    logger.access_log.addHandler(handler)
    environ = {
        "REMOTE_ADDR": TIPSTER_ADDRESS,
        "REQUEST_METHOD": "POST",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://elsewhere.example/",
        "HTTP_USER_AGENT": TIPSTER_AGENT,
    }
    request = SimpleNamespace(headers=[("X-FORWARDED-FOR", TIPSTER_ADDRESS), ("USER-AGENT", TIPSTER_AGENT)])
    response = SimpleNamespace(status="200 OK", headers=[("Content-Type", "text/html")], sent=120)
    logger.access(response, request, environ, datetime.timedelta(seconds=0, microseconds=1500))
    return records[-1].getMessage()


def test_tip_requests_are_logged_without_address_referrer_or_agent():
    records = []
    line = access_line("/tips/", records)
    assert "POST /tips/ HTTP/1.1" in line and " 200 " in line
    assert TIPSTER_ADDRESS not in line and "TipsterTestBrowser" not in line and "elsewhere" not in line


def test_other_requests_keep_the_usual_access_log():
    records = []
    line = access_line("/meetings/", records)
    assert TIPSTER_ADDRESS in line and "TipsterTestBrowser" in line
