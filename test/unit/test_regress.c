/* Tests of the regression helpers on synthetic data: exact lines, noise
 * (standard errors must match the scatter of the estimates), the runs test
 * trimming old points after a change of slope, t coefficients against
 * published quantiles, medians, robust and two-variable fits. */
#include "harness.h"
#include "core/regress.h"

#include <math.h>
#include <stdint.h>

/* ---- a deterministic random source ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static double uniform(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return ((double)(rng_state >> 11) + 0.5) / 9007199254740992.0;
}

static double gaussian(void)
{
    return sqrt(-2.0 * log(uniform())) * cos(2.0 * M_PI * uniform());
}

/* ---- plain fits ---- */

TEST(exact_line_recovered)
{
    double x[20], y[20], w[20];
    for (int i = 0; i < 20; i++) {
        x[i] = -1024.0 * (19 - i);
        y[i] = 3.0e-3 + 12.5e-6 * x[i];
        w[i] = 1.0 + i % 5;
    }
    struct regress_fit f;
    CHECK(regress_weighted(x, y, w, 20, &f));
    CHECK_NEAR(f.intercept, 3.0e-3, 1e-15);
    CHECK_NEAR(f.slope, 12.5e-6, 1e-18);
    CHECK_NEAR(f.variance, 0.0, 1e-24);
    CHECK_INT(f.n, 20);
    CHECK_INT(f.dof, 18);

    /* equal weights when w is NULL */
    CHECK(regress_weighted(x, y, NULL, 20, &f));
    CHECK_NEAR(f.slope, 12.5e-6, 1e-18);
}

TEST(degenerate_fits_refused)
{
    double x[3] = { 1.0, 1.0, 1.0 }, y[3] = { 1.0, 2.0, 3.0 };
    struct regress_fit f;
    CHECK(!regress_weighted(x, y, NULL, 3, &f));    /* all x equal */
    CHECK(!regress_weighted(x, y, NULL, 2, &f));    /* too few points */
    double x2[3] = { 0.0, 1.0, 2.0 }, w[3] = { 1.0, 0.0, 1.0 };
    CHECK(!regress_weighted(x2, y, w, 3, &f));      /* a zero variance */
}

TEST(weights_pull_the_line)
{
    /* two points far off the line with huge variance barely move it */
    double x[6] = { 0, 1, 2, 3, 4, 5 }, y[6], w[6];
    for (int i = 0; i < 6; i++) {
        y[i] = 1.0 + 2.0 * x[i];
        w[i] = 1.0;
    }
    y[2] += 10.0;
    y[4] -= 10.0;
    w[2] = w[4] = 1e12;
    struct regress_fit f;
    CHECK(regress_weighted(x, y, w, 6, &f));
    CHECK_NEAR(f.slope, 2.0, 1e-9);
    CHECK_NEAR(f.intercept, 1.0, 1e-9);
}

/* Over many noisy data sets the slope and intercept must scatter as their
 * standard errors say, and the variance must estimate the noise. */
TEST(noise_gives_sensible_standard_errors)
{
    const int trials = 3000, n = 16;
    const double sigma = 5e-6, slope = -30e-6, intercept = 2e-3;
    double sum_zs = 0, sum_zs2 = 0, sum_zi2 = 0, sum_var = 0;
    for (int t = 0; t < trials; t++) {
        double x[16], y[16];
        for (int i = 0; i < n; i++) {
            x[i] = -64.0 * (n - 1 - i);
            y[i] = intercept + slope * x[i] + sigma * gaussian();
        }
        struct regress_fit f;
        CHECK(regress_weighted(x, y, NULL, n, &f));
        double zs = (f.slope - slope) / f.slope_sd;
        double zi = (f.intercept - intercept) / f.intercept_sd;
        sum_zs += zs;
        sum_zs2 += zs * zs;
        sum_zi2 += zi * zi;
        sum_var += f.variance;
    }
    /* with 14 dof, t-distributed: variance 14/12 = 1.17 */
    CHECK_NEAR(sum_zs / trials, 0.0, 0.06);
    CHECK_NEAR(sum_zs2 / trials, 14.0 / 12.0, 0.12);
    CHECK_NEAR(sum_zi2 / trials, 14.0 / 12.0, 0.12);
    CHECK_NEAR(sqrt(sum_var / trials), sigma, 0.05 * sigma);
}

/* ---- runs ---- */

TEST(count_runs)
{
    double a[] = { 1, 2, -1, -2, -3, 4, -5 };
    CHECK_INT(regress_count_runs(a, 7), 4);
    CHECK_INT(regress_count_runs(a, 1), 1);
    CHECK_INT(regress_count_runs(a, 0), 0);
    double b[] = { 1, 0, 1 };     /* a zero ends a run */
    CHECK_INT(regress_count_runs(b, 3), 3);
}

TEST(critical_runs_values)
{
    CHECK_INT(regress_critical_runs(3), 0);
    CHECK_INT(regress_critical_runs(7), 0);
    /* normal approximation of the one-sided 5% point */
    CHECK_INT(regress_critical_runs(8), 2);
    CHECK_INT(regress_critical_runs(10), 3);
    CHECK_INT(regress_critical_runs(20), 7);
    CHECK_INT(regress_critical_runs(64), 26);
    CHECK_INT(regress_critical_runs(128), 55);
    for (int n = 9; n <= REGRESS_MAX_POINTS; n++)
        CHECK(regress_critical_runs(n) >= regress_critical_runs(n - 1));
}

TEST(runs_test_drops_old_points_after_slope_change)
{
    /* 30 points: the older half on one line, the newer half on another */
    double x[30], y[30];
    for (int i = 0; i < 30; i++) {
        x[i] = -64.0 * (29 - i);
        double t = x[i];
        y[i] = i < 15 ? 50e-6 * (t + 15 * 64.0) : -20e-6 * (t + 15 * 64.0);
        y[i] += 0.2e-6 * gaussian();
    }
    struct regress_fit f;
    CHECK(regress_find_best(x, y, NULL, 0, 30, 3, &f));
    CHECK(f.start >= 13);
    CHECK(f.n == 30 - f.start);
    CHECK_NEAR(f.slope, -20e-6, 1e-6);
    CHECK(f.runs > regress_critical_runs(f.n) || f.n <= 3);

    /* min_keep stops the trimming */
    CHECK(regress_find_best(x, y, NULL, 0, 30, 25, &f));
    CHECK_INT(f.n, 25);
}

TEST(runs_test_keeps_random_points)
{
    /* a straight line with noise: most fits keep everything */
    int trimmed = 0;
    const int trials = 400;
    for (int t = 0; t < trials; t++) {
        double x[32], y[32];
        for (int i = 0; i < 32; i++) {
            x[i] = -64.0 * (31 - i);
            y[i] = 1e-6 * x[i] + 1e-5 * gaussian();
        }
        struct regress_fit f;
        CHECK(regress_find_best(x, y, NULL, 0, 32, 3, &f));
        if (f.start > 0)
            trimmed++;
    }
    /* the test is at the 5% level (more with the normal approximation);
     * random data must not be trimmed often */
    CHECK(trimmed < trials / 8);
}

TEST(runs_test_uses_extra_points)
{
    /* the 10 fit points alone (signs ++--++--++) pass the test, but with
     * 10 older points all above the line the 20 signs have too few runs */
    static const double pattern[10] = { 1, 1, -1, -1, 1, 1, -1, -1, 1, 1 };
    double x[20], y[20];
    for (int i = 0; i < 20; i++) {
        x[i] = i - 19.0;
        y[i] = i < 10 ? 1.0 : 0.1 * pattern[i - 10];
    }
    struct regress_fit with_extra, alone;
    CHECK(regress_find_best(x + 10, y + 10, NULL, 0, 10, 3, &alone));
    CHECK_INT(alone.start, 0);
    CHECK(regress_find_best(x, y, NULL, 10, 10, 3, &with_extra));
    CHECK(with_extra.start > 0);
    /* the runs reported are those of the fitted points only */
    CHECK(with_extra.runs <= with_extra.n);

    CHECK(!regress_find_best(x, y, NULL, 120, 10, 3, &alone));   /* too many */
    CHECK(!regress_find_best(x, y, NULL, 0, 2, 3, &alone));      /* too few */
}

/* ---- t, median, robust, two variables ---- */

TEST(t_coefficients)
{
    /* published two-sided 99.9% quantiles of Student's t */
    CHECK_NEAR(regress_t_coef(1), 636.62, 0.05);
    CHECK_NEAR(regress_t_coef(2), 31.599, 0.005);
    CHECK_NEAR(regress_t_coef(5), 6.869, 0.002);
    CHECK_NEAR(regress_t_coef(10), 4.587, 0.002);
    CHECK_NEAR(regress_t_coef(40), 3.551, 0.002);
    CHECK_NEAR(regress_t_coef(1000), 3.300, 0.002);
    CHECK_NEAR(regress_t_coef(0), regress_t_coef(1), 1e-9);
    for (int d = 2; d < 100; d++)
        CHECK(regress_t_coef(d) < regress_t_coef(d - 1));
}

TEST(median)
{
    double odd[] = { 5, -1, 3, 9, 0 };
    CHECK_NEAR(regress_median(odd, 5), 3.0, 0);
    double even[] = { 4, 1, 3, 2 };
    CHECK_NEAR(regress_median(even, 4), 2.5, 0);
    CHECK_NEAR(odd[0], 5.0, 0);    /* input untouched */
    CHECK_NEAR(regress_median(odd, 1), 5.0, 0);
}

TEST(robust_fit_ignores_outliers)
{
    double x[40], y[40];
    for (int i = 0; i < 40; i++) {
        x[i] = i * 16.0;
        y[i] = -4e-3 + 7e-6 * x[i] + 1e-7 * gaussian();
        if (i % 5 == 2)
            y[i] += 5e-3;          /* 20% outliers */
    }
    double a, b;
    CHECK(regress_robust(x, y, 40, &a, &b));
    CHECK_NEAR(b, 7e-6, 0.05e-6);
    CHECK_NEAR(a, -4e-3, 2e-6);

    /* least squares is pulled away by the same outliers */
    struct regress_fit f;
    CHECK(regress_weighted(x, y, NULL, 40, &f));
    CHECK(fabs(f.intercept + 4e-3) > 2e-4);

    double same[3] = { 1, 1, 1 };
    CHECK(!regress_robust(same, y, 3, &a, &b));
}

TEST(two_variable_fit)
{
    double t[30], d[30], y[30];
    for (int i = 0; i < 30; i++) {
        t[i] = -64.0 * i;
        d[i] = 1e-4 * uniform();
        y[i] = 1e-3 + 2e-6 * t[i] - 0.4 * d[i];
    }
    double b1, b2;
    CHECK(regress_two_var(t, d, y, 30, &b1, &b2));
    CHECK_NEAR(b1, 2e-6, 1e-12);
    CHECK_NEAR(b2, -0.4, 1e-6);

    /* collinear variables */
    for (int i = 0; i < 30; i++)
        d[i] = 3.0 * t[i];
    CHECK(!regress_two_var(t, d, y, 30, &b1, &b2));
    CHECK(!regress_two_var(t, d, y, 3, &b1, &b2));
}

TEST_LIST {
    T(exact_line_recovered),
    T(degenerate_fits_refused),
    T(weights_pull_the_line),
    T(noise_gives_sensible_standard_errors),
    T(count_runs),
    T(critical_runs_values),
    T(runs_test_drops_old_points_after_slope_change),
    T(runs_test_keeps_random_points),
    T(runs_test_uses_extra_points),
    T(t_coefficients),
    T(median),
    T(robust_fit_ignores_outliers),
    T(two_variable_fit),
};
TEST_MAIN
