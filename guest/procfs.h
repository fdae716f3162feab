/* psutil's fields from /proc: CPU times (/proc/stat), memory (/proc/meminfo), network counters (/proc/net/dev). */
#ifndef CRBENCH_PROCFS_H
#define CRBENCH_PROCFS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* The "cpu" line of /proc/stat, in clock ticks (USER_HZ). */
struct cr_cpu_times {
	uint64_t user, nice, system, idle, iowait, irq, softirq, steal;
};

/* /proc/meminfo in bytes, and psutil's "used" (total - free - buffers - cached). */
struct cr_mem {
	uint64_t total, free, available, buffers, cached, active, inactive, used;
};

#define CR_NETDEV_MAX 64

struct cr_netdev {
	char name[32];
	uint64_t rx_bytes, rx_packets, tx_bytes, tx_packets;
};

struct cr_netdevs {
	struct cr_netdev dev[CR_NETDEV_MAX];
	size_t n;
};

/* Parsers of the files' text (not NUL-terminated); each refuses what it cannot trust. */
int cr_parse_proc_stat(const char *text, size_t len, struct cr_cpu_times *out, cr_error_t *err);
int cr_parse_meminfo(const char *text, size_t len, struct cr_mem *out, cr_error_t *err);
int cr_parse_net_dev(const char *text, size_t len, struct cr_netdevs *out, cr_error_t *err);

/* A snapshot of all three, as JSON, read from /proc now; keys missing where a file could not be read. */
json_t *cr_sys_snapshot(void);
/* after - before of two snapshots' CPU ticks and network counters, with memory as it was after. */
json_t *cr_sys_delta(const json_t *before, const json_t *after);

#endif
