"""The feed in real headless Chromium with JavaScript on: a member posts a photo from the composer (preview
and upload by script), a follower's open home page offers the new post live, and the bell counts a reply."""
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import PASSWORD
from test_browser import click_and_wait, fill, make_browser, screenshot

PHOTO = Path(__file__).resolve().parents[2] / "Tests" / "StarconMediaTests" / "Fixtures" / "oriented.jpg"


def sign_in(driver, url, username):
    driver.get(url + "/login")
    fill(driver, {"username": username, "password": PASSWORD})
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, 'form[action="/login"] button[type="submit"]'))


def test_photo_post_arrives_live_at_a_followers_home(server):
    for name, display in [("minjun", "김민준"), ("yuki", "佐藤 由紀")]:
        assert server.cli("user", "add", name, "--display-name", display, stdin=PASSWORD + "\n").returncode == 0
    author, reader = make_browser("ko-KR"), make_browser("ja-JP")
    try:
        sign_in(reader, server.url, "yuki")
        reader.get(server.url + "/@minjun")
        click_and_wait(reader, reader.find_element(By.CSS_SELECTOR, 'form[action="/@minjun/follow"] button'))
        reader.get(server.url + "/")
        WebDriverWait(reader, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-stream]"))

        sign_in(author, server.url, "minjun")
        author.get(server.url + "/")
        author.find_element(By.CSS_SELECTOR, ".composer-photos summary").click()
        author.find_element(By.NAME, "text").send_keys("사진 한 장 #산책")
        author.find_element(By.NAME, "photos").send_keys(str(PHOTO))
        author.find_element(By.NAME, "alt1").send_keys("빨강과 파랑")
        WebDriverWait(author, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".composer-previews img"))
        click_and_wait(author, author.find_element(By.CSS_SELECTOR, "form.composer button[type=submit]"))
        image = author.find_element(By.CSS_SELECTOR, ".status-media img")
        assert image.get_attribute("alt") == "빨강과 파랑"
        WebDriverWait(author, 10).until(lambda d: d.execute_script("return arguments[0].naturalWidth", image) > 0)
        screenshot(author, "feed-photo-posted")

        banner = WebDriverWait(reader, 15).until(lambda d: next((b for b in d.find_elements(By.CSS_SELECTOR, ".new-posts") if b.is_displayed()), None))
        assert "1" in banner.text
        click_and_wait(reader, banner)
        assert "사진 한 장" in reader.find_element(By.CSS_SELECTOR, "article.status").text
        screenshot(reader, "feed-live-update")
    finally:
        author.quit()
        reader.quit()
