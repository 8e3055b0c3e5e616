/* The label assembler behind both seccomp filters (bpf.h). */
#include "trap/bpf.h"

#include <errno.h>
#include <stdlib.h>

#include "base/log.h"

void bpf_stmt(struct bpf *b, unsigned short code, unsigned k)
{
	if (b->n >= BPF_MAX_INSNS) {
		b->overflow = true;
		return;
	}
	b->f[b->n] = (struct sock_filter)BPF_STMT(code, k);
	b->jt[b->n] = b->jf[b->n] = BPF_NEXT;
	b->n++;
}

void bpf_jump(struct bpf *b, unsigned short code, unsigned k, int lt, int lf)
{
	if (b->n >= BPF_MAX_INSNS) {
		b->overflow = true;
		return;
	}
	b->f[b->n] = (struct sock_filter)BPF_JUMP(BPF_JMP | code | BPF_K, k, 0, 0);
	b->jt[b->n] = (unsigned short)lt;
	b->jf[b->n] = (unsigned short)lf;
	b->n++;
}

void bpf_label(struct bpf *b, int l)
{
	if (l <= 0 || l >= BPF_MAX_LABELS) {
		b->overflow = true;
		return;
	}
	b->at[l] = (int)b->n;
}

void bpf_ld(struct bpf *b, unsigned off)
{
	bpf_stmt(b, BPF_LD | BPF_W | BPF_ABS, off);
}

void bpf_ret(struct bpf *b, int l, unsigned v)
{
	bpf_label(b, l);
	bpf_stmt(b, BPF_RET | BPF_K, v);
}

int bpf_finish(struct bpf *b, struct sock_fprog *prog)
{
	struct sock_filter *f;

	if (b->overflow) {
		errno = E2BIG;
		return -1;
	}
	f = calloc(b->n, sizeof(*f));
	if (f == NULL)
		return -1;
	for (size_t i = 0; i < b->n; i++) {
		f[i] = b->f[i];
		if (BPF_CLASS(f[i].code) == BPF_JMP) {
			int t = b->jt[i] == BPF_NEXT ? (int)i + 1 : b->at[b->jt[i]];
			int e = b->jf[i] == BPF_NEXT ? (int)i + 1 : b->at[b->jf[i]];
			if (t - (int)i - 1 < 0 || t - (int)i - 1 > 255 || e - (int)i - 1 < 0 || e - (int)i - 1 > 255) {
				mew_debug("trap: filter: jump at %zu of %zu to %d/%d is too far", i, b->n, t, e);
				free(f);
				errno = E2BIG;
				return -1;
			}
			f[i].jt = (unsigned char)(t - (int)i - 1);
			f[i].jf = (unsigned char)(e - (int)i - 1);
		}
	}
	prog->len = (unsigned short)b->n;
	prog->filter = f;
	return 0;
}
