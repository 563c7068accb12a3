/* clockprec: the precision of the system clock, measured once at start as
 * chrony does: the shortest non-zero step between consecutive readings of
 * CLOCK_REALTIME (which on modern Linux is the cost of one reading, some tens
 * of nanoseconds). NTP packets carry it as a log2 (the precision field), and
 * it bounds the random bits put below it in our timestamps. */
#ifndef CW_CLOCKPREC_H
#define CW_CLOCKPREC_H

/* Reads the clock until it has seen CLOCKPREC_STEPS steps forward and
 * returns the smallest, in seconds (never 0; at most 1 s). */
double clockprec_measure_s(void);

/* The precision field for a quantum: log2 of the quantum rounded to the
 * nearest integer (30 ns -> -25), clamped to the field's -128..127. */
int clockprec_log2(double quantum_s);

#define CLOCKPREC_STEPS 100

#endif
