// The form of one content item by its type (news, event, missing-person notice, МЧС bulletin):
// creates or edits it, and optionally sends it on (to review, or — for the МЧС operator's bulletin —
// straight to the feed). A refusal's field errors show beside their fields, once.
import { useState } from "preact/hooks";
import { data } from "@shared/api/client";
import { ApiError, messageOf } from "@shared/problems";
import { DateTimeField, SelectField, TextArea, TextField } from "@shared/ui/fields";
import { IMAGE_MESSAGES, ImageField, imageReady, imageRef, type ImageValue } from "@shared/ui/image";
import { useStaff } from "../../shell/staff";
import { TerritoryPicker } from "../territory-picker";
import type { Placed } from "../territories";
import { PartError } from "./view";
import "../../styles/content-images.css";
import { CATEGORY_TITLES, SEVERITY_TITLES, splitErrors, type ContentItem, type ContentType } from "./model";

type Draft = Record<string, string | null> & { territory_ids?: never };

const FIELDS: Record<ContentType, string[]> = {
  news: ["body"],
  event: ["description", "starts_at", "ends_at", "venue", "address", "category", "link"],
  missing_person: ["description", "last_seen_place", "last_seen_at", "contact_phone", "photo_url"],
  bulletin: ["severity", "body", "expires_at"],
};
const OPTIONAL = new Set(["image_url", "link", "photo_url", "publish_at"]);
const TIMES = new Set(["starts_at", "ends_at", "last_seen_at", "expires_at", "publish_at"]);
const TIME_LABELS: Record<string, string> = {
  starts_at: "Начало", ends_at: "Окончание", last_seen_at: "Когда видели в последний раз",
  expires_at: "Действует до", publish_at: "Опубликовать не раньше (необязательно)",
};

/** Types whose form takes an uploaded image (the API's `image`; a missing-person notice keeps its photo link). */
export const WITH_IMAGE: readonly ContentType[] = ["news", "event"];

/** The fields a form of `type` sends (and shows errors for). */
export function formFields(type: ContentType): string[] {
  return ["title", "territory_ids", ...(type === "bulletin" ? [] : ["publish_at"]), ...FIELDS[type]];
}

function initial(type: ContentType, item?: ContentItem): Draft {
  const d: Draft = {};
  for (const f of formFields(type)) if (f !== "territory_ids") d[f] = String((item as Record<string, unknown> | undefined)?.[f] ?? "");
  if (type === "event" && !d.category) d.category = "culture";
  if (type === "bulletin" && !d.severity) d.severity = "warning";
  return d;
}

/** The request body of a draft: empty optionals as null, times as UTC ISO strings. */
export function toBody(type: ContentType, draft: Draft, territories: string[]): Record<string, unknown> {
  const body: Record<string, unknown> = { type, territory_ids: territories };
  for (const f of formFields(type)) {
    if (f === "territory_ids") continue;
    const v = (draft[f] ?? "").trim();
    body[f] = v === "" && OPTIONAL.has(f) ? null : v;
  }
  return body;
}

export type SendAction = { label: string; then?: (item: ContentItem) => Promise<ContentItem> };

type Props = {
  type: ContentType; item?: ContentItem; options: Placed[];
  /** The buttons: each saves, then may send the item on. */
  actions: SendAction[];
  onDone: (item: ContentItem, action: SendAction) => void;
  onCancel?: () => void;
};

export function ContentEditor({ type, item, options, actions, onDone, onCancel }: Props) {
  const { api } = useStaff();
  const [draft, setDraft] = useState<Draft>(() => initial(type, item));
  const [territories, setTerritories] = useState<string[]>(item?.territory_ids ?? []);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [top, setTop] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [image, setImage] = useState<ImageValue | null>(item?.image ?? null);
  const withImage = WITH_IMAGE.includes(type);
  // The image's errors (its alt text's first) beside the image field; the rest as before.
  const errorFields = withImage ? ["image.alt", "image", ...formFields(type)] : formFields(type);
  const set = (f: string) => (v: string | null) => setDraft((d) => ({ ...d, [f]: v }));
  const text = (f: string) => draft[f] ?? "";
  const pre = `${type}-`;

  const save = async (action: SendAction) => {
    setTop(null);
    const own: Record<string, string> = {};
    for (const f of formFields(type)) {
      if (!TIMES.has(f)) continue;
      if (draft[f] === null) own[f] = "Введите дату и время в виде дд.мм.гггг чч:мм";
    }
    if (withImage && !imageReady(image)) own["image.alt"] = IMAGE_MESSAGES.altRequired;
    setErrors(own);
    if (Object.keys(own).length) { setTop("Исправьте отмеченные поля."); return; }
    setBusy(true);
    try {
      const body = toBody(type, draft, territories);
      if (withImage) body.image = imageRef(image);
      // A news item made before uploads may carry a link instead; it stays until an image replaces it.
      if (type === "news") body.image_url = image ? null : item?.image_url ?? null;
      let saved: ContentItem;
      if (item) {
        const { type: _t, ...changes } = body;
        saved = await data(api.PATCH("/v1/admin/content/{content_id}", {
          params: { path: { content_id: item.id } }, body: { version: item.version, ...changes } })) as unknown as ContentItem;
      } else {
        saved = await data(api.POST("/v1/admin/content", { body: body as never })) as unknown as ContentItem;
      }
      if (action.then) saved = await action.then(saved);
      onDone(saved, action);
    } catch (e) {
      if (e instanceof ApiError) {
        const split = splitErrors(e, errorFields);
        setErrors(split.fields);
        setTop(split.top);
      } else setTop(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const field = (f: string, label: string, extra: { hint?: string; rows?: number; max?: number; tel?: boolean } = {}) =>
    extra.rows ? (
      <TextArea id={pre + f} label={label} value={text(f)} onInput={set(f)} error={errors[f]} rows={extra.rows}
        maxLength={extra.max} hint={extra.hint} required={!OPTIONAL.has(f)} />
    ) : (
      <TextField id={pre + f} label={label} value={text(f)} onInput={set(f)} error={errors[f]} hint={extra.hint}
        maxLength={extra.max} required={!OPTIONAL.has(f)} type={extra.tel ? "tel" : f.endsWith("url") || f === "link" ? "url" : "text"}
        inputMode={extra.tel ? "tel" : undefined} />
    );
  const time = (f: string) => (
    <DateTimeField id={pre + f} label={TIME_LABELS[f]} value={draft[f] ?? ""} onChange={set(f)} error={errors[f]}
      required={!OPTIONAL.has(f)} />
  );
  const url = "Адрес, начинающийся с https://";

  return (
    <form class="content-editor" noValidate onSubmit={(e) => { e.preventDefault(); save(actions[0]); }}>
      <PartError id={`${pre}form-error`} text={top} />
      {type === "bulletin" && (
        <SelectField id={pre + "severity"} label="Уровень опасности" value={text("severity")} onChange={set("severity")}
          error={errors.severity} options={Object.entries(SEVERITY_TITLES)} />
      )}
      {field("title", "Заголовок", { max: 200 })}
      {(type === "news" || type === "bulletin") && field("body", "Текст", { rows: 8, max: 20000 })}
      {(type === "event" || type === "missing_person") && field("description",
        type === "event" ? "Описание события" : "Приметы и описание", { rows: 6, max: 20000 })}
      {type === "event" && (
        <>
          <div class="field-row">{time("starts_at")}{time("ends_at")}</div>
          {field("venue", "Место проведения", { max: 300 })}
          {field("address", "Адрес", { max: 300 })}
          <SelectField id={pre + "category"} label="Категория" value={text("category")} onChange={set("category")}
            error={errors.category} options={Object.entries(CATEGORY_TITLES)} />
          {field("link", "Ссылка на регистрацию (необязательно)", { hint: url })}
        </>
      )}
      {type === "missing_person" && (
        <>
          {field("last_seen_place", "Где видели в последний раз", { max: 300 })}
          {time("last_seen_at")}
          {field("contact_phone", "Телефон для сообщений (полиция)", { hint: "Например, +7 351 263-00-00", tel: true })}
          {field("photo_url", "Фотография (необязательно)", { hint: url })}
        </>
      )}
      {withImage && (
        <ImageField id={pre + "image"} label={type === "news" ? "Изображение новости (необязательно)" : "Изображение события (необязательно)"}
          api={api} value={image} onChange={setImage} error={errors.image} altError={errors["image.alt"]}
          hint="Жители увидят его в ленте приложения." />
      )}
      {type === "bulletin" && time("expires_at")}
      <TerritoryPicker id={pre + "territory_ids"} legend="Территории" options={options} value={territories}
        onChange={setTerritories} error={errors.territory_ids}
        hint="Материал увидят жители выбранных территорий и всех территорий внутри них." />
      {type !== "bulletin" && time("publish_at")}
      <p class="actions">
        {actions.map((a, i) => (
          <button key={a.label} type={i === 0 ? "submit" : "button"} class={i === 0 && actions.length > 1 ? "button button-secondary" : "button"}
            disabled={busy} onClick={i === 0 ? undefined : () => save(a)}>{a.label}</button>
        ))}
        {onCancel && <button type="button" class="button button-secondary" onClick={onCancel}>Отмена</button>}
      </p>
    </form>
  );
}
