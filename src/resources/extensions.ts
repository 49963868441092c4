/**
 * The extensions a machine can have: hostpass's SSH login extension (`SSHLoginForLinux`, also
 * under the seed's name `AADSSHLoginForLinux`) and the seed's legacy password-login extension
 * `AADLoginForLinux`, which can be recorded so that enabling login refuses next to it (exit 23).
 * Any other type is refused: it would show `Succeeded` while nothing on the host runs it.
 */
import { UnknownExtensionError } from "./errors.ts";

const LOGIN_EXTENSION_TYPES: readonly string[] = ["SSHLoginForLinux", "AADSSHLoginForLinux"];
export const LEGACY_LOGIN_EXTENSION_TYPE = "AADLoginForLinux";
const KNOWN_EXTENSION_TYPES: readonly string[] = [...LOGIN_EXTENSION_TYPES, LEGACY_LOGIN_EXTENSION_TYPE];

const lowered = (types: readonly string[]) => new Set(types.map((t) => t.toLowerCase()));
const LOGIN = lowered(LOGIN_EXTENSION_TYPES);
const KNOWN = lowered(KNOWN_EXTENSION_TYPES);

/** The login extension under either of its names (case-insensitive, as Azure's types are). */
export function isLoginExtension(type: string): boolean {
  return LOGIN.has(type.toLowerCase());
}

export function isLegacyLoginExtension(type: string): boolean {
  return type.toLowerCase() === LEGACY_LOGIN_EXTENSION_TYPE.toLowerCase();
}

/** Throws ERR_EXTENSION_UNKNOWN, naming the known types, for a type hostpass does not know. */
export function checkKnownExtension(type: string): void {
  if (KNOWN.has(type.trim().toLowerCase())) return;
  throw new UnknownExtensionError(
    `unknown extension type '${type}': hostpass knows ${KNOWN_EXTENSION_TYPES.join(", ")} ` +
      `(SSHLoginForLinux enables directory login; AADSSHLoginForLinux is its seed name; ${LEGACY_LOGIN_EXTENSION_TYPE} is the legacy one)`,
  );
}
