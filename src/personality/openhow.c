/* openat2(2)'s struct open_how: the kernel's checks (fs/open.c, the
 * openat2 system call and build_open_flags), in its order, so that a wrong
 * call fails as natively; the walk's RESOLVE_* rules are path.c's. */
#include "personality/pers.h"

#include <errno.h>
#include <string.h>

/* The kernel's open flags, x86-64's values (asm-generic's; arm64 permutes
 * O_DIRECTORY, O_NOFOLLOW, O_DIRECT and O_LARGEFILE among the same bits):
 * glibc's O_LARGEFILE is 0 on a 64-bit host, and the checks need the bit. */
#define K_O_ACCMODE 03
#define K_O_CREAT 0100
#define K_O_TRUNC 01000
#define K_O_EXCL 0200
#define K_O_LARGEFILE 0100000
#define K_O_DIRECTORY 0200000
#define K_O_NOFOLLOW 0400000
#define K_O_CLOEXEC 02000000
#define K_O_PATH 010000000
#define K_O_TMPFILE 020000000 /* without its O_DIRECTORY */
/* VALID_OPEN_FLAGS: the access modes, O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC,
 * O_APPEND, O_NONBLOCK, O_DSYNC, FASYNC, O_DIRECT, O_LARGEFILE,
 * O_DIRECTORY, O_NOFOLLOW, O_NOATIME, O_CLOEXEC, __O_SYNC, O_PATH and
 * __O_TMPFILE: every bit from 01 to 020000000 */
#define K_VALID_OPEN 037777703ULL
#define K_O_PATH_FLAGS (K_O_DIRECTORY | K_O_NOFOLLOW | K_O_PATH | K_O_CLOEXEC)
#define K_RESOLVE_VALID 0x3fULL
#define K_RESOLVE_BENEATH 0x08
#define K_RESOLVE_IN_ROOT 0x10
#define K_RESOLVE_CACHED 0x20
#define PAGE 4096

int pers_open_how_size(uint64_t size)
{
	if (size < PERS_OPEN_HOW_SIZE)
		return -EINVAL;
	return size > PAGE ? -E2BIG : 0;
}

int pers_open_how(const void *buf, size_t size, struct pers_open_how *how)
{
	const unsigned char *tail = (const unsigned char *)buf + PERS_OPEN_HOW_SIZE;
	uint64_t flags;
	int r;

	if ((r = pers_open_how_size(size)) < 0)
		return r;
	/* copy_struct_from_user: a larger struct's fields mew does not know
	 * must be zero */
	for (size_t i = 0; i < size - PERS_OPEN_HOW_SIZE; i++)
		if (tail[i] != 0)
			return -E2BIG;
	memcpy(how, buf, sizeof(*how));
	flags = how->flags & ~(uint64_t)K_O_CLOEXEC;
	if ((flags & ~K_VALID_OPEN) || (how->resolve & ~K_RESOLVE_VALID))
		return -EINVAL;
	if ((how->resolve & K_RESOLVE_BENEATH) && (how->resolve & K_RESOLVE_IN_ROOT))
		return -EINVAL;
	/* a mode only for what creates, and only permission bits */
	if ((flags & K_O_CREAT) || (flags & K_O_TMPFILE)) {
		if (how->mode & ~(uint64_t)07777)
			return -EINVAL;
	} else if (how->mode != 0) {
		return -EINVAL;
	}
	if ((flags & (K_O_DIRECTORY | K_O_CREAT)) == (K_O_DIRECTORY | K_O_CREAT))
		return -EINVAL;
	/* O_TMPFILE: with its O_DIRECTORY, for writing */
	if ((flags & K_O_TMPFILE) && (!(flags & K_O_DIRECTORY) || (flags & K_O_ACCMODE) == 0))
		return -EINVAL;
	if ((flags & K_O_PATH) && (flags & ~(uint64_t)K_O_PATH_FLAGS))
		return -EINVAL;
	if ((how->resolve & K_RESOLVE_CACHED) && (flags & (K_O_TRUNC | K_O_CREAT | K_O_TMPFILE)))
		return -EAGAIN;
	if (!(how->flags & K_O_PATH))
		how->flags |= K_O_LARGEFILE;
	return 0;
}

int pers_open_how_walk(const struct pers_open_how *how)
{
	int flags = PERS_RESOLVE(how->resolve);

	if (!(how->flags & K_O_NOFOLLOW) && (how->flags & (K_O_CREAT | K_O_EXCL)) != (K_O_CREAT | K_O_EXCL))
		flags |= PERS_FOLLOW;
	return flags;
}
