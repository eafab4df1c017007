#!/usr/bin/env python3
"""Fills a migrated Starcon SQLite store directly (no server): members, follows, statuses and the home_feed
rows the server's fan-out would have left.

usage: gen.py DB --members 10000 --follows 150 --posts 1000000 [--home-depth 800] [--seed 1]

The store must already hold one real member (created with `starcon user add`); its bcrypt password_hash is
copied to every generated member, so they all sign in with the same password.

home_feed: the server inserts one row per follower (and one for the author) at posting time, and a follow
backfills the followed account's latest 40. Filling every member's whole history would be ~15,000 rows per
member at 1M posts (151M rows); we keep each member's newest --home-depth rows (default 800), which is what
the first 40 pages of 20 read. Older pages fall back to reading `statuses` (FeedService.olderHome), as they
would for history older than a follow.
"""
import argparse, heapq, itertools, random, sqlite3, sys, time

EPOCH_MS = 1_704_067_200_000
TAG = 7  # process tag bits of generated ids


def make_id(ms, seq):
    return ((ms - EPOCH_MS) << 22) | (TAG << 14) | seq


WORDS = ("the a network station ship campus factory meeting lunch photo today tomorrow weather sea wind snow "
         "안녕하세요 오늘 날씨 회의 점심 사진 привет сегодня погода встреча 你好 今天 天气 こんにちは 今日 天気").split()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--members", type=int, default=10_000)
    ap.add_argument("--follows", type=int, default=150)
    ap.add_argument("--posts", type=int, default=100_000)
    ap.add_argument("--home-depth", type=int, default=800)
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    t0 = time.time()
    con = sqlite3.connect(a.db, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-400000")
    con.execute("PRAGMA temp_store=MEMORY")
    row = con.execute("SELECT password_hash FROM accounts WHERE username_key='bench'").fetchone()
    if not row:
        sys.exit("gen.py: create the member 'bench' first (starcon user add bench)")
    pw = row[0]
    now_ms = int(time.time() * 1000)
    start_ms = now_ms - a.days * 86_400_000

    # Members: ids time-ordered, created before the first post.
    con.execute("BEGIN")
    ids = []
    rows = []
    for i in range(a.members):
        ms = start_ms - 86_400_000 + i
        aid = make_id(ms, 0)
        ids.append(aid)
        name = f"m{i:05d}"
        rows.append((aid, name, name, f"Member {i}", "person", "member", "active", pw, ms))
    con.executemany("INSERT INTO accounts (id, username, username_key, display_name, kind, role, status, "
                    "password_hash, created_at) VALUES (?,?,?,?,?,?,?,?,?)", rows)
    con.execute("COMMIT")
    print(f"accounts {a.members} {time.time()-t0:.1f}s", flush=True)

    # Follows: each member follows ~N others (uniform 0.8N..1.2N, mean N).
    following = []
    frows = []
    for i, aid in enumerate(ids):
        k = rnd.randint(int(a.follows * 0.8), int(a.follows * 1.2))
        targets = rnd.sample(range(a.members - 1), k)
        targets = sorted(ids[t if t < i else t + 1] for t in targets)
        following.append(targets)
        frows.extend((aid, t, start_ms) for t in targets)
    con.execute("BEGIN")
    con.executemany("INSERT INTO follows (account_id, target_id, created_at) VALUES (?,?,?)", frows)
    con.execute("COMMIT")
    print(f"follows {len(frows)} {time.time()-t0:.1f}s", flush=True)
    del frows

    # Statuses: spread evenly over --days, authors uniform; ids ascending with time.
    by_author = {aid: [] for aid in ids}
    span = now_ms - 60_000 - start_ms
    con.execute("BEGIN")
    batch = []
    last_ms, seq = -1, 0
    for j in range(a.posts):
        ms = start_ms + span * j // a.posts
        seq = seq + 1 if ms == last_ms else 0
        last_ms = ms
        sid = make_id(ms, seq)
        author = ids[rnd.randrange(a.members)]
        by_author[author].append(sid)
        text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(5, 30)))
        vis = "public" if rnd.random() < 0.9 else "private"
        batch.append((sid, author, text, vis, "en", ms))
        if len(batch) >= 50_000:
            con.executemany("INSERT INTO statuses (id, account_id, text, visibility, language, created_at) "
                            "VALUES (?,?,?,?,?,?)", batch)
            batch = []
    if batch:
        con.executemany("INSERT INTO statuses (id, account_id, text, visibility, language, created_at) "
                        "VALUES (?,?,?,?,?,?)", batch)
    con.execute("COMMIT")
    print(f"statuses {a.posts} {time.time()-t0:.1f}s", flush=True)

    # home_feed: per member, the newest --home-depth of (own + followed authors' statuses).
    con.execute("DROP INDEX IF EXISTS home_feed_author")
    author_of = {}
    for aid, lst in by_author.items():
        for s in lst[-a.home_depth:]:
            author_of[s] = aid
    con.execute("BEGIN")
    total = 0
    batch = []
    for i, aid in enumerate(ids):
        srcs = [reversed(by_author[t][-a.home_depth:]) for t in following[i]]
        srcs.append(reversed(by_author[aid][-a.home_depth:]))
        newest = list(itertools.islice(heapq.merge(*srcs, reverse=True), a.home_depth))
        newest.reverse()
        batch.extend((aid, s, author_of[s]) for s in newest)
        if len(batch) >= 200_000:
            con.executemany("INSERT INTO home_feed (account_id, status_id, author_id) VALUES (?,?,?)", batch)
            total += len(batch)
            batch = []
    con.executemany("INSERT INTO home_feed (account_id, status_id, author_id) VALUES (?,?,?)", batch)
    total += len(batch)
    con.execute("COMMIT")
    print(f"home_feed {total} {time.time()-t0:.1f}s", flush=True)
    con.execute("CREATE INDEX home_feed_author ON home_feed (account_id, author_id)")
    con.execute("ANALYZE")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    print(f"done {time.time()-t0:.1f}s", flush=True)


if __name__ == "__main__":
    main()
