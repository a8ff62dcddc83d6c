import { afterEach, describe, expect, it, vi } from 'vitest';
import { BASE } from '../test/fake-api.js';
import * as fx from '../test/fixtures.js';
import { $, cells, choose, click, fullApi, mount, settle, submit, type, until } from '../test/render.js';
import { KEY_STORAGE } from './app.js';

// happy-dom has no canvas: the chart library is replaced by a recorder of what it was given.
const plots = vi.hoisted(() => [] as { options: { series: { label?: string }[] }; data: number[][] }[]);
vi.mock('uplot', () => ({
  default: class {
    static tzDate = (date: Date) => date;
    constructor(options: never, data: never) {
      plots.push({ options, data });
    }
    setSize() {}
    destroy() {}
  },
}));

afterEach(() => {
  plots.length = 0;
  vi.restoreAllMocks();
});

describe('the read key', () => {
  it('is asked for once, kept in the browser, and forgotten on request', async () => {
    const { api, storage } = await mount(fullApi(), null);
    expect(api.calls).toEqual([]);
    await type($('#read-key'), ' ltr_typed ');
    await submit($('form.key-form'));
    expect(storage.items.get(KEY_STORAGE)).toBe('ltr_typed');
    await until(() => document.querySelector('#widgets-table table') !== null, 'the widget table');
    expect(api.calls.every((c) => c.headers.Authorization === 'Bearer ltr_typed')).toBe(true);
    expect(document.activeElement?.id).toBe('main');

    await click($('#forget-key'));
    expect(storage.items.has(KEY_STORAGE)).toBe(false);
    expect(document.querySelector('#read-key')).not.toBeNull();
  });

  it('is asked for again, saying why, when the collector refuses it', async () => {
    const { storage } = await mount({
      'GET /v1/settings': { status: 401, body: { error: { code: 'unauthorized', message: 'Unknown key' } } },
    });
    await until(() => document.querySelector('#read-key') !== null, 'the key form');
    expect($('[role=alert]').textContent).toMatch(/did not accept this key \(401: Unknown key\)/);
    expect(storage.items.has(KEY_STORAGE)).toBe(false);
  });
});

describe('a range of the site’s days', () => {
  it('asks for the API’s default range (the last 30 days, today included) at once, and shows the days it counted', async () => {
    const { api } = await mount();
    const widgets = api.calls.find((c) => c.path === '/v1/stats/widgets');
    expect(widgets?.query).toEqual({});
    expect($('#range-text').textContent).toBe('Oct 24, 2026 – Nov 22, 2026 (days in UTC)');
    expect($('.range legend').textContent).toBe('Range (days in Europe/Paris)');
  });

  it('does not wait for the settings to show the default range', async () => {
    const routes = fullApi();
    routes['GET /v1/settings'] = {
      status: 503,
      headers: { 'Retry-After': '5' },
      body: { error: { code: 'unavailable', message: 'Storage failed' } },
    };
    await mount(routes);
    expect(cells('#widgets-table')).toHaveLength(4);
    expect($('#settings [role=alert]').textContent).toMatch(/503: Storage failed/);
    expect($('.range legend').textContent).toBe('Range (days in UTC)');
  });

  it('starts a custom range from the days shown, and asks for nothing until it is applied', async () => {
    const { api } = await mount();
    const asked = api.calls.length;
    await choose($<HTMLInputElement>('input[name=range][value=custom]'));
    await settle();
    expect(api.calls.length).toBe(asked);
    expect($<HTMLInputElement>('input[name=from]').value).toBe('2026-10-24');
    expect($<HTMLInputElement>('input[name=to]').value).toBe('2026-11-22');
  });

  it('asks again for today, 7 days, a custom range, and verified orders only', async () => {
    const { api } = await mount();
    const asked = () => api.calls.filter((c) => c.path === '/v1/stats/widgets').at(-1)?.query;
    await choose($<HTMLInputElement>('input[name=range][value=today]'));
    await settle();
    expect(asked()).toEqual({ from: '2026-11-22', to: '2026-11-22' });
    await choose($<HTMLInputElement>('input[name=range][value="7d"]'));
    await settle();
    expect(asked()).toEqual({ from: '2026-11-16', to: '2026-11-22' });
    await choose($<HTMLInputElement>('input[name=range][value=custom]'));
    await type($('input[name=from]'), '2026-11-10');
    await type($('input[name=to]'), '2026-11-01');
    await submit($('form.custom-range'));
    expect($('.custom-range [role=alert]').textContent).toMatch(/must not be after/);
    await type($('input[name=to]'), '2026-11-12');
    await submit($('form.custom-range'));
    expect(asked()).toEqual({ from: '2026-11-10', to: '2026-11-12' });
    await choose($<HTMLInputElement>('.verified input'));
    await settle();
    expect(asked()).toEqual({ from: '2026-11-10', to: '2026-11-12', verified: 'true' });
  });
});

describe('totals and the daily chart', () => {
  it('shows what widgets and chats earned against the whole site', async () => {
    await mount();
    const total = (name: string) => [...document.querySelectorAll(`[data-total=${name}]`)].map((d) => d.textContent);
    expect(total('instances')).toEqual(['1,240']);
    expect(total('clicks')).toEqual(['60']);
    expect(total('credited')).toEqual(['8']);
    expect(total('value')).toEqual(['€299.50', '$30.00']);
    expect(total('orderShare')).toEqual(['53%']);
    expect(total('turnoverShare')).toEqual(['50% of €600.00', '100% of $30.00']);
    expect(total('dropped')).toEqual(['3']);
    expect($('[data-total=dropped]').parentElement?.textContent).toMatch(/missing from these counts/);
  });

  it('charts every day of the range from GET /v1/stats/daily, with the days as a table', async () => {
    await mount();
    expect(plots).toHaveLength(1);
    const [xs, instances, , orders, dropped, value] = plots[0]!.data;
    // The days the daily answer counted: its own `from` (Nov 16) to its `to`.
    expect(xs).toHaveLength(7);
    expect(xs?.at(-1)).toBe(Date.parse('2026-11-22T00:00:00Z') / 1000);
    expect(instances?.slice(-3)).toEqual([30, 0, 10]);
    expect(orders?.slice(-3)).toEqual([1, 0, 3]);
    expect(dropped?.slice(-3)).toEqual([3, 0, 0]);
    expect(value?.slice(-3)).toEqual([40, 0, 80]);
    expect(plots[0]!.options.series.map((s) => s.label)).toEqual([
      'Day',
      'Instances',
      'Clicks',
      'Orders',
      'Dropped events',
      'Value (EUR)',
    ]);
    expect(cells('#daily-table')).toEqual([
      ['Nov 20, 2026', '30', '4', '1', '2', '1', '€40.00', '3'],
      ['Nov 22, 2026', '10', '1', '0', '0', '2', '€80.00', '0'],
      ['Nov 22, 2026', '', '', '', '', '1', '$30.00', ''],
    ]);
  });

  it('charts no dropped line while browsers dropped nothing', async () => {
    const routes = fullApi();
    routes['GET /v1/stats/daily'] = {
      body: { ...fx.daily, rows: fx.daily.rows.map((r) => ({ ...r, droppedEvents: 0 })) },
    };
    await mount(routes);
    expect(plots[0]!.options.series.map((s) => s.label)).not.toContain('Dropped events');
    expect($('[data-total=dropped]').parentElement?.textContent).toMatch(/none: every event arrived/);
  });
});

describe('the widget table', () => {
  it('shows the API’s rows with the rates merchants read, counts on a widget’s first row only', async () => {
    await mount();
    expect(cells('#widgets-table')).toEqual([
      ['spring-sale', 'Pop-up', 'spring', 'welcome', '200', '50', '25%', '10', '20', '4', '0.08', '€160.00', '€0.8000'],
      ['spring-sale', 'Pop-up', 'spring', 'welcome', '', '', '', '', '', '1', '0.02', '$30.00', '$0.1500'],
      ['free-shipping', 'Notification', '–', '–', '1,000', '10', '1.0%', '300', '0', '2', '0.20', '€99.50', '€0.0995'],
      ['hero', 'Block', 'spring', '–', '40', '0', '0.0%', '0', '0', '0', '–', '–', '–'],
    ]);
    expect($('#widgets-table th[aria-sort]').textContent).toMatch(/^Orders/);
  });

  it('sorts by a column, both ways, with the keyboard-usable header buttons', async () => {
    await mount();
    const header = (label: string) =>
      [...document.querySelectorAll<HTMLButtonElement>('#widgets-table th button')].find((b) =>
        b.textContent?.startsWith(label),
      )!;
    await click(header('Instances'));
    expect(cells('#widgets-table').map((r) => r[0])).toEqual(['free-shipping', 'spring-sale', 'spring-sale', 'hero']);
    expect(header('Instances').parentElement?.getAttribute('aria-sort')).toBe('descending');
    await click(header('Instances'));
    expect(cells('#widgets-table').map((r) => r[0])).toEqual(['hero', 'spring-sale', 'spring-sale', 'free-shipping']);
    await click(header('Widget'));
    expect(cells('#widgets-table').map((r) => r[0])).toEqual(['free-shipping', 'hero', 'spring-sale', 'spring-sale']);
    expect(header('Widget').parentElement?.getAttribute('aria-sort')).toBe('ascending');
  });

  it('filters by kind and by campaign', async () => {
    await mount();
    const [kind, campaign] = document.querySelectorAll<HTMLSelectElement>('#widgets-table select');
    await choose(kind!, 'popup');
    expect(cells('#widgets-table').map((r) => r[0])).toEqual(['spring-sale', 'spring-sale']);
    await choose(kind!, '');
    await choose(campaign!, 'spring');
    expect(cells('#widgets-table').map((r) => r[0])).toEqual(['spring-sale', 'spring-sale', 'hero']);
    await choose(kind!, 'notification');
    expect($('#widgets-table .empty').textContent).toBe('No widget matches these filters.');
  });

  it('downloads the API’s CSV for the same range', async () => {
    const saved: { href: string; download: string }[] = [];
    vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:csv');
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ href: this.href, download: this.download });
    });
    const routes = fullApi();
    const json = routes['GET /v1/stats/widgets'];
    routes['GET /v1/stats/widgets'] = (call) =>
      call.query.format === 'csv' ? { text: 'kind,id\r\n' } : (json as { body: unknown });
    const { api } = await mount(routes);
    await click($('#widgets-table button[aria-label="Download widgets as CSV"]'));
    expect(api.calls.at(-1)).toMatchObject({
      path: '/v1/stats/widgets',
      query: { format: 'csv' },
    });
    expect(saved).toEqual([{ href: 'blob:csv', download: 'lasttouch-widgets-2026-10-24-to-2026-11-22.csv' }]);
  });
});

describe('campaigns, sequences, chats and top actions', () => {
  it('shows each table as the API answers it', async () => {
    await mount();
    expect(cells('#campaigns-table')).toEqual([
      ['spring', '180', '150', '4', '€160.00'],
      ['spring', '', '', '1', '$30.00'],
    ]);
    expect(cells('#sequences-table')).toEqual([['welcome', '120', '110', '4', '€160.00']]);
    expect(cells('#chat-table')).toEqual([
      ['whatsapp', '3', '1', '33%', '€40.00', '€40.00', '1 h', '€13.33'],
      ['sms', '2', '0', '0.0%', '–', '–', '–', '–'],
    ]);
    expect($('#invalid-landings').textContent).toMatch(/^2 visits came through a tagged link that was altered/);
    expect($('#expired-landings').textContent).toMatch(
      /^1 visit came through a genuine tagged link older than 400 days/,
    );
    expect(cells('#top-actions-table')).toEqual([
      ['Pop-up click', '–', '5'],
      ['Tagged link opened', 'whatsapp', '1'],
    ]);
  });

  it('groups chats by agent on request', async () => {
    const { api } = await mount();
    await choose($<HTMLSelectElement>('#chats select'), 'agent');
    await until(() => cells('#chat-table')[0]?.[0] === 'ana', 'the agent rows');
    expect(api.calls.at(-1)?.query).toEqual({ groupBy: 'agent' });
    expect(cells('#chat-table')[0]?.at(-1)).toBe('€20.00');
  });

  it('stores an agent’s hours, then counts turnover per hour anew', async () => {
    const routes = fullApi();
    routes['PUT /v1/agents/ana/hours'] = (call) => ({ body: { agent: 'ana', ...(call.body as object) } });
    const { api } = await mount(routes);
    expect(document.querySelector('#agent-hours-hours')).toBeNull();
    await choose($<HTMLSelectElement>('#chats select'), 'agent');
    await until(() => document.querySelector('#agent-hours-hours') !== null, 'the hours form');
    expect($<HTMLInputElement>('#agent-hours-agent').value).toBe('ana');
    // Today in the site's zone (Europe/Paris).
    expect($<HTMLInputElement>('#agent-hours-date').value).toBe('2026-11-22');
    const asked = api.calls.length;
    await type($('#agent-hours-hours'), '7.5');
    await submit($('form.agent-hours'));
    expect(api.calls[asked]).toMatchObject({
      method: 'PUT',
      path: '/v1/agents/ana/hours',
      body: { date: '2026-11-22', hours: 7.5 },
    });
    expect($('#agent-hours-saved').textContent).toBe('Saved: 7.5 h for ana on Nov 22, 2026.');
    await until(() => api.calls.slice(asked).some((c) => c.query.groupBy === 'agent'), 'the agent rows again');
  });

  it('shows the API’s message beside the hours it refused', async () => {
    const routes = fullApi();
    routes['PUT /v1/agents/ana/hours'] = { status: 400, body: fx.invalidHours };
    await mount(routes);
    await choose($<HTMLSelectElement>('#chats select'), 'agent');
    await until(() => document.querySelector('#agent-hours-hours') !== null, 'the hours form');
    await type($('#agent-hours-hours'), '25');
    await submit($('form.agent-hours'));
    const input = $<HTMLInputElement>('#agent-hours-hours');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect($(`#${input.getAttribute('aria-describedby')}`).textContent).toBe('Too big: expected number to be <=24');
    expect(document.querySelector('#agent-hours-saved')).toBeNull();
  });
});

describe('lift', () => {
  it('is hidden while no visitor is held out', async () => {
    await mount();
    expect(document.querySelector('#lift')).toBeNull();
    expect(document.querySelector('a[href="#lift"]')).toBeNull();
  });

  it('compares exposed and held-out visitors, for the site and per campaign, once some are held out', async () => {
    const routes = fullApi();
    routes['GET /v1/stats/lift'] = (call) => ({
      body: call.query.groupBy === 'site' ? fx.liftSite : call.query.groupBy === 'campaign' ? fx.lift : fx.liftNone,
    });
    const { api } = await mount(routes);
    expect(document.querySelector('a[href="#lift"]')).not.toBeNull();
    expect($('#lift-site').textContent).toMatch(/^Visitors shown widgets converted at 5.1% \(812 visitors\)/);
    expect($('#lift-site').textContent).toMatch(/lift \+60% \(\+10% to \+120%\)\.$/);
    expect(cells('#lift-table')).toEqual([
      ['spring', '812', '5.1%', '€2.25', '90', '3.3%', '€1.33', '+51.5% (-42% to +310%), not significant'],
      ['spring', '', '', '$0.04', '', '', '–', ''],
    ]);
    await choose($<HTMLSelectElement>('#lift select'), 'widget');
    await until(() => document.querySelector('#lift-table .empty') !== null, 'the widget answer');
    expect(api.calls.at(-1)?.query).toEqual({ groupBy: 'widget' });
  });
});

describe('errors in words, never a blank page', () => {
  it('says the collector is rate limiting, and for how long', async () => {
    const routes = fullApi();
    routes['GET /v1/stats/widgets'] = {
      status: 429,
      headers: { 'Retry-After': '30' },
      body: { error: { code: 'rate_limited', message: 'Too many requests' } },
    };
    await mount(routes);
    const alert = $('#overview [role=alert]');
    expect(alert.textContent).toMatch(/Too many requests: the collector asks to wait 30 s/);
    expect(alert.textContent).toMatch(/trying again by itself in 30 s/);
  });

  it('says the collector is down, and tries again on request', async () => {
    let down = true;
    const routes = fullApi();
    routes['GET /v1/settings'] = () => (down ? new TypeError('Failed to fetch') : { body: fx.settings });
    await mount(routes);
    expect($('[role=alert]').textContent).toMatch(/could not be reached/);
    down = false;
    await click($<HTMLButtonElement>('[role=alert] button'));
    await until(() => document.querySelector('#widgets-table table') !== null, 'the dashboard');
  });

  it('shows what to paste when nothing was counted yet', async () => {
    const empty = { ...fx.widgets, rows: [] };
    await mount({
      ...fullApi(),
      'GET /v1/stats/widgets': { body: empty },
      'GET /v1/stats/campaigns': { body: empty },
      'GET /v1/stats/sequences': { body: empty },
      'GET /v1/stats/top-actions': { body: empty },
      'GET /v1/stats/daily': { body: empty },
      'GET /v1/stats/chat': { body: { ...fx.chat, rows: [], totals: [], invalidLandings: 0 } },
    });
    const tag = $('#empty-state pre').textContent;
    expect(tag).toContain(
      `<script async src="${BASE}lasttouch.js" data-site="YOUR_WRITE_KEY" data-api="${BASE.slice(0, -1)}">`,
    );
    expect(tag).toContain('window.lasttouch=window.lasttouch||function()');
  });
});

describe('order lookup', () => {
  it('explains what earned an order and why the others lost', async () => {
    await mount();
    await type($('#order-id'), 'demo-1001');
    await submit($('#orders form'));
    await until(() => document.querySelector('#order-detail') !== null, 'the order');
    expect($('[data-field=verified]').textContent).toMatch(/^No: reported by the browser only/);
    expect($('[data-field=credited]').textContent).toMatch(
      /^Tagged link opened from whatsapp, conversation conversation-1, Nov 22, 2026/,
    );
    // In the site's zone (Europe/Paris): 09:58 UTC is 10:58 there.
    expect($('[data-field=credited]').textContent).toMatch(/10:58:00/);
    expect($('[data-field=candidate]').textContent).toMatch(
      /^Pop-up click on “spring-sale” \(campaign spring, sequence welcome\), .*: lost, earlier than the credited interaction\.$/,
    );
  });

  it('says when there is no such order', async () => {
    await mount();
    await type($('#order-id'), 'nope');
    await submit($('#orders form'));
    await until(() => document.querySelector('#order-missing') !== null, 'the missing order');
    expect($('#order-missing').textContent).toMatch(/no order “nope”/);
  });
});

describe('settings', () => {
  it('shows the API’s message beside the field it names and keeps the form as typed', async () => {
    const routes = fullApi();
    routes['PUT /v1/settings'] = { status: 400, body: fx.invalidWindow };
    const { api } = await mount(routes);
    await type($('#settings-window-default'), '0');
    await submit($('form.settings'));
    expect(api.calls.at(-1)).toMatchObject({
      method: 'PUT',
      body: { attributionWindows: { default: 0, kinds: { popup: 86_400 }, channels: { sms: 86_400 }, campaigns: {} } },
    });
    const input = $<HTMLInputElement>('#settings-window-default');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect($(`#${input.getAttribute('aria-describedby')}`).textContent).toBe('Too small: expected number to be >=1');
    expect($('#settings-refused').textContent).toMatch(/^Not saved, nothing was changed: attributionWindows.default/);
    expect(input.value).toBe('0');
  });

  it('saves only what changed, then counts the range anew', async () => {
    const routes = fullApi();
    routes['PUT /v1/settings'] = (call) => ({ body: { ...fx.settings, ...(call.body as object) } });
    const { api } = await mount(routes);
    const before = api.calls.filter((c) => c.path === '/v1/stats/widgets').length;
    await type($('#settings-timezone'), 'America/New_York');
    await choose($<HTMLInputElement>('input[name=creditPolicy][value=first]'));
    await submit($('form.settings'));
    expect(api.calls.find((c) => c.method === 'PUT')?.body).toEqual({
      creditPolicy: 'first',
      timezone: 'America/New_York',
    });
    expect($('#settings-saved').textContent).toMatch(/^Saved/);
    await until(() => api.calls.filter((c) => c.path === '/v1/stats/widgets').length > before, 'a reload');
    expect($('.range legend').textContent).toBe('Range (days in America/New_York)');
  });

  it('says when there is nothing to save', async () => {
    const { api } = await mount();
    await submit($('form.settings'));
    expect($('#settings-unchanged').textContent).toMatch(/Nothing changed/);
    expect(api.calls.some((c) => c.method === 'PUT')).toBe(false);
  });
});
