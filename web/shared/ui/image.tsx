// An image field for any editor (polls, options, news, events, rewards; docs/decisions/016-images.md):
// the person picks a JPEG, PNG or WebP up to 5 MB, the browser posts it straight to S3 with the form
// POST /v1/admin/media presigned, the API confirms it (checks the real type, strips EXIF and the like)
// and the field hands the parent `{ id, url, alt }`. The alt text is required: a screen reader says
// it instead of the picture. The parent sends `imageRef(value)` as the body's `image`.
import { useRef, useState } from "preact/hooks";
import type { Api } from "../api/client";
import { data } from "../api/client";
import { ApiError, messageOf } from "../problems";
import "./image.css";

export type ImageValue = { id: string; url: string; alt: string };
export type ImageRef = { id: string; alt: string };

export const ACCEPTED_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;
export const MAX_BYTES = 5 * 1024 * 1024;
export const ALT_MAX = 300;

export const IMAGE_MESSAGES = {
  wrongType: "Выберите изображение в формате JPEG, PNG или WebP.",
  tooLarge: "Файл больше 5 МБ: уменьшите изображение или выберите другое.",
  empty: "Файл пуст: выберите другое изображение.",
  uploadFailed: "Не удалось загрузить файл. Проверьте подключение и попробуйте ещё раз.",
  expired: "Срок загрузки истёк: выберите файл ещё раз.",
  altRequired: "Опишите, что на изображении: это прочтут незрячим жителям.",
  uploading: (percent: number) => `Загрузка… ${percent}%`,
  checking: "Проверяем изображение…",
  done: "Изображение загружено.",
};

/** What is wrong with the file before anything is sent (null: it may be uploaded). */
export function fileProblem(file: { type: string; size: number }): string | null {
  if (!(ACCEPTED_TYPES as readonly string[]).includes(file.type)) return IMAGE_MESSAGES.wrongType;
  if (file.size === 0) return IMAGE_MESSAGES.empty;
  if (file.size > MAX_BYTES) return IMAGE_MESSAGES.tooLarge;
  return null;
}

/** S3's refusal of the form POST (an XML <Error><Code>) as a sentence. */
export function uploadProblem(status: number, body: string): string {
  const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? "";
  if (code === "EntityTooLarge") return IMAGE_MESSAGES.tooLarge;
  if (code === "EntityTooSmall") return IMAGE_MESSAGES.empty;
  if (code === "AccessDenied" && body.includes("expired")) return IMAGE_MESSAGES.expired;
  if (code === "AccessDenied" && body.includes("Content-Type")) return IMAGE_MESSAGES.wrongType;
  return status ? `${IMAGE_MESSAGES.uploadFailed} (код ${status})` : IMAGE_MESSAGES.uploadFailed;
}

/** The body's `image` for a value: its id and alt text (null removes the image). */
export function imageRef(value: ImageValue | null | undefined): ImageRef | null {
  return value ? { id: value.id, alt: value.alt.trim() } : null;
}

/** A value is ready to send when it has alt text (the API refuses an image without one). */
export function imageReady(value: ImageValue | null | undefined): boolean {
  return !value || value.alt.trim().length > 0;
}

type Upload = { url: string; fields: Record<string, string> };

/** POST the file to S3 with the presigned form; XHR (not fetch) so the person sees progress. */
function postToS3(upload: Upload, file: File, onProgress: (percent: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    if (!("Content-Type" in upload.fields)) form.append("Content-Type", file.type);
    form.append("file", file); // S3 ignores every field after the file: it goes last
    const xhr = new XMLHttpRequest();
    xhr.open("POST", upload.url);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100)); };
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve()
      : reject(new Error(uploadProblem(xhr.status, xhr.responseText || ""))));
    xhr.onerror = () => reject(new Error(IMAGE_MESSAGES.uploadFailed));
    xhr.send(form);
  });
}

type Props = {
  id: string;
  label: string;
  api: Api;
  value: ImageValue | null;
  onChange: (value: ImageValue | null) => void;
  /** The API's 422 for this field (`image` or `image.id`), and for its alt text (`image.alt`). */
  error?: string;
  altError?: string;
  hint?: string;
  disabled?: boolean;
};

export function ImageField(props: Props) {
  const { id, label, api, value, onChange, error, altError, hint, disabled } = props;
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);
  const [own, setOwn] = useState<string | null>(null);
  const [altTouched, setAltTouched] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const shownError = own ?? error;
  const altMissing = value && altTouched && !value.alt.trim() ? IMAGE_MESSAGES.altRequired : undefined;
  const shownAltError = altError ?? altMissing;
  const fileHint = `JPEG, PNG или WebP, до 5 МБ. Данные о месте съёмки и камере будут удалены.${hint ? " " + hint : ""}`;

  async function choose(file: File | undefined) {
    if (!file) return;
    const problem = fileProblem(file);
    if (problem) { setOwn(problem); setStatus(""); return; }
    setOwn(null);
    setBusy(true);
    try {
      setStatus(IMAGE_MESSAGES.uploading(0));
      const started = await data(api.POST("/v1/admin/media", { body: { content_type: file.type } }));
      await postToS3(started.upload, file, (p) => setStatus(IMAGE_MESSAGES.uploading(p)));
      setStatus(IMAGE_MESSAGES.checking);
      const media = await data(api.POST("/v1/admin/media/{media_id}/confirm",
        { params: { path: { media_id: started.id } } }));
      onChange({ id: media.id, url: media.url, alt: value?.alt ?? "" });
      setAltTouched(false);
      setStatus(IMAGE_MESSAGES.done);
    } catch (e) {
      // The API's refusal of the file (422 on `file`: not an image, damaged, too large) is one sentence.
      setOwn(e instanceof ApiError ? e.fieldErrors().file ?? e.fieldErrors().content_type ?? e.summary()
        : e instanceof Error ? e.message : messageOf(e));
      setStatus("");
    } finally {
      setBusy(false);
      if (input.current) input.current.value = "";
    }
  }

  const describedBy = [`${id}-hint`, shownError && `${id}-error`, status && `${id}-status`].filter(Boolean).join(" ");
  return (
    <fieldset class="field image-field" aria-busy={busy ? "true" : undefined}>
      <legend>{label}</legend>
      {value && (
        <figure class="image-preview">
          <img src={value.url} alt={value.alt.trim() || "Загруженное изображение (описание не заполнено)"} />
        </figure>
      )}
      <label for={`${id}-file`} class="field-label">{value ? "Заменить файл" : "Файл изображения"}</label>
      <p id={`${id}-hint`} class="hint">{fileHint}</p>
      <input id={`${id}-file`} name={`${id}-file`} type="file" accept={ACCEPTED_TYPES.join(",")}
        disabled={disabled || busy} aria-invalid={shownError ? "true" : undefined} aria-describedby={describedBy}
        onChange={(e) => void choose(e.currentTarget.files?.[0])} ref={input} />
      <p id={`${id}-status`} class="image-status" aria-live="polite">{status}</p>
      {shownError && <p id={`${id}-error`} class="field-error">{shownError}</p>}
      {value && (
        <div class="image-alt">
          <label for={`${id}-alt`}>Описание изображения</label>
          <p id={`${id}-alt-hint`} class="hint">Что на нём изображено — одной фразой, до {ALT_MAX} символов.</p>
          <input id={`${id}-alt`} name={`${id}-alt`} type="text" value={value.alt} required maxLength={ALT_MAX}
            disabled={disabled} aria-invalid={shownAltError ? "true" : undefined}
            aria-describedby={[`${id}-alt-hint`, shownAltError && `${id}-alt-error`].filter(Boolean).join(" ")}
            onInput={(e) => onChange({ ...value, alt: e.currentTarget.value })} onBlur={() => setAltTouched(true)} />
          {shownAltError && <p id={`${id}-alt-error`} class="field-error">{shownAltError}</p>}
          <button type="button" class="button button-secondary button-small image-remove" disabled={disabled || busy}
            onClick={() => { onChange(null); setStatus(""); setOwn(null); setAltTouched(false); }}>
            Убрать изображение
          </button>
        </div>
      )}
    </fieldset>
  );
}
