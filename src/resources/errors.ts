import { HostpassError } from "../shared/errors.ts";

/** Base of every failure the resource tree reports. */
export abstract class ResourceError extends HostpassError {}

/** A resource id or scope string that is not well-formed or names something in a bad way. */
export class InvalidResourceIdError extends ResourceError {
  static readonly code = "ERR_RESOURCE_INVALID_ID";
  readonly code = InvalidResourceIdError.code;
  readonly kind = "invalid";
}

/** Input other than the id that breaks a rule (location, image, admin user name, IP, tags). */
export class InvalidResourceInputError extends ResourceError {
  static readonly code = "ERR_RESOURCE_INVALID_INPUT";
  readonly code = InvalidResourceInputError.code;
  readonly kind = "invalid";
}

export class ResourceNotFoundError extends ResourceError {
  static readonly code = "ERR_RESOURCE_NOT_FOUND";
  readonly code = ResourceNotFoundError.code;
  readonly kind = "not_found";
}

/** The resource exists already, or still has children, or the tree would become too deep or cyclic. */
export class ResourceConflictError extends ResourceError {
  static readonly code = "ERR_RESOURCE_CONFLICT";
  readonly code = ResourceConflictError.code;
  readonly kind = "conflict";
}

/** An extension type hostpass does not know (it would be recorded Succeeded and do nothing). */
export class UnknownExtensionError extends ResourceError {
  static readonly code = "ERR_EXTENSION_UNKNOWN";
  readonly code = UnknownExtensionError.code;
  readonly kind = "invalid";
}

/** An image that is clearly not Linux (hostpass machines are Linux hosts). */
export class ImageNotLinuxError extends ResourceError {
  static readonly code = "ERR_RESOURCE_IMAGE_NOT_LINUX";
  readonly code = ImageNotLinuxError.code;
  readonly kind = "invalid";
}
