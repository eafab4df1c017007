"""Announcements in a real Chromium: one published from the command line appears live on an open sign-in
page in the viewer's language and disappears when an admin ends it; dismissing works by the plain form; the
admin dashboard and announcements pages fit a 390 px phone in every language (screenshots kept)."""
import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import PASSWORD, Server
from test_browser import click_and_wait, make_browser, screenshot
from test_messenger_browser import sign_in
from webclient import WebClient

WAIT = 30


def texts(driver):
    return [p.text for p in driver.find_elements(By.CSS_SELECTOR, "section.announcements .announcement-text")]


def wait_live(driver):
    WebDriverWait(driver, WAIT).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "section.announcements").get_attribute("data-live") == "1")


def test_an_announcement_appears_live_in_the_viewers_language_and_goes_when_ended(data_dir):
    server = Server(data_dir, extra=["--nntp-port", "0"])
    for name, role in [("root", "admin"), ("kim", None)]:
        assert server.cli("user", "add", name, *(["--role", role] if role else []), stdin=PASSWORD + "\n").returncode == 0
    server.start()
    visitor, kim = make_browser("ko-KR"), make_browser("en-US")
    try:
        visitor.set_window_size(390, 844)
        visitor.get(server.url + "/login")
        sign_in(kim, server.url, "kim")
        kim.get(server.url + "/messages")
        wait_live(visitor)
        wait_live(kim)
        result = server.cli("announce", "Health check-ups on Friday in the clinic hall", "--severity", "alert",
                            "--lang", "ko", "금요일 진료소 강당에서 건강 검진이 있습니다")
        assert result.returncode == 0, result.stderr
        announcement_id = re.search(r"announced (\d+)", result.stdout).group(1)
        WebDriverWait(visitor, WAIT).until(lambda d: texts(d) == ["금요일 진료소 강당에서 건강 검진이 있습니다"])
        WebDriverWait(kim, WAIT).until(lambda d: texts(d) == ["Health check-ups on Friday in the clinic hall"])
        assert visitor.execute_script("return document.documentElement.scrollWidth") <= 390
        screenshot(visitor, "announcement-live-login-ko-phone")

        # The live copy carries a working dismiss form for the member: back to the same page, gone.
        click_and_wait(kim, kim.find_element(By.CSS_SELECTOR, f"#announcement-{announcement_id} form button"))
        assert kim.current_url.endswith("/messages") and texts(kim) == []

        root = WebClient(server.url)
        root.login("root")
        root.post(f"/admin/announcements/{announcement_id}/end", {}, page="/admin/announcements")
        WebDriverWait(visitor, WAIT).until(lambda d: texts(d) == [])

        # A visitor dismisses one too (a cookie of ids): back on the same page, and it stays gone on reload.
        visitor.get(server.url + "/login?next=/messages")
        result = server.cli("announce", "Library closed on Monday", "--lang", "ko", "월요일 도서관 휴관")
        second = re.search(r"announced (\d+)", result.stdout).group(1)
        visitor.refresh()
        WebDriverWait(visitor, WAIT).until(lambda d: texts(d) == ["월요일 도서관 휴관"])
        form = visitor.find_element(By.CSS_SELECTOR, f"#announcement-{second} form")
        assert form.find_element(By.NAME, "back").get_attribute("value") == "/", "a visitor's page echoes no address"
        click_and_wait(visitor, form.find_element(By.CSS_SELECTOR, "button"))
        assert visitor.current_url.endswith("/login?next=/messages") and texts(visitor) == []
        visitor.refresh()
        assert texts(visitor) == []
        assert WebClient(server.url).get("/login").text.count(f'id="announcement-{second}"') == 1, "another visitor still sees it"
    finally:
        visitor.quit()
        kim.quit()
        server.stop()


@pytest.mark.parametrize("language", ["en", "ko", "ru", "zh", "ja"])
def test_admin_dashboard_and_announcements_fit_a_phone(data_dir, language):
    server = Server(data_dir, extra=["--nntp-port", "0"])
    assert server.cli("user", "add", "root", "--role", "admin", stdin=PASSWORD + "\n").returncode == 0
    server.start()
    assert server.cli("announce", "Snow expected tonight: keep the paths clear", "--severity", "warning").returncode == 0
    driver = make_browser(language)
    try:
        driver.set_window_size(390, 844)
        sign_in(driver, server.url, "root")
        for path in ["/admin/dashboard", "/admin/announcements"]:
            driver.get(server.url + path)
            assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
            assert driver.execute_script("return document.documentElement.scrollWidth") <= 390, path
            screenshot(driver, f"admin{path.replace('/admin/', '-')}-{language}-phone")
        assert len(driver.find_elements(By.CSS_SELECTOR, "svg.dash-chart")) == 0  # on the announcements page now
    finally:
        driver.quit()
        server.stop()
