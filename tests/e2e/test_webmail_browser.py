"""Web mail in headless Chromium at a phone's size (390×844), with JavaScript off and on: a member writes to
another with an attachment, the recipient sees it in INBOX with an unread count, reads it, downloads the
attachment byte for byte, replies, moves it to a folder, deletes it to Trash and finds a Chinese word by
search; a hostile HTML mail shows no script and loads no remote picture; and every mail page, in all five
languages, has nothing wider than the screen. Screenshots go to test-artifacts/."""
import os
import re
import time

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import PASSWORD, Server
from test_browser import click_and_wait, fill, screenshot
from test_web_layout import LANGUAGES, LAYOUT_PROBLEMS, set_language, sign_in, size
from webclient import WebClient

DOMAIN = "starcon.local"


def browser(javascript, downloads):
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=en-US"]:
        options.add_argument(argument)
    prefs = {"intl.accept_languages": "en-US", "download.default_directory": downloads, "download.prompt_for_download": False}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    service = ChromeService(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    size(driver, "phone")
    return driver


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory):
    srv = Server(str(tmp_path_factory.mktemp("webmail-browser")), extra=["--domain", DOMAIN])
    for name, display in [("admin", "Administrator"), ("mina", "김미나"), ("jun", "Jun Park")]:
        extra = ["--role", "admin"] if name == "admin" else []
        assert srv.cli("user", "add", name, "--display-name", display, *extra, stdin=PASSWORD + "\n").returncode == 0
    srv.start()
    yield srv
    srv.stop()


def open_folder(driver, name):
    link = next(a for a in driver.find_elements(By.CSS_SELECTOR, ".mail-folders li a") if a.text.split("\n")[0].strip().startswith(name))
    click_and_wait(driver, link)


def no_layout_problems(driver, where):
    problems = driver.execute_script(LAYOUT_PROBLEMS)
    assert not problems, (where, problems)


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_mail_journey_on_a_phone(mail_server, tmp_path, javascript):
    tag = "js-on" if javascript else "js-off"
    payload = os.urandom(3000) + b"\x00\xff" * 100
    attachment = tmp_path / f"report-{tag}.bin"
    attachment.write_bytes(payload)
    downloads = str(tmp_path / "downloads")
    os.makedirs(downloads)
    driver = browser(javascript, downloads)
    try:
        sign_in(driver, mail_server.url, "mina")
        driver.get(mail_server.url + "/mail/compose")
        fill(driver, {"to": f"jun@{DOMAIN}", "subject": f"저녁 {tag}", "body": "우리 오늘 저녁에 冷面 먹어요. 我们今天吃了冷面和饺子"})
        driver.find_element(By.NAME, "attachments").send_keys(str(attachment))
        no_layout_problems(driver, "compose")
        screenshot(driver, f"webmail-{tag}-compose")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, 'button[name="action"][value="send"]'))
        assert "/mail/f/" in driver.current_url
        driver.delete_all_cookies()

        sign_in(driver, mail_server.url, "jun")
        mail_item = driver.find_element(By.CSS_SELECTOR, 'nav.nav a[href="/mail"]')
        assert mail_item.find_elements(By.CSS_SELECTOR, ".nav-count"), "no unread count on Mail"
        click_and_wait(driver, mail_item)
        inbox_link = driver.find_element(By.CSS_SELECTOR, ".mail-folders a[aria-current='page']")
        assert inbox_link.find_elements(By.CSS_SELECTOR, ".nav-count")
        row = driver.find_element(By.XPATH, f"//li[contains(@class,'mail-row')][.//span[contains(., '저녁 {tag}')]]")
        assert "is-unread" in row.get_attribute("class")
        no_layout_problems(driver, "inbox")
        screenshot(driver, f"webmail-{tag}-inbox")
        click_and_wait(driver, row.find_element(By.CSS_SELECTOR, "a.mail-link"))
        assert "冷面" in driver.find_element(By.CSS_SELECTOR, ".mail-text").text
        no_layout_problems(driver, "message")
        screenshot(driver, f"webmail-{tag}-message")
        message_url = driver.current_url
        driver.find_element(By.LINK_TEXT, attachment.name).click()
        target = os.path.join(downloads, attachment.name)
        for _ in range(100):
            if os.path.exists(target) and os.path.getsize(target) == len(payload):
                break
            time.sleep(0.1)
        with open(target, "rb") as f:
            assert f.read() == payload

        # Reply.
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".mail-replies a.button-link"))
        body = driver.find_element(By.NAME, "body")
        body.send_keys("좋아요!")
        screenshot(driver, f"webmail-{tag}-reply")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, 'button[name="action"][value="send"]'))

        # A folder, a move, delete to Trash.
        driver.get(mail_server.url + "/mail/folders")
        fill(driver, {"name": f"Family {tag}"})
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, 'form[action="/mail/folders"] button'))
        driver.get(message_url)
        Select(driver.find_element(By.ID, "target")).select_by_visible_text(f"Family {tag}")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, 'button[name="action"][value="move"]'))
        open_folder(driver, f"Family {tag}")
        row = driver.find_element(By.XPATH, f"//li[contains(@class,'mail-row')][.//span[contains(., '저녁 {tag}')]]")
        row.find_element(By.CSS_SELECTOR, "input[type=checkbox]").click()
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, 'button[name="action"][value="delete"]'))
        open_folder(driver, "Trash")
        assert driver.find_elements(By.XPATH, f"//span[contains(., '저녁 {tag}')]")

        # Search finds a Chinese word inside a sentence.
        driver.get(mail_server.url + "/mail/search")
        fill(driver, {"q": "冷面和饺子"})
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form.mail-search button"))
        assert driver.find_elements(By.XPATH, f"//span[contains(., '저녁 {tag}')]")
        no_layout_problems(driver, "search")
        screenshot(driver, f"webmail-{tag}-search")
        driver.delete_all_cookies()

        # The sender sees the reply in INBOX.
        sign_in(driver, mail_server.url, "mina")
        driver.get(mail_server.url + "/mail")
        assert driver.find_elements(By.XPATH, f"//span[contains(., 'Re: 저녁 {tag}')]")
    finally:
        driver.quit()


def test_every_mail_page_fits_in_every_language(mail_server):
    mina = WebClient(mail_server.url)
    mina.login("mina")
    token = re.search(r'name="_csrf" value="([^"]*)"', mina.get("/mail/compose").text).group(1)
    mina.session.post(mina.base + "/mail/compose", data={"_csrf": token, "action": "send", "to": f"jun@{DOMAIN}",
                      "subject": "Очень длинная тема письма, которая не должна вылезать за край экрана телефона " * 2,
                      "body": "https://example.org/" + "a" * 300}, files=[("attachments", ("длинное имя файла " * 5 + ".txt", b"x"))], timeout=30)
    jun = WebClient(mail_server.url)
    jun.login("jun")
    jun.post("/mail/folders", {"name": "Очень длинное имя папки для проверки"}, page="/mail/folders")
    inbox = jun.get("/mail").url.replace(mail_server.url, "")
    message = re.search(r'href="(/mail/f/\d+/m/\d+)"', jun.get(inbox).text).group(1)
    pages = [inbox, message, "/mail/compose", message.replace("/mail/f/", "/mail/compose?reply=").replace("/m/", "."),
             "/mail/folders", "/mail/settings", "/mail/search?q=%ED%85%8C%EC%8A%A4%ED%8A%B8"]
    driver = browser(False, "/tmp")
    found = {}
    try:
        sign_in(driver, mail_server.url, "jun")
        for language in LANGUAGES:
            set_language(driver, language)
            for path in pages:
                driver.get(mail_server.url + path)
                assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
                problems = driver.execute_script(LAYOUT_PROBLEMS)
                if problems:
                    found[f"{language} {path}"] = problems
                slug = re.sub(r"[^a-z0-9-]", "", path.strip("/").replace("/", "-").split("?")[0]) or "mail"
                screenshot(driver, f"webmail-phone-{language}-{slug}")
    finally:
        driver.quit()
    assert not found, found


HOSTILE = """From: =?utf-8?B?6rmA66+464KY?= <mina@starcon.local>
To: jun@starcon.local
Subject: Hostile {tag}
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b"

--b
Content-Type: text/html; charset=utf-8

<p id="greeting" onclick="document.title='PWNED'">Hello <b>friend</b><script>document.title='PWNED'</script></p>
<img src="http://127.0.0.1:{port}/pixel.gif" alt="tracker">
<img src=x onerror="document.title='PWNED'">
<div style="position:fixed;top:0;left:0;width:100%;height:100%;background:red">cover</div>
<a href="javascript:document.title='PWNED'">click me</a> <a href="https://example.org/safe">safe link</a>
<iframe src="http://127.0.0.1:{port}/frame"></iframe>
<link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">
<style>body {{ background: url(http://127.0.0.1:{port}/bg.png) }}</style>
<svg><script>document.title='PWNED'</script></svg>
--b--
"""


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_hostile_html_mail_runs_nothing_and_loads_nothing_remote(mail_server, tmp_path, javascript):
    import smtplib
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    hits = []

    class Tracker(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    tracker = HTTPServer(("127.0.0.1", 0), Tracker)
    threading.Thread(target=tracker.serve_forever, daemon=True).start()
    tag = "js-on" if javascript else "js-off"
    try:
        client = smtplib.SMTP("127.0.0.1", mail_server.smtp_port, timeout=20)
        client.login("mina", PASSWORD)
        raw = HOSTILE.format(tag=tag, port=tracker.server_port).replace("\n", "\r\n").encode()
        client.sendmail(f"mina@{DOMAIN}", [f"jun@{DOMAIN}"], raw)
        client.quit()
        driver = browser(javascript, str(tmp_path))
        try:
            sign_in(driver, mail_server.url, "jun")
            driver.get(mail_server.url + "/mail")
            row = driver.find_element(By.XPATH, f"//li[contains(@class,'mail-row')][.//span[contains(., 'Hostile {tag}')]]")
            click_and_wait(driver, row.find_element(By.CSS_SELECTOR, "a.mail-link"))
            box = driver.find_element(By.CSS_SELECTOR, ".mail-html")
            assert "Hello" in box.text and "friend" in box.text
            assert not box.find_elements(By.CSS_SELECTOR, "script, iframe, style, link, svg, [onclick], [onerror], [style]")
            assert not [a for a in box.find_elements(By.TAG_NAME, "a") if (a.get_attribute("href") or "").startswith("javascript")]
            assert not [i for i in box.find_elements(By.TAG_NAME, "img") if "127.0.0.1:%d" % tracker.server_port in (i.get_attribute("src") or "")]
            if javascript:
                box.find_element(By.ID, "greeting").click() if box.find_elements(By.ID, "greeting") else None
            time.sleep(1)
            assert "PWNED" not in driver.title
            # Nothing covers the page: the element at the page's top left is ours.
            assert driver.execute_script("return document.elementFromPoint(5, 5).closest('.mail-html') === null")
            no_layout_problems(driver, "hostile mail")
            screenshot(driver, f"webmail-{tag}-hostile")
        finally:
            driver.quit()
        assert hits == [], f"the page fetched {hits}"
    finally:
        tracker.shutdown()
