// Form fields with their label, hint and error in one place: the error is shown beside the field
// it names, once, in plain Russian, and the input is marked invalid for screen readers.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { INPUT_FORMAT, ZONE_LABEL, parseInput, toInput } from "../time";

type Common = { id: string; label: string; error?: string; hint?: string; required?: boolean };

function described(id: string, hint?: string, error?: string): string | undefined {
  return [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;
}

export function FieldShell(props: Common & { children: ComponentChildren }) {
  const { id, label, error, hint, children } = props;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint && <p id={`${id}-hint`} class="hint">{hint}</p>}
      {children}
      {error && <p id={`${id}-error`} class="field-error">{error}</p>}
    </div>
  );
}

export function TextField(props: Common & {
  value: string; onInput: (v: string) => void; type?: string; maxLength?: number; autocomplete?: string;
  inputMode?: "text" | "numeric" | "tel" | "url" | "email";
}) {
  const { id, value, onInput, error, hint, required, type = "text", maxLength, autocomplete, inputMode } = props;
  return (
    <FieldShell {...props}>
      <input id={id} name={id} type={type} value={value} required={required} maxLength={maxLength}
        autocomplete={autocomplete} inputMode={inputMode} aria-invalid={error ? "true" : undefined}
        aria-describedby={described(id, hint, error)} onInput={(e) => onInput(e.currentTarget.value)} />
    </FieldShell>
  );
}

export function TextArea(props: Common & { value: string; onInput: (v: string) => void; rows?: number; maxLength?: number }) {
  const { id, value, onInput, error, hint, required, rows = 5, maxLength } = props;
  return (
    <FieldShell {...props}>
      <textarea id={id} name={id} rows={rows} value={value} required={required} maxLength={maxLength}
        aria-invalid={error ? "true" : undefined} aria-describedby={described(id, hint, error)}
        onInput={(e) => onInput(e.currentTarget.value)} />
    </FieldShell>
  );
}

export function SelectField(props: Common & { value: string; onChange: (v: string) => void; options: [string, string][] }) {
  const { id, value, onChange, error, hint, options } = props;
  return (
    <FieldShell {...props}>
      <select id={id} name={id} value={value} aria-invalid={error ? "true" : undefined}
        aria-describedby={described(id, hint, error)} onChange={(e) => onChange(e.currentTarget.value)}>
        {options.map(([v, title]) => <option key={v} value={v}>{title}</option>)}
      </select>
    </FieldShell>
  );
}

/** A date and time typed as дд.мм.гггг чч:мм in Chelyabinsk time, whatever the browser's zone.
 *  `value` and `onChange` carry UTC ISO strings ("" for empty, null while the text is not a time). */
export function DateTimeField(props: Common & { value: string; onChange: (iso: string | null) => void }) {
  const { id, value, onChange, error, required } = props;
  const [text, setText] = useState(() => toInput(value));
  const [own, setOwn] = useState<string | undefined>();
  const hint = `${INPUT_FORMAT}, ${ZONE_LABEL}`;
  const shown = own ?? error;
  return (
    <FieldShell {...props} hint={hint} error={shown}>
      <input id={id} name={id} type="text" inputMode="numeric" placeholder={INPUT_FORMAT} value={text}
        required={required} autocomplete="off" aria-invalid={shown ? "true" : undefined}
        aria-describedby={described(id, hint, shown)}
        onInput={(e) => {
          const t = e.currentTarget.value;
          setText(t);
          if (!t.trim()) { setOwn(undefined); onChange(""); return; }
          const iso = parseInput(t);
          onChange(iso);
          if (iso) setOwn(undefined);
        }}
        onBlur={() => setOwn(text.trim() && !parseInput(text) ? `Введите дату и время в виде ${INPUT_FORMAT}` : undefined)} />
    </FieldShell>
  );
}

export function Checkbox(props: { id: string; label: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean }) {
  return (
    <label class="checkbox" for={props.id}>
      <input id={props.id} type="checkbox" checked={props.checked} disabled={props.disabled}
        onChange={(e) => props.onChange(e.currentTarget.checked)} /> {props.label}
    </label>
  );
}
