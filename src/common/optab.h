/* optab: table-driven parsing of option lists "keyword [value] keyword ...",
 * the form shared by the server/pool/peer, refclock, hwtimestamp, local and
 * ratelimit directives and chronyc's "add server". A table row names a keyword,
 * how its value is read and where it is stored (an offset into the caller's
 * struct). Values are read with the C library's scanf conversions, the way
 * chrony reads them, so "minpoll 5x" reads 5 and then sees "x" as the next
 * keyword, and "key -1" wraps like strtoul. */
#ifndef CW_OPTAB_H
#define CW_OPTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum optab_kind {
    OPTAB_SET_BOOL,     /* no value: stores .arg != 0 into a bool */
    OPTAB_SET_INT,      /* no value: stores .arg into an int */
    OPTAB_OR_BITS,      /* no value: ORs .arg into an unsigned int */
    OPTAB_INT,          /* "%d" into an int, checked against [min, max] when .ranged */
    OPTAB_UINT32,       /* "%u" into a uint32_t (wraps like strtoul, as chrony) */
    OPTAB_DOUBLE,       /* "%lf" into a double */
    OPTAB_WORD4,        /* up to 4 characters ("%4s") packed big-endian into a
                           uint32_t, as reference IDs are written */
    OPTAB_CUSTOM,       /* .custom reads the value */
};

/* A custom value reader: reads from text, sets *consumed to the number of
 * characters used, stores into field; false when the value is invalid. */
typedef bool (*optab_custom_fn)(const char *text, int *consumed, void *field);

struct optab {
    const char *name;           /* keyword, matched case-insensitively */
    enum optab_kind kind;
    size_t offset;              /* of the destination field in the caller's struct */
    int arg;                    /* value or bits for the no-value kinds */
    bool ranged;                /* OPTAB_INT: enforce min..max */
    int min, max;
    optab_custom_fn custom;     /* OPTAB_CUSTOM */
};

/* Row shapes (designated initialisers, so unused fields stay zero). */
#define OPTAB_BOOL(n, off, v) { .name = (n), .kind = OPTAB_SET_BOOL, .offset = (off), .arg = (v) }
#define OPTAB_SETINT(n, off, v) { .name = (n), .kind = OPTAB_SET_INT, .offset = (off), .arg = (v) }
#define OPTAB_BITS(n, off, b) { .name = (n), .kind = OPTAB_OR_BITS, .offset = (off), .arg = (b) }
#define OPTAB_INTV(n, off) { .name = (n), .kind = OPTAB_INT, .offset = (off) }
#define OPTAB_INT_RANGE(n, off, lo, hi) \
    { .name = (n), .kind = OPTAB_INT, .offset = (off), .ranged = true, .min = (lo), .max = (hi) }
#define OPTAB_U32(n, off) { .name = (n), .kind = OPTAB_UINT32, .offset = (off) }
#define OPTAB_DBL(n, off) { .name = (n), .kind = OPTAB_DOUBLE, .offset = (off) }
#define OPTAB_REFID(n, off) { .name = (n), .kind = OPTAB_WORD4, .offset = (off) }
#define OPTAB_FN(n, off, fn) { .name = (n), .kind = OPTAB_CUSTOM, .offset = (off), .custom = (fn) }

enum optab_status {
    OPTAB_OK,
    OPTAB_UNKNOWN,              /* a keyword not in the table */
    OPTAB_BAD_VALUE,            /* a missing, unreadable or out-of-range value */
};

/* Parses the options in text into dest (a struct the table's offsets point
 * into; fields of options that are absent are left alone). On failure, when
 * where is not NULL, it points at the offending keyword in text. */
enum optab_status optab_parse(const struct optab *table, size_t n, const char *text,
                              void *dest, const char **where);
/* The row for a keyword, or NULL. */
const struct optab *optab_find(const struct optab *table, size_t n, const char *word,
                               size_t len);

#endif
