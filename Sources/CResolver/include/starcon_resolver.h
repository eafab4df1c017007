#ifndef STARCON_RESOLVER_H
#define STARCON_RESOLVER_H
#include <stddef.h>

/// Looks up the MX records of `domain` with libresolv's res_query. Writes "PREFERENCE HOST\n" lines to `out`
/// (NUL-terminated, at most `capacity` bytes) and returns how many records were written; 0 when there are
/// none; -1 when the lookup failed (no DNS, no such domain, a malformed answer).
int starcon_mx_lookup(const char *domain, char *out, size_t capacity);

#endif
