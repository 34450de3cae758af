// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where a boot's time goes (certify --analyze): the console of a boot with
 * initcall_debug, read into boot-profile.yaml.
 *
 * The kernel prints "calling FN @ PID" and "initcall FN returned R after N
 * usecs" around every initcall it runs through do_one_initcall()
 * (init/main.c); without KALLSYMS, FN is the function's address, which the
 * build's System.map names. The function's registration in the tree
 * (*_initcall, module_init, module_*_driver) gives its source file and the
 * Kconfig symbols that build that file (the trimmer's feature map), and the
 * trim report says why each symbol is on.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/boot-profile.h"

/* System.map of a distro kernel is ~10 MB; far more is not a System.map. */
#define SYSTEM_MAP_MAX (64u << 20)

void boot_profile_init(struct boot_profile *bp)
{
	memset(bp, 0, sizeof(*bp));
	kt_array_init(&bp->calls, sizeof(struct boot_initcall));
}

void boot_profile_release(struct boot_profile *bp)
{
	for (size_t i = 0; i < bp->calls.len; i++) {
		struct boot_initcall *ic = kt_array_at(&bp->calls, i);

		free(ic->fn);
		free(ic->why);
	}
	kt_array_free(&bp->calls);
}

/* A printk time is seconds.micros; a day of boot is already absurd. */
#define PRINTK_TIME_MAX_S 86400.0

/* "[    0.255063] " -> 255.063 ms; the rest of the line in @rest. */
static bool printk_time(const char *line, double *ms, const char **rest)
{
	const char *p = line + 1;
	char *end;
	double s;

	if (line[0] != '[')
		return false;
	while (*p == ' ')
		p++;
	/* digits and a point only: no sign, exponent, inf or nan */
	if (*p < '0' || *p > '9' || strspn(p, "0123456789.") != strcspn(p, "]"))
		return false;
	s = strtod(p, &end);
	if (*end != ']' || !(s >= 0 && s < PRINTK_TIME_MAX_S))
		return false;
	*ms = s * 1000.0;
	*rest = end[1] == ' ' ? end + 2 : end + 1;
	return true;
}

/* The function token: "0xffffffff80e5ea91" or "pci_init+0x0/0x44", up to a blank. */
static char *fn_token(const char *p, const char **end)
{
	size_t n = strcspn(p, " \t\r\n+");
	char *fn = n && n < 256 ? strndup(p, n) : NULL;

	*end = p + strcspn(p, " \t\r\n");
	return fn;
}

static struct boot_initcall *find_open(struct boot_profile *bp, const char *fn)
{
	for (size_t i = bp->calls.len; i-- > 0;) {
		struct boot_initcall *ic = kt_array_at(&bp->calls, i);

		if (!ic->done && !strcmp(ic->fn, fn))
			return ic;
	}
	return NULL;
}

static int console_line(struct boot_profile *bp, const char *line)
{
	const char *p, *end;
	struct boot_initcall ic = { 0 };
	double ms;
	char *fn;

	if (!printk_time(line, &ms, &p))
		return 0;
	/*
	 * Every built-in initcall has run when the kernel starts the init;
	 * what the console shows later may be the workload's own printing.
	 */
	if (bp->run_init_ms)
		return 0;
	if (!strncmp(p, "Run /init as init process", 25))
		bp->run_init_ms = ms;
	if (!strncmp(p, "calling  ", 9)) {
		fn = fn_token(p + 9, &end);
		if (!fn)
			return 0;	/* not a function name: not ours */
		ic.fn = fn;
		ic.start_ms = ms;
		if (!kt_array_push(&bp->calls, &ic)) {
			free(fn);
			return -ENOMEM;
		}
		return 0;
	}
	if (!strncmp(p, "initcall ", 9)) {
		struct boot_initcall *open;
		unsigned long long us;
		int ret;

		fn = fn_token(p + 9, &end);
		if (!fn)
			return 0;
		open = find_open(bp, fn);
		free(fn);
		/* an initcall longer than a printk day is no record */
		if (open && sscanf(end, " returned %d after %llu usecs", &ret, &us) == 2 &&
		    us < (unsigned long long)PRINTK_TIME_MAX_S * 1000000ull) {
			open->ret = ret;
			open->dur_us = us;
			open->done = true;
		}
	}
	return 0;
}

int boot_profile_parse_console(struct boot_profile *bp, const char *text, size_t len)
{
	const char *p = text, *stop = text + len;
	char line[512];
	int r = 0;

	while (r == 0 && p < stop) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		size_t n = (size_t)((nl ? nl : stop) - p);

		/* longer lines are no initcall records */
		if (n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			r = console_line(bp, line);
		}
		p = nl ? nl + 1 : stop;
	}
	/* a call that never returned (a hang, the end of the log) has no duration */
	for (size_t i = 0; r == 0 && i < bp->calls.len;) {
		struct boot_initcall *ic = kt_array_at(&bp->calls, i);

		if (ic->done) {
			i++;
			continue;
		}
		free(ic->fn);
		memmove(ic, ic + 1, (bp->calls.len - i - 1) * sizeof(*ic));
		bp->calls.len--;
	}
	return r;
}

struct map_sym {
	uint64_t addr;
	const char *name;	/* into the map's text */
};

static int map_sym_cmp(const void *a, const void *b)
{
	const struct map_sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/*
 * Addresses to names through System.map ("ffffffff80e5ea91 t name"): only
 * an exact match names a function; anything else keeps its address.
 */
int boot_profile_name_functions(struct boot_profile *bp, const char *system_map,
				struct kt_str *err)
{
	struct kt_array syms = KT_ARRAY_INIT(struct map_sym);
	char *text = NULL;
	size_t len, lineno = 0;
	int r;

	r = kt_read_regular_file(system_map, SYSTEM_MAP_MAX, &text, &len);
	if (r < 0) {
		kt_str_printf(err, "%s: %s", system_map, strerror(-r));
		return r;
	}
	for (char *p = text, *nl; r == 0 && p < text + len; p = nl + 1) {
		char *sp1, *sp2, *end;
		struct map_sym s;

		nl = memchr(p, '\n', (size_t)(text + len - p));
		if (!nl)
			nl = text + len;	/* the last line; the loop ends after it */
		*nl = '\0';
		lineno++;
		sp1 = strchr(p, ' ');
		sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
		if (!sp1 || !sp2 || sp2 != sp1 + 2 || !sp2[1]) {
			kt_str_printf(err, "%s:%zu: not a System.map line", system_map, lineno);
			r = -EINVAL;
			break;
		}
		s.addr = strtoull(p, &end, 16);
		if (end != sp1) {
			kt_str_printf(err, "%s:%zu: bad address", system_map, lineno);
			r = -EINVAL;
			break;
		}
		s.name = sp2 + 1;
		if ((sp1[1] == 't' || sp1[1] == 'T') && !kt_array_push(&syms, &s))
			r = -ENOMEM;
	}
	if (r == 0)
		kt_array_sort(&syms, map_sym_cmp);
	for (size_t i = 0; r == 0 && i < bp->calls.len; i++) {
		struct boot_initcall *ic = kt_array_at(&bp->calls, i);
		struct map_sym key, *hit;
		char *name;

		if (strncmp(ic->fn, "0x", 2))
			continue;	/* KALLSYMS named it already */
		key.addr = strtoull(ic->fn, NULL, 16);
		hit = bsearch(&key, syms.items, syms.len, sizeof(key), map_sym_cmp);
		if (!hit)
			continue;
		name = strdup(hit->name);
		if (!name) {
			r = -ENOMEM;
			break;
		}
		free(ic->fn);
		ic->fn = name;
	}
	kt_array_free(&syms);
	free(text);
	return r;
}

/* Every symbol of @f's chain is on in @config (symbol -> value, no CONFIG_). */
static bool chain_built(const struct kconf_feat *f, const struct kt_map *config)
{
	for (size_t i = 0; i < f->nlinks; i++) {
		const char *v = kt_map_get(config, f->links[i].sym);

		if (!v || strcmp(v, "y"))
			return false;
	}
	return true;
}

/*
 * The registration the kernel ran: of the definitions of that name, the
 * one whose Makefile chain the configuration builds; its innermost symbol
 * is the option behind it.
 */
void boot_profile_map_sources(struct boot_profile *bp, const struct kconf_featmap *fm,
			      const struct kt_map *config)
{
	bp->resolved = bp->with_option = 0;
	for (size_t i = 0; i < bp->calls.len; i++) {
		struct boot_initcall *ic = kt_array_at(&bp->calls, i);
		const struct kconf_feat *f, *pick = NULL;

		for (unsigned nth = 0; (f = kconf_featmap_lookup_nth(fm, KCONF_FEAT_INITCALL,
								     ic->fn, nth)); nth++) {
			if (!pick || (config && chain_built(f, config) &&
				      !chain_built(pick, config)))
				pick = f;
		}
		ic->def = pick;
		if (!pick)
			continue;
		bp->resolved++;
		if (pick->nlinks) {
			ic->option = pick->links[pick->nlinks - 1].sym;
			bp->with_option++;
		}
	}
}

/* "required by recipe kvm-q35" <- ...: the trim report's chain for @sym. */
static char *why_chain(const struct kconf_reasons *rs, const char *sym)
{
	struct kt_str out = KT_STR_INIT;
	const char *via, *text;

	for (int depth = 0; sym && depth < 16; depth++) {
		text = kconf_reasons_text(rs, sym, &via);
		if (!text)
			break;
		if (depth)
			kt_str_puts(&out, " <- ");
		kt_str_printf(&out, "CONFIG_%s: %s", sym, text);
		sym = via;
	}
	if (!out.len && !kt_str_error(&out))
		kt_str_puts(&out, "not in the trim report");
	return kt_str_steal(&out);
}

int boot_profile_explain(struct boot_profile *bp, const struct kconf_reasons *rs)
{
	for (size_t i = 0; i < bp->calls.len; i++) {
		struct boot_initcall *ic = kt_array_at(&bp->calls, i);

		if (!ic->option)
			continue;
		free(ic->why);
		ic->why = why_chain(rs, ic->option);
		if (!ic->why)
			return -ENOMEM;
	}
	return 0;
}

static void phase(struct boot_profile *bp, const char *name, double start, double end)
{
	if (bp->nphases < KT_ARRAY_SIZE(bp->phases) && end >= start)
		bp->phases[bp->nphases++] = (struct boot_phase){ name, start, end };
}

/*
 * The phases on the power-on clock. The kernel's clock starts after the
 * firmware and the decompressor; the TSC (which the init's records carry)
 * counts from vCPU reset, so @init_power_on_ms - @init_ms places the
 * kernel's zero. Whatever the kernel's clock did not count falls before
 * it: firmware, decompression, and on microvm under TCG the local APIC
 * timer calibration, during which that clock stands still. Without a TSC
 * the phases start at the kernel's zero.
 */
void boot_profile_phases(struct boot_profile *bp, double init_power_on_ms, double init_ms,
			 double modules_ms, double exec_ms, double ready_ms)
{
	double z = init_power_on_ms > init_ms ? init_power_on_ms - init_ms : 0;
	double first = 0, last = 0;

	for (size_t i = 0; i < bp->calls.len; i++) {
		const struct boot_initcall *ic = kt_array_at(&bp->calls, i);
		double end = ic->start_ms + (double)ic->dur_us / 1000.0;

		if (!i || ic->start_ms < first)
			first = ic->start_ms;
		if (end > last)
			last = end;
		bp->initcall_ms += (double)ic->dur_us / 1000.0;
	}
	bp->nphases = 0;
	bp->kernel_zero_ms = z;
	if (z > 0)
		phase(bp, "before the kernel clock", 0, z);
	if (bp->calls.len) {
		phase(bp, "early kernel", z, z + first);
		phase(bp, "initcalls", z + first, z + last);
		phase(bp, "late kernel", z + last, z + init_ms);
	} else {
		phase(bp, "kernel", z, z + init_ms);
	}
	if (modules_ms >= init_ms && exec_ms >= modules_ms) {
		phase(bp, "module loads", z + init_ms, z + modules_ms);
		phase(bp, "init (network, container)", z + modules_ms, z + exec_ms);
	} else if (exec_ms >= init_ms) {
		phase(bp, "init (modules, network, container)", z + init_ms, z + exec_ms);
	}
	if (ready_ms >= exec_ms && exec_ms > 0)
		phase(bp, "workload start to ready", z + exec_ms, z + ready_ms);
}

static int dur_cmp(const void *a, const void *b)
{
	const struct boot_initcall *const *x = a, *const *y = b;

	if ((*x)->dur_us != (*y)->dur_us)
		return (*x)->dur_us < (*y)->dur_us ? 1 : -1;
	return (*x)->start_ms < (*y)->start_ms ? -1 : (*x)->start_ms > (*y)->start_ms;
}

int boot_profile_slowest(const struct boot_profile *bp, struct kt_array *out)
{
	kt_array_init(out, sizeof(void *));
	for (size_t i = 0; i < bp->calls.len; i++) {
		if (kt_array_push_ptr(out, kt_array_at(&bp->calls, i)) < 0)
			return -ENOMEM;
	}
	kt_array_sort(out, dur_cmp);
	return 0;
}

static void put_key_scalar(struct kt_str *o, const char *indent, const char *key, const char *v)
{
	kt_str_printf(o, "%s%s: ", indent, key);
	kt_yaml_put_scalar(o, v);
	kt_str_putc(o, '\n');
}

int boot_profile_format(const struct boot_profile *bp, const struct boot_profile_meta *m,
			struct kt_str *o)
{
	struct kt_array slow;
	int r;

	kt_str_puts(o, "ktrim-boot-profile: 1\n");
	put_key_scalar(o, "", "kernel", m->kernel);
	put_key_scalar(o, "", "kernel-sha256", m->kernel_sha256);
	put_key_scalar(o, "", "cmdline", m->cmdline);
	put_key_scalar(o, "", "where", m->where);
	put_key_scalar(o, "", "guest-clock", m->clock);
	kt_str_puts(o, "# ms from power-on (the TSC); the kernel's clock starts at "
		       "kernel-zero-ms\n");
	kt_str_printf(o, "kernel-zero-ms: %.3f\nphases:\n", bp->kernel_zero_ms);
	for (size_t i = 0; i < bp->nphases; i++) {
		const struct boot_phase *ph = &bp->phases[i];

		kt_str_puts(o, "  - name: ");
		kt_yaml_put_scalar(o, ph->name);
		kt_str_printf(o, "\n    start-ms: %.3f\n    ms: %.3f\n", ph->start_ms,
			      ph->end_ms - ph->start_ms);
	}
	kt_str_printf(o, "initcalls:\n  count: %zu\n  resolved: %zu\n  with-option: %zu\n"
		      "  total-ms: %.3f\n", bp->calls.len, bp->resolved, bp->with_option,
		      bp->initcall_ms);
	r = boot_profile_slowest(bp, &slow);
	if (r == 0 && slow.len) {
		const struct boot_initcall *ic = kt_array_ptr(&slow, 0);

		put_key_scalar(o, "  ", "slowest", ic->fn);
		put_key_scalar(o, "  ", "slowest-option", ic->option ? ic->option : "");
	}
	kt_array_free(&slow);
	kt_str_puts(o, "  # in the order the kernel ran them\n  list:\n");
	for (size_t i = 0; r == 0 && i < bp->calls.len; i++) {
		const struct boot_initcall *ic = kt_array_at(&bp->calls, i);

		kt_str_puts(o, "    - fn: ");
		kt_yaml_put_scalar(o, ic->fn);
		kt_str_printf(o, "\n      start-ms: %.3f\n      us: %llu\n",
			      bp->kernel_zero_ms + ic->start_ms, ic->dur_us);
		if (ic->ret)
			kt_str_printf(o, "      returned: %d\n", ic->ret);
		if (!ic->def)
			continue;
		put_key_scalar(o, "      ", "source", ic->def->where);
		if (!ic->option) {
			kt_str_puts(o, "      option: null   # always built\n");
			continue;
		}
		kt_str_printf(o, "      option: CONFIG_%s\n", ic->option);
		if (ic->def->nlinks > 1) {
			kt_str_puts(o, "      built-with: [");
			for (size_t j = 0; j < ic->def->nlinks; j++)
				kt_str_printf(o, "%sCONFIG_%s", j ? ", " : "", ic->def->links[j].sym);
			kt_str_puts(o, "]\n");
		}
		if (ic->why)
			put_key_scalar(o, "      ", "why", ic->why);
	}
	return r ? r : kt_str_error(o);
}
