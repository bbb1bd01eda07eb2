// The resident's session: the bearer token in localStorage until it expires, so the installed app
// stays signed in between launches (docs/decisions/019-resident-app.md); signing out also forgets
// what was saved on the device for offline use.
import { sessionStore, tokenExpiry } from "@shared/session";
import { forgetSaved } from "./saved";

export const residentSession = sessionStore("aj74.resident.session", () => localStorage);

/** The token's subject: saved data on a shared device is kept apart per resident. */
export function residentKey(): string | null {
  const token = residentSession.read()?.token;
  if (!token) return null;
  try {
    const claims = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return typeof claims.sub === "string" ? claims.sub : null;
  } catch {
    return null;
  }
}

export function signedIn(): boolean {
  const token = residentSession.read()?.token;
  return Boolean(token && (tokenExpiry(token) ?? Infinity) * 1000 > Date.now());
}

export function signOut(): void {
  forgetSaved();
  residentSession.clear();
  window.location.hash = "#/signin";
}
