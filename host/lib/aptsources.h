/* The host's apt configuration, read to find its mirror for a suite. */
#ifndef CRBENCH_APTSOURCES_H
#define CRBENCH_APTSOURCES_H

/*
 * The URI of the first "deb" source in root/etc/apt/sources.list and
 * root/etc/apt/sources.list.d/ (*.list, *.sources) that serves suite, or
 * NULL when none does. Both the one-line and the deb822 formats are read.
 */
char *cr_apt_mirror_for_suite(const char *root, const char *suite);

#endif
