// The admin site: sign-in (index.html) and "who am I" (me.html).
// No framework and no build step. Every piece of data from the API is put on the page with
// textContent, never as markup: the site runs under a strict CSP and must stay XSS-free.

import { authorizationUrl, completeSignIn } from "./oidc.js";

const SESSION_KEY = "aj74.admin.session";

const MESSAGES = {
  configFailed: "Не удалось загрузить настройки кабинета. Обновите страницу или обратитесь в поддержку.",
  apiUnreachable: "Сервер недоступен. Проверьте подключение и попробуйте ещё раз.",
  unsupportedMode: (mode) =>
    `Вход в режиме «${mode}» в этой версии кабинета ещё не поддерживается. ` +
    "Обратитесь к администратору Министерства информационных технологий.",
  noPersonas: "Нет ни одной учётной записи для входа.",
  signingIn: (title) => `Входим как «${title}»…`,
  signedOut: "Вы не вошли в кабинет.",
  completingSignIn: "Завершаем вход…",
};

class ApiError extends Error {
  constructor(message, status, errors = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    // Field errors of a 422 (`errors[].field`), shown next to the inputs they name.
    this.errors = Array.isArray(errors) ? errors : [];
  }
}

// ---- configuration, session, API ---------------------------------------------------------

async function loadConfig() {
  let response;
  try {
    response = await fetch("/config.json", { cache: "no-store" });
  } catch {
    throw new ApiError(MESSAGES.configFailed, 0);
  }
  const config = response.ok ? await response.json().catch(() => null) : null;
  if (!config || typeof config.apiBase !== "string" || !config.auth) {
    throw new ApiError(MESSAGES.configFailed, response.status);
  }
  return { apiBase: config.apiBase.replace(/\/+$/, ""), auth: config.auth };
}

function readSession() {
  try {
    const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
    return session && typeof session.token === "string" ? session : null;
  } catch {
    return null;
  }
}

function saveSession(session) {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

function clearSession() {
  sessionStorage.removeItem(SESSION_KEY);
}

// Calls the API; failures become ApiError carrying the problem's Russian `detail` for the user.
async function api(config, path, { method = "GET", body, token } = {}) {
  const headers = { Accept: "application/json, application/problem+json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(config.apiBase + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    throw new ApiError(MESSAGES.apiUnreachable, 0);
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = data && (data.detail || data.title);
    throw new ApiError(
      detail || `Сервер ответил ошибкой (код ${response.status}).`,
      response.status,
      data && data.errors,
    );
  }
  return data;
}

// ---- small DOM helpers (text only) ---------------------------------------------------------

function byId(id) {
  return document.getElementById(id);
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function setStatus(text) {
  const status = byId("status");
  // The live region stays in the page (hiding it would stop announcements); empty means silent.
  status.textContent = text || "";
}

function showError(text) {
  const box = byId("error");
  box.textContent = text;
  box.hidden = false;
}

function clearError() {
  const box = byId("error");
  box.textContent = "";
  box.hidden = true;
}

function fillList(list, items, emptyText) {
  list.replaceChildren(...(items.length ? items : [emptyText]).map((text) => el("li", "", text)));
}

function territoryLabel(territory) {
  if (!territory) return "";
  return territory.official_name && territory.official_name !== territory.name
    ? `${territory.name} (${territory.official_name})`
    : territory.name;
}

// ---- sign-in page ----------------------------------------------------------------------------

function personaButton(persona, onChoose) {
  const button = el("button", "persona");
  button.type = "button";
  button.dataset.persona = persona.persona;
  button.append(el("span", "persona-title", persona.title));

  const roles = (persona.role_titles || []).join(", ");
  const meta = el("span", "persona-meta");
  meta.append(el("span", "", `Роль: ${roles}`));
  if (persona.territory_name) {
    meta.append(el("span", "", `Территория: ${persona.territory_name}`));
  }
  button.append(meta);
  button.addEventListener("click", () => onChoose(persona));
  return button;
}

async function startSignIn() {
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    setStatus("");
    showError(error.message);
    return;
  }
  if (config.auth.mode === "oidc") {
    await startOidcSignIn(config);
    return;
  }
  if (config.auth.mode !== "dev") {
    setStatus("");
    showError(MESSAGES.unsupportedMode(String(config.auth.mode)));
    return;
  }

  let personas;
  try {
    personas = (await api(config, "/dev/personas")).personas || [];
  } catch (error) {
    setStatus("");
    showError(error.message);
    return;
  }

  const list = byId("persona-list");
  const buttons = [];
  const choose = async (persona) => {
    clearError();
    buttons.forEach((b) => (b.disabled = true));
    list.setAttribute("aria-busy", "true");
    setStatus(MESSAGES.signingIn(persona.title));
    try {
      const { access_token: token } = await api(config, "/dev/token", {
        method: "POST",
        body: { persona: persona.persona },
      });
      saveSession({ token, personaTitle: persona.title });
      window.location.assign("/dashboard.html");
    } catch (error) {
      setStatus("");
      showError(error.message);
      buttons.forEach((b) => (b.disabled = false));
      list.removeAttribute("aria-busy");
    }
  };

  for (const persona of personas) {
    const button = personaButton(persona, choose);
    buttons.push(button);
    const item = el("li");
    item.append(button);
    list.append(item);
  }
  setStatus(personas.length ? "" : MESSAGES.noPersonas);
  byId("dev-signin").hidden = personas.length === 0;
}

// Production sign-in: the authorization-code flow with PKCE against the configured issuer. The
// issuer sends the user back here (the redirect URI) with ?code&state, or ?error&state.
async function startOidcSignIn(config) {
  const search = window.location.search;
  if (new URLSearchParams(search).has("state")) {
    // The code is single-use and of no value after this: keep it out of history and reloads.
    window.history.replaceState(null, "", window.location.pathname);
    setStatus(MESSAGES.completingSignIn);
    try {
      const { token, name } = await completeSignIn(config.auth, search);
      saveSession({ token, personaTitle: name });
      window.location.replace("/dashboard.html");
      return;
    } catch (error) {
      setStatus("");
      showError(error.message);
    }
  } else {
    setStatus("");
  }
  const button = el("button", "button", "Войти через Госуслуги 74");
  button.type = "button";
  button.addEventListener("click", async () => {
    clearError();
    button.disabled = true;
    try {
      window.location.assign(await authorizationUrl(config.auth));
    } catch (error) {
      showError(error.message);
      button.disabled = false;
    }
  });
  byId("main").append(button);
}

// ---- profile page ----------------------------------------------------------------------------

function renderProfile(me, session) {
  const isStaff = Boolean(me.display_name);
  byId("profile-name").textContent = me.display_name || session.personaTitle || "Житель";
  byId("resident-note").hidden = isStaff;
  fillList(byId("profile-roles"), me.role_titles || [], "Роль не назначена");

  byId("profile-territory").textContent = territoryLabel(me.territory) || "Не указана";
  const parents = (me.territory_chain || []).slice(1).map((t) => t.name);
  byId("profile-territory-chain").textContent = parents.length ? `Входит в: ${parents.join(", ")}` : "";

  fillList(
    byId("profile-scope"),
    (me.scope_territories || []).map(territoryLabel),
    isStaff ? "Не назначена" : "Нет — жители не управляют территориями",
  );
  byId("profile").hidden = false;
}

function signOut() {
  clearSession();
  window.location.assign("/");
}

async function startProfile() {
  byId("signout").addEventListener("click", signOut);

  const session = readSession();
  if (!session) {
    window.location.replace("/");
    return;
  }

  try {
    const config = await loadConfig();
    const me = await api(config, "/v1/me", { token: session.token });
    setStatus("");
    renderProfile(me, session);
    byId("profile-heading").focus();
  } catch (error) {
    setStatus("");
    showError(error.message);
    if (error.status === 401 || error.status === 403) {
      // The token expired or was rejected: it is of no further use.
      clearSession();
      byId("signin-again").hidden = false;
    }
  }
}

// ---- start -----------------------------------------------------------------------------------

const pages = { signin: startSignIn, profile: startProfile };
const start = pages[document.body.dataset.page];
if (start) start();

// Shared with the other pages' modules (shop.js): session, API and text-only DOM helpers.
export { ApiError, api, byId, clearError, clearSession, el, loadConfig, readSession, saveSession, setStatus, showError, territoryLabel };
