// The catalogue page (shop.html): list, create and edit rewards. Text only, never markup.
import {
  api, byId, clearError, clearSession, el, loadConfig, readSession, setStatus, showError,
} from "./app.js";

const state = { config: null, token: null, editing: null };

function dateLabel(iso) {
  return new Date(iso).toLocaleDateString("ru-RU");
}

// datetime-local has no zone: the editor works in the browser's local time, the API in UTC.
function toLocalInput(iso) {
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fromLocalInput(value) {
  return value ? new Date(value).toISOString().replace(/\.\d{3}Z$/, "Z") : "";
}

function row(item) {
  const tr = el("tr");
  tr.dataset.itemId = item.id;
  tr.append(
    el("td", "", item.title),
    el("td", "", item.partner),
    el("td", "", String(item.price)),
    el("td", "", String(item.stock)),
    el("td", "", `${dateLabel(item.valid_from)} — ${dateLabel(item.valid_until)}`),
    el("td", "", (item.territories || []).join(", ")),
    el("td", "", item.active ? "доступно" : "скрыто"),
  );
  const edit = el("button", "button button-secondary", "Изменить");
  edit.type = "button";
  edit.setAttribute("aria-label", `Изменить: ${item.title}`);
  edit.addEventListener("click", () => startEdit(item));
  const cell = el("td");
  cell.append(edit);
  tr.append(cell);
  return tr;
}

async function loadItems() {
  const { items } = await api(state.config, "/v1/admin/shop/items", { token: state.token });
  byId("item-rows").replaceChildren(...items.map(row));
  byId("empty").hidden = items.length > 0;
  byId("catalogue").hidden = false;
}

function fill(item) {
  byId("f-title").value = item ? item.title : "";
  byId("f-description").value = item ? item.description : "";
  byId("f-partner").value = item ? item.partner : "";
  byId("f-price").value = item ? String(item.price) : "";
  byId("f-stock").value = item ? String(item.stock) : "";
  byId("f-valid-from").value = item ? toLocalInput(item.valid_from) : "";
  byId("f-valid-until").value = item ? toLocalInput(item.valid_until) : "";
  byId("f-territories").value = item ? item.territory_ids.join(", ") : "";
  byId("f-active").checked = item ? item.active : true;
}

function startEdit(item) {
  state.editing = item;
  fill(item);
  byId("editor-heading").textContent = item ? `Изменение: ${item.title}` : "Новое поощрение";
  byId("f-title").focus();
}

function formBody() {
  return {
    title: byId("f-title").value,
    description: byId("f-description").value,
    partner: byId("f-partner").value,
    price: Number.parseInt(byId("f-price").value, 10),
    stock: Number.parseInt(byId("f-stock").value, 10),
    valid_from: fromLocalInput(byId("f-valid-from").value),
    valid_until: fromLocalInput(byId("f-valid-until").value),
    territory_ids: byId("f-territories").value.split(",").map((t) => t.trim()).filter(Boolean),
    active: byId("f-active").checked,
  };
}

async function save(event) {
  event.preventDefault();
  clearError();
  const body = formBody();
  try {
    if (state.editing) {
      await api(state.config, `/v1/admin/shop/items/${encodeURIComponent(state.editing.id)}`, {
        method: "PATCH", token: state.token, body: { ...body, version: state.editing.version },
      });
      setStatus("Изменения сохранены.");
    } else {
      await api(state.config, "/v1/admin/shop/items", { method: "POST", token: state.token, body });
      setStatus("Поощрение добавлено в каталог.");
    }
    startEdit(null);
    await loadItems();
  } catch (error) {
    showError(error.message);
  }
}

async function startShop() {
  byId("signout").addEventListener("click", () => {
    clearSession();
    window.location.assign("/");
  });
  const session = readSession();
  if (!session) {
    window.location.replace("/");
    return;
  }
  state.token = session.token;
  try {
    state.config = await loadConfig();
    await loadItems();
    setStatus("");
    byId("editor").hidden = false;
    byId("item-form").addEventListener("submit", save);
    byId("new-item").addEventListener("click", () => startEdit(null));
  } catch (error) {
    setStatus("");
    showError(error.message);
    if (error.status === 401 || error.status === 403) {
      if (error.status === 401) clearSession();
      byId("signin-again").hidden = false;
    }
  }
}

startShop();
