import { useState } from 'preact/hooks';
import { type Client, describeFailure, getCsv, type Query } from '../api.js';

interface Props {
  client: Client;
  path: string;
  query: Query;
  filename: string;
  /** What the file holds, for the button's accessible name ("Download widgets as CSV"). */
  what: string;
}

/** Saves a blob under a name: an object URL clicked as a download link, then revoked. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Downloads the API's own CSV of a stats route for the same query as the table shows. */
export function CsvButton({ client, path, query, filename, what }: Props) {
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const download = async () => {
    setState({ busy: true, error: null });
    try {
      saveBlob(await getCsv(client, path, query), filename);
      setState({ busy: false, error: null });
    } catch (err) {
      setState({ busy: false, error: describeFailure(err) });
    }
  };
  return (
    <span class="csv">
      <button
        type="button"
        class="secondary"
        onClick={download}
        disabled={state.busy}
        aria-label={`Download ${what} as CSV`}
      >
        {state.busy ? 'Downloading…' : 'CSV'}
      </button>
      <span role="status" class="error-text">
        {state.error}
      </span>
    </span>
  );
}
