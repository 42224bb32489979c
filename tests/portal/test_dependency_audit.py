"""The dependency audit says NOT RUN when it could not ask PyPI, never "passed"; CI runs bin/test
with PostgreSQL and Redis, where the network exists and a NOT RUN fails."""

import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bin" / "audit-dependencies"
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: the connection is refused at once


def load_audit_script():
    loader = importlib.machinery.SourceFileLoader("audit_dependencies", str(SCRIPT))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def run_audit(cache: Path, **extra_env) -> subprocess.CompletedProcess:
    env = {**os.environ, "HTTPS_PROXY": UNREACHABLE, "https_proxy": UNREACHABLE, "NO_PROXY": "", "no_proxy": ""}
    # An empty HTTP cache: answers cached by an earlier audit (bin/test runs one first) must not stand in for PyPI.
    env.update({"PIP_CACHE_DIR": str(cache), "XDG_CACHE_HOME": str(cache)})
    env.pop("PIP_AUDIT_REQUIRED", None)
    env.update(extra_env)
    return subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, env=env, timeout=300)


def test_with_pypi_unreachable_the_summary_says_not_run_and_an_offline_run_goes_on(tmp_path):
    result = run_audit(tmp_path)

    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("pip-audit: NOT RUN ("), result.stdout
    assert "audited, no known vulnerabilities" not in result.stdout
    assert "not a pass" in result.stderr
    assert result.returncode == 0


def test_with_pypi_unreachable_and_the_audit_required_it_fails(tmp_path):
    result = run_audit(tmp_path, PIP_AUDIT_REQUIRED="1")

    assert result.stdout.strip().splitlines()[-1].startswith("pip-audit: NOT RUN (")
    assert result.returncode == 1


def report(*dependencies) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def test_when_pypi_answers_for_no_package_the_audit_did_not_run():
    audit = load_audit_script()
    skipped = {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited"}

    lines, outcome = audit.summarize(report(skipped, {**skipped, "name": "redis"}), "")

    assert outcome == "not run"
    assert lines == ["pip-audit: NOT RUN (PyPI's vulnerability database answered for none of the 2 installed packages)"]


def test_audited_packages_are_counted_and_the_unaudited_ones_named():
    audit = load_audit_script()
    clean = {"name": "django", "version": "5.2.19", "vulns": []}
    skipped = {"name": "in-house-build", "skip_reason": "Dependency not found on PyPI"}

    lines, outcome = audit.summarize(report(clean, {**clean, "name": "redis"}, skipped), "")

    assert outcome == "passed"
    assert lines[-1] == "pip-audit: 2 package(s) audited, no known vulnerabilities."
    assert "NOT audited: in-house-build" in lines[0]


def test_a_known_vulnerability_fails_the_audit():
    audit = load_audit_script()
    vulnerable = {
        "name": "django",
        "version": "5.2.0",
        "vulns": [{"id": "PYSEC-2026-1", "fix_versions": ["5.2.19"], "description": ""}],
    }

    lines, outcome = audit.summarize(report(vulnerable), "")

    assert outcome == "vulnerable"
    assert lines[0] == "django 5.2.0: PYSEC-2026-1 (fixed in 5.2.19)"


def test_ci_runs_bin_test_against_postgresql_and_redis_services_with_chromium_from_apt():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    (job,) = workflow["jobs"].values()

    assert {"push", "pull_request"} <= set(workflow[True] if True in workflow else workflow["on"])
    assert job["services"]["postgres"]["image"].startswith("postgres:")
    assert job["services"]["redis"]["image"].startswith("redis:")
    assert job["env"]["DATABASE_URL"].startswith("postgres://")
    assert job["env"]["REDIS_URL"].startswith("redis://")
    assert job["env"]["PRECINCT_REQUIRE_SERVICES"] == "1"
    assert job["env"]["PIP_AUDIT_REQUIRED"] == "1"
    commands = [step.get("run", "") for step in job["steps"]]
    assert any("apt-get install" in command and "chromium" in command for command in commands)
    assert any(command.strip() == "bin/test" for command in commands)


def test_dependabot_watches_pip_and_github_actions():
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text())

    assert {update["package-ecosystem"] for update in config["updates"]} == {"pip", "github-actions"}
