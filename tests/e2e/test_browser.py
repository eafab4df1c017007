"""Key journeys in a real headless Chromium (Debian's chromium and chromedriver), JavaScript on, as a
member would click through them."""
import os
import re
import time

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import PASSWORD, Server
from webclient import WebClient

ARTIFACTS = os.environ.get("STARCON_TEST_ARTIFACTS", os.path.join(os.path.dirname(__file__), "../../test-artifacts"))


def make_browser(language="en-US"):
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1200,900", f"--lang={language}"]:
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    service = ChromeService(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(options=options, service=service)


@pytest.fixture
def browser():
    driver = make_browser()
    yield driver
    driver.quit()


def fill(driver, fields):
    for name, value in fields.items():
        element = driver.find_element(By.NAME, name)
        element.clear()
        element.send_keys(value)


def page_replaced(old_page):
    """A wait condition: the old page's root is gone. Chromium reports a node of a replaced document either as
    stale or, while the new one is still being attached, as "Node with given id does not belong to the document";
    both mean the same thing here (selenium's staleness_of knows only the first)."""
    def check(_driver):
        try:
            old_page.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
    return check


def wait_for_new_page(driver, old_page):
    WebDriverWait(driver, 30).until(page_replaced(old_page))
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def click_and_wait(driver, element):
    """Clicks something that loads a new page and waits until the old page is gone."""
    old_page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    wait_for_new_page(driver, old_page)


def click_css_and_wait(driver, css):
    """Finds and clicks a page-loading control, again if Chromium reports the node gone before the click
    landed (it happens on a busy machine while the page settles); a click that landed is never repeated."""
    for attempt in range(3):
        try:
            element = driver.find_element(By.CSS_SELECTOR, css)
            old_page = driver.find_element(By.TAG_NAME, "html")
            element.click()
        except (StaleElementReferenceException, WebDriverException) as error:
            if isinstance(error, TimeoutException) or attempt == 2:
                raise
            time.sleep(0.5)
            continue
        wait_for_new_page(driver, old_page)
        return


def submit(driver, form_action):
    click_css_and_wait(driver, f'form[action="{form_action}"] button[type="submit"]')


def screenshot(driver, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    driver.save_screenshot(os.path.join(ARTIFACTS, name + ".png"))


def test_first_run_to_korean_member_journey(data_dir, browser):
    srv = Server(data_dir).start()
    try:
        # First-run setup: the admin opens the printed link.
        browser.get(srv.setup_url)
        fill(browser, {"username": "admin", "display_name": "Administrator", "password": PASSWORD, "password_confirm": PASSWORD})
        submit(browser, srv.setup_url.replace(srv.url, ""))
        assert browser.current_url.endswith("/admin")
        assert "Welcome to" in browser.page_source

        # The admin creates an invitation.
        browser.get(srv.url + "/admin/invitations")
        fill(browser, {"uses": "1", "expires_days": "3"})
        submit(browser, "/admin/invitations")
        link = browser.find_element(By.CSS_SELECTOR, "input.link-field").get_attribute("value")
        assert "/invite/" in link
        screenshot(browser, "admin-invitations")

        # A second device of the member, to revoke later.
        other_device = WebClient(srv.url, user_agent="Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537.36")

        # The admin signs out; a newcomer registers with the link.
        submit(browser, "/logout")
        assert "/login" in browser.current_url
        browser.get(link)
        fill(browser, {"username": "jiwoo", "display_name": "박지우", "password": PASSWORD, "password_confirm": PASSWORD})
        submit(browser, "/register")
        assert "박지우" in browser.find_element(By.CSS_SELECTOR, ".me-name").text

        # Signs out and in again.
        submit(browser, "/logout")
        fill(browser, {"username": "jiwoo", "password": PASSWORD})
        submit(browser, "/login")
        assert "박지우" in browser.find_element(By.CSS_SELECTOR, ".me-name").text
        other_device.login("jiwoo")

        # Switches to Korean and sees Korean pages.
        click_css_and_wait(browser, 'form.languages button[value="ko"]')
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ko"
        nav = browser.find_element(By.CSS_SELECTOR, "nav.nav").text
        assert "피드" in nav and "메시지" in nav and "뉴스그룹" in nav
        browser.get(srv.url + "/settings/sessions")
        assert "로그인 기기" in browser.page_source
        screenshot(browser, "sessions-ko")

        # Revokes the other session.
        rows = browser.find_elements(By.CSS_SELECTOR, "ul.sessions li.row")
        assert len(rows) == 2
        other = [row for row in rows if "badge-current" not in row.get_attribute("innerHTML")][0]
        click_and_wait(browser, other.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert len(browser.find_elements(By.CSS_SELECTOR, "ul.sessions li.row")) == 1
        assert other_device.get("/settings").url.endswith("/login?next=/settings")

        # Signs out.
        submit(browser, "/logout")
        assert "/login" in browser.current_url
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ko"
        browser.get(srv.url + "/settings")
        assert "/login" in browser.current_url
    finally:
        srv.stop()


def test_wrong_password_shows_a_clear_message(server, browser):
    WebClient(server.url).setup_admin(server.setup_url)
    browser.get(server.url + "/login")
    fill(browser, {"username": "admin", "password": "not the password"})
    submit(browser, "/login")
    error = browser.find_element(By.CSS_SELECTOR, ".form-error").text
    assert "wrong" in error
    assert "/login" in browser.current_url
    screenshot(browser, "login-wrong-password")


def test_a_form_posted_without_its_csrf_token_is_refused(server, browser):
    WebClient(server.url).setup_admin(server.setup_url)
    browser.get(server.url + "/login")
    # Remove the token from the real form before submitting it, as a forged cross-site form would lack it.
    browser.execute_script("document.querySelector('form[action=\"/login\"] input[name=_csrf]').remove()")
    fill(browser, {"username": "admin", "password": PASSWORD})
    submit(browser, "/login")
    assert "403" in browser.find_element(By.CSS_SELECTOR, ".error-code").text
    browser.get(server.url + "/settings")
    assert "/login" in browser.current_url  # not signed in


def catalogue(language):
    import json
    path = os.path.join(os.path.dirname(__file__), f"../../Sources/StarconWeb/Locales/{language}.json")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


@pytest.mark.parametrize("language", ["en", "ko", "ru", "zh", "ja"])
def test_login_page_in_every_language_on_a_phone(server, language):
    needle = catalogue(language)["login_title"]
    driver = make_browser(language)
    try:
        driver.set_window_size(390, 844)
        driver.get(server.url + "/login")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
        assert needle in driver.find_element(By.TAG_NAME, "h1").text
        # Nothing overflows the phone's width.
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 390
        screenshot(driver, f"login-{language}-phone")
    finally:
        driver.quit()


def test_newsgroup_web_and_newsreader_see_each_other(data_dir, browser):
    import io
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import nntplib
    from conftest import free_port
    nntp_port = free_port()
    srv = Server(data_dir, extra=["--nntp-port", str(nntp_port)])
    srv.cli("group", "create", "starcon.general", "--description", "General discussion")
    srv.start()
    try:
        WebClient(srv.url).setup_admin(srv.setup_url, username="admin")
        browser.get(srv.url + "/login")
        fill(browser, {"username": "admin", "password": PASSWORD})
        submit(browser, "/login")

        # A thread started on the web...
        browser.get(srv.url + "/newsgroups/starcon.general")
        fill(browser, {"subject": "점심 메뉴 추천", "body": "오늘 점심 뭐 먹을까요?"})
        submit(browser, "/newsgroups/starcon.general/post")
        assert "오늘 점심 뭐 먹을까요?" in browser.page_source

        # ...is in the newsreader's overview, and a newsreader's reply...
        reader = nntplib.NNTP("127.0.0.1", nntp_port)
        reader.login("admin", PASSWORD)
        _, count, first, last, _ = reader.group("starcon.general")
        _, overview = reader.over((first, last))
        web_post = overview[-1][1]
        assert nntplib.decode_header(web_post["subject"]) == "점심 메뉴 추천"
        reply = ("Newsgroups: starcon.general\r\nSubject: Re: 점심 메뉴 추천\r\n"
                 f"References: {web_post['message-id']}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                 "> 오늘 점심 뭐 먹을까요?\r\n\r\n냉면 어때요?\r\n").encode()
        reader.post(io.BytesIO(reply))

        # ...shows on the web at once, in the same thread.
        browser.refresh()
        assert "냉면 어때요?" in browser.page_source
        screenshot(browser, "newsgroup-thread")

        # A web reply, quoting like a newsreader, reaches the overview with its References.
        reply_links = browser.find_elements(By.LINK_TEXT, "Reply")
        click_and_wait(browser, reply_links[-1])
        body = browser.find_element(By.NAME, "body").get_attribute("value")
        assert "> 냉면 어때요?" in body
        browser.find_element(By.NAME, "body").send_keys("좋아요, 12시에 만나요.")
        submit(browser, browser.find_element(By.CSS_SELECTOR, "form.stack").get_attribute("action").replace(srv.url, ""))
        assert "12시에 만나요" in browser.page_source
        _, count, first, last, _ = reader.group("starcon.general")
        _, overview = reader.over((first, last))
        assert count == 3
        newest = overview[-1][1]
        assert web_post["message-id"] in newest["references"]
        _, article = reader.article(newest["message-id"])
        assert "좋아요, 12시에 만나요." in b"\n".join(article.lines).decode()
        reader.quit()
    finally:
        srv.stop()
