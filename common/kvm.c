/* Probing a KVM device node. */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "kvm.h"
#include "util.h"

void cr_kvm_probe(const char *path, struct cr_kvm_state *s)
{
	cleanup_close int fd = -1;
	struct stat st;
	int v;

	*s = (struct cr_kvm_state){ 0 };
	if (stat(path, &st) < 0) {
		s->error = errno;
		return;
	}
	s->exists = true;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		s->error = errno;
		return;
	}
	v = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (v != KVM_API_VERSION) {
		s->error = v < 0 ? errno : EPROTO;
		return;
	}
	s->usable = true;
}
