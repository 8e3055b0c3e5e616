/* The call table (call.h): one row a call, by name (abi/calls.h); the ABIs
 * map their numbers to the rows (abi/x86_64.c, abi/aarch64.c). */
#include "personality/call.h"

#include <stddef.h>

#include "personality/abi/calls.h"

const struct pers_call pers_calls[PC_COUNT] = {
#define PERS_CALL_ROW(name, k, p0, d0, p1, d1, fo, fl, w, cr, o, e, id)                          \
	[PC_##name] = { .kind = k, .path = { p0, p1 }, .dirfd = { d0, d1 }, .follow = fo,       \
			.flag = fl, .writes = w, .creates = cr, .owner = o, .err = e, .cred = id },
	PERS_CALLS(PERS_CALL_ROW)
#undef PERS_CALL_ROW
};

const struct pers_call *pers_call(const struct pers_abi *abi, long nr)
{
	if (nr < 0 || (unsigned long)nr >= abi->nmax || abi->call[nr] == 0)
		return NULL;
	return &pers_calls[abi->call[nr] - 1];
}

size_t pers_call_list(const struct pers_abi *abi, int *nrs, const struct pers_call **rows, size_t max)
{
	size_t n = 0;

	for (unsigned nr = 0; nr < abi->nmax; nr++) {
		if (abi->call[nr] == 0)
			continue;
		if (n < max) {
			nrs[n] = (int)nr;
			if (rows != NULL)
				rows[n] = &pers_calls[abi->call[nr] - 1];
		}
		n++;
	}
	return n;
}
