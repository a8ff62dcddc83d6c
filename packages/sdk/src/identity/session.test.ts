import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reset } from '../../test/dom.js';
import { openStore } from '../store.js';
import { createSession } from './session.js';

beforeEach(() => reset());
afterEach(() => reset());

describe('session id', () => {
  it('rotates after the timeout without activity, and activity keeps it', () => {
    const [at] = createSession(openStore(), 1000);
    const first = at(10_000);
    expect(at(10_999)).toBe(first);
    expect(at(11_900)).toBe(first);
    expect(at(12_900)).not.toBe(first);
  });

  it('writes nothing per event: another tab sees it once saved, and shares it', () => {
    const [at, save] = createSession(openStore(), 1000);
    const id = at(10_000);
    at(10_500);
    expect(localStorage.lt_s).toBeUndefined();
    save();
    expect(localStorage.lt_s).toBe(`${id}.10500`);
    // Another tab: its own memory has nothing, the stored activity is recent.
    expect(createSession(openStore(), 1000)[0](11_000)).toBe(id);
    expect(createSession(openStore(), 1000)[0](11_501)).not.toBe(id);
  });

  it("continues another tab's session after this tab was idle past the timeout", () => {
    const [at] = createSession(openStore(), 1000);
    const mine = at(0);
    const [other, saveOther] = createSession(openStore(), 1000);
    other(5_000);
    saveOther();
    const theirs = other(5_100);
    saveOther();
    expect(at(5_500)).toBe(theirs);
    expect(theirs).not.toBe(mine);
  });

  it('defaults are the caller’s; end() forgets it', () => {
    const [at, save, end] = createSession(openStore(), 1_800_000);
    const first = at(0);
    expect(at(29 * 60_000)).toBe(first);
    end();
    save();
    expect(localStorage.lt_s).toBeUndefined();
    expect(at(29 * 60_000 + 1)).not.toBe(first);
  });
});
