/* A small classic-BPF assembler with labels, for the seccomp filters
 * (filter.c): jumps name labels, resolved when the program is finished. */
#ifndef MEW_TRAP_BPF_H
#define MEW_TRAP_BPF_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>

#define BPF_MAX_INSNS 640
#define BPF_MAX_LABELS 128

struct bpf {
	struct sock_filter f[BPF_MAX_INSNS];
	unsigned short jt[BPF_MAX_INSNS], jf[BPF_MAX_INSNS]; /* labels; BPF_NEXT = the next instruction */
	int at[BPF_MAX_LABELS];				      /* label -> instruction */
	size_t n;
	bool overflow;
};

#define BPF_NEXT 0 /* label 0: the instruction that follows */

void bpf_stmt(struct bpf *b, unsigned short code, unsigned k);
/* A conditional jump (code: BPF_JEQ, BPF_JGE, BPF_JSET...) on k. */
void bpf_jump(struct bpf *b, unsigned short code, unsigned k, int lt, int lf);
void bpf_label(struct bpf *b, int l);
/* A = the 32-bit word at offset off of struct seccomp_data. */
void bpf_ld(struct bpf *b, unsigned off);
/* Label l: return v. */
void bpf_ret(struct bpf *b, int l, unsigned v);
/* The program, labels resolved: 0, or -1 with errno (E2BIG: too long or a
 * jump too far, ENOMEM). */
int bpf_finish(struct bpf *b, struct sock_fprog *prog);

#endif
