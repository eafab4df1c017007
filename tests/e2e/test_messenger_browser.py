"""Two members chat live in two headless Chromium windows (JavaScript on): what one sends appears on the
other's open page without a reload, typing shows, and the stream refuses a cookie from another origin."""
import os

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from websockets.exceptions import InvalidStatus, ConnectionClosed
from websockets.sync.client import connect

from conftest import PASSWORD, Server
from test_browser import ARTIFACTS, click_and_wait, fill, make_browser


def sign_in(driver, url, name):
    driver.get(url + "/login")
    fill(driver, {"username": name, "password": PASSWORD})
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_two_members_chat_live(request, data_dir, engine):
    database = request.getfixturevalue("pg_database") if engine == "postgres" else None
    srv = Server(data_dir, database=database, extra=["--nntp-port", "0"])
    for name in ["kim", "lee"]:
        assert srv.cli("user", "add", name, stdin=PASSWORD + "\n").returncode == 0
    srv.start()
    kim, lee = make_browser(), make_browser("ko-KR")
    try:
        sign_in(kim, srv.url, "kim")
        sign_in(lee, srv.url, "lee")
        kim.get(srv.url + "/messages")
        fill(kim, {"members": "lee"})
        click_and_wait(kim, kim.find_element(By.CSS_SELECTOR, ".messenger-start button[type=submit]"))
        conversation = kim.current_url.split("#")[0]
        lee.get(conversation)
        WebDriverWait(lee, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
        # Give lee's script a moment to open its stream (it is live once connected).
        WebDriverWait(lee, 10).until(lambda d: d.execute_script(
            "return performance.getEntriesByType('resource').some(function (e) { return e.name.indexOf('messenger') >= 0; })"))
        lee.implicitly_wait(0)
        import time
        time.sleep(1)
        box = kim.find_element(By.NAME, "text")
        box.send_keys("안녕, 리! https://intra.example/map")
        WebDriverWait(lee, 10).until(lambda d: "김" in d.find_element(By.ID, "typing").text or "kim" in d.find_element(By.ID, "typing").text.lower())
        kim.find_element(By.CSS_SELECTOR, "#compose button[type=submit]").click()
        WebDriverWait(lee, 10).until(lambda d: "안녕, 리!" in d.find_element(By.ID, "messages").text)
        link = lee.find_element(By.CSS_SELECTOR, "#messages li.live a[href='https://intra.example/map']")
        assert link.text == "https://intra.example/map"
        WebDriverWait(kim, 10).until(lambda d: d.find_element(By.NAME, "text").get_attribute("value") == "")
        lee.find_element(By.NAME, "text").send_keys("반가워요")
        lee.find_element(By.CSS_SELECTOR, "#compose button[type=submit]").click()
        WebDriverWait(kim, 10).until(lambda d: "반가워요" in d.find_element(By.ID, "messages").text)
        os.makedirs(ARTIFACTS, exist_ok=True)
        kim.save_screenshot(os.path.join(ARTIFACTS, f"messenger-live-{engine}.png"))
        # Stored once each: a reload shows the same two messages.
        kim.refresh()
        assert len(kim.find_elements(By.CSS_SELECTOR, "#messages li.message")) == 2
        # The session cookie opens the stream only from the server's own pages.
        cookie = kim.get_cookie("sc_session")["value"]
        ws_url = srv.url.replace("http://", "ws://") + "/api/starcon/v1/stream"
        with connect(ws_url, additional_headers={"Cookie": f"sc_session={cookie}", "Origin": srv.url}, open_timeout=10) as ws:
            assert '"ready"' in ws.recv(timeout=10)
        with connect(ws_url, additional_headers={"Cookie": f"sc_session={cookie}", "Origin": "http://evil.example"}, open_timeout=10) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=10)
            assert closed.value.rcvd.code == 1008
    finally:
        kim.quit()
        lee.quit()
        srv.stop()
