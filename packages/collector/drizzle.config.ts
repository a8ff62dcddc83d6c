import { defineConfig } from 'drizzle-kit';

// Flat SQL files in the folder wrangler applies (`migrations_dir` in wrangler.jsonc).
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema/index.ts',
  out: './migrations',
});
