// The chain the server anchors on: an external EVM chain over JSON-RPC when configured, otherwise
// the embedded chain under DATA_DIR/chain, with the registry deployed on first start.
import path from "node:path";
import {
  BrowserProvider,
  ContractFactory,
  Contract,
  JsonRpcProvider,
  Wallet,
  getCreateAddress,
  type AbstractProvider,
} from "ethers";
import type { Config } from "../config";
import { EmbeddedChain, type Eip1193 } from "./embedded-chain";
import { registryArtifact } from "./registry-artifact";
import { RegistryClient } from "./registry-client";

export interface ChainConnection {
  registry: RegistryClient;
  /** The JSON-RPC endpoint that `POST /rpc` serves read-only. */
  rpc: Eip1193;
  embedded: EmbeddedChain | null;
  close(): void;
}

export async function connectChain(config: Config): Promise<ChainConnection> {
  if (config.CHAIN_RPC_URL) {
    // The chain may be down when the server starts: intake goes on, the chain id is read on first
    // use and the anchoring worker retries (staticNetwork: the network is detected once it answers).
    const provider = new JsonRpcProvider(config.CHAIN_RPC_URL, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const signer = new Wallet(config.CHAIN_PRIVATE_KEY!, provider);
    const registry = new RegistryClient(provider, signer, config.REGISTRY_ADDRESS!, null, config.REGISTRY_DEPLOY_BLOCK);
    const rpc: Eip1193 = { request: ({ method, params }) => provider.send(method, params ?? []) };
    return { registry, rpc, embedded: null, close: () => provider.destroy() };
  }
  const chain = await EmbeddedChain.open(path.join(config.DATA_DIR, "chain"), { chainId: config.EMBEDDED_CHAIN_ID });
  const provider = new BrowserProvider(chain, chain.chainId, { cacheTimeout: -1 });
  const signer = chain.operator.connect(provider);
  const address = await ensureRegistryDeployed(provider, signer);
  const registry = new RegistryClient(provider, signer, address, chain.chainId, 0);
  return { registry, rpc: chain, embedded: chain, close: () => chain.close() };
}

/** The embedded chain's registry is the operator's first contract; deployed and authorised once. */
async function ensureRegistryDeployed(provider: AbstractProvider, signer: Wallet): Promise<string> {
  const address = getCreateAddress({ from: signer.address, nonce: 0 });
  const { abi, bytecode } = registryArtifact();
  if ((await provider.getCode(address)) === "0x") {
    const factory = new ContractFactory(abi, bytecode, signer);
    const deployed = await factory.deploy(signer.address, { nonce: 0 });
    await deployed.waitForDeployment();
  }
  const registry = new Contract(address, abi, signer);
  const role = await registry.ANCHORER_ROLE();
  if (!(await registry.hasRole(role, signer.address))) {
    const tx = await registry.grantRole(role, signer.address);
    await tx.wait();
  }
  return address;
}
