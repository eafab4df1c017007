"""Two members chat live in two headless Chromium windows (JavaScript on): what one sends appears on the
other's open page without a reload (text, a picture, a reply quoting what it answers, an edit in place),
typing shows, and the stream refuses a cookie from another origin."""
import os

import requests
from PIL import Image, ImageDraw

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from websockets.exceptions import InvalidStatus, ConnectionClosed
from websockets.sync.client import connect

from conftest import PASSWORD, Server
from test_browser import ARTIFACTS, click_and_wait, click_css_and_wait, fill, make_browser

WAIT = 30  # seconds: a busy machine may be slow, and every wait ends as soon as its condition holds


def wait_live(driver):
    """Waits until the page's script has its stream open (it marks the list once `ready` arrives)."""
    WebDriverWait(driver, WAIT).until(lambda d: d.find_element(By.ID, "messages").get_attribute("data-connected") == "1")


def picture(path):
    image = Image.new("RGB", (320, 200), (200, 40, 40))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 280, 160), fill=(250, 220, 60))
    draw.ellipse((120, 60, 200, 140), fill=(30, 90, 160))
    image.save(path, "PNG")
    return str(path)


def message_with(driver, text):
    """The id of the message on the page whose text contains `text`."""
    for item in driver.find_elements(By.CSS_SELECTOR, "#messages li.message"):
        # textContent: a message scrolled out of the list's box is not "displayed" to selenium.
        if text in item.find_element(By.CSS_SELECTOR, ".message-text").get_attribute("textContent"):
            return item.get_attribute("data-id")
    return None


def sign_in(driver, url, name):
    driver.get(url + "/login")
    fill(driver, {"username": name, "password": PASSWORD})
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_two_members_chat_live(request, data_dir, engine, tmp_path):
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
        click_and_wait(kim, kim.find_element(By.ID, "new-conversation"))
        kim.find_element(By.ID, "start-members").send_keys("lee")
        click_and_wait(kim, kim.find_element(By.CSS_SELECTOR, ".messenger-start button[type=submit]"))
        conversation = kim.current_url.split("#")[0]
        lee.get(conversation)
        wait_live(lee)
        wait_live(kim)
        box = kim.find_element(By.NAME, "text")
        box.send_keys("안녕, 리! https://intra.example/map")
        WebDriverWait(lee, WAIT).until(lambda d: "김" in d.find_element(By.ID, "typing").text or "kim" in d.find_element(By.ID, "typing").text.lower())
        kim.find_element(By.CSS_SELECTOR, "#compose button[type=submit]").click()
        WebDriverWait(lee, WAIT).until(lambda d: "안녕, 리!" in d.find_element(By.ID, "messages").text)
        link = lee.find_element(By.CSS_SELECTOR, "#messages li.live a[href='https://intra.example/map']")
        assert link.text == "https://intra.example/map"
        WebDriverWait(kim, WAIT).until(lambda d: d.find_element(By.NAME, "text").get_attribute("value") == "")
        lee.find_element(By.NAME, "text").send_keys("반가워요")
        lee.find_element(By.CSS_SELECTOR, "#compose button[type=submit]").click()
        WebDriverWait(kim, WAIT).until(lambda d: "반가워요" in d.find_element(By.ID, "messages").text)
        os.makedirs(ARTIFACTS, exist_ok=True)
        kim.save_screenshot(os.path.join(ARTIFACTS, f"messenger-live-{engine}.png"))
        # Stored once each: a reload shows the same two messages.
        kim.refresh()
        WebDriverWait(kim, WAIT).until(lambda d: d.execute_script("return document.readyState") == "complete")
        assert len(kim.find_elements(By.CSS_SELECTOR, "#messages li.message")) == 2
        # From here on lee's page must never reload: everything arrives over the stream.
        lee.execute_script("window.__sameLoad = true;")

        # Kim sends a picture with the page's own multipart form; lee sees it at once, and it loads.
        wait_live(kim)
        kim.find_element(By.CSS_SELECTOR, ".composer-photos summary").click()
        kim.find_element(By.ID, "photo1").send_keys(picture(tmp_path / "roof.png"))
        fill(kim, {"alt1": "빨간 지붕", "text": "우리 집 지붕 사진"})
        click_css_and_wait(kim, "#compose button[type=submit]")
        img_css = "#messages li.live .message-pictures img"
        WebDriverWait(lee, WAIT).until(lambda d: d.find_elements(By.CSS_SELECTOR, img_css))
        image = lee.find_element(By.CSS_SELECTOR, img_css)
        assert image.get_attribute("alt") == "빨간 지붕"
        WebDriverWait(lee, WAIT).until(lambda d: d.execute_script(
            "var i = arguments[0]; return i.complete && i.naturalWidth > 0;", image))
        source = image.get_attribute("src")
        assert requests.get(source, timeout=30).status_code == 200
        assert requests.get(image.find_element(By.XPATH, "..").get_attribute("href"), timeout=30).status_code == 200
        picture_id = message_with(lee, "우리 집 지붕 사진")
        assert picture_id

        # Lee replies to the picture: the Reply link quotes it above the composer without a reload.
        lee.find_element(By.CSS_SELECTOR, f"#m{picture_id} .message-reply-link").click()
        WebDriverWait(lee, WAIT).until(lambda d: d.find_element(By.ID, "reply-preview").is_displayed())
        assert "우리 집 지붕 사진" in lee.find_element(By.ID, "reply-quote").text
        assert lee.find_element(By.ID, "reply-to-id").get_attribute("value") == picture_id
        lee.find_element(By.NAME, "text").send_keys("지붕 색이 예뻐요")
        lee.find_element(By.CSS_SELECTOR, "#compose button[type=submit]").click()
        WebDriverWait(lee, WAIT).until(lambda d: not d.find_element(By.ID, "reply-preview").is_displayed())
        # Kim sees the reply arrive with the quote of what it answers.
        WebDriverWait(kim, WAIT).until(lambda d: d.find_elements(By.CSS_SELECTOR, f"#messages li.live .message-reply[data-reply-to='{picture_id}']"))
        quote = kim.find_element(By.CSS_SELECTOR, f"#messages li.live .message-reply[data-reply-to='{picture_id}']")
        assert "우리 집 지붕 사진" in quote.text and "kim" in quote.text
        reply_id = message_with(kim, "지붕 색이 예뻐요")

        # Kim edits her first message on its edit page; lee's open page updates it in place.
        first_id = message_with(kim, "안녕, 리!")
        # The list opens at its newest message; a member scrolls up to the first one.
        kim.execute_script("arguments[0].scrollIntoView({block: 'nearest'})", kim.find_element(By.ID, f"m{first_id}"))
        click_css_and_wait(kim, f"#m{first_id} .message-edit-link")
        assert kim.current_url.endswith(f"/m/{first_id}/edit")
        kim.save_screenshot(os.path.join(ARTIFACTS, f"messenger-edit-{engine}.png"))
        fill(kim, {"text": "안녕, 리! 지도는 https://intra.example/map2"})
        click_css_and_wait(kim, "#edit-message button[type=submit]")
        assert kim.current_url.split("#")[0] == conversation
        WebDriverWait(lee, WAIT).until(lambda d: "map2" in d.find_element(By.CSS_SELECTOR, f"#m{first_id} .message-text").get_attribute("textContent"))
        assert lee.find_element(By.CSS_SELECTOR, f"#m{first_id} .message-text a").get_attribute("href") == "https://intra.example/map2"
        assert lee.find_element(By.CSS_SELECTOR, f"#m{first_id} .message-edited").get_attribute("textContent") == "수정됨"
        assert lee.execute_script("return window.__sameLoad === true;"), "lee's page was never reloaded"
        # Kim's reloaded page shows the same from the server: the reply's quote and the edited mark.
        assert kim.find_element(By.CSS_SELECTOR, f"#m{reply_id} .message-reply .reply-excerpt").text == "우리 집 지붕 사진"
        assert kim.find_element(By.CSS_SELECTOR, f"#m{first_id} .message-edited").text == "edited"
        # Kim starts a reply to lee's reply (the composer quotes it), for the screenshots; then cancels it.
        kim.find_element(By.CSS_SELECTOR, f"#m{reply_id} .message-reply-link").click()
        WebDriverWait(kim, WAIT).until(lambda d: d.find_element(By.ID, "reply-preview").is_displayed())
        assert "lee" in kim.find_element(By.ID, "reply-label").text
        for driver, who in [(kim, "kim"), (lee, "lee")]:
            driver.execute_script("document.getElementById('compose').scrollIntoView({block: 'end'});")
            driver.save_screenshot(os.path.join(ARTIFACTS, f"messenger-reply-edit-{who}-{engine}.png"))
            driver.set_window_size(390, 844)
            WebDriverWait(driver, WAIT).until(lambda d: d.execute_script("return window.innerWidth") <= 390)
            assert driver.execute_script("return document.documentElement.scrollWidth") <= 390, "nothing overflows a phone"
            driver.execute_script("document.getElementById('msg-text').scrollIntoView({block: 'end'});")
            driver.save_screenshot(os.path.join(ARTIFACTS, f"messenger-reply-edit-{who}-phone-{engine}.png"))
            driver.set_window_size(1200, 900)
        kim.find_element(By.ID, "reply-cancel").click()
        WebDriverWait(kim, WAIT).until(lambda d: not d.find_element(By.ID, "reply-preview").is_displayed())
        assert kim.find_element(By.ID, "reply-to-id").get_attribute("value") == ""
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
