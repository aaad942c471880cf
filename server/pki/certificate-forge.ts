// Certificates as node-forge objects, for code that signs with forge.pkcs7.
//
// Found with node-forge 1.4.3: a certificate parsed by forge keeps UTF8String values as raw UTF-8
// byte strings, and re-encoding that DN (forge.pki.distinguishedNameToAsn1, setIssuer(
// cert.subject.attributes), forge.pkcs7's IssuerAndSerialNumber) UTF-8-encodes them a second time.
import forge from "node-forge";
import { parseCertificatePem } from "./certificate-parse";

/**
 * The certificate as a node-forge object whose DN values are JS strings, so that forge re-encodes
 * them byte for byte (forge.pkcs7 builds IssuerAndSerialNumber from cert.issuer.attributes; with
 * forge.pki.certificateFromPem as is, UTF8String values get UTF-8-encoded twice and the SignerInfo
 * no longer names the certificate). Throws if a DN still would not round-trip.
 */
export function forgeCertificateFromPem(certPem: string): forge.pki.Certificate {
  const cert = forge.pki.certificateFromPem(certPem);
  const parsed = parseCertificatePem(certPem);
  for (const [dn, der] of [
    [cert.subject, parsed.subjectDer],
    [cert.issuer, parsed.issuerDer],
  ] as const) {
    for (const attr of dn.attributes) {
      if ((attr.valueTagClass as number) === forge.asn1.Type.UTF8 && typeof attr.value === "string") {
        attr.value = forge.util.decodeUtf8(attr.value);
      }
    }
    const again = Buffer.from(forge.asn1.toDer(forge.pki.distinguishedNameToAsn1(dn)).getBytes(), "binary");
    if (!again.equals(der)) throw new Error("this certificate's DN cannot be re-encoded exactly by node-forge");
  }
  return cert;
}
