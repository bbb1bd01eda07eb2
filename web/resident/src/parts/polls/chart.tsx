// A poll's results as a bar chart: each option's share drawn as an SVG bar whose width is an
// attribute (the CSP allows no inline styles), with the count and share in words beside it.
import { countOf, formatShare } from "@shared/numbers";
import type { Results } from "./types";

const VOTES: [string, string, string] = ["голос", "голоса", "голосов"];

export function ResultsChart({ results, id }: { results: Pick<Results, "questions" | "total_ballots">; id: string }) {
  return (
    <div class="results">
      {results.questions.map((q, qi) => {
        const top = Math.max(0, ...q.options.map((o) => o.count));
        return (
          <figure class="results-question" key={q.id} aria-labelledby={`${id}-q${qi}`}>
            <figcaption id={`${id}-q${qi}`} class="results-caption">{q.text}</figcaption>
            <ul class="results-options">
              {q.options.map((o) => {
                const share = results.total_ballots ? o.count / results.total_ballots : 0;
                return (
                  <li key={o.id} class={top > 0 && o.count === top ? "results-option results-leader" : "results-option"}>
                    <span class="results-text">{o.text}</span>
                    <span class="results-figures nowrap">{countOf(o.count, VOTES)} · {formatShare(o.count, results.total_ballots)}</span>
                    <svg class="results-bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                      <rect class="results-track" x="0" y="0" width="100" height="8" rx="2" />
                      <rect class="results-fill" x="0" y="0" width={(100 * Math.min(1, share)).toFixed(2)} height="8" rx="2" />
                    </svg>
                  </li>
                );
              })}
            </ul>
          </figure>
        );
      })}
    </div>
  );
}
