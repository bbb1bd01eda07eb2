// "What changed since the last rejection": field, before, after — times in Chelyabinsk, territories
// by name. Polls and content both answer `changes_since_review` in this shape.
import { TableWrap } from "@shared/ui/feedback";
import { shownValue, type Change } from "../content/model";

export function ChangesTable({ changes, names }: { changes: Change[]; names: (ids: string[]) => string[] }) {
  if (!changes.length) return <p class="muted">Первое рассмотрение: предыдущей версии нет.</p>;
  return (
    <TableWrap label="Что изменилось после прошлого отклонения">
      <table class="data-table changes">
        <caption>Что изменилось после прошлого отклонения</caption>
        <thead><tr><th scope="col">Поле</th><th scope="col">Было</th><th scope="col">Стало</th></tr></thead>
        <tbody>
          {changes.map((c) => (
            <tr key={c.field}>
              <th scope="row">{c.title}</th>
              <td class="change-value">{shownValue(c.field, c.before, names)}</td>
              <td class="change-value">{shownValue(c.field, c.after, names)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
