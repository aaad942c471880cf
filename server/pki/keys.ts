// Key pairs for the platform CA, organisations, persons and the timestamp authority.
//
// Why RSA-3072:
//   - RSA, because node-forge (which the CMS/PDF signing code uses) signs only with RSA keys;
//   - 3072 bits, because NIST SP 800-57 Part 1 Rev. 5 (Table 2/4) rates RSA-2048 at 112 bits of
//     security, acceptable only through 2030, and RSA-3072 at 128 bits, acceptable beyond 2030.
//     Signatures on evidence and contracts must stay trustworthy for many years after they are made.
// Key generation uses node:crypto (native OpenSSL, roughly 0.1-1 s for 3072 bits) rather than
// forge's pure-JavaScript generator (tens of seconds).
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
