/* The order the agent runs the suite in: whole rounds, warm-up rounds first, each round shuffled with the plan's seed. */
#ifndef CRBENCH_SCHEDULE_H
#define CRBENCH_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"

struct cr_step {
	enum cr_test test;
	enum cr_net_pair pair; /* net-matrix only */
	enum cr_net_load load; /* net-matrix only */
	uint64_t round;	       /* 0 .. warmup + repetitions - 1 */
	bool warmup;	       /* a discarded round */
	char name[48];	       /* "boot", "net-bridge-bridge-idle", ... */
};

/*
 * The steps of the whole suite. The environment record is one step, first;
 * then warmup + repetitions rounds, each holding every other selected test
 * (and every selected network cell) once, in an order shuffled with
 * cr_shuffle(seed, round). The caller frees *steps.
 */
void cr_schedule_make(const struct cr_plan *plan, uint64_t seed, struct cr_step **steps, size_t *n);

/* Fisher-Yates over n items of size bytes, drawing from splitmix64 seeded with seed ^ (round * golden ratio). */
void cr_shuffle(void *items, size_t n, size_t size, uint64_t seed, uint64_t round);

#endif
