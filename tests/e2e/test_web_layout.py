"""The web as members use it (issue 15), in headless Chromium at a phone's size (390×844) and a desktop's
(1280×900), in all five languages: every section reachable, nothing wider than the screen, no text clipped,
a like that keeps the member's place, a conversation that opens at its newest message, and times that read
the same before and after a reload. Screenshots of every page go to test-artifacts/."""
import contextlib
import html as html_module
import re
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import PASSWORD, Server
from test_browser import click_and_wait, fill, make_browser, screenshot
from webclient import WebClient, text_of

LANGUAGES = ["en", "ko", "ru", "zh", "ja"]
SIZES = {"phone": (390, 844, True), "desktop": (1280, 900, False)}
WAIT = 30

# What a page must not do, measured in the page: grow wider than the viewport; hide a main-menu section
# (off-screen, or covered by something else); cut the text of a tab, menu item or button; break a badge
# or a member's state over two lines.
LAYOUT_PROBLEMS = """
const width = window.innerWidth, problems = [];
if (document.documentElement.scrollWidth > width) problems.push('page ' + document.documentElement.scrollWidth + 'px wide');
window.scrollTo(0, 0);
for (const a of document.querySelectorAll('nav.nav a')) {
  const r = a.getBoundingClientRect();
  const hit = document.elementFromPoint(Math.min(Math.max(r.left + r.width / 2, 0), width - 1), r.top + r.height / 2);
  if (r.width === 0 || r.left < 0 || r.right > width + 0.5 || !hit || !a.contains(hit)) problems.push('menu item hidden: ' + a.textContent.trim());
}
for (const e of document.querySelectorAll('.tabs a, nav.nav a, button, .button, .button-link')) {
  if (e.offsetParent === null || e.clientWidth === 0) continue;
  if (e.scrollWidth > e.clientWidth + 1) problems.push('clipped: ' + e.textContent.trim());
}
for (const e of document.querySelectorAll('.badge, .account-state')) {
  if (e.getClientRects().length > 1) problems.push('broken over lines: ' + e.textContent.trim());
}
return problems;
"""


def size(driver, name):
    width, height, mobile = SIZES[name]
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


def sign_in(driver, url, username, language="en"):
    driver.get(url + "/login")
    driver.add_cookie({"name": "sc_lang", "value": language, "path": "/"})
    fill(driver, {"username": username, "password": PASSWORD})
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, 'form[action="/login"] button[type="submit"]'))


def set_language(driver, language):
    driver.add_cookie({"name": "sc_lang", "value": language, "path": "/"})


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    """An instance with something on every page: an admin, members, posts, a conversation, a newsgroup
    thread, audit entries."""
    data = str(tmp_path_factory.mktemp("layout"))
    srv = Server(data)
    srv.cli("group", "create", "starcon.general", "--description", "General discussion")
    assert srv.cli("user", "add", "admin", "--role", "admin", "--display-name", "Administrator", stdin=PASSWORD + "\n").returncode == 0
    for name, display in [("minjun", "김민준"), ("olga", "Ольга Смирнова"), ("yuki", "佐藤 由紀")]:
        assert srv.cli("user", "add", name, "--display-name", display, stdin=PASSWORD + "\n").returncode == 0
    srv.start()
    admin = WebClient(srv.url)
    admin.login("admin")
    admin.create_invitation()
    admin.post("/statuses", {"text": "Hello, network! #welcome", "visibility": "public"}, page="/")
    minjun = WebClient(srv.url)
    minjun.login("minjun")
    minjun.post("/@admin/follow", {"return_to": "/@admin"}, page="/@admin")
    for n in range(12):
        minjun.post("/statuses", {"text": f"글 {n}: 오늘의 산책 기록 #산책", "visibility": "public"}, page="/")
    start = admin.post("/messages", {"members": "minjun"}, page="/messages")
    conversation = re.search(r"/messages/(\d+)", start.url).group(0)
    for n in range(40):
        sender = admin if n % 2 else minjun
        sender.post(conversation + "/send", {"text": f"message {n}: 안녕하세요, 이야기 {n}"}, page=conversation)
    admin.post("/newsgroups/starcon.general/post", {"subject": "점심 메뉴 추천", "body": "오늘 점심 뭐 먹을까요?\n\n-- \n민준"},
               page="/newsgroups/starcon.general")
    admin.post("/lists", {"title": "Близкие друзья · 친한 친구들"})
    admin.post("/settings/filters", {"title": "Спойлеры финала сериала", "keywords": "спойлер, финал", "home": "1", "public": "1",
                                     "action": "warn", "expires_in": "86400"})
    yield srv, conversation
    srv.stop()


PAGES = ["/", "/network", "/bookmarks", "/notifications", "/messages", "{conversation}", "/newsgroups",
         "/newsgroups/starcon.general", "/mail", "/search", "/search?q=산책&type=posts", "/search?q=m&type=people",
         "/search?q=이야기&type=messages", "/search?q=점심&type=articles", "/search?q=산&type=tags", "/@minjun", "/settings", "/settings/password",
         "/settings/sessions", "/settings/security", "/lists", "/settings/filters", "/settings/scheduled", "/admin", "/admin/members", "/admin/invitations", "/admin/approvals", "/admin/audit"]


@pytest.mark.parametrize("size_name", ["phone", "desktop"])
def test_every_page_fits_and_every_section_is_reachable(network, size_name):
    srv, conversation = network
    driver = make_browser()
    try:
        size(driver, size_name)
        sign_in(driver, srv.url, "admin")
        found = {}
        for language in LANGUAGES:
            set_language(driver, language)
            for path in PAGES:
                path = path.format(conversation=conversation)
                driver.get(srv.url + path)
                assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
                # Every section of the main menu, Admin included, on every page.
                labels = [a.get_attribute("href").replace(srv.url, "") for a in driver.find_elements(By.CSS_SELECTOR, "nav.nav a")]
                assert labels == ["/", "/messages", "/newsgroups", "/mail", "/search", "/admin"], (language, path, labels)
                problems = driver.execute_script(LAYOUT_PROBLEMS)
                if problems:
                    found[f"{language} {path}"] = problems
                slug = "conversation" if path == conversation else path.strip("/").replace("/", "-") or "home"
                screenshot(driver, f"layout-{size_name}-{language}-{re.sub(r'[^a-z0-9.-]', '', slug) or 'home'}")
        assert not found, found
    finally:
        driver.quit()


MEMBER_MENU = ["/@admin", "/notifications", "/bookmarks", "/lists", "/settings"]


@pytest.mark.parametrize("size_name", ["phone", "desktop"])
def test_the_account_menu_opens_without_script_and_fits(network, size_name):
    """The member's own pages (profile, notifications, bookmarks, lists, settings) sit behind their name in a
    <details> menu: it opens with script off, every item is on screen and uncut, in every language."""
    srv, _ = network
    driver = make_browser()
    try:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        size(driver, size_name)
        sign_in(driver, srv.url, "admin")
        found = {}
        for language in LANGUAGES:
            set_language(driver, language)
            driver.get(srv.url + "/")
            driver.find_element(By.CSS_SELECTOR, ".me-menu > summary").click()
            links = driver.find_elements(By.CSS_SELECTOR, ".me-menu ul a")
            assert [a.get_attribute("href").replace(srv.url, "") for a in links] == MEMBER_MENU, language
            problems = driver.execute_script("""
              const width = window.innerWidth, problems = [];
              if (document.documentElement.scrollWidth > width) problems.push('page ' + document.documentElement.scrollWidth + 'px wide');
              for (const a of document.querySelectorAll('.me-menu ul a')) {
                const r = a.getBoundingClientRect();
                const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                if (r.width === 0 || r.left < 0 || r.right > width + 0.5 || !hit || !a.contains(hit)) problems.push('hidden: ' + a.textContent.trim());
                if (a.scrollWidth > a.clientWidth + 1) problems.push('clipped: ' + a.textContent.trim());
              }
              return problems;""")
            if problems:
                found[language] = problems
            screenshot(driver, f"account-menu-{size_name}-{language}")
            # The menu's Settings item leads to the settings page.
            click_and_wait(driver, links[-1])
            assert driver.current_url.endswith("/settings")
        assert not found, found
    finally:
        driver.quit()


def test_a_like_keeps_the_members_place(network):
    """With script, a like happens in place (no reload, same scroll position); the count and the button change."""
    srv, _ = network
    driver = make_browser()
    try:
        size(driver, "phone")
        sign_in(driver, srv.url, "yuki", "ja")
        driver.get(srv.url + "/@minjun")
        posts = driver.find_elements(By.CSS_SELECTOR, "article.status")
        target = posts[8]
        post_id = target.get_attribute("id")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", target)
        before = driver.execute_script("return window.scrollY")
        assert before > 500
        marker = driver.execute_script("window.__samePage = true; return true")
        target.find_element(By.CSS_SELECTOR, 'button[formaction$="/favourite"]').click()
        WebDriverWait(driver, WAIT).until(lambda d: d.find_elements(By.CSS_SELECTOR, f'#{post_id} button[formaction$="/unfavourite"]'))
        assert marker and driver.execute_script("return window.__samePage === true"), "the page was reloaded"
        assert abs(driver.execute_script("return window.scrollY") - before) < 5
        liked = driver.find_element(By.CSS_SELECTOR, f'#{post_id} button[formaction$="/unfavourite"]')
        assert liked.get_attribute("aria-pressed") == "true" and "1" in liked.text
        screenshot(driver, "like-in-place-phone-ja")
    finally:
        driver.quit()


def test_a_like_without_script_returns_to_the_same_post(network):
    srv, _ = network
    olga = WebClient(srv.url, language="ru")
    olga.login("olga")
    page = olga.get("/@minjun").text
    status_id = re.findall(r'action="/statuses/(\d+)/favourite"', page)[5]
    response = olga.post(f"/statuses/{status_id}/favourite", {"return_to": "/@minjun"}, page="/@minjun", allow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["Location"] == f"/@minjun#status-{status_id}"
    assert f'id="status-{status_id}"' in olga.get("/@minjun").text


@pytest.mark.parametrize("kind", ["reblog", "bookmark", "react"])
def test_a_repost_bookmark_or_reaction_without_script_returns_to_the_same_post(network, kind):
    srv, _ = network
    member = WebClient(srv.url, language="zh")
    member.login("yuki")
    page = member.get("/@minjun?x=1").text
    action = re.findall(rf'action="(/statuses/(\d+)/{kind}[^"]*)"', page)[4]
    response = member.post(action[0], {"return_to": "/@minjun?x=1#old"}, page="/@minjun?x=1", allow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["Location"] == f"/@minjun?x=1#status-{action[1]}"
    undo = re.search(rf'action="(/statuses/{action[1]}/un{kind}[^"]*)"', member.get("/@minjun").text)
    assert undo, "the post now offers the undo"


@contextlib.contextmanager
def phone_without_script(srv, username, language):
    """A phone-sized Chromium with JavaScript off, signed in as `username` in `language`."""
    driver = make_browser()
    try:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        size(driver, "phone")
        sign_in(driver, srv.url, username, language)
        yield driver
    finally:
        driver.quit()


def test_a_like_without_script_in_a_browser_lands_on_the_same_post(network):
    srv, _ = network
    with phone_without_script(srv, "olga", "ru") as driver:
        driver.get(srv.url + "/@minjun")
        target = driver.find_elements(By.CSS_SELECTOR, "article.status")[9]
        post_id = target.get_attribute("id")
        button = target.find_element(By.CSS_SELECTOR, 'button[formaction$="favourite"]')
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        click_and_wait(driver, button)
        assert driver.current_url.endswith(f"/@minjun#{post_id}")
        on_screen = "const r = document.getElementById(arguments[0]).getBoundingClientRect(); return r.top >= -1 && r.top < window.innerHeight / 2;"
        assert driver.execute_script("return window.scrollY") > 500
        assert driver.execute_script(on_screen, post_id)
        screenshot(driver, "like-nojs-anchor-phone-ru")


def test_a_conversation_opens_at_its_newest_message_with_the_composer_in_sight(network):
    srv, conversation = network
    for size_name in SIZES:
        for script in (True, False):
            driver = make_browser()
            try:
                if not script:
                    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
                size(driver, size_name)
                sign_in(driver, srv.url, "admin")
                driver.get(srv.url + conversation)
                newest = driver.find_elements(By.CSS_SELECTOR, "#messages li.message")[-1]
                oldest = driver.find_elements(By.CSS_SELECTOR, "#messages li.message")[0]
                assert "message 39" in newest.text
                visible = "const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight;"
                in_list = ("const r = arguments[0].getBoundingClientRect(), box = document.getElementById('messages-scroll')"
                           ".getBoundingClientRect(); return r.bottom > box.top && r.top < box.bottom;")
                assert driver.execute_script(visible, newest), (size_name, script)
                assert driver.execute_script(in_list, newest)
                assert not driver.execute_script(in_list, oldest)
                box = driver.find_element(By.ID, "msg-text")
                assert driver.execute_script("return arguments[0].getBoundingClientRect().top < window.innerHeight - 40", box)
                screenshot(driver, f"conversation-{size_name}-{'js' if script else 'nojs'}")
            finally:
                driver.quit()


@pytest.fixture(scope="module")
def long_conversation(network):
    """A conversation longer than one page (50 messages), to load older messages upward."""
    srv, _ = network
    olga, yuki = WebClient(srv.url), WebClient(srv.url)
    olga.login("olga")
    yuki.login("yuki")
    path = re.search(r"/messages/(\d+)", olga.post("/messages", {"members": "yuki"}, page="/messages").url).group(0)
    for n in range(64):
        (olga if n % 2 else yuki).post(path + "/send", {"text": f"старое {n}"}, page=path)
    return path


def test_older_messages_load_upward_in_place_with_script(network, long_conversation):
    srv, _ = network
    driver = make_browser()
    try:
        size(driver, "phone")
        sign_in(driver, srv.url, "olga", "ru")
        driver.get(srv.url + long_conversation)
        texts = lambda: [li.get_attribute("textContent") for li in driver.find_elements(By.CSS_SELECTOR, "#messages li.message")]
        assert "старое 63" in texts()[-1] and not any(re.search(r"старое 0\b", t) for t in texts())
        newest = driver.find_elements(By.CSS_SELECTOR, "#messages li.message")[-1]
        driver.execute_script("window.__samePage = true")
        # The member scrolls the message box up to its top: the older ones arrive above, without a reload.
        driver.execute_script("const box = document.getElementById('messages-scroll'); box.scrollTop = -box.scrollHeight;")
        WebDriverWait(driver, WAIT).until(lambda d: len(texts()) == 64)
        assert driver.execute_script("return window.__samePage === true")
        assert re.search(r"старое 0\b", texts()[0]) and "старое 63" in texts()[-1]
        assert not driver.find_elements(By.CSS_SELECTOR, "#messages-scroll p.older")
        assert newest.is_displayed()
        screenshot(driver, "conversation-older-loaded-phone-ru")
    finally:
        driver.quit()


def test_older_messages_without_script_are_a_link_at_the_top(network, long_conversation):
    srv, _ = network
    with phone_without_script(srv, "yuki", "ja") as driver:
        driver.get(srv.url + long_conversation)
        link = driver.find_element(By.CSS_SELECTOR, "#messages-scroll p.older a")
        above = "return arguments[0].getBoundingClientRect().bottom <= document.querySelector('#messages li.message').getBoundingClientRect().top + 1"
        assert driver.execute_script(above, link), "the older link sits above the messages"
        driver.execute_script("document.getElementById('messages-scroll').scrollTop = -1e6")
        screenshot(driver, "conversation-older-link-phone-ja")
        click_and_wait(driver, link)
        assert "?before=" in driver.current_url
        assert re.search(r"старое 0\b", driver.find_elements(By.CSS_SELECTOR, "#messages li.message")[0].get_attribute("textContent"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_live_message_shows_the_same_time_after_a_reload(network, language):
    """The member's zone (a setting) wins over the browser's and the server's; the script prints a live
    message's time exactly as the server prints it after a reload."""
    srv, conversation = network
    member = WebClient(srv.url)
    member.login("minjun")
    page = member.get("/settings").text
    assert "Asia/Seoul" in page
    member.post("/settings", {"display_name": "김민준", "bio": "", "language": "", "time_zone": "Asia/Seoul"})
    driver = make_browser()
    try:
        driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "America/Los_Angeles"})
        sign_in(driver, srv.url, "minjun", language)
        driver.get(srv.url + conversation)
        WebDriverWait(driver, WAIT).until(lambda d: d.find_element(By.ID, "messages").get_attribute("data-connected") == "1")
        text = f"시간 확인 {language} {time.time()}"
        driver.find_element(By.NAME, "text").send_keys(text)
        driver.find_element(By.CSS_SELECTOR, "#compose button[type=submit]").click()
        WebDriverWait(driver, WAIT).until(lambda d: text in d.find_element(By.ID, "messages").text)
        live = driver.find_element(By.XPATH, f"//li[contains(@class,'message')][.//div[contains(., '{text}')]]//time").text
        driver.refresh()
        rendered = driver.find_element(By.XPATH, f"//li[contains(@class,'message')][.//div[contains(., '{text}')]]//time").text
        assert live == rendered, (language, live, rendered)
        assert re.search(r"\d{1,2}:\d\d", rendered)
        # …and it is the member's zone (Seoul), not the browser's (Los Angeles) nor the server's.
        from datetime import datetime
        from zoneinfo import ZoneInfo
        stamp = driver.find_element(By.XPATH, f"//li[contains(@class,'message')][.//div[contains(., '{text}')]]//time").get_attribute("datetime")
        seoul = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(ZoneInfo("Asia/Seoul"))
        hour = seoul.hour if language in ("ru", "zh") else (seoul.hour % 12 or 12)
        assert re.search(rf"(?<!\d)0?{hour}:{seoul.minute:02d}", rendered), (language, rendered, seoul)
    finally:
        driver.quit()
        member.post("/settings", {"display_name": "김민준", "bio": "", "language": "", "time_zone": ""})


def test_the_browsers_zone_applies_from_the_first_page_after_signing_in(network):
    """With script, the sign-in page already hands the browser's zone to the server: the first page after
    signing in (here Settings) knows it. A member's own choice would win over it."""
    srv, _ = network
    driver = make_browser()
    try:
        driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Europe/Moscow"})
        driver.get(srv.url + "/login?next=/settings")
        driver.add_cookie({"name": "sc_lang", "value": "ru", "path": "/"})
        driver.get(srv.url + "/login?next=/settings")
        fill(driver, {"username": "olga", "password": PASSWORD})
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, 'form[action="/login"] button[type="submit"]'))
        assert driver.current_url.endswith("/settings")
        automatic = driver.find_element(By.CSS_SELECTOR, '#time_zone option[value=""]').text
        assert "Europe/Moscow" in automatic, automatic
    finally:
        driver.quit()


def test_settings_refuse_an_unknown_time_zone_and_change_nothing(network):
    srv, _ = network
    member = WebClient(srv.url)
    member.login("olga")
    response = member.post("/settings", {"display_name": "Другое имя", "bio": "", "language": "", "time_zone": "Mars/Olympus"})
    assert response.status_code == 422
    assert "Ольга Смирнова" in member.get("/settings").text


def test_audit_log_speaks_the_viewers_language_filters_and_pages(network):
    srv, _ = network
    for language, word in [("en", "Created a newsgroup"), ("ko", "뉴스그룹 생성"), ("ru", "Создал(а) группу новостей"),
                           ("zh", "创建了新闻组"), ("ja", "ニュースグループを作成")]:
        admin = WebClient(srv.url, language=language)
        admin.login("admin")
        page = admin.get("/admin/audit").text
        assert "<table class=\"audit\">" in page
        visible = text_of(re.sub(r'title="[^"]*"', "", page))
        assert word in visible, language
        assert "group.create" not in visible and "invitation.create" not in visible
    admin = WebClient(srv.url)
    admin.login("admin")
    only = text_of(re.search(r"<tbody>(.*)</tbody>", admin.get("/admin/audit?action=invitation.create").text, re.S).group(1))
    assert "Created an invitation" in only and "Created a newsgroup" not in only
    assert "Nothing matches" in admin.get("/admin/audit?actor=minjun").text
    assert "No member is called @nobody" in admin.get("/admin/audit?actor=nobody").text
    assert "Nothing matches" in admin.get("/admin/audit?to=2001-01-01").text
    assert "Created an invitation" in admin.get("/admin/audit?from=2001-01-01&actor=admin").text


def test_a_photo_can_be_posted_without_a_caption(network):
    from pathlib import Path
    srv, _ = network
    photo = Path(__file__).resolve().parents[2] / "Tests" / "StarconMediaTests" / "Fixtures" / "oriented.jpg"
    member = WebClient(srv.url)
    member.login("yuki")
    home = member.get("/").text
    assert re.search(r'<textarea[^>]*name="text"[^>]*>', home) and " required" not in re.search(r'<textarea[^>]*name="text"[^>]*>', home).group(0)
    token = re.search(r'name="_csrf" value="([^"]*)"', home).group(1)
    response = member.session.post(srv.url + "/statuses", data={"_csrf": token, "text": "", "visibility": "public", "return_to": "/"},
                                   files={"photo1": ("p.jpg", photo.read_bytes(), "image/jpeg")}, timeout=30)
    assert response.status_code == 200
    assert "/media/" in member.get("/@yuki").text


def test_counts_and_notifications_read_as_sentences(network):
    srv, _ = network
    en = WebClient(srv.url, language="en")
    en.login("yuki")
    profile = text_of(en.get("/@admin").text)
    assert "0 following" in profile
    assert "following 0" not in profile
    home = en.get("/").text
    import html
    import json
    forms = json.loads(html.unescape(re.search(r'data-new-posts="([^"]*)"', home).group(1)))
    assert forms == {"one": "Show {count} new post", "other": "Show {count} new posts"}
    ru = WebClient(srv.url, language="ru")
    ru.login("minjun")
    page = ru.get("/").text  # any page; the notification needs a like on minjun's post
    yuki = WebClient(srv.url)
    yuki.login("yuki")
    status_id = re.findall(r'action="/statuses/(\d+)/favourite"', yuki.get("/@minjun").text)[0]
    yuki.post(f"/statuses/{status_id}/favourite", {"return_to": "/@minjun"}, page="/@minjun")
    notifications = text_of(ru.get("/notifications").text)
    assert "понравилась" not in notifications
    assert "нравится ваша запись" in notifications
    assert page


def test_a_newsgroup_reply_quotes_without_the_signature(network):
    srv, _ = network
    admin = WebClient(srv.url)
    admin.login("admin")
    thread = admin.get("/newsgroups/starcon.general").text
    path = re.search(r'href="(/newsgroups/starcon.general/threads/\d+)"', thread).group(1)
    page = admin.get(path).text
    assert "-- " in page
    reply = re.search(r'href="(/newsgroups/starcon.general/articles/\d+/reply)"', page).group(1)
    body = html_module.unescape(re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', admin.get(reply).text, re.S).group(1))
    assert "> 오늘 점심 뭐 먹을까요?" in body
    assert "민준" not in body and "> --" not in body
