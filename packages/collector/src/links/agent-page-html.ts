import { KNOWN_CHANNELS } from '@lasttouch/shared';

/**
 * The agent's link page, served at `/agent`. Plain HTML and one inline script: no framework,
 * no build step. Everything that comes from the API or the agent is written with `textContent`
 * or `value`, never as markup. The key is kept in `localStorage` of the collector's origin.
 */
export const AGENT_SCRIPT = `(() => {
  'use strict';
  const KEY = 'lasttouch.agentKey';
  const AGENT = 'lasttouch.agentName';
  const byId = (id) => document.getElementById(id);
  const form = byId('link-form');
  const key = byId('key');
  const channel = byId('channel');
  const otherChannel = byId('other-channel');
  const otherField = byId('other-channel-field');
  const agent = byId('agent');
  const error = byId('error');
  const result = byId('result');
  const tagged = byId('tagged');
  const copyStatus = byId('copy-status');
  const submit = form.querySelector('button[type=submit]');

  const read = (name) => { try { return localStorage.getItem(name) || ''; } catch { return ''; } };
  const write = (name, value) => { try { if (value) localStorage.setItem(name, value); else localStorage.removeItem(name); } catch {} };
  key.value = read(KEY);
  agent.value = read(AGENT);

  const syncChannel = () => {
    const other = channel.value === 'other';
    otherField.hidden = !other;
    otherChannel.required = other;
  };
  channel.addEventListener('change', syncChannel);
  syncChannel();

  const fail = (message) => {
    result.hidden = true;
    error.textContent = message;
    error.hidden = false;
  };

  byId('forget-key').addEventListener('click', () => {
    write(KEY, '');
    key.value = '';
    key.focus();
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    error.textContent = '';
    copyStatus.textContent = '';
    const body = {
      url: byId('url').value.trim(),
      conversation: byId('conversation').value.trim(),
      channel: channel.value === 'other' ? otherChannel.value.trim().toLowerCase() : channel.value,
    };
    const agentName = agent.value.trim();
    if (agentName) body.agent = agentName;
    const apiKey = key.value.trim();
    write(KEY, apiKey);
    write(AGENT, agentName);
    submit.disabled = true;
    try {
      const response = await fetch('/v1/links', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + apiKey },
        body: JSON.stringify(body),
      });
      const data = await response.json().catch(() => null);
      if (!response.ok) {
        const message = data && data.error && typeof data.error.message === 'string' ? data.error.message : 'HTTP ' + response.status;
        fail('Error ' + response.status + ': ' + message);
        return;
      }
      tagged.value = data.url;
      result.hidden = false;
      tagged.focus();
      tagged.select();
    } catch (err) {
      fail('Could not reach the collector: ' + (err && err.message ? err.message : String(err)));
    } finally {
      submit.disabled = false;
    }
  });

  byId('copy').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(tagged.value);
      copyStatus.textContent = 'Copied.';
    } catch {
      tagged.focus();
      tagged.select();
      copyStatus.textContent = 'Press Ctrl+C (or Cmd+C) to copy the selected link.';
    }
  });
})();`;

export const AGENT_STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #111; }
  label { display: block; font-weight: 600; margin-top: 1rem; }
  input, select, button { font: inherit; }
  input, select { width: 100%; box-sizing: border-box; padding: .4rem; }
  button { margin-top: 1rem; padding: .4rem 1rem; }
  .hint { font-weight: 400; color: #444; font-size: .9rem; }
  #error { color: #a00; border: 1px solid #a00; padding: .5rem; margin-top: 1rem; }
  #result { margin-top: 1.5rem; }
  :focus-visible { outline: 3px solid #05c; outline-offset: 2px; }
`;

const channelOptions = KNOWN_CHANNELS.map((c) => `<option value="${c}">${c}</option>`).join('');

export const AGENT_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>lasttouch: tagged link for a conversation</title>
<style>${AGENT_STYLE}</style>
</head>
<body>
<main>
<h1>Tagged link for a conversation</h1>
<p>Paste a store link and the conversation it is for. The tagged link ties shoppers who open it to the conversation.</p>
<form id="link-form">
  <label for="key">Agent key <span class="hint">(kept in this browser)</span></label>
  <input id="key" name="key" type="password" autocomplete="off" spellcheck="false" required>
  <button type="button" id="forget-key">Forget the key</button>

  <label for="url">Store link</label>
  <input id="url" name="url" type="url" inputmode="url" placeholder="https://shop.example/product" required>

  <label for="conversation">Conversation id</label>
  <input id="conversation" name="conversation" maxlength="128" autocomplete="off" required>

  <label for="channel">Channel</label>
  <select id="channel" name="channel">${channelOptions}<option value="other">other…</option></select>
  <div id="other-channel-field" hidden>
    <label for="other-channel">Other channel <span class="hint">(lowercase letters, digits, - and _)</span></label>
    <input id="other-channel" name="other-channel" maxlength="32" pattern="[a-z0-9_\\-]+" autocomplete="off">
  </div>

  <label for="agent">Agent name <span class="hint">(optional, kept in this browser)</span></label>
  <input id="agent" name="agent" maxlength="128" autocomplete="off">

  <button type="submit">Create tagged link</button>
</form>
<p id="error" role="alert" hidden></p>
<section id="result" aria-live="polite" hidden>
  <label for="tagged">Tagged link</label>
  <input id="tagged" readonly>
  <button type="button" id="copy">Copy link</button>
  <p id="copy-status" role="status"></p>
</section>
</main>
<script>${AGENT_SCRIPT}</script>
</body>
</html>`;
