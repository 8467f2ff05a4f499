# Makefile for venv: the `venv` tool and libvenv.a.
#
# Knobs (set on the command line or in config.mak):
#   PREFIX=/usr/local   where `make install` puts things (DESTDIR is honoured)
#   DEVELOPER=1         -Wall -Wextra -Werror -pedantic and _FORTIFY_SOURCE
#   SANITIZE=1          build with address and undefined-behaviour sanitizers
#   V=1                 show the full commands
#   CC, CFLAGS, LDFLAGS as usual
#
# Targets: all (default), deps, check, unit, cli, bench, faults, fuzz, lint,
# install, uninstall, clean, distclean, check-headers.

-include config.mak

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

CC ?= cc
PKG_CONFIG ?= pkg-config
AR ?= ar

DEPS_PKGS = libarchive libpcre2-8 jansson libcrypto
DEPS_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(DEPS_PKGS) 2>/dev/null)
DEPS_LIBS := $(shell $(PKG_CONFIG) --libs $(DEPS_PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS := $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

CFLAGS ?= -O2 -g
BASE_CFLAGS = -std=c11 -Icommon -Icreate -Iinspect -Irepair -I. $(DEPS_CFLAGS)
WARN_CFLAGS = -Wall -Wextra
ifeq ($(DEVELOPER),1)
WARN_CFLAGS += -Werror -Wno-error=deprecated-declarations -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wvla
FORTIFY = $(shell printf '#include <stdio.h>\n' | $(CC) -D_FORTIFY_SOURCE=3 -O2 -Werror -x c -E - >/dev/null 2>&1 && echo 3 || echo 2)
BASE_CFLAGS += -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=$(FORTIFY)
endif
ifeq ($(SANITIZE),1)
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif
# libarchive and libcrypto are loaded with dlopen() when first needed
# (common/la.h, common/sha256.h): their dependencies cost more to load than
# a whole `venv create --without-pip`. Where a library's file name cannot
# be found out here, it is linked as usual.
soname = $(shell objdump -p $(shell $(PKG_CONFIG) --variable=libdir $(1) 2>/dev/null)/$(2).so 2>/dev/null | sed -n 's/^ *SONAME *//p')
LA_SONAME := $(call soname,libarchive,libarchive)
CRYPTO_SONAME := $(call soname,libcrypto,libcrypto)
VENV_PKGS = libpcre2-8 jansson
ifneq ($(LA_SONAME),)
BASE_CFLAGS += -DVENV_LA_SONAME_BARE=$(LA_SONAME)
else
VENV_PKGS += libarchive
endif
ifneq ($(CRYPTO_SONAME),)
BASE_CFLAGS += -DVENV_CRYPTO_SONAME_BARE=$(CRYPTO_SONAME)
else
VENV_PKGS += libcrypto
endif
VENV_LIBS = $(shell $(PKG_CONFIG) --libs $(VENV_PKGS) 2>/dev/null) -ldl -lpthread

ALL_CFLAGS = $(BASE_CFLAGS) $(WARN_CFLAGS) $(CFLAGS) $(SAN_FLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS)
LIBS = $(DEPS_LIBS) -ldl -lpthread

ifneq ($(V),1)
QUIET_CC = @echo '   ' CC $@;
QUIET_AR = @echo '   ' AR $@;
QUIET_LINK = @echo '   ' LINK $@;
QUIET_GEN = @echo '   ' GEN $@;
endif

# The library: everything but the command-line layer.
LIB_OBJS += common/actscan.o
LIB_OBJS += common/cfg.o
LIB_OBJS += common/cfgcheck.o
LIB_OBJS += common/diag.o
LIB_OBJS += common/dist.o
LIB_OBJS += common/envdir.o
LIB_OBJS += common/elf.o
LIB_OBJS += common/entrypoints.o
LIB_OBJS += common/envid.o
LIB_OBJS += common/error.o
LIB_OBJS += common/filehash.o
LIB_OBJS += common/fs.o
LIB_OBJS += common/jsonstream.o
LIB_OBJS += common/la.o
LIB_OBJS += common/lock.o
LIB_OBJS += common/log.o
LIB_OBJS += common/model.o
LIB_OBJS += common/model_interp.o
LIB_OBJS += common/path.o
LIB_OBJS += common/proc.o
LIB_OBJS += common/progress.o
LIB_OBJS += common/pep440.o
LIB_OBJS += common/pep508.o
LIB_OBJS += common/pyinfo.o
LIB_OBJS += common/record.o
LIB_OBJS += common/pyfind.o
LIB_OBJS += common/regex.o
LIB_OBJS += common/shebang.o
LIB_OBJS += common/shquote.o
LIB_OBJS += common/suggest.o
LIB_OBJS += common/vbuf.o
LIB_OBJS += create/builder.o
LIB_OBJS += create/pip.o
LIB_OBJS += create/scripts.o
LIB_OBJS += templates/templates.o

# Every library header: the test programs and fuzz targets include them
# too, and make cannot otherwise know to rebuild those when one changes.
LIB_HEADERS = $(wildcard common/*.h create/*.h inspect/*.h repair/*.h)

# More library objects and commands, one list per directory.
include create/Makefile.inc
-include inspect/Makefile.inc
-include repair/Makefile.inc
-include tests/fuzz/Makefile.inc

# The command-line layer: the only code that prints or exits.
CLI_OBJS += venv.o
CLI_OBJS += common/usage.o
CLI_OBJS += create/cmd_create.o

# Activation templates compiled into the library.
TEMPLATES = common/activate common/activate.fish common/activate.nu common/Activate.ps1 posix/activate.csh

# The installed API: $(INCLUDEDIR)/venv/*.h, included as <venv/venv.h> (never
# with -I$(INCLUDEDIR)/venv, where our error.h would hide the C library's).
# They include each other with quotes, which look next to the including file
# first, so they work installed and in the tree.
PUBLIC_HEADERS = common/venv.h common/error.h common/vbuf.h common/cfg.h \
	common/pyinfo.h common/shquote.h

all: venv libvenv.a

libvenv.a: $(LIB_OBJS)
	$(QUIET_AR)rm -f $@ && $(AR) rcs $@ $^

venv: $(CLI_OBJS) libvenv.a
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJS) libvenv.a $(VENV_LIBS)

%.o: %.c
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

templates/embed: templates/embed.c
	$(QUIET_CC)$(CC) -O2 -o $@ $<

templates/templates.c: templates/embed $(addprefix templates/,$(TEMPLATES))
	$(QUIET_GEN)templates/embed $@ templates $(TEMPLATES)

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d)

include tests/Makefile.inc

# Install build and test dependencies (Debian/Ubuntu, as root or with sudo).
deps:
	sh tests/install-deps.sh

# Shell completions, generated from the option tables (venv --dump-options).
completions: venv templates/completions.sh
	$(QUIET_GEN)sh templates/completions.sh ./venv templates/completions

install: all completions
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 0644 templates/completions/venv.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/venv
	install -m 0644 templates/completions/_venv $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_venv
	install -m 0644 templates/completions/venv.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/venv.fish
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/venv \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(PKGCONFIGDIR)
	install -m 0755 venv $(DESTDIR)$(BINDIR)/venv
	install -m 0644 libvenv.a $(DESTDIR)$(LIBDIR)/libvenv.a
	$(MAKE) --no-print-directory install-headers
	install -m 0644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	for f in man/*.7; do [ -e "$$f" ] && install -m 0644 "$$f" $(DESTDIR)$(MANDIR)/man7/ || :; done
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(shell sed -n 's/.*VENV_VERSION_STRING "\(.*\)"/\1/p' common/venv.h)|' \
	    -e 's|@REQUIRES@|$(DEPS_PKGS)|' common/libvenv.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/libvenv.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/share/bash-completion/completions/venv \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_venv \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/venv.fish
	rm -f $(DESTDIR)$(BINDIR)/venv $(DESTDIR)$(LIBDIR)/libvenv.a \
		$(DESTDIR)$(PKGCONFIGDIR)/libvenv.pc
	rm -rf $(DESTDIR)$(INCLUDEDIR)/venv
	cd man && for f in *.1; do rm -f $(DESTDIR)$(MANDIR)/man1/$$f; done
	cd man && for f in *.7; do rm -f $(DESTDIR)$(MANDIR)/man7/$$f; done

install-headers:
	install -d $(DESTDIR)$(INCLUDEDIR)/venv
	install -m 0644 $(PUBLIC_HEADERS) $(DESTDIR)$(INCLUDEDIR)/venv/

# Every installed header compiles on its own as a consumer includes it
# (<venv/X.h>, only the installed include directory, strict C11), and next
# to the C library's <error.h>, which ours must not hide.
check-headers:
	@tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/venv-headers.XXXXXX") && \
	trap 'rm -rf "$$tmp"' EXIT && \
	$(MAKE) -s --no-print-directory install-headers DESTDIR="$$tmp" INCLUDEDIR=/include && \
	for h in $(notdir $(PUBLIC_HEADERS)); do \
		printf '#include <venv/%s>\n' "$$h" | $(CC) -std=c11 -pedantic -Wall -Wextra \
			-Werror -I"$$tmp/include" -x c -fsyntax-only - || exit 1; \
	done && \
	printf '#include <error.h>\n#include <venv/venv.h>\nint f(void);\nint f(void) { error(0, 0, "x"); return VENV_EINVAL; }\n' | \
		$(CC) -std=gnu11 -Wall -Wextra -Werror -I"$$tmp/include" -x c -fsyntax-only - && \
	echo "headers ok"

# Static analysis with the checked-in configuration (.clang-tidy); both must be clean.
LINT_SRCS = $(wildcard common/*.c create/*.c inspect/*.c repair/*.c) venv.c
lint: templates/templates.c
	cppcheck -j "$$(nproc 2>/dev/null || echo 2)" --quiet --error-exitcode=1 \
		--enable=warning,portability,performance --std=c11 \
		--inline-suppr --suppress=missingIncludeSystem -Icommon -Icreate -Iinspect -Irepair \
		$(LINT_SRCS)
	printf '%s\n' $(LINT_SRCS) | xargs -P "$$(nproc 2>/dev/null || echo 2)" -n 4 \
		sh -c 'clang-tidy --quiet "$$@" -- $(BASE_CFLAGS) 2>/dev/null' clang-tidy
	@echo "lint: clean"

clean:
	rm -f venv libvenv.a templates/embed templates/templates.c
	find . -path ./tests/build -prune -o -type f \( -name '*.o' -o -name '*.d' \) -print | xargs rm -f
	rm -rf templates/completions
	@# The tests' fixtures (environments the interpreters and peers make, keyed
	@# by every file they depend on, none of ours) outlive a clean build;
	@# distclean removes them too.
	if [ -d tests/build ]; then \
		find tests/build -mindepth 1 -maxdepth 1 ! -name fixtures -exec rm -rf {} +; \
	fi

distclean: clean
	rm -rf tests/build

.PHONY: all deps completions install install-headers uninstall check-headers lint clean distclean
