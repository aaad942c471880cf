// The compiled AnchorRegistry contract (ABI and creation bytecode), as written by `hardhat compile`
// (which `npm run build`, and so `npm ci`, runs).
import fs from "node:fs";
import path from "node:path";
import type { InterfaceAbi } from "ethers";
import { PROJECT_ROOT } from "../project-root";

export interface RegistryArtifact {
  abi: InterfaceAbi;
  bytecode: string;
}

export const REGISTRY_ARTIFACT_PATH = path.join(
  PROJECT_ROOT,
  "artifacts/contracts/AnchorRegistry.sol/AnchorRegistry.json",
);

let cached: RegistryArtifact | undefined;

/** The ABI and creation bytecode of AnchorRegistry; throws a clear error when it was not built. */
export function registryArtifact(): RegistryArtifact {
  if (cached) return cached;
  let text: string;
  try {
    text = fs.readFileSync(REGISTRY_ARTIFACT_PATH, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(
        `the AnchorRegistry contract is not compiled (${REGISTRY_ARTIFACT_PATH} is missing): ` +
          "run `npm run build` first",
      );
    }
    throw e;
  }
  let json: { abi?: unknown; bytecode?: unknown };
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${REGISTRY_ARTIFACT_PATH} is not valid JSON: run \`npm run build\` again`);
  }
  const { abi, bytecode } = json;
  if (!Array.isArray(abi) || typeof bytecode !== "string" || !/^0x(?:[0-9a-fA-F]{2})+$/.test(bytecode)) {
    throw new Error(`${REGISTRY_ARTIFACT_PATH} has no ABI or bytecode: run \`npm run build\` again`);
  }
  cached = { abi, bytecode };
  return cached;
}
