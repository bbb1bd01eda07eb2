// An audit-log entry as a sentence people read: who (name and role title from the API), what, to
// which object, when (Chelyabinsk time is rendered by the page), and the comment.
import { shortId } from "@shared/numbers";
import { parseInput } from "@shared/time";

export type AuditEntry = {
  seq: number; at: string; actor: string; actor_role: string; actor_role_title?: string; actor_name?: string | null;
  action: string; action_title: string; target_type: string; target_id: string; comment?: string | null;
  before?: unknown; after?: unknown; hash: string; prev_hash?: string;
};

const OBJECTS: Record<string, string> = {
  poll: "опрос", content: "материал ленты", media: "файл", staff: "назначение сотрудника",
  shop_item: "поощрение каталога", shop_order: "заказ поощрения", account: "счёт баллов жителя", territory: "территория",
};

/** Who acted: the name the IT administrator recorded, else the account id (shortened), or the system. */
export function who(e: AuditEntry): string {
  if (e.actor_name) return e.actor_name;
  if (e.actor_role === "system") return "Система (автоматически)";
  return `учётная запись ${shortId(e.actor, 10)}`;
}

/** The object of the action: «опрос 01JAB0…9a1e». */
export function object(e: AuditEntry): string {
  return `${OBJECTS[e.target_type] ?? "объект"} ${shortId(e.target_id, 10)}`;
}

/** «Согласование: опрос 01JAB0…9a1e» (the action's title is the API's). */
export function what(e: AuditEntry): string {
  const title = e.action_title.charAt(0).toUpperCase() + e.action_title.slice(1);
  return `${title}: ${object(e)}`;
}

/** The raw entry, for the one who needs it (a «details» away). */
export function raw(e: AuditEntry): string {
  return JSON.stringify(e, null, 2);
}

/** A day typed as дд.мм.гггг → the UTC instant its Chelyabinsk day starts (or, `end`, ends); null when not a date. */
export function dayBound(text: string, end = false): string | null {
  const m = /^\s*(\d{1,2}\.\d{1,2}\.\d{4})\s*$/.exec(text);
  if (!m) return null;
  const start = parseInput(`${m[1]} 00:00`);
  if (!start) return null;
  if (!end) return start;
  return new Date(Date.parse(start) + 86_400_000 - 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}
