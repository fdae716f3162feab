/* Plain HTTP GETs from the agent to a container (boot time, network counters), with libcurl. */
#ifndef CRBENCH_HTTP_H
#define CRBENCH_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* What an attempt got: "HTTP 503", or curl's words for why no answer came. */
#define CR_HTTP_WHY_SIZE 256

/*
 * GET url once; the status in *code and the body's size in *bytes. -1 when
 * no answer came; why (CR_HTTP_WHY_SIZE bytes, or NULL) then says what curl
 * said.
 */
int cr_http_get(const char *url, long timeout_ms, long *code, size_t *bytes, char *why);

/*
 * GET url every 10 ms until it answers 200 or deadline (cr_now() seconds)
 * passes; returns the seconds from t0 to that answer, or -1. *attempts
 * counts the requests made; last (CR_HTTP_WHY_SIZE bytes, or NULL) says
 * what the last one got, or that none was made. gone (may be NULL) is
 * asked CR_HTTP_GONE_FIRST seconds after t0 and then every
 * CR_HTTP_GONE_EVERY seconds whether the server is gone for good (its
 * container exited); when it says so the wait ends at once with -1. The
 * first ask comes late enough that a server that starts as it should is
 * never disturbed by one.
 */
#define CR_HTTP_GONE_FIRST 5.0
#define CR_HTTP_GONE_EVERY 5.0
typedef bool (*cr_http_gone_fn)(void *arg);
double cr_http_wait_200(const char *url, double t0, double deadline, long *attempts, char *last, cr_http_gone_fn gone, void *arg);

#endif
