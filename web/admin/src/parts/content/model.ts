// Feed content as staff see it (aj74.content.service.staff_view), typed precisely where the contract
// types it loosely, with the Russian names the desk, the queue and the bulletin console show.
import type { components } from "@shared/api/schema";
import { ApiError, MESSAGES } from "@shared/problems";
import { formatDateTime } from "@shared/time";
import type { Territory } from "../territories";

export type ContentType = "news" | "bulletin" | "missing_person" | "event";
export type ContentState = "draft" | "in_review" | "approved" | "published" | "rejected" | "retracted" | "expired";
export type Severity = "info" | "warning" | "danger";
export type Category = components["schemas"]["EventIn"]["category"];

export type HistoryEntry = {
  action: string; actor: string; actor_role: string; at: string; from?: string; to?: string;
  comment?: string | null; version?: number;
};

/** One field of "what changed since the last rejection" (polls and content alike). */
export type Change = { field: string; title: string; before: unknown; after: unknown };

export type ContentItem = {
  id: string; type: ContentType; state: ContentState; state_title: string; version: number;
  territory_ids: string[]; territories: Territory[]; publish_at: string | null; published_at: string | null;
  title: string; body?: string; image_url?: string; image?: { id: string; alt: string; url: string } | null; description?: string; photo_url?: string;
  severity?: Severity; expires_at?: string;
  starts_at?: string; ends_at?: string; venue?: string; address?: string; category?: Category; link?: string;
  last_seen_place?: string; last_seen_at?: string; contact_phone?: string; status?: "searching" | "found";
  outcome?: string; found_at?: string;
  created_by: string; created_at: string; history: HistoryEntry[]; changes_since_review?: Change[];
};

export const TYPE_TITLES: Record<ContentType, string> = {
  news: "Новость", event: "Событие", missing_person: "Поиск человека", bulletin: "Бюллетень МЧС",
};

export const SEVERITY_TITLES: Record<Severity, string> = {
  info: "Информация", warning: "Предупреждение", danger: "Опасность",
};

export const CATEGORY_TITLES: Record<Category, string> = {
  holiday: "Праздник", culture: "Культура", sport: "Спорт", education: "Образование", ecology: "Экология",
  other: "Другое",
};

export const SEARCH_TITLES = { searching: "Идёт поиск", found: "Поиск завершён" } as const;

/** The states the desk lists, in the order a moderator works through them. */
export const STATE_GROUPS: [ContentState, string][] = [
  ["draft", "Черновики"], ["rejected", "Отклонённые — нужна доработка"], ["in_review", "На согласовании"],
  ["approved", "Согласованы, ждут публикации"], ["published", "Опубликованы"], ["retracted", "Сняты с публикации"],
  ["expired", "Срок показа истёк"],
];

export const EDITABLE: readonly ContentState[] = ["draft", "rejected"];
export const RETRACTABLE: readonly ContentState[] = ["approved", "published"];

/** What each workflow step is called in the history. */
export const ACTION_TITLES: Record<string, string> = {
  edit: "Изменён", submit: "Отправлен на согласование", approve: "Согласован", reject: "Отклонён",
  retract: "Снят с публикации", publish: "Опубликован", expire: "Срок показа истёк",
  emergency_publish: "Опубликован срочно (ГУ МЧС)", cancel: "Отменён", open: "Голосование открыто",
  close: "Голосование завершено", finalize: "Итоги подведены",
};

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const VALUE_TITLES: Record<string, Record<string, string>> = {
  severity: SEVERITY_TITLES, category: CATEGORY_TITLES, status: SEARCH_TITLES, type: TYPE_TITLES,
  results_visibility: { after_vote: "после голосования", after_close: "после окончания голосования" },
};

/** A changed value as people read it: times in Chelyabinsk, territories by name, codes by title. */
export function shownValue(field: string, value: unknown, names: (ids: string[]) => string[] = (ids) => ids): string {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) {
    const items = value.map(String);
    return (field === "territory_ids" ? names(items) : items).join(", ") || "—";
  }
  if (typeof value === "string" && ISO_TIME.test(value)) return formatDateTime(value);
  if (typeof value === "string" && VALUE_TITLES[field]?.[value]) return VALUE_TITLES[field][value];
  // An uploaded image (or any other structured value): people need to know it changed, not its key.
  if (typeof value === "object") return "изменено";
  return String(value);
}

/** A refused save split for a form: errors of the form's own fields go beside them, the rest on top. */
export function splitErrors(error: ApiError, fields: readonly string[]): { fields: Record<string, string>; top: string } {
  const all = error.fieldErrors();
  const mine: Record<string, string> = {};
  const rest: string[] = [];
  for (const [field, detail] of Object.entries(all)) {
    const known = fields.find((f) => field === f || field.startsWith(`${f}.`));
    if (known) { if (!(known in mine)) mine[known] = detail; } else rest.push(detail);
  }
  if (!error.errors.length) return { fields: {}, top: error.message };
  return { fields: mine, top: rest.length ? rest.join(" ") : MESSAGES.fixFields };
}

export const contentHref = (id: string) => `/content.html?id=${encodeURIComponent(id)}`;
