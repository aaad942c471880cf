import { expect } from "chai";
import { Transaction, Wallet } from "ethers";
import { startTestPlatform, type TestPlatform } from "../helpers/platform";

describe("POST /rpc (read-only JSON-RPC of the embedded chain)", function () {
  let tp: TestPlatform;
  before(async () => {
    tp = await startTestPlatform();
  });
  after(async () => tp.stop());

  const call = (method: string, params: unknown[] = [], id: unknown = 1) =>
    tp.api("POST", "/rpc", { json: { jsonrpc: "2.0", id, method, params } });

  it("answers read-only methods", async () => {
    const chainId = (await (await call("eth_chainId")).json()) as any;
    expect(chainId).to.deep.equal({ jsonrpc: "2.0", id: 1, result: "0x7a69" });
    const block = (await (await call("eth_getBlockByNumber", ["latest", false])).json()) as any;
    expect(block.result.number).to.match(/^0x/);
    const code = (await (await call("eth_getCode", [tp.platform.chain.registry.address, "latest"])).json()) as any;
    expect(code.result.length).to.be.greaterThan(10);
    const logs = (await (await call("eth_getLogs", [{ fromBlock: "0x0", toBlock: "latest", address: tp.platform.chain.registry.address }])).json()) as any;
    expect(logs.result).to.be.an("array");
  });

  it("answers a batch", async () => {
    const res = await tp.api("POST", "/rpc", {
      json: [
        { jsonrpc: "2.0", id: 1, method: "eth_chainId" },
        { jsonrpc: "2.0", id: 2, method: "eth_blockNumber" },
        { jsonrpc: "2.0", id: 3, method: "evm_mine" },
      ],
    });
    const out = (await res.json()) as any[];
    expect(out.map((o) => o.id)).to.deep.equal([1, 2, 3]);
    expect(out[0].result).to.equal("0x7a69");
    expect(out[2].error.code).to.equal(-32601);
  });

  it("refuses every method that changes state, and changes nothing", async () => {
    const before = await tp.platform.chain.registry.blockNumber();
    const signed = await Wallet.createRandom().signTransaction(Transaction.from({ to: Wallet.createRandom().address, value: 0, chainId: 31337, nonce: 0, gasLimit: 21000, gasPrice: 1 }));
    for (const [method, params] of [
      ["eth_sendRawTransaction", [signed]],
      ["eth_sendTransaction", [{ to: tp.platform.chain.registry.address }]],
      ["evm_mine", []],
      ["evm_setNextBlockTimestamp", [1]],
      ["evm_revert", ["0x1"]],
      ["evm_snapshot", []],
      ["hardhat_setBalance", [tp.platform.chain.registry.address, "0x1"]],
      ["hardhat_reset", []],
      ["eth_sign", [tp.platform.chain.registry.address, "0x00"]],
      ["personal_unlockAccount", []],
    ] as [string, unknown[]][]) {
      const res = await call(method, params);
      expect(res.status, method).to.equal(403);
      expect(((await res.json()) as any).error.code, method).to.equal(-32601);
    }
    expect(await tp.platform.chain.registry.blockNumber()).to.equal(before);
  });

  it("rejects malformed requests", async () => {
    expect((await tp.api("POST", "/rpc", { json: { id: 1, method: "eth_chainId" } })).status).to.equal(200);
    expect(((await (await tp.api("POST", "/rpc", { json: { id: 1, method: "eth_chainId" } })).json()) as any).error.code).to.equal(-32600);
    expect((await tp.api("POST", "/rpc", { json: [] })).status).to.equal(400);
    expect((await tp.api("POST", "/rpc", { json: "{nope" })).status).to.equal(400);
    expect((await tp.api("POST", "/rpc", { body: "x", headers: { "content-type": "text/plain" } })).status).to.equal(400);
  });
});
