// RFC 6962 hashing for the vote check, in the browser with WebCrypto SHA-256
// (docs/decisions/007-verifiable-results.md):
//   leaf bytes = commitment (32 bytes) ‖ UTF-8(option ids sorted by code point, joined with ","),
//   leaf hash = H(0x00 ‖ leaf bytes), node = H(0x01 ‖ left ‖ right).
// The leaf is always rebuilt from the receipt; the options a proof names must be the receipt's.

export const HEX64 = /^[0-9a-f]{64}$/;
const utf8 = new TextEncoder();

export function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", joined));
}

const leafHash = (leaf: Uint8Array) => sha256(Uint8Array.of(0), leaf);
const nodeHash = (left: Uint8Array, right: Uint8Array) => sha256(Uint8Array.of(1), left, right);

/** Plain string order as the leaf defines it: by the UTF-8 bytes (q1-o2 < q10-o1 < q2-o1). */
export function byCodePoint(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** A ballot's options as its leaf holds them: sorted, joined with ",". */
export const optionsText = (optionIds: readonly string[]) => [...optionIds].sort(byCodePoint).join(",");

export const isOptionList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((o) => typeof o === "string" && o !== "" && !o.includes(","));

export function leafBytes(commitmentHex: string, optionIds: readonly string[]): Uint8Array {
  const commitment = fromHex(commitmentHex);
  const options = utf8.encode(optionsText(optionIds));
  const leaf = new Uint8Array(commitment.length + options.length);
  leaf.set(commitment, 0);
  leaf.set(options, commitment.length);
  return leaf;
}

/** RFC 9162 §2.1.3.2: whether `path` proves `leaf` at `index` of a tree of `size` with `root`. */
export async function verifyInclusion(leaf: Uint8Array, index: number, size: number, path: Uint8Array[],
  root: Uint8Array): Promise<boolean> {
  if (!(index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r = await leafHash(leaf);
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn !== 0 && fn % 2 === 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && toHex(r) === toHex(root);
}

/** The tree hash, bottom-up; a level's odd last node is carried up (equal to RFC 6962's split). */
export async function merkleRoot(leaves: Uint8Array[]): Promise<Uint8Array> {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  let level = await Promise.all(leaves.map(leafHash));
  while (level.length > 1) {
    const next: Promise<Uint8Array>[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]));
    const hashed = await Promise.all(next);
    if (level.length % 2) hashed.push(level[level.length - 1]);
    level = hashed;
  }
  return level[0];
}

/** An inclusion proof of leaf `index` built from all leaves (for tests and self-checks). */
export async function inclusionPath(leaves: Uint8Array[], index: number): Promise<Uint8Array[]> {
  if (leaves.length <= 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  if (index < k) return [...(await inclusionPath(leaves.slice(0, k), index)), await merkleRoot(leaves.slice(k))];
  return [...(await inclusionPath(leaves.slice(k), index - k)), await merkleRoot(leaves.slice(0, k))];
}

export type Receipt = { pollId: string; commitment: string; optionIds: string[] };

/** A receipt as pasted: the JSON the resident app shows ({poll_id, commitment, option_ids}), or
 *  null when the text is not one. */
export function parseReceipt(text: string): Partial<Receipt> | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!value || typeof value !== "object") return null;
  const v = value as Record<string, unknown>;
  const inner = (v.receipt && typeof v.receipt === "object" ? v.receipt : v) as Record<string, unknown>;
  const out: Partial<Receipt> = {};
  const pollId = inner.poll_id ?? v.poll_id;
  if (typeof pollId === "string") out.pollId = pollId;
  if (typeof inner.commitment === "string") out.commitment = inner.commitment.trim().toLowerCase();
  if (isOptionList(inner.option_ids)) out.optionIds = inner.option_ids;
  return Object.keys(out).length ? out : null;
}
