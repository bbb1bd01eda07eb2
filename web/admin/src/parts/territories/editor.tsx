// Adding a territory or changing one: name, kind and district (when adding), official name, ОКТМО
// and population with its year. Field errors appear beside their fields, once.
import { SelectField, TextField } from "@shared/ui/fields";
import { NEW_KINDS, type KindInfo, type RegistryItem, type TerritoryForm } from "./model";

type Props = {
  mode: "create" | "edit"; form: TerritoryForm; setForm: (f: TerritoryForm) => void; errors: Record<string, string>;
  kinds: KindInfo[]; areas: RegistryItem[]; busy: boolean; onSave: () => void; onClose: () => void; editing?: RegistryItem;
};

export function TerritoryEditor({ mode, form, setForm, errors, kinds, areas, busy, onSave, onClose, editing }: Props) {
  const set = (key: keyof TerritoryForm) => (v: string) => setForm({ ...form, [key]: v });
  const kind = kinds.find((k) => k.kind === form.kind);
  const parents = areas.filter((a) => kind?.parent_kinds.includes(a.kind));
  const chooseKind = (v: string) => {
    const allowed = kinds.find((k) => k.kind === v)?.parent_kinds ?? [];
    const parent = areas.find((a) => a.id === form.parent_id && allowed.includes(a.kind)) ?? areas.find((a) => allowed.includes(a.kind));
    setForm({ ...form, kind: v, parent_id: parent?.id ?? "" });
  };
  const title = mode === "create" ? "Новая территория" : `Изменение: ${editing?.name ?? ""}`;
  return (
    <section class="territory-panel" aria-labelledby="territory-editor-title">
      <h2 id="territory-editor-title">{title}</h2>
      <form id="territory-form" noValidate onSubmit={(e) => { e.preventDefault(); onSave(); }}>
        <TextField id="t-name" label="Название, как его видят жители" value={form.name} onInput={set("name")} error={errors.name}
          hint="Поселение — по имени населённого пункта (например, «Аша»); сельское поселение — полностью." maxLength={120} required />
        {mode === "create" ? (
          <div class="territory-grid">
            <SelectField id="t-kind" label="Вид" value={form.kind} onChange={chooseKind} error={errors.kind}
              options={NEW_KINDS.map((k) => [k, kinds.find((i) => i.kind === k)?.title ?? k])} />
            <SelectField id="t-parent" label="Входит в" value={form.parent_id} onChange={set("parent_id")} error={errors.parent_id}
              options={parents.map((a) => [a.id, a.name])} />
          </div>
        ) : (
          <p class="muted">{editing?.kind_title}{editing?.parent_name ? `, ${editing.parent_name}` : ""}</p>
        )}
        <TextField id="t-official" label="Официальное наименование (необязательно)" value={form.official_name}
          onInput={set("official_name")} error={errors.official_name} maxLength={120} />
        <div class="territory-grid">
          <TextField id="t-oktmo" label="Код ОКТМО" value={form.oktmo} onInput={set("oktmo")} error={errors.oktmo}
            hint="8 или 11 цифр" inputMode="numeric" maxLength={11} autocomplete="off" />
          <TextField id="t-population" label="Население, чел." value={form.population} onInput={set("population")}
            error={errors.population} inputMode="numeric" maxLength={12} autocomplete="off" />
          <TextField id="t-year" label="Год численности" value={form.population_year} onInput={set("population_year")}
            error={errors.population_year} inputMode="numeric" maxLength={4} autocomplete="off" />
        </div>
        <p class="actions">
          <button type="submit" class="button" disabled={busy}>{mode === "create" ? "Добавить" : "Сохранить"}</button>
          <button type="button" class="button button-secondary" disabled={busy} onClick={onClose}>Закрыть</button>
        </p>
      </form>
    </section>
  );
}
