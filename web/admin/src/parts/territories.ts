// The region's territory tree (GET /v1/territories) as pickers show it: depth-first, each under its
// parent, limited to what a person may target (their area of responsibility and everything below it;
// the whole region for the IT administrator).

export type Territory = { id: string; name: string; kind: string; parent_id?: string | null; official_name?: string | null };
export type Placed = Territory & { depth: number };

/** Territories depth-first from `roots` (ids); every territory when `roots` is null. */
export function placed(all: readonly Territory[], roots: readonly string[] | null): Placed[] {
  const children = new Map<string | null, Territory[]>();
  for (const t of all) {
    const parent = t.parent_id ?? null;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent)!.push(t);
  }
  const starts = roots === null ? children.get(null) ?? [] : all.filter((t) => roots.includes(t.id));
  const out: Placed[] = [];
  const seen = new Set<string>();
  const walk = (t: Territory, depth: number) => {
    if (seen.has(t.id)) return;
    seen.add(t.id);
    out.push({ ...t, depth });
    for (const c of children.get(t.id) ?? []) walk(c, depth + 1);
  };
  // A scope that holds both a district and one of its settlements lists the settlement once, under the district.
  const ids = new Set(starts.map((t) => t.id));
  const within = (t: Territory): boolean => {
    const parent = all.find((p) => p.id === t.parent_id);
    return !!parent && (ids.has(parent.id) || within(parent));
  };
  for (const t of starts.filter((s) => !within(s))) walk(t, 0);
  return out;
}

/** Names of the given ids, in the tree's order where known; unknown ids as they are. */
export function territoryNames(all: readonly Territory[], ids: readonly string[]): string[] {
  const byId = new Map(all.map((t) => [t.id, t.name]));
  return ids.map((id) => byId.get(id) ?? id);
}
