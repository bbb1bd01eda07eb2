// The rewards catalogue: every reward with its stock and validity at a glance; the IT administrator
// manages the whole catalogue, a moderator the rewards of their territories. Each change is audited.
import { useEffect, useState } from "preact/hooks";
import { data } from "@shared/api/client";
import { useLoad } from "@shared/ui/load";
import "../styles/site.css";
import "../styles/shop.css";
import { mountStaffPage, useBusy, useStaff } from "../shell/staff";
import { ItemEditor } from "../parts/shop/editor";
import { knownPartners, type ShopItem } from "../parts/shop/model";
import { ItemTable } from "../parts/shop/table";
import { placed, type Territory } from "../parts/territories";

type Editing = { item: ShopItem | null } | null;

function Shop() {
  const { api, me, has } = useStaff();
  const items = useLoad(async () => (await data(api.GET("/v1/admin/shop/items"))).items as ShopItem[], []);
  const tree = useLoad(async () => (await data(api.GET("/v1/territories"))).territories as Territory[], []);
  useBusy("items", items.loading);
  useBusy("territories", tree.loading);
  const [editing, setEditing] = useState<Editing>(null);
  const [done, setDone] = useState<string | null>(null);

  const scope = ((me.scope_territories ?? []) as Territory[]).map((t) => t.id);
  const roots = has("admin") ? null : scope;
  const options = tree.data ? placed(tree.data, roots) : [];
  const canAdd = has("admin") || scope.length > 0;

  useEffect(() => {
    if (editing) document.getElementById("editor-heading")?.focus();
  }, [editing]);

  const open = (item: ShopItem | null) => {
    setDone(null);
    setEditing({ item });
  };
  const saved = (item: ShopItem, created: boolean) => {
    setEditing(null);
    setDone(created ? `Поощрение «${item.title}» добавлено в каталог.` : `Изменения поощрения «${item.title}» сохранены.`);
    items.reload();
    window.setTimeout(() => document.getElementById("shop-done")?.focus(), 0);
  };

  const error = items.error ?? tree.error;
  const list = items.data ?? [];
  return (
    <>
      <p class="muted">Поощрения, которые жители получают за баллы. Администратор управляет всем каталогом,
        модератор — поощрениями своих территорий. Каждое изменение записывается в журнал аудита.</p>
      {error && <div id="shop-error" class="notice notice-error" role="alert">{error}</div>}
      {done && <p id="shop-done" class="notice notice-info" tabIndex={-1}>{done}</p>}
      {items.data !== undefined && tree.data !== undefined && !error && (
        <>
          <div class="actions shop-toolbar">
            <button id="new-item" class="button" type="button" disabled={!canAdd || editing?.item === null}
              aria-describedby={canAdd ? undefined : "new-item-reason"} onClick={() => open(null)}>
              Добавить поощрение
            </button>
            {!canAdd && (
              <p id="new-item-reason" class="disabled-reason">
                У вас нет зоны ответственности: добавить поощрение нельзя. Обратитесь к администратору.
              </p>
            )}
          </div>
          {editing && (
            <ItemEditor key={editing.item?.id ?? "new"} item={editing.item} territories={options}
              partners={knownPartners(list)} onSaved={saved} onCancel={() => setEditing(null)} />
          )}
          <section id="catalogue" aria-labelledby="catalogue-heading">
            <h2 id="catalogue-heading">Поощрения</h2>
            {list.length > 0
              ? <ItemTable items={list} onEdit={open} />
              : <p id="empty" class="muted">В каталоге пока нет поощрений в вашей зоне ответственности.</p>}
          </section>
        </>
      )}
    </>
  );
}

mountStaffPage({ title: "Каталог поощрений", roles: ["admin", "moderator"] }, Shop);
