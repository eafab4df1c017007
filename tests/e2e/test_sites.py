"""Sites end to end, on both engines: a site granted from the command line, an editor publishing a Korean page
with a Russian translation, served at /sites/NAME/ and at NAME.DOMAIN in the visitor's language with hreflang
alternates and lang attributes, cached with ETags, an article reaching a follower's home (Mastodon API) and the
Atom feed, a revision restored, and a suspended owner's site offline. Then the editor's journey in headless
Chromium at phone size with JavaScript off."""
import html
import re
import xml.etree.ElementTree as ET

import requests
from mastodon import Mastodon
from selenium.webdriver.common.by import By

from conftest import PASSWORD
from test_browser import click_css_and_wait, fill, make_browser, screenshot
from webclient import WebClient, text_of


def add_user(server, name, *args):
    result = server.cli("user", "add", name, *args, stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr


def grant_site(server):
    add_user(server, "kcna", "--kind", "organisation", "--display-name", "조선중앙통신")
    add_user(server, "writer", "--display-name", "Writer")
    add_user(server, "reader", "--display-name", "Reader")
    refused = server.cli("site", "create", "readersite", "--owner", "reader")
    assert refused.returncode != 0, "a person's account may not own a site"
    created = server.cli("site", "create", "kcna", "--owner", "kcna")
    assert created.returncode == 0, created.stderr
    assert server.cli("site", "create", "kcna", "--owner", "kcna").returncode != 0, "names are unique"
    assert server.cli("site", "editor", "add", "kcna", "writer").returncode == 0


def new_page(editor, slug, kind="page"):
    response = editor.post("/site-editor/kcna/pages", {"slug": slug, "kind": kind, "parent": "", "position": "0"}, page="/site-editor/kcna")
    assert response.status_code == 200, response.text[:400]
    match = re.search(r"/site-editor/kcna/pages/(\d+)", response.url)
    assert match, response.url
    return match.group(1)


def write(editor, page_id, language, title, body, action="publish"):
    path = f"/site-editor/kcna/pages/{page_id}"
    response = editor.post(path, {"language": language, "title": title, "body": body, "action": action, "publish_at": ""},
                           page=f"{path}?lang={language}")
    assert response.status_code == 200, response.text[:400]
    return response


def visit(url, path, language, host=None, **headers):
    headers = {"Accept-Language": language, **headers}
    if host:
        headers["Host"] = host
    return requests.get(url + path, headers=headers, timeout=10)


def test_site_from_the_command_line_to_visitors_followers_and_the_feed(any_server):
    url = any_server.url
    grant_site(any_server)
    client_id, secret = Mastodon.create_app("sites e2e", scopes=["read", "write", "follow"], api_base_url=url)
    reader = Mastodon(client_id=client_id, client_secret=secret, api_base_url=url, version_check_mode="none")
    reader.log_in("reader", PASSWORD, scopes=["read", "write", "follow"])
    reader.account_follow(reader.account_lookup("kcna")["id"])

    # A visitor who is not an editor is refused the editor's pages.
    stranger = WebClient(url)
    stranger.login("reader")
    assert stranger.get("/site-editor/kcna").status_code == 403

    editor = WebClient(url, language="ko")
    editor.login("writer")
    home_id = new_page(editor, "")
    write(editor, home_id, "ko", "조선중앙통신 누리집", "# 환영합니다\n\n**소식**을 전합니다. <script>alert(1)</script>")
    write(editor, home_id, "ru", "Сайт агентства", "# Добро пожаловать\n\nНовости агентства.")

    for address, host in [("/sites/kcna/", None), ("/", "kcna.starcon.local")]:
        russian = visit(url, address, "ru-RU,ru;q=0.9", host=host)
        assert russian.status_code == 200, russian.text[:300]
        page = russian.text
        assert '<html lang="ru">' in page and "Добро пожаловать" in page
        assert re.search(r'<link rel="alternate" hreflang="ko" href="[^"]*\?lang=ko">', page)
        assert re.search(r'<link rel="alternate" hreflang="ru" href="[^"]*\?lang=ru">', page)
        assert 'hreflang="x-default"' in page
        # The switcher links the translations that exist and shows the others as missing.
        assert re.search(r'<a href="[^"]*\?lang=ko" hreflang="ko" lang="ko"', page)
        assert re.search(r'<span class="site-missing" lang="ja"', page)
        korean = visit(url, address, "ko-KR", host=host).text
        assert '<html lang="ko">' in korean and "환영합니다" in korean
        assert "<script>" not in korean and "&lt;script&gt;alert(1)&lt;/script&gt;" in korean
        # Japanese is not written yet: the page comes in the first language it has, saying so in Japanese.
        japanese = visit(url, address, "ja-JP", host=host).text
        assert '<html lang="ko">' in japanese and 'class="site-notice" lang="ja"' in japanese
        chosen = visit(url, address + "?lang=ru", "ko-KR", host=host).text
        assert '<html lang="ru">' in chosen
    hosted = visit(url, "/", "ko", host="kcna.starcon.local").text
    assert 'href="/feed.atom"' in hosted and "/sites/kcna" not in hosted.split("<body")[1].split("</header>")[0]

    # Cached: an ETag and a lifetime, 304 when the visitor has it; light.
    first = visit(url, "/sites/kcna/", "ko")
    assert first.headers["ETag"] and "max-age" in first.headers["Cache-Control"]
    assert visit(url, "/sites/kcna/", "ko", **{"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert len(first.content) < 30_000

    # A news article: in the follower's home as the site's post, and in the Atom feed.
    article_id = new_page(editor, "news/launch", kind="article")
    write(editor, article_id, "ko", "위성 발사 소식", "오늘 발사했습니다.")
    home = reader.timeline_home()
    assert home and home[0]["account"]["username"] == "kcna" and "위성 발사 소식" in home[0]["content"]
    feed = requests.get(url + "/sites/kcna/feed.atom", timeout=10)
    assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert [e.find("a:title", ns).text for e in entries] == ["위성 발사 소식"]
    assert entries[0].get("{http://www.w3.org/XML/1998/namespace}lang") == "ko"
    assert "위성 발사 소식" in visit(url, "/sites/kcna/", "ko").text, "the home page lists the news"
    assert "오늘 발사했습니다" in visit(url, "/sites/kcna/news/launch", "ko").text

    # A revision restored: the first Korean text is back.
    write(editor, home_id, "ko", "바뀐 제목", "바뀐 본문")
    assert "바뀐 본문" in visit(url, "/sites/kcna/", "ko").text
    edit_page = editor.get(f"/site-editor/kcna/pages/{home_id}?lang=ko").text
    revisions = re.findall(r'name="revision" value="(\d+)"', edit_page)
    assert len(revisions) == 4, "publish, save, publish, save (newest first)"
    restored = editor.post(f"/site-editor/kcna/pages/{home_id}/restore", {"revision": revisions[-1]}, page=f"/site-editor/kcna/pages/{home_id}?lang=ko")
    assert restored.status_code == 200
    page = visit(url, "/sites/kcna/", "ko").text
    assert "환영합니다" in page and "바뀐 본문" not in page
    assert "@writer" in editor.get(f"/site-editor/kcna/pages/{home_id}?lang=ko").text

    # The directory lists the site by kind and language.
    assert "/sites/kcna/" in requests.get(url + "/sites?kind=organisation&lang=ru", timeout=10).text
    assert "/sites/kcna/" not in requests.get(url + "/sites?kind=company", timeout=10).text

    # A suspended owner's site is offline, at both addresses, with a notice.
    assert any_server.cli("user", "suspend", "kcna", "--reason", "test").returncode == 0
    for address, host in [("/sites/kcna/", None), ("/", "kcna.starcon.local"), ("/sites/kcna/feed.atom", None)]:
        offline = visit(url, address, "en", host=host)
        assert offline.status_code == 403 and "suspended" in text_of(offline.text), offline.text[:300]
    assert "/sites/kcna/" not in requests.get(url + "/sites", timeout=10).text


def make_phone_browser_without_script(language):
    driver = make_browser(language)
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    driver.set_window_size(390, 844)
    return driver


def no_horizontal_scroll(driver):
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    width = driver.execute_script("return document.documentElement.scrollWidth")
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    return width <= 390


def test_editor_journey_on_a_phone_without_javascript(server):
    grant_site(server)
    driver = make_phone_browser_without_script("ko-KR")
    try:
        driver.get(server.url + "/login")
        fill(driver, {"username": "writer", "password": PASSWORD})
        click_css_and_wait(driver, 'form[action="/login"] button[type="submit"]')
        driver.get(server.url + "/site-editor/kcna")
        assert no_horizontal_scroll(driver)
        screenshot(driver, "sites-editor-dashboard")
        fill(driver, {"slug": "about"})
        click_css_and_wait(driver, 'form[action="/site-editor/kcna/pages"] button[type="submit"]')
        fill(driver, {"title": "기관 소개", "body": "## 우리는\n\n평양에 있습니다."})
        click_css_and_wait(driver, 'button[name="action"][value="publish"]')
        assert "게시됨" in driver.find_element(By.CSS_SELECTOR, ".site-state").text
        assert no_horizontal_scroll(driver)
        screenshot(driver, "sites-page-editor")
        click_css_and_wait(driver, '.site-tabs a[lang="ru"]')
        fill(driver, {"title": "О нас", "body": "## Мы\n\nНаходимся в Пхеньяне."})
        click_css_and_wait(driver, 'button[name="action"][value="publish"]')
        driver.get(server.url + "/sites/kcna/about")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ko"
        assert "우리는" in driver.find_element(By.TAG_NAME, "main").text
        assert no_horizontal_scroll(driver)
        screenshot(driver, "sites-page-ko")
        click_css_and_wait(driver, '.site-languages a[lang="ru"]')
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ru"
        assert "Находимся в Пхеньяне" in driver.find_element(By.TAG_NAME, "main").text
        assert no_horizontal_scroll(driver)
        screenshot(driver, "sites-page-ru")
        driver.get(server.url + "/sites")
        assert "kcna" in driver.page_source and no_horizontal_scroll(driver)
        screenshot(driver, "sites-directory")
    finally:
        driver.quit()


# ---- Search, reports, photos, moving and deleting (issue 18, second part) ----

def png_bytes(width=120, height=80):
    import io
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def site_hits(client, text):
    page = client.get("/search?" + requests.compat.urlencode({"q": text, "type": "sites"})).text
    return re.findall(r'<a href="(/sites/kcna/[^"]*)"', page)


def test_site_pages_in_search_reports_photos_moves_and_deletes(any_server):
    url = any_server.url
    grant_site(any_server)
    add_user(any_server, "mod", "--role", "moderator")
    editor = WebClient(url, language="ko")
    editor.login("writer")
    reader = WebClient(url, language="en")
    reader.login("reader")

    article_id = new_page(editor, "news/noodles", kind="article")
    write(editor, article_id, "ko", "평양냉면 소식", "오늘 점심은 평양냉면이었습니다.")
    write(editor, article_id, "zh", "平壤冷面", "今天午饭吃了平壤冷面。")
    write(editor, article_id, "ru", "Холодная лапша", "Сегодня на обед была холодная лапша.")
    draft_id = new_page(editor, "draft")
    write(editor, draft_id, "ko", "초안", "평양냉면 초안은 아직 비밀", action="save")

    # Found inside words, in every script, in the language that matched; a draft never.
    assert site_hits(reader, "냉면이었") == ["/sites/kcna/news/noodles?lang=ko"]
    assert site_hits(reader, "冷面") == ["/sites/kcna/news/noodles?lang=zh"]
    assert site_hits(reader, "ХОЛОДНАЯ") == ["/sites/kcna/news/noodles?lang=ru"]
    assert site_hits(reader, "비밀") == []
    tabs = reader.get("/search?q=x&type=sites").text
    assert 'aria-current="page">Sites</a>' in tabs
    # The Mastodon API's search answers Starcon's type=sites; Mastodon's three lists stay as they were.
    token = Mastodon.create_app("sites search", scopes=["read"], api_base_url=url)
    api = Mastodon(client_id=token[0], client_secret=token[1], api_base_url=url, version_check_mode="none")
    api.log_in("reader", PASSWORD, scopes=["read"])
    answer = requests.get(url + "/api/v2/search", params={"q": "лапша", "type": "sites"},
                          headers={"Authorization": "Bearer " + api.access_token}, timeout=10).json()
    assert [hit["url"] for hit in answer["sites"]] == [url + "/sites/kcna/news/noodles?lang=ru"]
    assert answer["statuses"] == [] and answer["accounts"] == []
    assert "sites" not in requests.get(url + "/api/v2/search", params={"q": "лапша"},
                                       headers={"Authorization": "Bearer " + api.access_token}, timeout=10).json()

    # An article page is light: under 30 KB on the wire without photos.
    article = requests.get(url + "/sites/kcna/news/noodles?lang=ko", timeout=10)
    assert article.status_code == 200 and len(article.content) < 30_000, len(article.content)

    # Unpublishing a language takes it out of search and off the site.
    path = f"/site-editor/kcna/pages/{article_id}"
    write(editor, article_id, "zh", "平壤冷面", "今天午饭吃了平壤冷面。", action="unpublish")
    assert site_hits(reader, "冷面") == []
    assert '<html lang="zh">' not in visit(url, "/sites/kcna/news/noodles?lang=zh", "zh").text

    # A photo uploaded in the editor goes through the media pipeline into the draft's Markdown, and is served.
    form = {"language": "ko", "title": "평양냉면 소식", "body": "오늘 점심은 평양냉면이었습니다.", "action": "photo",
            "photo_alt": "냉면 한 그릇", "publish_at": "", "_csrf": editor.csrf(path + "?lang=ko")}
    uploaded = editor.session.post(url + path, data=form, files={"photo": ("noodles.png", png_bytes(), "image/png")}, timeout=30)
    assert uploaded.status_code == 200, uploaded.text[:300]
    body = html.unescape(re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', uploaded.text, re.S).group(1))
    photo = re.search(r"!\[냉면 한 그릇\]\((/media/[0-9a-f]{64}-large\.(?:jpg|png))\)", body)
    assert photo and body.startswith("오늘 점심은"), body
    refused = editor.session.post(url + path, data={**form, "_csrf": editor.csrf(path + "?lang=ko")},
                                  files={"photo": ("x.png", b"not a picture", "image/png")}, timeout=30)
    assert refused.status_code == 422
    write(editor, article_id, "ko", "평양냉면 소식", body)
    shown = visit(url, "/sites/kcna/news/noodles?lang=ko", "ko").text
    assert f'<img src="{photo.group(1)}" alt="냉면 한 그릇"' in shown
    served = requests.get(url + photo.group(1), timeout=10)
    assert served.status_code == 200 and served.headers["Content-Type"].startswith("image/")
    # Only this server's media: a remote picture is its alt text.
    write(editor, article_id, "en", "Remote", "![tracker](https://example.org/pixel.png)")
    assert "<img" not in visit(url, "/sites/kcna/news/noodles?lang=en", "en").text.split("<main")[1]

    # A page is moved in the menu tree (recorded as a revision) and deleted after a confirmation.
    about_id = new_page(editor, "about")
    write(editor, about_id, "ko", "소개", "우리는 평양에 있습니다.")
    team_id = new_page(editor, "team")
    write(editor, team_id, "ko", "사람들", "편집부")
    moved = editor.post(f"/site-editor/kcna/pages/{team_id}/move", {"slug": "about/team", "parent": about_id, "position": "1", "language": "ko"},
                        page=f"/site-editor/kcna/pages/{team_id}?lang=ko")
    assert moved.status_code == 200 and "/team → /about/team" in moved.text
    assert visit(url, "/sites/kcna/team", "ko").status_code == 404
    about = visit(url, "/sites/kcna/about", "ko").text
    assert re.search(r'<a href="/sites/kcna/about"[^>]*>소개</a><ul><li><a href="/sites/kcna/about/team"', about), about
    bad = editor.post(f"/site-editor/kcna/pages/{about_id}/move", {"slug": "about", "parent": team_id, "position": "0", "language": "ko"},
                      page=f"/site-editor/kcna/pages/{about_id}?lang=ko")
    assert bad.status_code == 422
    no_token = editor.session.post(url + f"/site-editor/kcna/pages/{team_id}/delete", data={}, timeout=10)
    assert no_token.status_code == 403 and visit(url, "/sites/kcna/about/team", "ko").status_code == 200
    confirm = editor.get(f"/site-editor/kcna/pages/{team_id}/delete")
    assert confirm.status_code == 200 and "사람들" in confirm.text and f'action="/site-editor/kcna/pages/{team_id}/delete"' in confirm.text
    stranger = reader.post(f"/site-editor/kcna/pages/{team_id}/delete", {}, page="/search")
    assert stranger.status_code == 403
    deleted = editor.post(f"/site-editor/kcna/pages/{team_id}/delete", {}, page=f"/site-editor/kcna/pages/{team_id}/delete")
    assert deleted.status_code == 200 and deleted.url.endswith("/site-editor/kcna")
    assert visit(url, "/sites/kcna/about/team", "ko").status_code == 404
    assert site_hits(reader, "편집부") == []

    # Reporting a page: the link on the page, the confirm form, the moderators' queue, and the page taken down.
    page = visit(url, "/sites/kcna/about", "en").text
    report_link = html.unescape(re.search(r'<a href="([^"]*/report/site_page/\d+[^"]*)" rel="nofollow">Report this page</a>', page).group(1))
    report_path = report_link[len(url):]
    form_page = reader.get(report_path)
    assert form_page.status_code == 200 and "Report a site page" in form_page.text and "우리는 평양에 있습니다" in form_page.text
    sent = reader.post(report_path.split("?")[0], {"category": "spam", "comment": "advertising", "return_to": "/sites/kcna/about"}, page=report_path)
    assert sent.status_code == 200 and sent.url.endswith("/sites/kcna/about")
    moderator = WebClient(url, language="en")
    moderator.login("mod")
    queue = moderator.get("/admin/reports").text
    [report_id] = re.findall(r'id="report-(\d+)"', queue)
    assert "Site page" in queue and 'href="/sites/kcna/about"' in queue
    moderator.post(f"/admin/reports/{report_id}", {"outcome": "delete"}, page="/admin/reports")
    assert visit(url, "/sites/kcna/about", "ko").status_code == 404
    assert site_hits(reader, "평양에 있습니다") == []
    # A later report suspends the owner: the whole site leaves search.
    assert site_hits(reader, "평양냉면이었") == ["/sites/kcna/news/noodles?lang=ko"]
    assert any_server.cli("user", "suspend", "kcna", "--reason", "test").returncode == 0
    assert site_hits(reader, "평양냉면이었") == []
    assert reader.get(report_path).status_code == 404


def scroll_to(driver, css):
    """Scrolls a part of the page into view for a screenshot (the page itself runs no script)."""
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    driver.execute_script("document.querySelector(arguments[0]).scrollIntoView()", css)
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})


LANGUAGES = {"ko": "ko-KR", "en": "en-US", "ru": "ru-RU", "zh": "zh-CN", "ja": "ja-JP"}


def test_photo_move_and_delete_on_a_phone_without_javascript_in_every_language(server, tmp_path):
    grant_site(server)
    editor = WebClient(server.url, language="ko")
    editor.login("writer")
    about_id = new_page(editor, "about")
    write(editor, about_id, "ko", "소개", "우리는 평양에 있습니다.")
    photo_file = tmp_path / "noodles.png"
    photo_file.write_bytes(png_bytes(320, 200))
    for code, accept in LANGUAGES.items():
        page_id = new_page(editor, f"gallery-{code}")
        driver = make_phone_browser_without_script(accept)
        try:
            driver.get(server.url + "/login")
            fill(driver, {"username": "writer", "password": PASSWORD})
            click_css_and_wait(driver, 'form[action="/login"] button[type="submit"]')
            edit = f"{server.url}/site-editor/kcna/pages/{page_id}?lang={code}"
            driver.get(edit)
            # A photo: chosen in the file field, sent with the draft's text, inserted at its end.
            fill(driver, {"title": f"사진 {code}", "body": "첫 문단", "photo_alt": "냉면"})
            driver.find_element(By.NAME, "photo").send_keys(str(photo_file))
            click_css_and_wait(driver, 'button[name="action"][value="photo"]')
            body = driver.find_element(By.NAME, "body").get_attribute("value")
            assert body.startswith("첫 문단\n\n![냉면](/media/"), body
            click_css_and_wait(driver, 'button[name="action"][value="publish"]')
            assert no_horizontal_scroll(driver), code
            screenshot(driver, f"sites-editor-photo-move-{code}")
            scroll_to(driver, ".site-photo")
            screenshot(driver, f"sites-editor-photo-field-{code}")
            scroll_to(driver, ".site-move")
            screenshot(driver, f"sites-editor-move-{code}")
            # Moved under "about", at a new address.
            fill(driver, {"slug": f"about/gallery-{code}"})
            driver.find_element(By.CSS_SELECTOR, f'select[name="parent"] option[value="{about_id}"]').click()
            click_css_and_wait(driver, f'form[action="/site-editor/kcna/pages/{page_id}/move"] button[type="submit"]')
            assert f"/gallery-{code} → /about/gallery-{code}" in driver.find_element(By.TAG_NAME, "main").text
            driver.get(f"{server.url}/sites/kcna/about/gallery-{code}?lang={code}")
            image = driver.find_element(By.CSS_SELECTOR, ".site-body img")
            assert image.get_attribute("alt") == "냉면"
            assert no_horizontal_scroll(driver), code
            screenshot(driver, f"sites-page-photo-{code}")
            # Deleted after a confirmation page.
            driver.get(edit)
            click_css_and_wait(driver, f'a[href="/site-editor/kcna/pages/{page_id}/delete"]')
            assert no_horizontal_scroll(driver), code
            screenshot(driver, f"sites-delete-confirm-{code}")
            click_css_and_wait(driver, f'form[action="/site-editor/kcna/pages/{page_id}/delete"] button[type="submit"]')
            assert driver.current_url.endswith("/site-editor/kcna")
            assert f"gallery-{code}" not in driver.find_element(By.TAG_NAME, "main").text
            # The search's Sites tab and the report form for a page, in this language.
            driver.get(server.url + "/search?q=%ED%8F%89%EC%96%91&type=sites")
            assert "/sites/kcna/about" in driver.page_source and no_horizontal_scroll(driver), code
            assert ">true<" not in driver.page_source, "the short-query note's flag leaked into the navigation's labels"
            screenshot(driver, f"sites-search-{code}")
            driver.get(server.url + f"/report/site_page/{about_id}?return_to=/sites/kcna/about")
            assert no_horizontal_scroll(driver), code
            screenshot(driver, f"sites-report-{code}")
        finally:
            driver.quit()
    assert requests.get(server.url + "/sites/kcna/about/gallery-ko", timeout=10).status_code == 404
