"""Issue 15, the safety half: nothing lost by a tap. A delete, leave, remove, block or suspend asks first (a page
of its own without script, a <dialog> over the same form with it) and changes nothing until confirmed; a
forgotten password has a one-time link (command line and Admin › Members) and the sign-in page says whom to ask;
`starcon demo` peoples every part and says how to sign in; one <h1> per page; reaction buttons with names in
the viewer's language; a post's actions one toolbar; one CSRF token per page instead of one per button.
Run against a demo network, in headless Chromium at 390×844 and 1280×900, script on and off; screenshots of the
new pages in all five languages go to test-artifacts/."""
import contextlib
import re
from pathlib import Path

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import Server
from test_browser import click_and_wait, fill, make_browser, screenshot
from webclient import WebClient

SIZES = {"phone": (390, 844, True), "desktop": (1280, 900, False)}
# A demo member who writes in each language (their account language is the page's language).
SPEAKERS = {"en": "sam", "ko": "minjun", "ru": "olga", "zh": "wei", "ja": "yuki"}
WAIT = 30


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data = str(tmp_path_factory.mktemp("safety"))
    srv = Server(data)
    result = srv.cli("demo")
    assert result.returncode == 0, result.stderr
    password = re.search(r"password: (\S+)", result.stdout).group(1)
    srv.start()
    yield srv, password, result.stdout
    srv.stop()


def client(srv, password, name):
    web = WebClient(srv.url)
    page = web.get("/login")
    token = re.search(r'name="_csrf" value="([^"]*)"', page.text).group(1)
    signed = web.session.post(srv.url + "/login", data={"_csrf": token, "username": name, "password": password, "next": "/"})
    assert signed.status_code == 200 and "/login" not in signed.url, signed.url
    return web


def size(driver, name):
    width, height, mobile = SIZES[name]
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


@contextlib.contextmanager
def browser(srv, password, name, size_name="phone", script=True):
    driver = make_browser()
    try:
        if not script:
            driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        size(driver, size_name)
        driver.get(srv.url + "/login")
        fill(driver, {"username": name, "password": password})
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, 'form[action="/login"] button[type="submit"]'))
        yield driver
    finally:
        driver.quit()


def fits(driver):
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def own_post(web, name, text):
    posted = web.post("/statuses", {"text": text, "visibility": "public", "return_to": "/"}, page="/")
    assert posted.status_code == 200
    return re.search(r'id="status-(\d+)"', web.get(f"/@{name}").text).group(1)


# MARK: the command line and the demo


def test_demo_creates_conversations_newsgroups_and_an_admin_and_says_how_to_sign_in(demo):
    srv, password, output = demo
    assert "3 conversations" in output and "3 newsgroups with 8 articles" in output, output
    for line in ["admin         jiho", "visitor       anna_visit", "official      newsagency, health"]:
        assert line in output, output
    assert f"{srv.url.rsplit(':', 1)[0]}" in output or "/login" in output
    jiho = client(srv, password, "jiho")
    assert jiho.get("/admin").status_code == 200, "the demo admin has the Admin page"
    groups = jiho.get("/newsgroups").text
    for name in ["starcon.general", "campus.sports", "station.help"]:
        assert name in groups
    assert 'action="/newsgroups' in groups, "the admin creates newsgroups on the Newsgroups page"
    thread = jiho.get("/newsgroups/campus.sports").text
    assert "토요일 리그 경기 안내" in thread
    minjun = client(srv, password, "minjun")
    messages = minjun.get("/messages").text
    assert "이서연" in messages and "Hiking club" in messages
    anna = client(srv, password, "anna_visit")
    assert "Hiking club" in anna.get("/messages").text


def test_reset_password_prints_a_one_time_link_that_sets_a_new_password(demo):
    srv, password, _ = demo
    result = srv.cli("user", "reset-password", "seoyeon")
    assert result.returncode == 0, result.stderr
    link = result.stdout.strip()
    assert "/reset/" in link
    path = "/reset/" + link.rsplit("/reset/", 1)[1]
    # The member can still sign in with the old password until the link is used: nothing else changed.
    client(srv, password, "seoyeon")
    visitor = WebClient(srv.url)
    done = visitor.post(path, {"new_password": "a new long password 15", "new_password_confirm": "a new long password 15"})
    assert done.status_code == 200 and "/login" in done.url
    client(srv, "a new long password 15", "seoyeon")
    assert visitor.get(path).status_code == 404, "the link works once"
    assert srv.cli("user", "reset-link", "seoyeon").returncode == 0, "the older name still works"
    missing = srv.cli("user", "reset-password", "nobody")
    assert missing.returncode == 1 and "no such account" in missing.stderr


def test_admin_gets_the_same_link_on_members_and_sign_in_says_ask_an_admin(demo):
    srv, password, _ = demo
    jiho = client(srv, password, "jiho")
    members = jiho.get("/admin/members").text
    wei_id = re.search(r'id="member-wei".*?action="/admin/members/(\d+)/reset-link"', members, re.S).group(1)
    assert f'action="/admin/members/{wei_id}/reset-link"' in members
    shown = jiho.post(f"/admin/members/{wei_id}/reset-link", {}, page="/admin/members")
    assert shown.status_code == 200 and re.search(r'id="reset-link">[^<]*/reset/', shown.text)
    sam = client(srv, password, "sam")
    assert sam.post(f"/admin/members/{wei_id}/reset-link", {}, page="/").status_code == 403, "members may not"
    assert "/reset-link" not in jiho.get("/admin/members").text.split('id="member-jiho"')[1].split("</li>")[0], "not for oneself"
    for language, words in [("en", "ask an admin"), ("ko", "관리자"), ("ru", "администратора"), ("zh", "管理员"), ("ja", "管理者")]:
        page = WebClient(srv.url, language=language).get("/login").text
        hint = re.search(r'id="forgot-password">([^<]*)<', page).group(1)
        assert words in hint.lower(), (language, hint)


# MARK: confirm pages without script


def confirm_page(response, action):
    assert response.status_code == 200, response.status_code
    assert response.text.count("<h1") == 1
    assert f'action="{action}"' in response.text and 'name="confirmed" value="1"' in response.text
    return response.text


def test_every_destructive_form_asks_first_and_changes_nothing_until_confirmed(demo):
    srv, password, _ = demo
    minjun = client(srv, password, "minjun")
    # Delete a post.
    status = own_post(minjun, "minjun", "지울 글 #safety")
    action = f"/statuses/{status}/delete"
    page = confirm_page(minjun.post(action, {"return_to": "/@minjun"}, page="/@minjun"), action)
    assert 'name="return_to" value="/@minjun"' in page and 'href="/@minjun"' in page, "the cancel link goes back"
    assert minjun.get(f"/@minjun/{status}").status_code == 200, "asking changed nothing"
    done = minjun.post(action, {"return_to": "/@minjun", "confirmed": "1"}, page="/@minjun")
    assert done.status_code == 200 and minjun.get(f"/@minjun/{status}").status_code == 404
    # Block.
    confirm_page(minjun.post("/@noodles/block", {"return_to": "/@noodles"}, page="/@noodles"), "/@noodles/block")
    assert "/@noodles/unblock" not in minjun.get("/@noodles").text
    minjun.post("/@noodles/block", {"return_to": "/@noodles", "confirmed": "1"}, page="/@noodles")
    assert "/@noodles/unblock" in minjun.get("/@noodles").text
    # Delete a message, remove a member, leave: in the demo's hiking club, which minjun started (its admin).
    messages = minjun.get("/messages").text
    club = re.search(r'href="/messages/(\d+)"[^>]*>\s*<span class="conversation-title">등산', messages).group(1)
    chat = minjun.get(f"/messages/{club}").text
    message_delete = re.findall(rf'action="(/messages/{club}/m/\d+/delete)"', chat)[-1]
    confirm_page(minjun.post(message_delete, {}, page=f"/messages/{club}"), message_delete)
    assert minjun.get(f"/messages/{club}").text.count("/delete\"") == chat.count("/delete\"")
    minjun.post(message_delete, {"confirmed": "1"}, page=f"/messages/{club}")
    assert message_delete not in minjun.get(f"/messages/{club}").text
    remove = re.search(rf'action="(/messages/{club}/members/\d+/remove)"', chat).group(1)
    confirm_page(minjun.post(remove, {}, page=f"/messages/{club}"), remove)
    assert remove in minjun.get(f"/messages/{club}").text
    minjun.post(remove, {"confirmed": "1"}, page=f"/messages/{club}")
    assert remove not in minjun.get(f"/messages/{club}").text
    leave = f"/messages/{club}/leave"
    confirm_page(minjun.post(leave, {}, page=f"/messages/{club}"), leave)
    assert minjun.get(f"/messages/{club}").status_code == 200
    minjun.post(leave, {"confirmed": "1"}, page=f"/messages/{club}")
    assert minjun.get(f"/messages/{club}").status_code == 404
    # An admin suspends: the reason comes along to the confirm page and back.
    jiho = client(srv, password, "jiho")
    members = jiho.get("/admin/members").text
    target = re.search(r'id="member-hanbit_fc".*?action="(/admin/members/\d+/suspend)"', members, re.S).group(1)
    page = confirm_page(jiho.post(target, {"reason": "spam <b>", "days": ""}, page="/admin/members"), target)
    assert 'name="reason" value="spam &lt;b&gt;"' in page and "spam &lt;b&gt;" in page
    assert "hanbit_fc\tmember\torganisation\tactive" in srv.cli("user", "list").stdout
    jiho.post(target, {"reason": "spam", "days": "", "confirmed": "1"}, page="/admin/members")
    assert "hanbit_fc\tmember\torganisation\tsuspended" in srv.cli("user", "list").stdout
    # A confirm page is no way around the CSRF check.
    forged = requests.post(srv.url + action, data={"confirmed": "1"}, cookies=minjun.session.cookies, allow_redirects=False)
    assert forged.status_code == 403


@pytest.mark.parametrize("size_name", list(SIZES))
def test_without_script_a_delete_shows_the_confirm_page_then_deletes(demo, size_name):
    srv, password, _ = demo
    web = client(srv, password, "sam")
    status = own_post(web, "sam", f"No-script delete on the {size_name}")
    with browser(srv, password, "sam", size_name, script=False) as driver:
        driver.get(srv.url + "/@sam")
        post = driver.find_element(By.ID, f"status-{status}")
        post.find_element(By.CSS_SELECTOR, "details.status-more summary").click()
        click_and_wait(driver, post.find_element(By.CSS_SELECTOR, 'button[formaction$="/delete"]'))
        assert driver.find_element(By.TAG_NAME, "h1").text.startswith("Delete this post?")
        assert fits(driver)
        screenshot(driver, f"safety-confirm-nojs-{size_name}-en")
        assert web.get(f"/@sam/{status}").status_code == 200
        click_and_wait(driver, driver.find_element(By.ID, "confirm-yes"))
        assert web.get(f"/@sam/{status}").status_code == 404


@pytest.mark.parametrize("size_name", list(SIZES))
def test_with_script_a_dialog_asks_cancel_keeps_and_confirm_deletes(demo, size_name):
    srv, password, _ = demo
    web = client(srv, password, "sam")
    status = own_post(web, "sam", f"Scripted delete on the {size_name}")
    with browser(srv, password, "sam", size_name) as driver:
        driver.get(srv.url + "/@sam")
        post = driver.find_element(By.ID, f"status-{status}")
        post.find_element(By.CSS_SELECTOR, "details.status-more summary").click()
        post.find_element(By.CSS_SELECTOR, 'button[formaction$="/delete"]').click()
        dialog = WebDriverWait(driver, WAIT).until(lambda d: d.find_element(By.CSS_SELECTOR, "dialog.confirm-dialog[open]"))
        assert "Delete this post?" in dialog.text
        screenshot(driver, f"safety-dialog-{size_name}-en")
        dialog.find_elements(By.TAG_NAME, "button")[1].click()  # Cancel
        WebDriverWait(driver, WAIT).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "dialog.confirm-dialog"))
        assert web.get(f"/@sam/{status}").status_code == 200, "cancel changed nothing"
        post.find_element(By.CSS_SELECTOR, 'button[formaction$="/delete"]').click()
        dialog = WebDriverWait(driver, WAIT).until(lambda d: d.find_element(By.CSS_SELECTOR, "dialog.confirm-dialog[open]"))
        click_and_wait(driver, dialog.find_elements(By.TAG_NAME, "button")[0])
        assert web.get(f"/@sam/{status}").status_code == 404


def test_with_script_leaving_a_chat_asks_in_a_dialog(demo):
    srv, password, _ = demo
    olga = client(srv, password, "olga")
    chat = re.search(r'href="(/messages/\d+)"', olga.get("/messages").text).group(1)
    with browser(srv, password, "olga") as driver:
        driver.get(srv.url + chat)
        leave = driver.find_element(By.CSS_SELECTOR, f'form[action="{chat}/leave"] button')
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", leave)
        leave.click()
        dialog = WebDriverWait(driver, WAIT).until(lambda d: d.find_element(By.CSS_SELECTOR, "dialog.confirm-dialog[open]"))
        assert "Покинуть" in dialog.text
        screenshot(driver, "safety-leave-dialog-phone-ru")
        dialog.find_elements(By.TAG_NAME, "button")[1].click()
    assert olga.get(chat).status_code == 200


# MARK: accessibility and weight


MAIN_PAGES = ["/", "/network", "/bookmarks", "/notifications", "/messages", "/newsgroups", "/newsgroups/starcon.general",
              "/mail", "/search", "/settings", "/@minjun", "/lists", "/admin", "/admin/members", "/admin/audit"]


def test_every_main_page_has_exactly_one_h1(demo):
    srv, password, _ = demo
    jiho = client(srv, password, "jiho")
    status = re.search(r'href="(/@\w+/\d+)"', jiho.get("/network").text).group(1)
    chat = re.search(r'href="(/messages/\d+)"', client(srv, password, "minjun").get("/messages").text).group(1)
    pages = MAIN_PAGES + [status, "/login"]
    for path in pages:
        response = (WebClient(srv.url) if path == "/login" else jiho).get(path)
        if response.status_code == 404:
            continue
        assert response.status_code == 200, (path, response.status_code)
        assert len(re.findall(r"<h1[\s>]", response.text)) == 1, (path, re.findall(r"<h1[^>]*>[^<]*", response.text))
    minjun = client(srv, password, "minjun")
    assert len(re.findall(r"<h1[\s>]", minjun.get(chat).text)) == 1


def test_reaction_buttons_are_named_in_the_viewers_language(demo):
    srv, password, _ = demo
    expected = {"en": "React with 👍", "ko": "👍(으)로 반응하기", "ru": "Реакция 👍", "zh": "用 👍 回应", "ja": "👍 でリアクション"}
    for language, name in SPEAKERS.items():
        page = client(srv, password, name).get("/network").text
        labels = re.findall(r'class="reaction[^"]*"[^>]*aria-label="([^"]*)"', page)
        assert labels and expected[language] in labels, (language, labels[:6])
    # A counted reaction says how many.
    sam = client(srv, password, "sam")
    status = re.search(r'formaction="/statuses/(\d+)/react-1f44d"', sam.get("/network").text).group(1)
    sam.post(f"/statuses/{status}/react-1f44d", {"return_to": "/network"}, page="/network")
    assert re.search(rf'formaction="/statuses/{status}/unreact-1f44d"[^>]*aria-label="React with 👍 \(1\)"', sam.get("/network").text)


def test_a_post_is_one_toolbar_one_csrf_token_and_bookmark_is_not_a_flag(demo):
    srv, password, _ = demo
    page = client(srv, password, "sam").get("/network").text
    posts = page.count('<article class="status')
    assert posts >= 10
    assert page.count('name="_csrf"') <= 4, "one token per page (act, logout, language) plus a poll's or warning's form"
    assert page.count('role="toolbar"') == posts
    bookmark = re.search(r'<button[^>]*class="link bookmark[^"]*"[^>]*>(.*?)</button>', page, re.S).group(1)
    assert "⚑" not in bookmark and "<svg" in bookmark
    with browser(srv, password, "sam", "desktop") as driver:
        driver.get(srv.url + "/network")
        toolbar = driver.find_element(By.CSS_SELECTOR, "article.status .status-toolbar")
        stops = [e for e in toolbar.find_elements(By.CSS_SELECTOR, "button, a[href], summary") if e.get_attribute("tabindex") == "0"]
        assert len(stops) == 1, "one tab stop per post"
        stops[0].send_keys(Keys.ARROW_RIGHT)
        focused = driver.switch_to.active_element
        assert focused != stops[0] and focused.get_attribute("tabindex") == "0"
        assert stops[0].get_attribute("tabindex") == "-1"


# MARK: screenshots in all five languages


@pytest.mark.parametrize("language", list(SPEAKERS))
def test_screenshots_of_the_new_pages_in_every_language(demo, language):
    srv, password, _ = demo
    name = SPEAKERS[language]
    web = client(srv, password, name)
    status = own_post(web, name, f"Screenshot {language}")
    with browser(srv, password, name, script=False) as driver:
        driver.get(srv.url + "/")
        post = driver.find_element(By.ID, f"status-{status}")
        post.find_element(By.CSS_SELECTOR, "details.status-more summary").click()
        driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", post)
        assert fits(driver)
        screenshot(driver, f"safety-post-menu-phone-{language}")
        click_and_wait(driver, post.find_element(By.CSS_SELECTOR, 'button[formaction$="/delete"]'))
        assert fits(driver)
        screenshot(driver, f"safety-confirm-delete-phone-{language}")
        driver.get(srv.url + "/@noodles")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, 'form[action="/@noodles/block"] button'))
        assert fits(driver)
        screenshot(driver, f"safety-confirm-block-phone-{language}")
        driver.delete_all_cookies()
        driver.get(srv.url + "/login")
        driver.add_cookie({"name": "sc_lang", "value": language, "path": "/"})
        driver.get(srv.url + "/login")
        assert fits(driver)
        screenshot(driver, f"safety-login-phone-{language}")
    with browser(srv, password, "jiho", script=False) as driver:
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, f'footer button[name="lang"][value="{language}"]'))
        driver.get(srv.url + "/admin/members")
        assert fits(driver)
        screenshot(driver, f"safety-admin-members-phone-{language}")
        row = driver.find_element(By.ID, "member-wei")
        click_and_wait(driver, row.find_element(By.CSS_SELECTOR, 'form[action$="/reset-link"] button'))
        assert fits(driver)
        screenshot(driver, f"safety-reset-link-phone-{language}")
        driver.get(srv.url + "/admin/members")
        row = driver.find_element(By.ID, "member-noodles")
        row.find_element(By.NAME, "reason").send_keys("test")
        click_and_wait(driver, row.find_element(By.CSS_SELECTOR, 'form[action$="/suspend"] button'))
        assert fits(driver)
        screenshot(driver, f"safety-confirm-suspend-phone-{language}")
        driver.find_element(By.ID, "confirm-no").click()
    assert "noodles\tmember\tcompany\tactive" in srv.cli("user", "list").stdout


# MARK: the messenger's list and picker, the composer


FIXTURES = Path(__file__).resolve().parents[2] / "Tests" / "StarconMediaTests" / "Fixtures"
PHOTOS = [str(FIXTURES / "oriented.jpg"), str(FIXTURES / "photo.webp")]


def test_suggestions_are_the_searchs_for_the_session(demo):
    srv, password, _ = demo
    sam = client(srv, password, "sam")
    people = sam.get("/suggest/people?q=ol").json()
    assert any(p["username"] == "olga" for p in people) and all(p["username"] != "sam" for p in people)
    assert "건강" in sam.get("/suggest/tags?q=%EA%B1%B4").json()
    assert sam.get("/suggest/people?q=").json() == []
    assert "/login" in WebClient(srv.url).get("/suggest/people?q=ol").url, "only for members"


def test_messenger_lists_first_and_starts_behind_a_button_with_a_picker_without_script(demo):
    srv, password, _ = demo
    page = client(srv, password, "sam").get("/messages").text
    assert 'id="new-conversation"' in page and 'action="/messages"' not in page
    assert page.index('id="new-conversation"') < page.index('class="conversations"')
    time_text = re.search(r'<time class="muted small" datetime="[^"]+" title="[^"]+">([^<]+)</time>', page).group(1)
    assert re.fullmatch(r"\d{1,2}:\d\d( [AP]M)?", time_text), "today's message shows its time"
    with browser(srv, password, "yuki", script=False) as driver:
        driver.get(srv.url + "/messages")
        click_and_wait(driver, driver.find_element(By.ID, "new-conversation"))
        driver.find_element(By.ID, "people-q").send_keys("Anna")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form.people-search button"))
        assert fits(driver)
        screenshot(driver, "messenger-picker-nojs-phone-ja")
        driver.find_element(By.CSS_SELECTOR, 'input[name="pick_anna_visit"]').click()
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".messenger-start button[type=submit]"))
        assert re.search(r"/messages/\d+", driver.current_url) and "Anna Schmidt" in driver.find_element(By.TAG_NAME, "h1").text


@pytest.mark.parametrize("size_name", list(SIZES))
def test_with_script_the_picker_completes_usernames(demo, size_name):
    srv, password, _ = demo
    with browser(srv, password, "wei", size_name) as driver:
        driver.get(srv.url + "/messages/new")
        driver.find_element(By.ID, "start-members").send_keys("ol")
        WebDriverWait(driver, WAIT).until(lambda d: d.find_elements(By.CSS_SELECTOR, '#people-list option[value="olga"]'))
        assert fits(driver)


@pytest.mark.parametrize("language", list(SPEAKERS))
def test_composer_one_photo_control_descriptions_and_reminder(demo, language):
    srv, password, _ = demo
    name = SPEAKERS[language]
    with browser(srv, password, name) as driver:
        driver.get(srv.url + "/")
        driver.find_element(By.CSS_SELECTOR, ".composer-photos summary").click()
        assert fits(driver)
        driver.find_element(By.NAME, "photos").send_keys("\n".join(PHOTOS))
        WebDriverWait(driver, WAIT).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".composer-preview img")) == 2)
        reminders = [e for e in driver.find_elements(By.CSS_SELECTOR, ".composer-preview .composer-alt-missing") if e.is_displayed()]
        assert len(reminders) == 2, "each photo without a description is pointed out"
        driver.find_element(By.ID, "alt1").send_keys("first photo " + language)
        WebDriverWait(driver, WAIT).until(lambda d: len([e for e in d.find_elements(By.CSS_SELECTOR, ".composer-alt-missing") if e.is_displayed()]) == 1)
        assert fits(driver)
        driver.execute_script("document.querySelector('form.composer').scrollIntoView()")
        screenshot(driver, f"composer-photos-phone-{language}")
        driver.find_element(By.ID, "alt2").send_keys("second photo " + language)
        driver.find_element(By.NAME, "text").send_keys(f"Two photos {language}")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form.composer button[type=submit]"))
        post = driver.find_element(By.CSS_SELECTOR, "article.status")
        alts = [img.get_attribute("alt") for img in post.find_elements(By.CSS_SELECTOR, ".status-media img")]
        assert alts == [f"first photo {language}", f"second photo {language}"], alts


def test_composer_without_script_posts_several_photos_from_one_control(demo):
    srv, password, _ = demo
    with browser(srv, password, "olga", script=False) as driver:
        driver.get(srv.url + "/")
        driver.find_element(By.CSS_SELECTOR, ".composer-photos summary").click()
        driver.find_element(By.NAME, "photos").send_keys("\n".join(PHOTOS))
        driver.find_element(By.ID, "alt1").send_keys("первое")
        driver.find_element(By.ID, "alt2").send_keys("второе")
        driver.find_element(By.NAME, "text").send_keys("Два фото без скрипта")
        assert fits(driver)
        screenshot(driver, "composer-photos-nojs-phone-ru")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form.composer button[type=submit]"))
        post = driver.find_element(By.CSS_SELECTOR, "article.status")
        assert [img.get_attribute("alt") for img in post.find_elements(By.CSS_SELECTOR, ".status-media img")] == ["первое", "второе"]


def test_composer_completes_mentions_and_hashtags(demo):
    srv, password, _ = demo
    with browser(srv, password, "minjun") as driver:
        driver.get(srv.url + "/")
        text = driver.find_element(By.NAME, "text")
        text.send_keys("Hello @ol")
        WebDriverWait(driver, WAIT).until(lambda d: [e for e in d.find_elements(By.CSS_SELECTOR, "#composer-suggest li") if e.is_displayed()])
        screenshot(driver, "composer-mention-phone-ko")
        text.send_keys(Keys.ENTER)
        assert text.get_attribute("value") == "Hello @olga "
        text.send_keys("#건")
        WebDriverWait(driver, WAIT).until(lambda d: [e for e in d.find_elements(By.CSS_SELECTOR, "#composer-suggest li") if e.is_displayed()])
        text.send_keys(Keys.TAB)
        assert text.get_attribute("value") == "Hello @olga #건강 "
