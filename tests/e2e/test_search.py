"""Search through the real Mastodon.py client (`search_v2`, `account_search`) and the web page, on both engines:
words inside Korean, Chinese and Japanese sentences, one- and two-character queries, Cyrillic and Latin without
case, only what the searcher may see (followers-only, suspended authors), and paging by offset and max_id."""
import pytest
import requests
from mastodon import Mastodon

from conftest import PASSWORD
from webclient import WebClient

MEMBERS = [("minjun", "김민준"), ("olga", "Ольга Петрова"), ("yuki", "佐藤 由紀"), ("spammer", "Spam Bot")]


@pytest.fixture
def net(any_server):
    for name, display in MEMBERS:
        result = any_server.cli("user", "add", name, "--display-name", display, stdin=PASSWORD + "\n")
        assert result.returncode == 0, result.stderr
    client_id, secret = Mastodon.create_app("search e2e", scopes=["read", "write", "follow"], api_base_url=any_server.url)
    clients = {"server": any_server}
    for name, _ in MEMBERS:
        api = Mastodon(client_id=client_id, client_secret=secret, api_base_url=any_server.url, version_check_mode="none")
        api.log_in(name, PASSWORD, scopes=["read", "write", "follow"])
        clients[name] = api
    return clients


def texts(result):
    return [s["content"] for s in result["statuses"]]


def found(api, q, **kwargs):
    return [s["id"] for s in api.search_v2(q, result_type="statuses", **kwargs)["statuses"]]


def test_words_inside_sentences_in_every_script(net):
    minjun, olga = net["minjun"], net["olga"]
    posts = [minjun.status_post(t) for t in ["오늘 점심은 평양냉면이었습니다", "我们今天吃了冷面和饺子", "明日は東京で会議があります",
                                             "Завтра будет Собрание в Москве", "The WEATHER is fine #Noodles"]]
    assert found(olga, "평양냉면") == [posts[0]["id"]]
    assert found(olga, "冷面") == [posts[1]["id"]], "two characters"
    assert found(olga, "面") == [posts[1]["id"]], "one character"
    assert found(olga, "東京で会議") == [posts[2]["id"]]
    assert found(olga, "собрание") == [posts[3]["id"]], "Cyrillic without case"
    assert found(olga, "weather") == [posts[4]["id"]], "Latin without case"
    everything = olga.search_v2("noodles")
    assert [h["name"] for h in everything["hashtags"]] == ["noodles"]
    assert [s["id"] for s in everything["statuses"]] == [posts[4]["id"]]
    people = olga.search_v2("петров", result_type="accounts")["accounts"]
    assert [a["acct"] for a in people] == ["olga"] or people == [], "one's own account only when named exactly"
    assert [a["acct"] for a in minjun.search_v2("петров", result_type="accounts")["accounts"]] == ["olga"]
    assert [a["acct"] for a in minjun.account_search("由紀")] == ["yuki"]
    assert [a["acct"] for a in minjun.account_search("由紀", following=True)] == []


def test_only_what_the_searcher_may_see(net):
    minjun, olga, yuki, spammer = net["minjun"], net["olga"], net["yuki"], net["spammer"]
    private = minjun.status_post("냉면 for my followers", visibility="private")
    spammer.status_post("냉면 spam everywhere")
    public = minjun.status_post("냉면 for everyone")
    assert net["server"].cli("user", "suspend", "spammer", "--reason", "spam").returncode == 0
    assert found(olga, "냉면") == [public["id"]], "followers-only of someone not followed; a suspended author"
    assert found(olga, "냉면 spam") == []
    yuki.account_follow(minjun.me()["id"])
    assert found(yuki, "냉면") == [public["id"], private["id"]]
    assert found(minjun, "냉면", account_id=minjun.me()["id"]) == [public["id"], private["id"]]


def test_pages_are_full_by_offset_and_max_id(net):
    minjun, olga = net["minjun"], net["olga"]
    visible = []
    for n in range(9):
        post = minjun.status_post(f"산책 기록 {n}", visibility="public" if n % 3 else "private")
        if n % 3:
            visible.insert(0, post["id"])
    for q in ["산책 기록", "산책"]:
        first = found(olga, q, limit=2)
        assert first == visible[:2]
        assert found(olga, q, limit=2, offset=2) == visible[2:4]
        assert found(olga, q, limit=2, max_id=first[-1]) == visible[2:4]
        assert found(olga, q, limit=40) == visible


def test_bad_input_is_a_clear_error(net):
    url, token = net["server"].url, net["olga"].access_token
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(url + "/api/v2/search", params={"q": "x", "type": "songs"}, headers=headers, timeout=10).status_code == 400
    assert requests.get(url + "/api/v2/search", headers=headers, timeout=10).status_code == 400
    assert requests.get(url + "/api/v2/search", params={"q": "x" * 300}, headers=headers, timeout=10).status_code == 400
    empty = requests.get(url + "/api/v2/search", params={"q": "  "}, headers=headers, timeout=10)
    assert empty.status_code == 200 and empty.json() == {"accounts": [], "statuses": [], "hashtags": []}
    assert requests.get(url + "/api/v2/search", params={"q": "x"}, timeout=10).status_code == 401


def test_web_search_page_tabs_without_javascript(net):
    srv, minjun = net["server"], net["minjun"]
    minjun.status_post("오늘 점심은 평양냉면이었습니다 #점심")
    assert srv.cli("group", "create", "starcon.food").returncode == 0
    web = WebClient(srv.url)
    web.login("olga")
    posts = web.get("/search?q=평양냉면").text
    assert "평양냉면이었습니다" in posts and 'aria-current="page">' in posts
    assert "평양냉면이었습니다" in web.get("/search?q=점심은+평양냉면&type=posts").text, "a form sends spaces as +"
    assert 'href="/@yuki"' in web.get("/search?q=由紀&type=people").text
    assert 'href="/tags/%EC%A0%90%EC%8B%AC"' in web.get("/search?q=점심&type=tags").text
    web.post("/newsgroups/starcon.food/post", {"subject": "Обед", "body": "我们今天吃了冷面和饺子"}, page="/newsgroups/starcon.food")
    assert "Обед" in web.get("/search?q=冷面&type=articles").text
    start = web.post("/messages", {"members": "minjun"}, page="/messages")
    conversation = start.url.split(srv.url)[1]
    web.post(conversation + "/send", {"text": "Встретимся у Станции"}, page=conversation)
    assert "Встретимся у Станции" in web.get("/search?q=станции&type=messages").text
    nothing = web.get("/search?q=zzzzzz&type=mail")
    assert nothing.status_code == 200 and "Nothing found" in nothing.text
