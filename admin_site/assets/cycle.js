// The decision cycle pages: role dashboards, the poll editor with a phone preview, the approval
// queue, results with charts and suppressed breakdowns, execution reports, the audit log and staff
// roles. Text only: every value from the API goes in with textContent, never as markup.
import {
  api, byId, clearError, clearSession, el, loadConfig, readSession, setStatus, showError, territoryLabel,
} from "./app.js";

const ctx = { config: null, token: null, me: null, territories: null };
const SVG = "http://www.w3.org/2000/svg";
const STATE_ORDER = ["draft", "rejected", "in_review", "approved", "open", "closed", "final", "cancelled"];
const STATE_TITLES = {
  draft: "Черновики", rejected: "Отклонённые — нужна доработка", in_review: "На согласовании",
  approved: "Согласованы, ждут начала", open: "Идёт голосование", closed: "Голосование завершено",
  final: "Итоги подведены", cancelled: "Отменённые",
};
const DASHBOARD_TITLES = {
  moderator: "Рабочий стол модератора", approver: "Рабочий стол согласующего",
  admin: "Рабочий стол администратора", analyst: "Рабочий стол аналитика",
};

const has = (role) => ctx.me.roles.includes(role);
const call = (path, options = {}) => api(ctx.config, path, { ...options, token: ctx.token });

function when(iso) {
  return iso ? new Date(iso).toLocaleString("ru-RU", { dateStyle: "short", timeStyle: "short" }) : "";
}

function link(href, text) {
  const a = el("a", "", text);
  a.href = href;
  return a;
}

function button(text, className = "button") {
  const b = el("button", className, text);
  b.type = "button";
  return b;
}

// ---- navigation --------------------------------------------------------------------------

function renderNav() {
  const items = [["/dashboard.html", "Рабочий стол"]];
  if (has("moderator") || has("approver")) items.push(["/poll.html", "Новый опрос"]);
  if (has("approver")) items.push(["/review.html", "Согласование"]);
  if (["moderator", "approver", "admin", "analyst"].some(has)) items.push(["/audit.html", "Журнал аудита"]);
  if (has("admin")) items.push(["/staff.html", "Сотрудники"]);
  items.push(["/me.html", "Мой профиль"]);
  byId("nav").replaceChildren(...items.map(([href, text]) => {
    const li = el("li");
    const a = link(href, text);
    if (window.location.pathname === href) a.setAttribute("aria-current", "page");
    li.append(a);
    return li;
  }));
}

// ---- field errors --------------------------------------------------------------------------

function clearFieldErrors(form) {
  form.querySelectorAll(".field-error").forEach((p) => { p.textContent = ""; p.hidden = true; });
  form.querySelectorAll("[aria-invalid]").forEach((i) => i.removeAttribute("aria-invalid"));
}

// Puts each `errors[].field` message next to the input whose data-field is the longest prefix.
function showFieldErrors(form, errors) {
  const unplaced = [];
  for (const error of errors) {
    const target = bestField(form, String(error.field || ""));
    const holder = target && (target.closest(".option-row, .field") || target);
    const message = holder && holder.querySelector(".field-error");
    if (!message) { unplaced.push(error.detail); continue; }
    message.textContent = message.hidden ? error.detail : `${message.textContent}; ${error.detail}`;
    message.hidden = false;
    const input = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", message.id);
    }
  }
  return unplaced;
}

function bestField(form, field) {
  let best = null;
  for (const node of form.querySelectorAll("[data-field]")) {
    const name = node.dataset.field;
    if ((field === name || field.startsWith(`${name}.`)) && (!best || name.length > best.dataset.field.length)) {
      best = node;
    }
  }
  return best;
}

let fieldErrorSeq = 0;
function fieldError() {
  const p = el("p", "field-error");
  p.id = `field-error-${++fieldErrorSeq}`;
  p.hidden = true;
  return p;
}

// ---- dashboard -----------------------------------------------------------------------------

function pollCard(poll, actions) {
  const li = el("li", "card");
  li.append(el("p", "card-title", poll.title));
  li.append(el("p", "muted", `${poll.state_title} · ${(poll.territories || []).map((t) => t.name).join(", ")}`));
  li.append(el("p", "muted", `Голосование: ${when(poll.opens_at)} — ${when(poll.closes_at)}`));
  const lastComment = [...(poll.history || [])].reverse().find((h) => h.comment);
  if (lastComment && poll.state === "rejected") {
    li.append(el("p", "notice notice-error", `Комментарий согласующего: ${lastComment.comment}`));
  }
  const row = el("p", "actions");
  for (const [href, text] of actions(poll)) row.append(link(href, text));
  li.append(row);
  return li;
}

function pollActions(poll) {
  const out = [[`/poll.html?id=${encodeURIComponent(poll.id)}`, ["draft", "rejected"].includes(poll.state) ? "Открыть редактор" : "Посмотреть"]];
  if (["open", "closed", "final"].includes(poll.state)) out.push([`/results.html?id=${encodeURIComponent(poll.id)}`, poll.state === "final" ? "Итоги и исполнение" : "Участие"]);
  return out;
}

async function allPolls(state) {
  const query = state ? `?state=${state}&limit=50` : "?limit=50";
  return (await call(`/v1/admin/polls${query}`)).items;
}

async function startDashboard() {
  const role = ["approver", "moderator", "admin", "analyst"].find(has);
  byId("page-heading").textContent = DASHBOARD_TITLES[role] || "Рабочий стол";
  document.title = `${byId("page-heading").textContent} — Активный житель 74`;
  if (!role) {
    showError("У этой учётной записи нет прав сотрудника: разделы кабинета ей недоступны.");
    return;
  }
  if (has("moderator")) {
    const polls = await allPolls();
    const box = byId("my-polls");
    for (const state of STATE_ORDER) {
      const group = polls.filter((p) => p.state === state);
      if (!group.length) continue;
      const h = el("h3", "", `${STATE_TITLES[state]} (${group.length})`);
      const list = el("ul", "cards");
      list.append(...group.map((p) => pollCard(p, pollActions)));
      box.append(h, list);
    }
    if (!polls.length) box.append(el("p", "muted", "Опросов пока нет. Создайте первый."));
    byId("dash-moderator").hidden = false;
  }
  if (has("approver")) {
    const [polls, content] = await Promise.all([allPolls("in_review"), call("/v1/admin/content?state=in_review&limit=50")]);
    byId("queue-summary").textContent = `Ждут решения: опросов — ${polls.length}, материалов ленты — ${content.items.length}.`;
    byId("dash-approver").hidden = false;
  }
  if (!has("moderator")) {
    const [open, final] = await Promise.all([allPolls("open"), allPolls("final")]);
    const fill = (id, polls) => {
      const list = el("ul", "cards");
      list.append(...polls.map((p) => pollCard(p, pollActions)));
      byId(id).replaceChildren(polls.length ? list : el("p", "muted", "Нет опросов."));
    };
    fill("open-polls", open);
    fill("final-polls", final);
    byId("dash-open").hidden = false;
    byId("dash-final").hidden = false;
  }
  if (has("admin")) byId("dash-admin").hidden = false;
}

// ---- resident preview (a phone) --------------------------------------------------------------

function renderPreview(target, content) {
  const screen = el("div", "phone-screen");
  screen.append(el("p", "phone-app", "Активный житель 74"));
  screen.append(el("h3", "phone-title", content.title || "Без заголовка"));
  if (content.territoryNames.length) screen.append(el("p", "phone-meta", content.territoryNames.join(", ")));
  if (content.closes_at) screen.append(el("p", "phone-meta", `До ${when(content.closes_at)}`));
  if (content.description) screen.append(el("p", "phone-text", content.description));
  content.questions.forEach((q, qi) => {
    const fs = el("fieldset", "phone-question");
    const hint = q.kind === "single" ? "один ответ" : `от ${q.min_choices || 1} до ${q.max_choices || q.options.length} ответов`;
    fs.append(el("legend", "", `${qi + 1}. ${q.text || "Вопрос без текста"} (${hint})`));
    q.options.forEach((o, oi) => {
      const label = el("label", "phone-option");
      const input = document.createElement("input");
      input.type = q.kind === "single" ? "radio" : "checkbox";
      input.name = `preview-q${qi}`;
      input.disabled = true;
      input.id = `preview-q${qi}-o${oi}`;
      label.htmlFor = input.id;
      label.append(input, document.createTextNode(` ${o.text || "…"}`));
      fs.append(label);
    });
    screen.append(fs);
  });
  screen.append(el("p", "phone-button", "Проголосовать"));
  // What the app says under the button: the last ballot before the close is the one that counts.
  screen.append(el("p", "phone-meta", "Вы можете изменить свой выбор до окончания голосования."));
  target.replaceChildren(screen);
}

function previewContent(poll) {
  return {
    title: poll.title, description: poll.description, closes_at: poll.closes_at,
    territoryNames: (poll.territories || []).map((t) => t.name), questions: poll.questions || [],
  };
}

// ---- poll editor -----------------------------------------------------------------------------

function toLocalInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function fromLocalInput(value) {
  return value ? new Date(value).toISOString().replace(/\.\d{3}Z$/, "Z") : null;
}

async function territories() {
  if (!ctx.territories) ctx.territories = (await api(ctx.config, "/v1/territories")).territories;
  return ctx.territories;
}

// The territories the user may target: their scope and everything below it (all for approvers).
function pickable(all) {
  const byParent = new Map();
  for (const t of all) {
    if (!byParent.has(t.parent_id)) byParent.set(t.parent_id, []);
    byParent.get(t.parent_id).push(t);
  }
  const roots = has("approver") ? all.filter((t) => t.parent_id === null)
    : all.filter((t) => (ctx.me.scope_territories || []).some((s) => s.id === t.id));
  const out = [];
  const walk = (t, depth) => {
    out.push({ ...t, depth });
    for (const c of byParent.get(t.id) || []) walk(c, depth + 1);
  };
  roots.forEach((r) => walk(r, 0));
  return out;
}

function questionEditor(q, index, onChange) {
  const box = el("fieldset", "question");
  box.dataset.field = `questions.${index}`;
  box.append(el("legend", "", `Вопрос ${index + 1}`));
  const id = (name) => `q${index}-${name}`;
  const field = (labelText, input, name) => {
    const wrap = el("div", "field");
    const label = el("label", "", labelText);
    input.id = id(name);
    label.htmlFor = input.id;
    input.dataset.field = `questions.${index}.${name}`;
    wrap.append(label, input, fieldError());
    return wrap;
  };
  const text = document.createElement("input");
  text.value = q.text || "";
  text.dataset.role = "text";
  const kind = document.createElement("select");
  kind.dataset.role = "kind";
  for (const [v, t] of [["single", "один ответ"], ["multiple", "несколько ответов"]]) {
    const o = el("option", "", t);
    o.value = v;
    kind.append(o);
  }
  kind.value = q.kind || "single";
  const min = document.createElement("input");
  min.type = "number"; min.min = "1"; min.value = q.min_choices || 1; min.dataset.role = "min";
  const max = document.createElement("input");
  max.type = "number"; max.min = "1"; max.value = q.max_choices || ""; max.dataset.role = "max";
  box.append(field("Текст вопроса", text, "text"), field("Тип ответа", kind, "kind"));
  const limits = el("div", "field-row");
  limits.append(field("Не меньше вариантов", min, "min_choices"), field("Не больше вариантов", max, "max_choices"));
  box.append(limits);
  const syncLimits = () => { limits.hidden = kind.value === "single"; };
  syncLimits();
  kind.addEventListener("change", syncLimits);

  const options = el("ol", "options");
  options.dataset.field = `questions.${index}.options`;
  const addOption = (value) => {
    const li = el("li", "option-row");
    const input = document.createElement("input");
    const n = options.children.length;
    input.id = id(`o${n}`);
    input.value = value || "";
    input.dataset.role = "option";
    input.dataset.field = `questions.${index}.options.${n}`;
    const label = el("label", "visually-hidden", `Вариант ${n + 1} вопроса ${index + 1}`);
    label.htmlFor = input.id;
    const remove = button("Убрать", "button button-secondary button-small");
    remove.setAttribute("aria-label", `Убрать вариант ${n + 1} вопроса ${index + 1}`);
    remove.addEventListener("click", () => { li.remove(); onChange(); });
    li.append(label, input, remove, fieldError());
    options.append(li);
  };
  (q.options && q.options.length ? q.options : [{ text: "" }, { text: "" }]).forEach((o) => addOption(o.text));
  const optionsField = el("div", "field");
  optionsField.append(el("p", "field-label", "Варианты ответа"), options, fieldError());
  const addButton = button("Добавить вариант", "button button-secondary button-small");
  addButton.addEventListener("click", () => { addOption(""); onChange(); });
  const removeQuestion = button("Удалить вопрос", "button button-secondary button-small");
  removeQuestion.addEventListener("click", () => { box.remove(); onChange(true); });
  box.append(optionsField, addButton, removeQuestion);
  box.addEventListener("input", () => onChange());
  return box;
}

function readQuestions() {
  return [...byId("questions").querySelectorAll("fieldset.question")].map((box) => {
    const kind = box.querySelector("[data-role=kind]").value;
    const q = {
      text: box.querySelector("[data-role=text]").value.trim(), kind,
      options: [...box.querySelectorAll("[data-role=option]")].map((i) => ({ text: i.value.trim() })),
    };
    if (kind === "multiple") {
      q.min_choices = Number(box.querySelector("[data-role=min]").value || 1);
      const max = box.querySelector("[data-role=max]").value;
      if (max) q.max_choices = Number(max);
    }
    return q;
  });
}

function readPollForm() {
  return {
    title: byId("f-title").value.trim(),
    description: byId("f-description").value.trim(),
    territory_ids: [...byId("territory-picker").querySelectorAll("input:checked")].map((i) => i.value),
    opens_at: fromLocalInput(byId("f-opens").value),
    closes_at: fromLocalInput(byId("f-closes").value),
    min_age: Number(byId("f-min-age").value || 0),
    results_visibility: byId("f-visibility").value,
    questions: readQuestions(),
  };
}

function renderQuestions(questions, onChange) {
  const box = byId("questions");
  const rerender = (structural) => {
    if (structural) renderQuestions(readQuestions(), onChange);
    onChange();
  };
  box.replaceChildren(...questions.map((q, i) => questionEditor(q, i, rerender)));
}

function renderHistory(poll) {
  const items = (poll.history || []).map((h) => {
    const li = el("li");
    li.append(el("span", "", `${when(h.at)} · ${h.actor_role === "approver" ? "Согласующий" : h.actor_role === "system" ? "Планировщик" : "Модератор"}: ${h.action === "reject" ? "отклонил" : h.action === "approve" ? "согласовал" : h.action === "submit" ? "отправил на согласование" : h.action === "edit" ? `отредактировал (версия ${h.version})` : h.action}`));
    if (h.comment) li.append(el("blockquote", "comment", h.comment));
    return li;
  });
  byId("history").replaceChildren(...items);
  byId("history-section").hidden = items.length === 0;
}

async function startPollEditor() {
  const id = new URLSearchParams(window.location.search).get("id");
  const form = byId("poll-form");
  let poll = id ? await call(`/v1/admin/polls/${encodeURIComponent(id)}`) : null;
  const now = new Date();
  const initial = poll || {
    title: "", description: "", territory_ids: [], min_age: 14, results_visibility: "after_close",
    opens_at: new Date(now.getTime() + 24 * 3600e3).toISOString(), closes_at: new Date(now.getTime() + 8 * 24 * 3600e3).toISOString(),
    questions: [{ text: "", kind: "single", options: [{ text: "" }, { text: "" }] }],
  };
  byId("page-heading").textContent = poll ? `Опрос: ${poll.title}` : "Новый опрос";
  byId("f-title").value = initial.title;
  byId("f-description").value = initial.description || "";
  byId("f-opens").value = toLocalInput(initial.opens_at);
  byId("f-closes").value = toLocalInput(initial.closes_at);
  byId("f-min-age").value = initial.min_age;
  byId("f-visibility").value = initial.results_visibility;

  const all = await territories();
  const names = new Map(all.map((t) => [t.id, t.name]));
  byId("territory-picker").replaceChildren(...pickable(all).map((t) => {
    const label = el("label", `territory depth-${Math.min(t.depth, 3)}`);
    const input = document.createElement("input");
    input.type = "checkbox";
    input.value = t.id;
    input.checked = initial.territory_ids.includes(t.id);
    label.append(input, document.createTextNode(` ${territoryLabel(t)}`));
    return label;
  }));

  const refresh = () => {
    const data = readPollForm();
    renderPreview(byId("phone"), { ...data, territoryNames: data.territory_ids.map((t) => names.get(t)) });
  };
  renderQuestions(initial.questions, refresh);
  byId("add-question").addEventListener("click", () => {
    renderQuestions([...readQuestions(), { text: "", kind: "single", options: [{ text: "" }, { text: "" }] }], refresh);
    refresh();
  });
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  refresh();

  const editable = !poll || ["draft", "rejected"].includes(poll.state);
  const showState = () => {
    byId("poll-state").textContent = poll ? `Состояние: ${poll.state_title}. Версия ${poll.version}.` : "Новый черновик";
    byId("submit-review").hidden = Boolean(poll) && !["draft", "rejected"].includes(poll.state);
    if (poll) renderHistory(poll);
  };
  showState();
  if (!editable) {
    form.querySelectorAll("input, select, textarea, button").forEach((n) => { n.disabled = true; });
  }
  form.hidden = false;

  const message = (text) => { byId("form-message").textContent = text; byId("form-message").hidden = !text; };
  const save = async () => {
    clearError();
    clearFieldErrors(form);
    message("");
    const body = readPollForm();
    try {
      if (poll) {
        poll = await call(`/v1/admin/polls/${poll.id}`, { method: "PATCH", body: { ...body, version: poll.version } });
      } else {
        poll = await call("/v1/admin/polls", { method: "POST", body });
        window.history.replaceState(null, "", `/poll.html?id=${encodeURIComponent(poll.id)}`);
      }
      byId("page-heading").textContent = `Опрос: ${poll.title}`;
      showState();
      message("Черновик сохранён.");
      return true;
    } catch (error) {
      const rest = showFieldErrors(form, error.errors || []);
      showError(rest.length ? `${error.message} ${rest.join("; ")}` : error.message);
      return false;
    }
  };
  form.addEventListener("submit", async (event) => { event.preventDefault(); await save(); });
  byId("submit-review").addEventListener("click", async () => {
    if (!(await save())) return;
    try {
      poll = await call(`/v1/admin/polls/${poll.id}/submit`, { method: "POST" });
      showState();
      form.querySelectorAll("input, select, textarea, button").forEach((n) => { n.disabled = true; });
      message("Опрос отправлен на согласование в Управление по внутренней политике.");
    } catch (error) {
      showError(error.message);
    }
  });
}

// ---- approval queue --------------------------------------------------------------------------

function changesTable(changes) {
  if (!changes.length) return el("p", "muted", "Первое рассмотрение: предыдущей версии нет.");
  const table = el("table", "data-table changes");
  table.append(el("caption", "", "Что изменилось после прошлого отклонения"));
  const head = el("tr");
  head.append(el("th", "", "Поле"), el("th", "", "Было"), el("th", "", "Стало"));
  head.querySelectorAll("th").forEach((th) => th.setAttribute("scope", "col"));
  const body = el("tbody");
  for (const c of changes) {
    const tr = el("tr");
    const show = (v) => (v === null || v === undefined ? "—" : Array.isArray(v) ? v.join(", ") : String(v));
    tr.append(el("th", "", c.title), el("td", "", show(c.before)), el("td", "", show(c.after)));
    tr.firstChild.setAttribute("scope", "row");
    body.append(tr);
  }
  const thead = el("thead");
  thead.append(head);
  table.append(thead, body);
  return table;
}

function decisionForm(kind, item, onDone) {
  const box = el("div", "decision");
  const textarea = document.createElement("textarea");
  textarea.id = `comment-${item.id}`;
  textarea.rows = 3;
  const label = el("label", "", "Комментарий (обязателен при отклонении)");
  label.htmlFor = textarea.id;
  const errorBox = fieldError();
  const approve = button("Согласовать");
  const reject = button("Отклонить", "button button-secondary");
  const act = async (action) => {
    errorBox.hidden = true;
    try {
      const base = kind === "poll" ? "/v1/admin/polls" : "/v1/admin/content";
      const comment = textarea.value.trim();
      await call(`${base}/${item.id}/${action}`, { method: "POST", body: comment ? { comment } : {} });
      onDone(action === "approve" ? "Согласовано." : "Отклонено, автор увидит комментарий.");
    } catch (error) {
      errorBox.textContent = error.message;
      errorBox.hidden = false;
    }
  };
  approve.addEventListener("click", () => act("approve"));
  reject.addEventListener("click", () => act("reject"));
  const row = el("p", "actions");
  row.append(approve, reject);
  box.append(label, textarea, errorBox, row);
  return box;
}

async function startReview() {
  const [polls, content] = await Promise.all([allPolls("in_review"), call("/v1/admin/content?state=in_review&limit=50")]);
  const queue = byId("queue");
  queue.replaceChildren();
  if (!polls.length && !content.items.length) queue.append(el("p", "muted", "Очередь пуста: всё рассмотрено."));
  for (const poll of polls) {
    const article = el("article", "review-item");
    article.dataset.pollId = poll.id;
    const h = el("h2", "", `Опрос: ${poll.title}`);
    const submitted = [...poll.history].reverse().find((t) => t.action === "submit");
    article.append(h, el("p", "muted", `${poll.territories.map((t) => t.name).join(", ")} · отправлен ${when(submitted && submitted.at)}`));
    const layout = el("div", "editor-layout");
    const phone = el("div", "phone");
    renderPreview(phone, previewContent(poll));
    const left = el("div");
    left.append(changesTable(poll.changes_since_review || []), decisionForm("poll", poll, (text) => {
      article.replaceChildren(el("h2", "", `Опрос: ${poll.title}`), el("p", "notice notice-info", text));
    }));
    layout.append(left, phone);
    article.append(layout);
    queue.append(article);
  }
  for (const item of content.items) {
    const article = el("article", "review-item");
    article.dataset.contentId = item.id;
    article.append(el("h2", "", `Материал ленты: ${item.title}`));
    article.append(el("p", "muted", `${item.territories.map((t) => t.name).join(", ")} · ${item.type === "news" ? "новость" : item.type}`));
    article.append(el("p", "content-body", item.body || item.description || ""));
    article.append(decisionForm("content", item, (text) => {
      article.replaceChildren(el("h2", "", `Материал ленты: ${item.title}`), el("p", "notice notice-info", text));
    }));
    queue.append(article);
  }
}

// ---- results ---------------------------------------------------------------------------------

function barChart(question) {
  const width = 640;
  const rowHeight = 34;
  const labelWidth = 260;
  const svg = document.createElementNS(SVG, "svg");
  const height = question.options.length * rowHeight + 10;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "chart");
  svg.setAttribute("role", "img");
  const title = document.createElementNS(SVG, "title");
  title.textContent = `${question.text}: ${question.options.map((o) => `${o.text} — ${o.count}`).join("; ")}`;
  svg.append(title);
  const max = Math.max(1, ...question.options.map((o) => o.count));
  question.options.forEach((o, i) => {
    const y = i * rowHeight + 5;
    const text = document.createElementNS(SVG, "text");
    text.setAttribute("x", "0");
    text.setAttribute("y", String(y + 20));
    text.textContent = o.text.length > 34 ? `${o.text.slice(0, 33)}…` : o.text;
    const bar = document.createElementNS(SVG, "rect");
    bar.setAttribute("x", String(labelWidth));
    bar.setAttribute("y", String(y + 4));
    bar.setAttribute("height", "22");
    bar.setAttribute("width", String(Math.max(2, ((width - labelWidth - 120) * o.count) / max)));
    bar.setAttribute("class", "bar");
    const value = document.createElementNS(SVG, "text");
    value.setAttribute("x", String(labelWidth + 8 + ((width - labelWidth - 120) * o.count) / max));
    value.setAttribute("y", String(y + 20));
    value.textContent = `${o.count} (${Math.round(o.share * 100)} %)`;
    svg.append(text, bar, value);
  });
  return svg;
}

// A hidden cell says only «скрыто»: why it is hidden would tell how small it is.
function cellText(cell) {
  return cell.count === null ? "скрыто" : String(cell.count);
}

function breakdownTables(data) {
  const out = [];
  for (const q of data.questions) {
    const table = el("table", "data-table breakdown");
    table.append(el("caption", "", `${q.text} — ${data.title}`));
    const head = el("tr");
    head.append(el("th", "", "Группа"), el("th", "", "Всего"), ...q.options.map((o) => el("th", "", o.text)));
    head.querySelectorAll("th").forEach((th) => th.setAttribute("scope", "col"));
    const thead = el("thead");
    thead.append(head);
    const body = el("tbody");
    for (const row of q.rows) {
      const tr = el("tr");
      const th = el("th", "", row.title);
      th.setAttribute("scope", "row");
      tr.append(th, ...[row.total, ...row.cells].map((c) => {
        return el("td", c.count === null ? "suppressed" : "", cellText(c));
      }));
      body.append(tr);
    }
    table.append(thead, body);
    const wrap = el("div", "table-wrap");
    wrap.tabIndex = 0;
    wrap.append(table);
    out.push(wrap);
  }
  return out;
}

async function download(path, filename, type) {
  const response = await fetch(ctx.config.apiBase + path, { headers: { Authorization: `Bearer ${ctx.token}` }, credentials: "omit" });
  if (!response.ok) throw new Error("Не удалось выгрузить файл.");
  const blob = new Blob([await response.arrayBuffer()], { type });
  const a = el("a");
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
}

function renderExecution(report) {
  const view = byId("execution-view");
  view.replaceChildren();
  if (!report) {
    view.append(el("p", "muted", "Отчёт об исполнении ещё не заполнен."));
    return;
  }
  view.append(el("p", "", `Решение: ${report.decision}`), el("p", "", `Статус: ${report.status_title}`));
  const list = el("ol", "history");
  for (const u of report.updates || []) {
    const li = el("li");
    li.append(el("span", "", `${u.date}: ${u.text}`));
    for (const href of u.links || []) {
      li.append(document.createTextNode(" "));
      const a = link(href, href);
      a.rel = "noopener noreferrer";
      li.append(a);
    }
    list.append(li);
  }
  if (list.children.length) view.append(list);
  byId("x-decision").value = report.decision;
  byId("x-status").value = report.status;
  byId("update-form").hidden = false;
}

async function startResults() {
  const id = new URLSearchParams(window.location.search).get("id") || "";
  const path = `/v1/admin/polls/${encodeURIComponent(id)}/results`;
  const data = await call(path);
  byId("page-heading").textContent = `Итоги опроса «${data.title}»`;
  const summary = byId("summary-body");
  summary.replaceChildren(el("p", "", `${data.state_title} · ${data.territories.join(", ")} · окончание ${when(data.closes_at)}`));
  const final = data.state === "final";
  byId("export-csv").hidden = !final;
  byId("export-json").hidden = !final;
  if (!final) {
    const p = data.participation;
    summary.append(el("p", "participation", `Участие на ${when(p.measured_at)}: учтено ${p.ballots_counted}, в очереди ${p.queue_backlog}, всего ${p.total}.`));
    if (data.hidden_reason) summary.append(el("p", "notice notice-info", data.hidden_reason));
    if (data.live) {
      byId("charts").replaceChildren(...data.live.questions.map((q) => { const f = el("figure"); f.append(el("figcaption", "", q.text), barChart(q)); return f; }));
      byId("charts-section").hidden = false;
    }
    return;
  }
  summary.append(el("p", "participation", `Всего бюллетеней: ${data.total_ballots}.`));
  byId("charts").replaceChildren(...data.questions.map((q) => {
    const figure = el("figure");
    figure.append(el("figcaption", "", q.text), barChart(q));
    return figure;
  }));
  byId("charts-section").hidden = false;

  const loadBreakdown = async () => {
    const dimension = byId("dimension").value;
    const result = await call(`${path}?breakdown=${dimension}`);
    byId("breakdown-note").textContent = `Разрез по ${result.breakdown.total_ballots} бюллетеням. «скрыто» — ячейка скрыта ради тайны голосования: по опубликованным числам ни одну скрытую ячейку нельзя сузить меньше чем до ${result.breakdown.threshold} значений, и ни одна группа не видна проголосовавшей единодушно.`;
    byId("breakdown").replaceChildren(...breakdownTables(result.breakdown));
  };
  byId("dimension").addEventListener("change", () => loadBreakdown().catch((e) => showError(e.message)));
  await loadBreakdown();
  byId("breakdown-section").hidden = false;
  byId("export-csv").addEventListener("click", () => download(`${path}.csv?breakdown=${byId("dimension").value}`, `itogi-${id}.csv`, "text/csv").catch((e) => showError(e.message)));
  byId("export-json").addEventListener("click", () => download(`${path}?breakdown=${byId("dimension").value}`, `itogi-${id}.json`, "application/json").catch((e) => showError(e.message)));

  byId("execution-section").hidden = false;
  renderExecution(data.execution);
  const author = has("moderator") || has("approver");
  byId("execution-form").hidden = !author;
  if (!author) byId("update-form").hidden = true;
  byId("inform").hidden = !author;
  byId("execution-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = byId("execution-form");
    clearFieldErrors(form);
    clearError();
    try {
      const report = await call(`/v1/admin/polls/${encodeURIComponent(id)}/execution`, {
        method: "PUT", body: { decision: byId("x-decision").value.trim(), status: byId("x-status").value },
      });
      renderExecution(report);
      setStatus("Отчёт об исполнении сохранён.");
    } catch (error) {
      const rest = showFieldErrors(form, error.errors || []);
      showError(rest.length ? `${error.message} ${rest.join("; ")}` : error.message);
    }
  });
  byId("update-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = byId("update-form");
    clearFieldErrors(form);
    clearError();
    try {
      const links = byId("u-links").value.split("\n").map((s) => s.trim()).filter(Boolean);
      const report = await call(`/v1/admin/polls/${encodeURIComponent(id)}/execution/updates`, {
        method: "POST", body: { date: byId("u-date").value, text: byId("u-text").value.trim(), links },
      });
      renderExecution(report);
      form.reset();
      setStatus("Запись о ходе исполнения добавлена.");
    } catch (error) {
      const rest = showFieldErrors(form, error.errors || []);
      showError(rest.length ? `${error.message} ${rest.join("; ")}` : error.message);
    }
  });
  byId("inform").addEventListener("click", async () => {
    clearError();
    try {
      const item = await call(`/v1/admin/polls/${encodeURIComponent(id)}/inform`, { method: "POST" });
      byId("inform-result").textContent = `Новость «${item.title}» отправлена на согласование (${item.state_title}).`;
      byId("inform-result").hidden = false;
    } catch (error) {
      showError(error.message);
    }
  });
  byId("print").addEventListener("click", () => window.print());
}

// ---- audit -----------------------------------------------------------------------------------

function auditQuery(cursor) {
  const params = new URLSearchParams();
  for (const [id, name] of [["a-poll", "poll_id"], ["a-actor", "actor"], ["a-from", "from"], ["a-to", "to"]]) {
    const value = byId(id).value.trim();
    if (value) params.set(name, value);
  }
  if (cursor) params.set("cursor", cursor);
  return params.toString();
}

function brief(value) {
  if (value === null || value === undefined) return "—";
  const text = JSON.stringify(value);
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

async function startAudit() {
  const rows = byId("audit-rows");
  const form = byId("audit-filters");
  let cursor = null;
  const load = async (append) => {
    clearError();
    clearFieldErrors(form);
    try {
      const page = await call(`/v1/admin/audit?${auditQuery(append ? cursor : null)}`);
      const trs = page.items.map((e) => {
        const tr = el("tr");
        tr.append(el("td", "", String(e.seq)), el("td", "", when(e.at)), el("td", "", e.actor), el("td", "", e.actor_role),
          el("td", "", e.action_title), el("td", "", `${e.target_type} ${e.target_id}`),
          el("td", "", `${brief(e.before)} → ${brief(e.after)}`), el("td", "", e.comment || ""));
        return tr;
      });
      if (append) rows.append(...trs); else rows.replaceChildren(...trs);
      cursor = page.next_cursor;
      byId("audit-more").hidden = !cursor;
      setStatus(rows.children.length ? "" : "Записей по этим условиям нет.");
    } catch (error) {
      const rest = showFieldErrors(form, error.errors || []);
      showError(rest.length ? `${error.message} ${rest.join("; ")}` : error.message);
    }
  };
  const params = new URLSearchParams(window.location.search);
  if (params.get("poll_id")) byId("a-poll").value = params.get("poll_id");
  form.addEventListener("submit", (event) => { event.preventDefault(); load(false); });
  byId("audit-more").addEventListener("click", () => load(true));
  byId("audit-csv").addEventListener("click", () => download(`/v1/admin/audit.csv?${auditQuery(null)}`, "audit.csv", "text/csv").catch((e) => showError(e.message)));
  await load(false);
}

// ---- staff -----------------------------------------------------------------------------------

// Role titles come from the API (GET /v1/roles), never a copy here. A cashier's partner binding is
// not edited on this page, so the partner role is left out of the form.
async function staffRoles() {
  const { items } = await call("/v1/roles");
  return items.filter((r) => r.staff && r.role !== "partner").map((r) => [r.role, r.title]);
}

async function startStaff() {
  const all = await territories();
  byId("s-scope").replaceChildren(...all.map((t) => { const o = el("option", "", territoryLabel(t)); o.value = t.id; return o; }));
  byId("s-roles").replaceChildren(...(await staffRoles()).map(([value, title]) => {
    const label = el("label", "checkbox");
    const input = document.createElement("input");
    input.type = "checkbox";
    input.value = value;
    label.append(input, document.createTextNode(` ${title}`));
    return label;
  }));
  const list = async () => {
    const { items } = await call("/v1/admin/staff");
    byId("staff-rows").replaceChildren(...items.map((a) => {
      const tr = el("tr");
      tr.append(el("td", "", a.display_name ? `${a.display_name} (${a.subject})` : a.subject), el("td", "", a.role_titles.join(", ")
        + (a.pending ? ` (ждёт подтверждения: ${a.pending.role_titles.join(", ")})` : "")),
        el("td", "", a.scope_territories.map((t) => t.name).join(", ")), el("td", "", when(a.updated_at)));
      return tr;
    }));
  };
  let subject = null;
  byId("staff-load").addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError();
    clearFieldErrors(byId("staff-load"));
    subject = byId("s-subject").value.trim();
    try {
      const a = await call(`/v1/admin/staff/${encodeURIComponent(subject)}`);
      byId("staff-current").textContent = a.pending ? a.detail
        : a.assigned ? `Назначение от ${when(a.updated_at)}.` : a.detail;
      byId("staff-pending").hidden = !a.pending;
      byId("s-name").value = a.display_name || "";
      byId("s-roles").querySelectorAll("input").forEach((i) => { i.checked = a.roles.includes(i.value); });
      [...byId("s-scope").options].forEach((o) => { o.selected = a.scope_territory_ids.includes(o.value); });
      byId("staff-form").hidden = false;
    } catch (error) {
      const rest = showFieldErrors(byId("staff-load"), error.errors || []);
      showError(rest.length ? `${error.message} ${rest.join("; ")}` : error.message);
    }
  });
  byId("staff-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = byId("staff-form");
    clearError();
    clearFieldErrors(form);
    const body = {
      roles: [...byId("s-roles").querySelectorAll("input:checked")].map((i) => i.value),
      scope_territory_ids: [...byId("s-scope").selectedOptions].map((o) => o.value),
    };
    if (byId("s-name").value.trim()) body.display_name = byId("s-name").value.trim();
    try {
      const saved = await call(`/v1/admin/staff/${encodeURIComponent(subject)}`, { method: "PUT", body });
      setStatus(saved.pending ? `${saved.detail} Запрос записан в журнал аудита.`
        : "Назначение сохранено и записано в журнал аудита.");
      await list();
    } catch (error) {
      const rest = showFieldErrors(form, error.errors || []);
      showError(rest.length ? `${error.message} ${rest.join("; ")}` : error.message);
    }
  });
  byId("staff-confirm").addEventListener("click", async () => {
    clearError();
    try {
      await call(`/v1/admin/staff/${encodeURIComponent(subject)}/confirm`, { method: "POST" });
      byId("staff-pending").hidden = true;
      setStatus("Назначение подтверждено и записано в журнал аудита.");
      await list();
    } catch (error) {
      showError(error.message);
    }
  });
  await list();
}

// ---- start -----------------------------------------------------------------------------------

const PAGES = {
  dashboard: startDashboard, poll: startPollEditor, review: startReview, results: startResults,
  audit: startAudit, staff: startStaff,
};

async function start() {
  byId("signout").addEventListener("click", () => { clearSession(); window.location.assign("/"); });
  const session = readSession();
  if (!session) {
    window.location.replace("/");
    return;
  }
  ctx.token = session.token;
  try {
    ctx.config = await loadConfig();
    ctx.me = await call("/v1/me");
    renderNav();
    await PAGES[document.body.dataset.page]();
    if (byId("status").textContent === "Загрузка…") setStatus("");
  } catch (error) {
    setStatus("");
    showError(error.message);
    if (error.status === 401) clearSession();
  }
}

start();
