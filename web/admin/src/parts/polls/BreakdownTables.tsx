// A final result broken down by territory, age or gender. Small groups are suppressed by the API
// (their count is null) and shown only as «скрыто» — saying why would tell how small they are.
// Tables never break words; a wide one scrolls inside its own box.
import { formatCount } from "@shared/numbers";
import { TableWrap } from "@shared/ui/feedback";
import type { Breakdown, Cell } from "./types";

export const HIDDEN = "скрыто";

export const cellText = (c: Cell) => (c.count === null ? HIDDEN : formatCount(c.count));

export function BreakdownTables({ breakdown }: { breakdown: Breakdown }) {
  return (
    <>
      {breakdown.questions.map((q) => (
        <TableWrap key={q.question_id} label={`Разрез ${breakdown.title}: ${q.text}`}>
          <table class="data-table breakdown">
            <caption>{q.text} — разрез {breakdown.title}</caption>
            <thead>
              <tr>
                <th scope="col">Группа</th>
                <th scope="col" class="num">Всего</th>
                {q.options.map((o) => <th key={o.id} scope="col">{o.text}</th>)}
              </tr>
            </thead>
            <tbody>
              {q.rows.length === 0 && <tr><td colSpan={q.options.length + 2}>Нет данных для разреза.</td></tr>}
              {q.rows.map((row) => (
                <tr key={row.group}>
                  <th scope="row">{row.title}</th>
                  {[row.total, ...row.cells].map((c, i) => (
                    <td key={i} class={c.count === null ? "num suppressed" : "num"}>{cellText(c)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ))}
    </>
  );
}
