/* Image references, in the transport syntax of skopeo and podman:
 *   oci:DIR[:TAG]  oci-archive:FILE[:TAG]  docker-archive:FILE[:NAME[:TAG]]
 *   containers-storage:NAME[:TAG]
 * The path and the tag part at the first colon, as containers/image does.
 * Anything else names a registry, which mew never contacts. */
#include "image/image.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *prefix;
	enum image_transport t;
} transports[] = {
	{ "oci:", IMAGE_OCI },
	{ "oci-archive:", IMAGE_OCI_ARCHIVE },
	{ "docker-archive:", IMAGE_DOCKER_ARCHIVE },
	{ "containers-storage:", IMAGE_CONTAINERS_STORAGE },
};

const char *image_transport_name(enum image_transport t)
{
	for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++)
		if (transports[i].t == t)
			return transports[i].prefix;
	return "?";
}

void image_ref_free(struct image_ref *ref)
{
	free(ref->path);
	free(ref->tag);
	free(ref->text);
	free(ref->store_driver);
	free(ref->store_root);
	free(ref->store_runroot);
	memset(ref, 0, sizeof(*ref));
}

int image_ref_parse(const char *s, struct image_ref *ref, struct mew_error **err)
{
	const char *rest = NULL, *colon;

	memset(ref, 0, sizeof(*ref));
	for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++) {
		size_t n = strlen(transports[i].prefix);
		if (strncmp(s, transports[i].prefix, n) == 0) {
			ref->transport = transports[i].t;
			rest = s + n;
			break;
		}
	}
	if (rest == NULL)
		return mew_error(err, 0,
				 "--image: `%s` names a registry image: mew reads images only from local "
				 "files and stores (no registry is used or reachable here); give "
				 "oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE or "
				 "containers-storage:NAME[:TAG]",
				 s);
	if (rest[0] == '\0')
		return mew_error(err, 0, "--image: `%s`: nothing after the transport", s);
	ref->text = strdup(s);
	if (ref->transport == IMAGE_CONTAINERS_STORAGE) {
		/* [DRIVER@ROOT+RUNROOT] names the store, as containers/image
		 * writes it; the whole NAME[:TAG] goes to podman, which resolves it. */
		if (rest[0] == '[') {
			const char *end = strchr(rest, ']'), *at = strchr(rest, '@'), *plus = strchr(rest, '+');
			if (end == NULL || at == NULL || plus == NULL || !(at < plus && plus < end) ||
			    at == rest + 1 || plus == at + 1 || end == plus + 1 || end[1] == '\0') {
				image_ref_free(ref);
				return mew_error(err, 0, "--image: `%s`: expected containers-storage:[DRIVER@ROOT+RUNROOT]NAME", s);
			}
			ref->store_driver = strndup(rest + 1, (size_t)(at - rest - 1));
			ref->store_root = strndup(at + 1, (size_t)(plus - at - 1));
			ref->store_runroot = strndup(plus + 1, (size_t)(end - plus - 1));
			rest = end + 1;
		}
		ref->path = strdup(rest);
	} else {
		colon = strchr(rest, ':');
		ref->path = colon != NULL ? strndup(rest, (size_t)(colon - rest)) : strdup(rest);
		if (colon != NULL) {
			if (colon[1] == '\0') {
				image_ref_free(ref);
				return mew_error(err, 0, "--image: `%s`: empty tag after `:`", s);
			}
			ref->tag = strdup(colon + 1);
		}
	}
	if (ref->text == NULL || ref->path == NULL) {
		image_ref_free(ref);
		return mew_error(err, ENOMEM, "--image");
	}
	if (ref->path[0] == '\0') {
		image_ref_free(ref);
		return mew_error(err, 0, "--image: `%s`: empty path", s);
	}
	return 0;
}
