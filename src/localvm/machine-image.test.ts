import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { baseAccounts } from "./lib/base-accounts.ts";
import { serviceScript } from "./lib/image-files.ts";
import { validateImageSpec } from "./machine-image.ts";

describe("machine image", () => {
  it("keeps only the host's system accounts, locked, and drops its people from groups", () => {
    const host = {
      passwd:
        "root:x:0:0:root:/root:/bin/bash\nsshd:x:108:65534::/run/sshd:/usr/sbin/nologin\nalice:x:1000:1000::/home/alice:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
      group: "root:x:0:\nsudo:x:27:alice\nadm:x:4:root,alice\nalice:x:1000:\nnogroup:x:65534:\n",
    };
    const files = baseAccounts(host, { name: "localadmin", uid: 1000, gid: 1000, home: "/home/localadmin" });
    assert.equal(
      files.passwd,
      "root:x:0:0:root:/root:/bin/bash\nsshd:x:108:65534::/run/sshd:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\nlocaladmin:x:1000:1000::/home/localadmin:/bin/bash\n",
    );
    assert.equal(files.group, "root:x:0:\nsudo:x:27:\nadm:x:4:root\nnogroup:x:65534:\nlocaladmin:x:1000:\n");
    for (const line of files.shadow.trim().split("\n")) assert.equal(line.split(":")[1], "*", line);
  });

  it("refuses names and keys that could break out of the files they go into", () => {
    const refused = [
      { hostname: "my vm" },
      { hostname: "-vm" },
      { hostname: "a".repeat(65) },
      { hostname: "vm", adminUser: { name: "Root", authorizedKeys: [] } },
      { hostname: "vm", adminUser: { name: "admin\nroot", authorizedKeys: [] } },
      {
        hostname: "vm",
        adminUser: { name: "admin", authorizedKeys: ["ssh-ed25519 AAAA x\nssh-ed25519 BBBB"] },
      },
      { hostname: "vm", adminUser: { name: "admin", authorizedKeys: ['command="sh" ssh-ed25519 AAAA'] } },
      { hostname: "vm", services: [{ name: "../x", argv: ["/bin/true"] }] },
      { hostname: "vm", services: [{ name: "x", argv: ["true"] }] },
    ];
    for (const spec of refused) {
      assert.throws(() => validateImageSpec(spec), { code: "ERR_LOCALVM_SPEC" }, JSON.stringify(spec));
    }
    validateImageSpec({
      hostname: "myVM.01_x",
      adminUser: { name: "localadmin", authorizedKeys: ["ssh-ed25519 AAAAC3Nz user@host"] },
    });
  });

  it("quotes service arguments for sh", () => {
    assert.equal(
      serviceScript(["/bin/echo", "it's", "$HOME"]),
      "#!/bin/sh\nexec '/bin/echo' 'it'\\''s' '$HOME'\n",
    );
  });
});
