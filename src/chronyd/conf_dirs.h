/* conf_dirs: which files the include, confdir and sourcedir directives read.
 * include takes a glob pattern; confdir and sourcedir take up to
 * CONF_DIRS_MAX directories and read the files DIR/NAME.SUFFIX, one per NAME
 * (the first directory listed wins), in the order of the file names. */
#ifndef CW_CONF_DIRS_H
#define CW_CONF_DIRS_H

#include <stdbool.h>
#include <stddef.h>

#define CONF_DIRS_MAX 10

/* The files of a confdir/sourcedir directory list (whitespace-separated).
 * False when the list names no directory or more than CONF_DIRS_MAX. Missing
 * directories are not an error. Free the paths with conf_dirs_free(). */
bool conf_dirs_search(const char *dirs, const char *suffix, char ***paths, size_t *n);

enum conf_dirs_glob_status { CONF_DIRS_GLOB_OK, CONF_DIRS_GLOB_NONE, CONF_DIRS_GLOB_ERROR };
/* The files matching an include pattern, sorted. A pattern without wildcards
 * is returned as it is, whether the file exists or not (opening it will tell). */
enum conf_dirs_glob_status conf_dirs_glob(const char *pattern, char ***paths, size_t *n);

void conf_dirs_free(char **paths, size_t n);

#endif
