import type { CreditPolicy, WidgetKind } from '@lasttouch/shared';
import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { ApiFailure, type Client, putJson } from '../api.js';
import {
  changedFields,
  type SettingsForm as Form,
  issuesByField,
  KIND_LABELS,
  KINDS,
  type NamedWindow,
  type SiteSettings,
  toForm,
  UNITS,
  type Unit,
  type WindowInput,
} from '../settings-model.js';
import { described, type Errors, FieldError } from './field-error.js';
import { ErrorNotice } from './notice.js';

interface WindowFieldProps {
  id: string;
  label: ComponentChildren;
  value: WindowInput;
  onChange: (value: WindowInput) => void;
  errors: Errors;
  placeholder?: string;
}

function WindowField({ id, label, value, onChange, errors, placeholder }: WindowFieldProps) {
  return (
    <div class="field window">
      <label for={id}>{label}</label>
      <span class="window-inputs">
        <input
          id={id}
          type="number"
          inputMode="decimal"
          step="any"
          value={value.amount}
          placeholder={placeholder}
          onInput={(e) => onChange({ ...value, amount: e.currentTarget.value })}
          {...described(id, errors)}
        />
        <select
          aria-label="Unit"
          value={value.unit}
          onChange={(e) => onChange({ ...value, unit: e.currentTarget.value as Unit })}
        >
          {(Object.keys(UNITS) as Unit[]).map((unit) => (
            <option key={unit} value={unit}>
              {unit}
            </option>
          ))}
        </select>
      </span>
      <FieldError id={id} errors={errors} />
    </div>
  );
}

interface NamedListProps {
  section: 'channels' | 'campaigns';
  rows: NamedWindow[];
  onChange: (rows: NamedWindow[]) => void;
  errors: Errors;
}

/** Windows per channel or per campaign: a name and a window each, added and removed freely. */
function NamedWindows({ section, rows, onChange, errors }: NamedListProps) {
  const noun = section === 'channels' ? 'channel' : 'campaign';
  const set = (i: number, row: NamedWindow) => onChange(rows.map((r, j) => (j === i ? row : r)));
  return (
    <fieldset class="named-windows" id={`settings-${section}`}>
      <legend>Windows per {noun}</legend>
      <FieldError id={`settings-${section}`} errors={errors} />
      {rows.length === 0 && <p class="muted">None: every {noun} uses the window of its interaction.</p>}
      {rows.map((row, i) => {
        const id = `settings-${section}-${i}`;
        return (
          <div class="named-row" key={i}>
            <div class="field">
              <label for={`${id}-name`}>{noun[0]?.toUpperCase() + noun.slice(1)}</label>
              <input
                id={`${id}-name`}
                value={row.name}
                placeholder={section === 'channels' ? 'sms' : 'spring'}
                onInput={(e) => set(i, { ...row, name: e.currentTarget.value })}
              />
            </div>
            <WindowField
              id={id}
              label={`Window for ${row.name || `this ${noun}`}`}
              value={row}
              onChange={(value) => set(i, { ...row, ...value })}
              errors={errors}
            />
            <button
              type="button"
              class="secondary"
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
              aria-label={`Remove the window of ${row.name || `this ${noun}`}`}
            >
              Remove
            </button>
          </div>
        );
      })}
      <button
        type="button"
        class="secondary"
        onClick={() => onChange([...rows, { name: '', amount: '', unit: 'days' }])}
      >
        Add a {noun} window
      </button>
    </fieldset>
  );
}

/** The zones the browser knows, for the time zone field's suggestions. */
function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
}

interface Props {
  client: Client;
  saved: SiteSettings;
  onSaved: (settings: SiteSettings) => void;
}

/**
 * The site's settings. Only the fields changed are sent; the API validates them, and its
 * messages are shown beside the fields they name.
 */
export function SettingsFormView({ client, saved, onSaved }: Props) {
  const initial = useMemo(() => toForm(saved), [saved]);
  const [form, setForm] = useState<Form>(initial);
  const [errors, setErrors] = useState<Errors>({});
  const [outcome, setOutcome] = useState<{ kind: 'saved' | 'unchanged' | 'refused'; text: string } | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // Four hundred suggestions are only built once the field is used.
  const [zones, setZones] = useState<string[] | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    const change = changedFields(saved, form);
    setFailure(null);
    if (Object.keys(change).length === 0) {
      setErrors({});
      setOutcome({ kind: 'unchanged', text: 'Nothing changed: there is nothing to save.' });
      return;
    }
    setBusy(true);
    try {
      const next = await putJson<SiteSettings>(client, '/v1/settings', change);
      setErrors({});
      setForm(toForm(next));
      setOutcome({ kind: 'saved', text: 'Saved. Every stat reflects the change within a minute.' });
      onSaved(next);
    } catch (err) {
      if (err instanceof ApiFailure && err.kind === 'invalid') {
        setErrors(issuesByField(err.issues, form));
        setOutcome({ kind: 'refused', text: `Not saved, nothing was changed: ${err.message}` });
      } else {
        setOutcome(null);
        setFailure(err);
      }
    } finally {
      setBusy(false);
    }
  };

  const kind = (k: WidgetKind, value: WindowInput) => setForm({ ...form, kinds: { ...form.kinds, [k]: value } });

  return (
    <form class="settings" onSubmit={submit} noValidate aria-describedby="settings-outcome">
      <div id="settings-outcome" aria-live="polite">
        {outcome && (
          <p class={outcome.kind === 'refused' ? 'notice error' : 'notice'} id={`settings-${outcome.kind}`}>
            {outcome.text}
          </p>
        )}
        <FieldError id="form" errors={errors} />
      </div>
      {failure !== null && <ErrorNotice error={failure} />}

      <div class="field">
        <label for="settings-origins">Allowed origins (one per line)</label>
        <textarea
          id="settings-origins"
          rows={3}
          value={form.origins}
          spellcheck={false}
          onInput={(e) => setForm({ ...form, origins: e.currentTarget.value })}
          {...described('settings-origins', errors)}
        />
        <p class="hint">
          The store's origins, such as https://shop.example.{' '}
          {saved.acceptsAnyOrigin ? 'None set: events are accepted from any origin.' : ''}
        </p>
        <FieldError id="settings-origins" errors={errors} />
      </div>

      <fieldset>
        <legend>Attribution windows</legend>
        <p class="hint">How long after an interaction an order can still be credited to it (1 second to 365 days).</p>
        <WindowField
          id="settings-window-default"
          label="Default window"
          value={form.defaultWindow}
          onChange={(defaultWindow) => setForm({ ...form, defaultWindow })}
          errors={errors}
        />
        <div id="settings-kinds">
          <FieldError id="settings-kinds" errors={errors} />
          {KINDS.map((k) => (
            <WindowField
              key={k}
              id={`settings-kind-${k}`}
              label={`${KIND_LABELS[k]} window`}
              value={form.kinds[k]}
              placeholder="default"
              onChange={(value) => kind(k, value)}
              errors={errors}
            />
          ))}
        </div>
      </fieldset>

      <NamedWindows
        section="channels"
        rows={form.channels}
        onChange={(channels) => setForm({ ...form, channels })}
        errors={errors}
      />
      <NamedWindows
        section="campaigns"
        rows={form.campaigns}
        onChange={(campaigns) => setForm({ ...form, campaigns })}
        errors={errors}
      />

      <fieldset id="settings-policy" {...described('settings-policy', errors)}>
        <legend>Credit policy</legend>
        {(
          [
            ['every', 'Every order goes to the last interaction before it'],
            ['first', 'An interaction earns at most the first order placed after it'],
          ] as [CreditPolicy, string][]
        ).map(([policy, text]) => (
          <label key={policy} class="choice">
            <input
              type="radio"
              name="creditPolicy"
              value={policy}
              checked={form.creditPolicy === policy}
              onChange={() => setForm({ ...form, creditPolicy: policy })}
            />
            {text}
          </label>
        ))}
        <FieldError id="settings-policy" errors={errors} />
      </fieldset>

      <div class="field">
        <label for="settings-timezone">Time zone of the site's days</label>
        <input
          id="settings-timezone"
          list="settings-timezones"
          value={form.timezone}
          autocomplete="off"
          spellcheck={false}
          onInput={(e) => setForm({ ...form, timezone: e.currentTarget.value })}
          onFocus={() => setZones((z) => z ?? timeZones())}
          {...described('settings-timezone', errors)}
        />
        <datalist id="settings-timezones">
          {zones?.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
        <p class="hint">An IANA name such as Europe/Paris. Changing it re-counts every day.</p>
        <FieldError id="settings-timezone" errors={errors} />
      </div>

      <p class="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save settings'}
        </button>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            setForm(initial);
            setErrors({});
            setOutcome(null);
          }}
        >
          Undo changes
        </button>
      </p>
    </form>
  );
}
