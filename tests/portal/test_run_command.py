"""README's run command on the embedded defaults: SQLite, a file-system broker, console e-mail."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> list[str]:
    out = subprocess.run(["ps", "-ww", "-o", "args=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines()]


@pytest.fixture
def running_portal(tmp_path):
    port = free_port()
    # As a newcomer's shell has it: no test settings (pytest sets DJANGO_SETTINGS_MODULE), no services.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY"} and not k.startswith(("DJANGO_", "EMAIL_"))
    }
    env.update({"PRECINCT_VAR_DIR": str(tmp_path / "var"), "PORT": f"127.0.0.1:{port}", "PYTHONUNBUFFERED": "1"})
    log = tmp_path / "run.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            ["bin/run"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("bin/run did not answer on the home page:\n" + log.read_text()[-3000:])
        yield process, base, log
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def test_run_command_serves_the_portal_with_worker_and_beat_and_an_officer_who_can_log_in(running_portal):
    process, base, log = running_portal
    output = log.read_text()
    email, password = re.search(r"Officer log-in: (\S+) / (\S+)", output).groups()
    totp_secret = re.search(r"Officer authenticator-app secret: (\S+)", output).group(1)

    commands = children_of(process.pid)
    assert any("celery -A portal worker" in command for command in commands), commands
    assert any("celery -A portal beat" in command for command in commands), commands

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_page = opener.open(base + "/accounts/login/?next=/admin/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "login": email, "password": password}).encode()
    request = urllib.request.Request(base + "/accounts/login/?next=/admin/", data=data, headers={"Referer": base})
    with opener.open(request) as response:
        # Staff have a second factor: the code from the authenticator app comes next.
        assert "/accounts/2fa/authenticate/" in response.url, response.url
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode()).group(1)
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    code = format_hotp_value(hotp_value(totp_secret, int(time.time()) // 30))
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "code": code}).encode()
    request = urllib.request.Request(base + "/accounts/2fa/authenticate/", data=data, headers={"Referer": base})
    with opener.open(request) as response:
        assert response.url.endswith("/admin/"), response.url
        assert "Precinct administration" in response.read().decode()

    # Ctrl-C stops web, worker and beat together.
    os.killpg(process.pid, signal.SIGINT)
    process.wait(30)
    time.sleep(1)
    assert children_of(process.pid) == []


def test_e_mail_links_point_at_the_port_bin_run_listens_on(running_portal):
    process, base, log = running_portal
    assert f"Precinct is starting on {base}/" in log.read_text()
    out = subprocess.run(["ps", "-ww", "-o", "pid=,args=", "--ppid", str(process.pid)], capture_output=True, text=True)
    [web_pid] = [line.split()[0] for line in out.stdout.splitlines() if "runserver" in line]
    environment = Path(f"/proc/{web_pid}/environ").read_bytes().split(b"\0")
    assert f"SITE_URL={base}".encode() in environment


def test_e_mails_go_to_the_development_mailbox_whose_address_is_printed_at_start_up(running_portal, tmp_path):
    _, base, log = running_portal
    output = log.read_text()
    assert f"E-mails the portal sends: {base}/dev/emails/" in output
    officer_email = re.search(r"Officer log-in: (\S+) /", output).group(1)

    # A password reset goes through the outbox and the worker into the mailbox, not onto the console.
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(base + "/accounts/password/reset/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "email": officer_email}).encode()
    opener.open(urllib.request.Request(base + "/accounts/password/reset/", data=data, headers={"Referer": base}))
    deadline = time.monotonic() + 60
    while officer_email not in (listing := opener.open(base + "/dev/emails/").read().decode()):
        assert time.monotonic() < deadline, "the reset e-mail never reached /dev/emails/:\n" + log.read_text()[-3000:]
        time.sleep(1)
    message_path = re.search(r'href="(/dev/emails/[^"/]+/)"', listing).group(1)
    message_page = opener.open(base + message_path).read().decode()
    assert re.search(rf'<a href="{re.escape(base)}/accounts/password/reset/key/[^"]+"', message_page)
    assert list((tmp_path / "var" / "mail").glob("*.eml"))
    # The console says where to read it, and not the message itself.
    assert f"open {base}{message_path}" in log.read_text()
    assert "/accounts/password/reset/key/" not in log.read_text()
