// Verifying results in the browser (verify.html): a receipt's inclusion proof against the published
// Merkle root, and a recount of the published ballot list against the published totals and root.
// Hashing is RFC 6962 with WebCrypto SHA-256 (docs/decisions/007-verifiable-results.md):
//   leaf bytes = commitment (32 bytes) ‖ UTF-8(option ids sorted ascending, joined with ","),
//   leaf hash = H(0x00 ‖ leaf bytes), node = H(0x01 ‖ l ‖ r).
// The leaf is always rebuilt from the receipt, and the options the proof names must be the receipt's.
// Data from the API is shown with textContent only (strict CSP, no markup from the network).

const SESSION_KEY = "aj74.admin.session";
const HEX64 = /^[0-9a-f]{64}$/;
const PAGE = 1000;

class VerifyError extends Error {
  constructor(message, status = 0) {
    super(message);
    this.status = status;
  }
}

// ---- API -----------------------------------------------------------------------------------

async function apiBase() {
  const response = await fetch("/config.json", { cache: "no-store" }).catch(() => null);
  const config = response && response.ok ? await response.json().catch(() => null) : null;
  if (!config || typeof config.apiBase !== "string") {
    throw new VerifyError("Не удалось загрузить настройки кабинета. Обновите страницу.");
  }
  return config.apiBase.replace(/\/+$/, "");
}

function token() {
  try {
    const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
    return session && typeof session.token === "string" ? session.token : null;
  } catch {
    return null;
  }
}

async function api(path) {
  const bearer = token();
  if (!bearer) throw new VerifyError("Чтобы получить данные опроса, войдите в кабинет.", 401);
  let response;
  try {
    response = await fetch((await apiBase()) + path, {
      headers: { Accept: "application/json, application/problem+json", Authorization: `Bearer ${bearer}` },
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new VerifyError("Сервер недоступен. Проверьте подключение и попробуйте ещё раз.");
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    throw new VerifyError((data && (data.detail || data.title)) || `Сервер ответил ошибкой (код ${response.status}).`,
      response.status);
  }
  return data;
}

// ---- RFC 6962 hashing ----------------------------------------------------------------------

function fromHex(hex) {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256(...parts) {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const joined = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", joined));
}

const leafHash = (leaf) => sha256(Uint8Array.of(0), leaf);
const utf8 = new TextEncoder();

// Plain string order as the leaf defines it: by code point, which is the order of the UTF-8 bytes
// (for the ASCII ids the platform issues, the same as sort() would give: q1-o2 < q10-o1 < q2-o1).
function byCodePoint(a, b) {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

// The ballot's options as its leaf holds them: sorted, joined with ",".
const optionsText = (optionIds) => [...optionIds].sort(byCodePoint).join(",");

function leafBytes(commitmentHex, optionIds) {
  const commitment = fromHex(commitmentHex);
  const options = utf8.encode(optionsText(optionIds));
  const leaf = new Uint8Array(commitment.length + options.length);
  leaf.set(commitment, 0);
  leaf.set(options, commitment.length);
  return leaf;
}

const isOptionList = (value) => Array.isArray(value) && value.every((o) => typeof o === "string" && o && !o.includes(","));
const nodeHash = (left, right) => sha256(Uint8Array.of(1), left, right);

// RFC 9162 §2.1.3.2: verify an inclusion proof.
async function verifyInclusion(leaf, index, size, path, root) {
  if (!(index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r = await leafHash(leaf);
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn !== 0 && fn % 2 === 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && toHex(r) === toHex(root);
}

// The tree hash, bottom-up; a level's odd last node is carried up (equal to RFC 6962's split).
async function merkleRoot(leaves) {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  let level = await Promise.all(leaves.map(leafHash));
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]));
    const hashed = await Promise.all(next);
    if (level.length % 2) hashed.push(level[level.length - 1]);
    level = hashed;
  }
  return level[0];
}

// ---- page ----------------------------------------------------------------------------------

const byId = (id) => document.getElementById(id);

function verdict(id, ok, text) {
  const node = byId(id);
  node.textContent = text;
  node.dataset.state = ok ? "ok" : "fail";
  node.className = ok ? "notice notice-info" : "notice notice-error";
}

function showError(error) {
  byId("error").textContent = error.message;
  byId("error").hidden = false;
  byId("signin-again").hidden = error.status !== 401;
}

function inputs() {
  byId("error").hidden = true;
  const pollId = byId("poll-id").value.trim();
  const receipt = byId("receipt").value.trim().toLowerCase();
  const optionIds = byId("option-ids").value.split(/[\s,;]+/).filter(Boolean);
  if (!/^[0-9A-Za-z]{26}$/.test(pollId)) throw new VerifyError("Введите идентификатор опроса (26 символов).");
  return { pollId, receipt, optionIds };
}

async function checkReceipt() {
  const { pollId, receipt, optionIds } = inputs();
  if (!HEX64.test(receipt)) {
    verdict("receipt-verdict", false, "Обязательство должно состоять из 64 шестнадцатеричных символов.");
    return;
  }
  if (optionIds.length === 0) {
    verdict("receipt-verdict", false, "Укажите варианты из квитанции: голос проверяется по обязательству " +
      "вместе с выбранными вариантами.");
    return;
  }
  byId("status").textContent = "Получаем доказательство…";
  let proof;
  try {
    proof = await api(`/v1/polls/${encodeURIComponent(pollId)}/proof?receipt=${receipt}`);
  } catch (error) {
    byId("status").textContent = "";
    if (error.status === 404 || error.status === 409) {
      verdict("receipt-verdict", false, `Голос не подтверждён: ${error.message}`);
      return;
    }
    throw error;
  }
  byId("status").textContent = "Проверяем хеши в браузере…";
  const published = await publishedRoot(pollId);
  const mine = optionsText(optionIds);
  const listed = isOptionList(proof.option_ids) ? optionsText(proof.option_ids) : null;
  if (proof.leaf === receipt && listed !== mine) {
    // The list gives this commitment other choices than the receipt: the vote was moved.
    byId("status").textContent = "";
    verdict("receipt-verdict", false, "Варианты в опубликованном списке не совпадают с вашей квитанцией: " +
      `в списке — ${listed === null ? "не указаны" : listed.replaceAll(",", ", ")}, ` +
      `в квитанции — ${mine.replaceAll(",", ", ")}. Голос не подтверждён: запись о нём изменена после подачи.`);
    byId("receipt-details").textContent = "";
    return;
  }
  const problems = [];
  if (proof.leaf !== receipt) problems.push("доказательство относится к другому обязательству");
  if (proof.merkle_root !== published) problems.push("корень в доказательстве не совпадает с опубликованным");
  const path = Array.isArray(proof.audit_path) ? proof.audit_path : [];
  // The leaf is rebuilt from the receipt (commitment and options), never taken from the proof.
  const ok = problems.length === 0 && path.every((p) => HEX64.test(p)) && HEX64.test(published || "") &&
    (await verifyInclusion(leafBytes(receipt, optionIds), proof.leaf_index, proof.tree_size, path.map(fromHex),
      fromHex(published)));
  if (problems.length === 0 && !ok) problems.push("путь аудита не приводит к опубликованному корню");
  byId("status").textContent = "";
  if (ok) {
    verdict("receipt-verdict", true, "Голос учтён без изменений");
    byId("receipt-details").textContent =
      `Позиция ${proof.leaf_index + 1} из ${proof.tree_size}; корень ${published}; ` +
      `выбранные варианты в опубликованном списке и в квитанции: ${mine.replaceAll(",", ", ")}.`;
  } else {
    verdict("receipt-verdict", false, `Голос не подтверждён: ${problems.join("; ")}.`);
    byId("receipt-details").textContent = "";
  }
}

async function publishedResult(pollId) {
  const page = await api(`/v1/polls/${encodeURIComponent(pollId)}/ballots/published?limit=1`);
  return { merkleRoot: page.merkle_root, treeSize: page.tree_size };
}

async function publishedRoot(pollId) {
  return (await publishedResult(pollId)).merkleRoot;
}

async function publishedTotals(pollId) {
  // Staff read the stored result; residents the results page.
  try {
    const poll = await api(`/v1/admin/polls/${encodeURIComponent(pollId)}`);
    if (poll.result) return { total: poll.result.total_ballots, counts: poll.result.counts || {} };
  } catch (error) {
    if (error.status !== 403 && error.status !== 404) throw error;
  }
  const results = await api(`/v1/polls/${encodeURIComponent(pollId)}/results`);
  const counts = {};
  for (const q of results.questions || []) for (const o of q.options || []) if (o.count) counts[o.id] = o.count;
  return { total: results.total_ballots, counts };
}

async function recount() {
  const { pollId } = inputs();
  byId("status").textContent = "Загружаем опубликованный список голосов…";
  const items = [];
  let cursor = null;
  let page;
  do {
    const query = `limit=${PAGE}` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : "");
    page = await api(`/v1/polls/${encodeURIComponent(pollId)}/ballots/published?${query}`);
    items.push(...page.items);
    cursor = page.next_cursor;
    byId("status").textContent = `Загружено голосов: ${items.length} из ${page.tree_size}…`;
  } while (cursor);

  byId("status").textContent = "Пересчитываем и строим дерево Меркла…";
  const counts = {};
  const problems = [];
  let previous = null;
  for (const item of items) {
    if (!HEX64.test(item.commitment)) problems.push(`неверное обязательство в списке: ${item.commitment}`);
    if (!isOptionList(item.option_ids)) {
      problems.push(`неверные варианты в списке у обязательства ${item.commitment}`);
      continue;
    }
    // Canonical order: commitment ascending, ties by the options as the leaf holds them.
    const key = [item.commitment, optionsText(item.option_ids)];
    if (previous && (key[0] < previous[0] || (key[0] === previous[0] && byCodePoint(key[1], previous[1]) < 0))) {
      problems.push("список не упорядочен по возрастанию обязательств");
    }
    previous = key;
    for (const id of item.option_ids) counts[id] = (counts[id] || 0) + 1;
  }
  if (problems.length) {
    byId("status").textContent = "";
    byId("recount-details").replaceChildren(...problems.map((text) => {
      const li = document.createElement("li");
      li.textContent = text;
      return li;
    }));
    verdict("recount-verdict", false, "Пересчёт не совпал с опубликованными итогами");
    return;
  }
  const root = toHex(await merkleRoot(items.map((i) => leafBytes(i.commitment, i.option_ids))));
  const published = await publishedTotals(pollId);
  if (items.length !== published.total) problems.push(`голосов в списке ${items.length}, опубликовано ${published.total}`);
  if (root !== page.merkle_root) problems.push(`корень списка ${root} не совпадает с опубликованным ${page.merkle_root}`);
  for (const id of new Set([...Object.keys(counts), ...Object.keys(published.counts)])) {
    if ((counts[id] || 0) !== (published.counts[id] || 0)) {
      problems.push(`вариант ${id}: пересчитано ${counts[id] || 0}, опубликовано ${published.counts[id] || 0}`);
    }
  }
  byId("status").textContent = "";
  const details = [`Голосов: ${items.length}`, `Корень: ${root}`,
    ...Object.keys(counts).sort().map((id) => `${id}: ${counts[id]}`)];
  byId("recount-details").replaceChildren(...(problems.length ? problems : details).map((text) => {
    const li = document.createElement("li");
    li.textContent = text;
    return li;
  }));
  if (problems.length) verdict("recount-verdict", false, "Пересчёт не совпал с опубликованными итогами");
  else verdict("recount-verdict", true, "Пересчёт совпал с опубликованными итогами и корнем");
}

function guarded(action) {
  return async (event) => {
    if (event) event.preventDefault();
    try {
      await action();
    } catch (error) {
      byId("status").textContent = "";
      showError(error instanceof VerifyError ? error : new VerifyError("Проверка не удалась: " + error.message));
    }
  };
}

byId("verify-form").addEventListener("submit", guarded(checkReceipt));
byId("recount").addEventListener("click", guarded(recount));
const params = new URLSearchParams(window.location.search);
if (params.get("poll")) byId("poll-id").value = params.get("poll");
if (params.get("receipt")) byId("receipt").value = params.get("receipt");
if (params.get("options")) byId("option-ids").value = params.get("options");
