import { createTracker } from './tracker.js';
import type { Tracker, TrackerOptions } from './types.js';

type Call = [keyof Tracker, ...unknown[]];
interface Global {
  (...call: Call): void;
  /** Queued calls of the stub. */
  q?: ArrayLike<unknown>[];
  /** Set on the real function: a second copy of the script leaves the page alone. */
  l?: 1;
}

const w = window as unknown as { lasttouch?: Global };
const stub = w.lasttouch;

if (!stub?.l) {
  const script = (document.currentScript || document.querySelector('script[data-site]')) as HTMLScriptElement | null;
  const data = script?.dataset;
  if (data?.site && data.api) {
    // The data- attributes carry the options' names; createTracker reads their string forms.
    const tracker = createTracker(data as unknown as TrackerOptions);
    const lasttouch: Global = (name, ...args) => (tracker[name] as ((...a: unknown[]) => void) | undefined)?.(...args);
    lasttouch.l = 1;
    w.lasttouch = lasttouch;
    for (const call of stub?.q || []) {
      // A throwing call (a callback of the page's) is reported as uncaught, and the rest still run.
      try {
        lasttouch(...(call as Call));
      } catch (error) {
        reportError(error);
      }
    }
  }
}
