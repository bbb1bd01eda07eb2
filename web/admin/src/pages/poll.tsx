// The poll editor (poll.html?id=…; without an id, a new draft): content, territories from the
// region's tree, voting period in Chelyabinsk time, questions; a live preview of the resident's
// phone; save, submit for approval, cancel; the workflow's history with the Directorate's comments.
import "../styles/site.css";
import "../styles/polls.css";
import "../styles/poll-images.css";
import { useMemo, useState } from "preact/hooks";
import { data } from "@shared/api/client";
import { ApiError, MESSAGES, messageOf } from "@shared/problems";
import { DateTimeField, SelectField, TextArea, TextField } from "@shared/ui/fields";
import { useLoad } from "@shared/ui/load";
import { ImageField } from "@shared/ui/image";
import { mountStaffPage, useBusy, useStaff } from "../shell/staff";
import { placed, territoryNames, type Territory } from "../parts/territories";
import { getPoll, roleTitles, territories } from "../parts/polls/load";
import { MAX_QUESTIONS, blankQuestion, bodyOf, formOf, imageValue, localErrors, newForm, placeErrors, type PollForm } from "../parts/polls/form";
import { QuestionEditor } from "../parts/polls/QuestionEditor";
import { TerritoryPicker } from "../parts/polls/TerritoryPicker";
import { PhonePreview } from "../parts/polls/PhonePreview";
import { History } from "../parts/polls/History";
import { CancelPoll } from "../parts/polls/CancelPoll";
import { PageError, Reason } from "../parts/polls/common";
import { EDITABLE, WITH_RESULTS, pageId, pollHref, resultsHref, type Poll } from "../parts/polls/types";

type Loaded = { poll: Poll | null; all: Territory[]; roles: Record<string, string> };

const VISIBILITY: [string, string][] = [["after_close", "после завершения голосования"], ["after_vote", "сразу после своего голоса"]];

function Editor({ initial, all, roles }: Loaded & { initial: Poll | null }) {
  const { api, me, has } = useStaff();
  const [poll, setPoll] = useState<Poll | null>(initial);
  const [form, setForm] = useState<PollForm>(() => (initial ? formOf(initial) : newForm()));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [pageError, setPageError] = useState<string | null>(null);
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);

  const drafter = has("moderator", "approver");
  const editable = drafter && (!poll || EDITABLE.includes(poll.state));
  const pickable = useMemo(() => placed(all, has("approver") ? null : (me.scope_territories ?? []).map((t) => t.id)), [all]);
  // A poll already targets its territories even if the person's scope has changed since.
  const items = useMemo(() => [...pickable, ...placed(all, form.territory_ids.filter((id) => !pickable.some((t) => t.id === id)))
    .filter((t) => form.territory_ids.includes(t.id)).map((t) => ({ ...t, depth: 0 }))], [pickable, form.territory_ids]);

  const set = (patch: Partial<PollForm>) => setForm((f) => ({ ...f, ...patch }));
  // Structural edits (an option or a question added or removed) move the paths errors are keyed by.
  const setQuestion = (i: number, q: PollForm["questions"][number], structural = false) => {
    set({ questions: form.questions.map((old, k) => (k === i ? q : old)) });
    if (structural) setErrors({});
  };

  const save = async (): Promise<Poll | null> => {
    setErrors({}); setPageError(null); setMessage("");
    const local = localErrors(form);
    if (Object.keys(local).length) {
      setErrors(local);
      setPageError(MESSAGES.fixFields);
      return null;
    }
    try {
      const body = bodyOf(form);
      const saved = (poll
        ? await data(api.PATCH("/v1/admin/polls/{poll_id}", { params: { path: { poll_id: poll.id } }, body: { ...body, version: poll.version } }))
        : await data(api.POST("/v1/admin/polls", { body }))) as unknown as Poll;
      if (!poll) window.history.replaceState(null, "", pollHref(saved.id));
      setPoll(saved);
      return saved;
    } catch (e) {
      if (e instanceof ApiError && e.errors.length) {
        const { fields, rest } = placeErrors(form, e.errors);
        setErrors(fields);
        setPageError(rest.length ? rest.join(" ") : MESSAGES.fixFields);
      } else {
        setPageError(messageOf(e));
      }
      return null;
    }
  };

  const run = async (submit: boolean) => {
    setBusy(true);
    try {
      const saved = await save();
      if (!saved) return;
      if (!submit) { setMessage("Черновик сохранён."); return; }
      const sent = await data(api.POST("/v1/admin/polls/{poll_id}/submit", { params: { path: { poll_id: saved.id } }, body: { comment: null } }));
      setPoll(sent as unknown as Poll);
      setMessage("Опрос отправлен на согласование в Управление по внутренней политике.");
    } catch (e) {
      setPageError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const heading = poll ? `Опрос «${poll.title}»` : "Новый опрос";
  if (document.title.split(" — ")[0] !== heading) document.title = `${heading} — Активный житель 74`;

  return (
    <>
      <p id="poll-state" class="poll-state">
        {poll ? <>Состояние: <strong>{poll.state_title}</strong>. Версия {poll.version}.</> : "Новый черновик: ещё не сохранён."}
        {poll && WITH_RESULTS.includes(poll.state) && <> <a href={resultsHref(poll.id)}>{poll.state === "final" ? "Итоги и исполнение" : "Участие"}</a></>}
        {poll?.state === "in_review" && has("approver") && <> <a href="/review.html">Рассмотреть в очереди согласования</a></>}
      </p>
      {!drafter && <Reason id="edit-reason">Опросы создают и редактируют модератор территории и Управление по внутренней политике; вам опрос доступен для просмотра.</Reason>}
      {drafter && poll && !editable && <Reason id="edit-reason">Опрос {poll.state_title}: редактировать можно только черновик или отклонённый опрос.</Reason>}
      <PageError id="form-error" text={pageError} />
      <div class="editor-layout">
        <form id="poll-form" novalidate aria-label="Опрос" onSubmit={(e) => { e.preventDefault(); run(false); }}>
          <fieldset class="plain-fieldset" disabled={!editable}>
            <legend class="visually-hidden">Содержание опроса</legend>
            <TextField id="f-title" label="Заголовок" value={form.title} maxLength={200} required error={errors.title} onInput={(title) => set({ title })} />
            <TextArea id="f-description" label="Описание" value={form.description} rows={4} maxLength={5000} error={errors.description}
              onInput={(description) => set({ description })} />
            <ImageField id="f-image" label="Изображение опроса (необязательно)" api={api} value={imageValue(form.image)}
              onChange={(image) => set({ image })} error={errors.image} altError={errors["image.alt"]} disabled={!editable}
              hint="Жители увидят его над описанием опроса." />
            <TerritoryPicker id="f-territories" legend={has("approver") ? "Территории" : "Территории (в пределах вашей зоны ответственности)"}
              items={items} value={form.territory_ids} disabled={!editable} error={errors.territory_ids} onChange={(territory_ids) => set({ territory_ids })} />
            <div class="field-row">
              <DateTimeField id="f-opens" label="Начало голосования" value={form.opens_at ?? ""} required error={errors.opens_at} onChange={(opens_at) => set({ opens_at })} />
              <DateTimeField id="f-closes" label="Окончание голосования" value={form.closes_at ?? ""} required error={errors.closes_at} onChange={(closes_at) => set({ closes_at })} />
            </div>
            <div class="field-row">
              <TextField id="f-min-age" label="Минимальный возраст участника" inputMode="numeric" value={form.min_age} error={errors.min_age}
                hint="Полных лет в году голосования" onInput={(min_age) => set({ min_age })} />
              <SelectField id="f-visibility" label="Когда жители видят результаты" value={form.results_visibility} options={VISIBILITY}
                error={errors.results_visibility} onChange={(v) => set({ results_visibility: v as PollForm["results_visibility"] })} />
            </div>
            <h2>Вопросы</h2>
            {errors.questions && <p class="field-error">{errors.questions}</p>}
            <div id="questions">
              {form.questions.map((q, i) => (
                <QuestionEditor key={i} index={i} question={q} errors={errors} disabled={!editable} removable={form.questions.length > 1}
                  onChange={(next, structural) => setQuestion(i, next, structural)}
                  onRemove={() => { set({ questions: form.questions.filter((_, k) => k !== i) }); setErrors({}); }} />
              ))}
            </div>
            {editable && (form.questions.length < MAX_QUESTIONS
              ? <p><button type="button" class="button button-secondary-dark" id="add-question"
                  onClick={() => { set({ questions: [...form.questions, blankQuestion()] }); setErrors({}); }}>Добавить вопрос</button></p>
              : <Reason>В опросе не больше {MAX_QUESTIONS} вопросов.</Reason>)}
          </fieldset>
          {editable && (
            <p class="actions form-actions">
              <button type="submit" class="button" id="save" disabled={busy}>Сохранить черновик</button>
              <button type="button" class="button" id="submit-review" disabled={busy} onClick={() => run(true)}>Отправить на согласование</button>
            </p>
          )}
          {message && <p id="form-message" class="notice notice-info" role="status">{message}</p>}
          {poll && <div class="form-actions"><CancelPoll poll={poll} onDone={(p) => { setPoll(p); setMessage("Опрос отменён."); }} /></div>}
        </form>
        <aside class="preview" aria-labelledby="preview-title">
          <h2 id="preview-title" class="phone-heading">Как увидит житель</h2>
          <PhonePreview content={{
            title: form.title, description: form.description, closes_at: form.closes_at, image: form.image,
            territoryNames: territoryNames(all, form.territory_ids),
            questions: form.questions.map((q) => ({ text: q.text, kind: q.kind, min_choices: Number(q.min) || 1,
              max_choices: Number(q.max) || null, options: q.options })),
          }} />
        </aside>
      </div>
      {poll && (
        <section id="history-section" aria-labelledby="history-title">
          <h2 id="history-title">История согласования и комментарии</h2>
          <History items={poll.history ?? []} roleTitles={roles} />
        </section>
      )}
    </>
  );
}

function PollPage() {
  const { api, has } = useStaff();
  const id = pageId();
  const { data: loaded, error, loading } = useLoad<Loaded>(async () => {
    const [poll, all, roles] = await Promise.all([id ? getPoll(api, id) : Promise.resolve(null), territories(api), roleTitles(api)]);
    return { poll, all, roles };
  }, [id]);
  useBusy("poll", loading);
  if (error) return <PageError text={error} />;
  if (!loaded) return null;
  if (!loaded.poll && !has("moderator", "approver")) {
    return <Reason>Опросы создают модератор территории и Управление по внутренней политике. Выберите опрос на странице «Опросы».</Reason>;
  }
  return <Editor initial={loaded.poll} {...loaded} />;
}

mountStaffPage({ title: "Опрос", roles: ["moderator", "approver", "admin", "analyst"] }, PollPage);
