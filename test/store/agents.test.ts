/**
 * Join codes and agent credentials on both dialects: a code is consumed by exactly one of many
 * concurrent joins, never after it expired, and stays readable (used, expired) to say why a join
 * was refused; a machine has one credential, replaced by the next join.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  type AgentCredential,
  createJoinCode,
  hashJoinCode,
  JoinCodeRefusedError,
  NoManagedIdentityError,
  redeemJoinCode,
} from "../../src/directory/index.ts";
import type { Store } from "../../src/store/index.ts";
import { createTestDatabase, selectedDialects } from "./dialects.ts";

const VM = "/subscriptions/s1/resourceGroups/rg/providers/Compute/virtualMachines/web1";
const KEY = { kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" };
const T0 = new Date("2026-11-30T10:00:00Z");

for (const dialect of selectedDialects()) {
  describe(`join codes and agent credentials on ${dialect}`, () => {
    const database = createTestDatabase(dialect);
    let store: Store;
    before(async () => {
      store = await database.open();
    });
    after(async () => {
      await store?.close();
      await database.drop();
    });

    it("consumes a code once, whatever the number of concurrent joins", async () => {
      const { code, expiresAt } = await createJoinCode(store.agents, {
        tenantId: "t1",
        machineId: VM,
        now: T0,
      });
      assert.equal(expiresAt.getTime() - T0.getTime(), 10 * 60_000);
      const hash = hashJoinCode(code);
      const results = await Promise.all(
        Array.from({ length: 8 }, () => store.agents.consumeJoinCode(hash, new Date(T0.getTime() + 1000))),
      );
      assert.equal(results.filter((r) => r?.consumed).length, 1);
      assert.equal(results.find((r) => r?.consumed)?.record.machineKey, VM.toLowerCase());
      assert.ok((await store.agents.findJoinCode(hash))?.usedAt);
    });

    it("never consumes an expired code, and refuses with the stable codes", async () => {
      const { code } = await createJoinCode(store.agents, { tenantId: "t1", machineId: VM, now: T0 });
      const later = new Date(T0.getTime() + 10 * 60_000);
      assert.equal((await store.agents.consumeJoinCode(hashJoinCode(code), later))?.consumed, false);
      const identity = { kind: "managedIdentity", id: randomUUID(), enabled: true } as never;
      const redeem = (c: string, now: Date) =>
        redeemJoinCode(
          { agents: store.agents, identityOf: async () => identity },
          { code: c, publicKey: KEY, hostKeys: [], now },
        );
      await assert.rejects(redeem(code, later), { code: JoinCodeRefusedError.codes.expired });
      await assert.rejects(redeem("B".repeat(43), T0), { code: JoinCodeRefusedError.codes.invalid });
      await assert.rejects(redeem("short", T0), { code: JoinCodeRefusedError.codes.invalid });
      const fresh = await createJoinCode(store.agents, { tenantId: "t1", machineId: VM, now: T0 });
      const first = await redeem(fresh.code, T0);
      await assert.rejects(redeem(fresh.code, T0), { code: JoinCodeRefusedError.codes.used });
      // a second join of the machine replaces its credential (the old client id is gone)
      const again = await createJoinCode(store.agents, { tenantId: "t1", machineId: VM, now: T0 });
      const second: AgentCredential = await redeem(again.code, T0);
      assert.notEqual(second.clientId, first.clientId);
      assert.equal(await store.agents.findCredential(first.clientId), undefined);
      assert.equal((await store.agents.findCredentialOfMachine(VM.toLowerCase()))?.clientId, second.clientId);
      assert.deepEqual((await store.agents.findCredential(second.clientId))?.publicKeyJwk, KEY);
      assert.equal(await store.agents.deleteCredentialOfMachine(VM.toLowerCase()), true);
      assert.equal(await store.agents.findCredential(second.clientId), undefined);
    });

    it("a machine without a managed identity gets no credential (the seed's exit 22)", async () => {
      const { code } = await createJoinCode(store.agents, { tenantId: "t1", machineId: VM, now: T0 });
      await assert.rejects(
        redeemJoinCode(
          { agents: store.agents, identityOf: async () => undefined },
          { code, publicKey: KEY, hostKeys: [], now: T0 },
        ),
        { code: NoManagedIdentityError.code },
      );
      assert.equal(await store.agents.findCredentialOfMachine(VM.toLowerCase()), undefined);
    });
  });
}
