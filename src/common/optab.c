/* optab: the option-list reader behind the option tables. */
#include "common/optab.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The longest word WORD4 reads: a reference ID is 4 ASCII characters. */
#define WORD4_CHARS 4

static const char *skip_space(const char *p)
{
    while (*p && isspace((unsigned char)*p))
        p++;
    return p;
}

const struct optab *optab_find(const struct optab *table, size_t n, const char *word,
                               size_t len)
{
    for (size_t i = 0; i < n; i++) {
        if (strlen(table[i].name) == len && strncasecmp(table[i].name, word, len) == 0)
            return &table[i];
    }
    return NULL;
}

/* Reads the value of one option at text; returns the characters consumed or -1. */
static int read_value(const struct optab *row, const char *text, void *field)
{
    int n = 0;

    switch (row->kind) {
    case OPTAB_INT: {
        int v;
        if (sscanf(text, "%d%n", &v, &n) != 1)
            return -1;
        if (row->ranged && (v < row->min || v > row->max))
            return -1;
        *(int *)field = v;
        return n;
    }
    case OPTAB_UINT32: {
        uint32_t v;
        if (sscanf(text, "%" SCNu32 "%n", &v, &n) != 1)
            return -1;
        *(uint32_t *)field = v;
        return n;
    }
    case OPTAB_DOUBLE: {
        double v;
        if (sscanf(text, "%lf%n", &v, &n) != 1)
            return -1;
        *(double *)field = v;
        return n;
    }
    case OPTAB_WORD4: {
        char word[WORD4_CHARS + 1];
        uint32_t v = 0;
        if (sscanf(text, "%4s%n", word, &n) != 1)
            return -1;
        for (int i = 0; word[i]; i++)
            v |= (uint32_t)(unsigned char)word[i] << (24 - 8 * i);
        *(uint32_t *)field = v;
        return n;
    }
    case OPTAB_CUSTOM:
        if (!row->custom(text, &n, field))
            return -1;
        return n;
    default:
        return -1;
    }
}

enum optab_status optab_parse(const struct optab *table, size_t n, const char *text,
                              void *dest, const char **where)
{
    const char *p = skip_space(text);

    while (*p) {
        const char *word = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        const struct optab *row = optab_find(table, n, word, (size_t)(p - word));
        p = skip_space(p);
        if (where)
            *where = word;
        if (!row)
            return OPTAB_UNKNOWN;

        void *field = (char *)dest + row->offset;
        switch (row->kind) {
        case OPTAB_SET_BOOL:
            *(bool *)field = row->arg != 0;
            break;
        case OPTAB_SET_INT:
            *(int *)field = row->arg;
            break;
        case OPTAB_OR_BITS:
            *(unsigned *)field |= (unsigned)row->arg;
            break;
        default: {
            int used = read_value(row, p, field);
            if (used < 0)
                return OPTAB_BAD_VALUE;
            /* What the conversion left of the word is read as the next keyword. */
            p = skip_space(p + used);
            break;
        }
        }
    }
    return OPTAB_OK;
}
