/* Parsers of the benchmark tools' output (iperf3, sockperf, bonnie++, stress-ng) for the guest agent. */
#ifndef CRBENCH_TOOLPARSE_H
#define CRBENCH_TOOLPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/*
 * Every parser reads output of a program that ran inside a container, so it
 * trusts nothing: text need not be NUL-terminated, may hold any bytes, and
 * is refused above CR_TOOL_OUTPUT_MAX. On failure *out is unspecified, -1 is
 * returned and *err names what was missing or wrong. The results own no
 * memory: there is nothing to free.
 */
#define CR_TOOL_OUTPUT_MAX (64u << 20)

/* iperf3 -J. Rates are bits per second, CPU figures percent. */
struct cr_iperf3_sum {
	uint64_t bytes;
	double seconds;
	double bits_per_second;
};

struct cr_iperf3 {
	char version[32]; /* start.version, "iperf 3.12"; "" when absent */
	char protocol[8]; /* start.test_start.protocol: "TCP", "UDP" */
	bool reverse;	  /* -R: the server sent */
	unsigned num_streams;
	double duration;	       /* requested seconds (start.test_start.duration) */
	struct cr_iperf3_sum sent;     /* end.sum_sent */
	struct cr_iperf3_sum received; /* end.sum_received */
	bool has_retransmits;	       /* TCP senders report them, UDP has none */
	uint64_t retransmits;
	bool has_udp; /* jitter and loss seen by the receiver */
	double jitter_ms;
	uint64_t lost_packets;
	uint64_t packets;
	double cpu_host_total, cpu_host_user, cpu_host_system;
	double cpu_remote_total, cpu_remote_user, cpu_remote_system;
};

/* A run iperf3 itself reports as failed ({"error": "..."}) is an error carrying its message. */
int cr_parse_iperf3(const char *text, size_t len, struct cr_iperf3 *out, cr_error_t *err);

/*
 * sockperf ping-pong stdout. Times are microseconds: round trips when the
 * client ran with --full-rtt (rtt true), else sockperf's one-way latency,
 * half the round trip. Percentiles sockperf did not print are NaN.
 */
struct cr_sockperf {
	char version[32]; /* "3.7-no.git" */
	char protocol[4]; /* "TCP", "UDP"; "" when the address line is missing */
	bool rtt;
	double run_seconds; /* the valid duration, warm-up excluded */
	uint64_t sent, received;
	uint64_t dropped, duplicated, out_of_order;
	double avg, stddev;
	uint64_t observations;
	double min, max;
	double p25, p50, p75, p90, p99, p99_9, p99_99, p99_999;
};

/* sockperf's own failures ("ERROR: ...", "No messages were received ...") are errors carrying its message. */
int cr_parse_sockperf(const char *text, size_t len, struct cr_sockperf *out, cr_error_t *err);

/*
 * bonnie++ CSV (format 1.98, bonnie++ 1.98 and 2.00). Either its -q stdout
 * (the CSV line only) or its whole stdout: the first CSV line is read.
 * bonnie++ cannot time a test that finishes too fast and prints "+++++";
 * that is not a zero, it is a value that was not measured.
 */
enum cr_bonnie_status {
	CR_BONNIE_MEASURED,
	CR_BONNIE_TOO_FAST, /* "+++++", "+++": ran, too fast to time */
	CR_BONNIE_NOT_RUN,  /* empty field: skipped (-f, -n 0) */
};

struct cr_bonnie_value {
	enum cr_bonnie_status status;
	double value; /* NaN unless status is CR_BONNIE_MEASURED */
};

struct cr_bonnie {
	char version[16];   /* "2.00a" */
	uint64_t file_size; /* bytes, from "2G", "256M" */
	/* K/s and CPU % of the block tests, seeks/s and CPU % of random seeks */
	struct cr_bonnie_value block_out, block_out_cpu;
	struct cr_bonnie_value rewrite, rewrite_cpu;
	struct cr_bonnie_value block_in, block_in_cpu;
	struct cr_bonnie_value seeks, seeks_cpu;
};

int cr_parse_bonnie(const char *text, size_t len, struct cr_bonnie *out, cr_error_t *err);

/* stress-ng --yaml FILE: the 'metrics' section, one entry per stressor. */
#define CR_STRESS_NG_MAX 64

struct cr_stress_ng_stressor {
	char name[32];
	uint64_t bogo_ops;
	double real_time, usr_time, sys_time; /* seconds; usr and sys summed over instances */
	double bogo_ops_per_sec_real;
	double bogo_ops_per_sec_usr_sys;
};

struct cr_stress_ng {
	char version[32]; /* system-info stress-ng-version; "" when absent */
	size_t n;
	struct cr_stress_ng_stressor stressors[CR_STRESS_NG_MAX];
};

int cr_parse_stress_ng(const char *text, size_t len, struct cr_stress_ng *out, cr_error_t *err);

#endif
