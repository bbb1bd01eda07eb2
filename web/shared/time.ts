// Times as people in the region read and type them: Chelyabinsk time (Asia/Yekaterinburg) whatever
// the browser's zone, written дд.мм.гггг чч:мм. The API speaks UTC ISO strings.

export const ZONE = "Asia/Yekaterinburg";
export const ZONE_LABEL = "по челябинскому времени";
export const INPUT_FORMAT = "дд.мм.гггг чч:мм";

const PARTS = new Intl.DateTimeFormat("ru-RU", {
  timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  hourCycle: "h23",
});

type Wall = { year: number; month: number; day: number; hour: number; minute: number };

function wall(date: Date): Wall {
  const parts: Record<string, number> = {};
  for (const p of PARTS.formatToParts(date)) if (p.type !== "literal") parts[p.type] = Number(p.value);
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour % 24, minute: parts.minute };
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function toDate(value: string | Date | null | undefined): Date | null {
  if (value == null || value === "") return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** `01.12.2026 22:42` in Chelyabinsk time; an empty string for no time. */
export function formatDateTime(value: string | Date | null | undefined): string {
  const date = toDate(value);
  if (!date) return "";
  const w = wall(date);
  return `${pad(w.day)}.${pad(w.month)}.${w.year} ${pad(w.hour)}:${pad(w.minute)}`;
}

/** `01.12.2026` in Chelyabinsk time. */
export function formatDate(value: string | Date | null | undefined): string {
  return formatDateTime(value).slice(0, 10);
}

/** A plain date (`2026-12-01`, as execution reports carry it) as `01.12.2026`, without zone shifts. */
export function formatPlainDate(value: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value ?? "");
  return m ? `${m[3]}.${m[2]}.${m[1]}` : formatDate(value);
}

/** What a time field shows for a stored UTC time: `дд.мм.гггг чч:мм` in Chelyabinsk. */
export const toInput = formatDateTime;

/** The UTC instant of a Chelyabinsk wall time. */
export function fromWall(w: Wall): Date {
  const guess = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  // The zone's offset at that instant (Chelyabinsk has kept UTC+5 since 2014; computed, not assumed).
  const seen = wall(new Date(guess));
  const offset = Date.UTC(seen.year, seen.month - 1, seen.day, seen.hour, seen.minute) - guess;
  return new Date(guess - offset);
}

/** Parses what a person typed (`дд.мм.гггг чч:мм`, Chelyabinsk time) into a UTC ISO string
 *  (`2026-12-01T17:42:00Z`); null when it is not a real date and time. */
export function parseInput(text: string): string | null {
  const m = /^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})[ ,T]+(\d{1,2}):(\d{2})\s*$/.exec(text);
  if (!m) return null;
  const [day, month, year, hour, minute] = m.slice(1).map(Number);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59) return null;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  return fromWall({ year, month, day, hour, minute }).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A plain date typed as `дд.мм.гггг` → `гггг-мм-дд`; null when it is not a real date. */
export function parseDateInput(text: string): string | null {
  const m = /^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$/.exec(text);
  if (!m) return null;
  const [day, month, year] = m.slice(1).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  return `${year}-${pad(month)}-${pad(day)}`;
}
