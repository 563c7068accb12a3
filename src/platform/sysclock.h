/* sysclock: the system clock's primitives as the discipline needs them:
 * read it, set its frequency, step it, and tell the kernel whether it is
 * synchronised (rtcsync, leap bits). How to slew an offset away with these
 * primitives is decided above this layer; this module only carries out.
 *
 * Two drivers behind one interface, chosen at sysclock_init():
 *   - Linux: adjtimex/ntp_adjtime for frequency (tick + frequency, so rates
 *     beyond the kernel's +-500 ppm frequency range work) and status,
 *     clock_settime or ADJ_SETOFFSET for steps;
 *   - null (-x): reads the clock, remembers the values it is given and
 *     never changes anything in the kernel.
 * The deterministic simulator (test/sim) links its own implementation of
 * these same functions instead of this file.
 *
 * Sign conventions: a positive frequency makes the clock run faster; a
 * positive step moves the clock forward. */
#ifndef CW_SYSCLOCK_H
#define CW_SYSCLOCK_H

#include <stdbool.h>
#include <time.h>

enum sysclock_leap {
    SYSCLOCK_LEAP_NONE = 0,
    SYSCLOCK_LEAP_INSERT = 1,
    SYSCLOCK_LEAP_DELETE = 2,
};

/* control false selects the null driver. Returns 0, or -1 when control was
 * asked for and the kernel refuses (no CAP_SYS_TIME): the caller decides
 * whether that is fatal. */
int sysclock_init(bool control);
void sysclock_finish(void);
bool sysclock_controls_clock(void);

/* CLOCK_REALTIME as the kernel has it. */
void sysclock_read_raw(struct timespec *ts);

/* Largest |frequency| the driver can set, in ppm. */
double sysclock_max_frequency_ppm(void);
/* The frequency currently set (for the null driver: the last value given;
 * initially what the kernel reports). */
double sysclock_get_frequency_ppm(void);
/* Sets the frequency, clamped to the driver's range; returns the value
 * actually set (the kernel's resolution rounds it). */
double sysclock_set_frequency_ppm(double freq_ppm);

/* Steps the clock by offset_s seconds. 0 on success, -1 on failure. */
int sysclock_step(double offset_s);

/* Kernel synchronisation status: with synced true the kernel clears
 * STA_UNSYNC and, with its 11-minute mode, copies the time to the RTC
 * (rtcsync); est_error_s and max_error_s feed its error estimates. */
void sysclock_set_sync_status(bool synced, double est_error_s, double max_error_s);
/* Arms (or disarms with SYSCLOCK_LEAP_NONE) the kernel's leap second at the
 * end of the current UTC day. */
void sysclock_set_leap(enum sysclock_leap leap);

#endif
