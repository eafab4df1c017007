#!/usr/bin/env python3
"""Fills a migrated Starcon SQLite store directly (no server) for the sites benchmark: SITES organisation
accounts, each with a site of PAGES published pages (a home page, menu pages two levels deep and news
articles), each page in Korean and in one more language (the search documents publishing writes only with
--search-documents: serving a page never reads them, and the trigram index makes generation 20 times slower).

usage: gen.py DB --sites 1000 --pages 100 --body-bytes 2700 [--seed 1] [--search-documents]

Page i of site s is /sites/sNNNN/pNN (p00 is the home page ""). Bodies are Markdown (headings, lists,
links, emphasis) of about --body-bytes UTF-8 bytes, so the served page is about the size of the static file
it is compared with. The store must hold the member 'bench' (`starcon user add bench`): its password hash
is copied to the owners.
"""
import argparse, random, sqlite3, sys, time

EPOCH_MS = 1_704_067_200_000
TAG = 11
LANGS = ["en", "ru", "zh", "ja"]
WORDS = {
    "ko": "평양 냉면 소식 기관 대학 도서관 연구 회의 발표 전시 학생 교수 인민 과학 기술 문화 역사".split(),
    "en": "news agency university library research meeting report exhibition student science culture history".split(),
    "ru": "новости агентство университет библиотека исследование собрание доклад выставка наука культура".split(),
    "zh": "新闻 通讯社 大学 图书馆 研究 会议 报告 展览 学生 科学 文化 历史".split(),
    "ja": "ニュース 通信社 大学 図書館 研究 会議 報告 展示 学生 科学 文化 歴史".split(),
}


def make_id(ms, seq):
    return ((ms - EPOCH_MS) << 22) | (TAG << 14) | (seq & 0x3FFF)


def body(rnd, lang, size):
    words = WORDS[lang]
    out, n = [], 0
    while n < size:
        kind = rnd.random()
        if kind < 0.15:
            line = "## " + " ".join(rnd.choice(words) for _ in range(4))
        elif kind < 0.35:
            line = "\n".join("- " + " ".join(rnd.choice(words) for _ in range(5)) for _ in range(3))
        else:
            parts = [rnd.choice(words) for _ in range(40)]
            parts[5] = "**" + parts[5] + "**"
            parts[20] = f"[{parts[20]}](/sites/s0000/p01)"
            line = " ".join(parts) + "."
        out.append(line)
        n += len(line.encode()) + 2
    return "\n\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--sites", type=int, default=1000)
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--body-bytes", type=int, default=2700)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--search-documents", action="store_true", help="also index the pages for search (slow: the trigram index)")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    t0 = time.time()
    con = sqlite3.connect(a.db, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    row = con.execute("SELECT id, password_hash FROM accounts WHERE username_key='bench'").fetchone()
    if not row:
        sys.exit("gen.py: create the member 'bench' first (starcon user add bench)")
    bench, pw = row
    now = int(time.time() * 1000)
    start = now - 86_400_000
    seq = 0
    # A few bodies per language, reused: generation stays fast and every page is about the same size.
    bodies = {lang: [body(rnd, lang, a.body_bytes) for _ in range(20)] for lang in WORDS}
    con.execute("BEGIN")
    for s in range(a.sites):
        ms = start + s * 10
        owner = make_id(ms, seq); seq += 1
        name = f"s{s:04d}"
        con.execute("INSERT INTO accounts (id, username, username_key, display_name, kind, role, status, password_hash, created_at) "
                    "VALUES (?,?,?,?,?,?,?,?,?)", (owner, name, name, f"기관 {s}", "organisation", "member", "active", pw, ms))
        site = make_id(ms, seq); seq += 1
        con.execute("INSERT INTO sites (id, name, account_id, title, created_at) VALUES (?,?,?,?,?)", (site, name, owner, f"기관 {s} 누리집", ms))
        parents = []
        for p in range(a.pages):
            page = make_id(ms, seq); seq += 1
            slug = "" if p == 0 else f"p{p:02d}"
            kind = "article" if p >= 60 else "page"
            parent = None
            if kind == "page" and p > 0:
                if p % 4 == 0 or not parents:
                    parents.append(page)
                else:
                    parent = parents[-1]
            con.execute("INSERT INTO site_pages (id, site_id, slug, kind, parent_id, position, created_at) VALUES (?,?,?,?,?,?,?)",
                        (page, site, slug, kind, parent, p, ms))
            titles, texts = [], []
            for lang in ["ko", LANGS[(s + p) % 4]]:
                title = " ".join(rnd.choice(WORDS[lang]) for _ in range(3)) + f" {p}"
                text = bodies[lang][(s + p) % 20]
                con.execute("INSERT INTO site_translations (page_id, language, title, body, published_title, published_body, published_at, "
                            "updated_at, updated_by) VALUES (?,?,?,?,?,?,?,?,?)", (page, lang, title, text, title, text, ms + p, ms, owner))
                titles.append(title.lower()); texts.append(text[:13000].lower())
            if a.search_documents:
                con.execute("INSERT INTO search_documents (id, kind, doc_id, sender, subject, body) VALUES (?,?,?,?,?,?)",
                            (page, "site", page, name, " ".join(titles), " ".join(" ".join(texts).split())))
        if s % 100 == 99:
            con.execute("COMMIT"); con.execute("BEGIN")
    con.execute("COMMIT")
    con.execute("ANALYZE")
    print(f"gen.py: {a.sites} sites x {a.pages} pages in {time.time() - t0:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
