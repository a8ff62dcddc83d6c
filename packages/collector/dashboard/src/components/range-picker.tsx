import { useState } from 'preact/hooks';
import { type DateRange, PRESET_LABELS, type Preset, rangeProblem } from '../range.js';

export interface RangeChoice {
  preset: Preset;
  /** The custom range (kept while another preset is shown, so switching back restores it). */
  custom: DateRange | null;
  verified: boolean;
}

interface Props {
  choice: RangeChoice;
  onChange: (choice: RangeChoice) => void;
  /** The zone the dates are read in. */
  timeZone: string;
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
export function RangePicker({ choice, onChange, timeZone }: Props) {
  return (
    <div class="range">
      <fieldset class="presets">
        <legend>Range (days in {timeZone})</legend>
        {(Object.keys(PRESET_LABELS) as Preset[]).map((preset) => (
          <label key={preset} class="choice">
            <input
              type="radio"
              name="range"
              value={preset}
              checked={choice.preset === preset}
              onChange={() => onChange({ ...choice, preset })}
            />
            {PRESET_LABELS[preset]}
          </label>
        ))}
      </fieldset>
      {choice.preset === 'custom' && (
        <CustomRange initial={choice.custom} onApply={(custom) => onChange({ ...choice, custom })} />
      )}
      <label class="choice verified">
        <input
          type="checkbox"
          checked={choice.verified}
          onChange={(e) => onChange({ ...choice, verified: e.currentTarget.checked })}
        />
        Only orders confirmed by the store's server
      </label>
    </div>
  );
}
