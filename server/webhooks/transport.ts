// One HTTP POST of a delivery. The host name is resolved here and every address it resolves to is
// checked (address-policy.ts) before connecting, and the connection goes to the address that was
// checked (the lookup hands it to the socket): a name re-pointed between the check and the connect
// (DNS rebinding) cannot slip through. Redirects are never followed: a 3xx is a failed attempt.
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { nonPublicKind, type AddressPolicy } from "./address-policy";

export interface PostOutcome {
  /** the receiver's status code, or null when no response came */
  statusCode: number | null;
  /** why the attempt failed, or null when the receiver answered 2xx */
  error: string | null;
  /** the address policy refused the destination: retrying under the same configuration is pointless */
  refused?: boolean;
  durationMs: number;
}

export interface PostRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

class Refused extends Error {}

/** A dns.lookup that refuses names resolving to a non-public address, unless the policy allows them. */
function guardedLookup(policy: AddressPolicy): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 0);
      const list = addresses as dns.LookupAddress[];
      if (!policy.allowPrivate) {
        const bad = list.find((a) => nonPublicKind(a.address));
        if (bad) return callback(new Refused(`${hostname} resolves to ${bad.address} (${nonPublicKind(bad.address)}): refused (WEBHOOK_ALLOW_PRIVATE allows it)`), "", 0);
      }
      if (!list.length) return callback(new Error(`${hostname} has no address`), "", 0);
      if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}

export function postWebhook(req: PostRequest, policy: AddressPolicy): Promise<PostOutcome> {
  const started = Date.now();
  const done = (statusCode: number | null, error: string | null, refused = false): PostOutcome => ({ statusCode, error, refused, durationMs: Date.now() - started });
  const url = new URL(req.url);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  // An address literal is never looked up by the socket: check it here (again: the policy may have
  // changed since registration).
  if (net.isIP(host) && !policy.allowPrivate && nonPublicKind(host)) {
    return Promise.resolve(done(null, `the address ${host} is ${nonPublicKind(host)}: refused (WEBHOOK_ALLOW_PRIVATE allows it)`, true));
  }
  if (url.protocol === "http:" && !policy.allowHttp) return Promise.resolve(done(null, "http is not allowed (WEBHOOK_ALLOW_HTTP)", true));
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    const request = client.request(
      url,
      {
        method: "POST",
        headers: { ...req.headers, "content-type": "application/json", "content-length": Buffer.byteLength(req.body) },
        lookup: guardedLookup(policy),
        timeout: req.timeoutMs,
        agent: false,
      },
      (res) => {
        // The body is not needed; reading (and discarding) it lets the connection close cleanly.
        res.resume();
        res.on("end", () => {
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) resolve(done(code, null));
          else if (code >= 300 && code < 400) resolve(done(code, `redirect to ${String(res.headers.location ?? "?").slice(0, 300)} not followed`));
          else resolve(done(code, `the receiver answered ${code}`));
        });
        res.on("error", (e) => resolve(done(res.statusCode ?? null, `response: ${e.message}`)));
        res.on("close", () => {
          if (!res.complete) resolve(done(res.statusCode ?? null, "the response was cut off"));
        });
      },
    );
    // the whole attempt, not only idle time, is bounded
    const deadline = setTimeout(() => request.destroy(new Error(`no answer within ${req.timeoutMs} ms`)), req.timeoutMs);
    request.on("timeout", () => request.destroy(new Error(`no answer within ${req.timeoutMs} ms`)));
    request.on("error", (e) => resolve(done(null, e.message.slice(0, 1000), e instanceof Refused)));
    request.on("close", () => clearTimeout(deadline));
    request.end(req.body);
  });
}
