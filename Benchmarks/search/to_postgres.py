#!/usr/bin/env python3
"""Copies what gen.py wrote into a SQLite store over to a migrated PostgreSQL store, with COPY through psql.

usage: to_postgres.py SQLITE_DB POSTGRES_URL

As Benchmarks/feed/to_postgres.py: `starcon migrate` and `starcon user add bench` on the PostgreSQL store
first. The three pg_trgm GIN indexes are dropped while copying and built again after (one build is much
faster than a million index updates), with the definitions of migration 80. ANALYZE at the end.
"""
import csv, sqlite3, subprocess, sys, time

TABLES = {
    "accounts": "id, username, username_key, display_name, kind, role, status, password_hash, created_at",
    "follows": "account_id, target_id, created_at",
    "statuses": "id, account_id, text, visibility, created_at",
    "search_documents": "id, kind, doc_id, sender, subject, body",
}
INDEXES = ["sender", "subject", "body"]
# CSV reads an empty field as NULL; these columns hold empty text.
NOT_NULL = {"search_documents": ", FORCE_NOT_NULL (sender, subject, body)", "accounts": ", FORCE_NOT_NULL (display_name)"}


def psql(url, *commands):
    args = ["psql", "-q", "-v", "ON_ERROR_STOP=1", url]
    for c in commands:
        args += ["-c", c]
    subprocess.run(args, check=True)


def main():
    db, url = sys.argv[1], sys.argv[2]
    con = sqlite3.connect(db)
    t0 = time.time()
    psql(url, *[f"DROP INDEX IF EXISTS search_documents_{c}_trgm" for c in INDEXES])
    bench = con.execute("SELECT id FROM accounts WHERE username_key = 'bench'").fetchone()[0]
    for table, columns in TABLES.items():
        where = {"accounts": " WHERE username_key <> 'bench'",
                 "search_documents": f" WHERE kind <> 'account' OR doc_id <> {bench}"}.get(table, "")
        proc = subprocess.Popen(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", "SET session_replication_role = replica",
                                 "-c", f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv{NOT_NULL.get(table, '')})"], stdin=subprocess.PIPE, text=True)
        writer = csv.writer(proc.stdin)
        n = 0
        select = f"SELECT {columns} FROM {table}{where}"
        if table == "follows":  # bench's own id differs on PostgreSQL
            select = f"SELECT (SELECT 0) AS account_id, target_id, created_at FROM follows WHERE account_id = {bench}"
        for row in con.execute(select):
            writer.writerow(row)
            n += 1
        proc.stdin.close()
        if proc.wait() != 0:
            sys.exit(f"to_postgres.py: COPY {table} failed")
        print(f"{table} {n} {time.time() - t0:.1f}s", flush=True)
    psql(url, "UPDATE follows SET account_id = (SELECT id FROM accounts WHERE username_key = 'bench') WHERE account_id = 0")
    psql(url, "SET maintenance_work_mem = '512MB'",
         *[f"CREATE INDEX search_documents_{c}_trgm ON search_documents USING gin ({c} gin_trgm_ops)" for c in INDEXES])
    print(f"indexes {time.time() - t0:.1f}s", flush=True)
    psql(url, "ANALYZE")
    print(f"done {time.time() - t0:.1f}s", flush=True)


if __name__ == "__main__":
    main()
