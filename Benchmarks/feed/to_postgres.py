#!/usr/bin/env python3
"""Copies what gen.py wrote into a SQLite store over to a migrated PostgreSQL store, with COPY through psql.

usage: to_postgres.py SQLITE_DB POSTGRES_URL

gen.py writes SQLite only (Python's sqlite3, no PostgreSQL driver here). The four tables it fills
(accounts, follows, statuses, home_feed) have the same columns and types (BIGINT, TEXT) on both engines, so
the rows are streamed as CSV into `COPY … FROM STDIN`. Before: `starcon migrate` and `starcon user add bench`
on the PostgreSQL store (gen.py's members share the SQLite bench's password hash; both come from the same
password). Foreign keys are not checked while copying (`session_replication_role = replica`): the rows come
from a consistent store. `ANALYZE` at the end, as gen.py does.
"""
import csv, sqlite3, subprocess, sys, time

TABLES = {
    "accounts": "id, username, username_key, display_name, kind, role, status, password_hash, created_at",
    "follows": "account_id, target_id, created_at",
    "statuses": "id, account_id, text, visibility, language, created_at",
    "home_feed": "account_id, status_id, author_id",
}


def main():
    db, url = sys.argv[1], sys.argv[2]
    con = sqlite3.connect(db)
    t0 = time.time()
    for table, columns in TABLES.items():
        where = " WHERE username_key <> 'bench'" if table == "accounts" else ""
        psql = subprocess.Popen(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", "SET session_replication_role = replica",
                                 "-c", f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)"],
                                stdin=subprocess.PIPE, text=True)
        writer = csv.writer(psql.stdin)
        n = 0
        for row in con.execute(f"SELECT {columns} FROM {table}{where}"):
            writer.writerow(row)
            n += 1
        psql.stdin.close()
        if psql.wait() != 0:
            sys.exit(f"to_postgres.py: COPY {table} failed")
        print(f"{table} {n} {time.time() - t0:.1f}s", flush=True)
    subprocess.run(["psql", "-q", url, "-c", "ANALYZE"], check=True)
    print(f"done {time.time() - t0:.1f}s", flush=True)


if __name__ == "__main__":
    main()
