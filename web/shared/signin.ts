// What both sign-in pages do, in one place: read /config.json; in OIDC mode complete the code
// flow when the issuer sends the person back (state in the query), else list the development
// provider's personas (those `keep` accepts); `choose(persona)` and `oidc()` start a sign-in. The
// page decides what signing in means (`finish`: where the token goes, where the person lands).
import { useEffect, useState } from "preact/hooks";
import { createApi, data } from "./api/client";
import { loadConfig, type SiteConfig } from "./config";
import { authorizationUrl, completeSignIn } from "./oidc";
import { messageOf } from "./problems";

export type Persona = {
  persona: string; title: string; roles?: string[]; role_titles?: string[];
  territory_name?: string | null; birth_year?: number | null;
};

export function useSignIn(
  finish: (config: SiteConfig, token: string, name: string) => void | Promise<void>,
  keep: (persona: Persona) => boolean = () => true,
) {
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
            await finish(cfg, token, name);
            return;
          }
        } else {
          const list = await data(createApi(cfg.apiBase).GET("/dev/personas"));
          setPersonas(((list as { personas?: Persona[] }).personas ?? []).filter(keep));
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
      await finish(config, access_token, persona.title);
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

  return { status, error, config, personas, busy, choose, oidc };
}
