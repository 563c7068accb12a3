/* harness: the unit-test runner. A test file defines TEST functions, lists them
 * in a TEST_LIST and ends with TEST_MAIN. Each test prints "PASS name" or
 * "FAIL name" lines that test/run-all.sh counts. */
#ifndef CW_HARNESS_H
#define CW_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <string.h>

struct harness_case {
    const char *name;
    void (*fn)(void);
};

extern int harness_failed_checks;
extern const char *harness_current;

#define TEST(name) static void name(void)

#define CHECK(cond) do { \
    if (!(cond)) { \
        harness_failed_checks++; \
        fprintf(stderr, "  %s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, harness_current, #cond); \
    } } while (0)

#define CHECK_INT(a, b) do { \
    long long va_ = (long long)(a), vb_ = (long long)(b); \
    if (va_ != vb_) { \
        harness_failed_checks++; \
        fprintf(stderr, "  %s:%d: %s: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, \
                harness_current, #a, va_, #b, vb_); \
    } } while (0)

#define CHECK_STR(a, b) do { \
    const char *sa_ = (a), *sb_ = (b); \
    if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) { \
        harness_failed_checks++; \
        fprintf(stderr, "  %s:%d: %s: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
                harness_current, #a, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)"); \
    } } while (0)

#define CHECK_NEAR(a, b, eps) do { \
    double da_ = (a), db_ = (b); \
    if (!(fabs(da_ - db_) <= (eps))) { \
        harness_failed_checks++; \
        fprintf(stderr, "  %s:%d: %s: %s == %.12g, expected %.12g +/- %g\n", __FILE__, __LINE__, \
                harness_current, #a, da_, db_, (double)(eps)); \
    } } while (0)

#define TEST_LIST static const struct harness_case harness_cases[] =
#define T(name) { #name, name }

int harness_run(const char *file, const struct harness_case *cases, int n);

#define TEST_MAIN \
    int harness_failed_checks; \
    const char *harness_current; \
    int main(void) { \
        return harness_run(__FILE__, harness_cases, \
                           (int)(sizeof harness_cases / sizeof harness_cases[0])); \
    } \
    int harness_run(const char *file, const struct harness_case *cases, int n) { \
        int failed = 0; \
        for (int i = 0; i < n; i++) { \
            harness_failed_checks = 0; \
            harness_current = cases[i].name; \
            cases[i].fn(); \
            printf("%s %s\n", harness_failed_checks ? "FAIL" : "PASS", cases[i].name); \
            fflush(stdout); \
            if (harness_failed_checks) failed++; \
        } \
        (void)file; \
        return failed ? 1 : 0; \
    }

#endif
