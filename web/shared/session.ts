// The signed-in person's bearer token, under one key per app, so the admin site and the resident app
// never share a session. The admin site keeps it in sessionStorage (gone when the tab closes); the
// resident app, installed on a phone, in localStorage until the token expires (decision 019).

export type Session = { token: string; name: string };

/** The `exp` claim of a JWT (seconds since the epoch), or null when it has none or is not a JWT. */
export function tokenExpiry(token: string): number | null {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(atob(part));
    return typeof claims.exp === "number" ? claims.exp : null;
  } catch {
    return null;
  }
}

export function sessionStore(key: string, storage: () => Storage = () => sessionStorage) {
  return {
    read(): Session | null {
      try {
        const s = JSON.parse(storage().getItem(key) || "null");
        if (!s || typeof s.token !== "string") return null;
        const exp = tokenExpiry(s.token);
        if (exp !== null && exp * 1000 <= Date.now()) {
          storage().removeItem(key);
          return null;
        }
        return { token: s.token, name: String(s.name ?? "") };
      } catch {
        return null;
      }
    },
    save(session: Session): void {
      storage().setItem(key, JSON.stringify(session));
    },
    clear(): void {
      storage().removeItem(key);
    },
  };
}
