"""The `toot` command-line client against the real server on both engines: log in with a password, post
with a photo and alt text, read timelines and notifications, follow and unfollow."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PASSWORD

TOOT = shutil.which("toot") or str(Path(sys.executable).with_name("toot"))
PHOTO = Path(__file__).resolve().parents[2] / "Tests" / "StarconMediaTests" / "Fixtures" / "oriented.jpg"


def toot(home, *args, stdin=None):
    env = dict(os.environ, XDG_CONFIG_HOME=str(home), COLUMNS="120", NO_COLOR="1")
    return subprocess.run([TOOT, *args], env=env, input=stdin, capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(not Path(TOOT).exists(), reason="pip install toot")
def test_toot_logs_in_posts_a_photo_follows_and_reads(any_server, tmp_path):
    for name in ["minjun", "olga"]:
        assert any_server.cli("user", "add", name, stdin=PASSWORD + "\n").returncode == 0
    minjun, olga = tmp_path / "minjun", tmp_path / "olga"
    for home, name in [(minjun, "minjun"), (olga, "olga")]:
        result = toot(home, "login_cli", "-i", any_server.url, "-e", name, stdin=PASSWORD + "\n")
        assert result.returncode == 0 and "Successfully logged in" in result.stdout, result.stdout + result.stderr
    posted = toot(olga, "post", "Фото из toot #toot", "--media", str(PHOTO), "--description", "красный и синий")
    assert posted.returncode == 0 and "/@olga/" in posted.stdout, posted.stderr
    followed = toot(minjun, "follow", "olga")
    assert followed.returncode == 0, followed.stdout + followed.stderr
    home = toot(minjun, "timeline")
    assert home.returncode == 0 and "Фото из toot" in home.stdout, home.stdout + home.stderr
    assert toot(minjun, "post", "@olga 멋진 사진이에요").returncode == 0
    notes = toot(olga, "notifications")
    assert notes.returncode == 0 and "minjun" in notes.stdout and "now follows you" in notes.stdout and "mentioned you" in notes.stdout, notes.stdout
    assert "Фото из toot" in toot(minjun, "timeline", "--public").stdout
    assert toot(minjun, "unfollow", "olga").returncode == 0
    assert "Фото из toot" not in toot(minjun, "timeline").stdout
    whoami = toot(minjun, "whoami")
    assert "@minjun" in whoami.stdout


@pytest.mark.skipif(not Path(TOOT).exists(), reason="pip install toot")
def test_toot_polls_lists_tags_mutes_blocks_and_profile(any_server, tmp_path):
    for name in ["minjun", "olga"]:
        assert any_server.cli("user", "add", name, stdin=PASSWORD + "\n").returncode == 0
    minjun, olga = tmp_path / "minjun", tmp_path / "olga"
    for home, name in [(minjun, "minjun"), (olga, "olga")]:
        assert toot(home, "login_cli", "-i", any_server.url, "-e", name, stdin=PASSWORD + "\n").returncode == 0
    poll = toot(olga, "post", "점심?", "--poll-option", "냉면", "--poll-option", "김밥", "--poll-expires-in", "1h")
    assert poll.returncode == 0, poll.stdout + poll.stderr
    status_id = poll.stdout.strip().rsplit("/", 1)[-1]
    shown = toot(minjun, "polls", "show", status_id)
    assert shown.returncode == 0 and "냉면" in shown.stdout, shown.stdout + shown.stderr
    voted = toot(minjun, "polls", "vote", status_id, "1")
    assert voted.returncode == 0, voted.stdout + voted.stderr
    assert "1 vote" in toot(minjun, "polls", "show", status_id).stdout
    assert toot(minjun, "follow", "olga").returncode == 0
    assert toot(minjun, "lists", "create", "friends").returncode == 0
    added = toot(minjun, "lists", "add", "friends", "olga")
    assert added.returncode == 0, added.stdout + added.stderr
    listed = toot(minjun, "lists", "accounts", "friends")
    assert "olga" in listed.stdout, listed.stdout + listed.stderr
    assert "friends" in toot(minjun, "lists", "list").stdout
    assert toot(minjun, "tags", "follow", "starcon").returncode == 0
    assert "starcon" in toot(minjun, "tags", "followed").stdout
    assert toot(minjun, "mute", "olga").returncode == 0
    assert "olga" in toot(minjun, "muted").stdout
    assert toot(minjun, "block", "olga").returncode == 0
    assert "olga" in toot(minjun, "blocked").stdout
    updated = toot(minjun, "update-account", "--display-name", "김민준", "--note", "안녕", "--avatar", str(PHOTO), "--bot", "--privacy", "unlisted")
    assert updated.returncode == 0, updated.stdout + updated.stderr
    whoami = toot(minjun, "whoami")
    assert "김민준" in whoami.stdout, whoami.stdout
