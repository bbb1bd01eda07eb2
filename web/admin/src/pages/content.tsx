// The content desk: a moderator's (or approver's) feed items by state; drafting and editing news,
// events and missing-person notices; sending them to review; the workflow's history; an approver
// retracts what is published; a found person is recorded on their notice.
import "../styles/site.css";
import "../styles/content.css";
import { useState } from "preact/hooks";
import { data } from "@shared/api/client";
import { SelectField } from "@shared/ui/fields";
import { Notice, TableWrap, Time } from "@shared/ui/feedback";
import { useLoad } from "@shared/ui/load";
import { mountStaffPage, useBusy, useStaff } from "../shell/staff";
import { placed } from "../parts/territories";
import { useDeskData, type DeskData } from "../parts/content/desk-data";
import { ContentEditor, type SendAction } from "../parts/content/editor";
import { FoundForm, RetractForm, SubmitButton } from "../parts/content/item-actions";
import { EDITABLE, RETRACTABLE, STATE_GROUPS, TYPE_TITLES, contentHref, type ContentItem, type ContentState,
  type ContentType } from "../parts/content/model";
import { ContentDetails, HistoryList, PartError } from "../parts/content/view";

const NEW_TYPES: ContentType[] = ["news", "event", "missing_person"];
const param = (name: string) => new URLSearchParams(window.location.search).get(name) ?? "";

function useOptions(desk: DeskData | undefined) {
  const { me, has } = useStaff();
  const scope = ((me.scope_territories ?? []) as { id: string }[]).map((t) => t.id);
  return desk ? placed(desk.territories, has("approver") || !scope.length ? null : scope) : [];
}

function ContentList({ desk }: { desk: DeskData }) {
  const { api } = useStaff();
  const [state, setState] = useState<ContentState | "">((param("state") as ContentState) || "");
  const list = useLoad(async () => {
    const query = state ? { state, limit: 50 } : { limit: 50 };
    return (await data(api.GET("/v1/admin/content", { params: { query } }))).items as unknown as ContentItem[];
  }, [state]);
  useBusy("list", list.loading);
  return (
    <>
      <section class="new-content" aria-labelledby="new-heading">
        <h2 id="new-heading">Новый материал</h2>
        <p class="actions">
          {NEW_TYPES.map((t) => <a key={t} id={`new-${t}`} class="button" href={`/content.html?new=${t}`}>{TYPE_TITLES[t]}</a>)}
        </p>
      </section>
      <section aria-labelledby="list-heading">
        <h2 id="list-heading">Мои материалы</h2>
        <div class="filters">
          <SelectField id="state-filter" label="Состояние" value={state} onChange={(v) => setState(v as ContentState)}
            options={[["", "Все"], ...STATE_GROUPS]} />
        </div>
        <PartError id="list-error" text={list.error} />
        {list.data && (list.data.length === 0 ? <p class="muted">Материалов нет.</p> : (
          <TableWrap label="Материалы ленты">
            <table id="content-list" class="data-table">
              <thead><tr><th scope="col">Заголовок</th><th scope="col">Тип</th><th scope="col">Состояние</th>
                <th scope="col">Территории</th><th scope="col">Создан</th></tr></thead>
              <tbody>
                {list.data.map((c) => (
                  <tr key={c.id} data-id={c.id}>
                    <td><a href={contentHref(c.id)}>{c.title}</a></td>
                    <td class="nowrap">{TYPE_TITLES[c.type]}</td>
                    <td class="nowrap">{c.state_title}</td>
                    <td>{desk.names(c.territory_ids).join(", ")}</td>
                    <td><Time value={c.created_at} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        ))}
      </section>
    </>
  );
}

function NewContent({ type, desk }: { type: ContentType; desk: DeskData }) {
  const { api } = useStaff();
  const options = useOptions(desk);
  const submit: SendAction = {
    label: "Сохранить и отправить на согласование",
    then: async (item) => await data(api.POST("/v1/admin/content/{content_id}/submit", {
      params: { path: { content_id: item.id } }, body: { comment: null } })) as unknown as ContentItem,
  };
  return (
    <section aria-labelledby="editor-heading">
      <h2 id="editor-heading">{TYPE_TITLES[type]}: новый черновик</h2>
      <ContentEditor type={type} options={options} actions={[{ label: "Сохранить черновик" }, submit]}
        onDone={(item) => window.location.assign(contentHref(item.id))}
        onCancel={() => window.location.assign("/content.html")} />
    </section>
  );
}

function ItemView({ id, desk }: { id: string; desk: DeskData }) {
  const { api, has } = useStaff();
  const options = useOptions(desk);
  const [editing, setEditing] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [current, setCurrent] = useState<ContentItem | null>(null);
  const loaded = useLoad(async () => await data(api.GET("/v1/admin/content/{content_id}", {
    params: { path: { content_id: id } } })) as unknown as ContentItem, [id]);
  useBusy("item", loaded.loading);
  const item = current ?? loaded.data;
  if (loaded.error) return <PartError id="item-error" text={loaded.error} />;
  if (!item) return null;
  const done = (saved: ContentItem, text: string) => { setCurrent(saved); setMessage(text); setEditing(false); };
  const drafter = has("moderator", "approver");
  const editable = drafter && EDITABLE.includes(item.state);
  const submit: SendAction = {
    label: "Сохранить и отправить на согласование",
    then: async (saved) => await data(api.POST("/v1/admin/content/{content_id}/submit", {
      params: { path: { content_id: saved.id } }, body: { comment: null } })) as unknown as ContentItem,
  };
  return (
    <article id="content-item" aria-labelledby="item-heading" data-state={item.state}>
      <p><a href="/content.html">← Все материалы</a></p>
      <h2 id="item-heading">{TYPE_TITLES[item.type]}: {item.title}</h2>
      <p id="item-state" class="state-line">Состояние: <strong>{item.state_title}</strong></p>
      {message && <Notice>{message}</Notice>}
      {editing ? (
        <ContentEditor key={item.version} type={item.type} item={item} options={options}
          actions={[{ label: "Сохранить черновик" }, submit]}
          onDone={(saved, a) => done(saved, a.then ? "Материал отправлен на согласование." : "Черновик сохранён.")}
          onCancel={() => setEditing(false)} />
      ) : (
        <>
          <ContentDetails item={item} names={desk.names} />
          <div class="actions item-actions">
            {editable && <button id="edit" type="button" class="button button-secondary" onClick={() => setEditing(true)}>Изменить</button>}
            {editable && <SubmitButton item={item} done={done} />}
          </div>
          {item.state === "in_review" && <p class="muted">Материал на согласовании: изменить его можно после решения.</p>}
          {item.state === "approved" && <p class="muted">Согласован: опубликуется {item.publish_at ? <>не раньше <Time value={item.publish_at} /></> : "в ближайшую минуту"}.</p>}
          {drafter && item.type === "missing_person" && item.state === "published" && item.status !== "found" &&
            <FoundForm item={item} done={done} />}
          {has("approver") && RETRACTABLE.includes(item.state) && <RetractForm item={item} done={done} />}
          {!has("approver") && RETRACTABLE.includes(item.state) &&
            <p class="muted">Снять материал с публикации может Управление по внутренней политике.</p>}
        </>
      )}
      <h3>История</h3>
      <HistoryList id="history" history={item.history} roleTitles={desk.roleTitles} />
    </article>
  );
}

function Desk() {
  const { desk, error } = useDeskData();
  const id = param("id");
  const fresh = param("new") as ContentType;
  if (!desk) return <PartError id="desk-error" text={error} />;
  if (id) return <ItemView id={id} desk={desk} />;
  if (NEW_TYPES.includes(fresh)) return <NewContent type={fresh} desk={desk} />;
  return <ContentList desk={desk} />;
}

mountStaffPage({ title: "Материалы ленты", roles: ["moderator", "approver"] }, Desk);
