import type { AgentHoursRequest } from '@lasttouch/shared';
import { useState } from 'preact/hooks';
import { ApiFailure, type Client, putJson } from '../api.js';
import { day } from '../format.js';
import { described, type Errors, FieldError } from './field-error.js';
import { ErrorNotice } from './notice.js';

interface Props {
  client: Client;
  /** The agents named by the links of the range, offered as suggestions. */
  agents: string[];
  /** Today in the site's time zone: the day the hours are for unless another is picked. */
  today: string;
  /** The hours were stored: turnover per hour is counted anew. */
  onSaved: () => void;
}

/** Which input an issue of `PUT /v1/agents/:agent/hours` is about. */
const fieldOf = (path: string): string =>
  path === 'date' ? 'agent-hours-date' : path === 'hours' ? 'agent-hours-hours' : 'agent-hours-form';

/**
 * An agent's production hours on a day (`PUT /v1/agents/:agent/hours`), what turnover per hour
 * is counted from. The API judges the values; its messages are shown beside the fields.
 */
export function AgentHoursForm({ client, agents, today, onSaved }: Props) {
  const [agent, setAgent] = useState(agents[0] ?? '');
  const [date, setDate] = useState(today);
  const [hours, setHours] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [saved, setSaved] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setSaved(null);
    setFailure(null);
    const name = agent.trim();
    if (name === '') {
      setErrors({ 'agent-hours-agent': 'Enter the agent as the links name them.' });
      return;
    }
    setBusy(true);
    try {
      // An empty or unreadable amount goes as null: the API's message says what it takes.
      const body = { date, hours: hours.trim() === '' ? null : Number(hours) } as AgentHoursRequest;
      const stored = await putJson<AgentHoursRequest>(client, `/v1/agents/${encodeURIComponent(name)}/hours`, body);
      setErrors({});
      setSaved(`Saved: ${stored.hours} h for ${name} on ${day(stored.date)}.`);
      onSaved();
    } catch (err) {
      if (err instanceof ApiFailure && err.kind === 'invalid') {
        const next: Errors = {};
        for (const issue of err.issues.length > 0 ? err.issues : [{ path: '', message: err.message }]) {
          const field = fieldOf(issue.path);
          next[field] = next[field] ? `${next[field]}; ${issue.message}` : issue.message;
        }
        setErrors(next);
      } else {
        setErrors({});
        setFailure(err);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="agent-hours" onSubmit={submit} noValidate aria-labelledby="agent-hours-title">
      <h3 id="agent-hours-title">Production hours</h3>
      <p class="hint">Turnover per hour divides what an agent's links earned by the hours entered for those days.</p>
      <div class="inline-fields">
        <div class="field">
          <label for="agent-hours-agent">Agent</label>
          <input
            id="agent-hours-agent"
            list="agent-hours-agents"
            value={agent}
            autocomplete="off"
            spellcheck={false}
            onInput={(e) => setAgent(e.currentTarget.value)}
            {...described('agent-hours-agent', errors)}
          />
          <datalist id="agent-hours-agents">
            {agents.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
          <FieldError id="agent-hours-agent" errors={errors} />
        </div>
        <div class="field">
          <label for="agent-hours-date">Day</label>
          <input
            id="agent-hours-date"
            type="date"
            value={date}
            onInput={(e) => setDate(e.currentTarget.value)}
            {...described('agent-hours-date', errors)}
          />
          <FieldError id="agent-hours-date" errors={errors} />
        </div>
        <div class="field">
          <label for="agent-hours-hours">Hours</label>
          <input
            id="agent-hours-hours"
            type="number"
            inputMode="decimal"
            step="0.25"
            min="0"
            max="24"
            value={hours}
            onInput={(e) => setHours(e.currentTarget.value)}
            {...described('agent-hours-hours', errors)}
          />
          <FieldError id="agent-hours-hours" errors={errors} />
        </div>
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save hours'}
        </button>
      </div>
      <div aria-live="polite">
        {saved && (
          <p class="notice" id="agent-hours-saved">
            {saved}
          </p>
        )}
        {errors['agent-hours-form'] && (
          <p class="notice error" id="agent-hours-form-error">
            Not saved: {errors['agent-hours-form']}
          </p>
        )}
      </div>
      {failure !== null && <ErrorNotice error={failure} />}
    </form>
  );
}
