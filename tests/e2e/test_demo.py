"""`starcon demo` fills an empty instance with a living network, on both engines, and refuses a second time."""
import re

import requests
from mastodon import Mastodon


def test_demo_network(any_server):
    result = any_server.cli("demo")
    assert result.returncode == 0, result.stderr
    password = re.search(r"password: (\S+)", result.stdout).group(1)
    cid, secret = Mastodon.create_app("demo e2e", scopes=["read"], api_base_url=any_server.url)
    api = Mastodon(client_id=cid, client_secret=secret, api_base_url=any_server.url, version_check_mode="none")
    api.log_in("yuki", password, scopes=["read"])
    statuses = api.timeline_public(limit=40)
    text = " ".join(s["content"] for s in statuses)
    for sample in ["예방접종", "Сегодня", "晚霞", "パン", "Supply ship"]:
        assert sample in text, sample
    photos = [m for s in statuses for m in s["media_attachments"]]
    assert len(photos) >= 3 and all(m["description"] for m in photos)
    assert requests.get(photos[0]["preview_url"], timeout=10).status_code == 200
    kinds = {api.account_lookup(name)["starcon_kind"] for name in ["health", "hanbit_fc", "noodles", "anna_visit", "olga"]}
    assert kinds == {"official", "organisation", "company", "visitor", "person"}
    assert len(api.timeline_home()) > 5, "demo members follow each other"
    again = any_server.cli("demo")
    assert again.returncode == 1 and "already has posts" in again.stderr
