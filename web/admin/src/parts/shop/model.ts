// The catalogue's items as the staff pages handle them: the API's shape, what an item's state is at
// a glance, and the editor's form ↔ the API's body.
import type { paths } from "@shared/api/client";
import { imageReady, imageRef, type ImageValue } from "@shared/ui/image";

export type ShopItem = paths["/v1/admin/shop/items/{item_id}"]["get"]["responses"]["200"]["content"]["application/json"]
  & { image?: ItemImage | null };
/** An item's picture (docs/decisions/016-images.md): the upload's id, its alt text, and where to see it. */
export type ItemImage = { id: string; alt: string; url?: string | null };
export type ItemBody = paths["/v1/admin/shop/items"]["post"]["requestBody"] extends { content: { "application/json": infer B } } ? B : never;

export type ItemState = { key: "hidden" | "upcoming" | "expired" | "sold-out" | "on-sale"; title: string };

/** Whether residents can order the item now, and if not, why — the first reason that applies. */
export function itemState(item: Pick<ShopItem, "active" | "valid_from" | "valid_until" | "stock">, now = new Date()): ItemState {
  const t = now.getTime();
  if (!item.active) return { key: "hidden", title: "Скрыто" };
  if (t < new Date(item.valid_from).getTime()) return { key: "upcoming", title: "Ещё не началось" };
  if (t >= new Date(item.valid_until).getTime()) return { key: "expired", title: "Срок истёк" };
  if (item.stock <= 0) return { key: "sold-out", title: "Закончилось" };
  return { key: "on-sale", title: "В продаже" };
}

/** The editor's fields: numbers as typed, times as UTC ISO ("" empty, null while not a time). */
export type ItemForm = {
  title: string; description: string; partner: string; price: string; stock: string;
  valid_from: string | null; valid_until: string | null; territory_ids: string[]; active: boolean;
  image: ImageValue | null;
};

export function emptyForm(): ItemForm {
  return { title: "", description: "", partner: "", price: "", stock: "", valid_from: "", valid_until: "",
    territory_ids: [], active: true, image: null };
}

export function formOf(item: ShopItem): ItemForm {
  return {
    title: item.title, description: item.description ?? "", partner: item.partner, price: String(item.price),
    stock: String(item.stock), valid_from: item.valid_from, valid_until: item.valid_until,
    territory_ids: [...item.territory_ids], active: item.active,
    image: item.image?.url ? { id: item.image.id, url: item.image.url, alt: item.image.alt } : null,
  };
}

const whole = (text: string): number | null => (/^\s*\d+\s*$/.test(text) ? Number(text) : null);

/** Errors the form can tell before asking the API (the API checks everything again). */
export function formErrors(form: ItemForm): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!form.title.trim()) errors.title = "Укажите название";
  if (!form.partner.trim()) errors.partner = "Укажите партнёра";
  if (whole(form.price) === null) errors.price = "Целое число баллов, не меньше 1";
  if (whole(form.stock) === null) errors.stock = "Целое число, не меньше 0";
  if (!form.valid_from) errors.valid_from = "Укажите дату и время";
  if (!form.valid_until) errors.valid_until = "Укажите дату и время";
  if (form.valid_from && form.valid_until && form.valid_until <= form.valid_from) {
    errors.valid_until = "Должно быть позже начала";
  }
  if (!form.territory_ids.length) errors.territory_ids = "Выберите хотя бы одну территорию";
  if (!imageReady(form.image)) errors["image.alt"] = "Опишите, что на изображении: это прочтут незрячим жителям";
  return errors;
}

/** The API's body for a form without errors (`image: null` removes an item's picture). */
export function bodyOf(form: ItemForm): ItemBody {
  const body = {
    title: form.title.trim(), description: form.description.trim(), partner: form.partner.trim(),
    price: whole(form.price) ?? 0, stock: whole(form.stock) ?? 0, valid_from: form.valid_from ?? "",
    valid_until: form.valid_until ?? "", territory_ids: form.territory_ids, active: form.active,
  };
  return { ...body, image: imageRef(form.image) } as ItemBody;
}

/** Field errors of a 422 keyed by the form's fields (`territory_ids.0` → `territory_ids`). */
export function byFormField(errors: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, detail] of Object.entries(errors)) {
    const key = field.startsWith("image.alt") ? "image.alt" : field.split(".")[0];
    if (!(key in out)) out[key] = detail;
  }
  return out;
}

/** Partners already in the catalogue, for the partner field's suggestions. */
export function knownPartners(items: readonly Pick<ShopItem, "partner">[]): string[] {
  return [...new Set(items.map((i) => i.partner))].sort((a, b) => a.localeCompare(b, "ru"));
}
