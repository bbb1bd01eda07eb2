// Loads the poll pages share, typed (see types.ts for why the casts).
import { data, type Api } from "@shared/api/client";
import type { Territory } from "../territories";
import type { Poll, PollState } from "./types";

/** Every poll the person may see in `state` (all states when absent), following the cursor. */
export async function listPolls(api: Api, state?: PollState, pages = 5): Promise<Poll[]> {
  const out: Poll[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < pages; i++) {
    const page = await data(api.GET("/v1/admin/polls", { params: { query: { state, limit: 50, cursor } } }));
    out.push(...(page.items as unknown as Poll[]));
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return out;
}

export async function getPoll(api: Api, poll_id: string): Promise<Poll> {
  return (await data(api.GET("/v1/admin/polls/{poll_id}", { params: { path: { poll_id } } }))) as unknown as Poll;
}

export async function territories(api: Api): Promise<Territory[]> {
  return (await data(api.GET("/v1/territories"))).territories as Territory[];
}

/** Role titles by role (GET /v1/roles): names come from the API, never a copy. */
export async function roleTitles(api: Api): Promise<Record<string, string>> {
  const { items } = await data(api.GET("/v1/roles"));
  return Object.fromEntries(items.map((r) => [r.role, r.title]));
}
