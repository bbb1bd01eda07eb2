// What was done with the result: the decision and its status, dated updates with links and photos
// (dates дд.мм.гггг; up to 6 photos through the shared image field, alt text required), edited by
// the territory's moderator or the Directorate; and the informing step — a news item about the
// result, sent for approval.
import { useRef, useState } from "preact/hooks";
import { data } from "@shared/api/client";
import { ApiError, MESSAGES, messageOf } from "@shared/problems";
import { SelectField, TextArea, TextField } from "@shared/ui/fields";
import { IMAGE_MESSAGES, ImageField, imageReady, imageRef, type ImageValue } from "@shared/ui/image";
import { formatPlainDate, parseDateInput } from "@shared/time";
import { useStaff } from "../../shell/staff";
import { PageError, Reason } from "./common";
import { MAX_PHOTOS, UPDATE_KEYS, photosOf, withPhoto, type PhotoSlot } from "./executionPhotos";
import type { Execution } from "./types";

const STATUSES: [string, string][] = [["planned", "запланировано"], ["in_progress", "выполняется"], ["done", "выполнено"]];

/** A refusal's field errors keyed by the form's own fields (`links.0` → `links`); the rest as a sentence. */
export function formErrors(e: unknown, keys: readonly string[]): { fields: Record<string, string>; page: string } {
  if (!(e instanceof ApiError) || !e.errors.length) return { fields: {}, page: messageOf(e) };
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  for (const err of e.errors) {
    const key = keys.find((k) => err.field === k || err.field.startsWith(`${k}.`));
    if (key && !(key in fields)) fields[key] = err.detail;
    else if (!key) rest.push(err.detail);
  }
  return { fields, page: rest.length ? rest.join(" ") : MESSAGES.fixFields };
}

function Report({ report }: { report: Execution | null }) {
  if (!report) return <p class="muted">Отчёт об исполнении ещё не заполнен.</p>;
  return (
    <>
      <p>Решение: {report.decision}</p>
      <p>Статус: {report.status_title}</p>
      {report.updates.length > 0 && (
        <ol class="history execution-updates">
          {report.updates.map((u, i) => (
            <li key={i}>
              <span class="nowrap">{formatPlainDate(u.date)}</span>: {u.text}
              {u.links.map((href) => <> <a key={href} href={href} rel="noopener noreferrer">{href}</a></>)}
              {u.photos.length > 0 && (
                <ul class="execution-photos">
                  {u.photos.map((p) => <li key={p.id}><img src={p.url} alt={p.alt} loading="lazy" /></li>)}
                </ul>
              )}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

export function ExecutionSection({ pollId, initial }: { pollId: string; initial: Execution | null }) {
  const { api, has } = useStaff();
  const author = has("moderator", "approver");
  const [report, setReport] = useState<Execution | null>(initial);
  const [decision, setDecision] = useState(initial?.decision ?? "");
  const [status, setStatus] = useState(initial?.status ?? "planned");
  const [date, setDate] = useState("");
  const [text, setText] = useState("");
  const [links, setLinks] = useState("");
  const nextKey = useRef(1);
  const [slots, setSlots] = useState<PhotoSlot[]>([{ key: 0, value: null }]);
  const photos = photosOf(slots);
  const setPhoto = (key: number, value: ImageValue | null) =>
    setSlots((all) => withPhoto(all, key, value, () => nextKey.current++));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const [informed, setInformed] = useState("");
  const path = { params: { path: { poll_id: pollId } } };

  const saveReport = async (e: Event) => {
    e.preventDefault();
    setErrors({}); setError(null); setNote("");
    try {
      setReport(await data(api.PUT("/v1/admin/polls/{poll_id}/execution", { ...path, body: { decision: decision.trim(), status: status as "planned" } })));
      setNote("Отчёт об исполнении сохранён.");
    } catch (err) {
      const { fields, page } = formErrors(err, ["decision", "status"]);
      setErrors(fields); setError(page);
    }
  };
  const addUpdate = async (e: Event) => {
    e.preventDefault();
    setErrors({}); setError(null); setNote("");
    const iso = parseDateInput(date);
    const own: Record<string, string> = {};
    if (!iso) own.date = "Введите дату в виде дд.мм.гггг.";
    photos.forEach((p, i) => { if (!imageReady(p)) own[`photos.${i}.alt`] = IMAGE_MESSAGES.altRequired; });
    if (!iso || Object.keys(own).length) { setErrors(own); setError(MESSAGES.fixFields); return; }
    try {
      const list = links.split("\n").map((s) => s.trim()).filter(Boolean);
      const refs = photos.map((p) => imageRef(p)!);
      setReport(await data(api.POST("/v1/admin/polls/{poll_id}/execution/updates",
        { ...path, body: { date: iso, text: text.trim(), links: list, photos: refs } })));
      setDate(""); setText(""); setLinks(""); setSlots([{ key: nextKey.current++, value: null }]);
      setNote("Запись о ходе исполнения добавлена.");
    } catch (err) {
      const { fields, page } = formErrors(err, UPDATE_KEYS);
      setErrors(fields); setError(page);
    }
  };
  const inform = async () => {
    setError(null);
    try {
      const item = (await data(api.POST("/v1/admin/polls/{poll_id}/inform", path))) as unknown as { title: string; state_title: string };
      setInformed(`Новость «${item.title}» отправлена на согласование (${item.state_title}).`);
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <section id="execution-section" aria-labelledby="execution-title">
      <h2 id="execution-title">Исполнение решения</h2>
      <div id="execution-view"><Report report={report} /></div>
      <PageError id="execution-error" text={error} />
      {note && <p class="notice notice-info" role="status">{note}</p>}
      {!author && <Reason>Отчёт об исполнении ведут модератор территории и Управление по внутренней политике.</Reason>}
      {author && (
        <>
          <form id="execution-form" class="no-print" novalidate onSubmit={saveReport}>
            <h3>{report ? "Изменить решение и статус" : "Заполнить отчёт"}</h3>
            <TextArea id="x-decision" label="Принятое решение" rows={3} maxLength={5000} value={decision} error={errors.decision} onInput={setDecision} />
            <SelectField id="x-status" label="Статус исполнения" value={status} options={STATUSES} error={errors.status} onChange={setStatus} />
            <p><button type="submit" class="button" id="x-save">Сохранить отчёт</button></p>
          </form>
          {report ? (
            <form id="update-form" class="no-print" novalidate onSubmit={addUpdate}>
              <h3>Добавить запись о ходе исполнения</h3>
              <div class="field-row">
                <TextField id="u-date" label="Дата" hint="дд.мм.гггг" inputMode="numeric" value={date} error={errors.date} onInput={setDate} />
                <TextArea id="u-links" label="Ссылки (по одной в строке)" rows={2} value={links} error={errors.links} onInput={setLinks} />
              </div>
              <TextArea id="u-text" label="Что сделано" rows={2} value={text} error={errors.text} onInput={setText} />
              <div class="execution-photo-fields">
                {slots.map((slot, i) => (
                  <ImageField key={slot.key} id={`u-photo-${i}`} api={api} value={slot.value}
                    label={slot.value ? `Фотография ${i + 1}` : `Фотография ${i + 1} (необязательно)`}
                    hint={slot.value ? undefined : `До ${MAX_PHOTOS} фотографий к записи: жители увидят их в приложении.`}
                    error={errors[`photos.${i}`] ?? (i === 0 ? errors.photos : undefined)} altError={errors[`photos.${i}.alt`]}
                    onChange={(v) => setPhoto(slot.key, v)} />
                ))}
              </div>
              <p><button type="submit" class="button button-secondary-dark">Добавить запись</button></p>
            </form>
          ) : <Reason>Записи о ходе исполнения добавляются после того, как отчёт сохранён.</Reason>}
          <h3>Информирование жителей</h3>
          <p class="no-print"><button type="button" class="button" id="inform" onClick={inform}>Сообщить жителям об итогах</button></p>
          <p class="hint">Новость об итогах уйдёт на согласование в Управление по внутренней политике и после него появится в ленте жителей.</p>
          {informed && <p id="inform-result" class="notice notice-info" role="status">{informed}</p>}
        </>
      )}
    </section>
  );
}
