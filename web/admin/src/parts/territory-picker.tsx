// A territory picker: the tree as nested checkboxes (no typed codes), with a filter by name for the
// region's ~60 territories, and the field's error beside it.
import { useState } from "preact/hooks";
import type { Placed } from "./territories";

type Props = {
  id: string;
  legend: string;
  options: Placed[];
  value: string[];
  onChange: (ids: string[]) => void;
  error?: string;
  hint?: string;
};

export function TerritoryPicker({ id, legend, options, value, onChange, error, hint }: Props) {
  const [filter, setFilter] = useState("");
  const needle = filter.trim().toLowerCase();
  const shown = needle ? options.filter((t) => t.name.toLowerCase().includes(needle)) : options;
  const chosen = new Set(value);
  const toggle = (tid: string, on: boolean) =>
    onChange(on ? [...value.filter((v) => v !== tid), tid] : value.filter((v) => v !== tid));
  const names = options.filter((t) => chosen.has(t.id)).map((t) => t.name);
  const describedBy = [hint && `${id}-hint`, `${id}-chosen`, error && `${id}-error`].filter(Boolean).join(" ");
  return (
    <fieldset id={id} class="field territory-field" aria-describedby={describedBy}>
      <legend>{legend}</legend>
      {hint && <p id={`${id}-hint`} class="hint">{hint}</p>}
      <label class="visually-hidden" for={`${id}-filter`}>Найти территорию по названию</label>
      <input id={`${id}-filter`} class="territory-filter" type="search" placeholder="Найти территорию…"
        value={filter} autocomplete="off" onInput={(e) => setFilter(e.currentTarget.value)} />
      <div class="territory-picker">
        {shown.map((t) => (
          <label key={t.id} class={`territory depth-${needle ? 0 : Math.min(t.depth, 3)}`}>
            <input type="checkbox" value={t.id} checked={chosen.has(t.id)}
              onChange={(e) => toggle(t.id, e.currentTarget.checked)} /> {t.name}
          </label>
        ))}
        {shown.length === 0 && <p class="muted">Ничего не найдено.</p>}
      </div>
      <p id={`${id}-chosen`} class="muted territory-chosen">
        {names.length ? `Выбрано: ${names.join(", ")}` : "Ничего не выбрано"}
      </p>
      {error && <p id={`${id}-error`} class="field-error">{error}</p>}
    </fieldset>
  );
}
