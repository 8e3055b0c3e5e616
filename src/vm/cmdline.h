/* The guest kernel's command line, built a word at a time: what the kernel
 * needs on this host, the devices, the agent's run, the user's words and,
 * after " --", the command (which the test guest reads). */
#ifndef MEW_VM_CMDLINE_H
#define MEW_VM_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#define VM_CMDLINE_MAX 8192

struct cmdline {
	char buf[VM_CMDLINE_MAX];
	size_t len;
	bool overflow; /* something did not fit: the line must not be used */
};

/* Append " " and the formatted words (no space before the first word). */
void cmdline_add(struct cmdline *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Where the next words would go and how much room is left, for a writer
 * that fills the buffer itself; then cmdline_grew. */
char *cmdline_tail(struct cmdline *c, size_t *room);
void cmdline_grew(struct cmdline *c);

#endif
