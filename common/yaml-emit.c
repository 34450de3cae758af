// SPDX-License-Identifier: GPL-2.0-only
/* Writing YAML scalars that read back as exactly the string written. */
#include <string.h>
#include <strings.h>

#include "common/common.h"

/*
 * Plain scalars are kept only when YAML cannot read them as anything but
 * this string (no number, bool, null, indicator or space); everything else
 * is double-quoted with escapes.
 */
static bool plain_ok(const char *s)
{
	static const char *const special[] = { "true", "false", "yes", "no",
					       "on", "off", "null", "y", "n",
					       "~", NULL };

	if (!*s || strchr("-?:,[]{}#&*!|>'\"%@`.+ ", s[0]))
		return false;
	for (const char *c = s; *c; c++)
		if (!(((*c | 0x20) >= 'a' && (*c | 0x20) <= 'z') ||
		      (*c >= '0' && *c <= '9') || strchr("_-./+", *c)))
			return false;
	if (s[0] >= '0' && s[0] <= '9')
		return false;	/* numbers, dates, 0x... */
	for (unsigned i = 0; special[i]; i++)
		if (!strcasecmp(s, special[i]))
			return false;
	return true;
}

int kt_yaml_put_scalar(struct kt_str *o, const char *s)
{
	int r;

	if (!s)
		return kt_str_puts(o, "null");
	if (plain_ok(s))
		return kt_str_puts(o, s);
	r = kt_str_putc(o, '"');
	for (const unsigned char *c = (const unsigned char *)s; *c && r >= 0; c++) {
		if (*c == '"' || *c == '\\')
			r = kt_str_printf(o, "\\%c", *c);
		else if (*c == '\n')
			r = kt_str_puts(o, "\\n");
		else if (*c < 0x20 || *c == 0x7f)
			r = kt_str_printf(o, "\\x%02x", *c);
		else
			r = kt_str_putc(o, (char)*c);
	}
	if (r >= 0)
		r = kt_str_putc(o, '"');
	return r < 0 ? r : 0;
}
