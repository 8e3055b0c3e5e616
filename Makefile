# mew: `make` builds build/mew; `make check` runs every test; `make demo`
# sets up a fresh machine and runs a command under each engine.

CC ?= cc
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wshadow -Isrc -D_GNU_SOURCE \
	  -DMEW_VERSION='"$(VERSION)"' -MMD -MP
PKGS := libseccomp jansson libcap libarchive libcrypto
CFLAGS += $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS += $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lseccomp -ljansson -lcap -larchive -lcrypto) -lm -lpthread
# build/mew itself loads libarchive and libcrypto at their first call
# (src/cli/lazylibs.c): linked, they would be loaded at every start.
# libgcc_s stays loaded from the start (libstdc++ brought it before): glibc
# dlopens it at a thread's pthread_exit or cancellation, and by then the
# emulate engine may be where the host's libraries cannot be found.
MEW_LDLIBS := $(filter-out -larchive -lcrypto,$(LDLIBS)) -ldl -lgcc_s

B := build
# Everything under src/ except freestanding code that runs inside a guest
# and what only the static builds link (STATIC_ONLY, below).
STATIC_ONLY := src/image/absent.c
SRCS := $(filter-out $(STATIC_ONLY),$(shell find src -name '*.c' -not -path '*/guest/*' | sort))
LIB_SRCS := $(filter-out src/cli/main.c src/cli/lazylibs.c,$(SRCS))
OBJS := $(SRCS:%.c=$(B)/%.o) $(STATIC_ONLY:%.c=$(B)/%.o)
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)

.PHONY: all check unit e2e demo rootfs deps clean
all: $(B)/mew $(B)/vm/testguest.elf $(B)/vm/mew-agent $(B)/mew-runc $(B)/mew-syscall $(B)/mew-emulate $(B)/mew-vm

# The vm engine's freestanding x86-64 test guest (general-purpose registers only).
TG := src/vm/guest/testguest
TG_CFLAGS := -O2 -Wall -ffreestanding -fno-pic -fno-pie -no-pie -static -nostdlib -mno-red-zone \
	     -mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables \
	     -Wl,-T,$(TG)/link.ld -Wl,--build-id=none -Wl,--no-warn-rwx-segments
$(B)/vm/testguest.elf: $(TG)/start.S $(TG)/main.c $(TG)/link.ld
	@mkdir -p $(dir $@)
	$(CC) $(TG_CFLAGS) -o $@ $(TG)/start.S $(TG)/main.c

# The vm engine's guest agent: a static init for the guest's initramfs.
$(B)/vm/mew-agent: src/vm/guest/agent/agent.c src/vm/agent.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -D_GNU_SOURCE -static -s -o $@ $<

# The syscall engine's in-guest stub (src/trap/guest/stub.h): freestanding,
# linked at its fixed address, embedded in mew as two byte arrays.
STUB := src/trap/guest
STUB_CFLAGS := -O2 -Wall -ffreestanding -fPIE -fvisibility=hidden -nostdlib -static -no-pie \
	       -mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables -fno-builtin \
	       -Wl,-T,$(STUB)/stub.ld -Wl,--build-id=none -Wl,--no-warn-rwx-segments
STUB_SRCS := $(sort $(wildcard $(STUB)/*.c)) src/personality/cred.c src/personality/call.c \
	     src/personality/abi/x86_64.c src/personality/sockname.c
$(B)/trap/stub.elf: $(STUB)/entry.S $(STUB_SRCS) $(wildcard $(STUB)/*.h) src/personality/cred.h \
		    src/personality/call.h src/personality/abi/calls.h src/personality/sockname.h $(STUB)/stub.ld
	@mkdir -p $(dir $@)
	$(CC) $(STUB_CFLAGS) -Isrc -o $@ $(STUB)/entry.S $(STUB_SRCS)
$(B)/trap/stub_image.c: $(B)/trap/stub.elf
	objcopy -O binary -j .text $< $(B)/trap/stub-text.bin
	objcopy -O binary -j .slow $< $(B)/trap/stub-slow.bin
	{ for s in text slow; do echo "const unsigned char mew_stub_$$s[] = {"; \
	  od -An -v -tx1 $(B)/trap/stub-$$s.bin | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; echo '};'; \
	  echo "const unsigned long mew_stub_$${s}_len = sizeof(mew_stub_$$s);"; done; } >$@
$(B)/trap/stub_image.o: $(B)/trap/stub_image.c
	$(CC) $(CFLAGS) -c $< -o $@
LIB_OBJS += $(B)/trap/stub_image.o

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(B)/libmew.a: $(LIB_OBJS)
	@rm -f $@
	@ar rcs $@ $^

$(B)/mew: $(B)/src/cli/main.o $(B)/src/cli/lazylibs.o $(B)/libmew.a
	$(CC) $(LDFLAGS) -o $@ $^ $(MEW_LDLIBS)

# The static builds (mew-static, mew-aarch64) run a root filesystem they are
# given: they leave out the image code (--image, `rootfs create --from image`,
# `images`: src/image/absent.c refuses them by name) and with it libarchive
# and libcrypto, whose static archives need libraries Debian has no static
# build of (libzstd, liblz4, libacl).  No warning is silenced: an undefined
# reference fails the link.
STATIC_OBJS := $(filter-out $(B)/src/image/%,$(LIB_OBJS)) $(STATIC_ONLY:%.c=$(B)/%.o)
STATIC_LDLIBS := $(shell pkg-config --static --libs libseccomp jansson libcap 2>/dev/null || \
		   echo -lseccomp -ljansson -lcap) -lm -lpthread
$(B)/libmew-static.a: $(STATIC_OBJS)
	@rm -f $@
	@ar rcs $@ $^

# mew linked statically: the vm engine puts it into the guest's initramfs, so
# that mew's container engine runs inside the VM.
all: $(B)/vm/mew-static
$(B)/vm/mew-static: $(B)/src/cli/main.o $(B)/libmew-static.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -static -s -o $@ $^ $(STATIC_LDLIBS)

# The workload program `mew bench` runs natively and inside every engine:
# static, for the host and, where aarch64-linux-gnu-gcc is installed, arm64.
BENCH_ARCH := $(subst x86_64,amd64,$(subst aarch64,arm64,$(shell uname -m)))
all: $(B)/bench/work-$(BENCH_ARCH)
$(B)/bench/work-$(BENCH_ARCH): src/bench/guest/work.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -static -Wall -Wextra -o $@ $<
ifneq ($(BENCH_ARCH),arm64)
ifneq ($(shell command -v aarch64-linux-gnu-gcc 2>/dev/null),)
all: $(B)/bench/work-arm64
$(B)/bench/work-arm64: src/bench/guest/work.c
	@mkdir -p $(dir $@)
	aarch64-linux-gnu-gcc -O2 -static -Wall -Wextra -o $@ $<
endif
endif

# The binfmt_misc interpreter of arm64 programs (mew binfmt), and the OCI
# runtime's launcher of the syscall and emulate engines inside a container
# (src/runtime/engine.c): mew linked statically (a chroot or a container has
# no host libraries) and position-independent (a guest program is mapped at
# 0x400000, where a static mew would sit).
all: $(B)/mew-aarch64
$(B)/mew-aarch64: $(B)/src/cli/main.o $(B)/libmew-static.a
	$(CC) $(LDFLAGS) -static-pie -s -o $@ $^ $(STATIC_LDLIBS)

# The OCI runtime is mew under a second name (src/runtime); the name picks
# the engine when config.json's run.mew.engine annotation does not.
$(B)/mew-runc $(B)/mew-syscall $(B)/mew-emulate $(B)/mew-vm: $(B)/mew
	ln -sf mew $@

$(B)/tests/%: tests/unit/%.c $(B)/libmew.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit $< -o $@ $(B)/libmew.a $(LDLIBS) -lcmocka

# libFuzzer targets (clang): tests/fuzz/fuzz_NAME.c against the spec parsers
# and the mount options, run for a bounded time by tests/e2e/*fuzz*.bats.
FUZZ_CC ?= clang
FUZZ_SRCS := $(wildcard src/spec/*.c src/base/*.c) src/container/mountopt.c
$(B)/fuzz/%: tests/fuzz/%.c $(FUZZ_SRCS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-std=gnu11 -Isrc -D_GNU_SOURCE $(shell pkg-config --cflags jansson 2>/dev/null) \
		$< $(FUZZ_SRCS) -o $@ $(LDLIBS)

deps:
	bash scripts/deps.sh

# The default root filesystems: the host's, and arm64 for the emulate engine.
rootfs: all
	bash scripts/rootfs-busybox.sh amd64
	bash scripts/rootfs-busybox.sh arm64 || echo "mew: no arm64 rootfs: the emulate engine has no default one"

# Unit tests (cmocka) and end-to-end tests (bats), one summary line at the end.
check: all $(UNIT_BINS)
	bash tests/run.sh $(UNIT_BINS)

# deps first, then a make that reads this Makefile again: what it decides
# from the installed tools (aarch64-linux-gnu-gcc) sees what deps installed.
demo:
	$(MAKE) deps
	$(MAKE) all rootfs
	bash scripts/demo.sh

clean:
	rm -rf $(B)

-include $(OBJS:.o=.d) $(UNIT_BINS:=.d)
