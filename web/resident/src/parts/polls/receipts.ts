// Vote receipts kept on the device, per resident (the token's subject), so the resident can check
// their vote later — with or without signing in again (#/check). A receipt holds the poll, the
// ballot id, the API's receipt (commitment, option ids, salt), the choices with their question and
// option texts, and when it was accepted. A changed ballot replaces the poll's earlier receipt: only
// the last ballot is counted and published (docs/decisions/012-ballot-secrecy-and-integrity.md §6).

const PREFIX = "aj74.receipts.";

export type ApiReceipt = {
  poll_id: string; ballot_id: string; commitment: string; option_ids: string[]; salt?: string; fingerprint?: string | null;
};

export type StoredReceipt = {
  pollId: string;
  title: string;
  ballotId: string;
  receipt: ApiReceipt;
  choices: { question: string; options: string[] }[];
  /** When the API accepted the ballot (ISO, UTC). */
  at: string;
  /** How many earlier ballots of this poll this one replaced. */
  changes: number;
};

function isReceipt(value: unknown): value is StoredReceipt {
  const v = value as StoredReceipt | null;
  return Boolean(v && typeof v.pollId === "string" && typeof v.title === "string" && typeof v.ballotId === "string"
    && v.receipt && typeof v.receipt.commitment === "string" && Array.isArray(v.receipt.option_ids)
    && Array.isArray(v.choices) && typeof v.at === "string");
}

export class ReceiptStore {
  constructor(private readonly storage: Storage = localStorage) {}

  private read(resident: string): StoredReceipt[] {
    try {
      const items = JSON.parse(this.storage.getItem(PREFIX + resident) || "[]");
      return Array.isArray(items) ? items.filter(isReceipt) : [];
    } catch {
      return [];
    }
  }

  /** The resident's receipts, the newest first. */
  list(resident: string): StoredReceipt[] {
    return this.read(resident).sort((a, b) => b.at.localeCompare(a.at));
  }

  /** Every receipt on this device (any resident who voted here), the newest first. */
  all(): StoredReceipt[] {
    const out: StoredReceipt[] = [];
    for (let i = 0; i < this.storage.length; i += 1) {
      const key = this.storage.key(i);
      if (key?.startsWith(PREFIX)) out.push(...this.read(key.slice(PREFIX.length)));
    }
    return out.sort((a, b) => b.at.localeCompare(a.at));
  }

  /** The resident's receipt of a poll (the last ballot they cast there from this device). */
  get(resident: string, pollId: string): StoredReceipt | null {
    return this.read(resident).find((r) => r.pollId === pollId) ?? null;
  }

  /** Keeps a receipt; a later ballot of the same poll replaces the earlier one. */
  keep(resident: string, receipt: Omit<StoredReceipt, "changes">): StoredReceipt {
    const items = this.read(resident);
    const earlier = items.find((r) => r.pollId === receipt.pollId);
    const same = earlier && earlier.receipt.commitment === receipt.receipt.commitment;
    const stored: StoredReceipt = { ...receipt, changes: earlier ? earlier.changes + (same ? 0 : 1) : 0 };
    const next = [stored, ...items.filter((r) => r.pollId !== receipt.pollId)];
    this.storage.setItem(PREFIX + resident, JSON.stringify(next));
    return stored;
  }
}

/** The receipt as the resident copies or pastes it (what #/check and the admin site's check read). */
export function receiptText(receipt: ApiReceipt): string {
  return JSON.stringify({ poll_id: receipt.poll_id, commitment: receipt.commitment, option_ids: receipt.option_ids });
}
