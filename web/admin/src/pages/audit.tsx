// The audit log as sentences: who (name and role title from the API), what, when in Chelyabinsk
// time, the comment; the raw entry is a click away. Filters by poll, person and days; CSV export.
import { useState } from "preact/hooks";
import { data } from "@shared/api/client";
import { messageOf, ApiError } from "@shared/problems";
import { ErrorBox, Time } from "@shared/ui/feedback";
import { TextField } from "@shared/ui/fields";
import { useLoad } from "@shared/ui/load";
import "../styles/site.css";
import "../styles/audit.css";
import { adminSession } from "../shell/session";
import { mountStaffPage, useBusy, useStaff } from "../shell/staff";
import { dayBound, raw, what, who, type AuditEntry } from "../parts/audit/entry";

type Filters = { poll_id: string; actor: string; from: string; to: string };
type Page = { items: AuditEntry[]; next_cursor: string | null };

function query(f: Filters): Record<string, string> {
  const q: Record<string, string> = {};
  if (f.poll_id.trim()) q.poll_id = f.poll_id.trim();
  if (f.actor.trim()) q.actor = f.actor.trim();
  const from = dayBound(f.from);
  const to = dayBound(f.to, true);
  if (from) q.from = from;
  if (to) q.to = to;
  return q;
}

function Entry({ e }: { e: AuditEntry }) {
  return (
    <li class="audit-entry">
      <p class="audit-sentence">
        <Time value={e.at} /> · <strong class="audit-who">{who(e)}</strong>
        {e.actor_role_title && e.actor_role !== "system" && <span class="audit-role"> ({e.actor_role_title})</span>}
        {" — "}{what(e)}.
      </p>
      {e.comment && <p class="audit-comment">Комментарий: «{e.comment}»</p>}
      <details class="audit-raw">
        <summary>Запись № {e.seq} полностью</summary>
        <pre class="raw-entry">{raw(e)}</pre>
      </details>
    </li>
  );
}

function AuditLog() {
  const { api, config } = useStaff();
  const initial: Filters = { poll_id: new URLSearchParams(window.location.search).get("poll_id") ?? "", actor: "", from: "", to: "" };
  const [form, setForm] = useState<Filters>(initial);
  const [applied, setApplied] = useState<Filters>(initial);
  const [more, setMore] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dateErrors, setDateErrors] = useState<Record<string, string>>({});
  const [busyMore, setBusyMore] = useState(false);

  const first = useLoad(async () => {
    const page = (await data(api.GET("/v1/admin/audit", { params: { query: query(applied) } }))) as Page;
    setMore([]);
    setCursor(page.next_cursor);
    return page.items;
  }, [applied]);
  useBusy("audit", first.loading || busyMore);

  const set = (key: keyof Filters) => (v: string) => setForm({ ...form, [key]: v });
  const apply = (event: Event) => {
    event.preventDefault();
    const errors: Record<string, string> = {};
    for (const key of ["from", "to"] as const) {
      if (form[key].trim() && !dayBound(form[key])) errors[key] = "Введите дату в виде дд.мм.гггг";
    }
    setDateErrors(errors);
    if (!Object.keys(errors).length) { setError(null); setApplied({ ...form }); }
  };
  const loadMore = async () => {
    if (!cursor) return;
    setBusyMore(true);
    try {
      const page = (await data(api.GET("/v1/admin/audit", { params: { query: { ...query(applied), cursor } } }))) as Page;
      setMore([...more, ...page.items]);
      setCursor(page.next_cursor);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusyMore(false);
    }
  };
  const csv = async () => {
    setError(null);
    try {
      const token = adminSession.read()?.token;
      const url = `${config.apiBase}/v1/admin/audit.csv?${new URLSearchParams(query(applied))}`;
      const response = await fetch(url, { headers: { Authorization: `Bearer ${token ?? ""}` }, credentials: "omit", cache: "no-store" });
      if (!response.ok) throw new ApiError((await response.json().catch(() => null))?.detail ?? `Сервер ответил ошибкой (код ${response.status}).`, response.status);
      const link = document.createElement("a");
      link.href = URL.createObjectURL(await response.blob());
      link.download = "audit.csv";
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (e) {
      setError(messageOf(e));
    }
  };

  const fieldErrors = first.error ? {} : dateErrors;
  const entries = [...(first.data ?? []), ...more];
  return (
    <>
      <ErrorBox text={error ?? first.error} />
      <form id="audit-filters" class="filters no-print" noValidate onSubmit={apply}>
        <TextField id="a-poll" label="Опрос (идентификатор)" value={form.poll_id} onInput={set("poll_id")} autocomplete="off" />
        <TextField id="a-actor" label="Кто (идентификатор учётной записи)" value={form.actor} onInput={set("actor")} autocomplete="off" />
        <TextField id="a-from" label="С даты" hint="дд.мм.гггг" value={form.from} onInput={set("from")} inputMode="numeric" autocomplete="off" error={fieldErrors.from} />
        <TextField id="a-to" label="По дату" hint="дд.мм.гггг" value={form.to} onInput={set("to")} inputMode="numeric" autocomplete="off" error={fieldErrors.to} />
        <p class="actions">
          <button type="submit" class="button">Показать</button>
          <button type="button" class="button button-secondary" id="audit-csv" onClick={csv}>Выгрузить CSV</button>
        </p>
      </form>
      <p class="muted">Записи новые сверху; время — по челябинскому времени. Журнал только дополняется: записи не правятся и не удаляются.</p>
      {!first.loading && !first.error && entries.length === 0 && <p id="audit-empty" class="notice notice-info">Записей по этим условиям нет.</p>}
      <ol id="audit-list" class="audit-list" aria-label="Записи журнала">
        {entries.map((e) => <Entry key={e.seq} e={e} />)}
      </ol>
      {cursor && <p><button type="button" class="button button-secondary" id="audit-more" disabled={busyMore} onClick={loadMore}>Показать ещё</button></p>}
    </>
  );
}

mountStaffPage({ title: "Журнал аудита", roles: ["moderator", "approver", "admin", "analyst"] }, AuditLog);
