import { defineConfig } from 'vitest/config';

export default defineConfig({
  define: { __DEBUG__: 'true' },
  test: {
    environment: 'happy-dom',
    environmentOptions: { happyDOM: { url: 'https://shop.test/' } },
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
