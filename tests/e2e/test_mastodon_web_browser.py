"""The Mastodon features members use on the web, in real headless Chromium at a phone's size (390×844) with
JavaScript OFF, in Russian and Korean: a poll made and voted on, a list that shows only its members, a hide
filter and a warn filter, a post scheduled from the composer (and its text edited), a profile with avatar, header
and fields, a conversation muted from its post's page, and an exclusive list that keeps its members out of Home.
Screenshots go to test-artifacts/."""
import datetime
import os
import re
import zoneinfo
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import PASSWORD, Server
from test_browser import click_and_wait, fill, screenshot
from test_mastodon_posting import sql, wait_for
from test_web_layout import LAYOUT_PROBLEMS, size
from webclient import WebClient

FIXTURES = Path(__file__).resolve().parents[2] / "Tests" / "StarconMediaTests" / "Fixtures"


def phone_without_script(language):
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--lang={language}"]:
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": language,
                                              "profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(options=options, service=ChromeService(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")))
    size(driver, "phone")
    return driver


def sign_in(driver, url, username, language):
    driver.get(url + "/login")
    driver.add_cookie({"name": "sc_lang", "value": language, "path": "/"})
    fill(driver, {"username": username, "password": PASSWORD})
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, 'form[action="/login"] button[type="submit"]'))


def press(driver, css):
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, css))


def fits(driver):
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), driver.current_url
    assert not driver.execute_script(LAYOUT_PROBLEMS)


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    srv = Server(str(tmp_path_factory.mktemp("mastoweb")))
    for name, display in [("olga", "Ольга Смирнова"), ("minjun", "김민준"), ("yuki", "佐藤 由紀")]:
        assert srv.cli("user", "add", name, "--display-name", display, stdin=PASSWORD + "\n").returncode == 0
    srv.start()
    clients = {}
    for name in ["olga", "minjun", "yuki"]:
        clients[name] = WebClient(srv.url)
        clients[name].login(name)
    # olga and minjun follow each other and yuki: their homes have something in them.
    for who, whom in [("olga", "minjun"), ("olga", "yuki"), ("minjun", "olga"), ("minjun", "yuki")]:
        clients[who].post(f"/@{whom}/follow", {"return_to": f"/@{whom}"}, page=f"/@{whom}")
    yield srv, clients
    srv.stop()


def test_poll_made_and_voted_on_without_script(network):
    srv, _ = network
    author, voter = phone_without_script("ru-RU"), phone_without_script("ko-KR")
    try:
        sign_in(author, srv.url, "olga", "ru")
        author.get(srv.url + "/")
        author.find_element(By.CSS_SELECTOR, ".composer-poll summary").click()
        fill(author, {"text": "Куда пойдём обедать?", "poll_option_1": "Пельмени", "poll_option_2": "Кимчи"})
        press(author, "form.composer button[type=submit]")
        assert "Пельмени" in author.find_element(By.CSS_SELECTOR, "article.status .poll").text
        sign_in(voter, srv.url, "minjun", "ko")
        voter.get(srv.url + "/")
        poll = voter.find_element(By.CSS_SELECTOR, "article.status .poll")
        poll.find_element(By.CSS_SELECTOR, 'input[value="1"]').click()
        click_and_wait(voter, poll.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        results = voter.find_element(By.CSS_SELECTOR, "article.status .poll-results").text
        assert "100%" in results and "Кимчи ✓" in results
        fits(voter)
        screenshot(voter, "mastoweb-poll-ko")
    finally:
        author.quit()
        voter.quit()


def test_a_list_shows_only_its_members(network):
    srv, clients = network
    clients["olga"].post("/statuses", {"text": "Пост Ольги для списка", "visibility": "public", "return_to": "/"}, page="/")
    clients["yuki"].post("/statuses", {"text": "由紀の投稿はリスト外", "visibility": "public", "return_to": "/"}, page="/")
    driver = phone_without_script("ko-KR")
    try:
        sign_in(driver, srv.url, "minjun", "ko")
        driver.get(srv.url + "/")
        press(driver, '.feed > .tabs a[href="/lists"]')
        fill(driver, {"title": "가까운 친구"})
        press(driver, 'form[action="/lists"] button[type=submit]')
        assert driver.find_element(By.TAG_NAME, "h1").text == "가까운 친구"
        driver.find_element(By.CSS_SELECTOR, ".list-manage summary").click()
        Select(driver.find_element(By.CSS_SELECTOR, 'form[action$="/add"] select')).select_by_visible_text("Ольга Смирнова (@olga)")
        press(driver, 'form[action$="/add"] button[type=submit]')
        texts = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "article.status")]
        assert any("Пост Ольги для списка" in t for t in texts)
        assert not any("由紀" in t for t in texts), "only the list's members"
        fits(driver)
        screenshot(driver, "mastoweb-list-ko")
    finally:
        driver.quit()


def test_hide_and_warn_filters(network):
    srv, clients = network
    for text in ["Спойлер: финал сезона", "Фото котиков из парка", "Просто новости дня"]:
        clients["olga"].post("/statuses", {"text": text, "visibility": "public", "return_to": "/"}, page="/")
    driver = phone_without_script("ru-RU")
    try:
        sign_in(driver, srv.url, "minjun", "ru")
        driver.get(srv.url + "/settings")
        press(driver, '.tabs a[href="/settings/filters"]')
        fill(driver, {"title": "Без спойлеров", "keywords": "спойлер"})
        driver.find_element(By.CSS_SELECTOR, 'input[name="action"][value="hide"]').click()
        press(driver, 'form[action="/settings/filters"] button[type=submit]')
        fill(driver, {"title": "Котики", "keywords": "котиков"})
        driver.find_element(By.CSS_SELECTOR, 'input[name="action"][value="warn"]').click()
        press(driver, 'form[action="/settings/filters"] button[type=submit]')
        assert len(driver.find_elements(By.CSS_SELECTOR, "ul.filters li")) == 2
        fits(driver)
        screenshot(driver, "mastoweb-filters-ru")
        driver.get(srv.url + "/")
        page = driver.find_element(By.CSS_SELECTOR, ".feed").text
        assert "Спойлер" not in page and "Просто новости дня" in page
        folded = driver.find_element(By.CSS_SELECTOR, "details.status-filtered")
        assert "Котики" in folded.find_element(By.TAG_NAME, "summary").text
        content = folded.find_element(By.CSS_SELECTOR, ".status-content")
        assert not content.is_displayed(), "folded until asked"
        folded.find_element(By.TAG_NAME, "summary").click()
        assert content.is_displayed() and "Фото котиков" in content.text
        fits(driver)
        screenshot(driver, "mastoweb-filtered-home-ru")
    finally:
        driver.quit()


def test_a_post_scheduled_from_the_composer(network):
    srv, _ = network
    driver = phone_without_script("ko-KR")
    try:
        sign_in(driver, srv.url, "yuki", "ko")
        driver.get(srv.url + "/settings")
        Select(driver.find_element(By.NAME, "time_zone")).select_by_value("Asia/Seoul")
        press(driver, 'form[action="/settings"] button[type=submit]')
        driver.get(srv.url + "/")
        driver.find_element(By.CSS_SELECTOR, ".composer-schedule-box summary").click()
        when = (datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Seoul")) + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
        driver.find_element(By.NAME, "text").send_keys("내일 아침에 올라갈 글")
        field = driver.find_element(By.NAME, "scheduled_at")
        driver.execute_script("arguments[0].value = arguments[1]", field, when)  # a date picker is typed differently in every locale
        press(driver, "form.composer button[type=submit]")
        assert driver.current_url.endswith("/settings/scheduled")
        row = driver.find_element(By.CSS_SELECTOR, "ul.scheduled li")
        assert "내일 아침에 올라갈 글" in row.text
        assert row.find_element(By.NAME, "scheduled_at").get_attribute("value") == when, "in the member's time zone"
        fits(driver)
        screenshot(driver, "mastoweb-scheduled-ko")
        scheduled_id = re.search(r"scheduled-(\d+)", row.get_attribute("id")).group(1)
        sql(srv, f"UPDATE scheduled_statuses SET scheduled_at = 0 WHERE id = {int(scheduled_id)}")
        assert wait_for(lambda: "내일 아침에 올라갈 글" in (driver.get(srv.url + "/@yuki") or driver.page_source))
    finally:
        driver.quit()


def test_profile_with_avatar_header_and_fields(network):
    srv, _ = network
    driver = phone_without_script("ru-RU")
    try:
        sign_in(driver, srv.url, "olga", "ru")
        driver.get(srv.url + "/settings")
        driver.find_element(By.NAME, "avatar").send_keys(str(FIXTURES / "oriented.jpg"))
        driver.find_element(By.NAME, "header").send_keys(str(FIXTURES / "large.jpg"))
        fill(driver, {"field_name_1": "Город", "field_value_1": "Санкт-Петербург", "field_name_2": "언어", "field_value_2": "русский, 한국어"})
        press(driver, 'form[action="/settings"] button[type=submit]')
        driver.get(srv.url + "/@olga")
        avatar = driver.find_element(By.CSS_SELECTOR, "img.avatar-image")
        header = driver.find_element(By.CSS_SELECTOR, "img.profile-header")
        assert avatar.get_attribute("src").startswith(srv.url + "/media/") and header.get_attribute("src").startswith(srv.url + "/media/")
        assert driver.execute_script("return arguments[0].naturalWidth > 0 && arguments[1].naturalWidth > 0", avatar, header)
        fields = driver.find_element(By.CSS_SELECTOR, "dl.profile-fields").text
        assert "Санкт-Петербург" in fields and "русский, 한국어" in fields
        fits(driver)
        screenshot(driver, "mastoweb-profile-ru")
    finally:
        driver.quit()


def notifications_text(client):
    return client.get("/notifications").text


def test_a_conversation_muted_and_unmuted_from_its_page(network):
    srv, clients = network
    page = clients["minjun"].post("/statuses", {"text": "점심 메뉴 추천 받습니다", "visibility": "public", "return_to": "/"}, page="/")
    status_id = re.search(r'id="status-(\d+)"', clients["minjun"].get("/@minjun").text).group(1)
    driver = phone_without_script("ko-KR")
    try:
        sign_in(driver, srv.url, "minjun", "ko")
        driver.get(f"{srv.url}/@minjun/{status_id}")
        button = driver.find_element(By.CSS_SELECTOR, f"#status-{status_id} button.apps-mute-thread")
        assert button.text == "대화 알림 끄기" and button.get_attribute("aria-pressed") == "false"
        press(driver, f"#status-{status_id} button.apps-mute-thread")
        assert driver.current_url.endswith(f"/@minjun/{status_id}#status-{status_id}")
        button = driver.find_element(By.CSS_SELECTOR, f"#status-{status_id} button.apps-mute-thread")
        assert button.text == "대화 알림 켜기" and button.get_attribute("aria-pressed") == "true"
        fits(driver)
        screenshot(driver, "mastoweb-thread-muted-ko")
        clients["olga"].post("/statuses", {"text": "Пельмени!", "in_reply_to_id": status_id, "visibility": "public"}, page=f"/@minjun/{status_id}")
        assert "Пельмени" not in notifications_text(clients["minjun"]), "a muted conversation notifies nothing"
        press(driver, f"#status-{status_id} button.apps-mute-thread")
        assert driver.find_element(By.CSS_SELECTOR, f"#status-{status_id} button.apps-mute-thread").get_attribute("aria-pressed") == "false"
        clients["yuki"].post("/statuses", {"text": "ラーメンがいい", "in_reply_to_id": status_id, "visibility": "public"}, page=f"/@minjun/{status_id}")
        assert "ラーメンがいい" in notifications_text(clients["minjun"]), "unmuted: replies notify again"
        # Only on the post's own page, not on every post of a timeline.
        assert "apps-mute-thread" not in clients["minjun"].get("/").text
    finally:
        driver.quit()


def test_a_scheduled_posts_text_edited_without_script(network):
    srv, _ = network
    driver = phone_without_script("ru-RU")
    try:
        sign_in(driver, srv.url, "olga", "ru")
        driver.get(srv.url + "/")
        driver.find_element(By.CSS_SELECTOR, ".composer-schedule-box summary").click()
        when = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
        driver.find_element(By.NAME, "text").send_keys("Черновик с опечаткой")
        driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.NAME, "scheduled_at"), when)
        press(driver, "form.composer button[type=submit]")
        row = driver.find_element(By.CSS_SELECTOR, "ul.scheduled li")
        row.find_element(By.CSS_SELECTOR, ".apps-scheduled-edit summary").click()
        text = row.find_element(By.CSS_SELECTOR, ".apps-scheduled-edit textarea")
        assert text.get_attribute("value") == "Черновик с опечаткой"
        text.clear()
        text.send_keys("Исправленный текст")
        row.find_element(By.CSS_SELECTOR, '.apps-scheduled-edit input[name="spoiler_text"]').send_keys("Спойлер")
        press(driver, ".apps-scheduled-edit button[type=submit]")
        row = driver.find_element(By.CSS_SELECTOR, "ul.scheduled li")
        assert "Исправленный текст" in row.text and "Спойлер" in row.text and "опечаткой" not in row.text
        assert "Запланированный пост изменён." in driver.page_source
        assert row.find_element(By.NAME, "scheduled_at").get_attribute("value") == when, "the time is kept"
        # Empty text with nothing else to post is refused and changes nothing.
        row.find_element(By.CSS_SELECTOR, ".apps-scheduled-edit summary").click()
        row.find_element(By.CSS_SELECTOR, ".apps-scheduled-edit textarea").clear()
        press(driver, ".apps-scheduled-edit button[type=submit]")
        assert "Исправленный текст" in driver.find_element(By.CSS_SELECTOR, "ul.scheduled li").text
        driver.get(srv.url + "/settings/scheduled")
        fits(driver)
        screenshot(driver, "mastoweb-scheduled-edit-ru")
        scheduled_id = re.search(r"scheduled-(\d+)", driver.find_element(By.CSS_SELECTOR, "ul.scheduled li").get_attribute("id")).group(1)
        sql(srv, f"DELETE FROM scheduled_statuses WHERE id = {int(scheduled_id)}")
    finally:
        driver.quit()


def test_an_exclusive_list_keeps_its_members_out_of_home(network):
    srv, clients = network
    clients["yuki"].post("/statuses", {"text": "由紀の独占リスト投稿", "visibility": "public", "return_to": "/"}, page="/")
    assert "由紀の独占リスト投稿" in clients["olga"].get("/").text
    driver = phone_without_script("ru-RU")
    try:
        sign_in(driver, srv.url, "olga", "ru")
        driver.get(srv.url + "/lists")
        fill(driver, {"title": "Только Юки"})
        driver.find_element(By.CSS_SELECTOR, 'form[action="/lists"] input[name="exclusive"]').click()
        press(driver, 'form[action="/lists"] button[type=submit]')
        driver.find_element(By.CSS_SELECTOR, ".list-manage summary").click()
        assert driver.find_element(By.CSS_SELECTOR, 'form[action$="/rename"] input[name="exclusive"]').is_selected()
        Select(driver.find_element(By.CSS_SELECTOR, 'form[action$="/add"] select')).select_by_visible_text("佐藤 由紀 (@yuki)")
        press(driver, 'form[action$="/add"] button[type=submit]')
        assert "由紀の独占リスト投稿" in driver.find_element(By.CSS_SELECTOR, ".feed").text, "in the list"
        driver.find_element(By.CSS_SELECTOR, ".list-manage summary").click()
        fits(driver)
        screenshot(driver, "mastoweb-list-exclusive-ru")
        list_path = driver.current_url.split("#")[0].replace(srv.url, "")
        driver.get(srv.url + "/")
        assert "由紀の独占リスト投稿" not in driver.page_source, "not in home"
        # Unticked, the member's posts come back to home.
        driver.get(srv.url + list_path)
        driver.find_element(By.CSS_SELECTOR, ".list-manage summary").click()
        driver.find_element(By.CSS_SELECTOR, 'form[action$="/rename"] input[name="exclusive"]').click()
        press(driver, 'form[action$="/rename"] button[type=submit]')
        driver.get(srv.url + "/")
        assert "由紀の独占リスト投稿" in driver.page_source
    finally:
        driver.quit()
