// scripts/deploy-registry.ts, run as a separate process against a `hardhat node` on a free port.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Contract, JsonRpcProvider, Wallet, ZeroHash, getAddress, id } from "ethers";
import { cleanEnv, freePort, startNode, stopNode } from "../helpers/hardhat-node";
import { REGISTRY_ARTIFACT_PATH, registryArtifact } from "../../server/chain/registry-artifact";

const ROOT = path.join(__dirname, "../..");
const SCRIPT = "scripts/deploy-registry.ts";
const ANCHORER_ROLE = id("ANCHORER_ROLE");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runScript(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", SCRIPT, ...args], {
      cwd: ROOT,
      env: cleanEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 50_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const STACK_FRAME = /^\s+at .+\(.*:\d+:\d+\)$/m;

describe("scripts/deploy-registry.ts", function () {
  this.timeout(120_000);

  let node: ChildProcess | undefined;
  let url: string;
  let deployerKey: string;
  let provider: JsonRpcProvider;

  before(async function () {
    if (!fs.existsSync(REGISTRY_ARTIFACT_PATH)) throw new Error("the contract is not compiled: run `npm run build`");
    const started = await startNode(await freePort());
    node = started.child;
    url = started.url;
    deployerKey = started.key;
    provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  });

  after(async function () {
    provider?.destroy();
    if (node) await stopNode(node);
  });

  it("deploys the registry, grants ANCHORER_ROLE to the deployer and each --anchorer, and prints one JSON line", async function () {
    const deployer = new Wallet(deployerKey);
    const anchorer1 = Wallet.createRandom().address;
    const anchorer2 = Wallet.createRandom().address.toLowerCase(); // not checksummed: still accepted
    const stranger = Wallet.createRandom().address;

    const run = await runScript(["--anchorer", anchorer1, `--anchorer=${anchorer2}`], {
      CHAIN_RPC_URL: url,
      CHAIN_PRIVATE_KEY: deployerKey,
    });
    expect(run.code, run.stderr).to.equal(0);

    const lines = run.stdout.split("\n").filter((l) => l !== "");
    expect(lines, run.stdout).to.have.length(1);
    const out = JSON.parse(lines[0]) as { registry: string; chainId: number; deployBlock: number; txHash: string };
    expect(Object.keys(out).sort()).to.deep.equal(["chainId", "deployBlock", "registry", "txHash"]);
    expect(out.registry).to.equal(getAddress(out.registry));
    expect(out.chainId).to.equal(Number((await provider.getNetwork()).chainId));
    expect(out.txHash).to.match(/^0x[0-9a-f]{64}$/);

    // The address holds the compiled contract, created by the printed transaction in the printed block.
    const { deployedBytecode } = JSON.parse(fs.readFileSync(REGISTRY_ARTIFACT_PATH, "utf8")) as {
      deployedBytecode: string;
    };
    expect(await provider.getCode(out.registry)).to.equal(deployedBytecode);
    const receipt = await provider.getTransactionReceipt(out.txHash);
    expect(receipt?.contractAddress).to.equal(out.registry);
    expect(receipt?.blockNumber).to.equal(out.deployBlock);
    expect(receipt?.from).to.equal(deployer.address);

    const registry = new Contract(out.registry, registryArtifact().abi, provider);
    expect(await registry.hasRole(ANCHORER_ROLE, deployer.address)).to.equal(true);
    expect(await registry.hasRole(ZeroHash, deployer.address)).to.equal(true);
    for (const a of [anchorer1, anchorer2]) {
      expect(await registry.hasRole(ANCHORER_ROLE, a), a).to.equal(true);
      expect(await registry.hasRole(ZeroHash, a), a).to.equal(false);
    }
    expect(await registry.hasRole(ANCHORER_ROLE, stranger)).to.equal(false);

    // And the deployer can anchor right away.
    const asDeployer = registry.connect(new Wallet(deployerKey, provider));
    const root = id("deploy-registry test root");
    const anchored = await (await asDeployer.getFunction("anchor")(root, 1)).wait();
    const [blockNumber] = (await registry.anchoredAt(root)) as [bigint, bigint];
    expect(blockNumber).to.equal(BigInt(anchored!.blockNumber));
  });

  it("deploys without any --anchorer (the deployer alone anchors)", async function () {
    const run = await runScript([], { CHAIN_RPC_URL: url, CHAIN_PRIVATE_KEY: deployerKey });
    expect(run.code, run.stderr).to.equal(0);
    const out = JSON.parse(run.stdout.trim()) as { registry: string };
    const registry = new Contract(out.registry, registryArtifact().abi, provider);
    expect(await registry.hasRole(ANCHORER_ROLE, new Wallet(deployerKey).address)).to.equal(true);
  });

  it("exits with code 2 and a clear message when CHAIN_RPC_URL is missing", async function () {
    const run = await runScript([], { CHAIN_PRIVATE_KEY: deployerKey });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include("CHAIN_RPC_URL is not set");
    expect(run.stderr).not.to.match(STACK_FRAME);
    expect(run.stdout).to.equal("");
  });

  it("exits with code 2 and a clear message when CHAIN_PRIVATE_KEY is missing or invalid", async function () {
    const [missing, invalid] = await Promise.all([
      runScript([], { CHAIN_RPC_URL: url }),
      runScript([], { CHAIN_RPC_URL: url, CHAIN_PRIVATE_KEY: "0x1234" }),
    ]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.include("CHAIN_PRIVATE_KEY is not set");
    expect(invalid.code).to.equal(2);
    expect(invalid.stderr).to.include("CHAIN_PRIVATE_KEY is not a valid private key");
    for (const run of [missing, invalid]) {
      expect(run.stderr).not.to.match(STACK_FRAME);
      expect(run.stdout).to.equal("");
    }
  });

  it("exits with code 2 and a clear message when the RPC is unreachable", async function () {
    const port = await freePort(); // nothing listens there any more
    const run = await runScript([], { CHAIN_RPC_URL: `http://127.0.0.1:${port}`, CHAIN_PRIVATE_KEY: deployerKey });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include(`cannot reach the RPC at http://127.0.0.1:${port}`);
    expect(run.stderr).not.to.match(STACK_FRAME);
    expect(run.stdout).to.equal("");
  });

  it("exits with code 2 on a malformed --anchorer, before sending anything", async function () {
    const before = await provider.getBlockNumber();
    const run = await runScript(["--anchorer", "0x1234"], { CHAIN_RPC_URL: url, CHAIN_PRIVATE_KEY: deployerKey });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include('--anchorer "0x1234" is not an address');
    expect(await provider.getBlockNumber()).to.equal(before);
  });
});
