// Deploys the AnchorRegistry contract and grants the anchoring role.
//
//   CHAIN_RPC_URL=http://127.0.0.1:8545 CHAIN_PRIVATE_KEY=0x... \
//     npm run deploy-registry -- [--anchorer 0xADDRESS]...
//
// The account of CHAIN_PRIVATE_KEY deploys the contract, becomes its admin (it alone may grant and
// revoke the role later) and is granted ANCHORER_ROLE, as is every --anchorer. On success one JSON
// line is printed on stdout: {"registry": "0x...", "chainId": N, "deployBlock": N, "txHash": "0x..."};
// progress goes to stderr. Exit codes: 0 success, 1 a transaction failed, 2 bad usage or setup
// (missing environment, unreachable RPC, invalid key or address, contract not built).
import {
  Contract,
  ContractFactory,
  FetchRequest,
  JsonRpcProvider,
  NonceManager,
  Wallet,
  getAddress,
  isAddress,
  isError,
  type ContractTransactionResponse,
  type TransactionReceipt,
} from "ethers";
import { registryArtifact } from "../server/chain/registry-artifact";

const USAGE = `usage: npm run deploy-registry -- [--anchorer 0xADDRESS]...

Deploys AnchorRegistry with the account of CHAIN_PRIVATE_KEY as admin, and grants ANCHORER_ROLE
to that account and to each --anchorer.

environment:
  CHAIN_RPC_URL      JSON-RPC endpoint (http or https)
  CHAIN_PRIVATE_KEY  private key (hex) of the deploying account, which pays for gas`;

const RPC_TIMEOUT_MS = 10_000;
const RECEIPT_TIMEOUT_MS = 5 * 60_000;

/** A problem with how the script was called or set up: exit code 2, no stack trace. */
class SetupError extends Error {}

function log(message: string): void {
  process.stderr.write(`deploy-registry: ${message}\n`);
}

function parseArgs(argv: string[]): { anchorers: string[]; help: boolean } {
  const anchorers: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") return { anchorers, help: true };
    let value: string | undefined;
    if (arg === "--anchorer") {
      value = argv[++i];
      if (value === undefined) throw new SetupError("--anchorer needs an address\n\n" + USAGE);
    } else if (arg.startsWith("--anchorer=")) {
      value = arg.slice("--anchorer=".length);
    } else {
      throw new SetupError(`unknown argument ${JSON.stringify(arg)}\n\n${USAGE}`);
    }
    if (!isAddress(value)) throw new SetupError(`--anchorer ${JSON.stringify(value)} is not an address`);
    anchorers.push(getAddress(value));
  }
  return { anchorers, help: false };
}

function requireEnv(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new SetupError(`${name} is not set\n\n${USAGE}`);
  return value;
}

/** The URL without path, query or credentials (which may carry an API key), for messages. */
function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname.length > 1 || url.search ? "/…" : ""}`;
}

/** Asks the node for its chain id, failing fast and clearly when it cannot be reached. */
async function probeChainId(url: string, shown: string): Promise<bigint> {
  const req = new FetchRequest(url);
  req.timeout = RPC_TIMEOUT_MS;
  req.retryFunc = async () => false;
  req.setHeader("content-type", "application/json");
  req.body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
  let body: unknown;
  try {
    const res = await req.send();
    if (!res.ok()) throw new Error(`HTTP ${res.statusCode} ${res.statusMessage}`.trim());
    body = res.bodyJson;
  } catch (e) {
    throw new SetupError(`cannot reach the RPC at ${shown} (CHAIN_RPC_URL): ${reason(e)}`);
  }
  const result = (body as { result?: unknown } | null)?.result;
  if (typeof result !== "string" || !/^0x[0-9a-fA-F]+$/.test(result)) {
    throw new SetupError(`the RPC at ${shown} (CHAIN_RPC_URL) did not answer eth_chainId: ${JSON.stringify(body)}`);
  }
  return BigInt(result);
}

function reason(e: unknown): string {
  if (isError(e, "TIMEOUT")) return `no answer within ${RPC_TIMEOUT_MS / 1000} s`;
  const err = e as { cause?: { code?: string; message?: string }; code?: string; shortMessage?: string; message?: string };
  // Node's fetch errors hide the interesting part (ECONNREFUSED, ENOTFOUND...) in `cause`.
  return err.cause?.code ?? err.cause?.message ?? err.shortMessage ?? err.message ?? String(e);
}

async function receipt(tx: ContractTransactionResponse, what: string): Promise<TransactionReceipt> {
  log(`${what}: sent ${tx.hash}, waiting for the receipt`);
  const rc = await tx.wait(1, RECEIPT_TIMEOUT_MS);
  if (!rc) throw new Error(`${what}: no receipt for ${tx.hash}`);
  return rc;
}

async function main(): Promise<void> {
  const { anchorers, help } = parseArgs(process.argv.slice(2));
  if (help) {
    process.stdout.write(USAGE + "\n");
    return;
  }
  const rpcUrl = requireEnv("CHAIN_RPC_URL");
  const privateKey = requireEnv("CHAIN_PRIVATE_KEY");

  let url: URL;
  try {
    url = new URL(rpcUrl);
  } catch {
    throw new SetupError("CHAIN_RPC_URL is not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new SetupError(`CHAIN_RPC_URL must be an http:// or https:// URL, not ${url.protocol}`);
  }
  let wallet: Wallet;
  try {
    wallet = new Wallet(privateKey);
  } catch {
    throw new SetupError("CHAIN_PRIVATE_KEY is not a valid private key (32 bytes of hex)");
  }
  const artifact = (() => {
    try {
      return registryArtifact();
    } catch (e) {
      throw new SetupError((e as Error).message);
    }
  })();

  const shown = describeUrl(url);
  const chainId = await probeChainId(rpcUrl, shown);

  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    // Without the NonceManager, back-to-back transactions may be given the same nonce.
    const signer = new NonceManager(wallet.connect(provider));
    const deployer = wallet.address;
    const balance = await provider.getBalance(deployer);
    if (balance === 0n) throw new SetupError(`the deployer ${deployer} has no funds on chain ${chainId} to pay for gas`);

    log(`deploying AnchorRegistry on chain ${chainId} (${shown}) from ${deployer}, its admin`);
    const factory = new ContractFactory(artifact.abi, artifact.bytecode, signer);
    const deployed = await factory.deploy(deployer);
    const deployTx = deployed.deploymentTransaction();
    if (!deployTx) throw new Error("the deployment transaction is missing");
    const deployReceipt = await receipt(deployTx, "deployment");
    const registryAddress = deployReceipt.contractAddress ?? (await deployed.getAddress());
    log(`AnchorRegistry at ${registryAddress}, block ${deployReceipt.blockNumber}`);

    const registry = new Contract(registryAddress, artifact.abi, signer);
    const role: string = await registry.getFunction("ANCHORER_ROLE")();
    const grantees = [...new Set([deployer, ...anchorers])];
    // The contract exists now, so the grants can be estimated and sent back to back.
    const grants: { account: string; tx: ContractTransactionResponse }[] = [];
    for (const account of grantees) {
      grants.push({ account, tx: await registry.getFunction("grantRole")(role, account) });
    }
    for (const { account, tx } of grants) await receipt(tx, `ANCHORER_ROLE for ${account}`);
    for (const account of grantees) {
      if (!(await registry.getFunction("hasRole")(role, account))) {
        throw new Error(`${account} does not hold ANCHORER_ROLE after its grant was mined`);
      }
    }
    log(`ANCHORER_ROLE granted to ${grantees.join(", ")}`);

    process.stdout.write(
      JSON.stringify({
        registry: registryAddress,
        chainId: Number(chainId),
        deployBlock: deployReceipt.blockNumber,
        txHash: deployReceipt.hash,
      }) + "\n",
    );
  } finally {
    provider.destroy();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    // Exit explicitly: a timed-out request may still hold a socket open and keep Node alive.
    process.exit(report(e));
  },
);

function report(e: unknown): number {
  if (e instanceof SetupError) {
    log(`error: ${e.message}`);
    return 2;
  }
  if (isError(e, "INSUFFICIENT_FUNDS")) {
    log("error: the deployer has not enough funds to pay for gas");
  } else if (isError(e, "CALL_EXCEPTION")) {
    log(`error: a transaction reverted: ${e.shortMessage}${e.receipt ? ` (${e.receipt.hash})` : ""}`);
  } else if (e && typeof e === "object" && "shortMessage" in e) {
    log(`error: ${(e as { shortMessage: string }).shortMessage}`);
  } else {
    log(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  return 1;
}
