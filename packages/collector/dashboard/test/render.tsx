import { render } from 'preact';
import { act } from 'preact/test-utils';
import { App, type Env, KEY_STORAGE } from '../src/app.js';
import { type Answer, BASE, type Call, fakeApi, memoryStorage } from './fake-api.js';
import * as fx from './fixtures.js';

/** Every route the dashboard reads, answered with the fixtures (daily and lift included). */
export const fullApi = (): Record<string, Answer | ((call: Call) => Answer)> => ({
  'GET /v1/settings': { body: fx.settings },
  'GET /v1/stats/widgets': { body: fx.widgets },
  'GET /v1/stats/campaigns': { body: fx.campaigns },
  'GET /v1/stats/sequences': { body: fx.sequences },
  'GET /v1/stats/chat': (call) => ({ body: call.query.groupBy === 'agent' ? fx.chatByAgent : fx.chat }),
  'GET /v1/stats/top-actions': { body: fx.topActions },
  'GET /v1/stats/daily': { body: fx.daily },
  'GET /v1/stats/lift': { body: fx.liftNone },
  'GET /v1/orders/demo-1001': { body: fx.order },
});

/** 2026-11-22 at noon UTC: "today" for the fixtures. */
export const NOW = Date.parse('2026-11-22T12:00:00Z');

/** Renders the page against a fake collector, with a stored key unless `key` is null. */
export async function mount(
  routes: Record<string, Answer | ((call: Call) => Answer)> = fullApi(),
  key: string | null = 'ltr_test',
) {
  const api = fakeApi(routes);
  const storage = memoryStorage(key === null ? {} : { [KEY_STORAGE]: key });
  const env: Env = { base: BASE, storage, fetch: api.fetch, now: () => NOW };
  const root = document.createElement('div');
  document.body.replaceChildren(root);
  await act(async () => {
    render(<App env={env} />, root);
  });
  await settle();
  return { root, api, storage };
}

/** Lets pending fetches and the renders they cause finish. */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });
  }
}

export async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (check()) return;
    await settle(1);
  }
  throw new Error(`never happened: ${what}\n${document.body.innerHTML.slice(0, 3000)}`);
}

export const $ = <E extends Element = HTMLElement>(selector: string, root: ParentNode = document): E => {
  const el = root.querySelector<E>(selector);
  if (!el) throw new Error(`no ${selector} in ${document.body.innerHTML.slice(0, 2000)}`);
  return el;
};

/** The text of each cell of a table's body rows. */
export const cells = (table: string): string[][] =>
  [...document.querySelectorAll(`${table} tbody tr`)].map((tr) =>
    [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''),
  );

export async function type(input: HTMLInputElement | HTMLTextAreaElement, value: string): Promise<void> {
  await act(async () => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

export async function choose(select: HTMLSelectElement | HTMLInputElement, value?: string): Promise<void> {
  await act(async () => {
    if (value !== undefined) select.value = value;
    if (select instanceof HTMLInputElement) select.checked = true;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

export async function click(el: HTMLElement): Promise<void> {
  await act(async () => {
    el.click();
  });
  await settle();
}

export async function submit(form: HTMLFormElement): Promise<void> {
  await act(async () => {
    form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
  });
  await settle();
}
