import { NoManagedIdentityError } from "../../../../directory/index.ts";
import type { Machine } from "../../../../resources/index.ts";
import { HostpassError } from "../../../../shared/errors.ts";

/** The seed's exit 23: the legacy password-login extension is still installed. */
export class ExtensionLegacyInstalledError extends HostpassError {
  static readonly code = "ERR_EXTENSION_LEGACY_INSTALLED";
  readonly code = ExtensionLegacyInstalledError.code;
  readonly kind = "conflict";
  constructor() {
    super(
      "Detected obsolete packages. Please uninstall AADLoginForLinux first (hostpass vm extension delete --name AADLoginForLinux).",
    );
  }
}

/** hostpass's login extension, and the seed's publisher/type accepted as aliases (PRODUCT.md §1). */
const LOGIN_EXTENSION_TYPES = new Set(["sshloginforlinux", "aadsshloginforlinux"]);
const LEGACY_EXTENSION_TYPE = "aadloginforlinux";

export function isLoginExtension(type: string): boolean {
  return LOGIN_EXTENSION_TYPES.has(type.toLowerCase());
}

/**
 * The checks the seed's installer makes before enabling SSH login, made here so the CLI can
 * answer at once with the seed's exit codes. (A rule of the resources domain; it lives here until
 * resources/ exports it.)
 */
export function checkExtensionAllowed(machine: Machine, type: string): void {
  if (!isLoginExtension(type)) return;
  if (machine.identityPrincipalId === undefined) throw new NoManagedIdentityError();
  if (machine.extensions.some((e) => e.type.toLowerCase() === LEGACY_EXTENSION_TYPE)) {
    throw new ExtensionLegacyInstalledError();
  }
}
