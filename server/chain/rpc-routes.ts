// POST /rpc: the chain's JSON-RPC for reading, so anyone can check a proof against the embedded
// chain with standard tools. Every method that could change state is refused.
import { Router, type ErrorRequestHandler, type Request } from "express";
import type { Eip1193 } from "./embedded-chain";

const READ_ONLY = new Set([
  "web3_clientVersion",
  "net_version",
  "eth_chainId",
  "eth_syncing",
  "eth_blockNumber",
  "eth_gasPrice",
  "eth_maxPriorityFeePerGas",
  "eth_feeHistory",
  "eth_getBalance",
  "eth_getCode",
  "eth_getStorageAt",
  "eth_getTransactionCount",
  "eth_getBlockByNumber",
  "eth_getBlockByHash",
  "eth_getBlockTransactionCountByNumber",
  "eth_getBlockTransactionCountByHash",
  "eth_getTransactionByHash",
  "eth_getTransactionByBlockNumberAndIndex",
  "eth_getTransactionByBlockHashAndIndex",
  "eth_getTransactionReceipt",
  "eth_getLogs",
  "eth_call",
  "eth_estimateGas",
]);

const MAX_BATCH = 100;
/** No method's params nest this deep (eth_getLogs topics: 4 levels); deeper input only strains the chain's parser. */
const MAX_PARAMS_DEPTH = 32;

interface RpcRequest {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

type RpcResponse = { jsonrpc: "2.0"; id: unknown; result?: unknown; error?: { code: number; message: string; data?: unknown } };

const rpcError = (id: unknown, code: number, message: string, data?: unknown): RpcResponse => ({
  jsonrpc: "2.0",
  id: id ?? null,
  error: data === undefined ? { code, message } : { code, message, data },
});

/** JSON-RPC 2.0 section 4: an id is a string, a number or null (or absent, for a notification). */
const validId = (id: unknown) => id === undefined || id === null || typeof id === "string" || typeof id === "number";

/** True when `value` nests arrays or objects deeper than `max` levels (checked without recursion). */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (!v || typeof v !== "object") continue;
    if (depth >= max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

async function handleOne(chain: Eip1193, call: RpcRequest): Promise<{ response: RpcResponse; refused: boolean }> {
  if (!call || typeof call !== "object" || Array.isArray(call) || !validId(call.id)) {
    return { response: rpcError(null, -32600, "invalid request"), refused: false };
  }
  if (call.jsonrpc !== "2.0" || typeof call.method !== "string") {
    return { response: rpcError(call.id, -32600, "invalid request"), refused: false };
  }
  if (!READ_ONLY.has(call.method)) {
    return { response: rpcError(call.id, -32601, `method ${call.method} is not available: this endpoint is read-only`), refused: true };
  }
  if (call.params !== undefined && !Array.isArray(call.params)) {
    return { response: rpcError(call.id, -32602, "params must be an array"), refused: false };
  }
  if (nestedDeeperThan(call.params, MAX_PARAMS_DEPTH)) {
    return { response: rpcError(call.id, -32602, `params nest deeper than ${MAX_PARAMS_DEPTH} levels`), refused: false };
  }
  try {
    const result = await chain.request({ method: call.method, params: (call.params as unknown[]) ?? [] });
    return { response: { jsonrpc: "2.0", id: call.id ?? null, result }, refused: false };
  } catch (e) {
    const err = e as { code?: number; message?: string; data?: unknown };
    return { response: rpcError(call.id, typeof err.code === "number" ? err.code : -32000, err.message ?? "error", err.data), refused: false };
  }
}

export function rpcRoutes(chain: Eip1193): Router {
  const r = Router();
  r.post("/", async (req: Request, res) => {
    const body = req.body as unknown;
    if (Array.isArray(body)) {
      if (body.length === 0 || body.length > MAX_BATCH) {
        res.status(400).json(rpcError(null, -32600, `a batch holds 1 to ${MAX_BATCH} calls`));
        return;
      }
      const out = await Promise.all(body.map((c) => handleOne(chain, c as RpcRequest)));
      res.json(out.map((o) => o.response));
      return;
    }
    if (!body || typeof body !== "object" || !req.is("application/json")) {
      res.status(400).json(rpcError(null, -32700, "parse error: send a JSON-RPC 2.0 request as application/json"));
      return;
    }
    const { response, refused } = await handleOne(chain, body as RpcRequest);
    res.status(refused ? 403 : 200).json(response);
  });
  return r;
}

/**
 * Errors raised before the route (the JSON body parser: malformed, too large, bad encoding) answered
 * as JSON-RPC errors, the shape a JSON-RPC client reads, with the same 4xx status.
 */
export const rpcBodyErrors: ErrorRequestHandler = (err, _req, res, next) => {
  const e = (err ?? {}) as { status?: unknown; type?: unknown };
  if (typeof e.status !== "number" || e.status < 400 || e.status >= 500) return next(err);
  if (res.headersSent) return next(err);
  const message =
    e.type === "entity.parse.failed"
      ? "parse error: the body is not valid JSON"
      : e.type === "entity.too.large"
        ? "the request body is too large"
        : e.type === "encoding.unsupported" || e.type === "charset.unsupported"
          ? "unsupported content encoding or charset"
          : "bad request";
  res.status(e.status).json(rpcError(null, e.type === "entity.parse.failed" ? -32700 : -32600, message));
};
