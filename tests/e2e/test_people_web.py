"""What members expect of a social network's web pages (issue 15), in headless Chromium at a phone's size
(390×844) and a desktop's (1280×900), with script on and off, in all five languages: a photo viewer, the
member directory, profile pictures next to names, follower and following lists, a Message button, grouped
and compact notifications with "mark all as read", and paging both ways (the next page loading as the
member scrolls when script is on). Screenshots of each new page go to test-artifacts/."""
import contextlib
import re
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import PASSWORD, Server
from test_browser import click_and_wait, make_browser, screenshot
from test_web_layout import LANGUAGES, LAYOUT_PROBLEMS, SIZES, WAIT, sign_in, size, set_language
from webclient import WebClient

PHOTO = Path(__file__).resolve().parents[2] / "Tests" / "StarconMediaTests" / "Fixtures" / "oriented.jpg"
ALTS = ["첫 번째 사진: 대동강", "두 번째 사진: 냉면", "세 번째 사진: 저녁 노을"]


def post_with_photos(client, text, alts):
    files = {f"photo{n + 1}": (f"p{n}.jpg", PHOTO.read_bytes(), "image/jpeg") for n in range(len(alts))}
    data = {"text": text, "visibility": "public", **{f"alt{n + 1}": alt for n, alt in enumerate(alts)}}
    response = client.post("/statuses", data, page="/", files=files)
    assert response.status_code == 200, response.text[:300]


def set_avatar(client, display_name):
    fields = {"display_name": display_name, "bio": "", "language": "", "time_zone": "", "discoverable": "1"}
    response = client.post("/settings", fields, files={"avatar": ("a.jpg", PHOTO.read_bytes(), "image/jpeg")})
    assert response.status_code == 200, response.text[:300]


@pytest.fixture(scope="module")
def people(tmp_path_factory):
    """minjun posts photos and many posts; four members follow and like him; an official account; olga
    blocks yuki."""
    srv = Server(str(tmp_path_factory.mktemp("people")))
    for name, display, kind in [("minjun", "김민준", "person"), ("olga", "Ольга Смирнова", "person"), ("yuki", "佐藤 由紀", "person"),
                                ("wei", "王伟", "person"), ("anna", "Anna Berg", "person"), ("office", "평양시 인민위원회", "official")]:
        assert srv.cli("user", "add", name, "--display-name", display, "--kind", kind, stdin=PASSWORD + "\n").returncode == 0
    srv.cli("group", "create", "starcon.people", "--description", "Paging")
    srv.start()
    clients = {}
    for name in ["minjun", "olga", "yuki", "wei", "anna"]:
        clients[name] = WebClient(srv.url)
        clients[name].login(name)
    minjun = clients["minjun"]
    set_avatar(minjun, "김민준")
    for n in range(45):
        minjun.post("/statuses", {"text": f"글 {n}: 오늘의 산책 기록", "visibility": "public"}, page="/")
    post_with_photos(minjun, "대동강 산책 사진입니다", ALTS)
    photo_post = re.search(r'action="/statuses/(\d+)/favourite"', minjun.get("/@minjun").text).group(1)
    for name in ["olga", "yuki", "wei", "anna"]:
        clients[name].post("/@minjun/follow", {"return_to": "/@minjun"}, page="/@minjun")
        clients[name].post(f"/statuses/{photo_post}/favourite", {"return_to": "/@minjun"}, page="/@minjun")
    clients["olga"].post("/@yuki/block", {"return_to": "/@yuki", "confirmed": "1"}, page="/@yuki")
    yield srv, photo_post
    srv.stop()


@contextlib.contextmanager
def browser(srv, username, language="en", size_name="phone", script=True):
    driver = make_browser()
    try:
        if not script:
            driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        size(driver, size_name)
        sign_in(driver, srv.url, username, language)
        yield driver
    finally:
        driver.quit()


def fits(driver):
    problems = driver.execute_script(LAYOUT_PROBLEMS)
    assert not problems, (driver.current_url, problems)


# The open photo dialog covers the page (its menu too): nothing in it wider than the screen or cut.
OVERLAY_PROBLEMS = """
const width = window.innerWidth, problems = [];
if (document.documentElement.scrollWidth > width) problems.push('page ' + document.documentElement.scrollWidth + 'px wide');
for (const e of document.querySelectorAll('.viewer-overlay *')) {
  const r = e.getBoundingClientRect();
  if (r.width && (r.left < -0.5 || r.right > width + 0.5)) problems.push('outside: ' + e.className);
  if (e.matches('a.button') && e.scrollWidth > e.clientWidth + 1) problems.push('clipped: ' + e.textContent.trim());
}
return problems;
"""


# Photo viewer

def test_posts_carry_their_language(people):
    srv, photo_post = people
    page = WebClient(srv.url)
    page.login("olga")
    html = page.get("/@minjun").text
    assert re.search(rf'id="status-{photo_post}".*?<div class="status-content" lang="ko">', html, re.S)


def test_photo_viewer_without_script_steps_through_the_post_and_returns_to_the_same_place(people):
    srv, photo_post = people
    with browser(srv, "olga", "ru", script=False) as driver:
        driver.get(srv.url + "/@minjun")
        photos = driver.find_elements(By.CSS_SELECTOR, f"#status-{photo_post} .status-media a.photo")
        assert len(photos) == 3
        click_and_wait(driver, photos[1])
        assert f"/statuses/{photo_post}/photos/2" in driver.current_url
        assert driver.find_element(By.CSS_SELECTOR, ".viewer-caption").text == ALTS[1]
        assert driver.find_element(By.CSS_SELECTOR, ".viewer-image img").get_attribute("alt") == ALTS[1]
        assert "2 из 3" in driver.find_element(By.CSS_SELECTOR, ".viewer-position").text
        for language in LANGUAGES:
            set_language(driver, language)
            driver.refresh()
            assert driver.find_element(By.CSS_SELECTOR, ".viewer-caption").get_attribute("lang") == "ko"
            fits(driver)
            screenshot(driver, f"people-viewer-page-phone-{language}")
        set_language(driver, "ru")
        driver.refresh()
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "a.viewer-next"))
        assert driver.find_element(By.CSS_SELECTOR, ".viewer-caption").text == ALTS[2]
        assert not driver.find_elements(By.CSS_SELECTOR, "a.viewer-next"), "the last photo has no next"
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "a.viewer-previous"))
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "a.viewer-previous"))
        assert not driver.find_elements(By.CSS_SELECTOR, "a.viewer-previous"), "the first photo has no previous"
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "a.viewer-close"))
        assert driver.current_url.endswith(f"/@minjun#status-{photo_post}")


def test_photo_viewer_page_refuses_what_is_not_there(people):
    srv, photo_post = people
    member = WebClient(srv.url)
    member.login("wei")
    assert member.get(f"/statuses/{photo_post}/photos/4").status_code == 404
    assert member.get(f"/statuses/{photo_post}/photos/0").status_code == 404
    assert member.get("/statuses/999999999/photos/1").status_code == 404
    # A return address elsewhere is not followed: closing goes back to the post.
    page = member.get(f"/statuses/{photo_post}/photos/1?back=//evil.example/").text
    assert f'href="/@minjun/{photo_post}#status-{photo_post}"' in page


def caption(driver):
    return driver.execute_script("const c = document.querySelector('.viewer-overlay .viewer-caption'); return c && c.textContent")


@pytest.mark.parametrize("size_name", ["phone", "desktop"])
def test_photo_viewer_with_script_opens_over_the_page(people, size_name):
    srv, photo_post = people
    with browser(srv, "yuki", "ja", size_name) as driver:
        driver.get(srv.url + "/@minjun")
        link = driver.find_elements(By.CSS_SELECTOR, f"#status-{photo_post} .status-media a.photo")[0]
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
        before = driver.execute_script("return window.scrollY")
        driver.execute_script("window.__samePage = true")
        link.click()
        WebDriverWait(driver, WAIT).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".viewer-overlay .viewer-caption"))
        overlay = driver.find_element(By.CSS_SELECTOR, ".viewer-overlay")
        assert overlay.get_attribute("role") == "dialog"
        assert driver.find_element(By.CSS_SELECTOR, ".viewer-overlay .viewer-caption").text == ALTS[0]
        assert driver.execute_script("return document.activeElement.classList.contains('viewer-close')")
        assert not driver.execute_script(OVERLAY_PROBLEMS)
        screenshot(driver, f"people-viewer-overlay-{size_name}-ja")
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
        WebDriverWait(driver, WAIT).until(lambda d: caption(d) == ALTS[1])
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_LEFT)
        WebDriverWait(driver, WAIT).until(lambda d: caption(d) == ALTS[0])
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
        WebDriverWait(driver, WAIT).until(lambda d: not d.find_elements(By.CSS_SELECTOR, ".viewer-overlay"))
        assert driver.execute_script("return window.__samePage === true"), "the page was not reloaded"
        assert abs(driver.execute_script("return window.scrollY") - before) < 5
        assert driver.execute_script("return document.activeElement === arguments[0]", link), "focus returns to the photo"


# People: directory, lists, pictures, Message

@pytest.mark.parametrize("size_name", ["phone", "desktop"])
@pytest.mark.parametrize("script", [True, False])
def test_directory_filters_by_kind_and_finds_names_in_any_script(people, size_name, script):
    srv, _ = people
    with browser(srv, "wei", "en", size_name, script) as driver:
        for language in LANGUAGES:
            set_language(driver, language)
            driver.get(srv.url + "/people")
            names = [a.text for a in driver.find_elements(By.CSS_SELECTOR, ".person-name")]
            assert "김민준" in names and "평양시 인민위원회" in names, (language, names)
            fits(driver)
            if size_name == "phone" and not script:
                screenshot(driver, f"people-directory-phone-{language}")
        driver.find_element(By.ID, "people-q").send_keys("Ольга")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".people-filter button"))
        assert [a.text for a in driver.find_elements(By.CSS_SELECTOR, ".person-name")] == ["Ольга Смирнова"]
        driver.get(srv.url + "/people?q=" + "민준")
        assert [a.text for a in driver.find_elements(By.CSS_SELECTOR, ".person-name")] == ["김민준"]
        driver.get(srv.url + "/people?kind=official")
        assert [a.text for a in driver.find_elements(By.CSS_SELECTOR, ".person-name")] == ["평양시 인민위원회"]
        driver.get(srv.url + "/people?q=" + "평양" + "&kind=person")
        assert driver.find_elements(By.CSS_SELECTOR, ".people-list .person") == []


def test_directory_leaves_out_who_blocked_the_viewer(people):
    srv, _ = people
    yuki = WebClient(srv.url)
    yuki.login("yuki")
    assert "Ольга Смирнова" not in yuki.get("/people").text
    assert "Ольга Смирнова" not in yuki.get("/people?q=olga").text


@pytest.mark.parametrize("size_name", ["phone", "desktop"])
def test_profile_counts_lead_to_follower_and_following_lists_with_pictures(people, size_name):
    srv, _ = people
    with browser(srv, "anna", "en", size_name, script=False) as driver:
        for language in LANGUAGES:
            set_language(driver, language)
            driver.get(srv.url + "/@minjun")
            fits(driver)
            if size_name == "phone":
                screenshot(driver, f"people-profile-phone-{language}")
            click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, '.profile-counts a[href="/@minjun/followers"]'))
            names = {a.text for a in driver.find_elements(By.CSS_SELECTOR, ".person-name")}
            assert names == {"Ольга Смирнова", "佐藤 由紀", "王伟", "Anna Berg"}, (language, names)
            fits(driver)
            if size_name == "phone":
                screenshot(driver, f"people-followers-phone-{language}")
            driver.get(srv.url + "/@anna/following")
            person = driver.find_element(By.CSS_SELECTOR, ".people-list .person")
            assert "김민준" in person.text
            # minjun's picture, wherever his name appears.
            assert person.find_element(By.CSS_SELECTOR, ".avatar-photo img").get_attribute("src").startswith(srv.url + "/media/")
            fits(driver)
        driver.get(srv.url + "/@minjun")
        assert driver.find_elements(By.CSS_SELECTOR, "article.status .avatar-photo img"), "pictures next to names in the feed"


def test_follower_lists_follow_the_profiles_rules(people):
    srv, _ = people
    yuki = WebClient(srv.url)
    yuki.login("yuki")
    assert yuki.get("/@olga/followers").status_code == 404, "olga blocked yuki: her lists are not there for yuki"
    assert yuki.get("/@nobody/following").status_code == 404
    # Whoever blocked the viewer is left out of any list the viewer reads.
    assert "Ольга Смирнова" not in yuki.get("/@minjun/followers").text
    assert "Ольга Смирнова" in signed_in_client(srv, "wei").get("/@minjun/followers").text


def signed_in_client(srv, name):
    client = WebClient(srv.url)
    client.login(name)
    return client


def test_message_button_opens_the_same_conversation_and_respects_blocks(people):
    srv, _ = people
    with browser(srv, "wei", "zh", script=False) as driver:
        driver.get(srv.url + "/@minjun")
        screenshot(driver, "people-message-button-phone-zh")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, '.profile-actions form[action="/messages"] button'))
        first = re.search(r"/messages/(\d+)", driver.current_url).group(1)
        driver.get(srv.url + "/@minjun")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, '.profile-actions form[action="/messages"] button'))
        assert re.search(r"/messages/(\d+)", driver.current_url).group(1) == first, "the pair's conversation, every time"
    olga = WebClient(srv.url)
    olga.login("olga")
    assert 'action="/messages"' not in olga.get("/@yuki").text, "no Message button for someone one blocks"
    assert 'action="/messages"' not in olga.get("/@olga").text, "none on one's own profile"


# Notifications

def test_notifications_are_grouped_compact_and_marked_read_with_a_button(people):
    srv, photo_post = people
    for language, pattern in [("en", r"and 3 others liked your post"), ("ko", r"외 3명이 회원님의 글을 좋아합니다"),
                              ("ru", r"и ещё 3 человека: нравится ваша запись"), ("zh", r"和另外 3 人赞了你的动态"),
                              ("ja", r"ほか3人があなたの投稿にいいねしました")]:
        with browser(srv, "minjun", language, script=False) as driver:
            driver.get(srv.url + "/notifications")
            lines = driver.find_elements(By.CSS_SELECTOR, "li.notification")
            liked = [li for li in lines if re.search(pattern, li.text)]
            assert len(liked) == 1, (language, [li.text for li in lines])
            assert liked[0].find_element(By.CSS_SELECTOR, ".notif-text a").get_attribute("href").endswith(f"/@minjun/{photo_post}")
            assert not driver.find_elements(By.CSS_SELECTOR, "li.notification .status-media"), "no full-size photos"
            thumb = liked[0].find_element(By.CSS_SELECTOR, ".notif-post img")
            assert thumb.size["width"] <= 48
            follows = [li for li in lines if li.find_elements(By.CSS_SELECTOR, ".notif-people .avatar-link")
                       and len(li.find_elements(By.CSS_SELECTOR, ".notif-people .avatar-link")) == 4]
            assert len(follows) == 2, "the likes and the follows, each one line with four faces"
            fits(driver)
            screenshot(driver, f"people-notifications-phone-{language}")
    minjun = WebClient(srv.url)
    minjun.login("minjun")
    assert "bell-count" not in minjun.get("/").text, "seen notifications are no longer counted"
    page = minjun.get("/notifications").text
    assert 'class="notification unread"' in page, "still unread until marked"
    response = minjun.post("/notifications/read", {}, page="/notifications")
    assert response.status_code == 200 and response.url.endswith("/notifications")
    assert 'class="notification unread"' not in response.text
    assert 'action="/notifications/read"' not in response.text
    # Without the form's token nothing changes.
    assert minjun.session.post(srv.url + "/notifications/read", data={"x": "1"}, timeout=30).status_code == 403


def test_notifications_mark_all_read_in_a_browser_without_script(people):
    srv, _ = people
    clients = WebClient(srv.url)
    clients.login("anna")
    clients.post("/@olga/follow", {"return_to": "/@olga"}, page="/@olga")
    with browser(srv, "olga", "ru", "desktop", script=False) as driver:
        driver.get(srv.url + "/notifications")
        assert driver.find_elements(By.CSS_SELECTOR, "li.notification.unread")
        fits(driver)
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, 'form[action="/notifications/read"] button'))
        assert not driver.find_elements(By.CSS_SELECTOR, "li.notification.unread")


# Paging both ways

def ids(driver):
    return [a.get_attribute("id") for a in driver.find_elements(By.CSS_SELECTOR, "article.status")]


@pytest.mark.parametrize("size_name", ["phone", "desktop"])
def test_profile_pages_older_and_newer_without_script(people, size_name):
    srv, _ = people
    with browser(srv, "olga", "ko", size_name, script=False) as driver:
        driver.get(srv.url + "/@minjun")
        first = ids(driver)
        assert not driver.find_elements(By.CSS_SELECTOR, ".pager-newer")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".pager-older a"))
        second = ids(driver)
        assert second and not set(first) & set(second)
        fits(driver)
        if size_name == "phone":
            screenshot(driver, "people-paging-phone-ko")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".pager-newer a"))
        assert "min_id=" in driver.current_url
        back = ids(driver)
        assert back[-1] == first[-1] and set(back) <= set(first), "newer leads back to the page before"


def test_timelines_and_notifications_page_both_ways(people):
    srv, _ = people
    olga = WebClient(srv.url)
    olga.login("olga")
    first = olga.get("/network").text
    older = re.search(r'class="pager pager-older"><a href="([^"]+)"', first).group(1)
    assert "pager-newer" not in first
    second = olga.get(older.replace("&amp;", "&")).text
    newer = re.search(r'class="pager pager-newer"><a href="([^"]+)"', second).group(1)
    assert "min_id=" in newer
    assert re.findall(r'id="status-(\d+)"', olga.get(newer).text)[-1] == re.findall(r'id="status-(\d+)"', first)[-1]


def test_the_next_page_loads_as_the_member_scrolls(people):
    srv, _ = people
    with browser(srv, "wei", "en") as driver:
        driver.get(srv.url + "/@minjun")
        count = len(ids(driver))
        driver.execute_script("window.__samePage = true")
        driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
        WebDriverWait(driver, WAIT).until(lambda d: len(ids(d)) > count)
        assert driver.execute_script("return window.__samePage === true")
        assert len(set(ids(driver))) == len(ids(driver)), "no post twice"
        driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
        WebDriverWait(driver, WAIT).until(lambda d: len(ids(d)) >= 46 and not d.find_elements(By.CSS_SELECTOR, ".pager-older"))
        fits(driver)


@pytest.fixture(scope="module")
def threads(people):
    srv, _ = people
    author = signed_in_client(srv, "anna")
    for n in range(65):
        author.post("/newsgroups/starcon.people/post", {"subject": f"주제 {n:02d}", "body": f"본문 {n}"}, page="/newsgroups/starcon.people")
    return "/newsgroups/starcon.people"


def subjects(driver):
    return [a.text for a in driver.find_elements(By.CSS_SELECTOR, "ul.threads a.thread-subject")]


def test_newsgroup_threads_page_both_ways_without_script(people, threads):
    srv, _ = people
    with browser(srv, "wei", "ko", script=False) as driver:
        driver.get(srv.url + threads)
        first = subjects(driver)
        assert first[0] == "주제 64" and len(first) == 30
        assert not driver.find_elements(By.CSS_SELECTOR, ".pager-newer")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".pager-older a"))
        second = subjects(driver)
        assert second[0] == "주제 34" and len(second) == 30
        fits(driver)
        screenshot(driver, "people-newsgroup-paging-phone-ko")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, ".pager-newer a"))
        assert subjects(driver) == first


def test_newsgroup_threads_load_on_scroll_with_script(people, threads):
    srv, _ = people
    with browser(srv, "yuki", "ja", "desktop") as driver:
        driver.get(srv.url + threads)
        driver.execute_script("window.__samePage = true")
        for _ in range(2):
            driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
            WebDriverWait(driver, WAIT).until(lambda d: len(subjects(d)) in (60, 65))
        WebDriverWait(driver, WAIT).until(lambda d: len(subjects(d)) == 65)
        assert driver.execute_script("return window.__samePage === true")
        assert subjects(driver)[-1] == "주제 00"
