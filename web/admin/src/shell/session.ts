import { sessionStore } from "@shared/session";

/** The staff member's session on this site (a separate key from the resident app's). */
export const adminSession = sessionStore("aj74.admin.session");

export function signOut(): void {
  adminSession.clear();
  window.location.assign("/");
}
