/** Build-time flag (rollup replace / vitest define): debug output exists only where it is true. */
declare const __DEBUG__: boolean;
