// Results of a poll (results.html?id=…): participation while voting runs; once final, the charts,
// the suppressed breakdowns, the CSV export, the integrity check, the execution report and the
// informing step. Printable (the browser's print hides the controls).
import "../styles/site.css";
import "../styles/polls.css";
import { useState } from "preact/hooks";
import { data } from "@shared/api/client";
import { messageOf } from "@shared/problems";
import { countOf, formatCount, shortId } from "@shared/numbers";
import { SelectField } from "@shared/ui/fields";
import { Time } from "@shared/ui/feedback";
import { useLoad } from "@shared/ui/load";
import { mountStaffPage, useBusy, useStaff } from "../shell/staff";
import { BarChart } from "../parts/polls/BarChart";
import { BreakdownTables, HIDDEN } from "../parts/polls/BreakdownTables";
import { ExecutionSection } from "../parts/polls/Execution";
import { IntegrityCheck } from "../parts/polls/Integrity";
import { TurnoutSection } from "../parts/polls/Turnout";
import { PageError, ZonedTime } from "../parts/polls/common";
import { pageId, pollHref, type Breakdown, type Results } from "../parts/polls/types";

type Dimension = "territory" | "age" | "gender";
const DIMENSIONS: [string, string][] = [["territory", "по территориям"], ["age", "по возрасту"], ["gender", "по полу"]];
const BALLOTS: [string, string, string] = ["бюллетень", "бюллетеня", "бюллетеней"];

function Participation({ r }: { r: Results }) {
  const p = r.participation;
  return (
    <>
      {p && (
        <p class="participation">
          Участие на <Time value={p.measured_at} />: учтено {formatCount(p.ballots_counted)}, в очереди {formatCount(p.queue_backlog)}, всего {formatCount(p.total)}.
        </p>
      )}
      <TurnoutSection turnout={r.turnout} />
      {r.hidden_reason && <p class="notice notice-info">{r.hidden_reason}</p>}
      {r.live && (
        <section id="charts-section" aria-labelledby="charts-title">
          <h2 id="charts-title">Промежуточные результаты</h2>
          {r.live.questions.map((q) => <BarChart key={q.id} question={q} total={r.live!.total_ballots} />)}
        </section>
      )}
    </>
  );
}

function Breakdowns({ pollId, dimension, setDimension }: { pollId: string; dimension: Dimension; setDimension: (d: Dimension) => void }) {
  const { api } = useStaff();
  const { data: r, error, loading } = useLoad(
    () => data(api.GET("/v1/admin/polls/{poll_id}/results", { params: { path: { poll_id: pollId }, query: { breakdown: dimension } } })),
    [dimension]);
  useBusy("breakdown", loading);
  const b = r?.breakdown as unknown as Breakdown | undefined;
  return (
    <section id="breakdown-section" aria-labelledby="breakdown-title">
      <h2 id="breakdown-title">Разрезы</h2>
      <div class="no-print">
        <SelectField id="dimension" label="Разрез" value={dimension} options={DIMENSIONS} onChange={(d) => setDimension(d as Dimension)} />
      </div>
      <PageError text={error} />
      {b && (
        <>
          <p class="muted">
            Разрез {b.title}, учтено {countOf(b.total_ballots, BALLOTS)}. «{HIDDEN}» — ячейка скрыта ради тайны голосования: по
            опубликованным числам ни одну скрытую ячейку нельзя сузить меньше чем до {b.threshold} значений, и ни одна группа
            не видна проголосовавшей единодушно.
          </p>
          <div id="breakdown"><BreakdownTables breakdown={b} /></div>
        </>
      )}
    </section>
  );
}

function Final({ r }: { r: Results }) {
  const { api } = useStaff();
  const [dimension, setDimension] = useState<Dimension>("territory");
  const [error, setError] = useState<string | null>(null);
  const total = r.total_ballots ?? 0;
  const download = async () => {
    setError(null);
    try {
      const { data: blob } = await api.GET("/v1/admin/polls/{poll_id}/results.csv", {
        params: { path: { poll_id: r.poll_id }, query: { breakdown: dimension } }, parseAs: "blob",
      });
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob as Blob);
      a.download = `itogi-${r.poll_id}-${dimension}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (e) {
      setError(messageOf(e));
    }
  };
  return (
    <>
      <p class="actions no-print">
        <button type="button" class="button button-secondary-dark" id="print" onClick={() => window.print()}>Версия для печати</button>
        <button type="button" class="button button-secondary-dark" id="export-csv" onClick={download}>Выгрузить CSV</button>
      </p>
      <PageError text={error} />
      <p class="participation">Всего бюллетеней: {formatCount(total)}.</p>
      {r.finalised_at && <p>Итоги подведены <ZonedTime value={r.finalised_at} />.</p>}
      {r.merkle_root && (
        <p>Корень дерева Меркла: <code title={r.merkle_root}>{shortId(r.merkle_root, 10)}</code>. Жители проверяют свой голос на странице <a href="/verify.html">проверки итогов</a>.</p>
      )}
      <TurnoutSection turnout={r.turnout} />
      {(r.amendments?.length ?? 0) > 0 && <p class="notice notice-info">Итоги уточнялись после подведения: {r.amendments!.length}.</p>}
      <section id="charts-section" aria-labelledby="charts-title">
        <h2 id="charts-title">Результаты по вопросам</h2>
        <div id="charts">{(r.questions ?? []).map((q) => <BarChart key={q.id} question={q} total={total} />)}</div>
      </section>
      <Breakdowns pollId={r.poll_id} dimension={dimension} setDimension={setDimension} />
      <IntegrityCheck pollId={r.poll_id} />
      <ExecutionSection pollId={r.poll_id} initial={r.execution ?? null} />
    </>
  );
}

function ResultsPage() {
  const { api } = useStaff();
  const id = pageId();
  const { data: r, error, loading } = useLoad(
    () => data(api.GET("/v1/admin/polls/{poll_id}/results", { params: { path: { poll_id: id } } })), [id]);
  useBusy("results", loading);
  if (error) return <PageError text={error} />;
  if (!r) return null;
  const heading = `Итоги опроса «${r.title}»`;
  if (!document.title.startsWith(heading)) document.title = `${heading} — Активный житель 74`;
  return (
    <>
      <section id="summary" aria-labelledby="summary-title">
        <h2 id="summary-title">{r.title}</h2>
        <div id="summary-body">
          <p>{r.state_title} · {r.territories.join(", ")} · окончание голосования <ZonedTime value={r.closes_at} /></p>
          <p class="no-print"><a href={pollHref(r.poll_id)}>Содержание опроса и история согласования</a></p>
          {r.state === "final" ? <Final r={r} /> : <Participation r={r} />}
        </div>
      </section>
    </>
  );
}

mountStaffPage({ title: "Итоги опроса", roles: ["moderator", "approver", "admin", "analyst"] }, ResultsPage);
