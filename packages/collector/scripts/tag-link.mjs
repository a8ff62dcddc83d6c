#!/usr/bin/env node
// Prints a tagged link for a conversation, for chat platforms' automation (see docs/links.md).
import { parseArgs, requestLink } from './tag-link-client.mjs';

const parsed = parseArgs(process.argv.slice(2), process.env);
if (!parsed.ok) {
  process.stderr.write(`${parsed.message}\n`);
  process.exit(2);
}
try {
  process.stdout.write(`${await requestLink(parsed.options)}\n`);
} catch (err) {
  process.stderr.write(`tag-link: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
