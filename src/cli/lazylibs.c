/* libarchive and libcrypto, loaded at their first call instead of at every
 * start.  Only the image code (src/image: layers, digests) uses them, yet
 * linked as DT_NEEDED they bring fifteen libraries (libxml2, ICU, libstdc++,
 * OpenSSL's 4.7 MB...) that the dynamic loader maps and relocates, and that
 * every fork of mew copies, on each `mew run`: about as long as the rest of
 * a container's start-up.  This file is linked into build/mew only, in
 * their place; the unit tests link the libraries, and the static builds
 * have no image code at all (src/image/absent.c). */
#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/error.h"

#if ARCHIVE_VERSION_NUMBER < 3000000 || ARCHIVE_VERSION_NUMBER >= 4000000
#error "libarchive 3 (libarchive.so.13) expected"
#endif
#if OPENSSL_VERSION_MAJOR != 3
#error "OpenSSL 3 (libcrypto.so.3) expected"
#endif
#define LIBARCHIVE "libarchive.so.13"
#define LIBCRYPTO "libcrypto.so.3"

static void *lazy_symbol(const char *lib, const char *name)
{
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	void *sym = h != NULL ? dlsym(h, name) : NULL;

	if (sym == NULL) {
		fprintf(stderr, "mew: %s: %s\n", lib, dlerror());
		exit(MEW_EXIT_FAILURE);
	}
	return sym;
}

/* name's definition, calling the library's: the header's prototype checks
 * params. */
#define LAZY(lib, ret, name, params, args)                                     \
	ret name params                                                        \
	{                                                                      \
		static __typeof__(&name) fn;                                   \
		if (fn == NULL)                                                \
			fn = (__typeof__(&name))lazy_symbol(lib, #name);        \
		return fn args;                                                \
	}

#define A(ret, name, params, args) LAZY(LIBARCHIVE, ret, name, params, args)
#define E(ret, name, params, args) LAZY(LIBCRYPTO, ret, name, params, args)

A(struct archive *, archive_read_new, (void), ())
A(int, archive_read_free, (struct archive *a), (a))
A(int, archive_read_support_filter_all, (struct archive *a), (a))
A(int, archive_read_support_format_tar, (struct archive *a), (a))
A(int, archive_read_support_format_gnutar, (struct archive *a), (a))
A(int, archive_read_open, (struct archive *a, void *data, archive_open_callback *o,
			   archive_read_callback *r, archive_close_callback *c), (a, data, o, r, c))
A(int, archive_read_open_filename, (struct archive *a, const char *f, size_t bs), (a, f, bs))
A(int, archive_read_next_header, (struct archive *a, struct archive_entry **e), (a, e))
A(la_ssize_t, archive_read_data, (struct archive *a, void *buf, size_t n), (a, buf, n))
A(int, archive_read_data_block, (struct archive *a, const void **buf, size_t *n, la_int64_t *off),
  (a, buf, n, off))
A(int, archive_errno, (struct archive *a), (a))
A(const char *, archive_error_string, (struct archive *a), (a))
A(time_t, archive_entry_atime, (struct archive_entry *e), (e))
A(int, archive_entry_atime_is_set, (struct archive_entry *e), (e))
A(long, archive_entry_atime_nsec, (struct archive_entry *e), (e))
A(time_t, archive_entry_mtime, (struct archive_entry *e), (e))
A(long, archive_entry_mtime_nsec, (struct archive_entry *e), (e))
A(__LA_MODE_T, archive_entry_filetype, (struct archive_entry *e), (e))
A(__LA_MODE_T, archive_entry_perm, (struct archive_entry *e), (e))
A(la_int64_t, archive_entry_uid, (struct archive_entry *e), (e))
A(la_int64_t, archive_entry_gid, (struct archive_entry *e), (e))
A(la_int64_t, archive_entry_size, (struct archive_entry *e), (e))
A(const char *, archive_entry_pathname, (struct archive_entry *e), (e))
A(const char *, archive_entry_hardlink, (struct archive_entry *e), (e))
A(const char *, archive_entry_symlink, (struct archive_entry *e), (e))
A(dev_t, archive_entry_rdevmajor, (struct archive_entry *e), (e))
A(dev_t, archive_entry_rdevminor, (struct archive_entry *e), (e))
A(int, archive_entry_xattr_reset, (struct archive_entry *e), (e))
A(int, archive_entry_xattr_next, (struct archive_entry *e, const char **name, const void **value, size_t *n),
  (e, name, value, n))

/* Variadic: formatted here, passed on as a string. */
void archive_set_error(struct archive *a, int err, const char *fmt, ...)
{
	static __typeof__(&archive_set_error) fn;
	char msg[1024];
	va_list ap;

	if (fn == NULL)
		fn = (__typeof__(&archive_set_error))lazy_symbol(LIBARCHIVE, "archive_set_error");
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fn(a, err, "%s", msg);
}

E(EVP_MD_CTX *, EVP_MD_CTX_new, (void), ())
E(void, EVP_MD_CTX_free, (EVP_MD_CTX *c), (c))
E(const EVP_MD *, EVP_get_digestbyname, (const char *name), (name))
E(int, EVP_DigestInit_ex, (EVP_MD_CTX *c, const EVP_MD *t, ENGINE *e), (c, t, e))
E(int, EVP_DigestUpdate, (EVP_MD_CTX *c, const void *d, size_t n), (c, d, n))
E(int, EVP_DigestFinal_ex, (EVP_MD_CTX *c, unsigned char *md, unsigned int *s), (c, md, s))
E(int, EVP_Digest, (const void *d, size_t n, unsigned char *md, unsigned int *s, const EVP_MD *t, ENGINE *e),
  (d, n, md, s, t, e))
