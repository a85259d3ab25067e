"""The dashboard in a real headless Chromium (Debian's, driven by Selenium through the system
chromedriver; nothing is downloaded) against a live ``protege serve`` bound to 0.0.0.0 with a
token, over a store filled by real calls: a Python call site with a callable teacher, a real
eval of a llama.cpp student (the bundled base GGUF stands in for a trained one), student
answers with their fallbacks, route changes and promotions.

The page's numbers are checked against ``protege sites --json`` and the other CLI commands;
the route and rollback buttons must record events naming who clicked; a request without the
token is refused. Screenshots go to ``PROTEGE_SCREENSHOTS`` (default: the test's tmp folder).

Run as a script (``python test_dashboard.py populate HOME``) it fills the store at HOME: the
test runs it in a subprocess so the server and the test share nothing but the database.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote

import pytest
from pydantic import BaseModel, Field
from typer.testing import CliRunner

import protege
from protege.apps.showintent.cli import app as showintent_cli
from protege.cli import app

SITE = "dashboard_demo:first_word"
SHOWINTENT = "protege.apps.showintent.callsite:parse_show_intent"
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
BIN = Path(sys.executable).parent
TOKEN = "dashboard-test-token-0123456789"
WORDS = ("alpha", "Beta", "gamma", "Delta", "echo", "Foxtrot", "golf", "Hotel", "india", "Juliet", "kilo", "Lima",
         "mike", "November", "oscar", "Papa", "quebec", "Romeo", "sierra", "Tango")


class Word(BaseModel):
    word: str = Field(max_length=24)


@protege.validator(name="lowercase")
def lowercase(out: Word) -> bool:
    return out.word == out.word.lower()


def first_word_teacher(text: str) -> Word:
    if not text.strip():
        raise ValueError("no words in an empty text")
    return Word(word=text.split()[0])


@protege.llm(teacher=first_word_teacher, name=SITE, validators=[lowercase])
def first_word(text: str) -> Word:
    """The first word of the text."""


def populate(home: Path) -> None:
    """Teacher calls (one that fails), a real eval and gate of v1, v1 promoted and routed to the
    student, student answers (served, fallen back, spot-checked), then v2 promoted by hand."""
    protege.configure(home=home)
    for i, word in enumerate(WORDS):
        first_word(f"{word} is word {i}")
    try:
        first_word("   ")
    except protege.TeacherError:
        pass
    registry = protege.Registry(protege.Store.default())
    register_base_as_version(registry)
    outcome = protege.gate_site(first_word.site)  # a real eval on the locked eval split
    if not outcome.promoted:
        registry.promote(SITE, outcome.version, reason="by hand for the dashboard test")
    registry.set_route(SITE, "student", reason="by hand for the dashboard test")
    protege.forget_state(SITE)
    for text in ("Zulu time", "yankee doodle", "Xray vision", "whiskey sour", "victor hugo"):
        first_word(text)
    protege.drain()
    v2 = register_base_as_version(registry)
    registry.promote(SITE, v2.version, reason="by hand for the dashboard test")
    # the ShowIntent site: its own eval (labelled teacher) and one live call the teacher cannot label
    for args in (["eval", "--model", "teacher"],
                 ["run", "--params", '{"message": {"text": "mute the PA now", "chat_role": "operator", "user_role": "foh"}}']):
        done = CliRunner().invoke(showintent_cli, args)
        assert done.exit_code == 0, done.output


def register_base_as_version(registry):
    staging = registry.staging_dir(SITE)
    shutil.copyfile(protege.resolve_base_model().gguf_path, staging / "student.gguf")
    return registry.register(SITE, first_word.site.fingerprint, staging, base_model="smollm2-135m", base_sha256=None,
                             gguf_file="student.gguf", dataset_hash="base", n_train=0, train_config={})


# ----- the test's side: a live server and a browser


def cli(home: Path, *args: str):
    """``protege ARGS`` on the server's store (in this process: one CLI start per test run)."""
    protege.configure(home=home)
    done = CliRunner().invoke(app, list(args))
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


def site_row(home: Path, name: str) -> dict:
    [row] = [r for r in cli(home, "sites", "--json") if r["site"] == name]
    return row


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium and chromium-driver must be installed (.ci/run installs them)")
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
    pytest.importorskip("selenium")
    home = tmp_path_factory.mktemp("dashboard") / ".protege"
    env = {**os.environ, "PROTEGE_HOME": str(home), "PROTEGE_SERVE_TOKEN": TOKEN}
    subprocess.run([sys.executable, __file__, "populate", str(home)], check=True, env=env, cwd=home.parent, timeout=300)
    port = free_port()
    with open(home.parent / "serve.log", "w") as log:
        proc = subprocess.Popen([str(BIN / "protege"), "serve", "--host", "0.0.0.0", "--port", str(port)],
                                env=env, cwd=home.parent, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        try:
            while True:
                try:
                    urllib.request.urlopen(base + "/dashboard", timeout=2)
                except urllib.error.HTTPError:
                    break  # it answers (401 without the token)
                except OSError:
                    assert proc.poll() is None, (home.parent / "serve.log").read_text()
                    assert time.monotonic() < deadline, "protege serve did not start"
                    time.sleep(0.3)
            yield base, home
        finally:
            proc.terminate()
            proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser(server):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never fetch a browser or a driver
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1600"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("PROTEGE_SCREENSHOTS") or tmp_path_factory.mktemp("screens"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(driver, path: Path) -> None:
    driver.set_window_size(1280, driver.execute_script("return document.body.scrollHeight") + 40)
    driver.save_screenshot(str(path))


def click_and_wait(driver, element) -> None:
    """Click a link or button that loads a new page, and wait until it has."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.wait import WebDriverWait

    # Mark the old document instead of holding one of its nodes: while a page
    # is being replaced, Chrome can answer a query about an old node with an
    # inspector error that is neither "stale" nor "present", and that flaked CI.
    driver.execute_script("window.protegeOldPage = true")
    element.click()
    WebDriverWait(driver, 20, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script("return !window.protegeOldPage && document.readyState === 'complete'"))


def values(root, selector: str = "[data-key]") -> dict:
    from selenium.webdriver.common.by import By

    return {el.get_attribute("data-key"): json.loads(el.get_attribute("data-value"))
            for el in root.find_elements(By.CSS_SELECTOR, selector) if el.get_attribute("data-value") is not None}


def test_a_request_without_the_token_is_refused_and_changes_nothing(server, browser):
    base, home = server
    before = cli(home, "events", SITE, "--json")
    for method, path in (("GET", "/dashboard"), ("GET", "/dashboard/api/sites"), ("GET", f"/dashboard/site/{SITE}"),
                         ("GET", "/dashboard/static/dashboard.css"), ("GET", f"/dashboard/site/{SITE}/report"),
                         ("GET", f"/login?token={TOKEN[:-1]}"), ("POST", f"/dashboard/site/{SITE}/route")):
        request = urllib.request.Request(base + path, method=method, data=b"route=teacher" if method == "POST" else None)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 401, path
    # with the token, a bad request gets a clear 4xx and changes nothing either
    for path, form, code in ((f"/dashboard/site/{SITE}/route", b"route=fast", 400),
                             (f"/dashboard/site/{SITE}/rollback", b"to=latest", 400),
                             (f"/dashboard/site/{SITE}/rollback", b"to=9", 409),
                             ("/dashboard/site/nowhere:nothing/route", b"route=teacher", 404),
                             # the report route names files in the site's reports folders and nowhere else
                             (f"/dashboard/site/{SITE}/report?file=../serve-token", None, 400),
                             (f"/dashboard/site/{SITE}/report?file=/etc/hostname.html", None, 400),
                             (f"/dashboard/site/{SITE}/report?file=dashboard_demo_first_word/../../x.html", None, 400),
                             ("/dashboard/site/x.%2Ftmp/report?file=%2Ftmp/x.html", None, 404),
                             ("/dashboard/site/../report?file=../x.html", None, 404)):
        request = urllib.request.Request(base + path, method="POST" if form else "GET", data=form,
                                         headers={"Authorization": f"Bearer {TOKEN}"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == code, path
        assert json.loads(refused.value.read())["detail"]
    browser.get(base + "/dashboard")  # a browser that never logged in
    assert "token is required" in browser.page_source and SITE not in browser.page_source
    assert cli(home, "events", SITE, "--json") == before
    assert site_row(home, SITE)["route"] == "student"


def test_the_pages_show_the_numbers_of_the_cli(server, browser, shots):
    from selenium.webdriver.common.by import By

    base, home = server
    browser.get(f"{base}/login?token={TOKEN}")  # sets the cookie, lands on the dashboard
    rows = cli(home, "sites", "--json")
    assert sorted(r["site"] for r in rows) == sorted([SITE, SHOWINTENT])
    for row in rows:
        [tr] = browser.find_elements(By.CSS_SELECTOR, f'tr[data-site="{row["site"]}"]')
        shown = values(tr)
        assert shown == {k: row[k] for k in shown} and len(shown) == 8
        for key in ("route", "calls", "teacher_calls", "student_calls", "examples", "served_by_student"):
            assert tr.find_element(By.CSS_SELECTOR, f'[data-key="{key}"]').text == str(row[key])  # as a person reads it
    screenshot(browser, shots / "dashboard-sites.png")
    request = urllib.request.Request(base + "/dashboard/api/sites", headers={"Authorization": f"Bearer {TOKEN}"})
    api = json.loads(urllib.request.urlopen(request, timeout=10).read())
    assert [{k: v for k, v in r.items() if k not in ("active", "candidate")} for r in api] == rows
    row = site_row(home, SITE)
    assert row["student_calls"] >= 5 and row["served_by_student"] >= 1
    [tr] = browser.find_elements(By.CSS_SELECTOR, f'tr[data-site="{SITE}"]')

    click_and_wait(browser, tr.find_element(By.LINK_TEXT, SITE))
    assert browser.find_element(By.CSS_SELECTOR, "h1").text == SITE
    page = values(browser.find_element(By.CSS_SELECTOR, "section.cards"))
    for key in ("route", "calls", "teacher_calls", "student_calls", "examples", "served_by_student", "saved_usd",
                "saved_seconds"):
        assert page[key] == row[key], key
    assert page["active"] == "v2" and page["candidate"] == "v2"

    # live numbers, recomputed here from `protege calls` (every call of the site)
    calls = cli(home, "calls", SITE, "--json", "--limit", "1000")
    assert len(calls) == row["calls"]
    student = [c for c in calls if c["role"] == "student"]
    assert page["fallbacks"] == sum(1 for c in student if c["fallback"]) >= 1
    for role in ("teacher", "student"):
        mine = [c for c in calls if c["role"] == role]
        ok = sorted(c["latency_ms"] for c in mine if c["error"] is None and c["latency_ms"] is not None)
        live = values(browser.find_element(By.CSS_SELECTOR, f'tr[data-role="{role}"]'))
        assert live["calls"] == len(mine)
        assert live["answered"] == sum(1 for c in mine if c["raw_output"] is not None)
        assert live["latency_mean_ms"] == round(sum(ok) / len(ok), 1)
        assert live["latency_p95_ms"] == round(protege.percentile_nearest_rank(ok, 95), 1)
        parsed = [c for c in mine if c["parsed_output"] is not None]
        assert live["schema_valid_rate"] == round(len(parsed) / live["answered"], 4)
    failures = browser.find_elements(By.CSS_SELECTOR, "table.failures tr[data-call]")
    newest = [c for c in calls if c["error"]][:5]
    assert [int(f.get_attribute("data-call")) for f in failures] == [c["id"] for c in newest]
    assert "no words in an empty text" in browser.find_element(By.CSS_SELECTOR, "table.failures").text

    # the last eval: v1's report, as `protege models show` has it, and its HTML
    evaluated = cli(home, "models", "show", SITE, "--version", "1", "--json")["eval"]
    shown_eval = values(browser.find_element(By.CSS_SELECTOR, "div.eval"))
    assert shown_eval["eval_schema_valid_rate"] == evaluated["schema_valid_rate"]
    assert shown_eval["eval_exact_match_rate"] == evaluated["exact_match_rate"]
    kinds = [e.get_attribute("data-kind") for e in browser.find_elements(By.CSS_SELECTOR, "tr[data-event]")]
    assert kinds == [e["kind"] for e in cli(home, "events", SITE, "--json", "--limit", "100")]
    assert {"train", "gate", "promote", "route"} <= set(kinds)
    assert len(browser.find_elements(By.CSS_SELECTOR, "figure svg")) >= 5
    screenshot(browser, shots / "dashboard-site.png")
    click_and_wait(browser, browser.find_element(By.ID, "report-link"))
    assert SITE in browser.title and "v1" in browser.title
    screenshot(browser, shots / "dashboard-eval-report.png")


def test_the_buttons_change_route_and_version_and_record_who(server, browser, shots):
    from selenium.webdriver.common.by import By

    base, home = server
    browser.get(f"{base}/login?token={TOKEN}")
    browser.get(f"{base}/dashboard/site/{SITE}")
    click_and_wait(browser, browser.find_element(By.ID, "route-shadow"))
    assert values(browser.find_element(By.CSS_SELECTOR, "section.cards"))["route"] == "shadow"
    assert site_row(home, SITE)["route"] == "shadow"
    event = cli(home, "events", SITE, "--json", "--limit", "1")[0]
    assert (event["kind"], event["from_value"], event["to_value"]) == ("route", "student", "shadow")
    assert "dashboard" in event["reason"] and "(cookie)" in event["numbers"]["who"]

    click_and_wait(browser, browser.find_element(By.ID, "rollback"))
    assert values(browser.find_element(By.CSS_SELECTOR, "section.cards"))["active"] == "v1"
    event = cli(home, "events", SITE, "--json", "--limit", "1")[0]
    assert (event["kind"], event["from_value"], event["to_value"]) == ("rollback", "v2", "v1")
    assert "(cookie)" in event["numbers"]["who"] and event["numbers"]["who"] in event["reason"]
    assert cli(home, "models", "list", SITE, "--json")[0]["aliases"] == "active"
    screenshot(browser, shots / "dashboard-after-actions.png")


def test_the_showintent_page_shows_its_own_eval_metrics(server, browser, shots):
    from selenium.webdriver.common.by import By

    base, home = server
    browser.get(f"{base}/login?token={TOKEN}")
    browser.get(f"{base}/dashboard/site/{SHOWINTENT}")
    report = json.loads((home / "reports" / "showintent" / "eval-latest.json").read_text())
    shown = values(browser.find_element(By.CSS_SELECTOR, "div.app-report"))
    assert shown["app_unsafe_block_rate"] == report["metrics"]["unsafe_block_rate"]
    assert {k.removeprefix("app_"): v for k, v in shown.items()} == {
        k: v for k, v in report["metrics"].items() if v is None or isinstance(v, (int, float))}
    assert "no label for this operator message" in browser.find_element(By.CSS_SELECTOR, "table.failures").text
    row = site_row(home, SHOWINTENT)
    assert values(browser.find_element(By.CSS_SELECTOR, "section.cards"))["calls"] == row["calls"]
    screenshot(browser, shots / "dashboard-showintent.png")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "a.app-report-link"))
    [page] = sorted((home / "reports" / "showintent").glob("eval-*.html"))[-1:]
    assert unquote(browser.current_url).endswith(f"file=showintent/{page.name}")
    assert browser.title and browser.title in page.read_text()  # the report itself, not an error


if __name__ == "__main__" and sys.argv[1:2] == ["populate"]:
    populate(Path(sys.argv[2]))
