import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useSuite } from './harness/suite.ts';

const artifacts = fileURLToPath(new URL('../../../artifacts/', import.meta.url));

describe('pages a person looks at', () => {
  const suite = useSuite();

  it('renders the demo storefront and the agent link page (screenshots in artifacts/)', async () => {
    await mkdir(artifacts, { recursive: true });
    const page = await (await suite.newVisitor()).newPage();
    const demo = await page.goto(`${suite.collector.origin}/demo`);
    expect(demo?.status()).toBe(200);
    await page.screenshot({ path: `${artifacts}demo-storefront.png`, fullPage: true });
    const agent = await page.goto(`${suite.collector.origin}/agent`);
    expect(agent?.status()).toBe(200);
    expect(await page.locator('form').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${artifacts}agent-page.png`, fullPage: true });
  });
});
