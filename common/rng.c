/* splitmix64 and uniform draws from it, so that a shuffle or a simulation can be re-derived from its seed. */
#include "rng.h"

uint64_t cr_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

uint64_t cr_splitmix64_below(uint64_t *state, uint64_t n)
{
	/* rejection keeps the draw uniform over [0, n) */
	uint64_t limit = UINT64_MAX - UINT64_MAX % n, r;

	do
		r = cr_splitmix64(state);
	while (r >= limit);
	return r % n;
}
