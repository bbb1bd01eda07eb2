"""Offline verifier of published results: ``python -m aj74.verify <check> ...``.

Needs nothing but this package and the JSON the API publishes; no network, no AWS. Each check
prints what it found and exits 0 when everything checks, 1 otherwise (unusable input included).

  proof        a receipt (its commitment and option ids), the proof JSON (GET /v1/polls/{id}/proof) and
               the published root; optionally the published ballot list: the options the proof and
               the list give the ballot must be the receipt's
  receipt      recompute a commitment from poll id, ballot id, option ids and salt (or a receipt JSON)
  recount      a published result (GET /v1/polls/{id}/results) with its ballot list
               (GET /v1/polls/{id}/ballots/published, one page, all pages as a JSON list, or items):
               the totals and the Merkle root, whose leaves are commitment ‖ sorted options
  fingerprint  a poll's content (GET /v1/polls/{id} or the admin view) against its fingerprint
  audit        an audit log export (GET /v1/admin/audit/export): where the chain breaks; with a head
               published earlier (GET /v1/audit/head, the S3 anchor, a final result's audit_head),
               whether the log still holds that history: an edit, deletion or re-chaining before it fails
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from aj74.audit.chain import verify_against_head, verify_chain
from aj74.ballots.receipts import commitment as make_commitment
from aj74.integrity.fingerprint import content_of, fingerprint
from aj74.integrity.published import (
    PublishedBallot,
    check_proof,
    differences,
    is_canonical,
    is_commitment,
    options_text,
    tally,
)

OK, FAIL = 0, 1
UNUSABLE = FAIL  # input that cannot be checked does not check


class Unusable(Exception):
    """The input cannot be checked at all (missing file, not JSON, wrong shape)."""


def _load(path: str):
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        return json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Unusable(f"cannot read JSON from {path}: {exc}") from exc


def _report(ok: bool, good: str, problems: list[str]) -> int:
    if ok:
        print(f"OK: {good}")
        return OK
    for p in problems:
        print(f"FAIL: {p}")
    return FAIL


# ------------------------------------------------------------------ checks
def _receipt_ballot(args) -> tuple[str, list[str]]:
    """(commitment, option ids) of the receipt: a receipt JSON (the 202 body or its receipt object),
    or a bare commitment with --option-ids; --option-ids overrides the JSON's."""
    commitment, option_ids = None, None
    if is_commitment(args.receipt.strip().lower()):
        commitment = args.receipt.strip().lower()
    else:
        receipt = _load(args.receipt)
        receipt = receipt.get("receipt", receipt) if isinstance(receipt, dict) else None
        if not isinstance(receipt, dict):
            raise Unusable("the receipt must be a JSON object or a 64-hex-digit commitment")
        commitment, option_ids = receipt.get("commitment"), receipt.get("option_ids")
    if args.option_ids:
        option_ids = args.option_ids.split(",")
    if not isinstance(commitment, str) or not is_commitment(commitment.strip().lower()):
        raise Unusable("the receipt has no commitment of 64 hex digits")
    if not option_ids:
        raise Unusable("the receipt's option ids are needed (the Merkle leaf is the commitment and the options): "
                       "pass the receipt JSON or --option-ids")
    if not isinstance(option_ids, list) or not all(isinstance(o, str) for o in option_ids):
        raise Unusable("the receipt's option_ids must be a list of strings")
    return commitment.strip().lower(), option_ids


def check_proof_cmd(args) -> int:
    commitment, option_ids = _receipt_ballot(args)
    body = _load(args.proof)
    if not isinstance(body, dict):
        raise Unusable("the proof must be a JSON object")
    root = args.root or body.get("merkle_root")
    if not isinstance(root, str) or not root:
        raise Unusable("no Merkle root: pass --root (the root of the published result)")
    root = root.strip().lower()
    problems = []
    reason = check_proof(commitment, option_ids, body, root)
    if reason:
        problems.append(reason)
    if args.ballots:
        listed = [i for i in _ballot_items(_load(args.ballots))
                  if isinstance(i, dict) and i.get("commitment") == commitment]
        if not listed:
            problems.append(f"the published ballot list does not contain the commitment {commitment}")
        for item in listed:
            got = item.get("option_ids")
            if not isinstance(got, list) or sorted(got) != sorted(option_ids):
                problems.append(f"the published ballot list gives the commitment {commitment} the options "
                                f"{options_text(got) if isinstance(got, list) else got!r}, but the receipt says "
                                f"{options_text(option_ids)}: the ballot was altered after it was cast")
    return _report(not problems, f"ballot {commitment} with options {options_text(option_ids)} is leaf "
                                 f"{body.get('leaf_index')} of {body.get('tree_size')} under root {root}", problems)


def check_receipt_cmd(args) -> int:
    fields = {"poll_id": args.poll_id, "ballot_id": args.ballot_id, "salt": args.salt, "commitment": args.commitment,
              "option_ids": args.option_ids.split(",") if args.option_ids else None}
    if args.receipt:
        receipt = _load(args.receipt)
        receipt = receipt.get("receipt", receipt) if isinstance(receipt, dict) else None
        if not isinstance(receipt, dict):
            raise Unusable("the receipt must be a JSON object")
        fields = {k: v if v is not None else receipt.get(k) for k, v in fields.items()}
    missing = [k for k, v in fields.items() if not v]
    if missing:
        raise Unusable("missing " + ", ".join(missing) + " (the salt is in the receipt the app keeps)")
    # The canonical form sorts option ids in poll order (q1-o2 before q2-o1 before q10-o1).
    option_ids = tuple(sorted(fields["option_ids"], key=_option_order))
    recomputed = make_commitment(fields["poll_id"], fields["ballot_id"], option_ids, fields["salt"])
    return _report(recomputed == fields["commitment"], f"the commitment {recomputed} is this ballot's",
                   [f"recomputed {recomputed}, the receipt says {fields['commitment']}"])


def _option_order(option_id: str):
    q, _, o = option_id.partition("-o")
    try:
        return int(q[1:]), int(o)
    except ValueError as exc:
        raise Unusable(f"not an option id: {option_id!r}") from exc


def _ballot_items(data) -> list[dict]:
    if isinstance(data, dict) and "items" in data:
        return data["items"]
    if isinstance(data, list) and all(isinstance(p, dict) and "items" in p for p in data) and data:
        return [item for page in data for item in page["items"]]
    if isinstance(data, list):
        return data
    raise Unusable("the ballot list must be a page ({\"items\": [...]}), a list of pages or a list of items")


def _published_totals(result: dict) -> dict:
    """Totals of a result in either shape: the stored one (``counts``) or the results page."""
    result = result.get("result", result)
    out = {k: result[k] for k in ("total_ballots", "merkle_root", "tree_size") if k in result}
    if "counts" in result:
        out["counts"] = result["counts"]
    elif "questions" in result:
        out["counts"] = {o["id"]: o["count"] for q in result["questions"] for o in q["options"] if o["count"]}
    if "merkle_root" not in out:
        raise Unusable("the result carries no merkle_root")
    return out


def check_recount_cmd(args) -> int:
    result = _load(args.result)
    if not isinstance(result, dict):
        raise Unusable("the result must be a JSON object")
    published = _published_totals(result)
    try:
        items = [PublishedBallot(i["commitment"], tuple(i["option_ids"])) for i in _ballot_items(_load(args.ballots))]
    except (KeyError, TypeError) as exc:
        raise Unusable("every ballot needs commitment and option_ids") from exc
    problems = [f"ballot {b.commitment!r}: not a commitment" for b in items if not is_commitment(b.commitment)]
    problems += [f"ballot {b.commitment!r}: option_ids must be strings without commas" for b in items
                 if not all(isinstance(o, str) and "," not in o for o in b.option_ids)]
    if not problems and not is_canonical(items):
        problems.append("the list is not in the canonical order (commitment ascending, ties by options)")
    if problems:
        return _report(False, "", problems)
    recounted = tally(items)
    print(f"recounted {recounted['total_ballots']} ballots, root {recounted['merkle_root']}")
    diffs = differences(published, recounted)
    return _report(not diffs, "the recount equals the published totals and rebuilds the published root", diffs)


def check_fingerprint_cmd(args) -> int:
    view = _load(args.content)
    if not isinstance(view, dict):
        raise Unusable("the poll must be a JSON object")
    try:
        content = content_of(view)
    except KeyError as exc:
        raise Unusable(str(exc)) from exc
    expected = args.expected or view.get("fingerprint")
    if not expected:
        raise Unusable("no fingerprint to compare with: pass --expected")
    computed = fingerprint(content)
    return _report(computed == expected, f"the content hashes to the fingerprint {computed}",
                   [f"the content hashes to {computed}, the published fingerprint is {expected}: "
                    "the poll was changed after it opened"])


def _published_head(args) -> dict | None:
    """The head to check against: --head (GET /v1/audit/head, an S3 anchor object, or a result
    carrying ``audit_head``) or --head-seq with --head-hash; None when none was given."""
    if args.head:
        body = _load(args.head)
        head = body.get("audit_head", body) if isinstance(body, dict) else None
        if not isinstance(head, dict) or not isinstance(head.get("seq"), int) or not isinstance(head.get("hash"), str):
            raise Unusable("the head must be a JSON object with seq (integer) and hash")
        return {"seq": head["seq"], "hash": head["hash"].strip().lower()}
    if args.head_seq is None and not args.head_hash:
        return None
    if args.head_seq is None or not args.head_hash:
        raise Unusable("a published head needs both --head-seq and --head-hash")
    return {"seq": args.head_seq, "hash": args.head_hash.strip().lower()}


def check_audit_cmd(args) -> int:
    export = _load(args.export)
    entries = export.get("entries") if isinstance(export, dict) else export
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise Unusable("the export must be {\"entries\": [...]} or a list of entries")
    head = _published_head(args)
    entries = sorted(entries, key=lambda e: e.get("seq") if isinstance(e.get("seq"), int) else 0)
    problems = verify_chain(entries)
    if head is not None:
        problems += verify_against_head(entries, head)
    good = f"{len(entries)} entries, the hash chain is intact"
    if head is not None:
        good += f" and holds the published head seq {head['seq']} ({head['hash']})"
    return _report(not problems, good, problems)


# ------------------------------------------------------------------ command line
def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m aj74.verify", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="check", required=True)

    s = sub.add_parser("proof", help="check an inclusion proof against the published Merkle root")
    s.add_argument("--receipt", required=True,
                   help="receipt JSON (the 202 body or its receipt object), or its commitment (hex) with --option-ids")
    s.add_argument("--option-ids", help="the receipt's option ids, comma-separated, e.g. q1-o2,q2-o1")
    s.add_argument("--proof", required=True, help="proof JSON file (- for stdin)")
    s.add_argument("--root", help="the published Merkle root (default: the one in the proof)")
    s.add_argument("--ballots", help="the published ballot list JSON: its options for the receipt's "
                                     "commitment must be the receipt's too")
    s.set_defaults(run=check_proof_cmd)

    s = sub.add_parser("receipt", help="recompute a receipt's commitment from its salt")
    s.add_argument("--receipt", help="receipt JSON (the 202 body or its receipt object)")
    s.add_argument("--poll-id")
    s.add_argument("--ballot-id")
    s.add_argument("--option-ids", help="comma-separated, e.g. q1-o2,q2-o1")
    s.add_argument("--salt")
    s.add_argument("--commitment")
    s.set_defaults(run=check_receipt_cmd)

    s = sub.add_parser("recount", help="recount a published result from its ballot list")
    s.add_argument("--result", required=True, help="result JSON (results page or stored result)")
    s.add_argument("--ballots", required=True, help="published ballot list JSON")
    s.set_defaults(run=check_recount_cmd)

    s = sub.add_parser("fingerprint", help="hash a poll's content and compare with its fingerprint")
    s.add_argument("--content", required=True, help="poll JSON (resident or admin view, or content)")
    s.add_argument("--expected", help="the published fingerprint (default: the one in the JSON)")
    s.set_defaults(run=check_fingerprint_cmd)

    s = sub.add_parser("audit", help="verify the audit log's hash chain")
    s.add_argument("--export", required=True, help="audit export JSON")
    s.add_argument("--head", help="a published head JSON (GET /v1/audit/head, an object of the S3 anchor "
                                  "bucket, or a result with audit_head): the log must still hold it")
    s.add_argument("--head-seq", type=int, help="a published head's seq (with --head-hash), instead of --head")
    s.add_argument("--head-hash", help="the published head's hash")
    s.set_defaults(run=check_audit_cmd)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except Unusable as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return UNUSABLE


if __name__ == "__main__":
    sys.exit(main())
