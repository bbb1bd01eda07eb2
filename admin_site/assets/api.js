// The API reference (api.html), rendered from the OpenAPI document the API serves itself
// (GET /v1/openapi.json, no sign-in needed). Everything from the network is put on the page with
// textContent only: the site runs under a strict CSP and must stay XSS-free.

const STATUS_TITLES = { 200: "Успех", 201: "Создано", 202: "Принято" };

function byId(id) {
  return document.getElementById(id);
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

async function apiBase() {
  const response = await fetch("/config.json", { cache: "no-store" }).catch(() => null);
  const config = response && response.ok ? await response.json().catch(() => null) : null;
  if (!config || typeof config.apiBase !== "string") {
    throw new Error("Не удалось загрузить настройки кабинета. Обновите страницу.");
  }
  return config.apiBase.replace(/\/+$/, "");
}

// A short human description of a JSON schema (type, limits, allowed values).
function describe(schema, components) {
  if (!schema || typeof schema !== "object") return "любое значение";
  if (typeof schema.$ref === "string") {
    const name = schema.$ref.split("/").pop();
    return `объект ${name}`;
  }
  const alternatives = schema.oneOf || schema.anyOf;
  if (Array.isArray(alternatives)) return alternatives.map((s) => describe(s, components)).join(" или ");
  if (Array.isArray(schema.enum)) return `одно из: ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`;
  if ("const" in schema) return `ровно ${JSON.stringify(schema.const)}`;
  const type = Array.isArray(schema.type) ? schema.type.join(" или ") : schema.type || "объект";
  const limits = [];
  if (schema.format) limits.push(`формат ${schema.format}`);
  if (schema.pattern) limits.push(`шаблон ${schema.pattern}`);
  if (schema.minLength !== undefined) limits.push(`от ${schema.minLength} символов`);
  if (schema.maxLength !== undefined) limits.push(`до ${schema.maxLength} символов`);
  if (schema.minimum !== undefined) limits.push(`не меньше ${schema.minimum}`);
  if (schema.maximum !== undefined) limits.push(`не больше ${schema.maximum}`);
  if (schema.minItems !== undefined) limits.push(`от ${schema.minItems} элементов`);
  if (schema.maxItems !== undefined) limits.push(`до ${schema.maxItems} элементов`);
  if (schema.items) limits.push(`элементы: ${describe(schema.items, components)}`);
  return limits.length ? `${type} (${limits.join("; ")})` : type;
}

function fieldsTable(schema, components) {
  let target = schema;
  if (target && typeof target.$ref === "string") target = components.schemas[target.$ref.split("/").pop()];
  const properties = target && target.properties;
  if (!properties) return el("p", describe(schema, components), "muted");
  const required = new Set(target.required || []);
  const table = el("table");
  const head = table.createTHead().insertRow();
  for (const title of ["Поле", "Обязательное", "Значение"]) head.appendChild(el("th", title));
  const body = table.createTBody();
  for (const [name, property] of Object.entries(properties)) {
    const row = body.insertRow();
    row.appendChild(el("td", name));
    row.appendChild(el("td", required.has(name) ? "да" : "нет"));
    const description = property.description ? `${describe(property, components)} — ${property.description}`
      : describe(property, components);
    row.appendChild(el("td", description));
  }
  if (target.additionalProperties === false) {
    const caption = el("caption", "Другие поля не допускаются.", "muted");
    table.prepend(caption);
  }
  return table;
}

function renderOperation(path, method, op, components) {
  const section = el("section", undefined, "api-operation");
  section.id = op.operationId || `${method}-${path}`;
  section.appendChild(el("h3", `${method.toUpperCase()} ${path}`));
  if (op.summary) section.appendChild(el("p", op.summary));
  if (op.description) section.appendChild(el("p", op.description, "hint"));
  const access = op.security && op.security.length ? "нужен токен входа (Bearer)" : "без входа";
  const roles = Array.isArray(op["x-roles"]) ? `; роли: ${op["x-roles"].join(", ")}` : "";
  section.appendChild(el("p", `Доступ: ${access}${roles}`, "muted"));
  if (op["x-rate-limit"]) section.appendChild(el("p", `Ограничение частоты: ${op["x-rate-limit"]}`, "muted"));

  if (Array.isArray(op.parameters) && op.parameters.length) {
    section.appendChild(el("h4", "Параметры"));
    const list = el("ul");
    for (const p of op.parameters) {
      const where = p.in === "path" ? "в адресе" : "в строке запроса";
      const text = `${p.name} (${where}${p.required ? ", обязательный" : ""}): ${describe(p.schema, components)}`;
      list.appendChild(el("li", p.description ? `${text} — ${p.description}` : text));
    }
    section.appendChild(list);
  }
  const requestBody = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
  if (requestBody) {
    section.appendChild(el("h4", op.requestBody.required ? "Тело запроса (JSON)" : "Тело запроса (JSON, необязательно)"));
    const schema = requestBody.schema || {};
    const alternatives = schema.oneOf || [schema];
    for (const alternative of alternatives) section.appendChild(fieldsTable(alternative, components));
  }
  section.appendChild(el("h4", "Ответы"));
  const responses = el("ul");
  for (const [status, response] of Object.entries(op.responses || {})) {
    let text = STATUS_TITLES[status] || "";
    if (response && typeof response.$ref === "string") {
      const shared = components.responses[response.$ref.split("/").pop()];
      text = shared ? `${shared.description} (application/problem+json)` : text;
    } else if (response && response.content) {
      text = `${text} (${Object.keys(response.content).join(", ")})`;
    }
    responses.appendChild(el("li", `${status} — ${text}`));
  }
  section.appendChild(responses);
  return section;
}

function render(documentJson) {
  const given = documentJson.components || {};
  const components = { schemas: given.schemas || {}, responses: given.responses || {} };
  const groups = new Map();
  for (const [path, operations] of Object.entries(documentJson.paths || {})) {
    for (const [method, op] of Object.entries(operations)) {
      const tag = (op.tags && op.tags[0]) || "прочее";
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push([path, method, op]);
    }
  }
  const container = byId("operations");
  const toc = byId("toc");
  let index = 0;
  for (const [tag, operations] of [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0], "ru"))) {
    index += 1;
    const section = el("section");
    section.id = `group-${index}`;
    section.appendChild(el("h2", tag));
    for (const [path, method, op] of operations) section.appendChild(renderOperation(path, method, op, components));
    container.appendChild(section);
    const link = el("a", `${tag} (${operations.length})`);
    link.href = `#group-${index}`;
    const item = el("li");
    item.appendChild(link);
    toc.appendChild(item);
  }
  const count = [...groups.values()].reduce((n, ops) => n + ops.length, 0);
  byId("toc-nav").hidden = false;
  return count;
}

async function start() {
  const status = byId("status");
  try {
    const base = await apiBase();
    const url = `${base}/v1/openapi.json`;
    byId("document-link").href = url;
    const response = await fetch(url, { cache: "no-store" }).catch(() => {
      throw new Error("Сервер недоступен. Проверьте подключение.");
    });
    if (!response.ok) throw new Error(`Сервис не отдал описание API (код ${response.status}).`);
    const count = render(await response.json());
    status.textContent = "";
    const summary = byId("summary");
    summary.textContent = `Операций: ${count}.`;
    summary.hidden = false;
  } catch (error) {
    status.textContent = "";
    const box = byId("error");
    box.textContent = error instanceof Error && !(error instanceof TypeError) ? error.message
      : "Не удалось показать описание API. Обновите страницу.";
    box.hidden = false;
  }
}

start();
