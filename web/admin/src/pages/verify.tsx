// The vote check, open to anyone without signing in: a receipt's inclusion proof against the
// published Merkle root, and the published ballot list recounted in the browser against the
// published result, which is shown with its option texts.
import { useEffect, useState } from "preact/hooks";
import { loadConfig } from "@shared/config";
import { messageOf } from "@shared/problems";
import { formatShare } from "@shared/numbers";
import { ErrorBox, StatusLine, TableWrap, Time } from "@shared/ui/feedback";
import { TextArea, TextField } from "@shared/ui/fields";
import "../styles/site.css";
import "../styles/verify.css";
import { mountPublicPage } from "../shell/public";
import { HEX64, parseReceipt } from "@shared/verify/merkle";
import { checkReceipt, createApi, loadResult, recount, type PublicResult, type Verdict } from "@shared/verify/check";

const POLL_ID = /^[0-9A-Za-z]{26}$/;

function VerdictBlock({ id, verdict, idle }: { id: string; verdict: Verdict | null; idle: string }) {
  return (
    <>
      <p id={`${id}-verdict`} data-state={verdict ? (verdict.ok ? "ok" : "fail") : "none"}
        class={verdict ? (verdict.ok ? "notice notice-info" : "notice notice-error") : "muted"}>
        {verdict ? verdict.text : idle}
      </p>
      <ul id={`${id}-details`} class="plain-list verify-details">
        {(verdict?.details ?? []).map((d) => <li key={d}>{d}</li>)}
      </ul>
    </>
  );
}

function ResultTable({ result, counts }: { result: PublicResult; counts: Record<string, number> | null }) {
  return (
    <section id="result" aria-labelledby="result-title">
      <h2 id="result-title">Итоги опроса «{result.title}»</h2>
      <p>Голосование завершено <Time value={result.closed_at} /> по челябинскому времени. Голосов: {result.total_ballots}.</p>
      {result.questions.map((q) => (
        <TableWrap key={q.id} label={`Итоги: ${q.text}`}>
          <table class="data-table">
            <caption>{q.text}</caption>
            <thead><tr><th scope="col">Вариант</th><th scope="col" class="num">Голосов</th><th scope="col" class="num">Доля</th>
              {counts && <th scope="col" class="num">Пересчитано</th>}</tr></thead>
            <tbody>
              {q.options.map((o) => (
                <tr key={o.id}>
                  <td>{o.text}</td><td class="num">{o.count}</td><td class="num">{formatShare(o.count, result.total_ballots)}</td>
                  {counts && <td class="num">{counts[o.id] ?? 0}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ))}
      <p class="muted hash">Опубликованный корень Меркла: {result.merkle_root}</p>
    </section>
  );
}

function VerifyPage() {
  const params = new URLSearchParams(window.location.search);
  const [pasted, setPasted] = useState("");
  const [pollId, setPollId] = useState(params.get("poll") ?? "");
  const [commitment, setCommitment] = useState(params.get("receipt") ?? "");
  const [options, setOptions] = useState(params.get("options") ?? "");
  const [status, setStatus] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [result, setResult] = useState<PublicResult | null>(null);
  const [receiptVerdict, setReceiptVerdict] = useState<Verdict | null>(null);
  const [recountVerdict, setRecountVerdict] = useState<Verdict | null>(null);
  const [counts, setCounts] = useState<Record<string, number> | null>(null);

  useEffect(() => {
    const parsed = pasted.trim() ? parseReceipt(pasted) : null;
    if (!parsed) return;
    if (parsed.pollId) setPollId(parsed.pollId);
    if (parsed.commitment) setCommitment(parsed.commitment);
    if (parsed.optionIds) setOptions(parsed.optionIds.join(","));
  }, [pasted]);

  const run = async (work: (api: ReturnType<typeof createApi>, result: PublicResult) => Promise<void>, needReceipt: boolean) => {
    setError(null);
    const errors: Record<string, string> = {};
    const id = pollId.trim();
    if (!POLL_ID.test(id)) errors["poll-id"] = "Идентификатор опроса — 26 латинских букв и цифр.";
    if (needReceipt && !HEX64.test(commitment.trim().toLowerCase())) {
      errors.receipt = "Обязательство — 64 шестнадцатеричных символа (0–9, a–f).";
    }
    if (needReceipt && !options.split(/[\s,;]+/).some(Boolean)) {
      errors["option-ids"] = "Укажите варианты из квитанции: голос проверяется по обязательству вместе с ними.";
    }
    setFieldErrors(errors);
    if (Object.keys(errors).length) return;
    try {
      setStatus("Загрузка…");
      const api = createApi((await loadConfig()).apiBase);
      const loaded = result?.poll_id === id ? result : await loadResult(api, id);
      if (loaded !== result) { setResult(loaded); setCounts(null); setRecountVerdict(null); }
      await work(api, loaded);
    } catch (e) {
      setError(`Проверка не удалась: ${messageOf(e)}`);
    } finally {
      setStatus("");
    }
  };

  const onCheck = (event: Event) => {
    event.preventDefault();
    run(async (api, loaded) => {
      setStatus("Проверяем доказательство в браузере…");
      const ids = options.split(/[\s,;]+/).filter(Boolean);
      setReceiptVerdict(await checkReceipt(api, loaded, commitment.trim().toLowerCase(), ids));
    }, true);
  };
  const onRecount = () => run(async (api, loaded) => {
    const done = await recount(api, loaded, setStatus);
    setRecountVerdict(done);
    setCounts(done.counts);
  }, false);

  return (
    <>
      <p class="hint">
        Проверка выполняется в вашем браузере, без входа: страница получает опубликованные итоги, доказательство
        включения и список голосов, сама вычисляет хеши SHA-256 по RFC 6962 (лист — обязательство и выбранные
        варианты) и сравнивает их с опубликованным корнем и с вашей квитанцией.
      </p>
      <StatusLine text={status} />
      <ErrorBox text={error} />
      <form id="verify-form" class="verify-form" noValidate onSubmit={onCheck}>
        <TextArea id="pasted" label="Квитанция голоса (вставьте целиком, если она у вас сохранена)" rows={3}
          value={pasted} onInput={setPasted} hint="Поля ниже заполнятся из квитанции сами." />
        <TextField id="poll-id" label="Идентификатор опроса" value={pollId} onInput={setPollId}
          autocomplete="off" error={fieldErrors["poll-id"]} />
        <TextField id="receipt" label="Обязательство из квитанции (64 шестнадцатеричных символа)" value={commitment}
          onInput={setCommitment} autocomplete="off" error={fieldErrors.receipt} />
        <TextField id="option-ids" label="Варианты из квитанции (как в квитанции, через запятую)" value={options}
          onInput={setOptions} autocomplete="off" error={fieldErrors["option-ids"]}
          hint="Лист дерева Меркла — это обязательство вместе с выбранными вариантами, поэтому голос проверяется по обоим." />
        <p class="actions">
          <button id="check-receipt" class="button" type="submit" disabled={!!status}>Проверить голос</button>
          <button id="recount" class="button button-secondary" type="button" disabled={!!status} onClick={onRecount}>Пересчитать итоги</button>
        </p>
      </form>
      <section aria-labelledby="receipt-title">
        <h2 id="receipt-title">Проверка голоса</h2>
        <VerdictBlock id="receipt" verdict={receiptVerdict} idle="Введите идентификатор опроса, обязательство и варианты из квитанции." />
      </section>
      <section aria-labelledby="recount-title">
        <h2 id="recount-title">Пересчёт итогов</h2>
        <VerdictBlock id="recount" verdict={recountVerdict} idle="Пересчёт ещё не выполнялся." />
      </section>
      {result && <ResultTable result={result} counts={counts} />}
    </>
  );
}

mountPublicPage("Проверка итогов опроса", VerifyPage);
