import { createTracker } from './tracker.js';
import type { Tracker, TrackerOptions } from './types.js';

type Call = [keyof Tracker, ...unknown[]];
interface Global {
  (...call: Call): void;
  /** Calls waiting for the tracker: the stub's, then this function's own until the tracker starts. */
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
    let tracker: Tracker | undefined;
    const run = ([name, ...args]: Call) => (tracker![name] as ((...a: unknown[]) => void) | undefined)?.(...args);
    const lasttouch: Global = (...call) => (tracker ? run(call) : lasttouch.q!.push(call));
    lasttouch.q = stub?.q || [];
    lasttouch.l = 1;
    w.lasttouch = lasttouch;
    const start = () => {
      // The data- attributes carry the options' names; createTracker reads their string forms.
      tracker = createTracker(data as unknown as TrackerOptions);
      for (const call of lasttouch.q!) {
        // A throwing call (a callback of the page's) is reported as uncaught, and the rest still run.
        try {
          run(call as Call);
        } catch (error) {
          reportError(error);
        }
      }
      delete lasttouch.q;
    };
    // The tracker starts in a task of its own, so the tag's evaluation blocks the page for as
    // little as possible (reading storage and cookies, observing widgets come after it); calls
    // meanwhile wait in `q`. A holdout hides widgets from the held-out before they can paint, so
    // it starts at once.
    +data.holdout! > 0 ? start() : setTimeout(start);
  }
}
