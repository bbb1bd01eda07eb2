// The poll shapes the resident app reads, named from the generated API types.
import type { paths } from "@shared/api/client";

type Json<P extends keyof paths, M extends "get" | "post"> = paths[P] extends Record<M, infer Op>
  ? Op extends { responses: infer R } ? R extends { 200: infer Ok } | { 202: infer Ok }
    ? Ok extends { content: { "application/json": infer J } } ? J : never : never : never : never;

export type PollList = Json<"/v1/polls", "get">;
export type Poll = Json<"/v1/polls/{poll_id}", "get">;
export type Question = Poll["questions"][number];
export type Results = Json<"/v1/polls/{poll_id}/results", "get">;
export type BallotState = Json<"/v1/polls/{poll_id}/ballot", "get">;
export type Cast = Json<"/v1/polls/{poll_id}/ballots", "post">;
