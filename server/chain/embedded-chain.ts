// An in-process EVM chain (Hardhat's EDR) whose state survives restarts: every transaction is
// journaled (signed bytes and its block timestamp) and fsynced before it is acknowledged, and on
// start the journal is replayed onto an identical genesis, which reproduces the same blocks,
// transaction hashes, block numbers and timestamps. Only this process sends transactions to it.
import fs from "node:fs";
import path from "node:path";
import { Wallet } from "ethers";
import { writeFileDurably } from "../storage/durable";

export interface Eip1193 {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

interface Genesis {
  chainId: number;
  initialDate: string;
  operatorKey: string;
}

interface JournalEntry {
  raw: string;
  hash: string;
  timestamp: number;
}

const OPERATOR_BALANCE = 10n ** 24n; // 1,000,000 ether: gas for millions of anchors

export class EmbeddedChain implements Eip1193 {
  private queue: Promise<unknown> = Promise.resolve();
  private lastTimestamp = 0;

  private constructor(
    private readonly provider: Eip1193,
    private readonly journalFd: number,
    readonly chainId: number,
    readonly operator: Wallet,
    readonly replayed: number,
  ) {}

  /** Opens (or creates) the chain kept in `dir`. */
  static async open(dir: string, opts: { chainId?: number } = {}): Promise<EmbeddedChain> {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const genesisFile = path.join(dir, "genesis.json");
    if (!fs.existsSync(genesisFile)) {
      const genesis: Genesis = {
        chainId: opts.chainId ?? 31337,
        initialDate: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString(),
        operatorKey: Wallet.createRandom().privateKey,
      };
      writeFileDurably(genesisFile, JSON.stringify(genesis, null, 2) + "\n", 0o600);
    }
    const genesis = JSON.parse(fs.readFileSync(genesisFile, "utf8")) as Genesis;
    const operator = new Wallet(genesis.operatorKey);
    const provider = await createEdrProvider(genesis);

    const journalFile = path.join(dir, "journal.jsonl");
    const entries = readJournal(journalFile);
    let lastTimestamp = 0;
    for (const e of entries) {
      await provider.request({ method: "evm_setNextBlockTimestamp", params: [e.timestamp] });
      const hash = await provider.request({ method: "eth_sendRawTransaction", params: [e.raw] });
      if (hash !== e.hash) throw new Error(`chain journal replay diverged at ${e.hash}`);
      lastTimestamp = e.timestamp;
    }
    const fd = fs.openSync(journalFile, "a", 0o600);
    const chain = new EmbeddedChain(provider, fd, genesis.chainId, operator, entries.length);
    const genesisBlock = (await provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
      timestamp: string;
    };
    chain.lastTimestamp = Math.max(lastTimestamp, Number(BigInt(genesisBlock.timestamp)));
    return chain;
  }

  request(args: { method: string; params?: unknown[] }): Promise<unknown> {
    if (args.method === "eth_sendRawTransaction") {
      return this.serialize(() => this.sendJournaled(String((args.params ?? [])[0])));
    }
    if (args.method === "eth_sendTransaction") {
      return Promise.reject(new Error("the embedded chain accepts signed transactions only"));
    }
    return this.provider.request(args);
  }

  close(): void {
    try {
      fs.closeSync(this.journalFd);
    } catch {
      /* already closed */
    }
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Mines the transaction in its own block, then journals it before answering. */
  private async sendJournaled(raw: string): Promise<string> {
    const timestamp = Math.max(Math.floor(Date.now() / 1000), this.lastTimestamp + 1);
    await this.provider.request({ method: "evm_setNextBlockTimestamp", params: [timestamp] });
    const hash = (await this.provider.request({ method: "eth_sendRawTransaction", params: [raw] })) as string;
    this.lastTimestamp = timestamp;
    const line = JSON.stringify({ raw, hash, timestamp } satisfies JournalEntry) + "\n";
    fs.writeSync(this.journalFd, line);
    fs.fsyncSync(this.journalFd);
    return hash;
  }
}

async function createEdrProvider(genesis: Genesis): Promise<Eip1193> {
  // Hardhat's own factory for its in-process network; deterministic for a fixed genesis.
  const { createHardhatNetworkProvider } = require("hardhat/internal/hardhat-network/provider/provider");
  const { defaultHardhatNetworkParams } = require("hardhat/internal/core/config/default-config");
  return createHardhatNetworkProvider(
    {
      hardfork: "prague",
      chainId: genesis.chainId,
      networkId: genesis.chainId,
      blockGasLimit: 30_000_000,
      minGasPrice: 0n,
      automine: true,
      intervalMining: 0,
      mempoolOrder: "fifo",
      chains: defaultHardhatNetworkParams.chains,
      genesisAccounts: [{ privateKey: genesis.operatorKey, balance: OPERATOR_BALANCE.toString() }],
      allowUnlimitedContractSize: false,
      throwOnTransactionFailures: false,
      throwOnCallFailures: true,
      allowBlocksWithSameTimestamp: false,
      initialDate: new Date(genesis.initialDate),
      coinbase: "0xc014ba5ec014ba5ec014ba5ec014ba5ec014ba5e",
      enableTransientStorage: false,
      enableRip7212: false,
    },
    { enabled: false },
  );
}

/** Entries of a journal; a torn last line (a crash mid-write, never acknowledged) is dropped. */
function readJournal(file: string): JournalEntry[] {
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, "utf8");
  const lines = text.split("\n");
  const entries: JournalEntry[] = [];
  let goodBytes = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const complete = i < lines.length - 1;
    if (!complete) break;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      if (i === lines.length - 2) break; // last line torn
      throw new Error(`chain journal is corrupt at line ${i + 1}`);
    }
    goodBytes += Buffer.byteLength(line) + 1;
  }
  if (goodBytes !== Buffer.byteLength(text)) fs.truncateSync(file, goodBytes);
  return entries;
}
