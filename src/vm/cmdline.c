#include "vm/cmdline.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void cmdline_add(struct cmdline *c, const char *fmt, ...)
{
	va_list ap;
	size_t room = sizeof(c->buf) - c->len;
	int n;

	if (c->overflow)
		return;
	if (c->len > 0) {
		if (room < 2) {
			c->overflow = true;
			return;
		}
		c->buf[c->len++] = ' ';
		room--;
	}
	va_start(ap, fmt);
	n = vsnprintf(c->buf + c->len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		c->overflow = true;
		c->buf[c->len] = '\0';
		return;
	}
	c->len += (size_t)n;
}

char *cmdline_tail(struct cmdline *c, size_t *room)
{
	*room = c->overflow ? 0 : sizeof(c->buf) - c->len;
	return c->buf + c->len;
}

void cmdline_grew(struct cmdline *c)
{
	c->len += strlen(c->buf + c->len);
	if (c->len >= sizeof(c->buf) - 1)
		c->overflow = true;
}
