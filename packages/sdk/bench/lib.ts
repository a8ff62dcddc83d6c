/**
 * The bench helpers now live in `@lasttouch/shared/testing/bench`; this re-export remains only for
 * `packages/collector/dashboard/bench.ts`, which still imports this path. Delete it once that
 * import names the shared module.
 */
export * from '@lasttouch/shared/testing/bench';
