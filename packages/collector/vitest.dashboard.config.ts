import { defineConfig } from 'vitest/config';

// The merchant dashboard's components and data logic (dashboard/), in happy-dom.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  test: {
    include: ['dashboard/**/*.test.{ts,tsx}'],
    environment: 'happy-dom',
  },
});
