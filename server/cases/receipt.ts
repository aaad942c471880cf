// The canonical record of a delivery receipt: the first opening of a served document by one of its
// recipients. It is the input of its own Merkle leaf (kind "delivery-receipt", RFC 8785 encoded), so
// the anchored root covers who opened which document, when, and from where.
//
// Unlike an evidence record, it names the recipient's network address and user agent: they are what
// the receipt attests (as on a paper proof of service), and its bundle is given to the case's judges only.

export interface DeliveryReceiptRecord {
  type: "delivery-receipt";
  /** The delivery (inbox item) id: one receipt per delivery. */
  id: string;
  case: { id: string; number: string };
  service: { id: string; servedAt: string };
  /** The served document as anchored: its evidence item and SHA-256. */
  document: { evidenceId: string; sha256: string };
  recipient: { id: string };
  openedAt: string;
  client: { ip: string | null; userAgent: string | null };
}

/** Header text as stored: printable, bounded. */
export function clientText(value: string | undefined, max: number): string | null {
  if (!value) return null;
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, "").slice(0, max);
  return clean || null;
}
