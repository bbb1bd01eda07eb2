// The territory registry (the IT administrator, docs/decisions/017-territory-registry.md): the
// territories of a district with their ОКТМО and population, adding a settlement, renaming one,
// and retiring one nothing references (the server says what does, in Russian, when it refuses).
import { useState } from "preact/hooks";
import { data } from "@shared/api/client";
import { ApiError, messageOf } from "@shared/problems";
import { ErrorBox, Notice } from "@shared/ui/feedback";
import { SelectField, TextField } from "@shared/ui/fields";
import { useLoad } from "@shared/ui/load";
import "../styles/site.css";
import "../styles/territories.css";
import { mountStaffPage, useBusy, useStaff } from "../shell/staff";
import {
  AREA_KINDS, childrenOf, createBody, emptyForm, formOf, localErrors, patchBody,
  type Registry, type RegistryItem, type TerritoryForm,
} from "../parts/territories/model";
import { TerritoryTable } from "../parts/territories/table";
import { TerritoryEditor } from "../parts/territories/editor";

const PILOT = "mr-satkinsky";

function TerritoriesPage() {
  const { api } = useStaff();
  const registry = useLoad(async () => (await data(api.GET("/v1/admin/territories"))) as Registry, []);
  const [area, setArea] = useState(PILOT);
  const [mode, setMode] = useState<"create" | "edit" | null>(null);
  const [editing, setEditing] = useState<RegistryItem | undefined>();
  const [form, setForm] = useState<TerritoryForm>(emptyForm(PILOT));
  const [retiring, setRetiring] = useState<RegistryItem | null>(null);
  const [comment, setComment] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useBusy("territories", registry.loading || busy);

  const reg = registry.data;
  const order = (t: RegistryItem) => AREA_KINDS.indexOf(t.kind);
  const areas = (reg?.items ?? []).filter((t) => AREA_KINDS.includes(t.kind) && !t.retired_at)
    .sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name, "ru"));
  const current = areas.find((a) => a.id === area) ?? areas[0];

  const act = async (work: () => Promise<void>) => {
    setError(null);
    setDone(null);
    setBusy(true);
    try {
      await work();
    } catch (e) {
      if (e instanceof ApiError) setErrors(e.fieldErrors());
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const close = () => { setMode(null); setEditing(undefined); setErrors({}); };
  const startCreate = () => { setRetiring(null); setMode("create"); setEditing(undefined); setErrors({}); setForm(emptyForm(current?.id ?? PILOT)); };
  const startEdit = (t: RegistryItem) => { setRetiring(null); setMode("edit"); setEditing(t); setErrors({}); setForm(formOf(t)); };
  const save = () => {
    const found = localErrors(form);
    setErrors(found);
    if (Object.keys(found).length) { setError("Исправьте поля, отмеченные ниже."); setDone(null); return; }
    act(async () => {
      if (mode === "create") {
        const saved = (await data(api.POST("/v1/admin/territories", { body: createBody(form) }))) as RegistryItem;
        setDone(`Территория «${saved.name}» добавлена и записана в журнал аудита. Жители могут выбрать её сразу.`);
        if (saved.parent_id) setArea(saved.parent_id);
      } else if (editing) {
        const saved = (await data(api.PATCH("/v1/admin/territories/{territory_id}", {
          params: { path: { territory_id: editing.id } }, body: patchBody(form) }))) as RegistryItem;
        setDone(`Изменения «${saved.name}» сохранены и записаны в журнал аудита.`);
      }
      close();
      registry.reload();
    });
  };
  const retire = () => act(async () => {
    if (!retiring) return;
    const body = comment.trim() ? { comment: comment.trim() } : {};
    await data(api.POST("/v1/admin/territories/{territory_id}/retire", { params: { path: { territory_id: retiring.id } }, body }));
    setDone(`Территория «${retiring.name}» выведена из реестра; запись в журнале аудита сохранена.`);
    setRetiring(null);
    setComment("");
    registry.reload();
  });

  return (
    <>
      <ErrorBox text={error ?? registry.error} />
      {done && <div id="territories-done"><Notice>{done}</Notice></div>}
      {reg && (
        <p class="muted territory-source">
          Реестр, версия {reg.version || "из файла поставки"}. Источник: {reg.source}. Изменения действуют сразу; другие
          экземпляры сервиса видят их в течение минуты.
        </p>
      )}
      {reg && !reg.editable && <Notice>Реестр не подключён к хранилищу: изменения недоступны.</Notice>}
      {reg && current && (
        <div class="filters territory-filters">
          <SelectField id="t-area" label="Район или округ" value={current.id} onChange={(v) => { setArea(v); setRetiring(null); }}
            options={areas.map((a) => [a.id, a.name])} />
          {reg.editable && (
            <p class="actions"><button type="button" id="territory-add" class="button" disabled={busy} onClick={startCreate}>
              Добавить территорию</button></p>
          )}
        </div>
      )}
      {reg && mode && (
        <TerritoryEditor mode={mode} form={form} setForm={setForm} errors={errors} kinds={reg.kinds} areas={areas}
          busy={busy} onSave={save} onClose={close} editing={editing} />
      )}
      {retiring && (
        <section class="territory-panel" aria-labelledby="retire-title" id="territory-retire">
          <h2 id="retire-title">Вывести «{retiring.name}» из реестра?</h2>
          <p>Территория не удаляется: она перестаёт предлагаться жителям и сотрудникам. Если на неё ссылаются опросы,
            назначения или жители, сервис откажет и назовёт их.</p>
          <TextField id="t-retire-comment" label="Причина (для журнала аудита)" value={comment} onInput={setComment} maxLength={500} />
          <p class="actions">
            <button type="button" class="button" disabled={busy} onClick={retire}>Вывести из реестра</button>
            <button type="button" class="button button-secondary" disabled={busy} onClick={() => setRetiring(null)}>Отмена</button>
          </p>
        </section>
      )}
      {reg && current && (
        <section aria-labelledby="territory-list-title">
          <h2 id="territory-list-title">{current.name}</h2>
          <TerritoryTable area={current} items={childrenOf(reg.items, current.id)} busy={busy} editable={reg.editable}
            onEdit={startEdit} onRetire={(t) => { close(); setRetiring(t); setComment(""); }} />
        </section>
      )}
    </>
  );
}

mountStaffPage({ title: "Реестр территорий", roles: ["admin"] }, TerritoriesPage);
