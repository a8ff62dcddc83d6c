import { useState } from 'preact/hooks';

interface Props {
  onKey: (key: string) => void;
  /** Why the key is asked again (a refused key). */
  problem: string | null;
}

/** Asks for the site's read key once; the page keeps it in this browser until forgotten. */
export function KeyForm({ onKey, problem }: Props) {
  const [key, setKey] = useState('');
  return (
    <main class="key-page" id="main">
      <h1>lasttouch dashboard</h1>
      <form
        class="key-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (key.trim()) onKey(key.trim());
        }}
      >
        {problem && (
          <p class="notice error" role="alert">
            {problem}
          </p>
        )}
        <label for="read-key" class="key-label">
          Read key of the site
        </label>
        <input
          id="read-key"
          name="readKey"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
          required
          aria-describedby="read-key-hint"
        />
        <p class="hint" id="read-key-hint">
          The secret key that starts with <code>ltr_</code>, returned when the site was created (
          <code>POST /v1/sites</code>). It is kept in this browser only (local storage), until you choose “Forget key”.
        </p>
        <button type="submit">Open the dashboard</button>
      </form>
    </main>
  );
}
