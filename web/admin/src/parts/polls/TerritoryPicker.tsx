// Territories picked from the region's tree (GET /v1/territories), never typed as codes: the ones
// the person may target, each under its parent; the error of the whole choice is shown below it.
import type { Placed } from "../territories";

export function TerritoryPicker(props: {
  id: string; legend: string; items: Placed[]; value: string[]; onChange: (ids: string[]) => void;
  error?: string; disabled?: boolean;
}) {
  const { id, legend, items, value, onChange, error, disabled } = props;
  const chosen = new Set(value);
  const toggle = (tid: string, on: boolean) => onChange(on ? [...value, tid] : value.filter((v) => v !== tid));
  if (disabled) {
    // Read-only: the territories chosen, not the whole tree to scroll through.
    return (
      <div class="field" id={id}>
        <p class="field-label">{legend}</p>
        <ul class="plain-list">{items.filter((t) => chosen.has(t.id)).map((t) => <li key={t.id}>{t.name}</li>)}</ul>
      </div>
    );
  }
  return (
    <fieldset class="field" id={id} aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      <div class="territory-picker" tabIndex={0} role="group" aria-label="Список территорий">
        {items.length === 0 && <p class="muted">Нет территорий, доступных для выбора.</p>}
        {items.map((t) => (
          <label key={t.id} class={`territory depth-${Math.min(t.depth, 3)}`} for={`${id}-${t.id}`}>
            <input id={`${id}-${t.id}`} type="checkbox" value={t.id} checked={chosen.has(t.id)}
              aria-invalid={error ? "true" : undefined} onChange={(e) => toggle(t.id, e.currentTarget.checked)} />
            {" "}{t.official_name && t.official_name !== t.name ? `${t.name} (${t.official_name})` : t.name}
          </label>
        ))}
      </div>
      {error && <p id={`${id}-error`} class="field-error">{error}</p>}
    </fieldset>
  );
}
