# crbench: builds the host tool and the static guest agent, runs the tests, installs.
#
#   make                 build build/crbench and build/crbench-agent
#   make check           install what tests need, build, run the TAP suite
#   make run             install what a run needs, build, run the default plan
#                        (PLAN=smoke for another shipped plan, RUN_FLAGS=--parallel ...)
#   make fuzz            build the libFuzzer targets with clang and run each briefly
#   make check-faults    the fault suite: panics, hangs, crashes, full disks, signals, real guests
#   make lint            cppcheck, zero findings (ci/cppcheck.supp explains the exceptions)
#   make SANITIZE=address,undefined check
#   make install PREFIX=/usr DESTDIR=...
#   make deb             the Debian package, in build/deb/ (debian/, ci/deb.sh)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec/crbench
DATADIR ?= $(PREFIX)/share/crbench
DESTDIR ?=
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
SANITIZE ?=
BUILDDIR ?= build$(if $(SANITIZE),-san)
FUZZ_SECONDS ?= 20
PLAN ?= default
# the builds under check, check-faults and fuzz, and the fuzzers: one job per CPU
JOBS ?= $(shell nproc 2>/dev/null || echo 1)

V ?= 0
ifeq ($(V),0)
Q := @
say = @printf '  %-7s %s\n' $(1) $(2);
else
Q :=
say :=
endif

HOST_PKGS := libvirt libguestfs libarchive inih jansson libcrypto
AGENT_PKGS := inih jansson

WARNINGS := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -Wvla -Werror=implicit-function-declaration
CPPFLAGS_ALL := -D_GNU_SOURCE -Icommon -Ihost/lib -Iguest -I$(BUILDDIR)
CFLAGS_ALL := -std=gnu11 $(WARNINGS) $(CFLAGS) -MMD -MP
ifneq ($(SANITIZE),)
CFLAGS_ALL += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS_SAN := -fsanitize=$(SANITIZE)
endif

HOST_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(HOST_PKGS) 2>/dev/null)
HOST_LIBS := $(shell $(PKG_CONFIG) --libs $(HOST_PKGS) 2>/dev/null)
# The agent runs in any guest distribution: link it statically, except under
# sanitizers, which cannot be linked statically (that build is for tests only).
AGENT_LIBS := $(shell $(PKG_CONFIG) --static --libs $(AGENT_PKGS) 2>/dev/null)
AGENT_STATIC := $(if $(SANITIZE),,-static)
# Debian's libcurl.a needs libraries Debian ships only shared: the static agent
# links a libcurl built from Debian's source with HTTP over unix sockets only
# (ci/libcurl-static.sh); sanitizer builds and tests use the shared one.
CURL_STATIC ?= $(BUILDDIR)/curl/lib/libcurl.a
AGENT_CURL := $(if $(SANITIZE),-lcurl,$(CURL_STATIC))

COMMON_SRC := $(sort $(wildcard common/*.c))
HOSTLIB_SRC := $(sort $(wildcard host/lib/*.c))
HOSTCMD_SRC := $(sort $(wildcard host/*.c))
AGENTLIB_SRC := $(sort $(filter-out guest/main.c,$(wildcard guest/*.c)))
UNIT_SRC := $(sort $(wildcard tests/unit/test-*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz-*.c))

obj = $(patsubst %.c,$(BUILDDIR)/obj/%.o,$(1))
COMMON_OBJ := $(call obj,$(COMMON_SRC)) $(BUILDDIR)/obj/version.o
HOSTLIB_OBJ := $(call obj,$(HOSTLIB_SRC))
HOSTCMD_OBJ := $(call obj,$(HOSTCMD_SRC))
AGENTLIB_OBJ := $(call obj,$(AGENTLIB_SRC))
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILDDIR)/tests/%,$(UNIT_SRC))
FUZZ_REPLAY_BIN := $(patsubst tests/fuzz/%.c,$(BUILDDIR)/tests/replay-%,$(FUZZ_SRC))
ALL_OBJ := $(COMMON_OBJ) $(HOSTLIB_OBJ) $(HOSTCMD_OBJ) $(AGENTLIB_OBJ) $(call obj,guest/main.c)

CRBENCH := $(BUILDDIR)/crbench
AGENT := $(BUILDDIR)/crbench-agent

.PHONY: all check check-faults run fuzz lint install uninstall deb clean deps-build deps-run deps-check deps-deb FORCE
.DELETE_ON_ERROR:
# keep objects of tests and fuzz targets, which make would treat as intermediate
.SECONDARY:

all: $(CRBENCH) $(AGENT) man

# The version comes from git when there is one; the file is rewritten only
# when it changes so that a rebuild is not forced every time.
# (CRBENCH_VERSION from the environment: the package build's copy has no .git)
ifeq ($(origin CRBENCH_VERSION),undefined)
CRBENCH_VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo unknown)
endif
$(BUILDDIR)/version.c: FORCE
	@mkdir -p $(@D)
	@v='const char crbench_version[] = "0.1.0-$(CRBENCH_VERSION)";'; \
	[ -f $@ ] && [ "$$(cat $@)" = "$$v" ] || echo "$$v" > $@

$(BUILDDIR)/obj/version.o: $(BUILDDIR)/version.c
	$(call say,CC,$<)
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -c -o $@ $<

# Where an installed crbench finds its data and agent; rewritten only when they change.
$(BUILDDIR)/config.h: FORCE
	@mkdir -p $(@D)
	@printf '#define CRBENCH_DATADIR "%s"\n#define CRBENCH_LIBEXECDIR "%s"\n' '$(DATADIR)' '$(LIBEXECDIR)' > $@.new; \
	cmp -s $@.new $@ && rm -f $@.new || mv -f $@.new $@
$(BUILDDIR)/obj/host/lib/paths.o $(BUILDDIR)/obj/host/lib/run.o: $(BUILDDIR)/config.h

$(BUILDDIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(call say,CC,$<)
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CPPFLAGS) $(HOST_CFLAGS) $(CFLAGS_ALL) -c -o $@ $<

# Three archives: code both sides share, the host library, the agent library.
$(BUILDDIR)/libcommon.a: $(COMMON_OBJ)
$(BUILDDIR)/libhost.a: $(HOSTLIB_OBJ)
$(BUILDDIR)/libagent.a: $(AGENTLIB_OBJ)
$(BUILDDIR)/libcommon.a $(BUILDDIR)/libhost.a $(BUILDDIR)/libagent.a:
	@mkdir -p $(@D)
	$(call say,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

LIBS_HOST := $(BUILDDIR)/libhost.a $(BUILDDIR)/libcommon.a
LIBS_AGENT := $(BUILDDIR)/libagent.a $(BUILDDIR)/libcommon.a
LIBS_TEST := $(BUILDDIR)/libhost.a $(BUILDDIR)/libagent.a $(BUILDDIR)/libcommon.a

$(CRBENCH): $(HOSTCMD_OBJ) $(LIBS_HOST)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS) $(LDFLAGS_SAN) -o $@ $^ $(HOST_LIBS) -lm

$(CURL_STATIC):
	$(call say,CURL,$@)
	$(Q)sh ci/libcurl-static.sh $(BUILDDIR)/curl

$(AGENT): $(call obj,guest/main.c) $(LIBS_AGENT) $(if $(SANITIZE),,$(CURL_STATIC))
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS) $(LDFLAGS_SAN) $(AGENT_STATIC) -o $@ $(call obj,guest/main.c) $(LIBS_AGENT) $(AGENT_CURL) $(AGENT_LIBS) -lm

# Unit tests link both libraries; each is one cmocka program printing TAP.
$(BUILDDIR)/tests/test-%: $(BUILDDIR)/obj/tests/unit/test-%.o $(LIBS_TEST)
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS) $(LDFLAGS_SAN) -o $@ $^ $(HOST_LIBS) -lcurl -lcmocka -lm

# Fuzz targets also build with gcc against a replay driver, so `make check`
# runs every corpus file through them even without clang.
$(BUILDDIR)/tests/replay-fuzz-%: $(BUILDDIR)/obj/tests/fuzz/fuzz-%.o $(BUILDDIR)/obj/tests/fuzz/replay.o $(LIBS_TEST)
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS) $(LDFLAGS_SAN) -o $@ $^ $(HOST_LIBS) -lcurl -lm

deps-build:
	@sh ci/deps.sh build
deps-run:
	@sh ci/deps.sh run
deps-check:
	@sh ci/deps.sh check
deps-deb:
	@sh ci/deps.sh deb

# Targets that install packages first re-enter make so that pkg-config flags
# are computed after the -dev packages exist.
# Under sanitizers a leak or an error exits 86, so that a test expecting a
# plain failure (exit 1) cannot mistake a leak for it.
# The tests that boot no guest share nothing and run one per CPU at a time
# (prove's par rules); those that boot guests (they call e2e_or_skip) match
# no rule, so prove runs them after the others, one after another, alone: a
# guest under TCG takes the CPUs it is pinned to. One prove, one summary.
CLI_TESTS := $(sort $(wildcard tests/cli/*.t))
GUEST_TESTS := $(shell grep -l '^e2e_or_skip' $(CLI_TESTS))
LIGHT_TESTS = $(UNIT_BIN) $(FUZZ_REPLAY_BIN) $(filter-out $(GUEST_TESTS),$(CLI_TESTS))
check: deps-check
	@$(MAKE) --no-print-directory -j$(JOBS) check-build
	@export ASAN_OPTIONS=exitcode=86:$${ASAN_OPTIONS:-} UBSAN_OPTIONS=exitcode=86:$${UBSAN_OPTIONS:-} \
		CRBENCH=$(abspath $(CRBENCH)) BUILDDIR=$(abspath $(BUILDDIR)) SRCDIR=$(CURDIR); \
	prove --timer -j$(JOBS) -e '' $(addprefix --rules=par=,$(LIGHT_TESTS)) $(LIGHT_TESTS) $(GUEST_TESTS)

# The fault suite: each fault made to happen for real in a run under TCG
# (tests/faults/*.t), about 11 minutes. Its guests have one vCPU, pinned:
# one fault per CPU at a time (a guest booting under TCG alone leaves about
# 40 % of two CPUs idle). FAULTS_ALONE run after the others, one at a time:
# each leaves a dead run for its own next run to reap (any other run would
# reap it first), or runs two guests itself. With CRBENCH_FAULTS_HOST set,
# every fault runs alone: their second hosts are one user's daemons.
FAULT_TESTS := $(sort $(wildcard tests/faults/*.t))
FAULTS_ALONE := tests/faults/sigkill-then-run.t tests/faults/host-lost.t tests/faults/concurrent.t
FAULTS_JOBS = $(if $(CRBENCH_FAULTS_HOST),1,$(JOBS))
check-faults: deps-check
	@$(MAKE) --no-print-directory -j$(JOBS) check-build
	@CRBENCH=$(abspath $(CRBENCH)) BUILDDIR=$(abspath $(BUILDDIR)) SRCDIR=$(CURDIR) \
		prove --timer -v -j$(FAULTS_JOBS) -e '' $(addprefix --rules=par=,$(filter-out $(FAULTS_ALONE),$(FAULT_TESTS))) \
		$(FAULT_TESTS)

.PHONY: check-build
check-build: all $(UNIT_BIN) $(FUZZ_REPLAY_BIN)

# The main job: build what the cache lacks, boot one guest per runtime of
# the plan, harvest into results/<run id>/ (crbench run --help). A plan with
# an Ubuntu image needs Debian's ubuntu-keyring, which Debian 12 lacks.
run: deps-run
	@$(MAKE) --no-print-directory all
	@if grep -Eq '^[[:space:]]*image[[:space:]]*=[[:space:]]*ubuntu' images/plans/$(PLAN).ini; then sh ci/ubuntu-keyring.sh; fi
	$(CRBENCH) run --plan images/plans/$(PLAN).ini $(RUN_FLAGS)

# Static analysis: cppcheck over every source, zero findings; the few it gets
# wrong are in ci/cppcheck.supp, each with why.
lint: deps-check
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability --std=c11 \
		-D_GNU_SOURCE -Icommon -Ihost/lib -Iguest --suppress=missingIncludeSystem \
		--suppressions-list=ci/cppcheck.supp common host guest tests/unit
	@# the commands parse, print and call host/lib; libvirt is the library's (docs/hacking.md)
	@! grep -n '\bvir[A-Z_][A-Za-z_]*' host/*.c || { echo "lint: a command uses libvirt directly (above): move it into host/lib"; exit 1; }
	@# the layout the code has (.clang-format): `clang-format -i FILE` applies it; tables laid out by hand are fenced off
	@clang-format --dry-run --Werror $$(find common host guest tests -name '*.[ch]' | sort) || \
		{ echo "lint: the files above are not laid out as .clang-format says: clang-format -i them"; exit 1; }

# The libFuzzer targets: the code under test is compiled once with coverage
# and the sanitizers into one archive, each target linked against it, then
# each run FUZZ_SECONDS from its corpus (tests/fuzz/corpus/NAME).
FUZZ_CC ?= clang
FUZZ_DIR := build-fuzz
FUZZ_CFLAGS := -std=gnu11 -g -O1 -D_GNU_SOURCE -Icommon -Ihost/lib -Iguest -I$(BUILDDIR) $(HOST_CFLAGS) \
	-fno-sanitize-recover=all -MMD -MP
FUZZ_LIB_OBJ := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(COMMON_SRC) $(HOSTLIB_SRC) $(AGENTLIB_SRC)) $(FUZZ_DIR)/obj/version.o
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(FUZZ_DIR)/%,$(FUZZ_SRC))
fuzz: deps-check
	@$(MAKE) --no-print-directory -j$(JOBS) fuzz-build
	@sh ci/fuzz.sh $(FUZZ_SECONDS) $(JOBS) $(FUZZ_BIN)
.PHONY: fuzz-build
fuzz-build: $(FUZZ_BIN)
$(FUZZ_DIR)/obj/%.o: %.c $(BUILDDIR)/config.h
	@mkdir -p $(@D)
	$(call say,FUZZCC,$<)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<
$(FUZZ_DIR)/obj/version.o: $(BUILDDIR)/version.c
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<
$(FUZZ_DIR)/libfuzz.a: $(FUZZ_LIB_OBJ)
	$(Q)rm -f $@ && $(AR) rcs $@ $^
$(FUZZ_DIR)/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_DIR)/libfuzz.a
	$(call say,FUZZLD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(FUZZ_DIR)/libfuzz.a $(HOST_LIBS) -lcurl -lm

# Manual pages (man/README): scdoc sources man/NAME.SECTION.scd, pages in $(BUILDDIR)/man/.
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DOCDIR ?= $(PREFIX)/share/doc/crbench
MAN_PAGES := $(patsubst man/%.scd,$(BUILDDIR)/man/%,$(sort $(wildcard man/*.scd)))
.PHONY: man
man: $(MAN_PAGES)
$(BUILDDIR)/man/%: man/%.scd
	@mkdir -p $(@D)
	@command -v scdoc >/dev/null || { echo "scdoc is missing: apt-get install scdoc (or make deps-build)" >&2; exit 1; }
	$(call say,SCDOC,$@)
	$(Q)scdoc <$< >$@

# The data directory holds what the builder reads at run time: recipes,
# plans, hooks and the files copied into images (plans/ is images/plans, so
# that a shipped plan is DATADIR/plans/NAME.ini). The completion finds the
# recipes there, so it is told where that is. The documents keep their
# layout under DOCDIR/docs, for their links to each other and the schemas.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DATADIR)
	install -m 0755 $(CRBENCH) $(DESTDIR)$(BINDIR)/crbench
	install -m 0755 $(AGENT) $(DESTDIR)$(LIBEXECDIR)/crbench-agent
	cp -R images builder $(DESTDIR)$(DATADIR)/
	ln -sfn images/plans $(DESTDIR)$(DATADIR)/plans
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(BASHCOMPDIR)
	install -m 0644 $(filter %.1,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(filter %.5,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man5/
	sed 's|@DATADIR@|$(DATADIR)|' completion/crbench.bash >$(DESTDIR)$(BASHCOMPDIR)/crbench
	install -d $(DESTDIR)$(DOCDIR)/docs/schema $(DESTDIR)$(DOCDIR)/docs/example-report
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 docs/*.md $(DESTDIR)$(DOCDIR)/docs/
	install -m 0644 docs/schema/* $(DESTDIR)$(DOCDIR)/docs/schema/
	install -m 0644 docs/example-report/* $(DESTDIR)$(DOCDIR)/docs/example-report/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/crbench $(DESTDIR)$(LIBEXECDIR)/crbench-agent
	rm -f $(DESTDIR)$(MANDIR)/man1/crbench.1 $(DESTDIR)$(MANDIR)/man1/crbench-*.1 $(DESTDIR)$(MANDIR)/man5/crbench-*.5 \
		$(DESTDIR)$(BASHCOMPDIR)/crbench
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)

# The Debian package (debian/), built by dpkg-buildpackage in a copy of the
# tree under $(BUILDDIR)/deb/, checked by lintian; the .deb lands there too.
deb: deps-deb
	@$(MAKE) --no-print-directory $(CURL_STATIC)
	@CURL_STATIC=$(abspath $(CURL_STATIC)) CRBENCH_VERSION=$(CRBENCH_VERSION) sh ci/deb.sh $(BUILDDIR)/deb

clean:
	rm -rf build build-san build-fuzz

-include $(ALL_OBJ:.o=.d) $(wildcard $(BUILDDIR)/obj/tests/*/*.d) $(wildcard $(FUZZ_DIR)/obj/*/*.d $(FUZZ_DIR)/obj/*/*/*.d $(FUZZ_DIR)/*.d)
