/* manual_input: chronyd's manual time input, the live state behind
 * `chronyc manual on|off|reset|list|delete` and `chronyc settime`. It
 * holds the sample store (core/manual), enabled at start by the `manual`
 * directive, follows every change of our clock as a clock listener of the
 * discipline, and applies each estimate through
 * discipline_manual_reference(), logging as chrony does: "Making a slew of
 * X" for one sample, "Making a frequency change of F ppm and a slew of X"
 * with a fitted frequency (the clock's own "System clock wrong by X
 * seconds" follows from the discipline).
 *
 * Start after discipline_init(), finish before discipline_finish(). */
#ifndef CW_MANUAL_INPUT_H
#define CW_MANUAL_INPUT_H

#include <stdbool.h>
#include <time.h>

#include "chronyd/conf.h"
#include "core/manual.h"

void manual_input_init(const struct conf_settings *s);
void manual_input_finish(void);

/* manual on / off / reset. Before init: nothing happens. */
void manual_input_set_enabled(bool enabled);
bool manual_input_is_enabled(void);
void manual_input_reset(void);

/* settime: the true time now is `given`. Returns what core/manual decided;
 * MANUAL_ACCEPTED when the estimate was applied, with settime's reply
 * values: the fitted offset (s, positive: our clock was ahead), the
 * frequency change (ppm, positive: the clock was found fast) and the
 * clock's absolute frequency after it (ppm). */
enum manual_result manual_input_settime(const struct timespec *given, double *offset_s,
                                        double *dfreq_ppm, double *new_afreq_ppm);
/* manual delete INDEX: false when there is no such sample; otherwise the
 * samples left are estimated again and applied. */
bool manual_input_delete(int index);
/* manual list: up to max samples, oldest first; returns how many. */
int manual_input_report(struct manual_sample *out, int max);

#endif
