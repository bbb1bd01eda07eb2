// The reward editor: add a reward or edit one, every field with its error beside it.
import { useState } from "preact/hooks";
import { data } from "@shared/api/client";
import { ApiError, MESSAGES, messageOf } from "@shared/problems";
import { Checkbox, DateTimeField, TextArea, TextField } from "@shared/ui/fields";
import { ImageField } from "@shared/ui/image";
import { useBusy, useStaff } from "../../shell/staff";
import { TerritoryPicker } from "../territory-picker";
import type { Placed } from "../territories";
import { bodyOf, byFormField, emptyForm, formErrors, formOf, type ItemForm, type ShopItem } from "./model";

type Props = {
  item: ShopItem | null;
  territories: Placed[];
  partners: string[];
  onSaved: (item: ShopItem, created: boolean) => void;
  onCancel: () => void;
};

export function ItemEditor({ item, territories, partners, onSaved, onCancel }: Props) {
  const { api } = useStaff();
  const [form, setForm] = useState<ItemForm>(() => (item ? formOf(item) : emptyForm()));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  useBusy("save-item", saving);
  const set = <K extends keyof ItemForm>(key: K) => (value: ItemForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  const save = async (event: Event) => {
    event.preventDefault();
    setError(null);
    const own = formErrors(form);
    setErrors(own);
    if (Object.keys(own).length) {
      setError(MESSAGES.fixFields);
      return;
    }
    setSaving(true);
    try {
      const body = bodyOf(form);
      const saved = item
        ? await data(api.PATCH("/v1/admin/shop/items/{item_id}", {
          params: { path: { item_id: item.id } }, body: { ...body, version: item.version },
        }))
        : await data(api.POST("/v1/admin/shop/items", { body }));
      onSaved(saved as ShopItem, !item);
    } catch (e) {
      if (e instanceof ApiError) setErrors(byFormField(e.fieldErrors()));
      setError(messageOf(e));
    } finally {
      setSaving(false);
    }
  };

  const heading = item ? `Изменение: ${item.title}` : "Новое поощрение";
  return (
    <section id="editor" class="shop-editor" aria-labelledby="editor-heading">
      <h2 id="editor-heading" tabIndex={-1}>{heading}</h2>
      <form id="item-form" noValidate onSubmit={save}>
        {error && <div id="editor-error" class="notice notice-error" role="alert">{error}</div>}
        <TextField id="title" label="Название" value={form.title} onInput={set("title")} error={errors.title}
          required maxLength={200} />
        <TextArea id="description" label="Описание" value={form.description} onInput={set("description")}
          error={errors.description} rows={3} maxLength={3000} hint="Что получит житель и как им воспользоваться." />
        <div class="field">
          <label for="partner">Партнёр</label>
          <p id="partner-hint" class="hint">Организация, в кассе которой выдают поощрение. Выберите из списка или введите новую.</p>
          <input id="partner" name="partner" list="partner-list" value={form.partner} required maxLength={200}
            autocomplete="off" aria-invalid={errors.partner ? "true" : undefined}
            aria-describedby={`partner-hint${errors.partner ? " partner-error" : ""}`}
            onInput={(e) => set("partner")(e.currentTarget.value)} />
          <datalist id="partner-list">{partners.map((p) => <option key={p} value={p} />)}</datalist>
          {errors.partner && <p id="partner-error" class="field-error">{errors.partner}</p>}
        </div>
        <div class="field-row">
          <TextField id="price" label="Цена, баллов" value={form.price} onInput={set("price")} error={errors.price}
            inputMode="numeric" required />
          <TextField id="stock" label="В наличии, шт." value={form.stock} onInput={set("stock")} error={errors.stock}
            inputMode="numeric" required />
        </div>
        <div class="field-row">
          <DateTimeField id="valid_from" label="Действует с" value={form.valid_from ?? ""}
            onChange={set("valid_from")} error={errors.valid_from} required />
          <DateTimeField id="valid_until" label="Действует до" value={form.valid_until ?? ""}
            onChange={set("valid_until")} error={errors.valid_until} required />
        </div>
        <TerritoryPicker id="territory_ids" legend="Где действует" options={territories} value={form.territory_ids}
          onChange={set("territory_ids")} error={errors.territory_ids}
          hint="Поощрение увидят жители выбранных территорий и всех входящих в них." />
        <ImageField id="image" label="Изображение поощрения" api={api} value={form.image} onChange={set("image")}
          error={errors.image} altError={errors["image.alt"]} hint="Необязательно: жители увидят его в каталоге приложения." />
        <Checkbox id="active" label="Доступно для заказа" checked={form.active} onChange={set("active")} />
        <div class="actions shop-actions">
          <button id="save" class="button" type="submit" disabled={saving}>
            {item ? "Сохранить изменения" : "Добавить поощрение"}
          </button>
          <button id="cancel-edit" class="button button-secondary" type="button" onClick={onCancel}>Отмена</button>
        </div>
      </form>
    </section>
  );
}
