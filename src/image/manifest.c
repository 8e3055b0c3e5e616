/* Finding the image in its source and reading what describes it: an OCI
 * layout's index.json (and a nested index per platform), the manifest and
 * the config; a docker-archive's manifest.json.  Every JSON blob named by a
 * digest is checked against it.  Errors name the file and the field. */
#include "image/image.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/strutil.h"

enum { JSON_MAX = 4 << 20 };

static const char *const index_types[] = {
	"application/vnd.oci.image.index.v1+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
};

void image_config_free(struct image_config *c)
{
	free(c->arch);
	strv_free(c->env);
	strv_free(c->entrypoint);
	strv_free(c->cmd);
	free(c->workdir);
	free(c->user);
	memset(c, 0, sizeof(*c));
}

void image_free(struct image *img)
{
	for (size_t i = 0; i < img->nlayers; i++) {
		free(img->layers[i].blob);
		free(img->layers[i].digest);
	}
	free(img->layers);
	free(img->digest);
	free(img->config_digest);
	image_config_free(&img->config);
	memset(img, 0, sizeof(*img));
}

/* "sha256:<64 hex>" or "sha512:<128 hex>", lower case: anything else could
 * name a path outside blobs/. */
static bool digest_valid(const char *d)
{
	size_t hexlen;

	if (str_has_prefix(d, "sha256:"))
		hexlen = 64;
	else if (str_has_prefix(d, "sha512:"))
		hexlen = 128;
	else
		return false;
	d = strchr(d, ':') + 1;
	return strlen(d) == hexlen && strspn(d, "0123456789abcdef") == hexlen;
}

static char *digest_of(const char *algo, const void *buf, size_t len)
{
	unsigned char sum[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char *out;
	const EVP_MD *md = EVP_get_digestbyname(algo);

	if (md == NULL || EVP_Digest(buf, len, sum, &n, md, NULL) != 1)
		return NULL;
	out = malloc(strlen(algo) + 2 + 2 * n);
	if (out == NULL)
		return NULL;
	strcpy(out, algo);
	strcat(out, ":");
	for (unsigned i = 0; i < n; i++)
		sprintf(out + strlen(algo) + 1 + 2 * i, "%02x", sum[i]);
	return out;
}

/* The blob NAMED by digest, read whole and checked. */
static int read_blob(struct image_source *src, const char *digest, const char *what,
		     char **buf, size_t *len, struct mew_error **err)
{
	cleanup_free char *name = NULL, *algo = strndup(digest, strcspn(digest, ":")), *got = NULL;

	if (!digest_valid(digest))
		return mew_error(err, 0, "%s: invalid digest `%s`", what, digest);
	if (algo == NULL || asprintf(&name, "blobs/%s/%s", algo, strchr(digest, ':') + 1) < 0)
		return mew_error(err, ENOMEM, "image");
	if (image_source_read(src, name, JSON_MAX, buf, len, err) < 0)
		return mew_error_wrap(err, "%s", what);
	got = digest_of(algo, *buf, *len);
	if (got == NULL || strcmp(got, digest) != 0) {
		free(*buf);
		*buf = NULL;
		return mew_error(err, 0, "%s: `%s`: digest mismatch: expected %s, the blob is %s", what,
				 name, digest, got != NULL ? got : "?");
	}
	return 0;
}

static json_t *parse(const char *buf, size_t len, const char *what, struct mew_error **err)
{
	json_error_t je;
	json_t *j = json_loadb(buf, len, 0, &je);

	if (j == NULL)
		mew_error(err, 0, "%s: invalid JSON at line %d: %s", what, je.line, je.text);
	return j;
}

static int strv_from_json(json_t *a, char ***out, const char *what, const char *field,
			  struct mew_error **err)
{
	size_t i;
	json_t *v;

	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return mew_error(err, 0, "%s: %s: expected an array of strings", what, field);
	*out = calloc(json_array_size(a) + 1, sizeof(char *));
	if (*out == NULL)
		return mew_error(err, ENOMEM, "%s", what);
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return mew_error(err, 0, "%s: %s[%zu]: expected a string", what, field, i);
		(*out)[i] = strdup(json_string_value(v));
		if ((*out)[i] == NULL)
			return mew_error(err, ENOMEM, "%s", what);
	}
	return 0;
}

static const char *arch_name(const char *goarch)
{
	if (strcmp(goarch, "amd64") == 0 || strcmp(goarch, "x86_64") == 0)
		return "amd64";
	if (strcmp(goarch, "arm64") == 0 || strcmp(goarch, "aarch64") == 0)
		return "arm64";
	return goarch;
}

int image_config_parse(const char *json, size_t len, const char *name, struct image_config *c,
		       struct mew_error **err)
{
	json_t *j = parse(json, len, name, err), *cfg, *v;
	int r = -1;

	memset(c, 0, sizeof(*c));
	if (j == NULL)
		return -1;
	if (!json_is_object(j)) {
		mew_error(err, 0, "%s: expected an object", name);
		goto out;
	}
	v = json_object_get(j, "architecture");
	if (!json_is_string(v)) {
		mew_error(err, 0, "%s: architecture: missing", name);
		goto out;
	}
	c->arch = strdup(arch_name(json_string_value(v)));
	v = json_object_get(j, "os");
	if (json_is_string(v) && strcmp(json_string_value(v), "linux") != 0) {
		mew_error(err, 0, "%s: os: `%s` is not linux", name, json_string_value(v));
		goto out;
	}
	cfg = json_object_get(j, "config");
	if (cfg != NULL && !json_is_null(cfg)) {
		if (!json_is_object(cfg)) {
			mew_error(err, 0, "%s: config: expected an object", name);
			goto out;
		}
		if (strv_from_json(json_object_get(cfg, "Env"), &c->env, name, "config.Env", err) < 0 ||
		    strv_from_json(json_object_get(cfg, "Entrypoint"), &c->entrypoint, name,
				   "config.Entrypoint", err) < 0 ||
		    strv_from_json(json_object_get(cfg, "Cmd"), &c->cmd, name, "config.Cmd", err) < 0)
			goto out;
		v = json_object_get(cfg, "WorkingDir");
		if (json_is_string(v) && json_string_length(v) > 0)
			c->workdir = strdup(json_string_value(v));
		v = json_object_get(cfg, "User");
		if (json_is_string(v) && json_string_length(v) > 0)
			c->user = strdup(json_string_value(v));
	}
	r = 0;
out:
	json_decref(j);
	if (r < 0)
		image_config_free(c);
	return r;
}

static bool is_index(const char *media_type)
{
	for (size_t i = 0; i < ARRAY_SIZE(index_types); i++)
		if (media_type != NULL && strcmp(media_type, index_types[i]) == 0)
			return true;
	return false;
}

static const char *ref_name(json_t *desc)
{
	json_t *a = json_object_get(desc, "annotations");
	json_t *n = json_object_get(a, "org.opencontainers.image.ref.name");
	return json_is_string(n) ? json_string_value(n) : NULL;
}

static const char *desc_str(json_t *desc, const char *key)
{
	json_t *v = json_object_get(desc, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool platform_is(json_t *desc, const char *arch)
{
	json_t *p = json_object_get(desc, "platform");
	const char *a = desc_str(p, "architecture"), *os = desc_str(p, "os");

	return a != NULL && strcmp(arch_name(a), arch) == 0 && (os == NULL || strcmp(os, "linux") == 0);
}

/* Pick the manifest descriptor in an index: by tag at the top level, by
 * platform in a nested index. */
static json_t *pick(json_t *idx, const char *what, const char *tag, const char *arch,
		    struct mew_error **err)
{
	json_t *m = json_object_get(idx, "manifests"), *d, *found = NULL;
	size_t i, n = 0;
	char names[512] = "";

	if (!json_is_array(m) || json_array_size(m) == 0) {
		mew_error(err, 0, "%s: manifests: empty or missing", what);
		return NULL;
	}
	json_array_foreach(m, i, d) {
		const char *rn = ref_name(d);
		if (rn != NULL && strlen(names) + strlen(rn) + 3 < sizeof(names))
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 names[0] != '\0' ? ", " : "", rn);
		if (tag != NULL) {
			if (rn != NULL && strcmp(rn, tag) == 0)
				return d;
			continue;
		}
		if (json_object_get(d, "platform") != NULL && !platform_is(d, arch))
			continue;
		if (rn != NULL && strcmp(rn, "latest") == 0)
			return d;
		found = d;
		n++;
	}
	if (tag != NULL) {
		mew_error(err, 0, "%s: no image tagged `%s` (tags: %s)", what, tag,
			  names[0] != '\0' ? names : "none");
		return NULL;
	}
	if (n == 1)
		return found;
	if (n == 0)
		mew_error(err, 0, "%s: no manifest for linux/%s", what, arch);
	else
		mew_error(err, 0, "%s: %zu images: say which with :TAG (tags: %s)", what, n,
			  names[0] != '\0' ? names : "none");
	return NULL;
}

static int layers_from_manifest(json_t *man, const char *what, struct image *img,
				struct mew_error **err)
{
	json_t *layers = json_object_get(man, "layers"), *l;
	size_t i;

	if (!json_is_array(layers))
		return mew_error(err, 0, "%s: layers: missing", what);
	img->layers = calloc(json_array_size(layers) + 1, sizeof(*img->layers));
	if (img->layers == NULL)
		return mew_error(err, ENOMEM, "%s", what);
	json_array_foreach(layers, i, l) {
		const char *d = desc_str(l, "digest");
		json_t *size = json_object_get(l, "size");
		struct image_layer *il = &img->layers[img->nlayers];

		if (d == NULL || !digest_valid(d))
			return mew_error(err, 0, "%s: layers[%zu].digest: invalid `%s`", what, i,
					 d != NULL ? d : "(missing)");
		if (asprintf(&il->blob, "blobs/%.*s/%s", (int)strcspn(d, ":"), d, strchr(d, ':') + 1) < 0)
			return mew_error(err, ENOMEM, "%s", what);
		il->digest = strdup(d);
		il->size = json_is_integer(size) ? json_integer_value(size) : -1;
		img->nlayers++;
	}
	return 0;
}

static int load_oci(struct image_source *src, const struct image_ref *ref, const char *arch,
		    struct image *img, struct mew_error **err)
{
	cleanup_free char *buf = NULL, *what = NULL;
	size_t len;
	json_t *idx, *desc, *next = NULL, *cfg;
	const char *digest;
	int r = -1;

	if (image_source_read(src, "index.json", JSON_MAX, &buf, &len, err) < 0)
		return -1;
	if (asprintf(&what, "%s: index.json", ref->text) < 0)
		return mew_error(err, ENOMEM, "image");
	idx = parse(buf, len, what, err);
	if (idx == NULL)
		return -1;
	desc = pick(idx, what, ref->tag, arch, err);
	for (int depth = 0; desc != NULL; depth++) {
		cleanup_free char *mbuf = NULL, *mwhat = NULL;
		json_t *man;
		digest = desc_str(desc, "digest");
		if (digest == NULL || !digest_valid(digest)) {
			mew_error(err, 0, "%s: manifests[].digest: invalid `%s`", what,
				  digest != NULL ? digest : "(missing)");
			break;
		}
		if (asprintf(&mwhat, "%s: manifest %s", ref->text, digest) < 0 ||
		    read_blob(src, digest, mwhat, &mbuf, &len, err) < 0)
			break;
		man = parse(mbuf, len, mwhat, err);
		if (man == NULL)
			break;
		if (is_index(desc_str(desc, "mediaType")) || is_index(desc_str(man, "mediaType"))) {
			if (depth > 4) {
				mew_error(err, 0, "%s: indexes nested too deep", mwhat);
				json_decref(man);
				break;
			}
			json_decref(next);
			next = man;
			desc = pick(man, mwhat, NULL, arch, err);
			continue;
		}
		/* A manifest: its config and layers. */
		cfg = json_object_get(man, "config");
		digest = desc_str(cfg, "digest");
		img->digest = strdup(desc_str(desc, "digest"));
		if (digest == NULL || !digest_valid(digest)) {
			mew_error(err, 0, "%s: config.digest: invalid `%s`", mwhat,
				  digest != NULL ? digest : "(missing)");
		} else {
			cleanup_free char *cbuf = NULL, *cwhat = NULL;
			img->config_digest = strdup(digest);
			if (asprintf(&cwhat, "%s: config %s", ref->text, digest) >= 0 &&
			    read_blob(src, digest, cwhat, &cbuf, &len, err) == 0 &&
			    image_config_parse(cbuf, len, cwhat, &img->config, err) == 0 &&
			    layers_from_manifest(man, mwhat, img, err) == 0)
				r = 0;
		}
		json_decref(man);
		break;
	}
	json_decref(next);
	json_decref(idx);
	return r;
}

static bool tag_matches(const char *repotag, const char *want)
{
	size_t a = strlen(repotag), b = strlen(want);

	if (strcmp(repotag, want) == 0)
		return true;
	/* "busybox:1" matches "localhost/busybox:1" and "docker.io/library/busybox:1";
	 * a name without a tag means :latest. */
	if (a > b && repotag[a - b - 1] == '/' && strcmp(repotag + a - b, want) == 0)
		return true;
	if (strchr(want, ':') == NULL) {
		char full[512];
		snprintf(full, sizeof(full), "%s:latest", want);
		return tag_matches(repotag, full);
	}
	return false;
}

/* docker save / podman save --format docker-archive: manifest.json. */
static int load_docker(struct image_source *src, const struct image_ref *ref, struct image *img,
		       struct mew_error **err)
{
	cleanup_free char *buf = NULL, *what = NULL, *cbuf = NULL, *cwhat = NULL;
	size_t len, clen, i;
	json_t *arr, *m = NULL, *e, *layers, *diffs, *l;
	const char *cfgname;
	int r = -1;

	if (image_source_read(src, "manifest.json", JSON_MAX, &buf, &len, err) < 0)
		return mew_error_wrap(err, "docker-archive");
	if (asprintf(&what, "%s: manifest.json", ref->text) < 0)
		return mew_error(err, ENOMEM, "image");
	arr = parse(buf, len, what, err);
	if (arr == NULL)
		return -1;
	if (!json_is_array(arr) || json_array_size(arr) == 0) {
		mew_error(err, 0, "%s: expected a non-empty array", what);
		goto out;
	}
	json_array_foreach(arr, i, e) {
		json_t *tags = json_object_get(e, "RepoTags"), *t;
		size_t k;
		if (ref->tag == NULL) {
			m = e;
			continue;
		}
		json_array_foreach(tags, k, t)
			if (json_is_string(t) && tag_matches(json_string_value(t), ref->tag))
				m = e;
	}
	if (m == NULL) {
		mew_error(err, 0, "%s: no image tagged `%s`", what, ref->tag);
		goto out;
	}
	if (ref->tag == NULL && json_array_size(arr) > 1) {
		mew_error(err, 0, "%s: %zu images: say which with docker-archive:FILE:NAME[:TAG]", what,
			  json_array_size(arr));
		goto out;
	}
	cfgname = desc_str(m, "Config");
	if (cfgname == NULL) {
		mew_error(err, 0, "%s: Config: missing", what);
		goto out;
	}
	if (asprintf(&cwhat, "%s: %s", ref->text, cfgname) < 0 ||
	    image_source_read(src, cfgname, JSON_MAX, &cbuf, &clen, err) < 0 ||
	    image_config_parse(cbuf, clen, cwhat, &img->config, err) < 0)
		goto out;
	/* No manifest digest in this format: the image is known by its config's. */
	img->config_digest = digest_of("sha256", cbuf, clen);
	img->digest = img->config_digest != NULL ? strdup(img->config_digest) : NULL;
	{
		json_t *cj = json_loadb(cbuf, clen, 0, NULL);
		diffs = json_object_get(json_object_get(cj, "rootfs"), "diff_ids");
		layers = json_object_get(m, "Layers");
		if (!json_is_array(layers) || json_array_size(layers) == 0) {
			mew_error(err, 0, "%s: Layers: missing", what);
			json_decref(cj);
			goto out;
		}
		img->layers = calloc(json_array_size(layers) + 1, sizeof(*img->layers));
		json_array_foreach(layers, i, l) {
			struct image_layer *il = &img->layers[img->nlayers];
			const char *d = json_string_value(json_array_get(diffs, i));
			if (!json_is_string(l)) {
				mew_error(err, 0, "%s: Layers[%zu]: expected a string", what, i);
				break;
			}
			il->blob = strdup(json_string_value(l));
			il->size = -1;
			/* blobs/sha256/<hex> is named by its digest; <id>/layer.tar is
			 * the uncompressed layer, whose digest is the config's diff_id. */
			if (str_has_prefix(il->blob, "blobs/sha256/")) {
				if (asprintf(&il->digest, "sha256:%s", il->blob + 13) < 0)
					il->digest = NULL;
			} else if (d != NULL) {
				il->digest = strdup(d);
			}
			img->nlayers++;
			if (il->digest == NULL || !digest_valid(il->digest)) {
				mew_error(err, 0, "%s: Layers[%zu] `%s`: no valid digest to check it by (rootfs.diff_ids)",
					  what, i, il->blob);
				break;
			}
		}
		if (img->nlayers == json_array_size(layers))
			r = 0;
		json_decref(cj);
	}
out:
	json_decref(arr);
	return r;
}

int image_load(struct image_source *src, const struct image_ref *ref, const char *arch,
	       struct image *img, struct mew_error **err)
{
	int r;

	memset(img, 0, sizeof(*img));
	if (arch == NULL)
		arch = spec_host_arch();
	/* A docker-archive written by docker 25+ is an OCI layout too. */
	if (ref->transport != IMAGE_DOCKER_ARCHIVE ||
	    (ref->tag == NULL && image_source_has(src, "index.json") && image_source_has(src, "oci-layout")))
		r = load_oci(src, ref, arch, img, err);
	else
		r = load_docker(src, ref, img, err);
	if (r < 0)
		image_free(img);
	return r;
}
