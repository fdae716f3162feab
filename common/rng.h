/* splitmix64 (Steele, Lea & Flood 2014): the one documented generator behind the agent's shuffles and the tests' simulations. */
#ifndef CRBENCH_RNG_H
#define CRBENCH_RNG_H

#include <stdint.h>

/* The next output; *state advances by the golden-ratio increment. */
uint64_t cr_splitmix64(uint64_t *state);
/* A uniform draw in [0, n) (n > 0): r % n after rejecting r >= UINT64_MAX - UINT64_MAX % n. */
uint64_t cr_splitmix64_below(uint64_t *state, uint64_t n);

#endif
