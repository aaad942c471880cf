// SubjectPublicKeyInfo of a certificate's subject key, written in DER rather than taken from
// whatever encoding the key arrived in: an EC key is written as RFC 5480 asks (id-ecPublicKey with
// the namedCurve prime256v1, never explicit curve parameters, and the uncompressed point), which is
// the only form every validator (openssl, NSS, Adobe, pyHanko) is required to read. node-forge can
// neither read nor write EC keys, so nothing here goes through it.
import type { KeyObject } from "node:crypto";
import { derBitString, derOid, derSequence } from "./der-write";
import { OID } from "./oid";

export class SubjectKeyError extends Error {}

const MIN_RSA_BITS = 2048;
const P256_COORDINATE_BYTES = 32;

/** The key types a holder certificate may carry: RSA (>= 2048 bits) or ECDSA P-256. */
export type SubjectKeyType = "rsa" | "ec-p256";

/** The type of a public key this module can write, or a SubjectKeyError saying why not. */
export function subjectKeyType(key: KeyObject): SubjectKeyType {
  if (key.type !== "public") throw new SubjectKeyError("a subject key must be a public key");
  if (key.asymmetricKeyType === "rsa") {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) throw new SubjectKeyError(`an RSA subject key must have at least ${MIN_RSA_BITS} bits (this one has ${bits})`);
    return "rsa";
  }
  if (key.asymmetricKeyType === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve !== "prime256v1") throw new SubjectKeyError(`an EC subject key must be on P-256 (this one is on ${curve ?? "an unnamed curve"})`);
    return "ec-p256";
  }
  throw new SubjectKeyError(`unsupported subject key type ${key.asymmetricKeyType}`);
}

/** SPKI of a P-256 point given by its affine coordinates (big-endian, 32 bytes each). */
export function ecP256SubjectPublicKeyInfo(x: Buffer, y: Buffer): Buffer {
  if (x.length !== P256_COORDINATE_BYTES || y.length !== P256_COORDINATE_BYTES) throw new SubjectKeyError("a P-256 coordinate is 32 bytes");
  // ECPoint (SEC 1 2.3.3), uncompressed: 0x04 || X || Y, the BIT STRING's whole content.
  const point = Buffer.concat([Buffer.from([0x04]), x, y]);
  return derSequence(derSequence(derOid(OID.ecPublicKey), derOid(OID.prime256v1)), derBitString(point));
}

/**
 * The DER SubjectPublicKeyInfo for a certificate: RSA keys as node:crypto exports them (rsaEncryption
 * with NULL parameters, RFC 3279), P-256 keys written from their coordinates (ecP256SubjectPublicKeyInfo).
 */
export function subjectPublicKeyInfo(key: KeyObject): Buffer {
  if (subjectKeyType(key) === "rsa") return key.export({ type: "spki", format: "der" });
  const jwk = key.export({ format: "jwk" });
  if (typeof jwk.x !== "string" || typeof jwk.y !== "string") throw new SubjectKeyError("the EC key has no coordinates");
  return ecP256SubjectPublicKeyInfo(Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url"));
}
