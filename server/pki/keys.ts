// Key pairs for the platform CA, organisations, persons and the timestamp authority.
//
// Why RSA-3072 for the CA, the TSA and the OCSP responder:
//   - RSA, because every relying party's tool verifies it, and these keys sign rarely;
//   - 3072 bits, because NIST SP 800-57 Part 1 Rev. 5 (Table 2/4) rates RSA-2048 at 112 bits of
//     security, acceptable only through 2030, and RSA-3072 at 128 bits, acceptable beyond 2030.
//     Signatures on evidence and contracts must stay trustworthy for many years after they are made.
// Key generation uses node:crypto (native OpenSSL, roughly 0.1-1 s for 3072 bits) rather than
// forge's pure-JavaScript generator (tens of seconds).
//
// Why ECDSA P-256 for a person's key by default (HOLDER_KEY_ALGORITHM): every evidence upload is
// signed with its submitter's key, and an RSA-3072 signature costs about 60 times a P-256 one on
// these machines (1.7 ms against 0.03 ms), at the same 128-bit security level (SP 800-57 Table 2).
// openssl, pdfsig/NSS, Adobe and PAdES validators accept ECDSA with SHA-256 (RFC 5480, RFC 5758).
import * as crypto from "node:crypto";

const RSA_OPTIONS: crypto.RSAKeyPairOptions<"pem", "pem"> = {
  modulusLength: 3072,
  publicExponent: 0x10001,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
};

/** RSA-3072 (node:crypto, fast native keygen), PEM PKCS#8 private / SPKI public. Blocks the thread while it runs. */
export function generateKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", RSA_OPTIONS);
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** Same as generateKeyPair, on the libuv thread pool: use this in request handlers so the event loop keeps running. */
export function generateKeyPairAsync(): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  return new Promise((resolve, reject) =>
    crypto.generateKeyPair("rsa", RSA_OPTIONS, (err, publicKey, privateKey) =>
      err ? reject(err) : resolve({ privateKeyPem: privateKey, publicKeyPem: publicKey }),
    ),
  );
}

/** The algorithm of a key the platform generates for a holder: HOLDER_KEY_ALGORITHM. */
export type HolderKeyAlgorithm = "rsa" | "ec-p256";
export const HOLDER_KEY_ALGORITHMS: readonly HolderKeyAlgorithm[] = ["ec-p256", "rsa"];

const EC_P256_OPTIONS: crypto.ECKeyPairOptions<"pem", "pem"> = {
  namedCurve: "prime256v1",
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
};

/** A holder's key pair of the given algorithm (PEM PKCS#8 / SPKI), on the libuv thread pool. */
export function generateHolderKeyPairAsync(algorithm: HolderKeyAlgorithm): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  if (algorithm === "rsa") return generateKeyPairAsync();
  if (algorithm !== "ec-p256") return Promise.reject(new Error(`unknown holder key algorithm ${String(algorithm)}`));
  return new Promise((resolve, reject) =>
    crypto.generateKeyPair("ec", EC_P256_OPTIONS, (err, publicKey, privateKey) =>
      err ? reject(err) : resolve({ privateKeyPem: privateKey, publicKeyPem: publicKey }),
    ),
  );
}
