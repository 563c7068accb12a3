/* files: chronyd's access to the file system. Reading text files (line by
 * line, or the head of a small file), finding files by glob pattern,
 * replacing a file atomically (a temporary file PATH.tmp, flushed to disk,
 * then renamed over PATH, so a crash never leaves half a file), opening log
 * files for appending, removing files and reading modification times.
 *
 * These functions never log: they report failure with errno, and the
 * callers word the messages (chrony's texts, which scripts compare). */
#ifndef CW_FILES_H
#define CW_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

/* ---- reading ---- */

typedef struct files_reader files_reader;

/* Opens path for reading. NULL, errno set, when it cannot. */
files_reader *files_open_read(const char *path);

/* The next line, with its '\n' when it has one. max 0: the whole line,
 * however long; max > 0: at most max - 1 bytes, the rest of a longer line
 * coming with the next calls (the pieces fgets(buf, max) reads). NULL at
 * the end of the file or on a read error (files_read_failed tells which).
 * The text is NUL-terminated and the caller may modify it until the next
 * call; *len (len may be NULL) counts its bytes, any NUL bytes among them. */
char *files_read_line(files_reader *r, size_t max, size_t *len);

/* A read error, not the end of the file, stopped files_read_line. */
bool files_read_failed(const files_reader *r);

/* Closes the file and frees r (NULL is harmless). */
void files_close_read(files_reader *r);

/* Reads the first size - 1 bytes (fewer if the file is shorter) of path
 * into buf, NUL-terminated. Returns the number of bytes read, or -1 with
 * errno set when the file cannot be opened or read. */
ssize_t files_read_head(const char *path, char *buf, size_t size);

/* ---- finding ---- */

typedef enum {
    FILES_GLOB_OK,              /* at least one path */
    FILES_GLOB_NONE,            /* nothing matched */
    FILES_GLOB_ERROR,           /* the search failed (see FILES_GLOB_STRICT) */
} files_glob_status;

/* A pattern without wildcards is returned as its own match, whether or
 * not the file exists (opening it will tell). */
#define FILES_GLOB_LITERAL 0x1u
/* A directory that cannot be read is an error rather than no match. */
#define FILES_GLOB_STRICT 0x2u

/* Appends the paths matching the glob(7) pattern, sorted, to the array
 * *paths of *n entries (both start as NULL and 0; free the result with
 * files_free_paths). */
files_glob_status files_glob(const char *pattern, unsigned flags, char ***paths, size_t *n);
void files_free_paths(char **paths, size_t n);

/* ---- replacing a file ---- */

/* The temporary file of PATH is PATH followed by this. */
#define FILES_TMP_SUFFIX ".tmp"

typedef struct files_out files_out;

typedef enum {
    FILES_REPLACED,             /* path holds the new content */
    FILES_WRITE_FAILED,         /* writing, flushing to disk or closing failed */
    FILES_RENAME_FAILED,        /* the temporary file could not become path */
} files_replace_status;

/* Starts replacing path: creates PATH.tmp (mode for a new file; an old
 * temporary file is truncated; never written through a symbolic link).
 * NULL, errno set, when it cannot be created. */
files_out *files_replace_begin(const char *path, mode_t mode);

/* Appends text to the temporary file; an error is remembered for commit. */
void files_out_printf(files_out *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Gives the temporary file the owner and permissions of the file it will
 * replace, when that exists. False, errno set, when they could not be set
 * (the replacement can still go on). */
bool files_replace_keep_owner(files_out *out);

/* Flushes the temporary file to disk, closes it and renames it over path.
 * On failure the temporary file is removed, path is left as it was and
 * errno says why. Frees out in every case. */
files_replace_status files_replace_commit(files_out *out);

/* ---- log files ---- */

/* Opens path for appending (created with mode if missing, not inherited by
 * child processes), line-buffered. NULL, errno set, when it cannot. Write
 * with stdio; close with files_append_close. */
FILE *files_append_open(const char *path, mode_t mode);
void files_append_close(FILE *f);

/* ---- other ---- */

/* Removes path. 0, or -1 with errno set. */
int files_remove(const char *path);

/* The modification time of path; false when it cannot be read. */
bool files_mtime(const char *path, struct timespec *mtime);

#endif
