// The project's root folder (where package.json is), found from this file's own place, so that the
// server finds its migrations and the compiled contract whether it runs from the TypeScript
// sources (server/) or from the JavaScript build (dist/server/).
import fs from "node:fs";
import path from "node:path";

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "prisma"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no project root above ${start}`);
  }
}

export const PROJECT_ROOT = findRoot(__dirname);
