/* mem: checked allocation wrappers. */
#include "common/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *check(void *p)
{
    if (!p) {
        fputs("Fatal error : could not allocate memory\n", stderr);
        abort();
    }
    return p;
}

void *mem_alloc(size_t size) { return check(malloc(size ? size : 1)); }
void *mem_calloc(size_t n, size_t size) { return check(calloc(n ? n : 1, size ? size : 1)); }
void *mem_realloc(void *p, size_t size) { return check(realloc(p, size ? size : 1)); }
char *mem_strdup(const char *s) { return check(strdup(s)); }
char *mem_strndup(const char *s, size_t n) { return check(strndup(s, n)); }
void mem_free(void *p) { free(p); }

void *mem_grow(void *p, size_t *n, size_t want, size_t size)
{
    if (want <= *n)
        return p;
    size_t m = *n ? *n : 8;
    while (m < want)
        m *= 2;
    p = mem_realloc(p, m * size);
    memset((char *)p + *n * size, 0, (m - *n) * size);
    *n = m;
    return p;
}
