// The assignments list: fits a phone (the table scrolls inside its box; no word is broken).
import { shortId } from "@shared/numbers";
import { TableWrap, Time } from "@shared/ui/feedback";
import { canConfirm, type Assignment } from "./model";

type Props = { items: Assignment[]; me: string; busy: boolean; onEdit: (subject: string) => void; onConfirm: (subject: string) => void };

export function StaffTable({ items, me, busy, onEdit, onConfirm }: Props) {
  if (!items.length) return <p class="muted">Назначений пока нет: у всех действуют роли из токена входа.</p>;
  return (
    <TableWrap label="Назначения сотрудников">
      <table class="data-table" id="staff-table">
        <caption>Сотрудники с назначенными ролями</caption>
        <thead><tr><th scope="col">Сотрудник</th><th scope="col">Роли</th><th scope="col">Зона ответственности</th>
          <th scope="col">Изменено</th><th scope="col">Действия</th></tr></thead>
        <tbody id="staff-rows">
          {items.map((a) => {
            const confirm = canConfirm(a, me);
            const name = a.display_name || a.pending?.display_name || "Без имени";
            return (
              <tr key={a.subject}>
                <td>{name}<br /><span class="muted nowrap" title={a.subject}>{shortId(a.subject, 10)}</span></td>
                <td>
                  {a.role_titles.length ? a.role_titles.join(", ") : "Роли из токена входа"}
                  {a.partner && <><br /><span class="muted">Партнёр: {a.partner}</span></>}
                  {a.pending && <><br /><span class="staff-pending">Ждёт подтверждения: {a.pending.role_titles.join(", ")}</span></>}
                </td>
                <td>{a.scope_territories.length ? a.scope_territories.map((t) => t.name).join(", ") : "—"}</td>
                <td><Time value={a.updated_at} /></td>
                <td>
                  <button type="button" class="button button-secondary button-small" disabled={busy}
                    aria-label={`Изменить: ${name}`} onClick={() => onEdit(a.subject)}>Изменить</button>
                  {a.pending && confirm.ok && (
                    <button type="button" class="button button-small" disabled={busy} aria-label={`Подтвердить назначение: ${name}`}
                      onClick={() => onConfirm(a.subject)}>Подтвердить</button>
                  )}
                  {a.pending && !confirm.ok && <p class="disabled-reason">{confirm.reason}</p>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableWrap>
  );
}
