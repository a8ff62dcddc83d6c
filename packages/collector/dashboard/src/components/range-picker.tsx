import { useState } from 'preact/hooks';
import { type DateRange, PRESET_LABELS, type Preset, rangeProblem } from '../range.js';

interface Props {
  /** The option picked; "custom" shows the dates and changes nothing until they are applied. */
  preset: Preset;
  /** The dates the custom form starts from. */
  custom: DateRange | null;
  verified: boolean;
  /** The zone the dates are read in. */
  timeZone: string;
  onPreset: (preset: Preset) => void;
  onCustom: (range: DateRange) => void;
  onVerified: (verified: boolean) => void;
}

/** The custom range's two dates, applied together (one request per range, not per keystroke). */
function CustomRange({ initial, onApply }: { initial: DateRange | null; onApply: (range: DateRange) => void }) {
  const [draft, setDraft] = useState(initial ?? { from: '', to: '' });
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <form
      class="custom-range"
      onSubmit={(e) => {
        e.preventDefault();
        const why = rangeProblem(draft);
        setProblem(why);
        if (!why) onApply(draft);
      }}
    >
      <label>
        From
        <input
          type="date"
          name="from"
          value={draft.from}
          onInput={(e) => setDraft({ ...draft, from: e.currentTarget.value })}
          required
        />
      </label>
      <label>
        To (included)
        <input
          type="date"
          name="to"
          value={draft.to}
          onInput={(e) => setDraft({ ...draft, to: e.currentTarget.value })}
          required
        />
      </label>
      <button type="submit">Show</button>
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}

/** Presets and a custom range of the site's days, and the verified-orders switch. */
export function RangePicker({ preset, custom, verified, timeZone, onPreset, onCustom, onVerified }: Props) {
  return (
    <div class="range">
      <fieldset class="presets">
        <legend>Range (days in {timeZone})</legend>
        {(Object.keys(PRESET_LABELS) as Preset[]).map((option) => (
          <label key={option} class="choice">
            <input
              type="radio"
              name="range"
              value={option}
              checked={preset === option}
              onChange={() => onPreset(option)}
            />
            {PRESET_LABELS[option]}
          </label>
        ))}
      </fieldset>
      {preset === 'custom' && <CustomRange initial={custom} onApply={onCustom} />}
      <label class="choice verified">
        <input type="checkbox" checked={verified} onChange={(e) => onVerified(e.currentTarget.checked)} />
        Only orders confirmed by the store's server
      </label>
    </div>
  );
}
