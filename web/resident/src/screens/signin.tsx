// Sign-in: Госуслуги 74 with the OIDC code flow and PKCE in production; locally the development
// provider's residents (chosen by /config.json) — the same code path as the admin site.
import { useEffect, useState } from "preact/hooks";
import { createApi, data } from "@shared/api/client";
import { loadConfig, type SiteConfig } from "@shared/config";
import { authorizationUrl, completeSignIn } from "@shared/oidc";
import { messageOf } from "@shared/problems";
import { ErrorBox, StatusLine } from "@shared/ui/feedback";
import type { Route } from "../app/router";
import { residentSession } from "../app/session";
import { Screen } from "../app/shell";

type Persona = { persona: string; title: string; roles?: string[]; territory_name?: string | null; birth_year?: number | null };

const NEXT_KEY = "aj74.resident.next";

function finish(token: string, name: string): void {
  residentSession.save({ token, name });
  const next = sessionStorage.getItem(NEXT_KEY);
  sessionStorage.removeItem(NEXT_KEY);
  const target = next && next.startsWith("#/") && !next.startsWith("#/signin") ? next : "#/polls";
  if (window.location.hash === target) {
    // Signed in on the very screen that asked for it: no hash change, so tell the router to redraw.
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    window.location.hash = target;
  }
}

export function SignInScreen({ route }: { route: Route }) {
  const [status, setStatus] = useState("Загрузка…");
  const [error, setError] = useState<string | null>(null);
  const [config, setConfig] = useState<SiteConfig | null>(null);
  const [personas, setPersonas] = useState<Persona[]>([]);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const next = route.query.get("next");
    if (next) sessionStorage.setItem(NEXT_KEY, next);
    (async () => {
      try {
        const cfg = await loadConfig();
        setConfig(cfg);
        if (cfg.auth.mode === "oidc") {
          const search = window.location.search;
          if (new URLSearchParams(search).has("state")) {
            // The code is single-use: keep it out of history and reloads.
            window.history.replaceState(null, "", window.location.pathname);
            setStatus("Завершаем вход…");
            const { token, name } = await completeSignIn(cfg.auth, search);
            finish(token, name);
            return;
          }
        } else {
          const list = await data(createApi(cfg.apiBase).GET("/dev/personas"));
          const all = (list as { personas?: Persona[] }).personas ?? [];
          setPersonas(all.filter((p) => (p.roles ?? []).includes("resident")));
        }
        setStatus("");
      } catch (e) {
        setStatus("");
        setError(messageOf(e));
      }
    })();
  }, []);

  const choose = async (persona: Persona) => {
    if (!config) return;
    setError(null);
    setBusy(true);
    setStatus(`Входим как «${persona.title}»…`);
    try {
      const { access_token } = await data(createApi(config.apiBase).POST("/dev/token", { body: { persona: persona.persona } }));
      finish(access_token, persona.title);
    } catch (e) {
      setStatus("");
      setError(messageOf(e));
      setBusy(false);
    }
  };

  const oidc = async () => {
    if (config?.auth.mode !== "oidc") return;
    setError(null);
    setBusy(true);
    try {
      window.location.assign(await authorizationUrl(config.auth));
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  };

  return (
    <Screen title="Вход">
      <p class="lead">Голосуйте в опросах о своём городе и районе, читайте новости и получайте баллы за участие.</p>
      <StatusLine text={status} />
      <ErrorBox text={error} />
      {config?.auth.mode === "oidc" && !status && (
        <button class="button button-wide" type="button" disabled={busy} onClick={oidc}>Войти через Госуслуги 74</button>
      )}
      {config?.auth.mode === "dev" && personas.length > 0 && (
        <section aria-labelledby="dev-signin-title">
          <h2 id="dev-signin-title">Выберите жителя</h2>
          <p class="hint">Режим разработки: вход тестовыми жителями вместо Госуслуг.</p>
          <ul id="persona-list" class="persona-list" aria-busy={busy ? "true" : undefined}>
            {personas.map((p) => (
              <li key={p.persona}>
                <button class="persona" type="button" data-persona={p.persona} disabled={busy} onClick={() => choose(p)}>
                  <span class="persona-title">{p.title}</span>
                  <span class="persona-meta">
                    {p.territory_name && <span>{p.territory_name}</span>}
                    {p.birth_year && <span>{p.birth_year} г. р.</span>}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <p class="hint"><a href="#/check">Проверить итоги опроса без входа</a></p>
    </Screen>
  );
}
