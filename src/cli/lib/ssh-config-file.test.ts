import assert from "node:assert/strict";
import { test } from "node:test";
import { credentialIn } from "../session/ssh-cache.ts";
import { renderBlock } from "./ssh-config-file.ts";

const meta = {
  configDir: "/home/u/.hostpass",
  cloud: "c",
  objectId: "0b6a4c1e-8f7d-4a43-9c1d-6f2f0c7a9e11",
  principal: "alice",
  validAfter: 0,
  validBefore: 60,
};
const folder = "/home/u/.hostpass/ssh/c/0b6a4c1e-8f7d-4a43-9c1d-6f2f0c7a9e11";
const entry = { patterns: ["10.0.0.4"] };

test("the Match exec line renews the folder; with the user's own key it names that key too", () => {
  const ephemeral = renderBlock("10.0.0.4", entry, credentialIn(folder, meta), "/opt/hostpass");
  assert.match(
    ephemeral,
    /^Match originalhost 10\.0\.0\.4 exec "'\/opt\/hostpass' ssh cert --renew '\/home\/u\/[^']+' --only-show-errors"$/m,
  );
  const own = renderBlock(
    "10.0.0.4",
    entry,
    credentialIn(folder, { ...meta, privateKeyFile: "/home/u/.ssh/id_ed25519" }),
    "/opt/hostpass",
  );
  assert.match(own, / ssh cert --renew '[^']+' -p '\/home\/u\/\.ssh\/id_ed25519\.pub' --only-show-errors"$/m);
  assert.match(own, /^ {4}IdentityFile "\/home\/u\/\.ssh\/id_ed25519"$/m);
});
