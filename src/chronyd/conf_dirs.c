/* conf_dirs: file lists for include, confdir and sourcedir (the searching
 * itself is platform/files' glob). */
#include "chronyd/conf_dirs.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "platform/files.h"

static const char *basename_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int compare_basenames(const void *a, const void *b)
{
    return strcmp(basename_of(*(char *const *)a), basename_of(*(char *const *)b));
}

/* Splits text at whitespace into at most max words (copies); returns the
 * number of words in text, which may be more than max. */
static size_t split_words(const char *text, char **words, size_t max)
{
    size_t count = 0;
    const char *p = text;

    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            return count;
        const char *start = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        if (count < max)
            words[count] = mem_strndup(start, (size_t)(p - start));
        count++;
    }
}

/* Is path exactly DIR/NAME for this directory (not a deeper match)? */
static bool is_in_dir(const char *path, const char *dir)
{
    size_t len = strlen(dir);
    return strncmp(path, dir, len) == 0 &&
           len + 1 + strlen(basename_of(path)) == strlen(path);
}

bool conf_dirs_search(const char *dirs, const char *suffix, char ***paths, size_t *n)
{
    char *dir[CONF_DIRS_MAX];
    size_t n_dirs = split_words(dirs, dir, CONF_DIRS_MAX);
    char **found = NULL, **out = NULL;
    size_t n_found = 0, n_out = 0, cap = 0;

    *paths = NULL;
    *n = 0;
    if (n_dirs < 1 || n_dirs > CONF_DIRS_MAX) {
        for (size_t i = 0; i < n_dirs && i < CONF_DIRS_MAX; i++)
            mem_free(dir[i]);
        return false;
    }

    for (size_t i = 0; i < n_dirs; i++) {
        size_t len = strlen(dir[i]) + strlen(suffix) + 3;
        char *pattern = mem_alloc(len);
        snprintf(pattern, len, "%s/*%s", dir[i], suffix);
        /* A missing or unreadable directory just contributes no files. */
        files_glob(pattern, 0, &found, &n_found);
        mem_free(pattern);
    }

    if (n_found > 0) {
        qsort(found, n_found, sizeof found[0], compare_basenames);
        size_t same;
        for (size_t i = 0; i < n_found; i += same) {
            /* The files with this name, one per directory. */
            for (same = 1; i + same < n_found; same++) {
                if (compare_basenames(&found[i], &found[i + same]) != 0)
                    break;
            }
            /* Take the one from the directory listed first. */
            const char *chosen = NULL;
            for (size_t d = 0; d < n_dirs && !chosen; d++) {
                for (size_t k = 0; k < same; k++) {
                    if (is_in_dir(found[i + k], dir[d])) {
                        chosen = found[i + k];
                        break;
                    }
                }
            }
            if (chosen) {
                out = mem_grow(out, &cap, n_out + 1, sizeof *out);
                out[n_out++] = mem_strdup(chosen);
            }
        }
    }
    files_free_paths(found, n_found);
    for (size_t i = 0; i < n_dirs; i++)
        mem_free(dir[i]);

    *paths = out;
    *n = n_out;
    return true;
}

enum conf_dirs_glob_status conf_dirs_glob(const char *pattern, char ***paths, size_t *n)
{
    *paths = NULL;
    *n = 0;
    switch (files_glob(pattern, FILES_GLOB_LITERAL | FILES_GLOB_STRICT, paths, n)) {
    case FILES_GLOB_OK:
        return CONF_DIRS_GLOB_OK;
    case FILES_GLOB_NONE:
        return CONF_DIRS_GLOB_NONE;
    case FILES_GLOB_ERROR:
        break;
    }
    return CONF_DIRS_GLOB_ERROR;
}

void conf_dirs_free(char **paths, size_t n)
{
    files_free_paths(paths, n);
}
