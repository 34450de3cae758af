// SPDX-License-Identifier: GPL-2.0-only
/*
 * The boot waterfall as SVG: one band per phase on the power-on clock,
 * then one row per expensive initcall, placed where it ran and labelled
 * with the option that brings it in. Plain SVG 1.1, no script, no fonts
 * beyond the generic family: it renders the same in a browser and in a
 * README.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pipeline/boot-profile.h"

#define WIDTH 1100.0
#define LEFT 20.0
#define PLOT 760.0		/* the time axis; labels go right of a bar */
#define ROW 18.0
#define BAND_ROWS 4	/* a phase goes to the first row where its label fits */
#define CHAR_W 6.5	/* an 11px sans-serif character, on average */

static const char *const band_colours[] = {
	"#9e9e9e", "#64b5f6", "#ffb74d", "#81c784", "#ba68c8", "#e57373", "#4db6ac", "#a1887f",
};

static void put_text(struct kt_str *o, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			kt_str_puts(o, "&lt;");
			break;
		case '>':
			kt_str_puts(o, "&gt;");
			break;
		case '&':
			kt_str_puts(o, "&amp;");
			break;
		case '"':
			kt_str_puts(o, "&quot;");
			break;
		default:
			if ((unsigned char)*s >= 0x20)
				kt_str_putc(o, *s);
		}
	}
}

/* 1, 2 or 5 times a power of ten: about eight ticks over @span. */
static double tick_step(double span)
{
	double raw = span / 8.0, p = 0.001;

	while (p * 10 <= raw)
		p *= 10;
	return raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
}

int boot_profile_svg(const struct boot_profile *bp, const char *title, size_t top,
		     struct kt_str *o)
{
	struct kt_array slow;
	double end = 0, scale, step, height, y, row_end[BAND_ROWS] = { 0 };
	size_t rows;
	int r;

	for (size_t i = 0; i < bp->nphases; i++)
		if (bp->phases[i].end_ms > end)
			end = bp->phases[i].end_ms;
	if (!(end > 0 && end < 1e9))
		return -EINVAL;	/* nothing (or nothing sane) was measured */
	r = boot_profile_slowest(bp, &slow);
	if (r < 0)
		return r;
	rows = slow.len < top ? slow.len : top;
	scale = PLOT / end;
	height = 50 + BAND_ROWS * ROW * 2 + 30 + ROW * (double)rows + 30;
	kt_str_printf(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		      "font-family=\"sans-serif\" font-size=\"11\">\n"
		      "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
		      "<text x=\"%.0f\" y=\"18\" font-size=\"14\" font-weight=\"bold\">",
		      WIDTH, height, LEFT);
	put_text(o, title);
	kt_str_puts(o, "</text>\n");

	/* the time axis */
	step = tick_step(end);
	y = 34;
	for (double t = 0; t <= end + 1e-9; t += step) {
		double x = LEFT + t * scale;

		kt_str_printf(o, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" "
			      "stroke=\"#e0e0e0\"/>\n<text x=\"%.1f\" y=\"%.0f\" fill=\"#616161\" "
			      "text-anchor=\"middle\">%g ms</text>\n", x, y + 6, x, height - 20, x,
			      y, t);
	}

	/* the phases */
	y = 50;
	for (size_t i = 0; i < bp->nphases; i++) {
		const struct boot_phase *ph = &bp->phases[i];
		double x = LEFT + ph->start_ms * scale, w = (ph->end_ms - ph->start_ms) * scale;
		double label = (double)(strlen(ph->name) + 10) * CHAR_W, ry;
		size_t row = 0;

		while (row < BAND_ROWS && row_end[row] > x)
			row++;
		if (row == BAND_ROWS) {
			/* no room anywhere: the row that frees up first */
			row = 0;
			for (size_t k = 1; k < BAND_ROWS; k++)
				if (row_end[k] < row_end[row])
					row = k;
		}
		row_end[row] = x + (w > label ? w : label);
		ry = y + (double)row * ROW * 2;

		kt_str_printf(o, "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%.0f\" "
			      "fill=\"%s\"><title>", x, ry, w < 1 ? 1 : w, ROW,
			      band_colours[i % KT_ARRAY_SIZE(band_colours)]);
		put_text(o, ph->name);
		kt_str_printf(o, ": %.1f ms</title></rect>\n<text x=\"%.1f\" y=\"%.0f\">", ph->end_ms -
			      ph->start_ms, x + 2, ry + ROW + 12);
		put_text(o, ph->name);
		kt_str_printf(o, " %.1f ms</text>\n", ph->end_ms - ph->start_ms);
	}

	/* the slowest initcalls, each on its own row */
	y = 50 + BAND_ROWS * ROW * 2 + 16;
	kt_str_printf(o, "<text x=\"%.0f\" y=\"%.0f\" font-weight=\"bold\">the %zu slowest of %zu "
		      "initcalls (%.1f ms in all)</text>\n", LEFT, y, rows, bp->calls.len,
		      bp->initcall_ms);
	y += 6;
	for (size_t i = 0; i < rows; i++) {
		const struct boot_initcall *ic = kt_array_ptr(&slow, i);
		double x = LEFT + (bp->kernel_zero_ms + ic->start_ms) * scale;
		double w = (double)ic->dur_us / 1000.0 * scale;

		kt_str_printf(o, "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%.0f\" "
			      "fill=\"#ef6c00\"/>\n<text x=\"%.1f\" y=\"%.0f\">", x, y, w < 2 ? 2 : w,
			      ROW - 4, x + (w < 2 ? 2 : w) + 4, y + ROW - 7);
		put_text(o, ic->fn);
		kt_str_printf(o, " %.1f ms", (double)ic->dur_us / 1000.0);
		if (ic->option) {
			kt_str_puts(o, " CONFIG_");
			put_text(o, ic->option);
		} else if (ic->def) {
			kt_str_puts(o, " (always built)");
		}
		kt_str_puts(o, "</text>\n");
		y += ROW;
	}
	kt_str_puts(o, "</svg>\n");
	kt_array_free(&slow);
	return kt_str_error(o);
}
