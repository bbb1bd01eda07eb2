import { describe, expect, it } from "vitest";
import {
  inclusionPath, leafBytes, merkleRoot, optionsText, parseReceipt, toHex, verifyInclusion,
} from "@shared/verify/merkle";

const commitment = (i: number) => toHex(new Uint8Array(32).fill(i));

describe("the vote check's Merkle tree", () => {
  it("builds the leaf from the commitment and the options sorted by code point", () => {
    expect(optionsText(["q2-o1", "q10-o1", "q1-o2"])).toBe("q1-o2,q10-o1,q2-o1");
    expect(leafBytes(commitment(1), ["q1-o1"]).length).toBe(32 + 5);
  });

  it("computes the same root as the server (aj74.integrity.merkle)", async () => {
    const leaves = [0, 1, 2, 3, 4].map((i) => leafBytes(commitment(i), [`q1-o${1 + (i % 2)}`, "q10-o1"]));
    expect(toHex(await merkleRoot(leaves))).toBe("1d0fc76c9f3d1d30d219950f1be2f5f5a9c136937522877cac9b8ade56530257");
  });

  it("verifies every leaf's inclusion, and refuses a changed leaf", async () => {
    for (const size of [1, 2, 3, 5, 8, 9]) {
      const leaves = Array.from({ length: size }, (_, i) => leafBytes(commitment(i), ["q1-o1"]));
      const root = await merkleRoot(leaves);
      for (let i = 0; i < size; i += 1) {
        const path = await inclusionPath(leaves, i);
        expect(await verifyInclusion(leaves[i], i, size, path, root)).toBe(true);
        expect(await verifyInclusion(leafBytes(commitment(i), ["q1-o2"]), i, size, path, root)).toBe(false);
      }
    }
  });
});

describe("a pasted receipt", () => {
  it("fills the poll, the commitment and the options", () => {
    const text = JSON.stringify({ poll_id: "01JAAAAAAAAAAAAAAAAAAAAAAA", commitment: "AB".repeat(32), option_ids: ["q1-o1"] });
    expect(parseReceipt(text)).toEqual({ pollId: "01JAAAAAAAAAAAAAAAAAAAAAAA", commitment: "ab".repeat(32), optionIds: ["q1-o1"] });
  });

  it("is null when the text is not a receipt", () => {
    expect(parseReceipt("не квитанция")).toBeNull();
    expect(parseReceipt("[]")).toBeNull();
  });
});
