/* mem: allocation that never returns NULL (out of memory is fatal). */
#ifndef CW_MEM_H
#define CW_MEM_H
#include <stddef.h>

void *mem_alloc(size_t size);
void *mem_calloc(size_t n, size_t size);
void *mem_realloc(void *p, size_t size);
/* Grow an array of n items of size each to hold at least want items. */
void *mem_grow(void *p, size_t *n, size_t want, size_t size);
char *mem_strdup(const char *s);
char *mem_strndup(const char *s, size_t n);
void mem_free(void *p);

#endif
