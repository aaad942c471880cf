// The workspace's calls to the platform's API: the bearer token kept in sessionStorage (gone when
// the tab closes), JSON requests, uploads with progress (XMLHttpRequest: fetch reports none), and
// authenticated downloads (fetch -> blob -> object URL, since a plain link cannot send the token).
import { saveBlob } from "./ws-dom.mjs";

const TOKEN_KEY = "evidence-workspace.token";
const API = new URL("../api/", import.meta.url);
let memoryToken = null; // when sessionStorage is disabled
let onUnauthorized = () => {};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? memoryToken;
  } catch {
    return memoryToken;
  }
}

export function setToken(token) {
  memoryToken = token;
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage disabled: the token lasts for this page only
  }
}

/** Called when the server no longer accepts the token (expired, revoked). */
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

const url = (path) => new URL(path.replace(/^\//, ""), API).href;

function headers() {
  const token = getToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function errorOf(res) {
  let body = null;
  try {
    body = await res.json();
  } catch {
    // not JSON
  }
  if (res.status === 401 && getToken()) onUnauthorized();
  return new ApiError(res.status, body?.error?.code ?? `http_${res.status}`, body?.error?.message ?? res.statusText);
}

async function send(method, path, init) {
  try {
    return await fetch(url(path), { method, ...init });
  } catch (e) {
    throw new ApiError(0, "network", e?.message ?? String(e));
  }
}

/** A JSON call: api("POST", "contracts", {json}); resolves to the parsed body (null for 204). */
export async function api(method, path, { json } = {}) {
  const h = headers();
  let body;
  if (json !== undefined) {
    h["content-type"] = "application/json";
    body = JSON.stringify(json);
  }
  const res = await send(method, path, { headers: h, body });
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return null;
  return res.json();
}

function fileNameOf(disposition) {
  if (!disposition) return null;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      // fall through to the plain name
    }
  }
  return /filename="([^"]+)"/i.exec(disposition)?.[1] ?? null;
}

/** Downloads what a GET route answers (a PDF, a file) and offers it to the user under its name. */
export async function download(path, fallbackName) {
  const res = await send("GET", path, { headers: headers() });
  if (!res.ok) throw await errorOf(res);
  const blob = await res.blob();
  const name = fileNameOf(res.headers.get("content-disposition")) ?? fallbackName;
  saveBlob(blob, name);
  return { name, size: blob.size };
}

/**
 * POSTs a multipart form with upload progress: onProgress(sent, total) as the bytes leave.
 * Resolves to the parsed JSON answer; rejects with an ApiError.
 */
export function upload(path, form, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url(path));
    for (const [k, v] of Object.entries(headers())) xhr.setRequestHeader(k, v);
    xhr.upload.addEventListener("progress", (e) => onProgress(e.loaded, e.lengthComputable ? e.total : 0));
    xhr.addEventListener("load", () => {
      let body = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        // not JSON
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body);
      if (xhr.status === 401 && getToken()) onUnauthorized();
      reject(new ApiError(xhr.status, body?.error?.code ?? `http_${xhr.status}`, body?.error?.message ?? xhr.statusText));
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, "network", "the upload did not reach the server")));
    xhr.addEventListener("abort", () => reject(new ApiError(0, "aborted", "the upload was cancelled")));
    xhr.send(form);
  });
}

/** The bytes a GET route answers (a contract's PDF, to render in the page). */
export async function bytesOf(path) {
  const res = await send("GET", path, { headers: headers() });
  if (!res.ok) throw await errorOf(res);
  return res.arrayBuffer();
}
