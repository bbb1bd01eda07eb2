// One Idempotency-Key per attempt (a ballot, an order): a retry of the same attempt after a lost
// answer sends the same key, so the API answers with what it already did (the same receipt, the
// same order) instead of doing it twice; anything new is a new attempt with a new key.

/** An attempt at something (`subject`: the chosen options, the reward ordered) and its key. */
export type Attempt<T = string> = { key: string; subject: T };

export function newKey(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A new attempt at `subject`, with a fresh key. */
export function startAttempt<T>(subject: T, key: () => string = newKey): Attempt<T> {
  return { key: key(), subject };
}

/** The pending attempt when it is a retry of the same subject, else a new one. */
export function attemptFor<T>(pending: Attempt<T> | null, subject: T, key: () => string = newKey): Attempt<T> {
  return pending && pending.subject === subject ? pending : startAttempt(subject, key);
}

/** Whether a failed attempt may be sent again as it is (the answer was lost or the server was busy),
 *  or is finished (the API answered with a refusal that a retry would only repeat). */
export function isRetryable(status: number): boolean {
  return status === 0 || status === 429 || status >= 500;
}
