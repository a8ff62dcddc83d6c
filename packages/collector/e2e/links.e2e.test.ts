import type { ChatStatsResponse, LinkResponse } from '@lasttouch/shared';
import { describe, expect, it } from 'vitest';
import { eventually } from './harness/api.ts';
import { orderDetail } from './harness/stats.ts';
import { useSuite } from './harness/suite.ts';

describe('tagged links in a real browser', () => {
  const suite = useSuite();

  it('ties a visitor who opens a tagged link to the conversation and credits the order to it', async () => {
    const shop = await suite.newShop();
    const store = new URL(
      suite.storefront.page('widgets.html', { writeKey: shop.writeKey, api: suite.collector.origin }),
    );
    store.searchParams.set('order', 'l-1');
    store.hash = 'top';
    const { url } = await suite.api.post<LinkResponse>(
      '/v1/links',
      shop.agentKey,
      { url: store.toString(), conversation: 'conv-1', channel: 'whatsapp', agent: 'ana' },
      201,
    );
    expect(new URL(url).searchParams.get('lt_c')).toBeTruthy();

    const page = await (await suite.newVisitor()).newPage();
    await page.goto(url);
    await page.waitForFunction(() => !location.search.includes('lt_c='));
    const landed = new URL(page.url());
    expect(landed.searchParams.get('order')).toBe('l-1');
    expect(landed.hash).toBe('#top');
    await page.click('#checkout');

    const order = await orderDetail(suite.api, shop, 'l-1', (o) => o.credited !== null);
    expect(order.credited).toMatchObject({ action: 'link_landing', channel: 'whatsapp', conversation: 'conv-1' });
    const chat = await eventually(
      () => suite.api.get<ChatStatsResponse>('/v1/stats/chat?groupBy=channel', shop.readKey),
      (c) => c.rows.some((r) => r.group === 'whatsapp' && r.transactionsAfterContact === 1),
    );
    expect(chat.rows.find((r) => r.group === 'whatsapp')).toMatchObject({
      contacts: 1,
      transactionsAfterContact: 1,
      turnoverAfterContact: 40,
      conversionRate: 1,
    });
  });

  it('gives a tampered link no credit and counts it as invalid', async () => {
    const shop = await suite.newShop();
    const store = new URL(
      suite.storefront.page('widgets.html', { writeKey: shop.writeKey, api: suite.collector.origin }),
    );
    store.searchParams.set('order', 'l-2');
    const { url } = await suite.api.post<LinkResponse>(
      '/v1/links',
      shop.agentKey,
      { url: store.toString(), conversation: 'conv-2', channel: 'sms' },
      201,
    );
    const tampered = new URL(url);
    const token = tampered.searchParams.get('lt_c') ?? '';
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    tampered.searchParams.set('lt_c', `${token.slice(0, -1)}${last}`);

    const page = await (await suite.newVisitor()).newPage();
    await page.goto(tampered.toString());
    await page.waitForFunction(() => !location.search.includes('lt_c='));
    await page.click('#checkout');
    const order = await orderDetail(suite.api, shop, 'l-2');
    expect(order.credited).toBeNull();
    const chat = await eventually(
      () =>
        suite.api.get<ChatStatsResponse & { invalidLandings?: number }>('/v1/stats/chat?groupBy=channel', shop.readKey),
      (c) => c.invalidLandings === 1,
    );
    expect(chat.rows.find((r) => r.group === 'sms')).toMatchObject({ contacts: 1, transactionsAfterContact: 0 });
  });
});
