/**
 * The e2e run's global setup: one collector (`wrangler dev`, migrated local D1) for every test
 * file, which `useSuite` reaches through `inject('collector')`. Starting one per file cost
 * seconds each (migrations, then workerd); files keep apart by site, each making its own. The
 * teardown runs however the tests ended, and stops the worker and deletes its database.
 */
import type { TestProject } from 'vitest/node';
import { startWorker } from './wrangler-dev.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    collector: { origin: string; persistDir: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const collector = await startWorker();
  project.provide('collector', { origin: collector.origin, persistDir: collector.persistDir });
  return () => collector.dispose();
}
