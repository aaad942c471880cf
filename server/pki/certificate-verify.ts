// Checking certificates: key pairs, signatures, and certification paths.
import * as crypto from "node:crypto";
import { KU, parseCertificatePem, type ParsedCertificate } from "./certificate-parse";
import { OID, SIGNATURE_HASH } from "./oid";

/** True when the private key's public half is the certificate's public key. */
export function keyMatchesCertificate(key: crypto.KeyObject, cert: ParsedCertificate): boolean {
  const a = crypto.createPublicKey(key).export({ type: "spki", format: "der" });
  const b = cert.publicKey.export({ type: "spki", format: "der" });
  return a.equals(b);
}

/** Checks that a private key belongs to a certificate; throws otherwise. */
export function assertKeyMatchesCertificate(privateKey: crypto.KeyObject, cert: ParsedCertificate, what: string): void {
  if (!keyMatchesCertificate(privateKey, cert)) throw new Error(`${what}: the private key does not match the certificate`);
}

/** Verifies `signature` over `data` (algorithm `oid`) with an SPKI; false on any failure. */
export function verifySignature(oid: string, data: Buffer, signature: Buffer, spkiDer: Buffer): boolean {
  const hash = SIGNATURE_HASH[oid];
  if (!hash) return false;
  try {
    const key = crypto.createPublicKey({ key: spkiDer, format: "der", type: "spki" });
    if (oid.startsWith("1.2.840.113549.1.1.") && key.asymmetricKeyType !== "rsa") return false;
    if (oid.startsWith("1.2.840.10045.4.") && key.asymmetricKeyType !== "ec") return false;
    return crypto.verify(hash, data, key, signature);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Certification paths of signers and timestamp authorities (CMS, RFC 3161, PDF)

function validityProblem(c: ParsedCertificate, at: Date, role: string): string | null {
  if (at < c.notBefore || at > c.notAfter) {
    return (
      `${role} certificate "${c.subjectText}" is not valid at ${at.toISOString()} ` +
      `(valid ${c.notBefore.toISOString()} to ${c.notAfter.toISOString()})`
    );
  }
  return null;
}

/**
 * Certification path validation (the parts that need no revocation data): from `leaf` through
 * `pool` to a certificate of `roots` (matched by DER equality), each certificate's signature
 * verified with its issuer's key, every certificate (root included) valid at `at`, issuers with
 * basicConstraints cA, keyCertSign when keyUsage is present, and pathLenConstraint respected.
 * Returns the path (leaf first, root last) or the problems met.
 */
export function validatePath(
  leaf: ParsedCertificate,
  pool: ParsedCertificate[],
  roots: ParsedCertificate[],
  at: Date,
): { path: ParsedCertificate[] | null; problems: string[] } {
  const leafValidity = validityProblem(leaf, at, "signer");
  if (leafValidity) return { path: null, problems: [leafValidity] };
  const isRoot = (c: ParsedCertificate) => roots.some((r) => r.der.equals(c.der));
  if (isRoot(leaf)) return { path: [leaf], problems: [] };

  const candidates: ParsedCertificate[] = [];
  for (const c of [...roots, ...pool]) if (!candidates.some((d) => d.der.equals(c.der))) candidates.push(c);
  const attempts: string[] = [];

  const search = (chain: ParsedCertificate[]): ParsedCertificate[] | null => {
    const cur = chain[chain.length - 1];
    if (chain.length > 10) {
      attempts.push("certification path too long");
      return null;
    }
    const issuers = candidates.filter((c) => c.subjectDer.equals(cur.issuerDer) && !chain.some((d) => d.der.equals(c.der)));
    if (issuers.length === 0) attempts.push(`no issuer certificate found for "${cur.subjectText}"`);
    for (const iss of issuers) {
      const signed = issuedBy(cur, iss);
      if (!signed) {
        attempts.push(`"${cur.subjectText}" is not signed by the key of "${iss.subjectText}"`);
        continue;
      }
      const local: string[] = [];
      if (!iss.isCA) local.push(`issuer "${iss.subjectText}" is not a CA (basicConstraints cA is not set)`);
      if (iss.keyUsage && !iss.keyUsage.has(KU.keyCertSign)) {
        local.push(`issuer "${iss.subjectText}" lacks the keyCertSign key usage`);
      }
      // intermediates below `iss` (the leaf is not counted; self-issued ones are not counted)
      const below = chain.slice(1).filter((c) => !c.subjectDer.equals(c.issuerDer)).length;
      if (iss.pathLen !== null && below > iss.pathLen) {
        local.push(`pathLenConstraint ${iss.pathLen} of "${iss.subjectText}" exceeded`);
      }
      const v = validityProblem(iss, at, "CA");
      if (v) local.push(v);
      if (local.length) {
        attempts.push(...local);
        continue;
      }
      const next = [...chain, iss];
      if (isRoot(iss)) return next;
      const found = search(next);
      if (found) return found;
    }
    return null;
  };

  const path = search([leaf]);
  if (path) return { path, problems: [] };
  return {
    path: null,
    problems: [
      `the certificate "${leaf.subjectText}" does not chain to a trusted root` +
        (attempts.length ? `: ${[...new Set(attempts)].join("; ")}` : ""),
    ],
  };
}

/**
 * Whether `issuer`'s key signed `cert`: a pure function of the two certificates' bytes, and the
 * costliest step of checking a path, so it is kept per pair of parsed certificates (parsed ones
 * are shared through certificate-parse.ts's cache; a pair is forgotten with either certificate).
 */
const signatureChecks = new WeakMap<ParsedCertificate, WeakMap<ParsedCertificate, boolean>>();

function issuedBy(cert: ParsedCertificate, issuer: ParsedCertificate): boolean {
  let byIssuer = signatureChecks.get(cert);
  const known = byIssuer?.get(issuer);
  if (known !== undefined) return known;
  let signed = false;
  try {
    signed = cert.x509.verify(issuer.publicKey);
  } catch {
    signed = false;
  }
  if (!byIssuer) signatureChecks.set(cert, (byIssuer = new WeakMap()));
  byIssuer.set(issuer, signed);
  return signed;
}

// ---------------------------------------------------------------------------------------------
// The platform's own chains (one root, named intermediates)

/** Extensions verifyChain understands; any other critical extension makes the chain fail (RFC 5280 §4.2). */
const UNDERSTOOD_EXTENSIONS = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.cRLDistributionPoints,
  OID.subjectAltName,
  OID.authorityInfoAccess,
]);

function label(c: ParsedCertificate): string {
  return `"${c.subject.commonName || c.serialHex}"`;
}

/**
 * Verifies `certPem` chains to `rootPem` through `intermediates` (signatures, validity at `at`,
 * CA flags, keyCertSign, pathLen, unknown critical extensions). Names are matched byte for byte.
 * Revocation is not checked here (see crl.ts). Never throws.
 */
export function verifyChain(certPem: string, intermediatePems: string[], rootPem: string, at: Date = new Date()): { ok: boolean; problem?: string } {
  let leaf: ParsedCertificate;
  let root: ParsedCertificate;
  const intermediates: ParsedCertificate[] = [];
  try {
    leaf = parseCertificatePem(certPem);
    root = parseCertificatePem(rootPem);
    for (const pem of intermediatePems) intermediates.push(parseCertificatePem(pem));
  } catch (e) {
    return { ok: false, problem: `unreadable certificate: ${(e as Error).message}` };
  }
  const signedBy = (child: ParsedCertificate, issuer: ParsedCertificate) =>
    child.tbsSignatureOid === child.signatureOid && verifySignature(child.signatureOid, child.tbs, child.signature, issuer.spkiDer);

  if (!root.issuerDer.equals(root.subjectDer) || !signedBy(root, root)) {
    return { ok: false, problem: "the root is not a valid self-signed certificate" };
  }

  // Build the path leaf -> ... -> root.
  const path: ParsedCertificate[] = [leaf];
  let current = leaf;
  while (!current.der.equals(root.der)) {
    if (path.length > 10) return { ok: false, problem: "certificate path too long" };
    const candidates = [root, ...intermediates].filter((c) => c.subjectDer.equals(current.issuerDer) && !path.includes(c));
    const issuer = candidates.find((c) => signedBy(current, c));
    if (!issuer) {
      return {
        ok: false,
        problem: candidates.length
          ? `the signature of ${label(current)} does not verify with its issuer's key`
          : `no issuer certificate found for ${label(current)} (issuer "${current.issuer.commonName}")`,
      };
    }
    path.push(issuer);
    current = issuer;
  }

  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (at < c.notBefore) return { ok: false, problem: `${label(c)} is not yet valid (notBefore ${c.notBefore.toISOString()})` };
    if (at > c.notAfter) return { ok: false, problem: `${label(c)} has expired (notAfter ${c.notAfter.toISOString()})` };
    const unknown = [...c.extensions].find(([oid, e]) => e.critical && !UNDERSTOOD_EXTENSIONS.has(oid));
    if (unknown) return { ok: false, problem: `${label(c)} has an unrecognised critical extension ${unknown[0]}` };
    if (i === 0) continue;
    // basicConstraints and keyUsage were read, strictly, when the certificate was parsed
    if (!c.isCA) return { ok: false, problem: `${label(c)} is not a CA certificate but issued ${label(path[i - 1])}` };
    if (c.keyUsage && !c.keyUsage.has(KU.keyCertSign)) return { ok: false, problem: `${label(c)} lacks the keyCertSign key usage` };
    const casBelow = i - 1; // intermediate CA certificates between this one and the leaf
    if (c.pathLen !== null && casBelow > c.pathLen) {
      return { ok: false, problem: `${label(c)} allows a path length of ${c.pathLen}, found ${casBelow}` };
    }
  }
  return { ok: true };
}
