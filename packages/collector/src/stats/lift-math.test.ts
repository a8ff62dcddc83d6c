import { seededRandom } from '@lasttouch/shared/testing';
import { describe, expect, it } from 'vitest';
import { cohortRates, conversionLift, liftOf } from './lift-math.js';

const Z = 1.959963984540054;
const cohort = (visitors: number, converters: number) => ({ visitors, converters });

describe('cohortRates', () => {
  it('divides by visitors, and has no rate without them', () => {
    expect(cohortRates({ visitors: 200, converters: 10, orders: 12, valueMinor: 60_000 })).toEqual({
      visitors: 200,
      converters: 10,
      orders: 12,
      valueMinor: 60_000,
      conversionRate: 0.05,
      revenuePerVisitorMinor: 300,
    });
    const empty = cohortRates({ visitors: 0, converters: 0, orders: 0, valueMinor: 0 });
    expect(empty.conversionRate).toBeNull();
    expect(empty.revenuePerVisitorMinor).toBeNull();
  });
});

describe('conversionLift: the Koopman score interval', () => {
  it('matches a reference implementation (statsmodels, score ratio interval without correction)', () => {
    // [exposed converters, visitors, holdout converters, visitors, low, high] from statsmodels
    // 0.13.5 confint_proportions_2indep(method='score', compare='ratio', correction=False), minus 1.
    const reference: [number, number, number, number, number, number | null][] = [
      [300, 5_000, 200, 5_000, 0.2601028652496724, 0.7858543311559039],
      [540, 9_000, 40, 1_000, 0.09887063548101893, 1.0547840471937304],
      [41, 812, 3, 90, -0.4808265987600149, 3.5803179840565633],
      [5, 50, 5, 50, -0.6732357488156218, 2.060310289070568],
      [50, 50, 10, 50, 2.0268995173229403, 7.893829893024122],
      [10, 1_000, 0, 1_000, 1.6104169327261002, null],
      [0, 1_000, 10, 1_000, -1, -0.6169194325001293],
    ];
    for (const [x1, n1, x0, n0, low, high] of reference) {
      const result = conversionLift(cohort(n1, x1), cohort(n0, x0));
      expect(result.low, `${x1}/${n1} vs ${x0}/${n0}`).toBeCloseTo(low, 9);
      if (high === null) expect(result.high).toBeNull();
      else expect(result.high, `${x1}/${n1} vs ${x0}/${n0}`).toBeCloseTo(high, 9);
    }
  });

  it('has the closed form when every visitor of both cohorts converted', () => {
    // Koopman's interval is then [n1 / (n1 + z²), (n0 + z²) / n0] for the ratio.
    for (const [n1, n0] of [
      [50, 50],
      [1, 1],
      [300, 20],
    ] as const) {
      const result = conversionLift(cohort(n1, n1), cohort(n0, n0));
      expect(result.lift).toBe(0);
      expect(result.low).toBeCloseTo(n1 / (n1 + Z * Z) - 1, 9);
      expect(result.high).toBeCloseTo((n0 + Z * Z) / n0 - 1, 9);
      expect(result.significant).toBe(false);
    }
  });

  it('handles cohorts without converters or without visitors', () => {
    // Nobody converted: nothing is known, nothing is significant.
    expect(conversionLift(cohort(100, 0), cohort(100, 0))).toEqual({
      lift: null,
      low: -1,
      high: null,
      significant: false,
    });
    // The holdout converted none: the lift is unbounded above, but can be bounded below.
    const holdoutNone = conversionLift(cohort(1_000, 30), cohort(1_000, 0));
    expect(holdoutNone).toMatchObject({ lift: null, high: null, significant: true });
    expect(holdoutNone.low).toBeGreaterThan(0);
    // The exposed cohort converted none: -100 %, and an upper bound.
    const exposedNone = conversionLift(cohort(30, 0), cohort(1_000, 40));
    expect(exposedNone).toMatchObject({ lift: -1, low: -1, significant: false });
    expect(exposedNone.high).toBeGreaterThan(0);
    // A cohort without visitors: no rate, no lift, no interval.
    for (const [exposed, holdout] of [
      [cohort(0, 0), cohort(100, 5)],
      [cohort(100, 5), cohort(0, 0)],
    ] as const) {
      expect(conversionLift(exposed, holdout)).toEqual({ lift: null, low: null, high: null, significant: false });
    }
  });

  it('refuses what are not counts', () => {
    for (const [exposed, holdout] of [
      [cohort(10, 11), cohort(10, 1)],
      [cohort(10, 1), cohort(10, -1)],
      [cohort(10.5, 1), cohort(10, 1)],
      [cohort(Number.NaN, 1), cohort(10, 1)],
    ] as const) {
      expect(() => conversionLift(exposed, holdout)).toThrow(RangeError);
    }
  });

  it('puts the interval around the lift, which is the ratio of rates minus 1', () => {
    const result = conversionLift(cohort(5_000, 300), cohort(5_000, 200));
    expect(result.lift).toBeCloseTo(0.5, 12);
    expect(result.low! < result.lift! && result.lift! < result.high!).toBe(true);
    expect(result.significant).toBe(true);
  });
});

describe('liftOf', () => {
  it('gives a lift row its rates and its interval (the contract example)', () => {
    const row = liftOf(
      { visitors: 812, converters: 41, orders: 44, valueMinor: 183_050 },
      { visitors: 90, converters: 3, orders: 3, valueMinor: 12_000 },
    );
    expect(row.exposed.conversionRate).toBeCloseTo(0.0505, 4);
    expect(row.exposed.revenuePerVisitorMinor).toBeCloseTo(225.43, 2);
    expect(row.holdout.revenuePerVisitorMinor).toBeCloseTo(133.33, 2);
    expect(row.lift).toBeCloseTo(0.515, 3);
    expect(row.low).toBeCloseTo(-0.481, 3);
    expect(row.high).toBeCloseTo(3.58, 2);
    expect(row.significant).toBe(false);
  });
});

describe('conversionLift: calibration (1,000 seeded simulations per scenario)', () => {
  /** Converters among `n` visitors who each convert with probability `p`. */
  const converters = (random: () => number, n: number, p: number): number => {
    let k = 0;
    for (let i = 0; i < n; i++) if (random() < p) k++;
    return k;
  };

  function simulate(exposed: [number, number], holdout: [number, number], seed: number) {
    const [n1, p1] = exposed;
    const [n0, p0] = holdout;
    const truth = p1 / p0 - 1;
    const random = seededRandom(seed);
    let covered = 0;
    let significant = 0;
    const runs = 1_000;
    for (let i = 0; i < runs; i++) {
      const result = conversionLift(cohort(n1, converters(random, n1, p1)), cohort(n0, converters(random, n0, p0)));
      if (result.low! <= truth && (result.high === null || truth <= result.high)) covered++;
      if (result.significant) significant++;
    }
    const measured = { coverage: covered / runs, significant: significant / runs };
    console.log(
      `lift ${n1} at ${p1 * 100} % vs ${n0} at ${p0 * 100} % (true lift ${truth.toFixed(2)}): ` +
        `interval covers it in ${(measured.coverage * 100).toFixed(1)} %, significant in ${(measured.significant * 100).toFixed(1)} %`,
    );
    return measured;
  }

  it('covers the true lift in 93–97 % of runs (equal and unequal cohorts)', () => {
    for (const [exposed, holdout] of [
      [
        [5_000, 0.06],
        [5_000, 0.04],
      ],
      [
        [9_000, 0.06],
        [1_000, 0.04],
      ],
    ] as [number, number][][]) {
      const { coverage } = simulate(exposed!, holdout!, 1);
      expect(coverage).toBeGreaterThanOrEqual(0.93);
      expect(coverage).toBeLessThanOrEqual(0.97);
    }
  });

  it('calls a true lift of 0 significant in at most 7 % of runs', () => {
    for (const [exposed, holdout] of [
      [
        [5_000, 0.05],
        [5_000, 0.05],
      ],
      [
        [9_000, 0.04],
        [1_000, 0.04],
      ],
    ] as [number, number][][]) {
      const { coverage, significant } = simulate(exposed!, holdout!, 1);
      expect(significant).toBeLessThanOrEqual(0.07);
      expect(coverage).toBeGreaterThanOrEqual(0.93);
    }
  });

  it('stays calibrated with a small holdout that sometimes converts nobody', () => {
    // 200 held-out visitors at 2 %: no converter in about 1.8 % of runs.
    const { coverage } = simulate([2_000, 0.03], [200, 0.02], 1);
    expect(coverage).toBeGreaterThanOrEqual(0.93);
    expect(coverage).toBeLessThanOrEqual(0.97);
  });
});
