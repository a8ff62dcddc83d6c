import { defineConfig } from 'vitest/config';

// The agent page's own script, run in Node against happy-dom: workerd cannot evaluate a page.
// And `*.node.spec.ts`: checks that need Node (the OpenAPI validator compiles schemas to code).
export default defineConfig({
  test: {
    include: ['src/**/*.dom.spec.ts', 'src/**/*.node.spec.ts'],
    environment: 'node',
  },
});
