// The canonical record of an accepted evidence item: the exact leaf input of its Merkle leaf,
// encoded with RFC 8785. Anything in it is covered by the anchored root.
import { canonicalBytes } from "./jcs";
import { leafHash } from "./merkle";
import { toHex } from "./hex";

export interface EvidenceRecord {
  type: "evidence";
  id: string;
  sha256: string;
  sm3?: string;
  size?: number;
  /** The platform user id; no personal data goes into a record that anyone holding the file may read. */
  submitter: { id: string };
  acceptedAt: string;
  title?: string;
  source?: string;
  /** SHA-256 of the submitter's detached CMS signature (DER): the signature is anchored too. */
  signatureSha256?: string;
}

/** Leaf input bytes (JCS) and leaf hash of any record. */
export function leafOf(record: object): { input: Buffer; hash: string } {
  const input = canonicalBytes(record);
  return { input, hash: toHex(leafHash(input)) };
}
