// POST /rpc: the chain's JSON-RPC for reading, so anyone can check a proof against the embedded
// chain with standard tools. Every method that could change state is refused.
import { Router, type Request } from "express";
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

async function handleOne(chain: Eip1193, call: RpcRequest): Promise<{ response: RpcResponse; refused: boolean }> {
  if (!call || typeof call !== "object" || call.jsonrpc !== "2.0" || typeof call.method !== "string") {
    return { response: rpcError(call?.id, -32600, "invalid request"), refused: false };
  }
  if (!READ_ONLY.has(call.method)) {
    return { response: rpcError(call.id, -32601, `method ${call.method} is not available: this endpoint is read-only`), refused: true };
  }
  if (call.params !== undefined && !Array.isArray(call.params)) {
    return { response: rpcError(call.id, -32602, "params must be an array"), refused: false };
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
