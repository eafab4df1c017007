#!/usr/bin/env python3
"""Fills a migrated Starcon SQLite store directly (no server) for the search benchmark: members, follows,
posts in mixed scripts and their search documents (what SearchDocuments writes when a post is made).

usage: gen.py DB --posts 1000000 [--members 2000] [--follows 150] [--seed 1]

The store must already hold the member 'bench' (`starcon user add bench`); its password hash is copied to
every generated member. Text is folded to lower case here (Python's str.lower, as Swift's lowercased), as the
server folds what it indexes. Each post is a sentence of one of five scripts (Korean, Chinese, Japanese,
Russian, English) around a common word and carries one code word `zq????` of 60,000 (each in ~17 posts):
the "rare" query. 10% of posts are followers-only; 10 members are suspended.
"""
import argparse, random, sqlite3, sys, time

EPOCH_MS = 1_704_067_200_000
TAG = 9


def make_id(ms, seq):
    return ((ms - EPOCH_MS) << 22) | (TAG << 14) | seq


SENTENCES = [
    "오늘 점심은 {w}이었습니다 {c}", "내일 {w} 먹으러 갈까요 {c}", "{c} 역 앞에서 {w} 사진을 찍었습니다",
    "我们今天吃了{w}和饺子 {c}", "明天去{w}看看 {c}", "{c} 这个{w}很好吃",
    "今日は{w}を食べました {c}", "明日は東京で{w}があります {c}",
    "Сегодня {w} в Москве {c}", "Завтра будет {w} на станции {c}",
    "Today the {w} at the station was fine {c}", "Photo of the {w} near the campus {c}",
]
WORDS = {
    0: ["평양냉면", "비빔밥", "김치찌개", "회의", "날씨"], 1: ["평양냉면", "비빔밥", "김치찌개", "회의", "날씨"],
    2: ["평양냉면", "비빔밥", "김치찌개", "회의", "날씨"],
    3: ["冷面", "火锅", "天气", "会议", "面条"], 4: ["冷面", "火锅", "天气", "会议", "面条"], 5: ["冷面", "火锅", "天气", "会议", "面条"],
    6: ["冷麺", "寿司", "会議", "天気"], 7: ["冷麺", "寿司", "会議", "天気"],
    8: ["Собрание", "погода", "встреча", "обед"], 9: ["Собрание", "погода", "встреча", "обед"],
    10: ["Weather", "meeting", "lunch", "Factory"], 11: ["Weather", "meeting", "lunch", "Factory"],
}
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def code(n):
    s = ""
    for _ in range(4):
        s, n = ALPHABET[n % 36] + s, n // 36
    return "zq" + s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--posts", type=int, default=1_000_000)
    ap.add_argument("--members", type=int, default=2_000)
    ap.add_argument("--follows", type=int, default=150)
    ap.add_argument("--codes", type=int, default=60_000)
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    t0 = time.time()
    con = sqlite3.connect(a.db, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-400000")
    row = con.execute("SELECT id, password_hash FROM accounts WHERE username_key='bench'").fetchone()
    if not row:
        sys.exit("gen.py: create the member 'bench' first (starcon user add bench)")
    bench, pw = row
    now_ms = int(time.time() * 1000)
    start_ms = now_ms - a.days * 86_400_000

    con.execute("BEGIN")
    ids = []
    for i in range(a.members):
        ms = start_ms - 86_400_000 + i
        aid = make_id(ms, 0)
        ids.append(aid)
        name = f"m{i:05d}"
        status = "suspended" if i % 200 == 199 else "active"
        display = ["Ким Чен", "김민준", "王小明", "Member", "佐藤花子"][i % 5] + f" {i}"
        con.execute("INSERT INTO accounts (id, username, username_key, display_name, kind, role, status, password_hash, created_at) "
                    "VALUES (?,?,?,?,?,?,?,?,?)", (aid, name, name, display, "person", "member", status, pw, ms))
        con.execute("INSERT INTO search_documents (id, kind, doc_id, sender, subject, body) VALUES (?,?,?,?,?,?)",
                    (aid, "account", aid, name, display.lower(), ""))
    for t in rnd.sample(ids, a.follows):
        con.execute("INSERT INTO follows (account_id, target_id, created_at) VALUES (?,?,?)", (bench, t, start_ms))
    con.execute("COMMIT")
    print(f"accounts {a.members} {time.time()-t0:.1f}s", flush=True)

    span = now_ms - 60_000 - start_ms
    con.execute("BEGIN")
    statuses, documents = [], []
    last_ms, seq = -1, 0
    for j in range(a.posts):
        ms = start_ms + span * j // a.posts
        seq = seq + 1 if ms == last_ms else 0
        last_ms = ms
        sid = make_id(ms, seq)
        k = rnd.randrange(len(SENTENCES))
        text = SENTENCES[k].format(w=rnd.choice(WORDS[k]), c=code(rnd.randrange(a.codes)))
        vis = "public" if rnd.random() < 0.9 else "private"
        statuses.append((sid, ids[rnd.randrange(a.members)], text, vis, ms))
        documents.append((sid, "post", sid, "", "", text.lower()))
        if len(statuses) >= 50_000:
            con.executemany("INSERT INTO statuses (id, account_id, text, visibility, created_at) VALUES (?,?,?,?,?)", statuses)
            con.executemany("INSERT INTO search_documents (id, kind, doc_id, sender, subject, body) VALUES (?,?,?,?,?,?)", documents)
            statuses, documents = [], []
    if statuses:
        con.executemany("INSERT INTO statuses (id, account_id, text, visibility, created_at) VALUES (?,?,?,?,?)", statuses)
        con.executemany("INSERT INTO search_documents (id, kind, doc_id, sender, subject, body) VALUES (?,?,?,?,?,?)", documents)
    con.execute("COMMIT")
    print(f"posts {a.posts} {time.time()-t0:.1f}s", flush=True)
    con.execute("ANALYZE")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    print(f"done {time.time()-t0:.1f}s", flush=True)


if __name__ == "__main__":
    main()
