// Lighthouse scores of the resident app's screens, for bench/resident_app.py (`make bench`).
//
//   node bench/lighthouse/run.mjs '<json>'
//
// where <json> is {"origin", "chrome", "screens": [{"path", "session": {"token","name"} | null}],
// "sessionKey", "categories", "reportDir"}; the HTML report of each screen is written into reportDir
// when it is given. Prints one JSON object to stdout:
// {"lighthouse": version, "screens": [{"path", "url", "scores": {category: score}, "failing":
// {category: [{"id", "title", "score", "displayValue"}]}, "warnings": [...]}]}.
//
// Debian's Chromium (never a downloaded browser) runs headless with --no-sandbox; Lighthouse drives
// the puppeteer page it is given with its defaults: the mobile form factor (Moto G Power
// emulation, simulated slow 4G and a 4× CPU slowdown). Before each screen Lighthouse clears the
// origin's service workers, Cache Storage and the HTTP cache (a first visit's load), but never
// localStorage, which is where the app keeps the signed-in session this script puts there.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import lighthouse from "lighthouse";
import puppeteer from "puppeteer-core";

const options = JSON.parse(process.argv[2] ?? "{}");
const { origin, chrome, screens, sessionKey, categories, reportDir } = options;
if (!origin || !chrome || !Array.isArray(screens) || !sessionKey || !Array.isArray(categories)) {
  console.error("usage: node run.mjs '{\"origin\",\"chrome\",\"screens\",\"sessionKey\",\"categories\"}'");
  process.exit(2);
}

const browser = await puppeteer.launch({
  executablePath: chrome,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
});

/** Puts (or removes) the session in the origin's localStorage from a same-origin document that is
 *  not the app, so no service worker or app script runs before Lighthouse's own load. */
async function setSession(page, session) {
  await page.goto(`${origin}/manifest.webmanifest`, { waitUntil: "load" });
  await page.evaluate((key, value) => {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  }, sessionKey, session ? JSON.stringify(session) : null);
}

/** The category's weighted audits below a passing score: what a developer has to fix. */
function failingAudits(lhr, category) {
  const refs = lhr.categories[category]?.auditRefs ?? [];
  return refs
    .filter((ref) => ref.weight > 0)
    .map((ref) => lhr.audits[ref.id])
    .filter((audit) => audit && audit.score !== null && audit.score < 0.9)
    .map((audit) => ({ id: audit.id, title: audit.title, score: audit.score, displayValue: audit.displayValue ?? "",
      examples: examples(audit) }));
}

/** Up to three of what an audit found (a console message and its URL, an element's markup). */
function examples(audit) {
  const items = audit.details?.type === "table" || audit.details?.type === "list" ? audit.details.items ?? [] : [];
  return items.slice(0, 3).map((item) => {
    if (item.node?.snippet) return `${item.node.snippet}${item.node.explanation ? ` — ${item.node.explanation.split("\n")[0]}` : ""}`;
    const url = item.sourceLocation?.url ?? item.url ?? "";
    return [item.description, url].filter(Boolean).join(" ");
  }).filter(Boolean);
}

const results = [];
let version = null;
try {
  const page = await browser.newPage();
  for (const screen of screens) {
    await setSession(page, screen.session ?? null);
    const url = `${origin}/${screen.path}`;
    const runner = await lighthouse(url, { logLevel: "error", output: "html", onlyCategories: categories }, undefined, page);
    if (!runner) throw new Error(`Lighthouse returned nothing for ${url}`);
    const { lhr } = runner;
    version = lhr.lighthouseVersion;
    let report = null;
    if (reportDir) {
      mkdirSync(reportDir, { recursive: true });
      report = join(reportDir, `${screen.path.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "")}.html`);
      writeFileSync(report, runner.report);
    }
    if (lhr.runtimeError) throw new Error(`Lighthouse could not load ${url}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    const scores = Object.fromEntries(categories.map((c) => [c, lhr.categories[c]?.score ?? null]));
    const failing = Object.fromEntries(categories.map((c) => [c, failingAudits(lhr, c)]));
    const metrics = Object.fromEntries(["first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
      "cumulative-layout-shift", "speed-index"].map((id) => [id, lhr.audits[id]?.displayValue ?? null]));
    results.push({ path: screen.path, url: lhr.finalDisplayedUrl, scores, failing, metrics,
      formFactor: lhr.configSettings.formFactor, warnings: lhr.runWarnings, report,
      screenshot: lhr.audits["final-screenshot"]?.details?.data ?? null });
  }
  process.stdout.write(JSON.stringify({ lighthouse: version, screens: results }));
} finally {
  await browser.close();
}
