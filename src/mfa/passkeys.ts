/**
 * Passkeys (WebAuthn) as a second factor or a phishing-resistant first one, on
 * @simplewebauthn/server. Challenges are single-use and short-lived; the signature counter must
 * move forward when an authenticator keeps one (a clone shows up as a counter that does not).
 */
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import { MfaFailedError } from "./errors.ts";

export interface RelyingParty {
  /** The portal's host name, e.g. `hostpass.example` or `localhost`. */
  readonly id: string;
  readonly name: string;
  /** The exact origin(s) the portal is served from. */
  readonly origins: readonly string[];
}

export interface Passkey {
  /** base64url credential id. */
  readonly id: string;
  readonly publicKey: Uint8Array;
  readonly counter: number;
  readonly transports: readonly string[];
}

export function registrationOptions(
  rp: RelyingParty,
  user: { objectId: string; upn: string; displayName: string },
  existing: readonly Passkey[],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.upn,
    userDisplayName: user.displayName,
    userID: new TextEncoder().encode(user.objectId),
    attestationType: "none",
    excludeCredentials: existing.map((p) => ({ id: p.id, transports: [...p.transports] })),
    authenticatorSelection: { residentKey: "preferred", userVerification: "required" },
  });
}

export async function verifyRegistration(
  rp: RelyingParty,
  response: RegistrationResponseJSON,
  expectedChallenge: string,
): Promise<Passkey> {
  let result: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    result = await verifyRegistrationResponse({
      response,
      expectedChallenge,
      expectedOrigin: [...rp.origins],
      expectedRPID: rp.id,
      requireUserVerification: true,
    });
  } catch (cause) {
    throw new MfaFailedError({ cause });
  }
  if (!result.verified) throw new MfaFailedError();
  const { credential } = result.registrationInfo;
  return {
    id: credential.id,
    publicKey: credential.publicKey,
    counter: credential.counter,
    transports: credential.transports ?? [],
  };
}

export function authenticationOptions(
  rp: RelyingParty,
  allowed: readonly Passkey[],
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: allowed.map((p) => ({ id: p.id, transports: [...p.transports] })),
    userVerification: "required",
  });
}

/** Verifies an assertion by one of `allowed`; returns the passkey with its new counter. */
export async function verifyAuthentication(
  rp: RelyingParty,
  response: AuthenticationResponseJSON,
  expectedChallenge: string,
  allowed: readonly Passkey[],
): Promise<Passkey> {
  const passkey = allowed.find((p) => p.id === response.id);
  if (!passkey) throw new MfaFailedError();
  let result: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    result = await verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: [...rp.origins],
      expectedRPID: rp.id,
      credential: {
        id: passkey.id,
        publicKey: passkey.publicKey as never,
        counter: passkey.counter,
        transports: [...passkey.transports] as never,
      },
      requireUserVerification: true,
    });
  } catch (cause) {
    throw new MfaFailedError({ cause });
  }
  if (!result.verified) throw new MfaFailedError();
  return { ...passkey, counter: result.authenticationInfo.newCounter };
}
