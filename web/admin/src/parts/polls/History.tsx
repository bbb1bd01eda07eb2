// The poll's way through the workflow: who did what and when (Chelyabinsk time), with comments.
import { Time } from "@shared/ui/feedback";
import type { HistoryEntry } from "./types";

const ACTIONS: Record<string, string> = {
  submit: "отправлен на согласование", approve: "согласован", reject: "отклонён", cancel: "отменён",
  open: "голосование открыто", close: "голосование завершено", finalise: "итоги подведены",
};

function what(h: HistoryEntry): string {
  if (h.action === "edit") return h.version ? `отредактирован (версия ${h.version})` : "отредактирован";
  return ACTIONS[h.action] ?? h.action;
}

/** `roleTitles`: the API's role titles (GET /v1/roles); the scheduler acts as «система». */
export function History({ items, roleTitles }: { items: HistoryEntry[]; roleTitles: Record<string, string> }) {
  if (!items.length) return <p class="muted">Пока ничего не происходило.</p>;
  return (
    <ol id="history" class="history">
      {items.map((h, i) => (
        <li key={i}>
          <Time value={h.at} /> · {h.actor_role === "system" ? "Планировщик" : roleTitles[h.actor_role] ?? h.actor_role}: {what(h)}
          {h.comment && <blockquote class="comment">{h.comment}</blockquote>}
        </li>
      ))}
    </ol>
  );
}
