// What the app keeps on the device for offline use: the last poll list and feed page (per
// resident), and when it was saved. A screen loads through `withSaved`: online it shows fresh data
// and saves it; when the API cannot be reached it shows the saved copy and says so
// («Нет связи — показаны сохранённые данные»). Ballots are never saved for later sending.
import { ApiError } from "@shared/problems";

const PREFIX = "aj74.saved.";

export type Fresh<T> = { value: T; savedAt: string | null };

function subject(): string | null {
  try {
    const raw = JSON.parse(localStorage.getItem("aj74.resident.session") || "null");
    const claims = JSON.parse(atob(String(raw?.token).split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return typeof claims.sub === "string" ? claims.sub : null;
  } catch {
    return null;
  }
}

function storageKey(key: string): string {
  return `${PREFIX}${subject() ?? "anonymous"}.${key}`;
}

/** Offline: no network at all, or the API unreachable (ApiError with status 0). */
export function isOffline(error: unknown): boolean {
  return error instanceof ApiError ? error.status === 0 : error instanceof TypeError;
}

export function readSaved<T>(key: string): { value: T; at: string } | null {
  try {
    const item = JSON.parse(localStorage.getItem(storageKey(key)) || "null");
    return item && typeof item.at === "string" ? (item as { value: T; at: string }) : null;
  } catch {
    return null;
  }
}

export function save<T>(key: string, value: T): void {
  try {
    localStorage.setItem(storageKey(key), JSON.stringify({ at: new Date().toISOString(), value }));
  } catch {
    // A full storage only costs the offline copy.
  }
}

export async function withSaved<T>(key: string, load: () => Promise<T>): Promise<Fresh<T>> {
  try {
    const value = await load();
    save(key, value);
    return { value, savedAt: null };
  } catch (error) {
    const saved = isOffline(error) ? readSaved<T>(key) : null;
    if (!saved) throw error;
    return { value: saved.value, savedAt: saved.at };
  }
}

export function forgetSaved(): void {
  for (const key of Object.keys(localStorage)) if (key.startsWith(PREFIX)) localStorage.removeItem(key);
}
