/** Where ids and queues live: localStorage, or this page's memory. */
export type Store = Record<string, string>;

/** Every key the SDK stores starts with this (the visitor cookie has the same name as its key). */
export const PREFIX = 'lt_';

/**
 * localStorage, or a plain object where it is blocked (reading `localStorage` throws): the SDK
 * then keeps everything in the page's memory for the page's lifetime.
 */
export function openStore(): Store {
  try {
    return localStorage as unknown as Store;
  } catch {
    return {};
  }
}

/** Writes `value`, or deletes the key without one. A full storage (quota) keeps the old value. */
export const put = (store: Store, key: string, value?: string | false) => {
  try {
    if (value) store[key] = value;
    else delete store[key];
  } catch {}
};

/** Deletes every key of the SDK: the visitor and session ids, every page's queue, marks. */
export const forget = (store: Store) => {
  for (const key of Object.keys(store)) if (key.startsWith(PREFIX)) put(store, key);
};
