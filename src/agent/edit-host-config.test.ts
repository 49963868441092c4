import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  addMkhomedir,
  addNssSource,
  addSshdInclude,
  hasNssSource,
  includesDropIn,
  removeMkhomedir,
  removeNssSource,
  removeSshdInclude,
} from "./edit-host-config.ts";
import { hostPaths } from "./host-paths.ts";

const paths = hostPaths("/");

describe("edits of host files", () => {
  it("nsswitch: extrausers right after files, idempotent, reversible", () => {
    const before =
      "passwd: files systemd\ngroup:   compat\nshadow: files [NOTFOUND=return] db # c\nhosts: files dns\n";
    const after = addNssSource(before);
    assert.equal(
      after,
      "passwd: files extrausers systemd\ngroup:   compat extrausers\nshadow: files extrausers [NOTFOUND=return] db # c\nhosts: files dns\n",
    );
    assert.ok(hasNssSource(after));
    assert.equal(addNssSource(after), after);
    assert.equal(removeNssSource(after), before);
    assert.equal(
      addNssSource("hosts: files\n"),
      "hosts: files\npasswd: files extrausers\ngroup: files extrausers\nshadow: files extrausers\n",
    );
    assert.equal(removeNssSource(addNssSource("hosts: files\n")), "hosts: files\n");
  });

  it("PAM: mkhomedir before common-session, once, reversible", () => {
    const before = "@include common-auth\nsession required pam_loginuid.so\n@include common-session\n";
    const after = addMkhomedir(before, paths);
    assert.match(
      after,
      /pam_mkhomedir\.so skel=\/etc\/skel umask=0077 # hostpass-agent\n@include common-session\n$/,
    );
    assert.equal(addMkhomedir(after, paths), after);
    assert.equal(removeMkhomedir(after), before);
  });

  it("sshd_config: an Include is added only when none covers the drop-in", () => {
    assert.ok(includesDropIn("Include /etc/ssh/sshd_config.d/*.conf\n", paths));
    assert.ok(includesDropIn("include sshd_config.d/*.conf\n", paths));
    assert.ok(
      !includesDropIn("Include /etc/ssh/other.d/*.conf\n# Include /etc/ssh/sshd_config.d/*.conf\n", paths),
    );
    const before = "Port 22\n";
    const after = addSshdInclude(before, paths);
    assert.equal(
      after,
      "# hostpass-agent: directory login settings\nInclude /etc/ssh/sshd_config.d/00-hostpass.conf\nPort 22\n",
    );
    assert.equal(addSshdInclude(after, paths), after);
    assert.equal(removeSshdInclude(after, paths), before);
  });
});
