/* regress: the statistics behind the source statistics (chrony's regress.c,
 * written anew). Weighted least-squares fit of a line, the runs test that
 * decides how many of the oldest points to drop so the residuals look random,
 * Student's t coefficients for confidence intervals, medians, a robust
 * (Theil-Sen) line fit, and the two-variable fit used to estimate the
 * asymmetry of network jitter. Pure functions over caller-owned arrays; no
 * state, no allocation. */
#ifndef CW_REGRESS_H
#define CW_REGRESS_H

#include <stdbool.h>

/* Fewest points a line fit with error estimates needs (two for the line,
 * one degree of freedom for the variance). */
#define REGRESS_MIN_POINTS 3
/* Most points any function here accepts (the source statistics keep up to
 * 64 samples for the fit and as many older ones again for the runs test). */
#define REGRESS_MAX_POINTS 128
/* The runs test may look at up to this many times as many points as the fit
 * uses (the older ones only have their residual signs counted). */
#define REGRESS_RUNS_RATIO 2

/* A fitted line y = intercept + slope * x. Weights are variances: a point
 * with weight 4 counts a quarter of one with weight 1. */
struct regress_fit {
    double intercept;      /* y at x = 0 */
    double slope;
    double variance;       /* estimated variance of a point of average weight */
    double unit_variance;  /* estimated variance of a point of weight 1 */
    double intercept_sd;   /* standard error of the intercept */
    double slope_sd;       /* standard error of the slope */
    int n;                 /* points in the fit */
    int dof;               /* degrees of freedom: n - 2 */
    int start;             /* regress_find_best: oldest points dropped */
    int runs;              /* regress_find_best: runs of residual signs in the fit */
};

/* Fits all n points (n >= REGRESS_MIN_POINTS, x not all equal); w may be NULL
 * for equal weights. False if the fit is impossible. */
bool regress_weighted(const double *x, const double *y, const double *w, int n,
                      struct regress_fit *fit);

/* The fit with the runs test: x and y hold n_extra + n points, oldest first;
 * the last n are candidates for the fit (w holds their n weights, or NULL),
 * the n_extra older ones only extend the runs test. Oldest fit points are
 * dropped one at a time while the residual signs have too few runs to look
 * random, keeping at least max(min_keep, REGRESS_MIN_POINTS) points. fit->start
 * says how many were dropped. False when n < REGRESS_MIN_POINTS or
 * n_extra + n > REGRESS_MAX_POINTS. */
bool regress_find_best(const double *x, const double *y, const double *w, int n_extra, int n,
                       int min_keep, struct regress_fit *fit);

/* Runs of equal sign in the sequence (a zero ends a run and forms its own). */
int regress_count_runs(const double *resid, int n);

/* The largest number of runs that n random signs show with probability of
 * about 5% or less (one-sided, normal approximation of the runs
 * distribution); 0 below 8 points, where the test is not used. A sequence
 * with this many runs or fewer fails the test. */
int regress_critical_runs(int n);

/* Student's t quantile for a two-sided 99.9% interval (one-sided 99.95%)
 * with dof degrees of freedom (dof >= 1); chrony multiplies the slope's
 * standard error by it to get the frequency "skew". */
double regress_t_coef(int dof);

/* Median of n values (the mean of the middle two when n is even); the input
 * is not modified. n must be 1..REGRESS_MAX_POINTS. */
double regress_median(const double *x, int n);

/* Robust line fit (Theil-Sen: slope = median of pairwise slopes, intercept =
 * median of y - slope * x), insensitive to up to ~29% of outliers. False
 * when n < 2 or all x are equal. */
bool regress_robust(const double *x, const double *y, int n, double *intercept, double *slope);

/* Least squares y = a + b1 * x1 + b2 * x2 (equal weights). False when
 * n < 4 or the two variables are (nearly) collinear or constant. */
bool regress_two_var(const double *x1, const double *x2, const double *y, int n, double *b1,
                     double *b2);

#endif
