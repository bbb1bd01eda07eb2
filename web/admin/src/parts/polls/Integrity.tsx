// The integrity check of a poll: its content fingerprint, the published result and the published
// ballot list recounted from the ledger (GET /v1/admin/polls/{id}/integrity).
import { useState } from "preact/hooks";
import { data } from "@shared/api/client";
import { messageOf } from "@shared/problems";
import { Time } from "@shared/ui/feedback";
import { useStaff } from "../../shell/staff";
import { PageError } from "./common";
import type { Integrity } from "./types";

const verdict = (m: boolean | null | undefined, what: string) =>
  m == null ? `${what}: не проверялось` : m ? `${what}: совпадает` : `${what}: НЕ совпадает`;

export function IntegrityCheck({ pollId }: { pollId: string }) {
  const { api } = useStaff();
  const [report, setReport] = useState<Integrity | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const check = async () => {
    setBusy(true); setError(null);
    try {
      setReport(await data(api.GET("/v1/admin/polls/{poll_id}/integrity", { params: { path: { poll_id: pollId } } })));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section id="integrity-section" aria-labelledby="integrity-title">
      <h2 id="integrity-title">Проверка целостности</h2>
      <p class="no-print"><button type="button" class="button button-secondary-dark" id="integrity-check" disabled={busy} onClick={check}>Проверить целостность</button></p>
      <PageError text={error} />
      {report && (
        <div id="integrity-result" role="status">
          <p class={report.ok ? "integrity-ok" : "integrity-bad"}>
            {report.ok ? "Нарушений не найдено." : "Найдены расхождения: сообщите в Министерство информационных технологий."}
            {" "}Проверено <Time value={report.checked_at} />.
          </p>
          <ul class="summary-list">
            <li>{verdict(report.fingerprint.matches, "Отпечаток содержания опроса")}</li>
            <li>{verdict(report.result?.matches, "Опубликованные итоги и пересчёт бюллетеней")}</li>
            <li>{verdict(report.published_list?.matches, "Опубликованный список бюллетеней")}</li>
          </ul>
        </div>
      )}
    </section>
  );
}
