// The signed-in person's bearer token, kept in sessionStorage (gone when the tab closes) under one
// key per app, so the admin site and the resident app never share a session.

export type Session = { token: string; name: string };

export function sessionStore(key: string) {
  return {
    read(): Session | null {
      try {
        const s = JSON.parse(sessionStorage.getItem(key) || "null");
        return s && typeof s.token === "string" ? { token: s.token, name: String(s.name ?? "") } : null;
      } catch {
        return null;
      }
    },
    save(session: Session): void {
      sessionStorage.setItem(key, JSON.stringify(session));
    },
    clear(): void {
      sessionStorage.removeItem(key);
    },
  };
}
