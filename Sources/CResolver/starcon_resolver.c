#include "starcon_resolver.h"
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>

int starcon_mx_lookup(const char *domain, char *out, size_t capacity) {
    unsigned char answer[NS_PACKETSZ * 4];
    if (capacity == 0) return -1;
    out[0] = '\0';
    int length = res_query(domain, ns_c_in, ns_t_mx, answer, sizeof answer);
    if (length < 0) return -1;
    if (length > (int)sizeof answer) length = (int)sizeof answer;
    ns_msg message;
    if (ns_initparse(answer, length, &message) < 0) return -1;
    int count = ns_msg_count(message, ns_s_an), written = 0;
    size_t used = 0;
    for (int i = 0; i < count; i++) {
        ns_rr record;
        if (ns_parserr(&message, ns_s_an, i, &record) < 0) return -1;
        if (ns_rr_type(record) != ns_t_mx || ns_rr_rdlen(record) < 3) continue;
        const unsigned char *data = ns_rr_rdata(record);
        unsigned preference = ((unsigned)data[0] << 8) | data[1];
        char host[NS_MAXDNAME];
        if (dn_expand(ns_msg_base(message), ns_msg_end(message), data + 2, host, sizeof host) < 0) return -1;
        int n = snprintf(out + used, capacity - used, "%u %s\n", preference, host);
        if (n < 0 || (size_t)n >= capacity - used) break;
        used += (size_t)n;
        written++;
    }
    return written;
}
