// Distinguished names: the Subject the platform writes into certificates, and reading one back.
//
// Written as UTF8String (not forge.pki's default PrintableString, in which Chinese text makes a
// certificate that neither forge nor openssl can read back), except C and serialNumber
// (PrintableString) and emailAddress (IA5String), as RFC 5280 asks.
import { DerError, TAG, readOid, readString, sequenceOf, type DerNode } from "./der-read";
import { derOid, derSequence, derSetOf, tlv } from "./der-write";
import { OID } from "./oid";

export interface Subject {
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
  country?: string;
  /** Unique identifier (2.5.4.5): an organisation's unified social credit code, a person's platform user id. */
  serialNumber?: string;
  email?: string;
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function checkText(value: string, what: string, max: number): void {
  if (typeof value !== "string" || value.trim() === "") throw new Error(`${what} must be a non-empty string`);
  if (value !== value.trim()) throw new Error(`${what} must not start or end with white space`);
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new Error(`${what} must not contain control characters`);
  if ([...value].length > max) throw new Error(`${what} is longer than ${max} characters (RFC 5280 upper bound)`);
}

/**
 * Name for `subject`: C, O, OU, CN, serialNumber, emailAddress (each present one its own RDN).
 * C and serialNumber are PrintableString, emailAddress IA5String, the others UTF8String.
 */
export function subjectToDer(subject: Subject): Buffer {
  const rdns: Buffer[] = [];
  const add = (oid: string, tag: number, value: string) =>
    rdns.push(derSetOf([derSequence(derOid(oid), tlv(tag, Buffer.from(value, "latin1")))]));
  const addUtf8 = (oid: string, value: string, what: string) => {
    // Buffer would write U+FFFD for half a surrogate pair: refuse rather than sign another name
    if (LONE_SURROGATE.test(value)) throw new URIError(`${what} is not well-formed Unicode (an unpaired surrogate)`);
    rdns.push(derSetOf([derSequence(derOid(oid), tlv(TAG.UTF8String, Buffer.from(value, "utf8")))]));
  };
  if (subject.country !== undefined) {
    if (!/^[A-Z]{2}$/.test(subject.country)) throw new Error("subject.country must be two upper-case letters (ISO 3166)");
    add(OID.country, TAG.PrintableString, subject.country);
  }
  if (subject.organization !== undefined) {
    checkText(subject.organization, "subject.organization", 64);
    addUtf8(OID.organization, subject.organization, "subject.organization");
  }
  if (subject.organizationalUnit !== undefined) {
    checkText(subject.organizationalUnit, "subject.organizationalUnit", 64);
    addUtf8(OID.organizationalUnit, subject.organizationalUnit, "subject.organizationalUnit");
  }
  checkText(subject.commonName, "subject.commonName", 64);
  addUtf8(OID.commonName, subject.commonName, "subject.commonName");
  if (subject.serialNumber !== undefined) {
    checkText(subject.serialNumber, "subject.serialNumber", 64);
    if (!PRINTABLE.test(subject.serialNumber)) {
      throw new Error("subject.serialNumber must use PrintableString characters (letters, digits, space, '()+,-./:=?)");
    }
    add(OID.serialNumber, TAG.PrintableString, subject.serialNumber);
  }
  if (subject.email !== undefined) {
    checkText(subject.email, "subject.email", 255);
    if (!/^[\x21-\x7e]+@[\x21-\x7e]+$/.test(subject.email)) throw new Error("subject.email must be an ASCII e-mail address");
    add(OID.emailAddress, TAG.IA5String, subject.email);
  }
  return derSequence(...rdns);
}

const SUBJECT_FIELDS: Record<string, keyof Subject> = {
  [OID.commonName]: "commonName",
  [OID.organization]: "organization",
  [OID.organizationalUnit]: "organizationalUnit",
  [OID.country]: "country",
  [OID.serialNumber]: "serialNumber",
  [OID.emailAddress]: "email",
};

/**
 * Reads a Name into a Subject. Attributes other than C, O, OU, CN, serialNumber and emailAddress
 * are ignored; of a repeated attribute the first is kept; a missing CN gives commonName "".
 */
export function nameToSubject(name: DerNode): Subject {
  const subject: Subject = { commonName: "" };
  const seen = new Set<string>();
  for (const rdn of sequenceOf(name, "Name")) {
    for (const atv of sequenceOf(rdn, "RelativeDistinguishedName", TAG.SET)) {
      const [type, value, ...extra] = sequenceOf(atv, "AttributeTypeAndValue");
      if (!type || !value || extra.length) throw new DerError("bad AttributeTypeAndValue");
      const field = SUBJECT_FIELDS[readOid(type, "AttributeType")];
      if (!field || seen.has(field)) continue;
      seen.add(field);
      subject[field] = readString(value, field);
    }
  }
  return subject;
}
