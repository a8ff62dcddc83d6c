export interface TagLinkOptions {
  api: string;
  key: string;
  body: { url: string; conversation: string; channel: string; agent?: string };
}

export function parseArgs(
  argv: string[],
  env: Record<string, string | undefined>,
): { ok: true; options: TagLinkOptions } | { ok: false; message: string };

export function requestLink(
  options: TagLinkOptions,
  fetchFn?: (url: string, init: RequestInit) => Promise<Response>,
): Promise<string>;
