# clockwork build. Run ./configure first; it writes config.mk and config.h.
#
#   make            chronyd and chronyc in the top directory
#   make check      every test layer (plain and sanitizer builds), one summary line
#   make install    honours DESTDIR and the configured paths
#   make demo       build and show a server and a client talking on loopback
#
# Sources are found by wildcard: a new module is a new .c/.h pair in its layer.

-include config.mk

ifndef CW_CONFIGURED
$(error config.mk is missing: run ./configure first)
endif

# B: build directory. SAN=1 builds with AddressSanitizer and UBSan into build/san.
ifeq ($(SAN),1)
B ?= build/san
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
B ?= build/default
SAN_FLAGS := $(CW_SAN_FLAGS)
endif

ifeq ($(WERROR),1)
WERROR_FLAGS := -Werror
endif

CPPFLAGS_ALL := -I. -Iinclude -Isrc $(CPPFLAGS)
CFLAGS_ALL := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter \
              $(CW_CFLAGS) $(WERROR_FLAGS) $(SAN_FLAGS) $(CFLAGS)
LDFLAGS_ALL := $(SAN_FLAGS) $(LDFLAGS) $(CW_LDFLAGS)
LIBS_ALL := $(CW_LIBS) -lm -lpthread

LIB_SRC   := $(sort $(wildcard src/common/*.c src/platform/*.c src/core/*.c))
D_SRC     := $(sort $(filter-out src/chronyd/main.c,$(wildcard src/chronyd/*.c)))
C_SRC     := $(sort $(filter-out src/chronyc/main.c,$(wildcard src/chronyc/*.c)))
UNIT_SRC  := $(sort $(wildcard test/unit/test_*.c))
TOOL_SRC  := $(sort $(wildcard test/tools/*.c))

LIB_OBJ   := $(LIB_SRC:%.c=$(B)/%.o)
D_OBJ     := $(D_SRC:%.c=$(B)/%.o)
C_OBJ     := $(C_SRC:%.c=$(B)/%.o)
UNIT_BIN  := $(UNIT_SRC:test/unit/%.c=$(B)/test/unit/%)
TOOL_BIN  := $(TOOL_SRC:test/tools/%.c=$(B)/test/tools/%)

.PHONY: all bins check check-build unit-build clean distclean install demo fuzz

all: chronyd chronyc

ifeq ($(B),build/default)
chronyd: $(B)/chronyd
	cp $< $@
chronyc: $(B)/chronyc
	cp $< $@
endif

$(B)/libcw.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^
$(B)/libcwd.a: $(D_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^
$(B)/libcwc.a: $(C_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(B)/chronyd: $(B)/src/chronyd/main.o $(B)/libcwd.a $(B)/libcw.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ALL)
$(B)/chronyc: $(B)/src/chronyc/main.o $(B)/libcwc.a $(B)/libcw.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ALL)

# Unit tests link everything but the two main()s; archives pull only what they use.
$(B)/test/unit/%: $(B)/test/unit/%.o $(B)/libcwd.a $(B)/libcwc.a $(B)/libcw.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ALL)
$(B)/test/tools/%: $(B)/test/tools/%.o $(B)/libcw.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ALL)

$(B)/%.o: %.c config.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

-include $(shell find $(B) -name '*.d' 2>/dev/null)

bins: $(B)/chronyd $(B)/chronyc $(UNIT_BIN) $(TOOL_BIN)

# make check: a -Werror build and a sanitizer build, then every test layer.
check:
	$(MAKE) --no-print-directory WERROR=1 all bins
	$(MAKE) --no-print-directory WERROR=1 SAN=1 bins
	$(MAKE) --no-print-directory -C test/clockshim
	@sh test/run-all.sh

.PHONY: sim
# the deterministic simulator: $(B)/test/sim/cw-sim (test/sim/README.md)
sim:
	$(MAKE) -C test/sim B=$(B) $(if $(filter 1,$(SAN)),SAN=1)

demo: all
	@sh contrib/demo.sh

install: all
	install -d $(DESTDIR)$(CW_SBINDIR) $(DESTDIR)$(CW_BINDIR)
	install -m 755 chronyd $(DESTDIR)$(CW_SBINDIR)/chronyd
	install -m 755 chronyc $(DESTDIR)$(CW_BINDIR)/chronyc
	install -d $(DESTDIR)$(CW_MANDIR)/man1 $(DESTDIR)$(CW_MANDIR)/man5 $(DESTDIR)$(CW_MANDIR)/man8
	for m in man1/chronyc.1 man5/chrony.conf.5 man8/chronyd.8; do \
	  sed -e 's|/etc/chrony\.conf|$(CW_SYSCONFDIR)/chrony.conf|g' \
	      -e 's|/run/chrony|$(CW_RUNSTATEDIR)/chrony|g' \
	      -e 's|/var/lib/chrony|$(CW_LOCALSTATEDIR)/lib/chrony|g' \
	      doc/$$(basename $$m) > $(DESTDIR)$(CW_MANDIR)/$$m && chmod 644 $(DESTDIR)$(CW_MANDIR)/$$m || exit 1; \
	done
	install -d $(DESTDIR)$(CW_LOCALSTATEDIR)/lib/chrony

clean:
	rm -rf build chronyd chronyc

distclean: clean
	rm -f config.mk config.h
