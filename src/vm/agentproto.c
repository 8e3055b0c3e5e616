#include "vm/agentproto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/file.h"
#include "base/paths.h"
#include "base/strutil.h"
#include "vm/passt.h"

#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

/* One NUL-terminated field at the end of the description. */
static int field(struct agent_run *r, const char *v)
{
	size_t n = strlen(v) + 1;
	if (r->len + n > sizeof(r->buf))
		return -1;
	memcpy(r->buf + r->len, v, n);
	r->len += n;
	return 0;
}

static int number(struct agent_run *r, unsigned long long v)
{
	char s[24];
	snprintf(s, sizeof(s), "%llu", v);
	return field(r, s);
}

int agent_run_describe(const struct spec *spec, struct agent_run *r)
{
	size_t argc = strv_len(spec->argv), envc = spec->env ? strv_len(spec->env) : 0;
	int bad = 0;

	r->len = 0;
	bad |= number(r, argc);
	for (size_t i = 0; i < argc; i++)
		bad |= field(r, spec->argv[i]);
	bad |= number(r, envc);
	for (size_t i = 0; i < envc; i++)
		bad |= field(r, spec->env[i]);
	bad |= field(r, spec->cwd ? spec->cwd : "/");
	bad |= number(r, spec->user_set ? spec->uid : 0);
	bad |= number(r, spec->user_set ? spec->gid : 0);
	bad |= field(r, spec->hostname != NULL ? spec->hostname : "mew");
	bad |= number(r, spec->readonly_root);
	bad |= number(r, spec->nmounts);
	for (size_t i = 0; i < spec->nmounts; i++) {
		int ro = 0;
		for (size_t k = 0; spec->mounts[i].options != NULL && spec->mounts[i].options[k] != NULL; k++)
			ro |= strcmp(spec->mounts[i].options[k], "ro") == 0;
		bad |= field(r, spec->mounts[i].destination);
		bad |= number(r, ro);
	}
	/* The host's clock and fresh entropy: a guest restored from a snapshot
	 * steps its clock and reseeds its RNG, so that no two runs share either. */
	struct timespec now;
	uint8_t seed[32];
	char hex[65];
	clock_gettime(CLOCK_REALTIME, &now);
	if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		return -1;
	for (size_t i = 0; i < sizeof(seed); i++)
		snprintf(hex + 2 * i, 3, "%02x", seed[i]);
	bad |= number(r, (unsigned long long)now.tv_sec);
	bad |= number(r, (unsigned long long)now.tv_nsec);
	bad |= field(r, hex);
	/* --net user: eth0's address, prefix and gateway (passt's); else empty */
	bool net = spec->net == SPEC_NET_USER;
	bad |= field(r, net ? VM_NET_ADDR : "");
	bad |= number(r, net ? VM_NET_PREFIX : 0);
	bad |= field(r, net ? VM_NET_GATEWAY : "");
	return bad ? -1 : 0;
}

/* Hex, so that any byte survives the kernel command line. */
int agent_encode_run(const struct spec *spec, char *out, size_t max)
{
	struct agent_run *r = malloc(sizeof(*r));
	size_t n;

	if (r == NULL || agent_run_describe(spec, r) < 0) {
		free(r);
		return -1;
	}
	n = (size_t)snprintf(out, max, " mew.run=");
	if (n >= max || (max - n - 1) / 2 < r->len) {
		free(r);
		return -1;
	}
	for (size_t i = 0; i < r->len; i++)
		n += (size_t)snprintf(out + n, max - n, "%02x", (unsigned char)r->buf[i]);
	free(r);
	return 0;
}

int agent_status_feed(struct agent_status *s, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned v = 0;
		if (s->done)
			return AGENT_STATUS_BAD;
		if (data[i] != '\n') {
			if (s->n >= sizeof(s->buf) - 1 || data[i] < '0' || data[i] > '9')
				return s->done = 1, AGENT_STATUS_BAD;
			s->buf[s->n++] = (char)data[i];
			continue;
		}
		s->done = 1;
		if (s->n == 0 || s->n > 3 || i + 1 != len)
			return AGENT_STATUS_BAD;
		for (size_t k = 0; k < s->n; k++)
			v = v * 10 + (unsigned)(s->buf[k] - '0');
		return v > 255 ? AGENT_STATUS_BAD : (int)v;
	}
	return AGENT_STATUS_MORE;
}

int agent_initramfs(struct cpio *c, const char *dir, struct mew_error **err)
{
	cleanup_free char *agent_path = NULL, *mew_path = NULL, *agent = NULL, *mew = NULL;
	size_t agent_len = 0, mew_len = 0;

	if (asprintf(&agent_path, "%s/mew-agent", dir) < 0 || asprintf(&mew_path, "%s/mew-static", dir) < 0)
		return mew_error(err, ENOMEM, "the agent initramfs");
	if (!file_exists(agent_path))
		return mew_error(err, 0, "the guest agent `%s` is missing: build it with make", agent_path);
	if (file_read(agent_path, &agent, &agent_len, err) < 0)
		return -1;
	if (file_exists(mew_path) && file_read(mew_path, &mew, &mew_len, err) < 0)
		return -1;
	if (cpio_add(c, "dev", 040755, NULL, 0) < 0 || cpio_add(c, "proc", 040755, NULL, 0) < 0 ||
	    cpio_add(c, "sys", 040755, NULL, 0) < 0 || cpio_add(c, "root", 040755, NULL, 0) < 0 ||
	    cpio_add(c, "init", 0100755, agent, agent_len) < 0 || cpio_add(c, "mew", 040755, NULL, 0) < 0 ||
	    (mew != NULL && cpio_add(c, "mew/mew", 0100755, mew, mew_len) < 0) || cpio_finish(c) < 0)
		return mew_error(err, ENOMEM, "building the agent initramfs");
	return 0;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* What names a build of path (or its absence). */
static uint64_t identity(uint64_t h, const char *path)
{
	struct stat st;
	struct {
		uint64_t dev, ino, size, sec, nsec;
	} id = { 0, 0, 0, 0, 0 };

	if (stat(path, &st) == 0)
		id = (typeof(id)){ st.st_dev, st.st_ino, (uint64_t)st.st_size, (uint64_t)st.st_mtim.tv_sec,
				   (uint64_t)st.st_mtim.tv_nsec };
	return fnv(fnv(h, path, strlen(path)), &id, sizeof(id));
}

static int map_file(struct agent_image *img, const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *p;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_size <= 0) {
		close(fd);
		return -1;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	img->map = p;
	img->data = p;
	img->len = (size_t)st.st_size;
	return 0;
}

uint64_t agent_initramfs_key(const char *dir)
{
	cleanup_free char *agent = NULL, *mew = NULL;

	if (asprintf(&agent, "%s/mew-agent", dir) < 0 || asprintf(&mew, "%s/mew-static", dir) < 0)
		return 0;
	return identity(identity(fnv(0xcbf29ce484222325ULL, "mew-initramfs-1", 15), agent), mew);
}

uint64_t agent_file_key(uint64_t h, const char *path)
{
	return identity(h, path);
}

int agent_initramfs_get(struct agent_image *img, const char *dir, struct mew_error **err)
{
	cleanup_free char *cache = NULL, *path = NULL, *tmp = NULL;
	uint64_t key = agent_initramfs_key(dir);

	memset(img, 0, sizeof(*img));
	if (key == 0 || asprintf(&cache, "%s/vm", mew_cache_dir()) < 0 ||
	    asprintf(&path, "%s/initramfs-%016llx.cpio", cache, (unsigned long long)key) < 0 ||
	    asprintf(&tmp, "%s.%d.tmp", path, (int)getpid()) < 0)
		return mew_error(err, ENOMEM, "the agent initramfs");
	if (map_file(img, path) == 0)
		return 0;
	if (agent_initramfs(&img->built, dir, err) < 0)
		return -1;
	img->data = img->built.buf;
	img->len = img->built.len;
	/* Cache it for the next run; if that fails, this run still has it. */
	struct mew_error *e = NULL;
	if (file_mkdir_p(cache, 0755, &e) < 0 || file_write(tmp, (const char *)img->built.buf, img->built.len, &e) < 0 ||
	    rename(tmp, path) < 0)
		unlink(tmp);
	mew_error_free(e);
	return 0;
}

void agent_initramfs_put(struct agent_image *img)
{
	if (img->map != NULL)
		munmap(img->map, img->len);
	cpio_free(&img->built);
	memset(img, 0, sizeof(*img));
}
