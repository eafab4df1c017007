"""The data saver and the first screen, as a browser without JavaScript sees them (plain HTTP) and in real
headless Chromium with JavaScript on and off: placeholders with the photo's colour and size, a link to a page
showing the photo, tapping to load in place, and no photo fetched below the first screen without a script."""
import json
import re
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import PASSWORD
from test_browser import click_and_wait, fill, screenshot
from test_web_layout import LAYOUT_PROBLEMS
from webclient import WebClient

import os

FIXTURES = Path(__file__).resolve().parents[2] / "Tests" / "StarconMediaTests" / "Fixtures"
PHOTO = FIXTURES / "large.jpg"
# Six different pictures, so six posts make six photo URLs (the same bytes are one file).
PHOTOS = [FIXTURES / name for name in ["large.jpg", "oriented.jpg", "large-oriented.jpg", "photo.webp", "alpha.png", "anim.gif"]]
LANGUAGES = ["en-US", "ko-KR", "ru-RU", "zh-CN", "ja-JP"]
MEDIA_IMG = re.compile(r'<img src="/media/[0-9a-f]{64}-small')


def browser(language="en-US", javascript=True, width=390, height=844):
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={width},{height}", f"--lang={language}"]:
        options.add_argument(argument)
    prefs = {"intl.accept_languages": language}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    service = ChromeService(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    # A phone, as tests/e2e/test_web_layout.py measures it.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    return driver


def requested(driver, part):
    """URLs containing `part` that the page asked the network for since the last call (performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if part in url:
                urls.append(url)
    return urls


def sign_in(driver, url, username):
    driver.get(url + "/login")
    fill(driver, {"username": username, "password": PASSWORD})
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, 'form[action="/login"] button[type="submit"]'))


def post_photo(client, text, n=0):
    page = client.get("/")
    fields = {"_csrf": re.search(r'name="_csrf" value="([^"]*)"', page.text).group(1), "text": text, "visibility": "public",
              "return_to": "/"}
    path = PHOTOS[n % len(PHOTOS)]
    with open(path, "rb") as photo:
        response = client.session.post(client.base + "/statuses", data=fields,
                                       files={"photo1": (path.name, photo, "application/octet-stream")}, timeout=60)
    assert response.status_code == 200, response.text[:300]


def members(server, *names):
    clients = {}
    for index, name in enumerate(names):
        role = ["--role", "admin"] if index == 0 else []
        assert server.cli("user", "add", name, *role, stdin=PASSWORD + "\n").returncode == 0
        client = WebClient(server.url)
        client.login(name)
        clients[name] = client
    return clients


def save_choice(client, value, path="/settings/photos", page="/settings"):
    response = client.post(path, {"photos": value}, page=page)
    assert response.status_code == 200, response.text[:300]


def test_choices_and_hints_decide_placeholders_without_javascript(server):
    people = members(server, "ana", "bo")
    ana, bo = people["ana"], people["bo"]
    for n in range(5):
        post_photo(ana, f"photo post {n}", n)

    # Always (the default): the first three posts' photos come with the page, the rest wait behind a link.
    home = ana.get("/").text
    assert len(MEDIA_IMG.findall(home)) == 3
    waiting = re.findall(r'<a href="([^"]+)" class="photo photo-wait"[^>]*data-load="near"', home)
    assert len(waiting) == 2 and all("?photos=show#status-" in href for href in waiting)
    assert re.search(r'<rect width="100%" height="100%" fill="#[0-9a-f]{6}"/>', home), "the average colour, as an SVG attribute"
    assert re.search(r'Photo · \d+ KB', home)

    # On tap: every photo waits; its link is the post's page with the photos shown.
    save_choice(ana, "on_tap")
    home = ana.get("/").text
    assert not MEDIA_IMG.search(home)
    assert home.count('data-load="tap"') == 5
    shown = ana.get(re.findall(r'<a href="([^"]+)" class="photo photo-wait"', home)[0].split("#")[0]).text
    assert MEDIA_IMG.search(shown) and "photo-wait" not in shown

    # Slow links: Save-Data: on makes it on-tap; without it the first screen's photos show to a no-script browser.
    save_choice(ana, "slow_links")
    saving = ana.get("/", headers={"Save-Data": "on"}).text
    assert saving.count('data-load="tap"') == 5 and "<noscript>" not in saving
    normal = ana.get("/").text
    assert normal.count('data-slow="tap"') == 5
    assert normal.count("<noscript><img") == 3

    # Bad input changes nothing.
    assert ana.post("/settings/photos", {"photos": "sometimes"}, page="/settings").status_code == 400
    assert ana.get("/").text.count('data-slow="tap"') == 5

    # The instance's default: only an admin sets it; a member who chose nothing follows it.
    assert bo.post("/admin/photos", {"photos": "on_tap"}, page="/settings").status_code in (403, 404)
    save_choice(ana, "on_tap", path="/admin/photos", page="/admin")
    assert 'value="on_tap" checked' in ana.get("/admin").text
    follows = bo.get("/network").text
    assert follows.count('data-load="tap"') == 5
    save_choice(bo, "always")
    assert len(MEDIA_IMG.findall(bo.get("/network").text)) == 3
    save_choice(bo, "")
    assert bo.get("/network").text.count('data-load="tap"') == 5


def test_tap_loads_in_place_with_javascript_and_nothing_below_the_fold_without(server):
    people = members(server, "ana", "bo")
    for n in range(6):
        post_photo(people["ana"], f"photo post {n}", n)
    save_choice(people["bo"], "on_tap")

    # JavaScript on, on tap: nothing fetched until a tap, which swaps the photo in place.
    driver = browser()
    try:
        sign_in(driver, server.url, "bo")
        driver.get(server.url + "/network")
        placeholders = driver.find_elements(By.CSS_SELECTOR, "a.photo-wait")
        assert len(placeholders) == 6
        assert not requested(driver, "-small."), "no photo before a tap"
        screenshot(driver, "datasaver-on-tap-js")
        url = driver.current_url
        placeholders[0].click()
        WebDriverWait(driver, 10).until(lambda d: d.execute_script(
            "var i = document.querySelector('.status-media img'); return i && i.complete && i.naturalWidth > 0"))
        assert driver.current_url == url, "loaded in place"
        assert len(requested(driver, "-small.")) == 1
    finally:
        driver.quit()

    # JavaScript off, always: the first three posts' photos only; the rest are links.
    save_choice(people["bo"], "always")
    driver = browser(javascript=False)
    try:
        sign_in(driver, server.url, "bo")
        requested(driver, "-small.")
        driver.get(server.url + "/network")
        fetched = requested(driver, "-small.")
        assert len(fetched) == 3, fetched
        links = driver.find_elements(By.CSS_SELECTOR, "a.photo-wait")
        assert len(links) == 3
        click_and_wait(driver, links[0])
        assert "photos=show" in driver.current_url
        assert driver.find_elements(By.CSS_SELECTOR, ".status-media img")
    finally:
        driver.quit()

    # JavaScript on, always: the photos below the first screen load when scrolled near.
    driver = browser()
    try:
        sign_in(driver, server.url, "bo")
        driver.get(server.url + "/network")
        WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "a.photo-wait[data-watched]"))
        driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
        WebDriverWait(driver, 10).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "a.photo-wait"))
        assert len(driver.find_elements(By.CSS_SELECTOR, ".status-media img")) == 6
    finally:
        driver.quit()


def test_messenger_pictures_wait_for_a_tap(server):
    people = members(server, "ana", "bo")
    ana = people["ana"]
    response = ana.post("/messages", {"members": "bo"}, page="/messages")
    conversation = re.search(r"/messages/(\d+)", response.url).group(1)
    page = ana.get(f"/messages/{conversation}").text
    fields = {"_csrf": re.search(r'name="_csrf" value="([^"]*)"', page).group(1),
              "client_key": "k1", "text": "a picture"}
    with open(PHOTO, "rb") as photo:
        sent = ana.session.post(f"{server.url}/messages/{conversation}/send", data=fields,
                                files={"photo1": ("large.jpg", photo, "image/jpeg")}, timeout=60)
    assert sent.status_code == 200
    save_choice(people["bo"], "on_tap")
    seen = people["bo"].get(f"/messages/{conversation}").text
    assert 'class="photo photo-wait"' in seen and not MEDIA_IMG.search(seen)
    reveal = re.search(r'<a href="([^"]+)" class="photo photo-wait"', seen).group(1).replace("&amp;", "&")
    assert f"/messages/{conversation}?photos=show#m" in reveal
    assert MEDIA_IMG.search(people["bo"].get(reveal.split("#")[0]).text)


def test_data_saver_screens_in_five_languages(server):
    people = members(server, "ana", "bo")
    for n in range(2):
        post_photo(people["ana"], f"photo post {n}", n)
    save_choice(people["bo"], "on_tap")
    for language in LANGUAGES:
        driver = browser(language)
        try:
            sign_in(driver, server.url, "bo")
            driver.get(server.url + "/settings#data-saver")
            assert driver.execute_script(LAYOUT_PROBLEMS) == []
            driver.execute_script("document.getElementById('data-saver').scrollIntoView()")
            screenshot(driver, f"datasaver-settings-{language}")
            driver.get(server.url + "/network")
            assert driver.execute_script(LAYOUT_PROBLEMS) == []
            screenshot(driver, f"datasaver-feed-{language}")
        finally:
            driver.quit()
