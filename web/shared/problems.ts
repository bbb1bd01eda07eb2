// API refusals as people read them. The API answers problem+json with a Russian `detail`; a 422
// also lists `errors[]` by field path (`questions.0.options.1.text`), which forms show next to the
// field they name, once, instead of the developer-facing summary.

export type FieldError = { field: string; detail: string };

export const MESSAGES = {
  apiUnreachable: "Сервер недоступен. Проверьте подключение и попробуйте ещё раз.",
  configFailed: "Не удалось загрузить настройки. Обновите страницу или обратитесь в поддержку.",
  httpError: (status: number) => `Сервер ответил ошибкой (код ${status}).`,
  fixFields: "Исправьте отмеченные поля.",
};

export class ApiError extends Error {
  readonly status: number;
  readonly errors: FieldError[];
  /** The problem's `type` tail (`not-eligible`, `ballot-replaced` …), when the API gave one. */
  readonly code: string;

  constructor(message: string, status: number, errors: FieldError[] = [], code = "") {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.errors = errors;
    this.code = code;
  }

  /** Field errors keyed by path, the first detail per field (`body` and `""` are the form's own). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.errors) if (!(e.field in out)) out[e.field] = e.detail;
    return out;
  }

  /** What to show at the top of a form: the fields' own errors go beside them instead. */
  summary(): string {
    const formLevel = this.errors.filter((e) => e.field === "body" || e.field === "");
    if (this.errors.length && formLevel.length === this.errors.length) return formLevel.map((e) => e.detail).join(" ");
    if (this.errors.length) return MESSAGES.fixFields;
    return this.message || (this.status ? MESSAGES.httpError(this.status) : MESSAGES.apiUnreachable);
  }
}

type Problem = { detail?: unknown; title?: unknown; type?: unknown; errors?: unknown };

/** The ApiError for a refused response and its parsed body (problem+json or anything else). */
export function problemError(status: number, body: unknown): ApiError {
  const p = (body && typeof body === "object" ? body : {}) as Problem;
  const message = typeof p.detail === "string" && p.detail ? p.detail
    : typeof p.title === "string" && p.title ? p.title : MESSAGES.httpError(status);
  const errors = Array.isArray(p.errors)
    ? p.errors.filter((e): e is FieldError => e && typeof e.field === "string" && typeof e.detail === "string")
    : [];
  const code = typeof p.type === "string" ? p.type.split("/").pop() ?? "" : "";
  return new ApiError(message, status, errors, code);
}

/** Any thrown value as a sentence for the person. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.summary();
  if (error instanceof Error && error.message) return error.message;
  return MESSAGES.apiUnreachable;
}
