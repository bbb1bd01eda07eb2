// Sign-in: the development identity provider's personas locally, the OIDC code flow with PKCE
// (Госуслуги 74) in production — chosen by /config.json, the same code path either way.
import { createApi, data } from "@shared/api/client";
import type { SiteConfig } from "@shared/config";
import { useSignIn } from "@shared/signin";
import { ErrorBox, StatusLine } from "@shared/ui/feedback";
import "../styles/site.css";
import { landingFor } from "../shell/nav";
import { mountPublicPage } from "../shell/public";
import { adminSession } from "../shell/session";

/** After sign-in: the person's first section, known from their roles. */
async function land(config: SiteConfig, token: string, name: string): Promise<void> {
  adminSession.save({ token, name });
  const me = await data(createApi(config.apiBase, token).GET("/v1/me"));
  window.location.assign(landingFor(me.roles));
}

function SignIn() {
  const { status, error, config, personas, busy, choose, oidc } = useSignIn(land);

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
