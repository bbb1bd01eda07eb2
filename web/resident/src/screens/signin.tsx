// Sign-in: Госуслуги 74 with the OIDC code flow and PKCE in production; locally the development
// provider's residents (chosen by /config.json) — the same code path as the admin site.
import { useEffect } from "preact/hooks";
import { useSignIn } from "@shared/signin";
import { ErrorBox, StatusLine } from "@shared/ui/feedback";
import type { Route } from "../app/router";
import { residentSession } from "../app/session";
import { Screen } from "../app/shell";

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
  const { status, error, config, personas, busy, choose, oidc } = useSignIn(
    (_config, token, name) => finish(token, name), (p) => (p.roles ?? []).includes("resident"));
  useEffect(() => {
    const next = route.query.get("next");
    if (next) sessionStorage.setItem(NEXT_KEY, next);
  }, []);

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
