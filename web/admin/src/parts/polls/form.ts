// The poll editor's form: what the person types (strings, so a half-typed number stays as typed),
// the API body made of it, and the API's 422 field paths (`questions.0.options.1.text`) mapped to
// the inputs they name, in plain Russian, once per input.
import type { FieldError } from "@shared/problems";
import { IMAGE_MESSAGES, imageReady, type ImageValue } from "@shared/ui/image";
import type { Poll, PollContentIn, QuestionIn } from "./types";

/** An image the API accepted (POST /v1/admin/media); kept as it is when the poll is edited here. */
export type Image = { id: string; alt: string; url?: string };
/** What the shared image field shows for a form's image (an image the API sent has its URL). */
export const imageValue = (image: Image | null): ImageValue | null => (image ? { id: image.id, alt: image.alt, url: image.url ?? "" } : null);

export type OptionForm = { text: string; image: Image | null };
export type QuestionForm = { text: string; kind: "single" | "multiple"; min: string; max: string; options: OptionForm[] };
export type PollForm = {
  title: string; description: string; territory_ids: string[]; image: Image | null;
  /** UTC ISO; "" when empty, null while the text typed is not a time. */
  opens_at: string | null; closes_at: string | null;
  min_age: string; results_visibility: "after_vote" | "after_close"; questions: QuestionForm[];
};

export const MAX_QUESTIONS = 20;
export const MAX_OPTIONS = 50;
export const MIN_OPTIONS = 2;

export const blankOption = (): OptionForm => ({ text: "", image: null });
export const blankQuestion = (): QuestionForm => ({ text: "", kind: "single", min: "1", max: "", options: [blankOption(), blankOption()] });

const HOUR = 3600e3;

/** A new draft: voting from tomorrow for a week, residents from 14, results after the close. */
export function newForm(now = new Date()): PollForm {
  const at = (ms: number) => new Date(Math.ceil((now.getTime() + ms) / HOUR) * HOUR).toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    title: "", description: "", territory_ids: [], image: null, opens_at: at(24 * HOUR), closes_at: at(8 * 24 * HOUR),
    min_age: "14", results_visibility: "after_close", questions: [blankQuestion()],
  };
}

export function formOf(poll: Poll): PollForm {
  return {
    title: poll.title, description: poll.description ?? "", territory_ids: [...poll.territory_ids], image: poll.image ?? null,
    opens_at: poll.opens_at, closes_at: poll.closes_at, min_age: String(poll.min_age),
    results_visibility: poll.results_visibility,
    questions: poll.questions.map((q) => ({
      text: q.text, kind: q.kind, min: String(q.min_choices ?? 1),
      max: q.kind === "multiple" && q.max_choices !== q.options.length ? String(q.max_choices) : "",
      options: q.options.map((o) => ({ text: o.text, image: o.image ?? null })),
    })),
  };
}

const whole = (s: string): number | null => (/^\s*\d+\s*$/.test(s) ? Number(s) : null);

/** Mistakes the page can name before asking the API (keys as the API's field paths). */
export function localErrors(form: PollForm): Record<string, string> {
  const out: Record<string, string> = {};
  if (form.opens_at === "") out.opens_at = "Укажите начало голосования.";
  if (form.closes_at === "") out.closes_at = "Укажите окончание голосования.";
  if (form.opens_at === null) out.opens_at = "Введите дату и время в виде дд.мм.гггг чч:мм.";
  if (form.closes_at === null) out.closes_at = "Введите дату и время в виде дд.мм.гггг чч:мм.";
  if (form.min_age.trim() && whole(form.min_age) === null) out.min_age = "Введите целое число лет.";
  if (!imageReady(imageValue(form.image))) out["image.alt"] = IMAGE_MESSAGES.altRequired;
  form.questions.forEach((q, i) => {
    q.options.forEach((o, j) => { if (!imageReady(imageValue(o.image))) out[`questions.${i}.options.${j}.image.alt`] = IMAGE_MESSAGES.altRequired; });
    if (q.kind !== "multiple") return;
    if (whole(q.min) === null) out[`questions.${i}.min_choices`] = "Введите целое число.";
    if (q.max.trim() && whole(q.max) === null) out[`questions.${i}.max_choices`] = "Введите целое число.";
  });
  return out;
}

export function questionBody(q: QuestionForm): QuestionIn {
  const options = q.options.map((o) => ({ text: o.text.trim(), image: o.image ? { id: o.image.id, alt: o.image.alt.trim() } : null }));
  if (q.kind === "single") return { text: q.text.trim(), kind: "single", min_choices: 1, max_choices: 1, options };
  return { text: q.text.trim(), kind: "multiple", min_choices: whole(q.min) ?? 1, max_choices: q.max.trim() ? whole(q.max) : null, options };
}

/** The body of POST /v1/admin/polls (and, with a version, of the PATCH). Call after localErrors is empty. */
export function bodyOf(form: PollForm): PollContentIn {
  return {
    title: form.title.trim(), description: form.description.trim(), image_url: null,
    image: form.image ? { id: form.image.id, alt: form.image.alt.trim() } : null,
    territory_ids: form.territory_ids, opens_at: form.opens_at ?? "", closes_at: form.closes_at ?? "",
    min_age: whole(form.min_age) ?? 14, results_visibility: form.results_visibility,
    questions: form.questions.map(questionBody),
  };
}

// ---------------------------------------------------------------- 422 errors beside their inputs

/** Whether `key` names an input (or a group of inputs) of this form. */
export function knownKeys(form: PollForm): Set<string> {
  const keys = new Set(["title", "description", "image", "image.alt", "territory_ids", "opens_at", "closes_at", "min_age", "results_visibility", "questions"]);
  form.questions.forEach((q, i) => {
    // A single-choice question shows no limits: their errors go to the question itself.
    const limits = q.kind === "multiple" ? [".min_choices", ".max_choices"] : [];
    for (const k of ["", ".text", ".kind", ".options", ...limits]) keys.add(`questions.${i}${k}`);
    q.options.forEach((_, j) => {
      for (const k of [".text", ".image", ".image.alt"]) keys.add(`questions.${i}.options.${j}${k}`);
    });
  });
  return keys;
}

// The API's model-level messages name its fields; said here as the person sees the form.
const REWRITES: [RegExp, (m: RegExpExecArray, field: string) => [string, string]][] = [
  [/closes_at должно быть позже opens_at/, () => ["closes_at", "Окончание голосования должно быть позже начала."]],
  [/территории в territory_ids повторяются/, () => ["territory_ids", "Территории повторяются."]],
  [/max_choices больше числа вариантов/, (_, f) => [`${f}.max_choices`, "Больше, чем вариантов ответа в вопросе."]],
  [/min_choices больше max_choices/, (_, f) => [`${f}.min_choices`, "Минимум больше максимума."]],
  [/в вопросе с одним ответом/, (_, f) => [`${f}.kind`, "В вопросе с одним ответом выбирается ровно один вариант."]],
];

function plain(key: string, detail: string): string {
  const d = detail.replace(/^Value error, /, "");
  if (key === "territory_ids" && /не меньше: 1/.test(d)) return "Выберите хотя бы одну территорию.";
  if (/\.options$/.test(key) && /не меньше/.test(d)) return "Нужно не меньше двух вариантов ответа.";
  if (key === "questions" && /не меньше/.test(d)) return "Добавьте хотя бы один вопрос.";
  if (d === "поле не может быть пустым" || d === "обязательное поле") return "Заполните это поле.";
  return d.charAt(0).toUpperCase() + d.slice(1) + (/[.!?]$/.test(d) ? "" : ".");
}

/** The API's field errors keyed by the input they belong to (the nearest known path), first one
 *  per input; `rest` holds what names no input (shown at the top of the form). */
export function placeErrors(form: PollForm, errors: readonly FieldError[]): { fields: Record<string, string>; rest: string[] } {
  const keys = knownKeys(form);
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  for (const e of errors) {
    let key = e.field === "body" ? "" : e.field;
    let detail = e.detail;
    const rewrite = REWRITES.find(([re]) => re.test(e.detail));
    if (rewrite) [key, detail] = rewrite[1](rewrite[0].exec(e.detail)!, key);
    else detail = "";
    while (key && !keys.has(key)) key = key.includes(".") ? key.slice(0, key.lastIndexOf(".")) : "";
    const text = detail || plain(key, e.detail);
    if (!key) { if (!rest.includes(text)) rest.push(text); continue; }
    if (!(key in fields)) fields[key] = text;
  }
  return { fields, rest };
}
