// Where the platform may send a webhook (SSRF): an endpoint's URL must be HTTPS (http only when
// configuration allows it, for tests and local development), carry no credentials, and never lead
// to a loopback, private, link-local or otherwise non-public address unless configuration allows
// it. Names are judged by the addresses they resolve to at delivery time (transport.ts), since a
// name that was public at registration can be pointed elsewhere later; an address literal is
// judged here already, at registration.
import net from "node:net";

export interface AddressPolicy {
  allowHttp: boolean;
  allowPrivate: boolean;
}

// Ranges that are not the public Internet: RFC 6890's special-purpose registries, in short.
const RANGES: [string, number, "ipv4" | "ipv6", string][] = [
  ["0.0.0.0", 8, "ipv4", "unspecified"],
  ["10.0.0.0", 8, "ipv4", "private"],
  ["100.64.0.0", 10, "ipv4", "shared (carrier-grade NAT)"],
  ["127.0.0.0", 8, "ipv4", "loopback"],
  ["169.254.0.0", 16, "ipv4", "link-local"],
  ["172.16.0.0", 12, "ipv4", "private"],
  ["192.0.0.0", 24, "ipv4", "IETF protocol assignments"],
  ["192.0.2.0", 24, "ipv4", "documentation"],
  ["192.168.0.0", 16, "ipv4", "private"],
  ["198.18.0.0", 15, "ipv4", "benchmarking"],
  ["198.51.100.0", 24, "ipv4", "documentation"],
  ["203.0.113.0", 24, "ipv4", "documentation"],
  ["224.0.0.0", 4, "ipv4", "multicast"],
  ["240.0.0.0", 4, "ipv4", "reserved"],
  ["::", 128, "ipv6", "unspecified"],
  ["::1", 128, "ipv6", "loopback"],
  ["64:ff9b:1::", 48, "ipv6", "local NAT64"],
  ["100::", 64, "ipv6", "discard-only"],
  ["2001:db8::", 32, "ipv6", "documentation"],
  ["fc00::", 7, "ipv6", "unique local (private)"],
  ["fe80::", 10, "ipv6", "link-local"],
  ["fec0::", 10, "ipv6", "site-local"],
  ["ff00::", 8, "ipv6", "multicast"],
];

const lists = RANGES.map(([addr, prefix, family, kind]) => {
  const list = new net.BlockList();
  list.addSubnet(addr, prefix, family);
  return { list, family, kind };
});

/** Why an address is not public ("loopback", "private", …), or null for a public one. */
export function nonPublicKind(address: string): string | null {
  let ip = address.replace(/^\[|\]$/g, "");
  // An IPv4 address written as IPv6 (::ffff:127.0.0.1) reaches the IPv4 address.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) ip = mapped[1];
  const family = net.isIPv4(ip) ? "ipv4" : net.isIPv6(ip) ? "ipv6" : null;
  if (!family) return "not an IP address";
  if (family === "ipv6" && /^::ffff:/i.test(ip)) return "IPv4-mapped";
  for (const l of lists) if (l.family === family && l.list.check(ip, family)) return l.kind;
  return null;
}

export type UrlVerdict = { ok: true; url: string } | { ok: false; code: "invalid_url" | "https_required" | "private_address"; message: string };

/** The registration check of an endpoint's URL: its form, its scheme, and an address literal. */
export function checkEndpointUrl(raw: string, policy: AddressPolicy): UrlVerdict {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { ok: false, code: "invalid_url", message: "not an absolute URL" };
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return { ok: false, code: "invalid_url", message: "only https URLs are allowed" };
  if (u.protocol === "http:" && !policy.allowHttp) return { ok: false, code: "https_required", message: "the URL must be https (WEBHOOK_ALLOW_HTTP allows http)" };
  if (u.username || u.password) return { ok: false, code: "invalid_url", message: "the URL must not carry credentials: the signature authenticates the platform" };
  if (u.hash) return { ok: false, code: "invalid_url", message: "the URL must not have a fragment" };
  if (!u.hostname) return { ok: false, code: "invalid_url", message: "the URL has no host" };
  const host = u.hostname.replace(/^\[|\]$/g, "");
  if (net.isIP(host) && !policy.allowPrivate) {
    const kind = nonPublicKind(host);
    if (kind) return { ok: false, code: "private_address", message: `the address ${host} is ${kind}, not public (WEBHOOK_ALLOW_PRIVATE allows it)` };
  }
  return { ok: true, url: u.toString() };
}
