// Debian's libsqlite3 (libsqlite3-dev, 3.40+: WAL, FTS5 with the trigram tokenizer, RETURNING).
#include <sqlite3.h>
