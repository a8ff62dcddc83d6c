/** Builds the dashboard into `outDir` (default: the collector's `public/`); returns the paths written, relative to it. */
export function buildDashboard(options?: { outDir?: string }): string[];
