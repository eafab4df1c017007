"""The moderation journey in real headless Chromium: a member reports a post from the author's profile
(the confirm page, no script needed), a moderator suspends the author from Admin › Reports on a phone-sized
window, and the author's open home page stops working at once: its stream is refused and it goes to sign-in."""
from mastodon import Mastodon
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import PASSWORD
from test_browser import click_and_wait, fill, make_browser, screenshot


def sign_in(driver, url, username):
    driver.get(url + "/login")
    fill(driver, {"username": username, "password": PASSWORD})
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, 'form[action="/login"] button[type="submit"]'))


def fits_the_phone(driver):
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def test_member_reports_moderator_suspends_author_page_stops(server):
    for name, role in [("mod", "moderator"), ("kim", "member"), ("lee", "member")]:
        assert server.cli("user", "add", name, "--role", role, stdin=PASSWORD + "\n").returncode == 0
    app = Mastodon.create_app("browser e2e", scopes=["read", "write"], api_base_url=server.url)
    lee_api = Mastodon(client_id=app[0], client_secret=app[1], api_base_url=server.url, version_check_mode="none")
    lee_api.log_in("lee", PASSWORD, scopes=["read", "write"])
    lee_api.status_post("Everyone who disagrees with me is a fool.")

    author, reporter, moderator = make_browser(), make_browser("ko-KR"), make_browser()
    try:
        sign_in(author, server.url, "lee")
        author.get(server.url + "/")
        WebDriverWait(author, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-stream]"))

        reporter.set_window_size(390, 844)
        sign_in(reporter, server.url, "kim")
        reporter.get(server.url + "/@lee")
        reporter.find_element(By.CSS_SELECTOR, "article.status details.status-more summary").click()  # the post's "More" menu
        link = reporter.find_element(By.CSS_SELECTOR, 'article.status a.report-link')
        assert link.text == "신고" and "⚑" not in link.text
        click_and_wait(reporter, link)
        reporter.find_element(By.CSS_SELECTOR, 'input[name="category"][value="abuse"]').click()
        reporter.find_element(By.NAME, "comment").send_keys("모욕적인 글입니다")
        assert fits_the_phone(reporter)
        screenshot(reporter, "report-confirm-ko")
        click_and_wait(reporter, reporter.find_element(By.CSS_SELECTOR, ".report-form button[type=submit]"))
        assert "운영진이 신고를 검토합니다" in reporter.find_element(By.CSS_SELECTOR, ".flash").text

        moderator.set_window_size(390, 844)
        sign_in(moderator, server.url, "mod")
        moderator.get(server.url + "/admin/reports")
        assert "Everyone who disagrees" in moderator.find_element(By.CSS_SELECTOR, "li.report").get_attribute("textContent")
        assert fits_the_phone(moderator)
        screenshot(moderator, "admin-reports-queue")
        moderator.find_element(By.CSS_SELECTOR, 'input[name="outcome"][value="suspend"]').click()
        moderator.find_element(By.CSS_SELECTOR, 'textarea[name="note"]').send_keys("Insults")
        moderator.find_element(By.CSS_SELECTOR, 'input[name="days"]').send_keys("3")
        click_and_wait(moderator, moderator.find_element(By.CSS_SELECTOR, ".report-decide button[type=submit]"))
        assert not moderator.find_elements(By.CSS_SELECTOR, "li.report")

        # The author's open page: its stream ends, is refused on reconnecting, and the page goes to sign-in.
        WebDriverWait(author, 30).until(lambda d: "/login" in d.current_url)
        assert author.find_elements(By.CSS_SELECTOR, 'form[action="/login"]')

        reporter.get(server.url + "/notifications")
        assert "정지" in reporter.find_element(By.CSS_SELECTOR, ".notifications").text
        screenshot(reporter, "report-outcome-notification-ko")
    finally:
        author.quit()
        reporter.quit()
        moderator.quit()
