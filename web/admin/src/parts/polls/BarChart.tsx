// A question's result as a horizontal bar chart: plain SVG, sized by attributes and classes (no
// inline styles under the CSP), the whole result in its accessible name.
import { formatCount, formatShare } from "@shared/numbers";

type Q = { text: string; options: { text: string; count: number }[] };

// Each option's label above its bar, so the chart reads the same on a phone as on a desktop.
const WIDTH = 400;
const ROW = 50;
const VALUE = 110;

export const clip = (text: string, max = 56) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function BarChart({ question, total }: { question: Q; total: number }) {
  const height = question.options.length * ROW + 10;
  const max = Math.max(1, ...question.options.map((o) => o.count));
  const span = WIDTH - VALUE;
  const summary = question.options.map((o) => `${o.text} — ${formatCount(o.count)} (${formatShare(o.count, total)})`).join("; ");
  return (
    <figure>
      <figcaption>{question.text}</figcaption>
      <svg class="chart" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={`${question.text}: ${summary}`}>
        <title>{`${question.text}: ${summary}`}</title>
        {question.options.map((o, i) => {
          const y = i * ROW + 5;
          const w = Math.max(2, (span * o.count) / max);
          return (
            <g key={i}>
              <text class="bar-label" x="0" y={y + 14}>{clip(o.text)}</text>
              <rect class="bar" x="0" y={y + 20} height="20" width={w} />
              <text class="bar-value" x={w + 8} y={y + 35}>{formatCount(o.count)} ({formatShare(o.count, total)})</text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
