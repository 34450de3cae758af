// SPDX-License-Identifier: GPL-2.0-only
/*
 * The power button as a stop request, whichever way the machine has one:
 * ACPI's button events (x86: acpi.c), else an input device that reports
 * KEY_POWER. QEMU's arm64 virt has no ACPI when it boots a kernel with a
 * device tree: its system_powerdown raises GPIO 3 of the PL061, which the
 * device tree wires to a gpio-keys button sending KEY_POWER (gpio_keys and
 * evdev are modules in Debian's arm64 kernel: the image must load them).
 * The input ABI (linux/input.h) spelled out: musl ships no kernel headers,
 * and these values are ABI.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <unistd.h>

#include "initramfs/init/init.h"

#define EV_KEY 0x01
#define KEY_POWER 116
#define KEY_MAX 0x2ff
/* EVIOCGBIT(EV_KEY, len): _IOC(_IOC_READ, 'E', 0x20 + EV_KEY, len) */
#define EVIOCGBIT_KEY(len) ((2u << 30) | ((unsigned)(len) << 16) | ('E' << 8) | (0x20 + EV_KEY))

/* struct input_event on a 64-bit kernel and user space. */
struct input_event {
	struct timeval time;
	uint16_t type;
	uint16_t code;
	int32_t value;
};

static bool acpi_channel;

/*
 * The first /dev/input/eventN (N < 32: a VM has a few) that can send
 * KEY_POWER, or -1. Numbered opens, not readdir: opendir would bring
 * malloc into a init that has none.
 */
static int key_device_open(void)
{
	unsigned char keys[KEY_MAX / 8 + 1];
	char path[32];
	int fd = -1;

	for (int i = 0; i < 32 && fd < 0; i++) {
		snprintf(path, sizeof(path), "/dev/input/event%d", i);
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		memset(keys, 0, sizeof(keys));
		if (fd >= 0 && (ioctl(fd, EVIOCGBIT_KEY(sizeof(keys)), keys) < 0 ||
				!(keys[KEY_POWER / 8] & (1u << (KEY_POWER % 8))))) {
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0)
		say("listening for KEY_POWER on %s", path);
	return fd;
}

int power_button_open(void)
{
	int fd = acpi_events_open();

	acpi_channel = fd >= 0;
	if (fd < 0)
		fd = key_device_open();
	if (fd < 0)
		say("no power-button channel (ACPI events, or an input device with "
		    "KEY_POWER): the power button will not stop the workload");
	return fd;
}

bool power_button_pressed(int fd)
{
	struct input_event ev[16];
	bool pressed = false;
	ssize_t n;

	if (acpi_channel)
		return acpi_power_pressed(fd);
	while ((n = read(fd, ev, sizeof(ev))) >= (ssize_t)sizeof(ev[0]))
		for (size_t i = 0; i < (size_t)n / sizeof(ev[0]); i++)
			if (ev[i].type == EV_KEY && ev[i].code == KEY_POWER && ev[i].value == 1) {
				say("KEY_POWER pressed");
				pressed = true;
			}
	return pressed;
}
