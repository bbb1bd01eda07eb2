// The deployment's settings, read once from /config.json next to the site (written at deploy time:
// the API's base URL and how people sign in).
import { ApiError, MESSAGES } from "./problems";

export type AuthConfig =
  | { mode: "dev" }
  | { mode: "oidc"; issuer: string; client_id: string; redirect_uri: string };

export type SiteConfig = { apiBase: string; auth: AuthConfig };

let loaded: Promise<SiteConfig> | null = null;

export function loadConfig(): Promise<SiteConfig> {
  loaded ??= (async () => {
    const response = await fetch("/config.json", { cache: "no-store" }).catch(() => null);
    const config = response?.ok ? await response.json().catch(() => null) : null;
    if (!config || typeof config.apiBase !== "string" || !config.auth) {
      loaded = null;
      throw new ApiError(MESSAGES.configFailed, response?.status ?? 0);
    }
    return { apiBase: config.apiBase.replace(/\/+$/, ""), auth: config.auth } as SiteConfig;
  })();
  return loaded;
}
