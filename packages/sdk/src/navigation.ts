/** Calls `onChange` after every History API navigation (SPA route changes). */
export function onNavigation(onChange: () => void) {
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      original.apply(this, args);
      onChange();
    };
  }
  addEventListener('popstate', onChange);
}
