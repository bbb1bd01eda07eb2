// One poll: its images and description, the questions with their rules applied as the resident
// answers, the vote (with an Idempotency-Key per attempt, never queued offline), «Голос принят» with
// the receipt kept on the device, the change of a ballot until the poll closes (the last ballot
// counts: docs/decisions/012-ballot-secrecy-and-integrity.md §6), the ballot's state (принят →
// засчитан), the results when the poll shows them, and after close the decision and its execution.
import { useEffect, useState } from "preact/hooks";
import { ApiError, messageOf } from "@shared/problems";
import { formatPlainDate } from "@shared/time";
import { ErrorBox, StatusLine, Time } from "@shared/ui/feedback";
import { useLoad } from "@shared/ui/load";
import { optionsText } from "@shared/verify/merkle";
import { api, data, isSignInNeeded } from "../app/api";
import { useOnline } from "../app/online";
import { link, type Route } from "../app/router";
import { isOffline } from "../app/saved";
import { residentKey } from "../app/session";
import { Screen, SignInNeeded } from "../app/shell";
import { attemptFor, isRetryable, type Attempt } from "../app/attempts";
import { FollowPoll } from "../parts/follow";
import { ResultsChart } from "../parts/polls/chart";
import { ReceiptStore, receiptText, type StoredReceipt } from "../parts/polls/receipts";
import {
  answers, canAdd, choiceTexts, problems, progressText, ruleText, selectionOf, toggle, type Selection,
} from "../parts/polls/rules";
import { PollFacts, VoteStanding, isOpen } from "../parts/polls/summary";
import type { BallotState, Poll, Question, Results } from "../parts/polls/types";
import "../styles/polls.css";

const OFFLINE_VOTE = "Для голосования нужно подключение к интернету";
const CHANGE_HINT = "Вы можете изменить свой выбор до окончания голосования";

const store = new ReceiptStore();

async function loadPoll(id: string): Promise<Poll> {
  const client = await api();
  return data(client.GET("/v1/polls/{poll_id}", { params: { path: { poll_id: id } } }));
}

function Paragraphs({ text }: { text: string }) {
  return <>{text.split(/\n{1,}/).filter((p) => p.trim()).map((p, i) => <p key={i}>{p}</p>)}</>;
}

/** The questions as a read-only list (the resident cannot vote, or the poll is over). */
function QuestionList({ questions }: { questions: Question[] }) {
  return (
    <section aria-labelledby="questions-title">
      <h2 id="questions-title">Вопросы</h2>
      {questions.map((q) => (
        <div class="question" key={q.id}>
          <h3>{q.text}</h3>
          <p class="hint">{q.kind_title}</p>
          <ul class="option-list">
            {q.options.map((o) => (
              <li key={o.id}>
                {o.image && <img class="option-image" src={o.image.url} alt={o.image.alt} loading="lazy" />}
                {o.text}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

type FormProps = {
  poll: Poll;
  initial: Selection;
  changing: boolean;
  onAccepted: (receipt: StoredReceipt) => void;
  onCancel?: () => void;
};

function BallotForm({ poll, initial, changing, onAccepted, onCancel }: FormProps) {
  const online = useOnline();
  const [selection, setSelection] = useState<Selection>(initial);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [attempted, setAttempted] = useState(false);
  const [pending, setPending] = useState<Attempt | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ text: string; details: string[] } | null>(null);
  const open = problems(poll.questions, selection);

  const choose = (q: Question, optionId: string) => {
    setSelection((s) => ({ ...s, [q.id]: toggle(q, s[q.id] ?? [], optionId) }));
    setTouched((t) => ({ ...t, [q.id]: true }));
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setAttempted(true);
    setError(null);
    if (!navigator.onLine) {
      setError({ text: `${OFFLINE_VOTE}. Голос не отправлен.`, details: [] });
      return;
    }
    const missing = Object.keys(open);
    if (missing.length) {
      document.getElementById(`q-${missing[0]}`)?.focus();
      return;
    }
    const body = answers(poll.questions, selection);
    const ids = body.flatMap((a) => a.option_ids);
    const attempt = attemptFor(pending, optionsText(ids));
    setPending(attempt);
    setBusy(true);
    try {
      const client = await api();
      const cast = await data(client.POST("/v1/polls/{poll_id}/ballots", {
        params: { path: { poll_id: poll.id }, header: { "Idempotency-Key": attempt.key } },
        body: { answers: body, commitment: null },
      }));
      const receipt = { ...cast.receipt } as StoredReceipt["receipt"];
      const stored = store.keep(residentKey() ?? "anonymous", {
        pollId: poll.id, title: poll.title, ballotId: cast.ballot_id, receipt,
        choices: choiceTexts(poll.questions, receipt.option_ids), at: new Date().toISOString(),
      });
      setPending(null);
      onAccepted(stored);
    } catch (e) {
      if (e instanceof ApiError && !isRetryable(e.status)) setPending(null);
      if (isOffline(e)) {
        setError({ text: `${OFFLINE_VOTE}. Голос не отправлен: нажмите кнопку ещё раз, когда связь появится.`, details: [] });
      } else if (e instanceof ApiError) {
        setError({ text: e.message, details: e.errors.map((x) => x.detail).filter((d) => d !== e.message) });
      } else {
        setError({ text: messageOf(e), details: [] });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="ballot-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="ballot-title">
      <h2 id="ballot-title">{changing ? "Изменить выбор" : "Ваш выбор"}</h2>
      {poll.questions.map((q, qi) => {
        const chosen = selection[q.id] ?? [];
        const shown = (attempted || touched[q.id]) ? open[q.id] : undefined;
        const single = q.kind === "single" || q.max_choices <= 1;
        const described = [`q-${q.id}-rule`, shown && `q-${q.id}-problem`].filter(Boolean).join(" ");
        return (
          <fieldset class="question field" key={q.id} id={`q-${q.id}`} tabIndex={-1} aria-describedby={described}
            aria-invalid={shown ? "true" : undefined}>
            <legend>{poll.questions.length > 1 ? `${qi + 1}. ` : ""}{q.text}</legend>
            <p id={`q-${q.id}-rule`} class="hint">
              {ruleText(q)} <span aria-live="polite">{progressText(q, chosen)}</span>
            </p>
            <ul class="option-list choices">
              {q.options.map((o) => {
                const checked = chosen.includes(o.id);
                return (
                  <li key={o.id}>
                    <label class={checked ? "choice choice-checked" : "choice"}>
                      <input type={single ? "radio" : "checkbox"} name={`answer-${q.id}`} value={o.id} checked={checked}
                        disabled={busy || (!checked && !canAdd(q, chosen))} onChange={() => choose(q, o.id)} />
                      <span class="choice-text">
                        {o.image && <img class="option-image" src={o.image.url} alt={o.image.alt} loading="lazy" />}
                        {o.text}
                      </span>
                    </label>
                  </li>
                );
              })}
            </ul>
            {shown && <p id={`q-${q.id}-problem`} class="field-error">{shown}</p>}
          </fieldset>
        );
      })}
      {!online && <p class="notice notice-warn" id="offline-vote" role="status">{OFFLINE_VOTE}</p>}
      {error && (
        <div class="notice notice-error" role="alert" id="vote-error">
          <p>{error.text}</p>
          {error.details.length > 0 && <ul>{error.details.map((d) => <li key={d}>{d}</li>)}</ul>}
        </div>
      )}
      <div class="actions">
        <button type="submit" class="button button-wide" disabled={!online || busy}
          aria-describedby={!online ? "offline-vote" : undefined}>
          {busy ? "Отправляем…" : changing ? "Отправить новый выбор" : "Проголосовать"}
        </button>
        {onCancel && <button type="button" class="button button-secondary button-wide" onClick={onCancel}>Оставить прежний выбор</button>}
      </div>
    </form>
  );
}

/** The kept receipt: the choices in words, the ballot, the text to check it with. */
function ReceiptCard({ receipt }: { receipt: StoredReceipt }) {
  return (
    <div class="receipt" id="receipt">
      <h3>Квитанция</h3>
      <dl class="facts">
        <dt>Принят</dt><dd><Time value={receipt.at} /></dd>
        <dt>Бюллетень</dt><dd class="hash">{receipt.ballotId}</dd>
      </dl>
      <ul class="receipt-choices">
        {receipt.choices.map((c) => (
          <li key={c.question}><span class="muted">{c.question}</span> — {c.options.map((o) => `«${o}»`).join(", ")}</li>
        ))}
      </ul>
      <p class="hint">Квитанция сохранена на этом устройстве. После подведения итогов по ней можно проверить, что голос учтён без изменений.</p>
      <details>
        <summary>Текст квитанции</summary>
        <pre class="receipt-text hash" tabIndex={0}>{receiptText(receipt.receipt)}</pre>
      </details>
    </div>
  );
}

function BallotStatus({ poll, receipt, onCounted }: { poll: Poll; receipt: StoredReceipt | null; onCounted: () => void }) {
  const [tick, setTick] = useState(0);
  const state = useLoad(async (): Promise<BallotState | null> => {
    const client = await api();
    try {
      return await data(client.GET("/v1/polls/{poll_id}/ballot", {
        params: { path: { poll_id: poll.id }, query: receipt ? { ballot_id: receipt.ballotId } : {} },
      }));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  }, [poll.id, receipt?.receipt.commitment, tick]);
  const body = state.data as (BallotState & { commitment?: string; reason?: string }) | null | undefined;
  // The ledger may still hold the previous ballot while a change is on its way: that is «принят».
  const changePending = Boolean(body && body.state === "counted" && receipt && body.commitment
    && body.commitment !== receipt.receipt.commitment && isOpen(poll));
  const counted = body?.state === "counted" && !changePending;
  useEffect(() => {
    if (counted) onCounted();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [counted]);
  // While the ballot is on its way, look again every few seconds (a dozen times at most).
  useEffect(() => {
    if (!body || counted || body.state === "rejected" || tick >= 12) return;
    const timer = window.setTimeout(() => setTick((t) => t + 1), 2500);
    return () => window.clearTimeout(timer);
  }, [body, counted, tick]);
  if (body === null) return null;
  const title = changePending ? "принят" : body?.state_title;
  return (
    <div class="ballot-state">
      <p id="ballot-state" aria-live="polite">
        Состояние голоса: {title ? <strong class={counted ? "badge badge-ok" : "badge"}>{title}</strong> : "проверяем…"}
      </p>
      {body?.state === "rejected" && body.reason && <p class="notice notice-error">{body.reason}</p>}
      {!counted && body && <p class="hint">«Принят» — голос получен и ждёт подсчёта; «засчитан» — он в подсчёте.</p>}
      {state.error && <p class="notice notice-error" role="alert">{state.error}</p>}
      <button type="button" class="button button-secondary button-small" onClick={() => setTick((t) => t + 1)}
        disabled={state.loading}>
        Обновить состояние
      </button>
    </div>
  );
}

function ResultsSection({ poll, tick, quiet }: { poll: Poll; tick: number; quiet: boolean }) {
  const results = useLoad(async (): Promise<Results | string> => {
    const client = await api();
    try {
      return await data(client.GET("/v1/polls/{poll_id}/results", { params: { path: { poll_id: poll.id } } }));
    } catch (e) {
      if (e instanceof ApiError && (e.status === 403 || e.status === 409)) return e.message;
      throw e;
    }
  }, [poll.id, tick]);
  const value = results.data;
  // Results kept until after a vote say nothing useful to someone who cannot vote.
  if (quiet && typeof value === "string") return null;
  return (
    <section aria-labelledby="results-title" class="poll-results">
      <h2 id="results-title">{poll.state === "final" ? "Итоги" : "Промежуточные итоги"}</h2>
      {results.error && <p class="notice notice-error">{results.error}</p>}
      {typeof value === "string" && <p class="muted" id="results-hidden">{value}</p>}
      {value && typeof value !== "string" && (
        <>
          <p>
            Всего бюллетеней: {value.total_ballots}.{" "}
            {value.state === "final" ? "Итоги подведены." : "Числа округлены: точные итоги — после завершения голосования."}
          </p>
          <ResultsChart results={value} id="results" />
          {value.state === "final" && (
            <p><a href={link("check", poll.id)}>Проверить итоги и свой голос</a></p>
          )}
        </>
      )}
    </section>
  );
}

function ExecutionSection({ execution }: { execution: NonNullable<Poll["execution"]> }) {
  return (
    <section aria-labelledby="execution-title" class="execution" id="execution">
      <h2 id="execution-title">Решение и исполнение</h2>
      <p><strong>Принятое решение:</strong> {execution.decision}</p>
      <p>Статус: <span class="badge">{execution.status_title}</span> <span class="muted">(обновлено <Time value={execution.updated_at} />)</span></p>
      {execution.updates.length > 0 && (
        <ol class="execution-updates">
          {execution.updates.map((u, i) => (
            <li key={i}>
              <p><time dateTime={u.date} class="nowrap execution-date">{formatPlainDate(u.date)}</time> — {u.text}</p>
              {u.photos.length > 0 && (
                <ul class="execution-photos">
                  {u.photos.map((p) => (
                    <li key={p.url}><img class="execution-photo" src={p.url} alt={p.alt} loading="lazy" decoding="async" /></li>
                  ))}
                </ul>
              )}
              {u.links.length > 0 && (
                <ul class="execution-links">
                  {u.links.map((href) => (
                    <li key={href}><a href={href} rel="noopener noreferrer" target="_blank">{href}</a></li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function PollBody({ poll, reload }: { poll: Poll; reload: () => void }) {
  const resident = residentKey() ?? "anonymous";
  const [receipt, setReceipt] = useState<StoredReceipt | null>(() => store.get(resident, poll.id));
  const [accepted, setAccepted] = useState(false);
  const [changing, setChanging] = useState(false);
  const [resultsTick, setResultsTick] = useState(0);
  const voted = poll.voted || accepted;
  const mayVote = poll.can_vote && isOpen(poll);
  const image = poll.image ?? (poll.image_url ? { url: poll.image_url, alt: "" } : null);
  const showForm = mayVote && (!voted || changing);

  const onAccepted = (stored: StoredReceipt) => {
    setReceipt(stored);
    setAccepted(true);
    setChanging(false);
    setResultsTick((t) => t + 1);
    window.setTimeout(() => document.getElementById("accepted")?.focus(), 0);
  };

  return (
    <>
      {image && <img class="poll-image" src={image.url} alt={image.alt} />}
      <PollFacts poll={poll} />
      <VoteStanding poll={{ ...poll, voted }} />
      <div class="poll-description"><Paragraphs text={poll.description} /></div>

      {accepted && receipt && !changing && (
        <div class="notice notice-ok" id="accepted" tabIndex={-1} role="status">
          <p class="accepted-title"><strong>Голос принят</strong></p>
          <p>{CHANGE_HINT} (<Time value={poll.closes_at} />).</p>
        </div>
      )}

      {!mayVote && !voted && poll.cannot_vote_reason && isOpen(poll) && (
        <div class="notice notice-warn" id="cannot-vote">
          <p><strong>Вы не можете проголосовать в этом опросе.</strong></p>
          <p>{poll.cannot_vote_reason.detail}</p>
        </div>
      )}

      {showForm ? (
        <BallotForm poll={poll} changing={changing} onAccepted={onAccepted}
          initial={changing && receipt ? selectionOf(poll.questions, receipt.receipt.option_ids) : {}}
          onCancel={changing ? () => setChanging(false) : undefined} />
      ) : (
        <>
          {voted && (
            <section aria-labelledby="my-vote-title" class="my-vote">
              <h2 id="my-vote-title">Ваш голос</h2>
              {!accepted && <p>Вы проголосовали в этом опросе.</p>}
              {receipt ? <ReceiptCard receipt={receipt} />
                : <p class="hint">Квитанции этого голоса нет на этом устройстве (голосовали с другого).</p>}
              <BallotStatus poll={poll} receipt={receipt} onCounted={() => setResultsTick((t) => t + 1)} />
              {mayVote && (
                <>
                  {!accepted && <p>{CHANGE_HINT}.</p>}
                  <p class="actions">
                    <button type="button" class="button button-secondary" onClick={() => setChanging(true)}>Изменить выбор</button>
                  </p>
                </>
              )}
              {receipt && poll.state === "final" && (
                <p><a class="button" href={link("check", poll.id)}>Проверить свой голос</a></p>
              )}
            </section>
          )}
          <QuestionList questions={poll.questions} />
        </>
      )}

      <ResultsSection poll={poll} tick={resultsTick} quiet={!voted && !poll.can_vote && isOpen(poll)} />
      {poll.execution && <ExecutionSection execution={poll.execution} />}
      <FollowPoll pollId={poll.id} />
      <dl class="facts poll-footnote">
        <dt>Состояние</dt><dd>{poll.state_title}</dd>
        <dt>Голосование</dt><dd>с <Time value={poll.opens_at} /> до <Time value={poll.closes_at} /> (по челябинскому времени)</dd>
        <dt>Возраст</dt><dd>от {poll.min_age} лет</dd>
        <dt>Итоги видны</dt><dd>{poll.results_visibility_title}</dd>
      </dl>
      <p class="actions"><button type="button" class="button button-secondary button-small" onClick={reload}>Обновить опрос</button></p>
    </>
  );
}

export function PollScreen({ route }: { route: Route }) {
  const id = route.segments[1] ?? "";
  const poll = useLoad(() => loadPoll(id), [id]);
  // A poll that closes while it is on screen is read again a little after its close (no more form).
  const closesAt = poll.data && isOpen(poll.data) ? Date.parse(poll.data.closes_at) : NaN;
  useEffect(() => {
    const wait = closesAt - Date.now() + 3000;
    if (!(wait > 0 && wait < 86_400_000)) return;
    const timer = window.setTimeout(poll.reload, wait);
    return () => window.clearTimeout(timer);
  }, [closesAt, poll.reload]);
  const back = { href: link("polls"), label: "Опросы" };
  if (poll.failure && isSignInNeeded(poll.failure)) {
    return <Screen title="Опрос" tab="polls" back={back}><SignInNeeded /></Screen>;
  }
  return (
    <Screen title={poll.data?.title ?? "Опрос"} tab="polls" back={back}>
      <StatusLine text={poll.loading && !poll.data ? "Загрузка опроса…" : ""} />
      <ErrorBox text={poll.error} />
      {poll.data && <PollBody key={poll.data.id} poll={poll.data} reload={poll.reload} />}
    </Screen>
  );
}

