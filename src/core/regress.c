/* regress: line fits, the runs test, t coefficients, medians (see regress.h). */
#include "core/regress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"

/* One-sided 5% point of the standard normal distribution: the runs test
 * rejects sequences whose run count is this many standard deviations below
 * the mean. */
#define RUNS_TEST_Z 1.6449
/* Below this many signs the runs test is not applied. */
#define RUNS_TEST_MIN_POINTS 8

/* Tail probability of the t coefficient: 0.05% on each side. */
#define T_COEF_TAIL 0.0005
#define T_COEF_CACHE 128
/* Bisection of the t quantile, in log space between these bounds. */
#define T_COEF_LO 1.0
#define T_COEF_HI 1.0e5
#define T_COEF_ITERATIONS 80

/* Continued fraction of the incomplete beta function. */
#define BETACF_MAX_ITER 300
#define BETACF_EPS 1.0e-15
#define BETACF_TINY 1.0e-300

/* Two variables are treated as collinear when the determinant of their
 * centred covariance matrix is below this fraction of its diagonal product. */
#define COLLINEAR_LIMIT 1.0e-10

/* ---- plain weighted fit ---- */

static double weight_inv(const double *w, int i)
{
    return w ? 1.0 / w[i] : 1.0;
}

/* Fits points [lo, hi) of x/y, where weights are w[i - wofs]. */
static bool fit_range(const double *x, const double *y, const double *w, int wofs, int lo,
                      int hi, struct regress_fit *fit)
{
    int n = hi - lo;
    if (n < REGRESS_MIN_POINTS)
        return false;

    double sw = 0.0, swx = 0.0, swy = 0.0;
    for (int i = lo; i < hi; i++) {
        double iw = weight_inv(w, i - wofs);
        if (!(iw > 0.0) || !isfinite(iw))
            return false;
        sw += iw;
        swx += iw * x[i];
        swy += iw * y[i];
    }
    double xm = swx / sw, ym = swy / sw;

    double sxx = 0.0, sxy = 0.0;
    for (int i = lo; i < hi; i++) {
        double iw = weight_inv(w, i - wofs);
        double dx = x[i] - xm;
        sxx += iw * dx * dx;
        sxy += iw * dx * (y[i] - ym);
    }
    if (!(sxx > 0.0))
        return false;

    double slope = sxy / sxx;
    double intercept = ym - slope * xm;

    double ss = 0.0;
    for (int i = lo; i < hi; i++) {
        double r = y[i] - intercept - slope * x[i];
        ss += weight_inv(w, i - wofs) * r * r;
    }
    double s2 = ss / (double)(n - 2);

    fit->intercept = intercept;
    fit->slope = slope;
    fit->slope_sd = sqrt(s2 / sxx);
    /* intercept = ym - slope * xm: the error of the mean plus the slope's
     * error carried over the distance from the centre to x = 0 */
    fit->intercept_sd = sqrt(s2 / sw + xm * xm * s2 / sxx);
    /* s2 is the variance of a point of unit weight; scale it to a point of
     * the average weight */
    fit->variance = s2 * (double)n / sw;
    fit->unit_variance = s2;
    fit->n = n;
    fit->dof = n - 2;
    fit->start = 0;
    fit->runs = 0;
    return true;
}

bool regress_weighted(const double *x, const double *y, const double *w, int n,
                      struct regress_fit *fit)
{
    if (n > REGRESS_MAX_POINTS || !fit_range(x, y, w, 0, 0, n, fit))
        return false;
    double resid[REGRESS_MAX_POINTS];
    for (int i = 0; i < n; i++)
        resid[i] = y[i] - fit->intercept - fit->slope * x[i];
    fit->runs = regress_count_runs(resid, n);
    return true;
}

/* ---- runs test ---- */

static int sign_of(double v)
{
    return (v > 0.0) - (v < 0.0);
}

int regress_count_runs(const double *resid, int n)
{
    if (n <= 0)
        return 0;
    int runs = 1;
    for (int i = 1; i < n; i++) {
        int a = sign_of(resid[i - 1]), b = sign_of(resid[i]);
        if (a == 0 || a != b)
            runs++;
    }
    return runs;
}

int regress_critical_runs(int n)
{
    if (n < RUNS_TEST_MIN_POINTS)
        return 0;
    /* With independent random signs the number of runs is 1 plus a
     * binomial(n - 1, 1/2) count of sign changes: mean (n + 1) / 2,
     * standard deviation sqrt(n - 1) / 2. */
    double crit = (n + 1) / 2.0 - RUNS_TEST_Z * sqrt((double)(n - 1)) / 2.0;
    return (int)floor(crit + 0.5);
}

bool regress_find_best(const double *x, const double *y, const double *w, int n_extra, int n,
                       int min_keep, struct regress_fit *fit)
{
    if (n < REGRESS_MIN_POINTS || n_extra < 0 || n_extra + n > REGRESS_MAX_POINTS)
        return false;
    if (min_keep < REGRESS_MIN_POINTS)
        min_keep = REGRESS_MIN_POINTS;

    /* Arrays are indexed from the oldest extra point; the fit candidates
     * are [n_extra, n_extra + n). */
    double resid[REGRESS_MAX_POINTS];
    struct regress_fit f;

    for (int start = 0;; start++) {
        int lo = n_extra + start, hi = n_extra + n;
        if (!fit_range(x, y, w, n_extra, lo, hi, &f))
            return false;

        /* the runs test covers up to REGRESS_RUNS_RATIO times the fitted
         * points, reaching back into the extra ones */
        int test_lo = hi - (hi - lo) * REGRESS_RUNS_RATIO;
        if (test_lo < 0)
            test_lo = 0;
        for (int i = test_lo; i < hi; i++)
            resid[i] = y[i] - f.intercept - f.slope * x[i];
        int runs = regress_count_runs(resid + test_lo, hi - test_lo);

        int kept = hi - lo;
        if (runs > regress_critical_runs(hi - test_lo) || kept <= REGRESS_MIN_POINTS ||
            kept <= min_keep) {
            f.start = start;
            f.runs = test_lo == lo ? runs : regress_count_runs(resid + lo, kept);
            *fit = f;
            return true;
        }
    }
}

/* ---- Student's t ---- */

/* Continued fraction for the regularised incomplete beta function (the
 * modified Lentz method). */
static double beta_cf(double a, double b, double x)
{
    double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0, d = 1.0 - qab * x / qap;
    if (fabs(d) < BETACF_TINY)
        d = BETACF_TINY;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= BETACF_MAX_ITER; m++) {
        double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < BETACF_TINY)
            d = BETACF_TINY;
        c = 1.0 + aa / c;
        if (fabs(c) < BETACF_TINY)
            c = BETACF_TINY;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < BETACF_TINY)
            d = BETACF_TINY;
        c = 1.0 + aa / c;
        if (fabs(c) < BETACF_TINY)
            c = BETACF_TINY;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) < BETACF_EPS)
            break;
    }
    return h;
}

/* I_x(a, b) for 0 <= x <= 1. */
static double beta_inc(double a, double b, double x)
{
    if (x <= 0.0)
        return 0.0;
    if (x >= 1.0)
        return 1.0;
    double front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
    if (x < (a + 1.0) / (a + b + 2.0))
        return front * beta_cf(a, b, x) / a;
    return 1.0 - front * beta_cf(b, a, 1.0 - x) / b;
}

/* P(T > t) for Student's t with dof degrees of freedom, t >= 0. */
static double t_upper_tail(double t, int dof)
{
    double v = dof;
    return 0.5 * beta_inc(v / 2.0, 0.5, v / (v + t * t));
}

static double t_quantile(int dof)
{
    double lo = log(T_COEF_LO), hi = log(T_COEF_HI);
    for (int i = 0; i < T_COEF_ITERATIONS; i++) {
        double mid = 0.5 * (lo + hi);
        if (t_upper_tail(exp(mid), dof) > T_COEF_TAIL)
            lo = mid;
        else
            hi = mid;
    }
    return exp(0.5 * (lo + hi));
}

double regress_t_coef(int dof)
{
    static double cache[T_COEF_CACHE];
    if (dof < 1)
        dof = 1;
    if (dof >= T_COEF_CACHE)
        return t_quantile(dof);
    if (cache[dof] == 0.0)
        cache[dof] = t_quantile(dof);
    return cache[dof];
}

/* ---- medians and robust fits ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of an array that may be reordered. */
static double median_inplace(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    if (n % 2)
        return v[n / 2];
    return 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double regress_median(const double *x, int n)
{
    double tmp[REGRESS_MAX_POINTS];
    if (n <= 0)
        return 0.0;
    if (n > REGRESS_MAX_POINTS)
        n = REGRESS_MAX_POINTS;
    memcpy(tmp, x, (size_t)n * sizeof *tmp);
    return median_inplace(tmp, (size_t)n);
}

bool regress_robust(const double *x, const double *y, int n, double *intercept, double *slope)
{
    if (n < 2 || n > REGRESS_MAX_POINTS)
        return false;

    double *slopes = mem_alloc((size_t)n * (size_t)(n - 1) / 2 * sizeof *slopes);
    size_t k = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (x[j] != x[i])
                slopes[k++] = (y[j] - y[i]) / (x[j] - x[i]);
    if (k == 0) {
        mem_free(slopes);
        return false;
    }
    double b = median_inplace(slopes, k);
    mem_free(slopes);

    double d[REGRESS_MAX_POINTS];
    for (int i = 0; i < n; i++)
        d[i] = y[i] - b * x[i];
    *slope = b;
    *intercept = median_inplace(d, (size_t)n);
    return true;
}

bool regress_two_var(const double *x1, const double *x2, const double *y, int n, double *b1,
                     double *b2)
{
    if (n < 4)
        return false;
    double m1 = 0.0, m2 = 0.0, my = 0.0;
    for (int i = 0; i < n; i++) {
        m1 += x1[i];
        m2 += x2[i];
        my += y[i];
    }
    m1 /= n;
    m2 /= n;
    my /= n;

    double s11 = 0.0, s12 = 0.0, s22 = 0.0, s1y = 0.0, s2y = 0.0;
    for (int i = 0; i < n; i++) {
        double d1 = x1[i] - m1, d2 = x2[i] - m2, dy = y[i] - my;
        s11 += d1 * d1;
        s12 += d1 * d2;
        s22 += d2 * d2;
        s1y += d1 * dy;
        s2y += d2 * dy;
    }
    double det = s11 * s22 - s12 * s12;
    if (!(s11 > 0.0) || !(s22 > 0.0) || !(det > COLLINEAR_LIMIT * s11 * s22))
        return false;

    *b1 = (s1y * s22 - s2y * s12) / det;
    *b2 = (s2y * s11 - s1y * s12) / det;
    return true;
}
