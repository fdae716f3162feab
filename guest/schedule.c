/* Test order: rounds of every test, shuffled per round from the seed (splitmix64 + Fisher-Yates). */
#include "schedule.h"
#include "rng.h"
#include "util.h"

void cr_shuffle(void *items, size_t n, size_t size, uint64_t seed, uint64_t round)
{
	uint64_t state = seed ^ (round * 0x9E3779B97F4A7C15ULL);
	cleanup_free char *tmp = xmalloc(size);
	char *base = items;

	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)cr_splitmix64_below(&state, i);

		if (j != i - 1) {
			memcpy(tmp, base + (i - 1) * size, size);
			memcpy(base + (i - 1) * size, base + j * size, size);
			memcpy(base + j * size, tmp, size);
		}
	}
}

static void add(struct cr_step **v, size_t *n, const struct cr_step *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = *s;
}

void cr_schedule_make(const struct cr_plan *plan, uint64_t seed, struct cr_step **steps, size_t *n)
{
	struct cr_step *round = NULL, *out = NULL;
	size_t per_round = 0, total = 0;
	uint64_t rounds = plan->warmup + plan->repetitions;

	if (plan->tests & (1u << CR_TEST_ENV)) {
		struct cr_step env = { .test = CR_TEST_ENV, .name = "env" };

		add(&out, &total, &env);
	}
	/* one round's steps, in the plan's order before shuffling */
	for (int t = 0; t < CR_TEST__MAX; t++) {
		if (t == CR_TEST_ENV || !(plan->tests & (1u << t)))
			continue;
		if (t != CR_TEST_NET_MATRIX) {
			struct cr_step s = { .test = (enum cr_test)t };

			snprintf(s.name, sizeof(s.name), "%s", cr_test_names[t]);
			add(&round, &per_round, &s);
			continue;
		}
		for (int p = 0; p < CR_NET__MAX; p++) {
			for (int l = 0; l < CR_LOAD__MAX; l++) {
				struct cr_step s = { .test = CR_TEST_NET_MATRIX, .pair = (enum cr_net_pair)p, .load = (enum cr_net_load)l };

				if (!(plan->net_pairs & (1u << p)) || !(plan->net_loads & (1u << l)))
					continue;
				snprintf(s.name, sizeof(s.name), "net-%s-%s", cr_net_pair_names[p], cr_net_load_names[l]);
				add(&round, &per_round, &s);
			}
		}
	}
	for (uint64_t r = 0; r < rounds; r++) {
		cr_shuffle(round, per_round, sizeof(*round), seed, r);
		for (size_t i = 0; i < per_round; i++) {
			struct cr_step s = round[i];

			s.round = r;
			s.warmup = r < plan->warmup;
			add(&out, &total, &s);
		}
	}
	free(round);
	*steps = out;
	*n = total;
}
