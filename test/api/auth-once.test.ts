// Routers sharing a path prefix are each mounted behind requireAuth; a request that falls through the
// first to the second is authenticated once, not once per mount, and still refused without a token.
import { expect } from "chai";
import express from "express";
import type { AddressInfo } from "node:net";
import { requireAuth } from "../../server/http/auth";
import type { AccountService } from "../../server/accounts/service";
import type { Principal } from "../../server/accounts/roles";

describe("requireAuth behind several mounts", () => {
  it("looks the token up once per request, and refuses a request without one", async () => {
    let lookups = 0;
    const accounts = {
      authenticate: async (token: string): Promise<Principal | null> => {
        lookups++;
        return token === "good" ? ({ userId: "u1", role: "judge" } as unknown as Principal) : null;
      },
    } as unknown as AccountService;
    const auth = requireAuth(accounts);
    const app = express();
    app.use("/api/cases", auth, express.Router().get("/", (_q, r) => void r.send("list")));
    app.use("/api/cases/:id/file", auth, express.Router().get("/", (q, r) => void r.send(`file of ${q.principal ? "signed in" : "nobody"}`)));
    app.use((err: { status?: number }, _q: express.Request, r: express.Response, _n: express.NextFunction) => void r.status(err.status ?? 500).send("refused"));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((ok) => server.once("listening", ok));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const res = await fetch(`${base}/api/cases/c1/file`, { headers: { authorization: "Bearer good" } });
      expect(await res.text()).to.equal("file of signed in");
      expect(lookups).to.equal(1);
      const anonymous = await fetch(`${base}/api/cases/c1/file`);
      expect(anonymous.status).to.equal(401);
      const wrong = await fetch(`${base}/api/cases/c1/file`, { headers: { authorization: "Bearer bad" } });
      expect(wrong.status).to.equal(401);
    } finally {
      server.close();
    }
  });
});
