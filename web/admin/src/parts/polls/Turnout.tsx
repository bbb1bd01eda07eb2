// Turnout on the poll pages: ballots as a share of the estimated number of residents old enough to
// take part (GET /v1/admin/polls/{id}/results → turnout), with how it is estimated and a figure per
// territory; and the short «Явка …» of a dashboard card. Unknown figures are dashes.
import { data } from "@shared/api/client";
import { formatCount, formatShare } from "@shared/numbers";
import { TableWrap } from "@shared/ui/feedback";
import { useLoad } from "@shared/ui/load";
import { useBusy, useStaff } from "../../shell/staff";
import type { Results } from "./types";
import "../../styles/turnout.css";

export type Turnout = NonNullable<Results["turnout"]>;

const DASH = "—";
const count = (n: number | null | undefined) => (n === null || n === undefined ? DASH : formatCount(n));
/** A share 0..1 as «12,3 %»; a dash when unknown. */
export const shareText = (s: number | null | undefined) => (s === null || s === undefined ? DASH : formatShare(s, 1));
const YEARS: [string, string, string] = ["года", "лет", "лет"];
const ageText = (n: number) => `${n}\u00a0${n % 10 === 1 && n % 100 !== 11 ? YEARS[0] : YEARS[1]}`;

/** «Явка: 12,3 % от оценочного числа жителей старше N лет» — or why it is not known. */
export function turnoutLine(t: Turnout): string {
  if (t.share === null) {
    const missing = t.territories_without_population;
    return missing.length
      ? `Явка не рассчитана: нет численности населения территорий: ${missing.join(", ")}.`
      : "Явка не рассчитана: нет данных о численности населения.";
  }
  const who = t.min_age > 0 ? `жителей не моложе ${ageText(t.min_age)}` : "жителей";
  return `Явка: ${shareText(t.share)} от оценочного числа ${who} (${formatCount(t.ballots)} из ${formatCount(t.eligible_population ?? 0)}).`;
}

export function TurnoutSection({ turnout: t }: { turnout: Turnout | undefined }) {
  if (!t) return null;
  return (
    <section id="turnout-section" aria-labelledby="turnout-title">
      <h2 id="turnout-title">Явка</h2>
      <p id="turnout-line" class="turnout-line">{turnoutLine(t)}</p>
      <p id="turnout-method" class="muted">
        {t.method}{t.population_year ? ` Численность населения — на ${t.population_year} год.` : ""}
      </p>
      <TableWrap label="Явка по территориям">
        <table id="turnout-table" class="data-table">
          <caption class="visually-hidden">Явка по территориям опроса</caption>
          <thead>
            <tr>
              <th scope="col">Территория</th>
              <th scope="col" class="num">Население</th>
              <th scope="col" class="num">Год</th>
              <th scope="col" class="num">С правом участия (оценка)</th>
              <th scope="col" class="num">Бюллетеней</th>
              <th scope="col" class="num">Явка</th>
            </tr>
          </thead>
          <tbody>
            {t.by_territory.map((row) => (
              <tr key={row.territory_id}>
                <th scope="row">{row.name}</th>
                <td class="num">{count(row.population)}</td>
                <td class="num">{row.population_year ?? DASH}</td>
                <td class="num">{count(row.eligible_population)}</td>
                <td class="num">{count(row.ballots)}</td>
                <td class="num">{shareText(row.share)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </section>
  );
}

/** A dashboard card's «Явка 12,3 %» (one results call per card shown; nothing when unknown). */
export function CardTurnout({ pollId }: { pollId: string }) {
  const { api } = useStaff();
  const { data: t, loading } = useLoad(async () =>
    (await data(api.GET("/v1/admin/polls/{poll_id}/results", { params: { path: { poll_id: pollId } } }))).turnout, [pollId]);
  useBusy(`turnout-${pollId}`, loading);
  if (!t || t.share === null) return null;
  return <p class="muted card-turnout">Явка {shareText(t.share)} от оценочного числа жителей{t.min_age > 0 ? ` не моложе ${ageText(t.min_age)}` : ""}</p>;
}
