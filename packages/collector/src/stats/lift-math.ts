/**
 * Lift of a widget (or campaign, or the site's widgets) from holdout cohorts: how much more
 * often exposed visitors converted than held-out ones, with a 95 % interval that says how sure
 * that is.
 *
 * The interval is Koopman's asymptotic score interval for the ratio of two binomial proportions
 * (P. A. R. Koopman, "Confidence intervals for the ratio of two binomial proportions",
 * Biometrics 40, 1984), the one recommended for the ratio in M. W. Fagerland, S. Lydersen and
 * P. Laake, "Recommended confidence intervals for two independent binomial proportions",
 * Statistical Methods in Medical Research 24, 2015. Unlike the log (Katz) interval it needs no
 * correction when a cohort has no converters: a holdout without converters gives a lower bound
 * and no upper one, an exposed cohort without converters a lift of -100 % and an upper bound.
 * The seeded simulation beside this file measures its coverage.
 *
 * Revenue per visitor has no interval here: an honest one (delta method or bootstrap) needs
 * the variance of each visitor's revenue in the range, i.e. per-visitor sums of squares. The
 * aggregates are per slot, and a visitor who buys in two slots has (a + b)² ≠ a² + b², so the
 * sum of squares does not merge across slots; per-order squares would understate it for
 * repeat buyers. The rate is reported without a claim of significance.
 *
 * `visitors` may come from a distinct-count sketch (exact up to 10,000, about 0.8 % off above):
 * that error is small next to the binomial one on converters and is not added to the interval.
 */

/** What one cohort's eligible visitors did in the range. */
export interface CohortCounts {
  /** Distinct eligible visitors. */
  visitors: number;
  /** Those of them who placed at least one order at or after their first eligibility. */
  converters: number;
  orders: number;
  /** The orders' total, in minor units of one currency. */
  valueMinor: number;
}

/** A cohort's counts with its rates. */
export interface CohortRates extends CohortCounts {
  /** converters / visitors; null without visitors. */
  conversionRate: number | null;
  /** valueMinor / visitors, in minor units; null without visitors. */
  revenuePerVisitorMinor: number | null;
}

/** Relative difference of the exposed cohort's conversion rate to the holdout's, with its interval. */
export interface ConversionLift {
  /** exposedRate / holdoutRate - 1; null when a cohort has no visitors or the holdout converted none. */
  lift: number | null;
  /**
   * The 95 % interval of `lift`. `low` is -1 when the data cannot exclude that exposure stopped
   * every conversion; `high` is null when it has no upper bound (a holdout without converters).
   * Both are null when a cohort has no visitors.
   */
  low: number | null;
  high: number | null;
  /** The interval excludes 0: exposure changed conversion, at the 95 % level. */
  significant: boolean;
}

/** Both cohorts' rates and the lift between them. */
export interface LiftResult extends ConversionLift {
  exposed: CohortRates;
  holdout: CohortRates;
}

/** The two-sided 95 % normal quantile. */
const Z_95 = 1.959963984540054;
/** The ratios searched for the interval's ends: beyond these the end is taken as 0 or unbounded. */
const MIN_RATIO = 1e-9;
const MAX_RATIO = 1e9;

function checkCounts(name: string, visitors: number, converters: number): void {
  if (!Number.isInteger(visitors) || !Number.isInteger(converters) || converters < 0 || converters > visitors) {
    throw new RangeError(`${name}: ${converters} converters of ${visitors} visitors are not counts`);
  }
}

/**
 * A cohort's rates: conversion and revenue per visitor, null without visitors.
 *
 * @example cohortRates({ visitors: 200, converters: 10, orders: 12, valueMinor: 60000 })
 * // { ..., conversionRate: 0.05, revenuePerVisitorMinor: 300 }
 */
export function cohortRates(counts: CohortCounts): CohortRates {
  const { visitors } = counts;
  return {
    ...counts,
    conversionRate: visitors === 0 ? null : counts.converters / visitors,
    revenuePerVisitorMinor: visitors === 0 ? null : counts.valueMinor / visitors,
  };
}

/**
 * The score statistic of "exposed rate = ratio × holdout rate" (Farrington and Manning's form):
 * the observed difference p1 - ratio·p0 over its standard error at the rates that best fit the
 * data under that ratio. It decreases as `ratio` grows; the interval is where |z| ≤ 1.96.
 */
function scoreZ(ratio: number, x1: number, n1: number, x0: number, n0: number): number {
  // The holdout rate p0 maximising the likelihood when p1 = ratio·p0 is the smaller root of
  // a·p0² + b·p0 + c = 0, written as 2c / (-b + √disc) to avoid cancelling when c is small.
  const a = (n1 + n0) * ratio;
  const b = -(n1 * ratio + x1 + n0 + x0 * ratio);
  const c = x1 + x0;
  const p0 = (2 * c) / (-b + Math.sqrt(Math.max(0, b * b - 4 * a * c)));
  const p1 = ratio * p0;
  const difference = x1 / n1 - (ratio * x0) / n0;
  const variance = (p1 * (1 - p1)) / n1 + (ratio * ratio * p0 * (1 - p0)) / n0;
  if (!(variance > 0)) return difference === 0 ? 0 : Math.sign(difference) * Number.POSITIVE_INFINITY;
  return difference / Math.sqrt(variance);
}

/** The ratio where scoreZ crosses `target`, by bisection on log(ratio) between the search bounds. */
function solveRatio(target: number, x1: number, n1: number, x0: number, n0: number): number {
  let lo = Math.log(MIN_RATIO);
  let hi = Math.log(MAX_RATIO);
  // 60 halvings of a width of 41 leave well under 1e-15 in log(ratio): double precision.
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (scoreZ(Math.exp(mid), x1, n1, x0, n0) > target) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

/**
 * The conversion lift of `exposed` over `holdout` and its 95 % Koopman score interval.
 * Counts must be whole, with converters ≤ visitors; otherwise it throws `RangeError`.
 *
 * @example conversionLift({ visitors: 5000, converters: 300 }, { visitors: 5000, converters: 200 })
 * // { lift: 0.5, low: 0.2601, high: 0.7859, significant: true } (rounded)
 */
export function conversionLift(
  exposed: Pick<CohortCounts, 'visitors' | 'converters'>,
  holdout: Pick<CohortCounts, 'visitors' | 'converters'>,
): ConversionLift {
  checkCounts('exposed', exposed.visitors, exposed.converters);
  checkCounts('holdout', holdout.visitors, holdout.converters);
  const { visitors: n1, converters: x1 } = exposed;
  const { visitors: n0, converters: x0 } = holdout;
  if (n1 === 0 || n0 === 0) return { lift: null, low: null, high: null, significant: false };

  const lift = x0 === 0 ? null : x1 / n1 / (x0 / n0) - 1;
  const z = (ratio: number): number => scoreZ(ratio, x1, n1, x0, n0);
  // Where the statistic is still inside the band at the search bound, that end of the interval
  // is open: no ratio near 0 (or no ratio at all, however large) is excluded.
  const low = z(MIN_RATIO) <= Z_95 ? -1 : solveRatio(Z_95, x1, n1, x0, n0) - 1;
  const high = z(MAX_RATIO) >= -Z_95 ? null : solveRatio(-Z_95, x1, n1, x0, n0) - 1;
  return { lift, low, high, significant: low > 0 || (high !== null && high < 0) };
}

/**
 * Both cohorts' rates and the conversion lift between them: what one lift row needs, in minor
 * units (the route converts money to the currency's major units and rounds for display).
 *
 * @example
 * liftOf(
 *   { visitors: 812, converters: 41, orders: 44, valueMinor: 183050 },
 *   { visitors: 90, converters: 3, orders: 3, valueMinor: 12000 },
 * ) // lift 0.515, low -0.481, high 3.580, significant false (rounded)
 */
export function liftOf(exposed: CohortCounts, holdout: CohortCounts): LiftResult {
  return { exposed: cohortRates(exposed), holdout: cohortRates(holdout), ...conversionLift(exposed, holdout) };
}
