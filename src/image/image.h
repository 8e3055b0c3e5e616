/* Container images as root filesystems: an image reference (oci:, oci-archive:,
 * docker-archive:, containers-storage:) is read without any registry, its
 * layers applied in order into a directory, and the result cached by the
 * image's manifest digest.  One concept per file:
 *   ref.c       the reference string -> transport, path, tag
 *   source.c    where the image's files are: a directory or a tar archive
 *   blob.c      a blob read ahead in a thread that checks its digest
 *   manifest.c  index.json / manifest / config (OCI and docker-archive)
 *   layer.c     one layer tar applied beneath a root (whiteouts, links, owners)
 *   unpack.c    all layers of an image into a directory, with a progress line
 *   cache.c     the unpacked rootfs per image digest: locks, listing, pruning
 *   config.c    the image's config -> the run's spec (argv, env, cwd, user)
 *   writable.c  the run's throwaway layer over the cached rootfs */
#ifndef MEW_IMAGE_IMAGE_H
#define MEW_IMAGE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "base/error.h"
#include "spec/spec.h"

/* ---- ref.c ---- */
enum image_transport {
	IMAGE_OCI,		  /* oci:DIR[:TAG]: an OCI image layout directory */
	IMAGE_OCI_ARCHIVE,	  /* oci-archive:FILE[:TAG]: the same, as a tar */
	IMAGE_DOCKER_ARCHIVE,	  /* docker-archive:FILE[:NAME[:TAG]]: docker/podman save */
	IMAGE_CONTAINERS_STORAGE, /* containers-storage:NAME[:TAG]: podman's local store */
};

struct image_ref {
	enum image_transport transport;
	char *path; /* directory or file; for containers-storage, the image name */
	char *tag;  /* NULL: the only image there (or the one tagged latest) */
	char *text; /* the reference as given, for messages */
	/* containers-storage:[DRIVER@ROOT+RUNROOT]NAME: a store other than
	 * podman's default (NULL each: podman's own configuration) */
	char *store_driver, *store_root, *store_runroot;
};

/* Parse REF; a registry reference (docker://, quay.io/x, busybox:latest) is
 * refused with a message that says no registry is used. */
int image_ref_parse(const char *s, struct image_ref *ref, struct mew_error **err);
void image_ref_free(struct image_ref *ref);
const char *image_transport_name(enum image_transport t);

/* ---- source.c ---- */
struct image_source;
struct image_stream; /* an open blob inside a source */

int image_source_open(const struct image_ref *ref, struct image_source **out,
		      struct mew_error **err);
void image_source_close(struct image_source *src);
/* Whether NAME (a path inside the layout: "index.json", "blobs/sha256/…")
 * exists in the source. */
bool image_source_has(struct image_source *src, const char *name);
/* A small file (JSON) read whole, at most max bytes. */
int image_source_read(struct image_source *src, const char *name, size_t max, char **buf,
		      size_t *len, struct mew_error **err);
/* Stream a blob: open, read until 0, close.  One stream at a time. */
int image_stream_open(struct image_source *src, const char *name, struct image_stream **out,
		      struct mew_error **err);
ssize_t image_stream_read(struct image_stream *s, void *buf, size_t len);
void image_stream_close(struct image_stream *s);
/* The source's config digest without reading the image (podman image
 * inspect), so that a cached unpack is found without exporting the image;
 * NULL when the source cannot tell it cheaply. */
char *image_source_id(struct image_source *src);

/* ---- blob.c ---- */
struct image_blob;
/* Start reading NAME from src in a thread that hashes it; digest is the
 * expected "sha256:<hex>" (NULL: not checked).  size is the expected length
 * (-1: unknown), for the progress line. */
int image_blob_open(struct image_source *src, const char *name, const char *digest,
		    struct image_blob **out, struct mew_error **err);
/* libarchive-style read: a pointer to the next bytes, 0 at the end, -1 on error. */
ssize_t image_blob_read(struct image_blob *b, const void **buf);
uint64_t image_blob_offset(const struct image_blob *b);
/* Drain what is left, join the thread and compare the digest: 0, or -1 with
 * *err naming the blob and both digests.  With err NULL the blob is
 * abandoned unread and unchecked.  Frees b. */
int image_blob_close(struct image_blob *b, struct mew_error **err);

/* ---- manifest.c ---- */
struct image_layer {
	char *blob;   /* path inside the source */
	char *digest; /* expected digest of that file ("sha256:<hex>"), or NULL */
	int64_t size; /* bytes, -1 unknown */
};

struct image_config {
	char *arch; /* Debian's name: "amd64", "arm64" */
	char **env;
	char **entrypoint;
	char **cmd;
	char *workdir;
	char *user;
};

struct image {
	char *digest;	     /* the cache key: the manifest's digest (docker-archive: the config's) */
	char *config_digest; /* the image ID */
	struct image_layer *layers;
	size_t nlayers;
	struct image_config config;
};

/* Find the image in src (by ref->tag; a multi-platform index by arch, NULL
 * = the host's) and read its manifest and config.  Errors name the file and
 * the field. */
int image_load(struct image_source *src, const struct image_ref *ref, const char *arch,
	       struct image *img, struct mew_error **err);
void image_free(struct image *img);
void image_config_free(struct image_config *c);
/* An image config JSON (the blob) -> c.  name is for messages. */
int image_config_parse(const char *json, size_t len, const char *name, struct image_config *c,
		       struct mew_error **err);

/* ---- layer.c ---- */
struct image_layer_stats {
	uint64_t entries, bytes;
	uint64_t devices_skipped; /* unprivileged: device nodes not created */
	uint64_t xattrs_skipped;  /* the filesystem refused them */
	uint64_t owners_recorded; /* unprivileged: owners kept in xattrs */
	/* called about once per MiB of the blob */
	void (*progress)(void *arg, uint64_t offset);
	void *progress_arg;
};

/* Apply one layer tar (any compression libarchive reads) from blob beneath
 * root_fd.  A path that would leave the root (.., absolute, through a
 * symlink) is refused and nothing is written outside.  what names the layer
 * in messages. */
int image_layer_apply(int root_fd, struct image_blob *blob, const char *what,
		      struct image_layer_stats *st, struct mew_error **err);

/* ---- unpack.c ---- */
/* Apply every layer of img, in order, into the empty directory dir; st
 * (may be NULL) gets the totals. */
int image_unpack(struct image_source *src, const struct image *img, const char *dir,
		 struct image_layer_stats *st, struct mew_error **err);

/* ---- cache.c ---- */
/* The cache's directory: $MEW_CACHE/images (see base/paths.h). */
char *image_cache_dir(void);
/* The cached rootfs of ref, unpacked once (under a lock) if missing.  *entry
 * is the cache entry's directory; the returned use_fd holds a shared lock on
 * it that marks it in use until closed (prune skips it).  img gets the
 * image's config. */
int image_cache_get(const struct image_ref *ref, const char *arch, char **entry,
		    struct image_config *config, int *use_fd, struct mew_error **err);
/* `mew images`: one line per cached image; prune: remove what no run uses. */
int image_cache_list(FILE *out, struct mew_error **err);
/* all: also the images that --persist wrote into. */
int image_cache_prune(bool all, FILE *out, struct mew_error **err);
/* rm -r of a directory mew made (an unpack, an export, a run's layer), also
 * where an unprivileged unpack left directories without write permission. */
int image_remove_dir(const char *path);
/* Remove what runs and unpacks killed midway left in the cache. */
void image_cache_clean_stale(void);

/* ---- config.c ---- */
/* What the image's config says, where the spec (flags) says nothing:
 * argv from Entrypoint + (the command or Cmd), Env under -e, WorkingDir,
 * User (names looked up in the rootfs's /etc/passwd and /etc/group). */
int image_config_apply(const struct image_config *c, const char *rootfs, struct spec *spec,
		       struct mew_error **err);

/* ---- writable.c ---- */
struct image_writable;
/* Give the run a throwaway writable root over the cache entry's rootfs
 * (per engine: see writable.c); with persist, the run writes into the
 * cached rootfs itself.  Sets spec->rootfs. */
int image_writable_setup(const char *entry, bool persist, const char *engine, struct spec *spec,
			 struct image_writable **out, struct mew_error **err);
void image_writable_release(struct image_writable *w);

/* ---- run.c: the whole of `mew run --image` ---- */
struct image_run;
/* Resolve spec->image into its cached rootfs and fill what the image's
 * config supplies (argv, env, cwd, user, and arch when not given). */
int image_run_prepare(struct spec *spec, struct image_run **out, struct mew_error **err);
/* Once the engine is chosen: the run's own writable layer (spec->rootfs). */
int image_run_writable(struct image_run *r, const char *engine, struct spec *spec,
		       struct mew_error **err);
/* After the run: the layer removed, the cache entry no longer in use. */
void image_run_release(struct image_run *r);

#endif
