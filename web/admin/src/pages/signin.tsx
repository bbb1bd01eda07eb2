// Sign-in: the development identity provider's personas locally, the OIDC code flow with PKCE
// (Госуслуги 74) in production — chosen by /config.json, the same code path either way.
import { useEffect, useState } from "preact/hooks";
import { createApi, data } from "@shared/api/client";
import { loadConfig, type SiteConfig } from "@shared/config";
import { authorizationUrl, completeSignIn } from "@shared/oidc";
import { messageOf } from "@shared/problems";
import { ErrorBox, StatusLine } from "@shared/ui/feedback";
import "../styles/site.css";
import { landingFor } from "../shell/nav";
import { mountPublicPage } from "../shell/public";
import { adminSession } from "../shell/session";

type Persona = { persona: string; title: string; role_titles?: string[]; territory_name?: string | null };

/** After sign-in: the person's first section, known from their roles. */
async function land(config: SiteConfig, token: string, name: string): Promise<void> {
  adminSession.save({ token, name });
  const me = await data(createApi(config.apiBase, token).GET("/v1/me"));
  window.location.assign(landingFor(me.roles));
}

function SignIn() {
  const [status, setStatus] = useState("Загрузка…");
  const [error, setError] = useState<string | null>(null);
  const [config, setConfig] = useState<SiteConfig | null>(null);
  const [personas, setPersonas] = useState<Persona[]>([]);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    (async () => {
      try {
        const cfg = await loadConfig();
        setConfig(cfg);
        if (cfg.auth.mode === "oidc") {
          const search = window.location.search;
          if (new URLSearchParams(search).has("state")) {
            // The code is single-use and of no value after this: keep it out of history and reloads.
            window.history.replaceState(null, "", window.location.pathname);
            setStatus("Завершаем вход…");
            const { token, name } = await completeSignIn(cfg.auth, search);
            await land(cfg, token, name);
            return;
          }
        } else {
          const list = await data(createApi(cfg.apiBase).GET("/dev/personas"));
          setPersonas((list as { personas?: Persona[] }).personas ?? []);
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
      await land(config, access_token, persona.title);
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
    <>
      <StatusLine text={status} />
      <ErrorBox text={error} />
      {config?.auth.mode === "oidc" && !status && (
        <button class="button" type="button" disabled={busy} onClick={oidc}>Войти через Госуслуги 74</button>
      )}
      {config?.auth.mode === "dev" && personas.length > 0 && (
        <section id="dev-signin" aria-labelledby="dev-signin-title">
          <h2 id="dev-signin-title">Выберите учётную запись для входа</h2>
          <p class="hint">Режим разработки: вход по тестовым учётным записям без ЕСИА. Нажмите на учётную запись, чтобы войти от её имени.</p>
          <ul id="persona-list" class="persona-list" aria-busy={busy ? "true" : undefined}>
            {personas.map((p) => (
              <li key={p.persona}>
                <button class="persona" type="button" data-persona={p.persona} disabled={busy} onClick={() => choose(p)}>
                  <span class="persona-title">{p.title}</span>
                  <span class="persona-meta">
                    <span>Роль: {(p.role_titles ?? []).join(", ")}</span>
                    {p.territory_name && <span>Территория: {p.territory_name}</span>}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

mountPublicPage("Вход в кабинет", SignIn);
