import { defineConfig } from 'vitest/config';

// The agent page's own script, run in Node against happy-dom: workerd cannot evaluate a page.
export default defineConfig({
  test: {
    include: ['src/**/*.dom.spec.ts'],
    environment: 'node',
  },
});
