// A small test PKI built with node-forge (independent of server/pki's own CA code): a root, an
// issuing CA, a signer (keyUsage digitalSignature + nonRepudiation) and a TSA (extKeyUsage
// timeStamping, critical), RSA 3072 keys from node:crypto. Plus a runner for the openssl CLI.
import { spawnSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import forge from "node-forge";

export interface TestKey {
  privateKeyPem: string;
  publicKeyPem: string;
}

export interface TestCert {
  certPem: string;
  privateKeyPem: string;
  key: TestKey;
  cert: forge.pki.Certificate;
}

export function newKey(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 3072 });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }) as string,
  };
}

const DAY = 86_400_000;

export interface IssueOptions {
  commonName: string;
  organization?: string;
  key: TestKey;
  /** null: self-signed */
  issuer: TestCert | null;
  ca?: boolean;
  pathLen?: number;
  /** forge keyUsage flags, e.g. { digitalSignature: true } */
  keyUsage?: Record<string, boolean>;
  /** extKeyUsage purposes (forge names or dotted OIDs) and criticality */
  extKeyUsage?: { purposes: string[]; critical: boolean };
  notBefore?: Date;
  notAfter?: Date;
  serialHex?: string;
}

export function issue(o: IssueOptions): TestCert {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(o.key.publicKeyPem);
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  serial[0] |= 0x10;
  cert.serialNumber = o.serialHex ?? serial.toString("hex");
  cert.validity.notBefore = o.notBefore ?? new Date(Date.now() - DAY);
  cert.validity.notAfter = o.notAfter ?? new Date(Date.now() + 5 * 365 * DAY);
  const attrs: forge.pki.CertificateField[] = [
    { name: "countryName", value: "CN" },
    { name: "organizationName", value: o.organization ?? "测试法院 Test Court", valueTagClass: forge.asn1.Type.UTF8 as never },
    { name: "commonName", value: o.commonName, valueTagClass: forge.asn1.Type.UTF8 as never },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(o.issuer ? o.issuer.cert.subject.attributes : attrs);
  const ext: object[] = [];
  if (o.ca) {
    ext.push({ name: "basicConstraints", cA: true, critical: true, ...(o.pathLen !== undefined ? { pathLenConstraint: o.pathLen } : {}) });
    ext.push({ name: "keyUsage", critical: true, keyCertSign: true, cRLSign: true });
  } else {
    ext.push({ name: "basicConstraints", cA: false, critical: true });
    if (o.keyUsage) ext.push({ name: "keyUsage", critical: true, ...o.keyUsage });
  }
  if (o.extKeyUsage) {
    const e: Record<string, unknown> = { name: "extKeyUsage", critical: o.extKeyUsage.critical };
    for (const p of o.extKeyUsage.purposes) e[p] = true;
    ext.push(e);
  }
  ext.push({ name: "subjectKeyIdentifier" });
  const issuerCert = o.issuer ? o.issuer.cert : cert;
  ext.push({ name: "authorityKeyIdentifier", keyIdentifier: issuerCert.generateSubjectKeyIdentifier().getBytes() });
  cert.setExtensions(ext);
  const signingKey = forge.pki.privateKeyFromPem((o.issuer ? o.issuer.key : o.key).privateKeyPem);
  cert.sign(signingKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), privateKeyPem: o.key.privateKeyPem, key: o.key, cert };
}

export interface TestPki {
  root: TestCert;
  issuing: TestCert;
  signer: TestCert;
  tsa: TestCert;
}

/** A root, an issuing CA (pathLen 0), a signer and a TSA certificate: four fresh RSA 3072 keys. */
export function createTestPki(name: string): TestPki {
  const root = issue({ commonName: `${name} Root CA 根证书`, key: newKey(), issuer: null, ca: true, notAfter: new Date(Date.now() + 20 * 365 * DAY) });
  const issuing = issue({ commonName: `${name} Issuing CA`, key: newKey(), issuer: root, ca: true, pathLen: 0 });
  const signer = issue({
    commonName: `${name} 张三 Signer`,
    key: newKey(),
    issuer: issuing,
    keyUsage: { digitalSignature: true, nonRepudiation: true },
  });
  const tsa = issue({
    commonName: `${name} TSA 时间戳`,
    key: newKey(),
    issuer: issuing,
    keyUsage: { digitalSignature: true, nonRepudiation: true },
    extKeyUsage: { purposes: ["timeStamping"], critical: true },
  });
  return { root, issuing, signer, tsa };
}

const shared = new Map<string, TestPki>();

/**
 * createTestPki memoised by name for the whole mocha process: the CMS and TSA test files share
 * their PKIs instead of generating eight more RSA 3072 keys (the certificates are never mutated).
 */
export function sharedTestPki(name: string): TestPki {
  let p = shared.get(name);
  if (!p) shared.set(name, (p = createTestPki(name)));
  return p;
}

// ---------------------------------------------------------------------------------------------
// openssl

export interface OpensslResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout + stderr */
  output: string;
}

export function openssl(args: string[], cwd?: string): OpensslResult {
  const r = spawnSync("openssl", args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, output: r.stdout + r.stderr };
}

/** A temporary directory with a `file(name, content)` writer and `rm()`. */
export function tempDir(prefix: string) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return {
    dir,
    file(name: string, content: string | Buffer): string {
      const p = path.join(dir, name);
      writeFileSync(p, content);
      return p;
    },
    rm(): void {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
