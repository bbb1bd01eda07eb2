// The API as the resident app calls it: the base URL from /config.json, the resident's token when
// signed in. A 401 means the token has expired or was refused: the app asks to sign in again.
import { createApi, type Api } from "@shared/api/client";
import { loadConfig } from "@shared/config";
import { ApiError } from "@shared/problems";
import { residentSession } from "./session";

export async function api(): Promise<Api> {
  const config = await loadConfig();
  return createApi(config.apiBase, residentSession.read()?.token);
}

/** A client without a token: what anyone may read (a final poll's result, list and proofs). */
export async function publicApi(): Promise<Api> {
  const config = await loadConfig();
  return createApi(config.apiBase);
}

export function isSignInNeeded(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}

export { data } from "@shared/api/client";
