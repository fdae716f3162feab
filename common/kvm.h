/* Whether a /dev/kvm works: the host's preflight and the agent in a guest ask the same question. */
#ifndef CRBENCH_KVM_H
#define CRBENCH_KVM_H

#include <stdbool.h>

struct cr_kvm_state {
	bool exists;
	bool usable; /* opened read-write and answered KVM_GET_API_VERSION with the version this code knows */
	int error;   /* errno of why it is missing or not usable */
};

void cr_kvm_probe(const char *path, struct cr_kvm_state *s);

#endif
