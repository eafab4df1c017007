"""The installable web app and revisits over a slow link: the manifest and the service worker, pages read
from the cache while the server cannot be reached, posts and messages written meanwhile sent once when it
returns (their idempotency keys), and pages, assets and the worker answered with 304 on a revisit."""
import re
import time

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import PASSWORD
from test_data_saver import browser, members, sign_in
from test_browser import screenshot
from test_web_layout import LAYOUT_PROBLEMS
from webclient import WebClient

LANGUAGES = ["en-US", "ko-KR", "ru-RU", "zh-CN", "ja-JP"]


def test_manifest_and_service_worker_are_served(server):
    manifest = requests.get(server.url + "/manifest.webmanifest", timeout=10)
    assert manifest.status_code == 200
    assert manifest.headers["Content-Type"] == "application/manifest+json"
    body = manifest.json()
    assert body["start_url"] == "/" and body["scope"] == "/" and body["display"] == "standalone"
    icon = body["icons"][0]
    assert icon["type"] == "image/svg+xml" and re.fullmatch(r"/static/icon\.[0-9a-f]+\.svg", icon["src"])
    assert requests.get(server.url + icon["src"], timeout=10).status_code == 200

    worker = requests.get(server.url + "/sw.js", timeout=10)
    assert worker.status_code == 200
    assert worker.headers["Content-Type"].startswith("text/javascript")
    assert worker.headers["Cache-Control"] == "no-cache"
    assert re.search(r'"/static/app\.[0-9a-f]+\.css"', worker.text), "the shell names the hashed assets"
    assert "{{" not in worker.text
    again = requests.get(server.url + "/sw.js", headers={"If-None-Match": worker.headers["ETag"]}, timeout=10)
    assert again.status_code == 304 and again.content == b""

    login = requests.get(server.url + "/login", timeout=10)
    csp = login.headers["Content-Security-Policy"]
    assert "manifest-src 'self'" in csp and "worker-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert '<link rel="manifest" href="/manifest.webmanifest">' in login.text


def test_revisits_are_answered_with_304(server):
    login = requests.get(server.url + "/login", timeout=10)
    assert login.headers["Cache-Control"] == "private, no-cache"
    tag = login.headers["ETag"]
    cookies = login.cookies
    again = requests.get(server.url + "/login", headers={"If-None-Match": tag}, cookies=cookies, timeout=10)
    assert again.status_code == 304 and again.content == b""

    people = members(server, "ana")
    ana = people["ana"]
    first = ana.get("/")
    assert first.headers["Cache-Control"] == "private, no-cache"
    revisit = ana.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert revisit.status_code == 304, "the composer's per-render key does not change the page's tag"
    changed = ana.get("/", headers={"If-None-Match": 'W/"0000"'})
    assert changed.status_code == 200

    css = re.search(r'href="(/static/app\.[0-9a-f]+\.css)"', first.text).group(1)
    asset = ana.get(css)
    assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert ana.get(css, headers={"If-None-Match": asset.headers["ETag"]}).status_code == 304


def test_a_retried_post_with_its_key_is_one_post(server):
    ana = members(server, "ana")["ana"]
    for _ in range(2):
        response = ana.post("/statuses", {"text": "only once", "visibility": "public", "idempotency_key": "same-key-1",
                                          "return_to": "/"}, page="/")
        assert response.status_code == 200
    assert ana.get("/@ana").text.count("only once") == 1
    assert ana.post("/statuses", {"text": "too long a key", "idempotency_key": "k" * 300}, page="/").status_code == 422
    assert "too long a key" not in ana.get("/@ana").text


def wait_for_worker(driver, url):
    driver.get(url)
    WebDriverWait(driver, 20).until(lambda d: d.execute_script(
        "return !!(navigator.serviceWorker && navigator.serviceWorker.controller)") or (d.refresh() and False))


def test_offline_reading_and_queued_posts_sent_once(server):
    people = members(server, "ana", "bo")
    ana = people["ana"]
    start = ana.post("/messages", {"members": "bo"}, page="/messages")
    conversation = re.search(r"/messages/(\d+)", start.url).group(1)
    ana.post("/statuses", {"text": "before the link dropped", "visibility": "public", "return_to": "/"}, page="/")

    driver = browser()
    try:
        sign_in(driver, server.url, "ana")
        wait_for_worker(driver, server.url + "/")
        driver.get(server.url + "/")
        driver.get(server.url + f"/messages/{conversation}")
        driver.get(server.url + "/")

        # The server goes away (the link drops): the kept pages still read, an unkept one is the offline page.
        server.stop()
        driver.get(server.url + f"/messages/{conversation}")
        assert driver.find_elements(By.ID, "messages")
        driver.get(server.url + "/")
        assert "before the link dropped" in driver.page_source
        driver.get(server.url + "/search")
        assert driver.find_elements(By.CSS_SELECTOR, ".offline-page")
        driver.get(server.url + "/")

        # A post written now is kept (the worker answers the form), shown as waiting.
        driver.find_element(By.NAME, "text").send_keys("written offline")
        driver.find_element(By.CSS_SELECTOR, "form.composer button[type=submit]").click()
        WebDriverWait(driver, 15).until(lambda d: d.execute_script(
            "var o = document.getElementById('outbox'); return o && !o.hidden && o.getAttribute('data-waiting') === '1'"))
        assert "written offline" in driver.find_element(By.ID, "outbox").text

        # With the browser itself offline too, a second post is kept by the page.
        driver.set_network_conditions(offline=True, latency=0, download_throughput=0, upload_throughput=0)
        driver.find_element(By.NAME, "text").send_keys("also offline")
        driver.find_element(By.CSS_SELECTOR, "form.composer button[type=submit]").click()
        WebDriverWait(driver, 15).until(lambda d: d.execute_script(
            "var o = document.getElementById('outbox'); return o && o.getAttribute('data-waiting') === '2'"))
        screenshot(driver, "offline-outbox-en-US")

        # The link returns: both are sent, in order, each once (a retry sends the same key).
        server.start()
        driver.set_network_conditions(offline=False, latency=0, download_throughput=-1, upload_throughput=-1)
        driver.execute_script("window.dispatchEvent(new Event('online'))")
        WebDriverWait(driver, 40).until(lambda d: d.execute_script(
            "var o = document.getElementById('outbox'); return !o || o.hidden"))
        time.sleep(1)
        profile = WebClient(server.url)
        profile.login("bo")
        text = profile.get("/@ana").text
        assert text.count("written offline") == 1 and text.count("also offline") == 1
        # Sending the outbox again (a lost answer) changes nothing.
        driver.execute_script("return window.StarconOutbox.flush()")
        assert profile.get("/@ana").text.count("written offline") == 1
    finally:
        driver.quit()


def test_offline_screens_in_five_languages(server):
    members(server, "ana")
    for language in LANGUAGES:
        driver = browser(language)
        try:
            sign_in(driver, server.url, "ana")
            driver.get(server.url + "/offline")
            assert driver.find_elements(By.CSS_SELECTOR, ".offline-page")
            # The outbox as it looks with one post waiting (put in the store as the page would).
            driver.get(server.url + "/")
            driver.execute_script("""
                var form = document.querySelector('form.composer');
                form.querySelector('textarea').value = 'Waiting for the link to return';
                return window.StarconOutbox.queue(form);""")
            WebDriverWait(driver, 10).until(lambda d: d.execute_script(
                "var o = document.getElementById('outbox'); return o && !o.hidden"))
            assert driver.execute_script(LAYOUT_PROBLEMS) == []
            screenshot(driver, f"offline-outbox-{language}")
            driver.get(server.url + "/offline")
            screenshot(driver, f"offline-page-{language}")
        finally:
            driver.quit()
