// «Проверить голос», open without signing in: the receipts kept on this device, a field to paste
// one, and for a final poll the receipt's inclusion proof checked in the browser against the
// published Merkle root, the published ballot list recounted in the browser against the published
// result, and the result in option texts (the procedures are web/shared/verify, the same as the
// admin site's public check page).
import { useEffect, useState } from "preact/hooks";
import { ApiError, messageOf } from "@shared/problems";
import { ErrorBox, StatusLine, Time } from "@shared/ui/feedback";
import { useLoad } from "@shared/ui/load";
import { checkReceipt, loadResult, recount, type PublicResult, type Verdict } from "@shared/verify/check";
import { HEX64, parseReceipt, type Receipt } from "@shared/verify/merkle";
import { publicApi } from "../app/api";
import { link, type Route } from "../app/router";
import { residentKey, signedIn } from "../app/session";
import { Screen } from "../app/shell";
import { ResultsChart } from "../parts/polls/chart";
import { ReceiptStore, type StoredReceipt } from "../parts/polls/receipts";
import "../styles/polls.css";

const POLL_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const store = new ReceiptStore();

/** The receipts this visitor may see here: the signed-in resident's own, or (signed out) every
 *  receipt kept on this device. */
function visibleReceipts(): StoredReceipt[] {
  const me = residentKey();
  return me && signedIn() ? store.list(me) : store.all();
}

function checkHash(receipt: Receipt): string {
  const query = new URLSearchParams({ commitment: receipt.commitment, options: receipt.optionIds.join(",") });
  return `${link("check", receipt.pollId)}?${query.toString()}`;
}

function VerdictBlock({ id, verdict }: { id: string; verdict: Verdict }) {
  return (
    <div class={verdict.ok ? "notice notice-ok" : "notice notice-error"} id={`${id}-verdict`}
      data-state={verdict.ok ? "ok" : "fail"}>
      <p><strong>{verdict.text}</strong></p>
      {verdict.details.length > 0 && (
        <ul class="verdict-details">{verdict.details.map((d) => <li key={d} class="hash">{d}</li>)}</ul>
      )}
    </div>
  );
}

function PasteForm() {
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = (event: Event) => {
    event.preventDefault();
    const parsed = parseReceipt(text.trim());
    if (!parsed?.pollId || !POLL_ID.test(parsed.pollId) || !parsed.commitment || !HEX64.test(parsed.commitment)
      || !parsed.optionIds?.length) {
      setError("Это не квитанция: вставьте текст квитанции целиком — он начинается с {\"poll_id\": …}.");
      return;
    }
    setError(null);
    window.location.hash = checkHash(parsed as Receipt);
  };
  return (
    <form class="paste-form" onSubmit={submit} noValidate aria-labelledby="paste-title">
      <h2 id="paste-title">Проверить по тексту квитанции</h2>
      <div class="field">
        <label for="pasted-receipt">Текст квитанции</label>
        <p id="pasted-hint" class="hint">Квитанцию показывает приложение после голосования («Текст квитанции»).</p>
        <textarea id="pasted-receipt" name="pasted-receipt" rows={4} value={text} spellcheck={false}
          aria-describedby={error ? "pasted-hint pasted-error" : "pasted-hint"} aria-invalid={error ? "true" : undefined}
          onInput={(e) => setText(e.currentTarget.value)} />
        {error && <p id="pasted-error" class="field-error">{error}</p>}
      </div>
      <p class="actions"><button type="submit" class="button">Проверить</button></p>
    </form>
  );
}

function ReceiptList() {
  const receipts = visibleReceipts();
  return (
    <section aria-labelledby="receipts-title">
      <h2 id="receipts-title">Квитанции на этом устройстве</h2>
      {receipts.length === 0 ? (
        <p class="muted">На этом устройстве пока нет квитанций: они сохраняются, когда вы голосуете в приложении.</p>
      ) : (
        <ul class="cards" id="receipts">
          {receipts.map((r) => (
            <li key={`${r.pollId}-${r.receipt.commitment}`}>
              <article class="card receipt-card">
                <h3 class="card-title"><a class="card-link" href={link("check", r.pollId)}>{r.title}</a></h3>
                <p class="card-meta">Голос принят <Time value={r.at} /></p>
                <ul class="receipt-choices">
                  {r.choices.map((c) => (
                    <li key={c.question}><span class="muted">{c.question}</span> — {c.options.map((o) => `«${o}»`).join(", ")}</li>
                  ))}
                </ul>
              </article>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function PollCheck({ pollId, query }: { pollId: string; query: URLSearchParams }) {
  const kept = visibleReceipts().find((r) => r.pollId === pollId) ?? null;
  const pasted = query.get("commitment");
  const receipt: Receipt | null = pasted && HEX64.test(pasted)
    ? { pollId, commitment: pasted, optionIds: (query.get("options") ?? "").split(",").filter(Boolean) }
    : kept ? { pollId, commitment: kept.receipt.commitment, optionIds: kept.receipt.option_ids } : null;
  const [status, setStatus] = useState("");
  const [receiptVerdict, setReceiptVerdict] = useState<Verdict | null>(null);
  const [recountVerdict, setRecountVerdict] = useState<Verdict | null>(null);
  const [counts, setCounts] = useState<Record<string, number> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const result = useLoad(async (): Promise<PublicResult | string> => {
    try {
      return await loadResult(await publicApi(), pollId);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 409)) return e.message;
      throw e;
    }
  }, [pollId]);
  const loaded = typeof result.data === "object" ? result.data : null;

  useEffect(() => {
    if (!loaded || !receipt) return;
    let live = true;
    setStatus("Проверяем квитанцию в браузере…");
    (async () => {
      try {
        const verdict = await checkReceipt(await publicApi(), loaded, receipt.commitment, receipt.optionIds);
        if (live) setReceiptVerdict(verdict);
      } catch (e) {
        if (live) setError(`Проверка не удалась: ${messageOf(e)}`);
      } finally {
        if (live) setStatus("");
      }
    })();
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [loaded, receipt?.commitment]);

  const onRecount = async () => {
    if (!loaded) return;
    setError(null);
    try {
      const done = await recount(await publicApi(), loaded, setStatus);
      setRecountVerdict(done);
      setCounts(done.counts);
    } catch (e) {
      setError(`Пересчёт не удался: ${messageOf(e)}`);
    } finally {
      setStatus("");
    }
  };

  return (
    <>
      <StatusLine text={result.loading ? "Загрузка итогов…" : status} />
      <ErrorBox text={error ?? result.error} />
      {typeof result.data === "string" && (
        <div class="notice notice-info" id="not-final">
          <p>{result.data}</p>
          <p>Проверить голос можно после подведения итогов: тогда публикуются список голосов и корень дерева Меркла.</p>
        </div>
      )}
      {kept && (
        <p class="muted">Квитанция с этого устройства: голос принят <Time value={kept.at} />;{" "}
          {kept.choices.map((c) => c.options.map((o) => `«${o}»`).join(", ")).join("; ")}.</p>
      )}
      {loaded && (
        <>
          <h2 class="check-poll-title">«{loaded.title}»</h2>
          <section aria-labelledby="receipt-check-title">
            <h3 id="receipt-check-title">Ваш голос</h3>
            {receipt ? (receiptVerdict ? <VerdictBlock id="receipt" verdict={receiptVerdict} />
              : <p class="muted">Проверяем…</p>)
              : <p class="muted">Квитанции этого опроса на устройстве нет: вставьте её текст на странице «Проверка голоса».</p>}
            <p class="hint">
              Браузер сам вычисляет хеши SHA-256 (RFC 6962) от обязательства из квитанции и выбранных вариантов и
              сверяет путь аудита с опубликованным корнем.
            </p>
          </section>
          <section aria-labelledby="recount-title">
            <h3 id="recount-title">Пересчёт итогов</h3>
            <p>Браузер загрузит опубликованный список голосов, пересчитает его, построит дерево Меркла и сравнит с опубликованным.</p>
            {recountVerdict && <VerdictBlock id="recount" verdict={recountVerdict} />}
            <p class="actions">
              <button type="button" class="button button-secondary" id="recount-button" disabled={!!status}
                onClick={() => void onRecount()}>
                {recountVerdict ? "Пересчитать ещё раз" : "Пересчитать итоги"}
              </button>
            </p>
          </section>
          <section aria-labelledby="public-result-title">
            <h3 id="public-result-title">Опубликованные итоги</h3>
            <p>
              Голосование завершено <Time value={loaded.closed_at} /> по челябинскому времени. Бюллетеней:{" "}
              {loaded.total_ballots}.
            </p>
            <ResultsChart results={loaded} id="public-results" />
            {counts && (
              <ul class="recounted" id="recounted">
                {loaded.questions.flatMap((q) => q.options.map((o) => (
                  <li key={o.id}>«{o.text}»: пересчитано {counts[o.id] ?? 0}, опубликовано {o.count}</li>
                )))}
              </ul>
            )}
            <p class="hint hash">Опубликованный корень Меркла: {loaded.merkle_root}</p>
          </section>
        </>
      )}
    </>
  );
}

export function CheckScreen({ route }: { route: Route }) {
  const pollId = route.segments[1];
  const tab = signedIn() ? "polls" as const : undefined;
  if (pollId) {
    return (
      <Screen title="Проверка голоса" tab={tab} back={{ href: link("check"), label: "Квитанции" }}>
        <PollCheck pollId={pollId} query={route.query} />
      </Screen>
    );
  }
  return (
    <Screen title="Проверка голоса" tab={tab} back={signedIn() ? { href: link("polls"), label: "Опросы" } : undefined}>
      <p class="lead">
        После подведения итогов каждый может проверить, что его голос учтён без изменений, и пересчитать итоги сам — вход не нужен.
      </p>
      <ReceiptList />
      <PasteForm />
    </Screen>
  );
}
