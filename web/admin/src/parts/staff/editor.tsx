// One staff member's assignment: name, roles (titles from /v1/roles), area of responsibility picked
// from the territory tree, the cashier's partner; grants of approver or admin wait for a second administrator.
import { Checkbox, TextField } from "@shared/ui/fields";
import { TerritoryPicker } from "../territory-picker";
import type { Placed } from "../territories";
import { canConfirm, type Assignment, type RoleInfo, type StaffForm } from "./model";

type Props = {
  assignment: Assignment; form: StaffForm; setForm: (f: StaffForm) => void; roles: RoleInfo[]; territories: Placed[];
  partners: string[]; errors: Record<string, string>; me: string; busy: boolean;
  onSave: () => void; onConfirm: () => void; onClose: () => void;
};

export function StaffEditor(p: Props) {
  const { assignment: a, form, setForm, roles, errors } = p;
  const confirm = canConfirm(a, p.me);
  const toggle = (role: string, on: boolean) =>
    setForm({ ...form, roles: on ? [...form.roles.filter((r) => r !== role), role] : form.roles.filter((r) => r !== role) });
  return (
    <form id="staff-form" class="card" noValidate onSubmit={(e) => { e.preventDefault(); p.onSave(); }}>
      <h2 id="staff-form-title">Назначение: {a.display_name || a.subject}</h2>
      <p id="staff-current" class="muted">{a.detail ?? "Назначение сохранено."}</p>
      {a.pending && (
        <div id="staff-pending" class="notice notice-info">
          <p>Ждёт подтверждения: {a.pending.role_titles.join(", ")}.</p>
          {confirm.ok
            ? <button id="staff-confirm" type="button" class="button button-secondary" disabled={p.busy} onClick={p.onConfirm}>Подтвердить назначение (второй администратор)</button>
            : <p class="disabled-reason">{confirm.reason}</p>}
        </div>
      )}
      <TextField id="s-name" label="Имя для журнала" value={form.display_name} onInput={(v) => setForm({ ...form, display_name: v })}
        error={errors.display_name} maxLength={200} />
      <fieldset class="field" aria-describedby={errors.roles ? "s-roles-error" : undefined}>
        <legend>Роли</legend>
        {roles.map((r) => (
          <Checkbox key={r.role} id={`s-role-${r.role}`} checked={form.roles.includes(r.role)} onChange={(on) => toggle(r.role, on)}
            label={r.grant_confirmed ? `${r.title} (вступает в силу после подтверждения вторым администратором)` : r.title} />
        ))}
        {errors.roles && <p id="s-roles-error" class="field-error">{errors.roles}</p>}
      </fieldset>
      <TerritoryPicker id="s-scope" legend="Зона ответственности" options={p.territories} value={form.scope_territory_ids}
        onChange={(ids) => setForm({ ...form, scope_territory_ids: ids })} error={errors.scope_territory_ids}
        hint="Модератору нужна хотя бы одна территория; согласующему, администратору и аналитику — не нужна (вся область)." />
      {form.roles.includes("partner") && (
        <div class="field">
          <label for="s-partner">Партнёр кассира (как в каталоге поощрений)</label>
          <input id="s-partner" list="s-partner-list" value={form.partner} maxLength={200} autocomplete="off"
            aria-invalid={errors.partner ? "true" : undefined} aria-describedby={errors.partner ? "s-partner-error" : undefined}
            onInput={(e) => setForm({ ...form, partner: e.currentTarget.value })} />
          <datalist id="s-partner-list">{p.partners.map((n) => <option key={n} value={n} />)}</datalist>
          {errors.partner && <p id="s-partner-error" class="field-error">{errors.partner}</p>}
        </div>
      )}
      <p class="actions">
        <button type="submit" class="button" disabled={p.busy}>Сохранить назначение</button>
        <button type="button" class="button button-secondary" onClick={p.onClose}>Закрыть</button>
      </p>
    </form>
  );
}
