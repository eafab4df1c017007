"""Web mail over HTTP as a browser without JavaScript uses it (issue 13), against the real binary on both
engines: compose to another member with an attachment, the recipient's INBOX and unread counts, reading
(links clickable, everything escaped), the attachment byte for byte, reply and the thread, folders (create,
rename, move, delete), Trash and deleting for good, drafts reopened and sent, a signature, refusals as
form messages in the member's language, search finding Korean and Chinese words inside sentences, and
"view source"."""
import html
import os
import re
import uuid

import pytest

from conftest import PASSWORD, PG_ADMIN_URL, Server, psql
from webclient import CSRF, WebClient, text_of

DOMAIN = "starcon.local"


def compose(client, fields, files=None, page="/mail/compose"):
    """Posts the compose form (multipart, as the browser sends it) with the token of `page`."""
    token = CSRF.search(client.get(page).text).group(1)
    data = {"_csrf": token, "action": "send", **fields}
    multipart = [("attachments", f) for f in (files or [])] or [("attachments", ("", b"", "application/octet-stream"))]
    return client.session.post(client.base + "/mail/compose", data=data, files=multipart, timeout=30)


def folder_links(page_html):
    """{folder name: (path, unread count or 0)} from the folder list."""
    found = {}
    for match in re.finditer(r'<a class="folder-[a-z]+" href="(/mail/f/\d+)"[^>]*>([^<]+?)(?: <span class="nav-count" aria-hidden="true">(\d+)</span>)?<', page_html):
        found[html.unescape(match.group(2)).strip()] = (match.group(1), int(match.group(3) or 0))
    return found


def message_links(page_html):
    return re.findall(r'href="(/mail/f/\d+/m/\d+)"', page_html)


def act(client, page, action, uids_paths, **extra):
    """Ticks messages on a folder page and presses an action button."""
    box = re.search(r"/mail/f/(\d+)", page).group(1)
    fields = {f"uid_{p.rsplit('/', 1)[1]}": "1" for p in uids_paths}
    fields.update({"action": action, "return_to": page, **extra})
    return client.post(f"/mail/f/{box}/act", fields, page=page)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def mail_server(tmp_path_factory, request):
    """One server per engine for the module: search runs on FTS5 trigram and on pg_trgm."""
    data = str(tmp_path_factory.mktemp("webmail"))
    database = None
    if request.param == "postgres":
        if not PG_ADMIN_URL:
            pytest.fail("STARCON_TEST_POSTGRES_URL is not set: run the tests through scripts/test")
        name = "e2e_" + uuid.uuid4().hex[:12]
        psql(f"CREATE DATABASE {name}")
        database = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    srv = Server(data, database=database, extra=["--domain", DOMAIN])
    for user, display in [("mina", "김미나"), ("jun", "Jun Park"), ("olga", "Ольга")]:
        assert srv.cli("user", "add", user, "--display-name", display, stdin=PASSWORD + "\n").returncode == 0
    srv.start()
    yield srv
    srv.stop()
    if database:
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def signed_in(srv, name, language=None):
    client = WebClient(srv.url, language=language)
    client.login(name)
    return client


def test_compose_read_reply_attachment_folders_trash(mail_server):
    mina, jun = signed_in(mail_server, "mina"), signed_in(mail_server, "jun")
    # The compose page completes addresses from the member directory without script.
    form = mina.get("/mail/compose").text
    assert '<datalist id="mail-people">' in form and f'value="jun@{DOMAIN}"' in form
    payload = bytes(range(256)) * 40 + b"\x00end"
    sent = compose(mina, {"to": f"jun@{DOMAIN}", "subject": "점심 약속 <b>", "body": "오늘 점심은 평양냉면이었습니다.\nhttps://example.org/menu?a=1&b=2 보세요."},
                   files=[("menu.bin", payload, "application/octet-stream")])
    assert sent.status_code == 200, sent.text[:500]
    assert "/mail/f/" in sent.url

    # The recipient: an unread count on the Mail item of the navigation and on INBOX.
    home = jun.get("/")
    mail_item = re.search(r'<a href="/mail"[^>]*>(.*?)</a>', home.text, re.S)
    assert mail_item and '<span class="nav-count" aria-hidden="true">1</span>' in mail_item.group(1), "no unread count in the navigation"
    inbox = jun.get("/mail")
    folders = folder_links(inbox.text)
    inbox_path, unread = next(v for k, v in folders.items() if k in ("Inbox", "INBOX"))
    assert unread == 1
    assert "is-unread" in inbox.text and "점심 약속 &lt;b&gt;" in inbox.text
    links = message_links(inbox.text)
    assert len(links) == 1
    message = jun.get(links[0])
    assert message.status_code == 200
    assert "점심 약속 &lt;b&gt;" in message.text, "the subject is escaped"
    assert '<a href="https://example.org/menu?a=1&amp;b=2" rel="noopener noreferrer nofollow">' in message.text
    assert "김미나" in message.text
    # Reading marked it read.
    assert folder_links(jun.get(inbox_path).text)[next(k for k in folders if k in ("Inbox", "INBOX"))][1] == 0
    # The attachment: listed with its size, downloaded as an attachment, byte for byte.
    part = re.search(r'href="(/mail/f/\d+/m/\d+/part/[^"]+)" download>menu.bin<', message.text)
    assert part, message.text[:3000]
    download = jun.get(html.unescape(part.group(1)))
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.content == payload
    # View source: the raw message as plain text.
    source = jun.get(links[0] + "/source")
    assert source.headers["Content-Type"].startswith("text/plain")
    assert f"From: =?" in source.text or "mina@" in source.text

    # Reply: to the sender, Re: once, the original quoted, the thread joined.
    reply_form = jun.get(links[0].rsplit("/m/", 1)[0].replace("/mail/f/", "/mail/compose?reply=") + "." + links[0].rsplit("/", 1)[1]).text
    assert f"mina@{DOMAIN}" in reply_form and "Re: 점심 약속" in reply_form and "&gt; 오늘 점심은" in reply_form
    values = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', reply_form))
    reply = compose(jun, {**{k: html.unescape(v) for k, v in values.items() if k != "_csrf"},
                          "to": f"mina@{DOMAIN}", "subject": "Re: 점심 약속 <b>", "body": "좋아요!\n\n> 오늘 점심은"})
    assert reply.status_code == 200, reply.text[:500]
    mina_inbox = mina.get("/mail")
    assert "Re: 점심 약속" in mina_inbox.text
    answer = mina.get(message_links(mina_inbox.text)[0])
    assert "좋아요!" in answer.text
    assert answer.text.count('class="mail-thread"') == 1, "the reply shows its thread"

    # Folders: create, move a message there, rename, delete; Trash and deleting for good.
    made = jun.post("/mail/folders", {"name": "Projects/2026"}, page="/mail/folders")
    assert made.status_code == 200 and "Projects/2026" in made.text
    projects = folder_links(made.text)["Projects/2026"][0]
    moved = act(jun, inbox_path, "move", links, target=projects.rsplit("/", 1)[1])
    assert moved.status_code == 200 and not message_links(jun.get(inbox_path).text)
    in_projects = message_links(jun.get(projects).text)
    assert len(in_projects) == 1
    refused = jun.post("/mail/folders", {"name": "Projects/2026"}, page="/mail/folders")
    assert refused.status_code == 409 and 'class="form-error"' in refused.text
    renamed = jun.post(f"/mail/folders/{projects.rsplit('/', 1)[1]}/rename", {"name": "Archive"}, page="/mail/folders")
    assert "Archive" in folder_links(renamed.text)
    deleted = act(jun, projects, "delete", in_projects)
    trash = next(v[0] for k, v in folder_links(deleted.text).items() if k == "Trash")
    in_trash = message_links(jun.get(trash).text)
    assert len(in_trash) == 1
    gone = act(jun, trash, "delete", in_trash)
    assert gone.status_code == 200 and not message_links(jun.get(trash).text)
    assert jun.post(f"/mail/folders/{projects.rsplit('/', 1)[1]}/delete", {}, page="/mail/folders").status_code == 200
    assert "Archive" not in folder_links(jun.get("/mail/folders").text)


def test_flags_drafts_signature_and_refusals(mail_server):
    olga, mina = signed_in(mail_server, "olga", language="ru"), signed_in(mail_server, "mina")
    assert olga.post("/mail/settings", {"signature": "-- \nОльга"}, page="/mail/settings").status_code == 200
    assert "-- \nОльга" in html.unescape(olga.get("/mail/compose").text)
    # A draft: saved to Drafts, reopened from the list, sent from there; Drafts is empty after.
    token = CSRF.search(olga.get("/mail/compose").text).group(1)
    saved = olga.session.post(olga.base + "/mail/compose", data={"_csrf": token, "action": "draft", "to": f"mina@{DOMAIN}",
                              "subject": "Черновик", "body": "Завтра будет собрание"}, files=[("attachments", ("", b""))], timeout=30)
    assert saved.status_code == 200 and "draft=" in saved.url
    assert "Черновик" in saved.text and "Завтра будет собрание" in saved.text
    drafts = next(v[0] for k, v in folder_links(saved.text).items() if k == "Черновики")
    assert "compose?draft=" in olga.get(drafts).text
    values = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', saved.text))
    sent = compose(olga, {"draft_ref": values["draft_ref"], "source_ref": values.get("source_ref", ""), "to": f"mina@{DOMAIN}",
                          "subject": "Черновик", "body": "Завтра будет собрание"}, page=saved.url.replace(olga.base, ""))
    assert sent.status_code == 200
    assert "compose?draft=" not in olga.get(drafts).text
    # A refusal from the one send path, in the member's language, and nothing stored.
    refused = compose(olga, {"to": f"nobody@{DOMAIN}", "subject": "x", "body": "y"})
    assert refused.status_code >= 400 and 'class="form-error"' in refused.text
    assert re.search(r"[А-Яа-я]", text_of(re.search(r'class="form-error"[^>]*>([^<]*)<', refused.text).group(1)))
    # Flags from the list: flag, unread, read.
    inbox = mina.get("/mail")
    links = message_links(inbox.text)
    path = inbox.url.replace(mina.base, "")
    flagged = act(mina, path, "flag", links[:1])
    assert "★" in flagged.text
    unread = act(mina, path, "read", links[:1])
    assert links[0] in unread.text
    # "Mark unread" on the reading page goes back to the folder, where the message stays unread.
    mina.get(links[0])
    back = act(mina, links[0], "unread", links[:1])
    assert back.url.endswith(path) and re.search(r'mail-row is-unread">\s*<input type="checkbox" name="uid_' + links[0].rsplit("/", 1)[1] + '"', back.text)


def test_search_finds_cjk_words_inside_sentences(mail_server):
    mina, jun = signed_in(mail_server, "mina"), signed_in(mail_server, "jun")
    for subject, body in [("晚饭", "我们今天吃了冷面和饺子"), ("予定", "明日は東京で会議があります"), ("Встреча", "Завтра Собрание в Москве")]:
        assert compose(mina, {"to": f"jun@{DOMAIN}", "subject": subject, "body": body}).status_code == 200
    # A browser's GET form sends a space as "+": "собрание в москве" is one phrase, not "собрание+в+москве".
    for query, subject in [("冷面", "晚饭"), ("東京で会議", "予定"), ("собрание", "Встреча"), ("собрание в москве", "Встреча"), ("面", "晚饭")]:
        found = jun.get("/mail/search", params={"q": query})
        assert found.status_code == 200
        assert subject in found.text, (query, text_of(found.text)[:500])
    by_sender = jun.get("/mail/search", params={"q": "mina", "in": "sender"})
    assert "晚饭" in by_sender.text
    assert "晚饭" not in jun.get("/mail/search", params={"q": "冷面", "in": "subject"}).text
    assert "晚饭" not in mina.get("/mail/search", params={"q": "냉면은 없다"}).text


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f80f0000010101005b1ea5d80000000049454e44ae426082")


def test_html_with_inline_picture_forward_and_toggle(mail_server):
    import base64
    import smtplib
    mina, jun = signed_in(mail_server, "mina"), signed_in(mail_server, "jun")
    raw = (f"From: mina@{DOMAIN}\r\nTo: jun@{DOMAIN}\r\nSubject: Picture\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/alternative; boundary=\"a\"\r\n\r\n"
           "--a\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlain version\r\n"
           "--a\r\nContent-Type: multipart/related; boundary=\"r\"\r\n\r\n"
           "--r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Rich <b>version</b></p><img src=\"cid:dot@x\" alt=\"dot\">\r\n"
           "--r\r\nContent-Type: image/png\r\nContent-ID: <dot@x>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + base64.encodebytes(PNG).decode().replace("\n", "\r\n") + "--r--\r\n--a--\r\n")
    client = smtplib.SMTP("127.0.0.1", mail_server.smtp_port, timeout=20)
    client.login("mina", PASSWORD)
    client.sendmail(f"mina@{DOMAIN}", [f"jun@{DOMAIN}"], raw.encode())
    client.quit()
    inbox = jun.get("/mail")
    link = next(p for p in message_links(inbox.text) if "Picture" in jun.get(p).text)
    page = jun.get(link)
    assert "Plain version" in page.text and "Rich" not in page.text, "the text part first"
    rich = jun.get(link + "?view=html")
    assert "<b>version</b>" in rich.text
    picture = re.search(r'<img[^>]+src="(/mail/f/\d+/m/\d+/cid/[^"]+)"', rich.text)
    assert picture, rich.text[:3000]
    shown = jun.get(html.unescape(picture.group(1)))
    assert shown.status_code == 200 and shown.headers["Content-Type"] == "image/png" and shown.content == PNG
    assert jun.get(link + "/cid/none@x").status_code == 404

    # Forward as attachment: the original travels whole, as message/rfc822.
    ref = link.replace("/mail/f/", "").replace("/m/", ".")
    form = jun.get(f"/mail/compose?forward={ref}&attach=1").text
    values = {k: html.unescape(v) for k, v in re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', form) if k != "_csrf"}
    assert values.get("forward_attached") == "1" and "Fwd: Picture" in form
    sent = compose(jun, {**values, "to": f"olga@{DOMAIN}", "subject": "Fwd: Picture", "body": "See below"},
                   page=f"/mail/compose?forward={ref}&attach=1")
    assert sent.status_code == 200, sent.text[:500]
    olga = signed_in(mail_server, "olga")
    forwarded = next(p for p in message_links(olga.get("/mail").text) if "Fwd: Picture" in olga.get(p).text)
    part = re.search(r'href="(/mail/f/\d+/m/\d+/part/[^"]+)" download>([^<]+)<', olga.get(forwarded).text)
    assert part and part.group(2).endswith(".eml")
    original = olga.get(html.unescape(part.group(1)))
    assert original.headers["Content-Type"].startswith("message/rfc822")
    assert b"Subject: Picture" in original.content and b"Content-ID: <dot@x>" in original.content
    # Someone else's message is not found, whatever its address.
    assert olga.get(link).status_code == 404
    assert olga.get(link + "/source").status_code == 404


def test_folder_pages_go_both_ways(mail_server):
    import smtplib
    client = smtplib.SMTP("127.0.0.1", mail_server.smtp_port, timeout=20)
    client.login("olga", PASSWORD)
    for n in range(33):
        client.sendmail(f"olga@{DOMAIN}", [f"mina@{DOMAIN}"],
                        f"From: olga@{DOMAIN}\r\nTo: mina@{DOMAIN}\r\nSubject: page test {n:02d}\r\n\r\nbody {n}\r\n".encode())
    client.quit()
    mina = signed_in(mail_server, "mina")
    first = mina.get("/mail")
    subjects = re.findall(r"page test (\d\d)", first.text)
    assert subjects[0] == "32" and len(message_links(first.text)) == 30, "newest first, 30 a page"
    assert 'rel="prev"' not in first.text
    older = re.search(r'href="([^"]+\?before=\d+)" rel="next"', first.text).group(1)
    second = mina.get(html.unescape(older))
    assert "page test 02" in second.text and "page test 03" not in second.text
    newer = re.search(r'href="([^"]+\?after=\d+)" rel="prev"', second.text).group(1)
    back = mina.get(html.unescape(newer))
    assert re.findall(r"page test (\d\d)", back.text)[0] == "32"


def test_search_pages_past_the_first_fifty(mail_server):
    import smtplib
    client = smtplib.SMTP("127.0.0.1", mail_server.smtp_port, timeout=20)
    client.login("olga", PASSWORD)
    for n in range(57):
        client.sendmail(f"olga@{DOMAIN}", [f"jun@{DOMAIN}"],
                        f"From: olga@{DOMAIN}\r\nTo: jun@{DOMAIN}\r\nSubject: pagedsearch {n:02d}\r\n\r\nbody {n}\r\n".encode())
    client.quit()
    jun = signed_in(mail_server, "jun")
    first = jun.get("/mail/search", params={"q": "pagedsearch"})
    numbers = re.findall(r"pagedsearch (\d\d)", first.text)
    assert len(numbers) == 50 and numbers[0] == "56", "newest first, 50 a page"
    assert first.text.count("Messages 1–50") == 1, "said once, not also in the navigation's badges"
    assert 'rel="prev"' not in first.text
    older = re.search(r'href="([^"]+)" rel="next"', first.text).group(1)
    second = jun.get(html.unescape(older))
    rest = re.findall(r"pagedsearch (\d\d)", second.text)
    assert rest == [f"{n:02d}" for n in range(6, -1, -1)], rest
    assert "51" in text_of(second.text) and 'rel="next"' not in second.text
    newer = re.search(r'href="([^"]+)" rel="prev"', second.text).group(1)
    assert re.findall(r"pagedsearch (\d\d)", jun.get(html.unescape(newer)).text) == numbers


def test_a_refused_send_keeps_its_attachments(mail_server):
    mina, jun = signed_in(mail_server, "mina"), signed_in(mail_server, "jun")
    payload = bytes(range(256)) * 8
    refused = compose(mina, {"to": f"nobody@{DOMAIN}", "subject": "kept attachment", "body": "see the file"},
                      files=[("kept.bin", payload, "application/octet-stream")])
    assert refused.status_code >= 400 and 'class="form-error"' in refused.text
    # The upload is not lost: the form offers it, kept (in a draft), with the fields as typed.
    keep = re.search(r'<input type="checkbox" name="(keep_[^"]+)" value="1" checked> kept.bin', refused.text)
    assert keep, refused.text[:3000]
    values = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', refused.text))
    assert values["draft_ref"] and values["source_ref"] == values["draft_ref"]
    sent = compose(mina, {"to": f"jun@{DOMAIN}", "subject": "kept attachment", "body": "see the file",
                          "draft_ref": values["draft_ref"], "source_ref": values["source_ref"], keep.group(1): "1"})
    assert sent.status_code == 200 and "/mail/f/" in sent.url
    inbox = jun.get("/mail").text
    assert "kept attachment" in inbox
    link = message_links(inbox)[0]
    part = re.search(r'href="(/mail/f/\d+/m/\d+/part/[^"]+)" download>kept.bin<', jun.get(link).text)
    assert jun.get(html.unescape(part.group(1))).content == payload
    drafts = next(v[0] for k, v in folder_links(mina.get("/mail").text).items() if k == "Drafts")
    assert "kept attachment" not in mina.get(drafts).text, "the draft that held it is gone once sent"
