# SPDX-License-Identifier: MIT
# mllpd: one plain, non-recursive GNU Makefile.  Quiet unless V=1.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/mllpd
DESTDIR ?=
CC ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
BUILD ?= build

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(WERROR),1)
WARN += -Werror
endif
ifeq ($(SANITIZE),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif

# libsystemd and OpenSSL are dlopen()ed (cmd/mllpd/systemd.c, lib/tlsio.c):
# only their headers at build time; no program links either.
SD_CFLAGS := $(shell $(PKG_CONFIG) --cflags libsystemd 2>/dev/null)
# libnats (NATS and JetStream client): only mllp-nats and the tests' nats-stream link it.
NATS_CFLAGS := $(shell $(PKG_CONFIG) --cflags libnats 2>/dev/null)
NATS_LIBS := $(shell $(PKG_CONFIG) --libs libnats 2>/dev/null || echo -lnats) -lpthread

# Hardening for every build (HARDEN=0 turns it off).  _FORTIFY_SOURCE needs
# optimisation and duplicates ASan's checks less precisely: it is left out
# of sanitized builds and of unoptimised ones.
HARDEN ?= 1
ifeq ($(HARDEN),1)
HARDEN_CFLAGS := -fstack-protector-strong -fPIE
HARDEN_LDFLAGS := -pie -Wl,-z,relro,-z,now
ifneq ($(SANITIZE),1)
ifneq ($(filter -O1 -O2 -O3 -Os -Og -Ofast,$(CFLAGS)),)
HARDEN_CPPFLAGS := -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3
endif
endif
endif

ALL_CPPFLAGS := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ilib -Icmd/common $(HARDEN_CPPFLAGS) $(CPPFLAGS)
ALL_CFLAGS := -std=c11 $(WARN) $(SANFLAGS) $(HARDEN_CFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS := $(SANFLAGS) $(HARDEN_LDFLAGS) $(LDFLAGS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRC := $(wildcard lib/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
# Archives, so each program links only the modules it uses (hl7 has no
# business with lib/tlsio or cmd/common/tlsopt).
LIB_A := $(BUILD)/libmllp.a
COMMON_A := $(BUILD)/libcommon.a
BENCH_SRC := $(wildcard tests/bench/*.c)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

# Each folder cmd/NAME with a main.c is a program build/NAME made of its
# own sources, cmd/common/ (what every main shares) and lib/.
PROGRAM_NAMES := $(patsubst cmd/%/main.c,%,$(wildcard cmd/*/main.c))
PROGRAMS := $(PROGRAM_NAMES:%=$(BUILD)/%)
COMMON_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard cmd/common/*.c))
MANPAGES := $(wildcard cmd/*/*.[1-8])

# The default goal: the programs.
.PHONY: all
all: $(PROGRAMS)

.SECONDARY:
.PHONY: bench-tools
bench-tools: $(BENCH_BIN)
bench-tools: $(BUILD)/tools/nats-stream

$(BUILD)/bench/%: $(BUILD)/tests/bench/%.o $(LIB_A)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ -lpthread

.PHONY: units run check bench fuzz fuzz-build fuzz-replay install uninstall clean lint deps-build deps-test deps-fuzz deps-lint
units: $(UNIT_BIN) $(BUILD)/tools/faultinject.so
units: $(BUILD)/tools/nats-stream

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(SD_CFLAGS) $(PROG_CFLAGS) -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(COMMON_A): $(COMMON_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

define program_rule
$(BUILD)/$(1): $(patsubst %.c,$(BUILD)/%.o,$(wildcard cmd/$(1)/*.c)) $(COMMON_A) $(LIB_A)
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(PROG_LIBS_$(1))
endef
# Per-program compile flags and libraries: PROG_CFLAGS for its objects, PROG_LIBS_NAME to link.
$(BUILD)/cmd/mllp-nats/%.o: PROG_CFLAGS := $(NATS_CFLAGS)
PROG_LIBS_mllp-nats := $(NATS_LIBS)
$(foreach p,$(PROGRAM_NAMES),$(eval $(call program_rule,$(p))))

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB_A)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^

# The tests' LD_PRELOAD fault injector: never sanitized (the tests preload
# the ASan runtime before it) and without _FORTIFY_SOURCE (it defines open).
$(BUILD)/tools/faultinject.so: tests/tools/faultinject.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) -std=c11 $(WARN) $(CFLAGS) -U_FORTIFY_SOURCE -fPIC -shared -o $@ $< -ldl

# The tests' JetStream stream tool, against libnats.
$(BUILD)/tools/nats-stream: $(BUILD)/tests/tools/nats-stream.o
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(NATS_LIBS)
$(BUILD)/tests/tools/nats-stream.o: PROG_CFLAGS := $(NATS_CFLAGS)

# Fuzz targets (tests/fuzz/fuzz_NAME.c).  With the normal compiler each
# becomes a replayer, $(BUILD)/replay/replay_NAME, that runs files through it
# (make check); with clang and libFuzzer, build/fuzz/fuzz_NAME (make fuzz).
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY := $(FUZZ_NAMES:%=$(BUILD)/replay/replay_%)

fuzz-replay: $(FUZZ_REPLAY)
	@echo "$(SANITIZE)" > $(BUILD)/replay/sanitize

$(BUILD)/replay/replay_%: $(BUILD)/tests/fuzz/replay.o $(BUILD)/tests/fuzz/fuzz_%.o $(LIB_A)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^

FUZZ_CC ?= clang
FUZZ_BUILD ?= build/fuzz
FUZZ_SECONDS ?= 600
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS := -std=c11 $(WARN) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_BIN := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/obj/%.o)

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZCC  $@")
	$(Q)$(FUZZ_CC) -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ilib $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/libmllp.a: $(FUZZ_LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_%.o $(FUZZ_BUILD)/libmllp.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^

fuzz-build: $(FUZZ_BIN)

# Each target runs FUZZ_SECONDS from its seeds, with tests/fuzz/NAME.dict
# when there is one (else hl7.dict); the corpus grows in
# $(FUZZ_BUILD)/corpus/NAME, crashes land in $(FUZZ_BUILD)/crash/NAME.
fuzz: deps-fuzz
	@$(MAKE) --no-print-directory fuzz-build
	@set -e; for t in $(FUZZ_NAMES); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/crash/$$t; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  dict=tests/fuzz/hl7.dict; [ -f tests/fuzz/$$t.dict ] && dict=tests/fuzz/$$t.dict; \
	  $(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -dict=$$dict -artifact_prefix=$(FUZZ_BUILD)/crash/$$t/ \
	    $(FUZZ_BUILD)/corpus/$$t tests/fuzz/seed/$$t; \
	done

-include $(shell find $(BUILD) $(FUZZ_BUILD) -name '*.d' -type f 2>/dev/null)

# Debian packages: installed when missing and we are root, else named.
BUILD_PKGS := gcc make pkg-config libc6-dev libsystemd-dev libssl-dev libnats-dev
# clang, and libFuzzer with the sanitizer runtimes (libclang_rt.fuzzer), which
# Debian ships apart from the compiler.
FUZZ_PKGS := clang libclang-rt-dev
LINT_PKGS := mandoc shellcheck clang-format
TEST_PKGS := bats bats-assert bats-support socat ucspi-tcp python3 python3-hl7 systemd mandoc jq openssl \
	xinetd stunnel4 mosquitto mosquitto-clients strace haproxy prometheus \
	prometheus-node-exporter curl nats-server
define need_packages
	@if command -v dpkg-query >/dev/null 2>&1; then \
	  missing=; for p in $(1); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	  done; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	      echo "installing Debian packages:$$missing"; \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	    else \
	      echo "missing Debian packages:$$missing" >&2; \
	      echo "install them as root: apt-get install$$missing" >&2; exit 1; \
	    fi; \
	  fi; \
	fi
endef

deps-build:
	$(call need_packages,$(BUILD_PKGS))
deps-test: deps-build
	$(call need_packages,$(TEST_PKGS))
	@if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian packages: nodejs npm"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null || \
	      echo "nodejs and npm could not be installed: the npm client tests will skip" >&2; \
	  else \
	    echo "no node or npm: the npm client tests will skip (apt-get install nodejs npm)" >&2; \
	  fi; \
	fi
	@if command -v npm >/dev/null 2>&1; then $(MAKE) -s --no-print-directory $(NPM_DIR)/.installed; fi
	@$(MAKE) -s --no-print-directory $(INETD_DIR)/usr/sbin/inetd || \
	  echo "openbsd-inetd could not be downloaded: its test will skip" >&2

# openbsd-inetd for the tests, unpacked from Debian's package into build/: it
# conflicts with xinetd (both provide inet-superserver), so it is not installed.
INETD_DIR := build/openbsd-inetd
$(INETD_DIR)/usr/sbin/inetd:
	@mkdir -p $(INETD_DIR)
	cd $(INETD_DIR) && apt-get download openbsd-inetd >/dev/null 2>&1 && dpkg-deb -x openbsd-inetd_*.deb .

# MLLP clients from the npm registry for the tests, pinned by
# tests/tools/npm/package-lock.json; installed when node and npm exist.
NPM_DIR := build/npm
$(NPM_DIR)/.installed: tests/tools/npm/package.json tests/tools/npm/package-lock.json
	@mkdir -p $(NPM_DIR)
	cp tests/tools/npm/package.json tests/tools/npm/package-lock.json $(NPM_DIR)/
	npm ci --prefix $(NPM_DIR) --ignore-scripts --no-audit --no-fund
	@touch $@
deps-fuzz: deps-build
	$(call need_packages,$(FUZZ_PKGS))
deps-lint:
	$(call need_packages,$(LINT_PKGS))

RUN_ARGS ?= --listen 127.0.0.1:2575 --spool ./spool -v
run: deps-build
	@$(MAKE) --no-print-directory all
	@echo "mllpd: listening on 127.0.0.1:2575, spool in ./spool (Ctrl-C stops)"
	$(BUILD)/mllpd $(RUN_ARGS)

check: deps-test
	@$(MAKE) --no-print-directory -j2 WERROR=1 all units fuzz-replay
	@$(MAKE) --no-print-directory -j2 WERROR=1 SANITIZE=1 BUILD=build/asan all units fuzz-replay
	@tests/run build build/asan

# mllpd under valgrind (tests/tools/valgrind-mllpd.sh as $MLLPD) through a
# subset of the end-to-end tests.  Slow: not part of check.  Each process
# reports into $(VALGRIND_BUILD)/logs; any report fails the target.
VALGRIND_BUILD ?= build/valgrind
VALGRIND_TESTS ?= 020-framing 030-ack 040-spool 050-exec 060-modes 080-logging 105-faults 110-hostile 120-injection
.PHONY: check-valgrind
check-valgrind: deps-test
	$(call need_packages,valgrind)
	@$(MAKE) --no-print-directory -j2 WERROR=1 BUILD=$(VALGRIND_BUILD) CFLAGS='-O1 -g' all units
	@mkdir -p $(VALGRIND_BUILD)/valgrind && rm -rf $(VALGRIND_BUILD)/logs && mkdir -m 1777 $(VALGRIND_BUILD)/logs
	@for f in hl7 mllp-send tools; do ln -sfn ../$$f $(VALGRIND_BUILD)/valgrind/$$f; done
	@ln -sfn $(CURDIR)/tests/tools/valgrind-mllpd.sh $(VALGRIND_BUILD)/valgrind/mllpd
	MLLPD=$(CURDIR)/$(VALGRIND_BUILD)/valgrind/mllpd VALGRIND_LOGS=$(CURDIR)/$(VALGRIND_BUILD)/logs \
	  bats $(VALGRIND_TESTS:%=tests/bats/%.bats)
	@if find $(VALGRIND_BUILD)/logs -name '*.log' -size +0 | grep -q .; then \
	  find $(VALGRIND_BUILD)/logs -name '*.log' -size +0 -exec sh -c 'echo "== $$1"; cat "$$1"' _ {} \; ; \
	  echo "check-valgrind: valgrind reported errors (above)" >&2; exit 1; \
	fi
	@echo "check-valgrind: no valgrind report"

SYSTEMD_UNITDIR ?= $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir systemd 2>/dev/null || echo $(PREFIX)/lib/systemd/system)
UNITS := $(wildcard units/*.socket units/*.service units/*.timer)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSTEMD_UNITDIR) $(DESTDIR)$(DOCDIR)
	install -m 0644 etc/mllpd.conf.example $(DESTDIR)$(DOCDIR)/
	install -m 0644 contrib/prometheus/mllpd-alerts.yml $(DESTDIR)$(DOCDIR)/
	for p in $(PROGRAM_NAMES); do install -m 0755 $(BUILD)/$$p $(DESTDIR)$(BINDIR)/$$p || exit 1; done
	for m in $(MANPAGES); do \
	  s=$${m##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s && \
	  install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/ || exit 1; \
	done
	for u in $(UNITS); do \
	  sed 's|/usr/local/bin/|$(BINDIR)/|g' $$u > $(DESTDIR)$(SYSTEMD_UNITDIR)/$${u##*/} && \
	  chmod 0644 $(DESTDIR)$(SYSTEMD_UNITDIR)/$${u##*/} || exit 1; \
	done

uninstall:
	for p in $(PROGRAM_NAMES); do rm -f $(DESTDIR)$(BINDIR)/$$p; done
	for m in $(MANPAGES); do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/}; done
	for u in $(UNITS); do rm -f $(DESTDIR)$(SYSTEMD_UNITDIR)/$${u##*/}; done
	rm -f $(DESTDIR)$(DOCDIR)/mllpd.conf.example
	rm -f $(DESTDIR)$(DOCDIR)/mllpd-alerts.yml
	rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || true

# Every shell script; the .bats and .bash files are bash (bats' load is not
# followed: helpers.bash's variables are declared in each file).  Warnings
# and errors count, not shellcheck's style notes.
SHELL_SCRIPTS := tests/run .ci/run $(wildcard tests/*.sh tests/bench/*.sh tests/tools/*.sh tests/fuzz/*.sh)
BATS_SCRIPTS := $(wildcard tests/bats/*.bats tests/bats/*.bash)
C_FILES := $(wildcard cmd/*/*.[ch] lib/*.[ch] tests/unit/*.[ch] tests/fuzz/*.[ch] tests/bench/*.c tests/tools/*.c)

# Each check runs, and the target fails if any did: the man pages, the shell
# scripts, then the format of every C file against .clang-format.
lint: deps-lint
	@rc=0; \
	echo "lint: mandoc"; mandoc -T lint -W warning $(MANPAGES) || rc=1; \
	echo "lint: shellcheck"; shellcheck -S warning $(SHELL_SCRIPTS) || rc=1; \
	shellcheck -S warning -s bash -x -P tests/bats $(BATS_SCRIPTS) || rc=1; \
	echo "lint: clang-format"; clang-format --dry-run --Werror $(C_FILES) 2>&1 | \
	  awk '/: error: code should be clang-formatted/ { n++; sub(/:[0-9]+:[0-9]+: error.*/, ""); f[$$0] = 1 } \
	       END { for (x in f) print "  not formatted: " x | "sort"; close("sort"); if (n) { print "lint: clang-format: " n " places in " length(f) " files"; exit 1 } }' || rc=1; \
	exit $$rc

# Release flags, every figure against a baseline measured in the same run.
bench: deps-test
	@$(MAKE) --no-print-directory -j2 BUILD=build/release CFLAGS='-O2 -g' all bench-tools
	@tests/bench/run.sh build/release

clean:
	rm -rf build
